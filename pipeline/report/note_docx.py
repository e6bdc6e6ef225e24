"""The pre-filled instruction note as a Word document (`note-instruction.docx`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.files import atomic_write_bytes
from pipeline.models import CallRules, CheckResult
from pipeline.report.docx_render import render_docx
from pipeline.report.note_content import build_note

if TYPE_CHECKING:
    from pipeline.corrections import Correction


def note_docx_bytes(
    result: CheckResult, rules: CallRules, corrections: Sequence[Correction], *, on: date
) -> bytes:
    """The note as the bytes of a .docx file."""
    return render_docx(build_note(result, rules, corrections, on=on), on=on)


def write_note_docx(
    result: CheckResult,
    rules: CallRules,
    corrections: Sequence[Correction],
    path: Path,
    *,
    on: date,
) -> Path:
    """Write the note to `path` atomically (temporary file, then rename); returns `path`."""
    atomic_write_bytes(Path(path), note_docx_bytes(result, rules, corrections, on=on))
    return Path(path)
