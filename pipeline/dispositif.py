"""Export of call rules as one row of the etalab *schéma dispositif-aide* (DESIGN §3, Export).

Two layouts of that schema are supported, chosen by the `schema` parameter of the public
functions; trimmed copies of both live in `pipeline/data`:

- **"0.0.2"**, the default: the 2022 layout that DESIGN §3 names as the contract
  (`id_aide, nom_aide, porteur_aide, beneficiaires_aide, types_aides,
  taux_subvention_maximum, date_ouverture, date_cloture, type_depense, zone_geographique,
  contact, …`), as published on schema.data.gouv.fr
  (`dispositif_aide_schema_0.0.2.json`): 28 columns, multi-valued cells separated by a
  comma without space, beneficiaries among eleven listed values ("Communes",
  "EPCI à fiscalité propre", …), rates as percentages, dates as `AAAA-MM-JJ`, the area
  covered as its name ("Tarn").
- **"0.2.0"**, the current core schema (`dispositif_aide_schema_0.2.0.json`): 15 columns,
  multi-valued cells separated by `|`, geography as COG codes (`REG-52|DEP-44`), dates as
  ISO 8601 date-times, beneficiaries as four broad `cibles`. It has no column for rates,
  amounts, expense types or contacts: they are written, in plain French, into its
  `description` and `eligibilite` texts.

Nothing is invented: a value that is not in the rules leaves its cell empty, and
`validate_row` then says which required column is missing. In 0.0.2 that is always the
case of `nom_aide_normalise` (a title rewritten to start with an infinitive verb),
`porteur_siren` and `recurrence_aide`, which no call notice states in a form we read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pipeline import territories, vocab
from pipeline.files import atomic_write_text
from pipeline.models import AidRate, CallRules, Contact, Territory
from pipeline.render import euros, percent

# The layouts we can write, by version, and their trimmed copies in `pipeline/data`.
SCHEMAS: dict[str, str] = {
    "0.0.2": "dispositif_aide_schema_0.0.2.json",
    "0.2.0": "dispositif_aide_schema_0.2.0.json",
}
DEFAULT_SCHEMA = "0.0.2"  # the layout DESIGN §3 names

PARIS = ZoneInfo("Europe/Paris")
SEPARATOR = "|"  # multi-valued cells of 0.2.0
SEPARATOR_002 = ","  # multi-valued cells of 0.0.2 ("une virgule sans espace")
THEME_SEPARATOR_002 = ";"  # thematique_aide of 0.0.2 ("un point-virgule sans espace")

# --- 0.2.0 -------------------------------------------------------------------------------

# Our beneficiary codes (DESIGN §4) onto the `cibles` of schema v0.2.0, whose only allowed
# values are "professionnels", "particuliers", "associations" and "secteur public".
BENEFICIARY_TO_ETALAB: dict[str, str] = {
    "commune": "secteur public",
    "epci": "secteur public",
    "syndicat": "secteur public",
    "departement": "secteur public",
    "region": "secteur public",
    "ccas": "secteur public",
    "etablissement_public": "secteur public",
    "etat": "secteur public",
    "gip": "secteur public",  # personne morale de droit public
    "chambre_consulaire": "secteur public",  # établissements publics de l'État
    "recherche": "secteur public",  # universités, EPST, EPIC; private labs are rarer
    "association": "associations",
    "entreprise": "professionnels",
    "pme": "professionnels",
    "sem_spl": "professionnels",  # sociétés commerciales, not public bodies
    "organisme_professionnel": "professionnels",
    "agriculteur": "professionnels",
    "particulier": "particuliers",
}

# A UUID is required in `id` (0.2.0) and the schema suggests one for `id_aide` (0.0.2); a
# call_id that is not one is turned into a stable UUID 5.
ID_NAMESPACE = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://github.com/etalab/schema-dispositif-aide#aap"
)

# COG prefixes of `eligibilite_geographique` (examples of the schema: PAYS-99100, REG-84,
# DEP-01, COM-83141). The schema gives no prefix for an EPCI; its SIREN is used.
_COG_PREFIX = {"region": "REG", "departement": "DEP", "commune": "COM", "epci": "EPCI"}
FRANCE_COG = "PAYS-99100"

# The `types_aides` value for a call that grants money (the schema's own example value;
# its list of allowed values is kept outside the schema, in a Grist table).
FINANCIAL_AID_TYPE = "financement"
FUNDER_ROLE = "financeur"

# --- 0.0.2 -------------------------------------------------------------------------------

# Our beneficiary codes (DESIGN §4) onto the eleven values of `beneficiaires_aide` in 0.0.2.
# None: no value of that list fits, so the code is left out rather than forced.
BENEFICIARY_TO_ETALAB_002: dict[str, str | None] = {
    "commune": "Communes",
    "epci": "EPCI à fiscalité propre",
    # Syndicats de communes, syndicats mixtes, PETR: établissements publics, but not EPCI
    # à fiscalité propre.
    "syndicat": "Établissements publics - Services de l'État",
    "departement": "Départements",
    "region": "Régions",
    "ccas": "Établissements publics - Services de l'État",  # établissement public communal
    "etablissement_public": "Établissements publics - Services de l'État",
    "etat": "Établissements publics - Services de l'État",
    "gip": "Établissements publics - Services de l'État",  # personne morale de droit public
    "chambre_consulaire": "Établissements publics - Services de l'État",  # EP de l'État
    "recherche": "Recherche",
    "association": "Associations",
    "entreprise": "Entreprises privées",
    "pme": "Entreprises privées",
    "sem_spl": "Entreprises publiques locales (Sem, Spl, SemOp)",
    # Fédérations, syndicats professionnels, interprofessions: associations, syndicats or
    # établissements depending on the case, none of which the code tells.
    "organisme_professionnel": None,
    "agriculteur": "Agriculteurs",
    "particulier": "Particuliers",
}

# The `types_aides` value of 0.0.2 for a call that grants money: the calls this project
# reads are calls for subsidies (DESIGN §1, "dossiers de demande de subvention").
SUBSIDY_AID_TYPE_002 = "Subvention"

EXPENSE_TYPE_TO_ETALAB_002: dict[str, str] = {
    "fonctionnement": "Fonctionnement",
    "investissement": "Investissement",
}

# `aap_ami` of 0.0.2: "Oui" when the title itself says it is a call for projects or for
# expressions of interest; empty otherwise (an "appel à partenariat" or a "fonds" may or
# may not be one, and "Non" would be a guess too).
_AAP_AMI_TITLE = re.compile(r"\bappels? a (?:projets?|manifestations? d'interet)\b|\baap\b|\bami\b")

# --- shared ------------------------------------------------------------------------------

_LEVEL_LABELS = {
    "region": "région",
    "departement": "département",
    "commune": "commune",
    "epci": "EPCI",
    "national": "France entière",
}

_EXPENSE_TYPE_OF = {"investissement": "d'investissement", "fonctionnement": "de fonctionnement"}

# French hints for pattern errors, by schema and column.
_PATTERN_HINTS: dict[str, dict[str, str]] = {
    "0.0.2": {
        "porteur_siren": "numéros SIREN de 9 caractères séparés par « , » sans espace, "
        "ex. 385290309,130025265",
    },
    "0.2.0": {
        "eligibilite_geographique": "codes COG séparés par « | », ex. REG-84|DEP-01|COM-83141",
        "eligibilite_geographique_exclusions": "codes COG séparés par « | », ex. DEP-01|COM-83141",
        "url_source": "URL commençant par http:// ou https://",
    },
}
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Table Schema defaults for a boolean column that declares no trueValues / falseValues.
_TRUE_VALUES = ("true", "True", "TRUE", "1")
_FALSE_VALUES = ("false", "False", "FALSE", "0")


# --------------------------------------------------------------------------- schema


def schema_key(schema: str) -> str:
    """The version key of `schema` ("0.0.2", "v0.2.0" → "0.2.0"); ValueError if unknown."""
    key = str(schema).strip().removeprefix("v")
    if key not in SCHEMAS:
        known = ", ".join(SCHEMAS)
        raise ValueError(
            f"Version du schéma dispositif-aide inconnue : « {schema} » "
            f"(versions prises en charge : {known})."
        )
    return key


def schema(version: str = DEFAULT_SCHEMA) -> dict[str, Any]:
    """The trimmed etalab schema (Table Schema JSON) of `version`, shipped in `pipeline/data`."""
    return _load(schema_key(version))


@cache
def _load(key: str) -> dict[str, Any]:
    text = resources.files("pipeline.data").joinpath(SCHEMAS[key]).read_text(encoding="utf-8")
    return json.loads(text)


def schema_version(schema: str = DEFAULT_SCHEMA) -> str:
    """The version written in the schema file, e.g. "0.0.2" or "v0.2.0"."""
    return str(_load(schema_key(schema))["version"])


def columns(schema: str = DEFAULT_SCHEMA) -> tuple[str, ...]:
    """Every column of the schema, in the schema's order."""
    return tuple(field["name"] for field in _load(schema_key(schema))["fields"])


