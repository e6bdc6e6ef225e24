"""A piece of a dossier as the fact extractors see it: one document read once, or one
page range of a merged PDF, with the piece code it was recognised as."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from pipeline.models import Block, Document, Evidence, Table


@dataclass(frozen=True, eq=False)  # identity: pieces are cache keys
class PieceView:
    """Pages `first_page`..`last_page` (1-based, inclusive) of `document`, recognised as
    `piece` (a code of `vocab.Piece`) with `confidence` and a French `reason`.

    `document.name` is the display name used in evidence: the path relative to the
    dossier (a merged PDF's pieces share their file's name and differ by pages)."""

    document: Document
    first_page: int
    last_page: int
    piece: str = "autre"
    confidence: float = 0.0
    reason: str = ""

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def pages_label(self) -> str:
        """ "3" or "4-6", as in `DocumentEntry.pages`."""
        if self.first_page == self.last_page:
            return str(self.first_page)
        return f"{self.first_page}-{self.last_page}"

    @cached_property
    def start(self) -> int:
        """Offset of the range's first character in `document.text`."""
        pages = [p for p in self.document.pages if p.number == self.first_page]
        return pages[0].start if pages else 0

    @cached_property
    def end(self) -> int:
        pages = [p for p in self.document.pages if p.number == self.last_page]
        return pages[0].end if pages else len(self.document.text)

    @property
    def text(self) -> str:
        """The range's text; offsets in it are relative to `start`."""
        return self.document.text[self.start : self.end]

    @property
    def is_whole_document(self) -> bool:
        return self.first_page == 1 and self.last_page >= len(self.document.pages)

    def lines(self, limit: int | None = None) -> list[tuple[int, int]]:
        """Document spans of the range's lines (the first `limit` characters only, when
        given), empty lines included, in order."""
        end = self.end if limit is None else min(self.end, self.start + limit)
        spans = []
        position = self.start
        for line in self.document.text[self.start : end].split("\n"):
            spans.append((position, position + len(line)))
            position += len(line) + 1
        return spans

    def blocks(self) -> list[Block]:
        """The range's blocks (document blocks are in text order: found by bisection, so a
        500-page merged PDF does not scan every block for every page)."""
        blocks = self.document.blocks
        first = bisect.bisect_left(blocks, self.start, key=lambda b: b.start)
        last = bisect.bisect_left(blocks, self.end, lo=first, key=lambda b: b.start)
        return blocks[first:last]

    def tables(self) -> list[Table]:
        return [
            t
            for t in self.document.tables
            if t.page is None or self.first_page <= t.page <= self.last_page
        ]

    @property
    def form_fields(self) -> dict[str, str]:
        """AcroForm values belong to the file; they are given to its first piece."""
        return self.document.form_fields if self.first_page == 1 else {}

    def evidence(self, start: int, end: int) -> Evidence:
        """Evidence for [start, end) in DOCUMENT offsets (not range-relative), trimmed of
        surrounding whitespace so the quote is exactly the words it stands for."""
        text = self.document.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return self.document.evidence(start, end)

    def field_evidence(self, field_name: str) -> Evidence:
        """Evidence for a form field value: no offsets (the value is not in the page
        text), the field's name and value as the quote."""
        value = self.document.form_fields.get(field_name, "")
        return Evidence(document=self.name, page=None, quote=f"{field_name} = {value}")
