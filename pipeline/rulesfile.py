"""The reviewable rules file of a call: written by `aap call extract -o`, corrected by hand
by the instructeur, read by every later command.

A value the instructeur wrote by hand (a bare value, or `"source": "manual"`) is never
overwritten by a new extraction: re-running the extraction keeps it and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pipeline.files import OutputError, atomic_write_text
from pipeline.models import CallRules


class RulesFileError(Exception):
    """A rules file that cannot be used, with a French message and what to do."""

    def __init__(self, path: Path, message: str, hint: str) -> None:
        super().__init__(f"{message} {hint}")
        self.path = path
        self.message = message
        self.hint = hint


def load_rules(path: Path) -> CallRules:
    if not path.is_file():
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » n'existe pas.",
            "Créez-le avec « aap call extract AVIS -o FICHIER.json » ou vérifiez le chemin.",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » ne peut pas être lu : {exc.strerror or exc}.",
            "Vérifiez le chemin et les droits de lecture.",
        ) from None
    except RecursionError:
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » est imbriqué trop profondément pour être lu.",
            "Vérifiez qu'il s'agit bien d'un fichier de règles.",
        ) from None
    except UnicodeDecodeError:
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » n'est pas un texte UTF-8.",
            "Enregistrez-le en UTF-8 (JSON).",
        ) from None
    except json.JSONDecodeError as exc:
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » n'est pas un JSON valide "
            f"(ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}).",
            "Corrigez la syntaxe (virgules, guillemets, accolades) puis relancez.",
        ) from None
    if not isinstance(data, dict):
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » doit contenir un objet JSON (des clés et des valeurs).",
            "Voir « aap schema call » pour sa forme.",
        )
    if "call_id" not in data:
        data = {"call_id": path.stem, **data}
    try:
        return CallRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"« {'.'.join(str(p) for p in e['loc'] if p not in ('value',))} » : {_french(e)}"
            for e in exc.errors()[:5]
        )
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » contient des valeurs invalides : {problems}.",
            "Corrigez ces valeurs (codes des listes fermées : voir « aap schema call »).",
        ) from None


_MESSAGES = {
    "literal_error": "valeur hors de la liste autorisée ({expected})",
    "decimal_parsing": "nombre attendu",
    "decimal_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "int_parsing": "nombre entier attendu",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "datetime_from_date_parsing": "date et heure attendues (AAAA-MM-JJTHH:MM:SS+01:00)",
    "datetime_parsing": "date et heure attendues (AAAA-MM-JJTHH:MM:SS+01:00)",
    "timezone_aware": "date et heure avec leur fuseau attendues (par exemple +02:00)",
    "greater_than_equal": "valeur trop petite (minimum {ge})",
    "less_than_equal": "valeur trop grande (maximum {le})",
    "extra_forbidden": "clé inconnue",
    "missing": "valeur obligatoire manquante",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
}


def _french(error: dict) -> str:  # type: ignore[type-arg]
    """A pydantic error in French (the common kinds), else pydantic's own words."""
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


def merge_manual(extracted: CallRules, previous: CallRules) -> tuple[CallRules, list[str]]:
    """`extracted` with every field the instructeur corrected in `previous` kept."""
    kept: list[str] = []
    updates = {}
    for name in CallRules.field_names():
        field = getattr(previous, name)
        if field.source == "manual":
            updates[name] = field
            kept.append(name)
    return extracted.model_copy(update=updates), kept


def write_rules(rules: CallRules, path: Path) -> tuple[CallRules, list[str]]:
    """Write `rules` to `path` atomically, keeping the manual values already there.

    An existing file that cannot be read, or that holds the rules of another notice, is
    never overwritten: the instructeur's corrections in it would be lost.
    """
    kept: list[str] = []
    if path.exists() and not path.is_dir():
        try:
            previous = load_rules(path)
        except RulesFileError as exc:
            raise RulesFileError(
                path,
                f"Le fichier de règles existant « {path} » ne peut pas être relu ({exc.message}) : "
                "il n'a pas été écrasé, pour ne pas perdre les corrections qu'il contient.",
                "Corrigez-le, ou écrivez les nouvelles règles dans un autre fichier.",
            ) from None
        same_notice = previous.source_sha256 in (None, rules.source_sha256)
        if not same_notice and any(
            getattr(previous, name).source == "manual" for name in CallRules.field_names()
        ):
            raise RulesFileError(
                path,
                f"Le fichier « {path} » contient des corrections faites pour un autre avis "
                f"(« {previous.source_document} ») : il n'a pas été écrasé.",
                "Écrivez les règles de cet avis dans un autre fichier.",
            )
        rules, kept = merge_manual(rules, previous)
    try:
        atomic_write_text(path, rules.model_dump_json(indent=2) + "\n")
    except OutputError as exc:
        raise RulesFileError(path, exc.message, exc.hint) from None
    return rules, kept