def _fields(schema: str) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in _load(schema_key(schema))["fields"]}


# --------------------------------------------------------------------------- rules → row


def to_row(
    rules: CallRules, *, schema: str = DEFAULT_SCHEMA, updated_at: datetime | None = None
) -> dict[str, str]:
    """One row of the schema for `rules`: every column, in order, as text ("" when unknown).

    `updated_at` fills `date_mise_a_jour` (the date the data were last updated; a date in
    0.0.2, a date-time in 0.2.0, where it is required); it defaults to now.
    """
    key = schema_key(schema)
    stamp = updated_at or datetime.now(PARIS).replace(microsecond=0)
    row = _row_002(rules, stamp) if key == "0.0.2" else _row_020(rules, stamp)
    return {name: row.get(name, "") for name in columns(key)}


def _row_002(rules: CallRules, stamp: datetime) -> dict[str, str]:
    """The 0.0.2 columns. Left empty, because no call notice states them in a form we read:
    nom_aide_normalise (the title rewritten to start with an infinitive verb),
    porteur_siren, instructeurs_aide, taux_subvention_minimum (our rates are maxima),
    exemple_projet, recurrence_aide, date_pre_depot, etat_avancement_projet and
    url_descriptif (we hold the notice as a file, not its web address)."""
    rates = rules.aid_rates.value or []
    expense_types = rules.expense_types.value or []
    return {
        "id_aide": dispositif_id(rules.call_id),
        "nom_aide": _one_line(rules.title.value),
        "programme_aides": _join([rules.programme.value], SEPARATOR_002),
        "porteur_aide": _join([rules.funder.value], SEPARATOR_002),
        "beneficiaires_aide": SEPARATOR_002.join(
            beneficiaires(rules.eligible_beneficiaries.value or [])
        ),
        "types_aides": SUBSIDY_AID_TYPE_002 if _grants_money(rules) else "",
        "taux_subvention_maximum": taux_subvention_maximum(rates),
        "taux_subvention_commentaire": _rates_comment(rules),
        "aap_ami": _aap_ami(rules.title.value),
        "description": _description(rules, closing_line=True),
        "thematique_aide": _join(rules.themes.value or [], THEME_SEPARATOR_002),
        "date_ouverture": _date_002(rules.opens_on.value),
        "date_cloture": _date_002(rules.closes_at.value),
        "condition_eligibilite": _eligibility(rules),
        "type_depense": SEPARATOR_002.join(
            label for code, label in EXPENSE_TYPE_TO_ETALAB_002.items() if code in expense_types
        ),
        "zone_geographique": zone_geographique(rules.territory.value),
        "url_demarche": _url(rules.submission_url.value),
        "contact": _contacts(rules.contacts.value or []),
        "date_mise_a_jour": _date_002(stamp),
    }


