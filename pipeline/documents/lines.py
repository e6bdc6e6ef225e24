"""Lines of a PDF page or a text file, the material the layout rules work on: the
`_Line` record (raw offsets and, for a PDF, the font size, boldness and position of
its first character), the split of a text into line spans, the bullet and list-marker
patterns, the sentence-ending punctuation, and the neighbours of a line on its page."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Bullets; "-" and "*" only when not doubled ("--", markdown "**bold**"), "o" only before
# a space (Word's second-level bullet pasted as text).
_BULLET = r"(?:[•·–—▪▫◦●○■□➢➤►✓✔❖\uf0a7\uf0b7\uf0d8\uf076\uf0fc]|-(?!-)|\*(?!\*)|o(?=\s))"
_LIST_MARKER = re.compile(rf"^\s*(?:{_BULLET}\s*\S|\d{{1,2}}\s*[.)-]\s+\S|[a-z]\)\s+\S)")

_TERMINAL = ".!?:;…"


@dataclass
class _Word:
    """A run of non-blank characters of a positioned line: its horizontal extent in
    points (PDF user space, or pixels scaled to points for an OCR'd image) and its
    offsets relative to the start of its line."""

    x0: float
    x1: float
    start: int
    end: int


@dataclass
class _Line:
    """One line of a PDF page or a text file, in raw offsets."""

    start: int
    end: int
    text: str
    page: int
    size: float | None = None  # font size of its first character (PDF)
    bold: bool = False
    baseline: float | None = None  # PDF user space: grows upwards
    left: float | None = None  # x of the first character (PDF)
    zone: bool = False  # among the top or bottom lines of its page
    # (index of its table in Document.tables, index of the row) for a line inside a table
    in_table: tuple[int, int] | None = None
    break_before: bool = False  # the layout starts a new block here
    furniture: bool = False
    # Positioned words, left to right: only on the pages where text-aligned tables are
    # looked for (PDF pages whose lines show wide gaps, OCR'd pages).
    words: list[_Word] | None = None

    @property
    def stripped(self) -> str:
        return self.text.strip()


def _size_key(size: float | None) -> float | None:
    return round(size * 2) / 2 if size else None


def _previous(lines: list[_Line], index: int) -> _Line | None:
    """The line just before on the same page, or None after a blank line or a page break."""
    if index == 0:
        return None
    prev = lines[index - 1]
    if prev.page != lines[index].page or not prev.stripped:
        return None
    return prev


def _next(lines: list[_Line], index: int) -> _Line | None:
    if index + 1 >= len(lines):
        return None
    nxt = lines[index + 1]
    if nxt.page != lines[index].page or not nxt.stripped:
        return None
    return nxt


_LINE_END = re.compile(r"\r\n|[\r\n\f]")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of `text`, line ends excluded (\r\n, \r, \n or \f)."""
    spans = []
    position = 0
    for match in _LINE_END.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return spans
