"""Export of call rules as one row of the etalab *schéma dispositif-aide* (DESIGN §3, Export).

The target is the core schema `dispositif-aide` v0.2.0 (etalab, schema.data.gouv.fr), whose
trimmed copy lives in `pipeline/data/dispositif_aide_schema.json`: 15 columns, multi-valued
cells separated by `|`, geography as COG codes (`REG-52|DEP-44`), dates as ISO 8601
date-times, beneficiaries as four broad `cibles`. That version has no column for rates,
amounts, expense types or contacts: they are written, in plain French and only from what
the rules contain, into the `description` and `eligibilite` texts the schema asks for.

Nothing is invented: a value that is not in the rules leaves its cell empty, and
`validate_row` then says which required column is missing.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pipeline import territories, vocab
from pipeline.models import AidRate, CallRules, Contact, Territory
from pipeline.render import euros, percent

SCHEMA_FILE = "dispositif_aide_schema.json"
PARIS = ZoneInfo("Europe/Paris")
SEPARATOR = "|"

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
    "sem_spl": "professionnels",  # sociétés commerciales, outside PUBLIC_BODIES
    "organisme_professionnel": "professionnels",
    "agriculteur": "professionnels",
    "particulier": "particuliers",
}

# A UUID is required in `id`; a call_id that is not one is turned into a stable UUID 5.
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

_LEVEL_LABELS = {
    "region": "région",
    "departement": "département",
    "commune": "commune",
    "epci": "EPCI",
    "national": "France entière",
}

_EXPENSE_TYPE_OF = {"investissement": "d'investissement", "fonctionnement": "de fonctionnement"}

# French hints for pattern errors, by column.
_PATTERN_HINTS = {
    "eligibilite_geographique": "codes COG séparés par « | », ex. REG-84|DEP-01|COM-83141",
    "eligibilite_geographique_exclusions": "codes COG séparés par « | », ex. DEP-01|COM-83141",
    "url_source": "URL commençant par http:// ou https://",
}
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


# --------------------------------------------------------------------------- schema


@cache
def schema() -> dict[str, Any]:
    """The trimmed etalab schema (Table Schema JSON) shipped in `pipeline/data`."""
    text = resources.files("pipeline.data").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def schema_version() -> str:
    """The version of the schema rows are written for, e.g. "v0.2.0"."""
    return str(schema()["version"])


def columns() -> tuple[str, ...]:
    """Every column of the schema, in the schema's order."""
    return tuple(field["name"] for field in schema()["fields"])


def _fields() -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in schema()["fields"]}


# --------------------------------------------------------------------------- rules → row


def to_row(rules: CallRules, *, updated_at: datetime | None = None) -> dict[str, str]:
    """One row of the schema for `rules`: every column, in order, as text ("" when unknown).

    `updated_at` fills `date_mise_a_jour` (the date the data were last updated, which the
    schema requires and fills "automatically"); it defaults to now.
    """
    fields = _fields()
    max_description = fields["description"].get("constraints", {}).get("maxLength")
    row = {
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
        "date_mise_a_jour": _datetime_text(
            updated_at or datetime.now(PARIS).replace(microsecond=0)
        ),
    }
    return {name: row.get(name, "") for name in columns()}


def dispositif_id(call_id: str) -> str:
    """The call_id itself when it is a UUID, else a UUID 5 derived from it (stable)."""
    try:
        return str(uuid.UUID(call_id))
    except ValueError:
        return str(uuid.uuid5(ID_NAMESPACE, call_id))


def cibles(beneficiaries: Iterable[str]) -> list[str]:
    """Our beneficiary codes as the schema's `cibles`, without duplicates, in schema order."""
    wanted = {
        BENEFICIARY_TO_ETALAB[code] for code in beneficiaries if code in BENEFICIARY_TO_ETALAB
    }
    allowed = _fields()["cibles"].get("x_allowed_values", [])
    return [value for value in allowed if value in wanted]


def cog_codes(territory: Territory | None) -> str:
    """The territory as COG codes ("DEP-42", "REG-52", "PAYS-99100"); "" when unknown."""
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


def _porteurs(funder: str | None) -> str:
    """The funder in the schema's notation: [{ nom: '…', roles: [ 'financeur' ]}].

    The SIREN is left out rather than guessed: the rules do not hold it.
    """
    name = _one_line(funder)
    if not name:
        return ""
    quoted = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{{ nom: '{quoted}', roles: [ '{FUNDER_ROLE}' ]}}]"


def _description(rules: CallRules) -> str:
    """Plain-French lines built from the rules' amounts, rates, calendar and contacts."""
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
    rates = rules.aid_rates.value or []
    lines.extend(_rate_line(rate, several=len(rates) > 1) for rate in rates)
    if rules.max_public_aid_rate.value is not None:
        lines.append(
            f"Taux maximal d'aides publiques cumulées : {percent(rules.max_public_aid_rate.value)}."
        )
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
    if rules.selection_criteria.found:
        criteria = " ; ".join(_one_line(c) for c in rules.selection_criteria.value or [])
        lines.append(f"Critères de sélection : {criteria}.")
    contacts = [text for text in (_contact_text(c) for c in rules.contacts.value or []) if text]
    if contacts:
        lines.append(f"Contact : {' ; '.join(contacts)}.")
    return "\n".join(lines)


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
    """The eligibility criteria as the schema asks: one criterion per "• " item."""
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