def _row_020(rules: CallRules, stamp: datetime) -> dict[str, str]:
    max_description = _fields("0.2.0")["description"].get("constraints", {}).get("maxLength")
    return {
        "id": dispositif_id(rules.call_id),
        "titre": _one_line(rules.title.value),
        "promesse": "",  # an imperative sentence written for the applicant: not in the rules
        "description": _fit(_description(rules), max_description),
        "eligibilite": _eligibility(rules),
        "types_aides": FINANCIAL_AID_TYPE if _grants_money(rules) else "",
        "porteurs": _porteurs(rules.funder.value),
        "programmes_parents": _join([rules.programme.value]),
        "url_source": _url(rules.submission_url.value),
        "cibles": _join(cibles(rules.eligible_beneficiaries.value or [])),
        "eligibilite_geographique": cog_codes(rules.territory.value),
        "eligibilite_geographique_exclusions": "",
        "date_ouverture": _date_text(rules.opens_on.value),
        "date_cloture": _datetime_text(rules.closes_at.value),
        "date_mise_a_jour": _datetime_text(stamp),
    }


def dispositif_id(call_id: str) -> str:
    """The call_id itself when it is a UUID, else a UUID 5 derived from it (stable)."""
    try:
        return str(uuid.UUID(call_id))
    except ValueError:
        return str(uuid.uuid5(ID_NAMESPACE, call_id))


