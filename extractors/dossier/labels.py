"""Labelled values of a piece: "Nom de la structure : Commune de Feurs", a label line
followed by its value, a two-column table row "SIRET | 214 200 946 00019", a dotted
leader "Intitulé du projet ........ Tablettes", or a fillable form's field.

Forms are where applicants state who they are, so most identity and project facts are
read from these pairs; matching is done on folded labels (`lexicon.fold`) with patterns
owned by each fact extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.models import Evidence

# A label: a few words, starting with a letter, no sentence punctuation.
_LABEL = r"[^\W\d_][^:\n|.?!]{0,70}?"
_INLINE = re.compile(
    rf"^[ \t\-•*]*(?P<label>{_LABEL})[ \t]*(?:\(s\))?[ \t]*[:：][ \t]*(?P<value>\S[^\n]*)$"
)
_LEADER = re.compile(rf"^[ \t\-•*]*(?P<label>{_LABEL})[ \t]*\.{{4,}}[ \t]*(?P<value>\S[^\n]*)$")
_LABEL_ONLY = re.compile(rf"^[ \t\-•*]*(?P<label>{_LABEL})[ \t]*[:：][ \t]*$")
_PLACEHOLDER = re.compile(r"^[\s._…\-–—]*$")


@dataclass(frozen=True)
class Labelled:
    """One label → value pair; `start`/`end` are the value's document offsets (None for
    a form field, whose value is not in the page text)."""

    label: str  # folded, spaces collapsed, without the final colon
    value: str
    start: int | None
    end: int | None
    origin: str  # "text" | "table" | "form"
    piece: PieceView
    field: str | None = None

    def evidence(self) -> Evidence:
        if self.field is not None:
            return self.piece.field_evidence(self.field)
        assert self.start is not None and self.end is not None
        return self.piece.evidence(self.start, self.end)

    @property
    def empty(self) -> bool:
        return bool(_PLACEHOLDER.match(self.value))


def _clean_label(label: str) -> str:
    return " ".join(fold(label).replace("_", " ").split()).strip(" -•*")


def labelled_values(piece: PieceView) -> list[Labelled]:
    """Every label → value pair of the piece, form fields first (the applicant typed them
    into named fields: the most reliable source), then table rows, then text lines."""
    cached = _CACHE.get(piece)
    if cached is None:
        cached = _CACHE[piece] = _read_pairs(piece)
    return list(cached)


_CACHE: WeakKeyDictionary[PieceView, tuple[Labelled, ...]] = WeakKeyDictionary()


def _read_pairs(piece: PieceView) -> tuple[Labelled, ...]:
    pairs = [
        Labelled(_clean_label(name), value.strip(), None, None, "form", piece, field=name)
        for name, value in piece.form_fields.items()
    ]
    pairs += _table_pairs(piece)
    pairs += _grid_pairs(piece)
    pairs += _line_pairs(piece)
    return tuple(pairs)


def _line_pairs(piece: PieceView) -> list[Labelled]:
    text = piece.document.text
    lines = piece.lines()
    pairs: list[Labelled] = []
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if " | " in line:
            continue  # table rows are read cell by cell
        match = _INLINE.match(line) or _LEADER.match(line)
        if match:
            pairs.append(_pair(piece, match.group("label"), start + match.start("value"), end))
            continue
        alone = _LABEL_ONLY.match(line)
        if alone and index + 1 < len(lines):
            nstart, nend = lines[index + 1]
            following = text[nstart:nend]
            if (
                following.strip()
                and not _INLINE.match(following)
                and not _LABEL_ONLY.match(following)
            ):
                pairs.append(_pair(piece, alone.group("label"), nstart, nend))
    return pairs


def _pair(piece: PieceView, label: str, start: int, end: int) -> Labelled:
    text = piece.document.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Labelled(_clean_label(label), text[start:end], start, end, "text", piece)


def _table_pairs(piece: PieceView) -> list[Labelled]:
    """Rows "label | value" written in the text (DOCX and detected tables): the label is
    the first cell, the value the next non-empty one."""
    text = piece.document.text
    pairs: list[Labelled] = []
    for block in piece.blocks():
        if block.kind != "table_row":
            continue
        row = text[block.start : block.end]
        cells = row.split(" | ")
        if len(cells) < 2:
            continue
        label = cells[0].strip().rstrip(":： ").strip()
        if not label or len(label) > 80 or not label[0].isalpha():
            continue
        offset = block.start + len(cells[0]) + 3
        for cell in cells[1:]:
            if cell.strip():
                pairs.append(_pair(piece, label, offset, offset + len(cell)))
                break
            offset += len(cell) + 3
    return pairs


def _grid_pairs(piece: PieceView) -> list[Labelled]:
    """Rows of PDF tables (ruled or aligned), whose cells are not joined by " | " in the
    text: the label cell and the next non-empty cell, located in the table's text."""
    text = piece.document.text
    pairs: list[Labelled] = []
    for table in piece.tables():
        if table.start is None or table.end is None:
            continue
        if " | " in text[table.start : table.end]:
            continue  # already read from its rows
        position = table.start
        for row in table.rows:
            cells = [c for c in row if c and c.strip()]
            if len(cells) < 2:
                continue
            label = cells[0].strip().rstrip(":： ").strip()
            if not label or len(label) > 80 or not label[0].isalpha():
                continue
            value = " ".join(cells[1].split())
            at = _locate(text, value, position, table.end)
            if at is None:
                continue
            pairs.append(_pair(piece, label, at[0], at[1]))
            position = at[1]
    return pairs


def _locate(text: str, value: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of `value` in text[start:end], line breaks inside a cell allowed."""
    pattern = r"\s+".join(re.escape(word) for word in value.split())
    m = re.compile(pattern).search(text, start, end)
    return (m.start(), m.end()) if m else None


def find_value(
    pieces: list[PieceView], pattern: re.Pattern[str], *, non_empty: bool = True
) -> Labelled | None:
    """The first pair whose folded label matches `pattern` (search), pieces in order."""
    for piece in pieces:
        for pair in labelled_values(piece):
            if pattern.search(pair.label) and (not non_empty or not pair.empty):
                return pair
    return None
