"""Identifiers found in dossiers: SIREN / SIRET, RNA, IBAN, and the place codes they imply.

Pure functions, no I/O: a checker (I01) or an extractor can call them anywhere.

Sources checked (2025):
- SIREN / SIRET: 9 / 14 digits, last one a Luhn key (INSEE, "numéro SIRET"). La Poste
  is the documented exception: when it became a société anonyme all its offices were put
  under the single SIREN 356 000 000, too many for the NIC's Luhn key, so a La Poste SIRET
  is valid when the sum of its 14 digits is a multiple of 5 (only the head office,
  35600000000048, also passes Luhn). Source: fr.wikipedia.org, "Système d'identification
  du répertoire des établissements", section "Exceptions pour le groupe La Poste" (which
  cites INSEE's page on the SIRET); the same rule is implemented by the State's
  pass-culture code (api/src/pcapi/utils/siren.py). INSEE's own page was not reachable
  from here; the rule is the one those two sources agree on.
- RNA: associations.gouv.fr ("Le RNA") says "un numéro RNA débutant par W et composé de
  9 chiffres"; data.gouv's `fr-format` (CodeRNA) checks `^W\\d{9}$`. The three characters
  after the W are, by all accounts, the code of the prefecture or sub-prefecture that
  registered the association; Corsican numbers "W2A…" / "W2B…" are accepted at the
  project's request, though no official text showing them was found (unverified).
- Commune SIREN: "21" + département on 3 characters + commune number on 3 + Luhn key,
  checked on real SIRENs: Saint-Étienne 214202186 (INSEE 42218), Lyon 216901231 (69123),
  Cayenne 219733029 (97302: overseas départements have 3 digits, and the 3rd digit of the
  INSEE code appears twice). Corsica is written "20": Ajaccio 212000046 (2A004), Bastia
  212000335 (2B033) — 2A and 2B cannot be told apart without the list of communes, so
  None. Paris (217500016, INSEE 75056) is the one known exception and is listed.
  Communes nouvelles created since 2010 often got a new SIREN ("200…"): not derivable.
  The BANATIC "table de correspondance SIREN / code INSEE des communes" (data.gouv.fr) is
  the reference when a certain answer is needed.
- IBAN: ISO 13616 (mod 97 = 1); lengths from the SWIFT IBAN registry.
"""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"

_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f\u2007]+")