def cibles(beneficiaries: Iterable[str]) -> list[str]:
    """Our beneficiary codes as the `cibles` of 0.2.0, without duplicates, in schema order."""
    wanted = {
        BENEFICIARY_TO_ETALAB[code] for code in beneficiaries if code in BENEFICIARY_TO_ETALAB
    }
    allowed = _fields("0.2.0")["cibles"].get("x_allowed_values", [])
    return [value for value in allowed if value in wanted]


def beneficiaires(beneficiaries: Iterable[str]) -> list[str]:
    """Our beneficiary codes as the `beneficiaires_aide` values of 0.0.2, without
    duplicates, in the schema's order; a code with no counterpart is left out."""
    wanted = {BENEFICIARY_TO_ETALAB_002.get(code) for code in beneficiaries} - {None}
    allowed = _fields("0.0.2")["beneficiaires_aide"].get("x_allowed_values", [])
    return [value for value in allowed if value in wanted]


def taux_subvention_maximum(rates: Sequence[AidRate]) -> str:
    """`taux_subvention_maximum` of 0.0.2: a percentage (0.8 → "80", 0.355 → "35.5").

    The schema wants one number ("Taux de subvention maximum (en pourcentage)", type
    number, 0 to 100). When the call sets several rates (by beneficiary, by volet), this is
    the HIGHEST of them — the ceiling no applicant can exceed; each rate with the group it
    applies to is spelt out in `taux_subvention_commentaire`. "" when the call sets none.
    """
    if not rates:
        return ""
    return _number_text(max(rate.max_rate for rate in rates) * 100)


def zone_geographique(territory: Territory | None) -> str:
    """`zone_geographique` of 0.0.2: the name of the area covered, as the schema's example
    ("Tarn"); the name of a region or département is looked up from its code when the rules
    hold the code only; "France" for a national call named nothing else; "" when unknown."""
    if territory is None:
        return ""
    name = _one_line(territory.name)
    if name:
        return name
    if territory.level == "national":
        return "France"
    code = (territory.code or "").strip()
    area = None
    if code and territory.level == "region":
        area = territories.region(code)
    elif code and territory.level == "departement":
        area = territories.departement(code)
    return area.name if area else ""


def cog_codes(territory: Territory | None) -> str:
    """The territory as COG codes for 0.2.0 ("DEP-42", "REG-52", "PAYS-99100"); "" when
    unknown."""
    if territory is None:
        return ""
    if territory.level == "national":
        return FRANCE_COG
    code = territory.code
    if not code and territory.level in ("region", "departement"):
        area = territories.find_area(territory.name, territory.level)
        code = area.code if area else None
    return f"{_COG_PREFIX[territory.level]}-{code.strip()}" if code else ""


def _grants_money(rules: CallRules) -> bool:
    return any(
        field.found
        for field in (
            rules.envelope_eur,
            rules.max_aid_eur,
            rules.min_aid_eur,
            rules.aid_rates,
            rules.max_public_aid_rate,
        )
    )


def _aap_ami(title: str | None) -> str:
    return "Oui" if title and _AAP_AMI_TITLE.search(_folded(title)) else ""


def _porteurs(funder: str | None) -> str:
    """The funder in the 0.2.0 notation: [{ nom: '…', roles: [ 'financeur' ]}].

    The SIREN is left out rather than guessed: the rules do not hold it.
    """
    name = _one_line(funder)
    if not name:
        return ""
    quoted = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{{ nom: '{quoted}', roles: [ '{FUNDER_ROLE}' ]}}]"


