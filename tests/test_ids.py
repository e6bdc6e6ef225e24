"""Identifiers: SIREN/SIRET (Luhn, La Poste), RNA, IBAN, commune codes from SIRENs,
départements from postcodes. Real public numbers where they exist."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import ids, territories


def luhn_complete(body: str) -> str:
    """`body` + the Luhn key that makes it valid (test helper, brute force on purpose:
    it does not reuse the code under test's arithmetic)."""
    return next(body + k for k in "0123456789" if ids.luhn_ok(body + k))


# --- SIREN / SIRET ------------------------------------------------------------------

# Real SIRENs / SIRETs of public bodies, as published in SIRENE.
VALID_SIRENS = [
    "214202186",  # Commune de Saint-Étienne
    "216901231",  # Commune de Lyon
    "217500016",  # Ville de Paris
    "212000046",  # Commune d'Ajaccio
    "244200770",  # Saint-Étienne Métropole
    "732829320",  # INSEE's own example
    "356000000",  # La Poste
]
VALID_SIRETS = [
    "21420218600018",  # Saint-Étienne, hôtel de ville
    "21690123100011",  # Lyon
    "21750001600019",  # Paris
    "73282932000074",  # INSEE's example: 7th establishment of 732 829 320
    "35600000000048",  # La Poste, head office: passes Luhn
]


@pytest.mark.parametrize("siren", VALID_SIRENS)
def test_valid_sirens(siren: str) -> None:
    assert ids.siren_ok(siren)


@pytest.mark.parametrize("siret", VALID_SIRETS)
def test_valid_sirets(siret: str) -> None:
    assert ids.siret_ok(siret)


@pytest.mark.parametrize(
    "value",
    ["21420218600017", "2142021860001", "214202186000180", "2142021860001A", "", "ABCDEFGHIJKLMN"],
)
def test_invalid_sirets(value: str) -> None:
    assert not ids.siret_ok(value)


@pytest.mark.parametrize(
    "value", ["214202187", "21420218", "2142021860", "21420218A", "２１４２０２１８６"]
)
def test_invalid_sirens(value: str) -> None:
    assert not ids.siren_ok(value)


def test_la_poste_exception() -> None:
    # Post offices: digit sum a multiple of 5, Luhn not satisfied.
    for siret in ("35600000009075", "35600000009093"):
        assert not ids.luhn_ok(siret) and sum(map(int, siret)) % 5 == 0
        assert ids.siret_ok(siret)
    assert not ids.siret_ok("35600000009090")  # sum 32
    # The exception is La Poste's only: the same digit-sum trick elsewhere fails.
    assert sum(map(int, "21420218600013")) % 5 == 0
    assert not ids.siret_ok("21420218600013")


def test_normalise_siret() -> None:
    assert ids.normalise_siret(" 214 202 186 00018 ") == "21420218600018"
    assert ids.normalise_siret("214\u00a0202\u00a0186\u202f00018") == "21420218600018"
    assert ids.normalise_siret("214.202.186.00018") == "21420218600018"
    assert ids.normalise_siret("SIRET 214") == "SIRET214"  # not digits: stays visibly wrong


@given(st.text(alphabet="0123456789", min_size=8, max_size=13), st.data())
def test_one_changed_digit_breaks_luhn(body: str, data: st.DataObject) -> None:
    number = luhn_complete(body)
    position = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    assert ids.luhn_ok(number)
    assert not ids.luhn_ok(changed)


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_siret_formatting_round_trip(body: str) -> None:
    siret = luhn_complete(body)
    written = f"{siret[:3]} {siret[3:6]}\u00a0{siret[6:9]} {siret[9:]}"
    assert ids.normalise_siret(written) == siret
    assert ids.siret_ok(ids.normalise_siret(written))


# --- RNA ----------------------------------------------------------------------------


@pytest.mark.parametrize("rna", ["W751515517", "W423001234", "W2A1000123", "W2B2001234"])
def test_valid_rna(rna: str) -> None:
    assert ids.rna_ok(rna)


@pytest.mark.parametrize(
    "rna",
    [
        "W12",
        "W7515155170",
        "w751515517",
        "751515517",
        "W 751515517",
        "WA51515517",
        "W2C1000123",
        "W2A100012",
    ],
)
def test_invalid_rna(rna: str) -> None:
    assert not ids.rna_ok(rna)


# --- IBAN ---------------------------------------------------------------------------

# Examples published by the ECBS / SWIFT IBAN registry and Wikipedia.
VALID_IBANS = [
    "FR14 2004 1010 0505 0001 3M02 606",
    "FR76 3000 6000 0112 3456 7890 189",
    "DE89 3704 0044 0532 0130 00",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "LU28 0019 4006 4475 0000",
    "MC58 1122 2000 0101 2345 6789 030",
    "GB82 WEST 1234 5698 7654 32",
    "NL91 ABNA 0417 1643 00",
]


@pytest.mark.parametrize("written", VALID_IBANS)
def test_valid_ibans(written: str) -> None:
    iban = ids.normalise_iban(written)
    assert " " not in iban and ids.iban_ok(iban)
    assert ids.format_iban(iban) == written


@pytest.mark.parametrize(
    "iban",
    [
        "FR1420041010050500013M02607",  # wrong check
        "FR1420041010050500013M0260",  # FR is 27 long
        "DE8937040044053201300",  # DE is 22
        "XX00123",  # unknown country, too short
        "FR14 2004 1010 0505 0001 3M02 606",  # not normalised
        "14FR20041010050500013M02606",
    ],
)
def test_invalid_ibans(iban: str) -> None:
    assert not ids.iban_ok(iban)


def test_normalise_iban() -> None:
    assert ids.normalise_iban("IBAN : fr76 3000\u00a06000 0112 3456 7890 189") == (
        "FR7630006000011234567890189"
    )
    assert ids.format_iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"


@given(st.integers(0, len(VALID_IBANS) - 1), st.data())
def test_iban_one_changed_character_fails(index: int, data: st.DataObject) -> None:
    iban = ids.normalise_iban(VALID_IBANS[index])
    position = data.draw(st.integers(2, len(iban) - 1))  # check digits and account
    pool = "0123456789" if iban[position].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    replacement = data.draw(st.sampled_from([c for c in pool if c != iban[position]]))
    assert not ids.iban_ok(iban[:position] + replacement + iban[position + 1 :])


@given(st.integers(0, len(VALID_IBANS) - 1))
def test_iban_format_round_trip(index: int) -> None:
    iban = ids.normalise_iban(VALID_IBANS[index])
    assert ids.normalise_iban(ids.format_iban(iban)) == iban
    assert ids.normalise_iban(ids.format_iban(iban).lower()) == iban


# --- commune codes from SIRENs ------------------------------------------------------


@pytest.mark.parametrize(
    ("siren", "insee"),
    [
        ("214202186", "42218"),  # Saint-Étienne
        ("216901231", "69123"),  # Lyon
        ("219733029", "97302"),  # Cayenne: overseas, 3-digit département
        ("217500016", "75056"),  # Paris, the listed exception
        ("212000046", None),  # Ajaccio (2A004): Corsica is ambiguous
        ("212000335", None),  # Bastia (2B033)
        ("244200770", None),  # Saint-Étienne Métropole: not a commune
        ("214202187", None),  # wrong key
        ("356000000", None),
    ],
)
def test_commune_insee_from_siren(siren: str, insee: str | None) -> None:
    assert ids.commune_insee_from_siren(siren) == insee


def test_ccas_siren_maps_like_a_commune() -> None:
    # The rule as the fixtures README states it ("26" + the commune's digits + key).
    assert ids.commune_insee_from_siren(luhn_complete("26420218")) == "42218"
    assert ids.commune_insee_from_siren(luhn_complete("26971120")) == "97120"


def test_overseas_siren_must_repeat_the_digit() -> None:
    # "21 973 402" would claim département 973 with commune 97402 (Réunion): inconsistent.
    assert ids.commune_insee_from_siren(luhn_complete("21973402")) is None
    assert ids.commune_insee_from_siren(luhn_complete("21971120")) == "97120"


# --- départements from postcodes ----------------------------------------------------


@pytest.mark.parametrize(
    ("postcode", "dep"),
    [
        ("42530", "42"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20190", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97110", "971"),
        ("97400", "974"),
        ("97600", "976"),
        ("97133", "977"),  # Saint-Barthélemy
        ("97150", "978"),  # Saint-Martin
        ("97500", "975"),  # Saint-Pierre-et-Miquelon
        ("98000", None),  # Monaco
        ("98800", None),  # Nouvelle-Calédonie: not a département
        ("00100", None),
        ("96000", None),
        ("4200", None),
        ("42 530", None),
    ],
)
def test_departement_of_postcode(postcode: str, dep: str | None) -> None:
    assert ids.departement_of_postcode(postcode) == dep


def test_one_implementation() -> None:
    assert territories.departement_of_postcode is ids.departement_of_postcode
