"""The reviewable rules file of a call: written by `aap call extract -o`, corrected by hand
by the instructeur, read by every later command.

A value the instructeur wrote by hand (a bare value, or `"source": "manual"`) is never
overwritten by a new extraction: re-running the extraction keeps it and says so.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

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
    if isinstance(data, dict) and "call_id" not in data:
        data = {"call_id": path.stem, **data}
    try:
        return CallRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"« {'.'.join(str(p) for p in e['loc'] if p not in ('value',))} » : {e['msg']}"
            for e in exc.errors()[:5]
        )
        raise RulesFileError(
            path,
            f"Le fichier de règles « {path} » contient des valeurs invalides : {problems}.",
            "Corrigez ces valeurs (codes des listes fermées : voir « aap schema call »).",
        ) from None


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
    """Write `rules` to `path` atomically, keeping the manual values already there."""
    kept: list[str] = []
    if path.is_file():
        try:
            previous = load_rules(path)
        except RulesFileError:
            previous = None
        if previous is not None:
            rules, kept = merge_manual(rules, previous)
    atomic_write_text(path, rules.model_dump_json(indent=2) + "\n")
    return rules, kept


def atomic_write_text(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename: a reader never
    sees half a file, and a crash leaves the previous version intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