def _description(rules: CallRules, *, closing_line: bool = False) -> str:
    """Plain-French lines built from the rules' amounts, rates, calendar and contacts.

    `closing_line` adds the closing date and time of a single-deadline call (0.0.2 keeps
    only the date in `date_cloture`)."""
    lines: list[str] = []
    if rules.funder.found:
        lines.append(f"Financeur : {_one_line(rules.funder.value)}.")
    if rules.programme.found:
        lines.append(f"Programme : {_one_line(rules.programme.value)}.")
    if rules.themes.found:
        lines.append(f"Thématiques : {' ; '.join(_one_line(t) for t in rules.themes.value or [])}.")
    if rules.envelope_eur.value is not None:
        lines.append(f"Enveloppe totale : {euros(rules.envelope_eur.value)}.")
    if rules.max_aid_eur.value is not None:
        lines.append(f"Aide maximale par projet : {euros(rules.max_aid_eur.value)}.")
    if rules.min_aid_eur.value is not None:
        lines.append(f"Aide minimale par projet : {euros(rules.min_aid_eur.value)}.")
    lines.extend(_rate_lines(rules))
    if rules.indirect_costs_rate.value is not None:
        lines.append(
            "Coûts indirects : forfait de "
            f"{percent(rules.indirect_costs_rate.value)} des coûts directs éligibles."
        )
    deadlines = rules.deadlines.value or []
    if len(deadlines) > 1:
        lines.append(
            f"Dates limites de dépôt : {', '.join(_french_datetime(d) for d in deadlines)}."
        )
    elif closing_line and rules.closes_at.value is not None:
        lines.append(f"Date limite de dépôt : {_french_datetime(rules.closes_at.value)}.")
    if rules.selection_criteria.found:
        criteria = " ; ".join(_one_line(c) for c in rules.selection_criteria.value or [])
        lines.append(f"Critères de sélection : {criteria}.")
    contacts = _contacts(rules.contacts.value or [])
    if contacts:
        lines.append(f"Contact : {contacts}.")
    return "\n".join(lines)


def _rate_lines(rules: CallRules) -> list[str]:
    rates = rules.aid_rates.value or []
    lines = [_rate_line(rate, several=len(rates) > 1) for rate in rates]
    if rules.max_public_aid_rate.value is not None:
        lines.append(
            f"Taux maximal d'aides publiques cumulées : {percent(rules.max_public_aid_rate.value)}."
        )
    return lines


def _rates_comment(rules: CallRules) -> str:
    """`taux_subvention_commentaire` of 0.0.2: each rate with its group, basis, cap and
    scope, and the ceiling of cumulated public aid — when that says more than the number
    in `taux_subvention_maximum`."""
    rates = rules.aid_rates.value or []
    if len(rates) == 1 and rules.max_public_aid_rate.value is None:
        rate = rates[0]
        if not (rate.beneficiaries or rate.basis or rate.scope or rate.max_aid_eur is not None):
            return ""  # one plain rate: the number says it all
    return " ".join(_rate_lines(rules))


def _rate_line(rate: AidRate, *, several: bool) -> str:
    if rate.beneficiaries:
        who = " pour " + ", ".join(vocab.BENEFICIARY_LABELS.get(b, b) for b in rate.beneficiaries)
    else:
        who = " pour les autres bénéficiaires" if several else ""
    details = []
    if rate.basis:
        details.append(f"dépenses {rate.basis.upper()}")
    if rate.max_aid_eur is not None:
        details.append(f"plafond {euros(rate.max_aid_eur)}")
    if rate.scope:
        details.append(_one_line(rate.scope))
    suffix = f" ({', '.join(details)})" if details else ""
    return f"Taux d'aide maximal{who} : {percent(rate.max_rate)}{suffix}."