# --------------------------------------------------------------------------- formatting


def _one_line(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _join(values: Iterable[str | None]) -> str:
    """A multi-valued cell: values separated by "|" (a "|" inside a value becomes "/")."""
    cleaned = [_one_line(v).replace(SEPARATOR, "/") for v in values if v and v.strip()]
    return SEPARATOR.join(dict.fromkeys(cleaned))


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


def _datetime_text(value: datetime | None) -> str:
    """ISO 8601 with its offset; a naive time is read as Paris time; UTC is written "Z"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date_text(value: date | None) -> str:
    """An opening day as the start of that day, Paris time (the schema wants a date-time)."""
    if value is None:
        return ""
    return _datetime_text(datetime.combine(value, time(0, 0), tzinfo=PARIS))


def _french_datetime(value: datetime) -> str:
    """'28/07/2023 à 23h59', Paris time (a naive time is already Paris time)."""
    if value.tzinfo is not None:
        value = value.astimezone(PARIS)
    return value.strftime("%d/%m/%Y à %Hh%M")


def _contact_text(contact: Contact) -> str:
    return ", ".join(_one_line(p) for p in (contact.name, contact.email, contact.phone) if p)


# --------------------------------------------------------------------------- validation


def validate_row(row: Mapping[str, object]) -> list[str]:
    """Every way `row` breaks the schema, as French messages naming the column ([] if valid).

    Checks the columns (none missing, none unknown), then for each value: required, type
    and format (uuid, uri, ISO 8601 date-time), pattern, allowed values and maximum length.
    """
    fields = _fields()
    errors = [f"Colonne « {name} » absente." for name in fields if name not in row]
    errors += [
        f"Colonne « {name} » inconnue du schéma dispositif-aide {schema_version()}."
        for name in row
        if name not in fields
    ]
    for name, field in fields.items():
        if name in row:
            errors += _field_errors(name, field, row[name])
    return errors


def validate_rows(rows: Iterable[Mapping[str, object]]) -> list[str]:
    """`validate_row` on each row (messages prefixed with the line number, header excluded)
    plus the schema's uniqueness constraints across rows."""
    errors: list[str] = []
    seen: dict[str, dict[str, int]] = {}
    unique = [n for n, f in _fields().items() if f.get("constraints", {}).get("unique")]
    for number, row in enumerate(rows, start=1):
        errors += [f"Ligne {number} : {message}" for message in validate_row(row)]
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


def _field_errors(name: str, field: Mapping[str, Any], value: object) -> list[str]:
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
    if kind == "date" and not _is_iso_date(value):
        return [f"{where} : « {shown} » n'est pas une date ISO 8601 (AAAA-MM-JJ)."]
    if kind == "integer" and not re.fullmatch(r"[+-]?\d+", value):
        return [f"{where} : « {shown} » n'est pas un nombre entier."]
    if kind == "number" and not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", value):
        return [f"{where} : « {shown} » n'est pas un nombre (séparateur décimal « . »)."]
    if fmt == "uuid" and not _is_uuid(value):
        return [f"{where} : « {shown} » n'est pas un identifiant UUID valide."]
    if fmt == "uri" and not _is_http_url(value):
        return [f"{where} : « {shown} » n'est pas une URL valide (http:// ou https://)."]

    errors: list[str] = []
    allowed = field.get("x_allowed_values") or constraints.get("enum")
    separator = field.get("x_separator")
    if allowed:
        items = value.split(separator) if separator else [value]
        bad = [item for item in items if item not in allowed]
        if bad:
            errors.append(
                f"{where} : valeur(s) non autorisée(s) {', '.join(f'« {_shown(b)} »' for b in bad)}"
                f" (valeurs possibles : {', '.join(allowed)}"
                + (f", séparées par « {separator} »" if separator else "")
                + ")."
            )
    for pattern in (constraints.get("pattern"), field.get("pattern")):
        if pattern and not errors and not re.fullmatch(pattern, value):
            hint = _PATTERN_HINTS.get(name, f"motif {pattern}")
            errors.append(f"{where} : « {shown} » ne respecte pas le format attendu ({hint}).")
    max_length = constraints.get("maxLength")
    if max_length is not None and len(value) > max_length:
        errors.append(f"{where} : {len(value)} caractères, {max_length} au plus.")
    min_length = constraints.get("minLength")
    if min_length is not None and len(value) < min_length:
        errors.append(f"{where} : {len(value)} caractères, {min_length} au moins.")
    return errors


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


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- CSV


def write_csv(rows: Iterable[Mapping[str, str]], path: str | os.PathLike[str]) -> Path:
    """Write `rows` as the schema's CSV: UTF-8, comma-separated, header of every column in
    the schema's order. The file appears whole or not at all (temporary file + rename)."""
    target = Path(path)
    names = columns()
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=names, restval="", lineterminator="\n")
            writer.writeheader()
            for number, row in enumerate(rows, start=1):
                unknown = [name for name in row if name not in names]
                if unknown:
                    raise ValueError(
                        f"Ligne {number} : colonne(s) inconnue(s) du schéma dispositif-aide : "
                        + ", ".join(unknown)
                    )
                writer.writerow({name: _cell(row.get(name)) for name in names})
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
