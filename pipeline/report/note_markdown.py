"""The pre-filled instruction note as Markdown (`note-instruction.md`): the same blocks
as the Word note, for reading in a browser, a diff or a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.files import atomic_write_text
from pipeline.models import CallRules, CheckResult
from pipeline.report.markdown_render import render_markdown
from pipeline.report.note_content import build_note

if TYPE_CHECKING:
    from pipeline.corrections import Correction


def note_markdown(
    result: CheckResult, rules: CallRules, corrections: Sequence[Correction], *, on: date
) -> str:
    """The note as Markdown text."""
    return render_markdown(build_note(result, rules, corrections, on=on))


def write_note_markdown(
    result: CheckResult,
    rules: CallRules,
    corrections: Sequence[Correction],
    path: Path,
    *,
    on: date,
) -> Path:
    """Write the note to `path` atomically; returns `path`."""
    atomic_write_text(Path(path), note_markdown(result, rules, corrections, on=on))
    return Path(path)
