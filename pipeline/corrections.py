"""The instructeur's corrections of facts read wrongly (DESIGN §6, issue 4).

A `corrections.yaml` (or `.yml`, `.json`) in the dossier folder, or a file given with
`--corrections`, maps a fact key to its right value, written bare:

    beneficiary_type: ccas
    submitted_on: 2023-07-18
    requested_aid_eur: 20000
    notes.protection_donnees: {present: true, substantive: true}

Each corrected fact is used with `source: "manual"`; the value that was read, with its
evidence, is kept in a `Correction` so that the note can list every value corrected by
hand next to what the dossier said. `null` is a correction too: "the value read is wrong
and the dossier gives none". The file is never read as a piece of the dossier.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pipeline.models import Contract, DossierFacts, Notes, Sourced

CORRECTION_FILES = ("corrections.yaml", "corrections.yml", "corrections.json")
NOTE_KEYS = tuple(f"notes.{name}" for name in Notes.model_fields)
FACT_KEYS = tuple(name for name in DossierFacts.model_fields if name != "notes") + NOTE_KEYS

# Identifiers written as numbers in YAML lose nothing but leading zeros: their length tells.
_DIGIT_LENGTHS = {"siret": (14,), "siren": (9,), "postcode": (5,), "commune_insee": (5,)}

_EXPECTED = {
    "decimal_parsing": "un nombre (par exemple 20000 ou 20000.50)",
    "decimal_type": "un nombre (par exemple 20000 ou 20000.50)",
    "greater_than_equal": "un nombre positif ou nul",
    "less_than_equal": "un taux entre 0 et 1 (0.8 pour 80 %)",
    "date_parsing": "une date AAAA-MM-JJ (par exemple 2023-07-18)",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ (par exemple 2023-07-18)",
    "date_type": "une date AAAA-MM-JJ (par exemple 2023-07-18)",
    "string_type": "un texte",
    "bool_type": "true ou false",
    "bool_parsing": "true ou false",
    "list_type": "une liste",
    "dict_type": "un objet (des clés et des valeurs)",
    "model_type": "un objet (des clés et des valeurs)",
    "missing": "un objet complet (une clé obligatoire manque)",
    "extra_forbidden": "un objet sans clé inconnue",
}


class CorrectionsError(Exception):
    """A corrections file that cannot be used: French message naming the file, the key
    and what is expected."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class Correction(Contract):
    """One fact corrected by hand: the value that was read (with its evidence) and the
    value the instructeur gave."""

    key: str
    read: Sourced[Any]
    corrected: Any = None


# --------------------------------------------------------------------------- finding the file


def find_corrections(dossier_path: Path) -> Path | None:
    """The corrections file at the top of a dossier folder (name case ignored), if any.
    A zip or a single PDF given as the dossier has none (corrections sit beside the
    pieces, in a folder). Two such files at once is an error: which one wins is not
    guessed."""
    if not dossier_path.is_dir():
        return None
    found = sorted(
        p for p in dossier_path.iterdir() if p.is_file() and p.name.lower() in CORRECTION_FILES
    )
    if len(found) > 1:
        names = ", ".join(f"« {p.name} »" for p in found)
        raise CorrectionsError(
            found[0],
            f"Le dossier « {dossier_path} » contient plusieurs fichiers de corrections ({names}) : "
            "gardez-en un seul.",
        )
    return found[0] if found else None


# --------------------------------------------------------------------------- loading


def load_corrections(path: Path) -> dict[str, Any]:
    """The corrections of `path` (YAML or JSON), validated: fact key → value of the
    field's type (dates as `date`, amounts as `Decimal`, lists and objects as models)."""
    raw = _read(path)
    if not isinstance(raw, dict):
        raise CorrectionsError(
            path,
            f"Le fichier de corrections « {path} » doit contenir des paires « clé : valeur » "
            "(par exemple « beneficiary_type: ccas »).",
        )
    return {str(key): _validated(path, str(key), value) for key, value in raw.items()}


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorrectionsError(
            path, f"Le fichier de corrections « {path} » n'existe pas."
        ) from None
    except UnicodeDecodeError:
        raise CorrectionsError(
            path, f"Le fichier de corrections « {path} » n'est pas un texte UTF-8."
        ) from None
    except OSError as exc:
        raise CorrectionsError(
            path,
            f"Le fichier de corrections « {path} » ne peut pas être lu : {exc.strerror or exc}.",
        ) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CorrectionsError(
                path,
                f"Le fichier de corrections « {path} » n'est pas un JSON valide (ligne "
                f"{exc.lineno}, colonne {exc.colno} : {exc.msg}).",
            ) from None
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})"
        raise CorrectionsError(
            path, f"Le fichier de corrections « {path} » n'est pas un YAML valide{where}."
        ) from None


