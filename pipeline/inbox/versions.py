"""Successive notes of one dossier: the latest is always `note-instruction.docx`; the one it
replaces is kept as `note-instruction-v1.docx`, `-v2`… (and so are its Markdown twin, its
JSON result and its letter asking for pieces), and the new note says what changed since.

What changed is said in French, in one paragraph handed to the note as the first of its
reserves (`CheckResult.warnings`, rendered under "Réserves sur la lecture du dossier"):
pieces added or removed, the summary (completeness, eligibility, proposed aid, missing
pieces), every check whose status moved, and whether the rules or the corrections changed.
It is computed here from the two results, never by the report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pipeline.inbox.fingerprint import NO_CORRECTIONS, Fingerprint
from pipeline.render import STATUS_LABELS, euros
from pipeline.report import LETTER_DOCX, NOTE_DOCX, NOTE_MARKDOWN, RESULT_JSON
from pipeline.vocab import PIECE_LABELS

REPORT_FILES = (NOTE_DOCX, NOTE_MARKDOWN, RESULT_JSON, LETTER_DOCX)

_ELIGIBLE = {"yes": "oui", "no": "non", "review": "à examiner"}


def versioned_name(name: str, version: int) -> str:
    """ "note-instruction.docx", 2 → "note-instruction-v2.docx"."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-v{version}.{suffix}" if dot else f"{name}-v{version}"


def set_aside(out_dir: Path, previous_version: int | None) -> list[Path]:
    """Rename the current reports of `out_dir` to their `-v<previous_version>` names before
    a new note is written. Safe to repeat after a kill: a file whose versioned name already
    exists is the unrecorded output of the killed run, and is simply overwritten later.
    With no previous version (never checked), nothing is renamed."""
    if previous_version is None or not out_dir.is_dir():
        return []
    moved = []
    for name in REPORT_FILES:
        current = out_dir / name
        target = out_dir / versioned_name(name, previous_version)
        if current.is_file() and not target.exists():
            os.replace(current, target)
            moved.append(target)
    return moved


def describe_changes(
    previous_json: str,
    current_json: str,
    *,
    previous_version: int,
    previous_on: dt.date | None,
    previous_fingerprint: str | None,
    fingerprint: Fingerprint,
    previous_rules_version: int | None,
    rules_version: int,
) -> str:
    """One French paragraph: what this note changes with respect to the previous one."""
    before, after = _load(previous_json), _load(current_json)
    changes = (
        _pieces(before, after)
        + _summary(before.get("summary") or {}, after.get("summary") or {})
        + _findings(before, after)
        + _inputs(previous_fingerprint, fingerprint, previous_rules_version, rules_version)
    )
    when = f" du {previous_on.strftime('%d/%m/%Y')}" if previous_on else ""
    head = (
        f"Nouvelle version de la note (v{previous_version + 1}), qui remplace la "
        f"v{previous_version}{when} (conservée sous « {versioned_name(NOTE_DOCX, previous_version)} »)"
    )
    if not changes:
        return f"{head} : aucun changement dans le résultat des vérifications."
    return f"{head}. Ce qui a changé : " + " ; ".join(changes) + "."


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _names(result: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in result.get("documents") or []:
        if isinstance(entry, dict) and entry.get("name"):
            out.setdefault(str(entry["name"]), str(entry.get("piece") or "autre"))
    return out


def _pieces(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    old, new = _names(before), _names(after)
    added = [f"« {n} » — {_piece(new[n])}" for n in new if n not in old]
    removed = [f"« {n} »" for n in old if n not in new]
    out = []
    if added:
        out.append(("pièce ajoutée " if len(added) == 1 else "pièces ajoutées ") + ", ".join(added))
    if removed:
        out.append(
            ("pièce retirée " if len(removed) == 1 else "pièces retirées ") + ", ".join(removed)
        )
    return out


def _summary(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    if old.get("complete") != new.get("complete"):
        out.append(
            f"complétude : {_complete(old.get('complete'))} → {_complete(new.get('complete'))}"
        )
    if old.get("eligible") != new.get("eligible"):
        out.append(
            f"éligibilité : {_ELIGIBLE.get(old.get('eligible'), '—')} → "
            f"{_ELIGIBLE.get(new.get('eligible'), '—')}"
        )
    if _money(old.get("proposed_aid_eur")) != _money(new.get("proposed_aid_eur")):
        out.append(
            f"aide proposée : {_money_text(old.get('proposed_aid_eur'))} → "
            f"{_money_text(new.get('proposed_aid_eur'))}"
        )
    old_missing, new_missing = old.get("missing_pieces") or [], new.get("missing_pieces") or []
    supplied = [p for p in old_missing if p not in new_missing]
    now_missing = [p for p in new_missing if p not in old_missing]
    if supplied:
        out.append("ne manque plus : " + ", ".join(_piece(p) for p in supplied))
    if now_missing:
        out.append("manque désormais : " + ", ".join(_piece(p) for p in now_missing))
    return out


def _piece(code: str) -> str:
    return PIECE_LABELS.get(code, code)  # type: ignore[call-overload]


def _complete(value: object) -> str:
    return {True: "complet", False: "incomplet"}.get(value, "—")  # type: ignore[call-overload]


def _money(value: object) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _money_text(value: object) -> str:
    amount = _money(value)
    return "aucune" if amount is None else euros(amount)


def _statuses(result: dict[str, Any]) -> dict[str, str]:
    return {
        str(f["check"]): str(f.get("status"))
        for f in result.get("findings") or []
        if isinstance(f, dict) and f.get("check")
    }


def _findings(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    old, new = _statuses(before), _statuses(after)
    out = []
    for code in sorted(set(old) | set(new)):
        if old.get(code) != new.get(code):
            out.append(f"{code} : {_status(old.get(code))} → {_status(new.get(code))}")
    return out


def _status(value: str | None) -> str:
    return "—" if value is None else STATUS_LABELS.get(value, value).lower()


def _inputs(
    previous: str | None, current: Fingerprint, old_rules: int | None, new_rules: int
) -> list[str]:
    out = []
    if old_rules is not None and old_rules != new_rules:
        out.append(f"règles de l'appel mises à jour (version {old_rules} → {new_rules})")
    before = Fingerprint.parse(previous)
    if before is not None and before.corrections != current.corrections:
        if before.corrections == NO_CORRECTIONS:
            out.append("fichier de corrections ajouté")
        elif current.corrections == NO_CORRECTIONS:
            out.append("fichier de corrections retiré")
        else:
            out.append("fichier de corrections modifié")
    return out