def luhn_ok(digits: str) -> bool:
    """True when `digits` (ASCII digits only, at least 2) pass the Luhn check."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siren_ok(siren: str) -> bool:
    """A SIREN: 9 digits with a valid Luhn key (La Poste's 356000000 passes as is)."""
    return len(siren) == 9 and luhn_ok(siren)


def siret_ok(siret: str) -> bool:
    """A SIRET: 14 digits, Luhn-valid; La Poste's (SIREN 356000000) when the sum of its
    digits is a multiple of 5 instead (see the module docstring for the source)."""
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if luhn_ok(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0


def normalise_siret(text: str) -> str:
    """Digits of a SIREN/SIRET as written: '214 202 186 00018', '214.202.186',
    '214 202 186' with no-break spaces → '21420218600018'. Other characters are kept,
    so that a wrong value stays visibly wrong for the checks."""
    return _SEPARATORS.sub("", text.strip())


_RNA = re.compile(r"W(?:\d{3}|2[AB]\d)\d{6}")


def rna_ok(rna: str) -> bool:
    """An RNA number: 'W' + 9 digits ('W423001234'); Corsican registries 'W2A'/'W2B' + 7
    digits. Upper-case W only, no spaces (normalise before)."""
    return _RNA.fullmatch(rna) is not None


# SWIFT IBAN registry: total length by country (EU / EEA and neighbours a French funder
# meets). French overseas départements use FR IBANs.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip

_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]+")


def normalise_iban(text: str) -> str:
    """'fr76 3000 6000 0112 …' → 'FR76300060000112…': no spaces, upper case; a leading
    'IBAN' label is dropped."""
    compact = _SEPARATORS.sub("", text.strip()).upper()
    if compact.startswith("IBAN"):
        compact = compact[4:].lstrip(":")
    return compact


def iban_ok(iban: str) -> bool:
    """ISO 13616: shape, length for the country (15..34 when unknown), mod 97 = 1.
    Expects a normalised IBAN (`normalise_iban`)."""
    if not _IBAN_SHAPE.fullmatch(iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    if expected is None and not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def format_iban(iban: str) -> str:
    """Groups of 4 for reading: 'FR7630006000011234567890189' → 'FR76 3000 6000 0112 3456
    7890 189'."""
    compact = normalise_iban(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# Metropolitan départements on 2 digits; "20" (Corsica before 1976) is split into 2A/2B.
_METRO_DEPARTEMENTS = frozenset(f"{n:02d}" for n in range(1, 96) if n != 20)
_OVERSEAS_DEPARTEMENTS = frozenset({"971", "972", "973", "974", "976"})
# Overseas collectivités with their own INSEE code but a postcode inside Guadeloupe's 971
# range (Saint-Barthélemy, Saint-Martin) or their own (Saint-Pierre-et-Miquelon).
_POSTCODE_COLLECTIVITES = {"97133": "977", "97150": "978"}


# Known SIRENs whose digits do not follow the "21 + INSEE" rule.
_COMMUNE_SIREN_EXCEPTIONS = {"217500016": "75056"}  # Ville de Paris


def commune_insee_from_siren(siren: str) -> str | None:
    """The INSEE code of the commune (SIREN "21…") or of the commune of a CCAS ("26…")
    whose SIREN this is, or None when it cannot be told for sure (Corsica, communes
    nouvelles with a "200…" SIREN, any other body, an invalid key).

    The CCAS rule ("26" + the same digits as the commune) is the one the fixtures README
    states; it was not checked against a real SIRENE extract."""
    if not siren_ok(siren) or siren[:2] not in ("21", "26"):
        return None
    if siren[:2] == "21" and siren in _COMMUNE_SIREN_EXCEPTIONS:
        return _COMMUNE_SIREN_EXCEPTIONS[siren]
    dep, third, commune = siren[2:4], siren[4], siren[5:8]
    if dep == "97":
        # Overseas: département on 3 digits, whose last digit is also the first of the
        # commune number (Cayenne 97302 → 21 973 302 9).
        if third != commune[0] or third not in "12346":
            return None
        code = dep + commune
    elif third == "0" and dep in _METRO_DEPARTEMENTS:
        code = dep + commune
    else:
        return None
    return code if commune != "000" else None


def departement_of_postcode(postcode: str) -> str | None:
    """The département code of a French postcode: '42530' → '42', Corsica '20000'..'20199'
    → '2A', '20200'..'20999' → '2B', overseas '97110' → '971'.

    This is the usual mapping (the first digits are those of the distributing post
    office's département), true for nearly every commune; a few communes on a border are
    served from the next département — Laveyrune (Ardèche, INSEE 07136) has postcode 48250
    — and CEDEX codes follow the office, not the addressee. Only an INSEE code is certain.
    Saint-Barthélemy (97133) → '977', Saint-Martin (97150) → '978', Saint-Pierre-et-
    Miquelon (975xx) → '975': collectivités, not départements, with their INSEE codes.
    Monaco (98000), the Pacific collectivités (98xxx), military (00xxx) and unknown ranges
    → None."""
    if not re.fullmatch(r"\d{5}", postcode):
        return None
    if postcode in _POSTCODE_COLLECTIVITES:
        return _POSTCODE_COLLECTIVITES[postcode]
    if postcode.startswith("97"):
        code = postcode[:3]
        return code if code in _OVERSEAS_DEPARTEMENTS or code == "975" else None
    if postcode.startswith("20"):
        # Ordinary codes are 200xx-201xx (Corse-du-Sud) and 202xx / 206xx (Haute-Corse);
        # the rest of 202xx-209xx is left to Haute-Corse as before (CEDEX ranges).
        return "2A" if postcode[2] in "01" else "2B"
    code = postcode[:2]
    return code if code in _METRO_DEPARTEMENTS else None