def _field_type(key: str) -> Any:
    if key.startswith("notes."):
        return Notes.model_fields[key.removeprefix("notes.")].annotation
    return DossierFacts.model_fields[key].annotation


def _validated(path: Path, key: str, value: Any) -> Any:
    if key not in FACT_KEYS:
        raise CorrectionsError(
            path,
            f"Le fichier de corrections « {path} » : la clé « {key} » n'est pas un fait du "
            f"dossier. Clés possibles : {', '.join(FACT_KEYS)}.",
        )
    if value is None:
        return None
    value = _as_text_if_identifier(path, key, value)
    if isinstance(value, float):
        # YAML floats: through their shortest text, so that 20000.1 stays 20000.1.
        value = Decimal(repr(value))
    field_type = _field_type(key)
    try:
        field = field_type.model_validate(
            {"value": value, "evidence": [], "confidence": None, "source": "manual"}
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"] if p != "value")
        expected = _EXPECTED.get(error["type"], str(error.get("msg", "")))
        if error["type"] == "literal_error":
            expected = f"l'une des valeurs {error.get('ctx', {}).get('expected', '')}"
        raise CorrectionsError(
            path,
            f"Le fichier de corrections « {path} » : valeur invalide pour « {key} »"
            + (f" ({where})" if where else "")
            + f" : {value!r} ; attendu : {expected}.",
        ) from None
    return field.value


def _as_text_if_identifier(path: Path, key: str, value: Any) -> Any:
    """A SIRET or a postcode typed without quotes is read by YAML as a number."""
    if key not in _DIGIT_LENGTHS and key not in ("departement_code", "rna", "iban"):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    text = str(value)
    lengths = _DIGIT_LENGTHS.get(key)
    if lengths is not None and len(text) not in lengths:
        raise CorrectionsError(
            path,
            f"Le fichier de corrections « {path} » : « {key} » lu comme le nombre {text} "
            f"({len(text)} chiffres au lieu de {lengths[0]}) ; écrivez la valeur entre "
            'guillemets, par exemple "01234".',
        )
    if key == "departement_code" and len(text) < 2:
        raise CorrectionsError(
            path,
            f"Le fichier de corrections « {path} » : « departement_code » lu comme le nombre "
            f'{text} ; écrivez le code entre guillemets, par exemple "01".',
        )
    return text


# --------------------------------------------------------------------------- applying


def apply_corrections(
    facts: DossierFacts, corrections: dict[str, Any]
) -> tuple[DossierFacts, list[Correction]]:
    """`facts` with each corrected field replaced by the manual value, and the record of
    what was read for each (values in their JSON form, as the note shows them). Keys and
    values are those of `load_corrections`; an unknown key raises `KeyError`."""
    fact_updates: dict[str, Any] = {}
    note_updates: dict[str, Any] = {}
    record: list[Correction] = []
    for key, value in corrections.items():
        if key not in FACT_KEYS:
            raise KeyError(key)
        corrected = _field_type(key).model_validate(
            {"value": value, "evidence": [], "confidence": None, "source": "manual"}
        )
        if key.startswith("notes."):
            name = key.removeprefix("notes.")
            read = getattr(facts.notes, name)
            note_updates[name] = corrected
        else:
            read = getattr(facts, key)
            fact_updates[key] = corrected
        record.append(
            Correction(
                key=key,
                read=Sourced[Any].model_validate(read.model_dump(mode="json")),
                corrected=corrected.model_dump(mode="json")["value"],
            )
        )
    if note_updates:
        fact_updates["notes"] = facts.notes.model_copy(update=note_updates)
    return facts.model_copy(update=fact_updates), record
