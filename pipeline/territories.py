"""French regions and départements (INSEE COG): names, codes, and how to find them in text."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

# One implementation of the postcode rule, kept importable from here for existing callers.
from pipeline.ids import departement_of_postcode as departement_of_postcode

_OF = {0: "de ", 1: "d'", 2: "du ", 3: "de la ", 4: "des ", 5: "de l'"}


@dataclass(frozen=True)
class Area:
    level: Literal["region", "departement"]
    code: str
    name: str
    tncc: int
    region: str | None = None

    @property
    def of_name(self) -> str:
        """ "de la Loire", "du Rhône", "d'Ille-et-Vilaine", "des Pays de la Loire"."""
        if self.tncc == 0 and self.name.startswith("La "):
            return "de " + self.name
        return _OF[self.tncc] + self.name

    @property
    def institution(self) -> str:
        """The funder's usual name: "Région Pays de la Loire", "Département de la Loire"."""
        if self.level == "region":
            return f"Région {self.name}"
        return f"Département {self.of_name}"


def name_key(text: str) -> str:
    """Lowercase ASCII letters and digits only: 'Pays-de-la-Loire' → 'paysdelaloire'."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]", "", ascii_text)


@cache
def areas() -> tuple[Area, ...]:
    raw = json.loads(resources.files("pipeline.data").joinpath("territories.json").read_text())
    regions = tuple(Area("region", r["code"], r["name"], r["tncc"]) for r in raw["regions"])
    departements = tuple(
        Area("departement", d["code"], d["name"], d["tncc"], d["region"])
        for d in raw["departements"]
    )
    return regions + departements


@cache
def by_folded_name(level: str) -> dict[str, Area]:
    return {name_key(a.name): a for a in areas() if a.level == level}


def find_area(name: str, level: str | None = None) -> Area | None:
    """The region or département whose name is `name` (accents, hyphens, case ignored)."""
    key = name_key(re.sub(r"^(la|le|les|l')\s*", "", name.strip(), flags=re.I))
    for lvl in (level,) if level else ("region", "departement"):
        found = by_folded_name(lvl).get(key) or by_folded_name(lvl).get(name_key(name))
        if found:
            return found
    return None


def region(code: str) -> Area | None:
    return next((a for a in areas() if a.level == "region" and a.code == code), None)


def departement(code: str) -> Area | None:
    return next((a for a in areas() if a.level == "departement" and a.code == code), None)


def from_domain(domain: str) -> Area | None:
    """The area an official e-mail/web domain names: 'bourgognefranchecomte.fr' → region 27,
    'loire.fr' → département 42. Only whole-name matches count."""
    stem = name_key(domain.lower().split("@")[-1].rsplit(".", 1)[0].split(".")[-1])
    for prefix in ("", "region", "departement", "cd", "conseil"):
        if stem.startswith(prefix):
            rest = stem[len(prefix) :]
            for lvl in ("region", "departement"):
                found = by_folded_name(lvl).get(rest)
                if found:
                    return found
    return None
