"""Building the `Document`. Readers write a draft: the raw text, with pages, blocks and
tables in raw (not yet normalised) offsets; `_finish` normalises the raw text once
and carries every offset over to the normalised text. Also the writing of a table as
one "cell | cell" line per row, shared by the DOCX and HTML readers."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.documents.context import _Context
from pipeline.models import Block, Document, Page, SourceKind, Table
from pipeline.text import normalise

BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "furniture"]


@dataclass
class _DraftBlock:
    kind: BlockKind
    start: int  # offsets in the raw (not yet normalised) text
    end: int
    page: int
    level: int | None = None  # heading level, or nesting depth of a list item


@dataclass
class _DraftTable:
    page: int
    rows: list[list[str | None]]
    # Raw offsets of each cell's text when the table is rendered in the text (DOCX, HTML):
    # the cell values are then read back from the normalised text.
    cell_spans: list[list[tuple[int, int] | None]] | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class _Draft:
    """A document being built: the raw text, with pages, blocks and tables in raw offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    pages: list[tuple[int, int, bool]] = field(default_factory=list)  # start, end, has_tables
    blocks: list[_DraftBlock] = field(default_factory=list)
    tables: list[_DraftTable] = field(default_factory=list)
    # Pages read by OCR (1-based number -> mean word confidence, None if no word found).
    ocr_pages: dict[int, float | None] = field(default_factory=dict)

    def write(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def add_line(self, kind: BlockKind, text: str, page: int = 1, level: int | None = None) -> None:
        """Append one block on its own line."""
        if self.length:
            self.write("\n")
        start, end = self.write(text)
        self.blocks.append(_DraftBlock(kind, start, end, page, level))

    @property
    def raw(self) -> str:
        return "".join(self.parts)


def _finish(ctx: _Context, source_kind: SourceKind, draft: _Draft, **extra: Any) -> Document:
    """Normalise the raw text once and carry every raw offset over to the normalised text."""
    text, shifts = normalise(draft.raw)
    to_norm = _offset_mapper(shifts)
    pages = [
        Page(
            number=i,
            start=to_norm(start),
            end=to_norm(end),
            has_tables=has_tables,
            ocr=i in draft.ocr_pages,
            ocr_confidence=draft.ocr_pages.get(i),
        )
        for i, (start, end, has_tables) in enumerate(draft.pages, start=1)
    ]
    blocks = []
    for draft_block in draft.blocks:
        start, end = _trim(text, to_norm(draft_block.start), to_norm(draft_block.end))
        if start < end:
            blocks.append(
                Block(
                    kind=draft_block.kind,
                    level=draft_block.level,
                    page=draft_block.page,
                    start=start,
                    end=end,
                )
            )
    tables = [_finish_table(table, text, to_norm) for table in draft.tables]
    return Document(
        name=ctx.name,
        path=str(ctx.path),
        sha256=ctx.sha256,
        source_kind=source_kind,
        text=text,
        pages=pages,
        blocks=blocks,
        tables=tables,
        offset_shifts=shifts,
        warnings=ctx.warnings,
        **extra,
    )


def _finish_table(table: _DraftTable, text: str, to_norm: Callable[[int], int]) -> Table:
    rows = table.rows
    if table.cell_spans is not None:
        rows = [
            [
                (text[to_norm(span[0]) : to_norm(span[1])].strip() or None) if span else None
                for span in row
            ]
            for row in table.cell_spans
        ]
    start = to_norm(table.start) if table.start is not None else None
    end = to_norm(table.end) if table.end is not None else None
    return Table(page=table.page, rows=rows, start=start, end=end)


def _offset_mapper(shifts: list[tuple[int, int]]) -> Callable[[int], int]:
    """The inverse of `Document.original_offset`: raw offset -> normalised offset.

    A breakpoint (normalised_at, shift) sits at raw offset normalised_at + shift; a raw
    offset takes the shift of the last breakpoint at or before it.
    """
    raw_points = [at + shift for at, shift in shifts]

    def to_norm(raw_offset: int) -> int:
        index = bisect.bisect_right(raw_points, raw_offset) - 1
        return raw_offset - (shifts[index][1] if index >= 0 else 0)

    return to_norm


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _write_table(draft: _Draft, rows: list[list[str | None]]) -> None:
    """Write each row as one table_row block, "cell | cell" (None cells, merged away,
    are skipped), and record the table with the offsets of every cell."""
    spans: list[list[tuple[int, int] | None]] = []
    first_block = len(draft.blocks)
    for cells in rows:
        if not any(cells):
            continue
        if draft.length:
            draft.write("\n")
        row_start = draft.length
        row_spans: list[tuple[int, int] | None] = []
        for cell in cells:
            if cell is None:
                row_spans.append(None)
                continue
            if any(span is not None for span in row_spans):
                draft.write(" | ")
            row_spans.append(draft.write(cell))
        draft.blocks.append(_DraftBlock("table_row", row_start, draft.length, 1))
        spans.append(row_spans)
    if spans:
        start, end = draft.blocks[first_block].start, draft.blocks[-1].end
        draft.tables.append(_DraftTable(page=1, rows=[], cell_spans=spans, start=start, end=end))
