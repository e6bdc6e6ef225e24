"""Reports: render what the checkers decided (DESIGN §2: they compute nothing).

`write_reports` writes, for one checked dossier, the pre-filled instruction note (Word and
Markdown), the check result as JSON and, when the dossier is incomplete, the letter asking
for the missing pieces. Every file is written atomically; nothing is ever written inside
the dossier itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.files import OutputError, atomic_write_text
from pipeline.models import CallRules, CheckResult
from pipeline.report.letter_docx import write_missing_pieces_letter
from pipeline.report.note_docx import write_note_docx
from pipeline.report.note_markdown import write_note_markdown

if TYPE_CHECKING:
    from pipeline.corrections import Correction

NOTE_DOCX = "note-instruction.docx"
NOTE_MARKDOWN = "note-instruction.md"
RESULT_JSON = "resultat.json"
LETTER_DOCX = "demande-pieces.docx"

__all__ = [
    "LETTER_DOCX",
    "NOTE_DOCX",
    "NOTE_MARKDOWN",
    "RESULT_JSON",
    "check_out_dir",
    "write_missing_pieces_letter",
    "write_note_docx",
    "write_note_markdown",
    "write_reports",
]


def write_reports(
    result: CheckResult,
    rules: CallRules,
    corrections: Sequence[Correction],
    out_dir: Path,
    *,
    on: date,
    delay_days: int = 10,
    dossier_path: Path | None = None,
) -> list[Path]:
    """Write the reports of one dossier into `out_dir` and return their paths.

    `corrections` are the values corrected by hand (listed in the note); `on` dates the
    note and the letter; `delay_days` is the letter's response delay in business days.
    `dossier_path` (folder, zip or merged PDF) is given so that `out_dir` can be refused
    when it lies inside the dossier: a dossier is never modified.
    """
    out_dir = Path(out_dir)
    if dossier_path is not None:
        check_out_dir(out_dir, dossier_path)
    written = [
        write_note_docx(result, rules, corrections, out_dir / NOTE_DOCX, on=on),
        write_note_markdown(result, rules, corrections, out_dir / NOTE_MARKDOWN, on=on),
    ]
    atomic_write_text(out_dir / RESULT_JSON, result.model_dump_json(indent=2) + "\n")
    written.append(out_dir / RESULT_JSON)
    if not result.summary.complete:
        written.append(
            write_missing_pieces_letter(
                result, rules, out_dir / LETTER_DOCX, on=on, delay_days=delay_days
            )
        )
    return written


def check_out_dir(out_dir: Path, dossier_path: Path) -> None:
    """Refuse an output folder inside the dossier folder (or the dossier itself)."""
    dossier = Path(dossier_path).resolve()
    target = Path(out_dir).resolve()
    if target == dossier or (dossier.is_dir() and target.is_relative_to(dossier)):
        raise OutputError(
            Path(out_dir),
            f"Le dossier de sortie « {out_dir} » est à l'intérieur du dossier du demandeur "
            f"« {dossier_path} » : les rapports n'y sont jamais écrits, pour ne pas modifier "
            "le dossier.",
            "Choisissez un autre dossier de sortie (--out), par exemple "
            f"« rapports/{dossier.name} ».",
        )
