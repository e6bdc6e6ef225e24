"""A small document model shared by the DOCX and Markdown renderers.

The note is built once as a list of blocks (headings, paragraphs, tables, boxes); each
renderer only lays them out. That is what keeps `note-instruction.docx` and
`note-instruction.md` saying exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ParaStyle = Literal[
    "body",  # ordinary text
    "source",  # a citation: 'Source : plan.pdf, p. 2' (small, italic)
    "bullet",  # an item of a bulleted list
    "number",  # an item of a numbered list
    "fill",  # a line for the instructeur to fill by hand
    "address",  # the recipient's address block of a letter (indented to the right)
    "right",  # right-aligned (the date of a letter)
]


@dataclass(frozen=True)
class Run:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    style: ParaStyle = "body"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Heading:
    """Level 0 is the document title, then Heading 1, Heading 2."""

    text: str
    level: int = 1


Cell = tuple[Para, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths_cm: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Box:
    """A short framed note (e.g. the values corrected by hand)."""

    title: str
    body: tuple[Para, ...]


Block = Heading | Para | Table | Box


@dataclass
class DocModel:
    """A whole document: the running header (call, dossier), a footer label before the
    page number, the document's title for its properties, and its blocks."""

    title: str
    header: str
    footer: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def para(*parts: str | Run, style: ParaStyle = "body") -> Para:
    """A paragraph from strings (plain runs) and runs."""
    return Para(tuple(Run(p) if isinstance(p, str) else p for p in parts if p), style)


def bold(text: str) -> Run:
    return Run(text, bold=True)


def italic(text: str) -> Run:
    return Run(text, italic=True)


def cell(*items: str | Para) -> Cell:
    """A table cell: each string a paragraph; empty strings dropped (an empty cell stays
    empty, to be filled by hand)."""
    return tuple(para(i) if isinstance(i, str) else i for i in items if i)


def table(
    header: tuple[str, ...],
    rows: list[tuple[str | Para | Cell, ...]],
    widths_cm: tuple[float, ...] | None = None,
) -> Table:
    """A table whose cells may be given as strings, paragraphs or cells."""

    def as_cell(value: str | Para | Cell) -> Cell:
        if isinstance(value, tuple):
            return value
        return cell(value)

    return Table(header, tuple(tuple(as_cell(v) for v in row) for row in rows), widths_cm)