def _eligibility(rules: CallRules) -> str:
    """The eligibility criteria, one criterion per "• " item."""
    items: list[str] = []
    if rules.eligible_beneficiaries.found:
        labels = [
            vocab.BENEFICIARY_LABELS.get(b, b) for b in rules.eligible_beneficiaries.value or []
        ]
        items.append(f"Bénéficiaires éligibles : {' ; '.join(labels)}")
    territory = rules.territory.value
    if territory is not None:
        if territory.level == "national":
            items.append("Territoire : France entière")
        else:
            code = f", {territory.code}" if territory.code else ""
            label = _LEVEL_LABELS[territory.level]
            items.append(f"Territoire : {_one_line(territory.name)} ({label}{code})")
    expense_types = rules.expense_types.value or []
    if expense_types:
        kinds = [_EXPENSE_TYPE_OF[t] for t in vocab.EXPENSE_TYPES if t in expense_types]
        only = " uniquement" if len(kinds) == 1 else ""
        items.append(f"Dépenses {' et '.join(kinds)}{only}")
    if rules.eligible_expenses.found:
        labels = [vocab.EXPENSE_LABELS.get(e, e) for e in rules.eligible_expenses.value or []]
        items.append(f"Dépenses éligibles : {' ; '.join(labels)}")
    if rules.ineligible_expenses.found:
        labels = [vocab.EXPENSE_LABELS.get(e, e) for e in rules.ineligible_expenses.value or []]
        items.append(f"Dépenses non éligibles : {' ; '.join(labels)}")
    if rules.min_eligible_cost_eur.value is not None:
        items.append(
            f"Coût éligible minimal du projet : {euros(rules.min_eligible_cost_eur.value)}"
        )
    return "\n".join(f"• {item}" for item in items)


def _contacts(contacts: Iterable[Contact]) -> str:
    """Each contact as "name, email, phone"; several contacts separated by " ; "."""
    return " ; ".join(text for text in (_contact_text(c) for c in contacts) if text)


def _contact_text(contact: Contact) -> str:
    return ", ".join(_one_line(p) for p in (contact.name, contact.email, contact.phone) if p)


# --------------------------------------------------------------------------- formatting


