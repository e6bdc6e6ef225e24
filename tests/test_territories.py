"""Regions and départements: names in any spelling, domains, postcodes."""

from __future__ import annotations

import pytest

from pipeline import territories


@pytest.mark.parametrize(
    ("name", "level", "code"),
    [
        ("Pays-de-la-Loire", "region", "52"),
        ("pays de la loire", "region", "52"),
        ("Bourgogne-Franche-Comté", "region", "27"),
        ("Occitanie", "region", "76"),
        ("Loire", "departement", "42"),
        ("la Loire", "departement", "42"),
        ("Loire-Atlantique", "departement", "44"),
        ("Côte-d'Or", "departement", "21"),
        ("La Réunion", "departement", "974"),
    ],
)
def test_find_area(name: str, level: str, code: str) -> None:
    area = territories.find_area(name, level)
    assert area is not None and area.code == code


def test_institution_names_use_the_right_article() -> None:
    assert territories.departement("42").institution == "Département de la Loire"  # type: ignore[union-attr]
    assert territories.departement("69").institution == "Département du Rhône"  # type: ignore[union-attr]
    assert territories.departement("35").institution == "Département d'Ille-et-Vilaine"  # type: ignore[union-attr]
    assert territories.region("52").institution == "Région Pays de la Loire"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("numerique.feder@bourgognefranchecomte.fr", "27"),
        ("loire.fr", "42"),
        ("paysdelaloire.fr", "52"),
    ],
)
def test_from_domain(domain: str, code: str) -> None:
    area = territories.from_domain(domain)
    assert area is not None and area.code == code


def test_unknown_domain_gives_nothing() -> None:
    assert territories.from_domain("contact@exemple.fr") is None
    assert territories.from_domain("gmail.com") is None


@pytest.mark.parametrize(
    ("postcode", "dep"),
    [
        ("42000", "42"),
        ("20000", "2A"),
        ("20200", "2B"),
        ("97110", "971"),
        ("75001", "75"),
        ("4200", None),
    ],
)
def test_departement_of_postcode(postcode: str, dep: str | None) -> None:
    assert territories.departement_of_postcode(postcode) == dep