def _one_line(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _folded(text: str) -> str:
    """Lowercase, accents removed, typographic apostrophes made straight."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _join(values: Iterable[str | None], separator: str = SEPARATOR) -> str:
    """A multi-valued cell: values separated by `separator`, duplicates dropped. A "|"
    inside a value becomes "/", a "," or ";" becomes " - ", so that the cell still splits
    into the values it was made of."""
    cleaned = [_without_separator(_one_line(v), separator) for v in values if v and v.strip()]
    return separator.join(dict.fromkeys(cleaned))


def _without_separator(text: str, separator: str) -> str:
    if separator == SEPARATOR:
        return text.replace(SEPARATOR, "/")
    return re.sub(rf"\s*{re.escape(separator)}\s*", " - ", text)


def _fit(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _url(url: str | None) -> str:
    url = (url or "").strip()
    return url if _is_http_url(url) else ""


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _number_text(value: Decimal) -> str:
    """A decimal as the schema's number: "." as decimal separator, no exponent, no
    trailing zeros (Decimal("80.0") → "80")."""
    return format(value.normalize(), "f")


def _datetime_text(value: datetime | None) -> str:
    """ISO 8601 with its offset; a naive time is read as Paris time; UTC is written "Z"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date_text(value: date | None) -> str:
    """An opening day as the start of that day, Paris time (0.2.0 wants a date-time)."""
    if value is None:
        return ""
    return _datetime_text(datetime.combine(value, time(0, 0), tzinfo=PARIS))


def _date_002(value: date | datetime | None) -> str:
    """A date as 0.0.2 wants it (AAAA-MM-JJ). A deadline keeps the day of the time zone it
    was given in (a Guadeloupe deadline stays on its Guadeloupe day), except a UTC time,
    which is read in Paris time; a naive time is already Paris time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.utcoffset() is not None and not value.utcoffset():
            value = value.astimezone(PARIS)
        value = value.date()
    return value.isoformat()


def _french_datetime(value: datetime) -> str:
    """'28/07/2023 à 23h59', in the time zone the deadline was given in; a zone other than
    Paris time is named ('28/07/2023 à 23h59 (UTC-04:00)'); a naive time is Paris time and
    a UTC time is shown in Paris time."""
    offset = value.utcoffset()
    if offset is not None and not offset:
        value = value.astimezone(PARIS)
    text = value.strftime("%d/%m/%Y à %Hh%M")
    offset = value.utcoffset()
    if offset is not None and offset != value.astimezone(PARIS).utcoffset():
        sign = "-" if offset.total_seconds() < 0 else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        text += f" (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"
    return text


# --------------------------------------------------------------------------- validation


def validate_row(row: Mapping[str, object], schema: str = DEFAULT_SCHEMA) -> list[str]:
    """Every way `row` breaks the schema, as French messages naming the column ([] if valid).

    Checks the columns (none missing, none unknown), then for each value: required, type
    and format (number and its bounds, boolean, date, date-time, uuid, uri), allowed values
    and their separator, pattern and length.
    """
    key = schema_key(schema)
    fields = _fields(key)
    errors = [f"Colonne « {name} » absente." for name in fields if name not in row]
    errors += [
        f"Colonne « {name} » inconnue du schéma dispositif-aide {schema_version(key)}."
        for name in row
        if name not in fields
    ]
    hints = _PATTERN_HINTS.get(key, {})
    for name, field in fields.items():
        if name in row:
            errors += _field_errors(name, field, row[name], hints.get(name))
    return errors


def validate_rows(rows: Iterable[Mapping[str, object]], schema: str = DEFAULT_SCHEMA) -> list[str]:
    """`validate_row` on each row (messages prefixed with the line number, header excluded)
    plus the schema's uniqueness constraints across rows."""
    key = schema_key(schema)
    errors: list[str] = []
    seen: dict[str, dict[str, int]] = {}
    unique = [n for n, f in _fields(key).items() if f.get("constraints", {}).get("unique")]
    for number, row in enumerate(rows, start=1):
        errors += [f"Ligne {number} : {message}" for message in validate_row(row, key)]
        for name in unique:
            value = row.get(name)
            if not isinstance(value, str) or not value:
                continue
            first = seen.setdefault(name, {}).setdefault(value, number)
            if first != number:
                errors.append(
                    f"Ligne {number} : colonne « {name} » : valeur « {value} » déjà utilisée "
                    f"ligne {first} (valeur unique exigée)."
                )
    return errors


def _field_errors(
    name: str, field: Mapping[str, Any], value: object, hint: str | None = None
) -> list[str]:
    where = f"Colonne « {name} »"
    if value is None:
        value = ""
    if not isinstance(value, str):
        return [f"{where} : valeur de type {type(value).__name__} au lieu d'un texte."]
    constraints = field.get("constraints", {})
    if value == "":
        return [f"{where} : valeur obligatoire manquante."] if constraints.get("required") else []

    shown = _shown(value)
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    if kind == "datetime" and not _is_iso_datetime(value):
        return [
            f"{where} : « {shown} » n'est pas une date et heure ISO 8601 "
            "(ex. 2025-10-15T15:00:00Z ou 2025-10-15T15:00:00+02:00)."
        ]
    if kind == "date" and not _is_date(value, fmt):
        return [f"{where} : « {shown} » n'est pas une date au format AAAA-MM-JJ."]
    if kind == "integer" and not re.fullmatch(r"[+-]?\d+", value):
        return [f"{where} : « {shown} » n'est pas un nombre entier."]
    if kind == "number":
        if not _NUMBER.fullmatch(value):
            return [f"{where} : « {shown} » n'est pas un nombre (séparateur décimal « . »)."]
        bounds = _bound_errors(Decimal(value), constraints)
        if bounds:
            return [f"{where} : {shown} {bounds}."]
    if kind == "boolean":
        true_values = field.get("trueValues", _TRUE_VALUES)
        false_values = field.get("falseValues", _FALSE_VALUES)
        if value not in (*true_values, *false_values):
            return [
                f"{where} : « {shown} » n'est pas une valeur oui/non "
                f"(valeurs possibles : {', '.join((*true_values, *false_values))})."
            ]
    if fmt == "uuid" and not _is_uuid(value):
        return [f"{where} : « {shown} » n'est pas un identifiant UUID valide."]
    if fmt == "uri" and not _is_http_url(value):
        return [f"{where} : « {shown} » n'est pas une URL valide (http:// ou https://)."]

    errors: list[str] = []
    allowed = field.get("x_allowed_values") or constraints.get("enum")
    separator = field.get("x_separator") if field.get("x_allowed_values") else None
    if allowed:
        bad = [item for item, ok in _listed_items(value, allowed, separator) if not ok]
        if bad:
            label = field.get("x_separator_label", f"« {separator} »")
            errors.append(
                f"{where} : valeur(s) non autorisée(s) {', '.join(f'« {_shown(b)} »' for b in bad)}"
                f" (valeurs possibles : {', '.join(allowed)}"
                + (f", séparées par {label}" if separator else "")
                + ")."
            )
    for pattern in (constraints.get("pattern"), field.get("pattern")):
        if pattern and not errors and not re.fullmatch(pattern, value):
            errors.append(
                f"{where} : « {shown} » ne respecte pas le format attendu "
                f"({hint or f'motif {pattern}'})."
            )
    max_length = constraints.get("maxLength")
    if max_length is not None and len(value) > max_length:
        errors.append(f"{where} : {len(value)} caractères, {max_length} au plus.")
    min_length = constraints.get("minLength")
    if min_length is not None and len(value) < min_length:
        errors.append(f"{where} : {len(value)} caractères, {min_length} au moins.")
    return errors


def _listed_items(
    value: str, allowed: Sequence[str], separator: str | None
) -> list[tuple[str, bool]]:
    """`value` cut into its items, each with whether it is allowed. An allowed value may
    itself hold the separator ("Entreprises publiques locales (Sem, Spl, SemOp)"): at each
    position the longest allowed value followed by the separator (or the end) is taken."""
    if not separator:
        return [(value, value in allowed)]
    candidates = sorted(allowed, key=len, reverse=True)
    items: list[tuple[str, bool]] = []
    start = 0
    while True:
        for candidate in candidates:
            end = start + len(candidate)
            if value.startswith(candidate, start) and (
                end == len(value) or value.startswith(separator, end)
            ):
                items.append((candidate, True))
                break
        else:
            end = value.find(separator, start)
            end = len(value) if end < 0 else end
            items.append((value[start:end], False))
        if end >= len(value):
            return items
        start = end + len(separator)


def _bound_errors(number: Decimal, constraints: Mapping[str, Any]) -> str:
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if low is not None and number < Decimal(str(low)):
        return f"est inférieur au minimum {low}" + (
            f" (attendu : {low} à {high})" if high is not None else ""
        )
    if high is not None and number > Decimal(str(high)):
        return f"dépasse le maximum {high}" + (
            f" (attendu : {low} à {high})" if low is not None else ""
        )
    return ""


def _shown(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_iso_datetime(value: str) -> bool:
    if not _ISO_DATETIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_date(value: str, fmt: str = "default") -> bool:
    """An ISO date AAAA-MM-JJ (Table Schema's default, and 0.0.2's "%Y-%m-%d")."""
    if fmt not in ("default", "%Y-%m-%d", "any"):
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            return False
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- CSV


def csv_text(rows: Iterable[Mapping[str, object]], schema: str = DEFAULT_SCHEMA) -> str:
    """`rows` as the schema's CSV text: comma-separated, a header of every column in the
    schema's order, "\\n" line ends, an empty cell for a missing or None value. ValueError
    (French, naming the row and columns) for a column the schema does not have."""
    names = columns(schema)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=names, restval="", lineterminator="\n")
    writer.writeheader()
    for number, row in enumerate(rows, start=1):
        unknown = [name for name in row if name not in names]
        if unknown:
            raise ValueError(
                f"Ligne {number} : colonne(s) inconnue(s) du schéma dispositif-aide "
                f"{schema_version(schema)} : " + ", ".join(unknown)
            )
        writer.writerow({name: _cell(row.get(name)) for name in names})
    return buffer.getvalue()


def write_csv(
    rows: Iterable[Mapping[str, object]],
    path: str | os.PathLike[str],
    schema: str = DEFAULT_SCHEMA,
) -> Path:
    """Write `rows` as the schema's CSV (UTF-8 without BOM, see `csv_text`) to `path`.

    The text is built first (a bad row leaves any previous file untouched), then written
    by `pipeline.files.atomic_write_text`: whole or not at all, parent folder created,
    permissions of an existing file kept; `pipeline.files.OutputError` (French message)
    when the file cannot be written, e.g. `path` is a folder."""
    target = Path(path)
    atomic_write_text(target, csv_text(rows, schema), newline="")
    return target


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
