"""Lines → blocks. PDF and plain text have no explicit structure: blocks are inferred
from lines, grouped in reading order into headings, paragraphs, list items (their
nesting depth taken from indentation), table rows and furniture. A PDF line also
carries layout (font size, boldness, vertical gap) that plain text lacks."""

from __future__ import annotations

import re

from pipeline.documents.assemble import BlockKind, _DraftBlock
from pipeline.documents.headings import (
    _MARKDOWN_HEADING,
    _context,
    _continues_heading,
    _heading_level,
)
from pipeline.documents.lines import _LIST_MARKER, _TERMINAL, _Line, _previous


def _blocks_from_lines(lines: list[_Line], size_levels: dict[float, int]) -> list[_DraftBlock]:
    """Group classified lines into blocks in reading order."""
    blocks: list[_DraftBlock] = []
    current: _DraftBlock | None = None
    longest = max((len(line.stripped) for line in lines), default=0)
    following = _following_texts(lines)
    list_number: int | None = None  # number of the last numbered list item ("2.")
    indents: list[float] = []  # indentations of the open list levels
    row_key: tuple[int, int] | None = None  # table row of the previous line
    for index, line in enumerate(lines):
        text = line.stripped
        if not text:
            current = None
            continue
        if line.in_table is not None and line.in_table == row_key:
            blocks[-1].end = line.end  # another line of the same table row (wrapped cells)
            continue
        row_key = line.in_table
        if line.furniture or line.in_table is not None:
            kind: BlockKind = "furniture" if line.furniture else "table_row"
            blocks.append(_DraftBlock(kind, line.start, line.end, line.page))
            current = None
            continue
        if current is not None and _continues_heading(current, line, size_levels):
            current.end = line.end
            continue
        context = _context(lines, index, size_levels, following[index])
        number = _leading_number(text)
        level = _heading_level(line, context)
        if level is not None and not (number and list_number and number == list_number + 1):
            # A markdown heading's block is its title, without the "#" markup.
            markup = _MARKDOWN_HEADING.match(line.text)
            start = line.start + (markup.end() - 1 if markup else 0)
            current = _DraftBlock("heading", start, line.end, line.page, level)
            blocks.append(current)
            list_number, indents = None, []
        elif _LIST_MARKER.match(text):
            depth = _list_depth(indents, *_indent(line))
            current = _DraftBlock("list_item", line.start, line.end, line.page, depth)
            blocks.append(current)
            list_number = number or list_number
        elif (
            current is not None
            and current.kind != "heading"
            and not _starts_paragraph(lines, index, longest)
        ):
            current.end = line.end
        else:
            current = _DraftBlock("paragraph", line.start, line.end, line.page)
            blocks.append(current)
            indents = []
    return blocks


def _indent(line: _Line) -> tuple[float, float]:
    """How far right a line starts, and the difference that counts as another level:
    its x in a PDF (2 pt), its leading blanks in a text file (one blank)."""
    if line.left is not None:
        return line.left, 2.0
    expanded = line.text.expandtabs(4)
    return float(len(expanded) - len(expanded.lstrip())), 0.5


def _list_depth(indents: list[float], indent: float, tolerance: float) -> int:
    """Nesting depth of a list item from its indentation, `indents` being the stack of
    the open levels' indentations (updated in place)."""
    while indents and indent < indents[-1] - tolerance:
        indents.pop()
    if not indents or indent > indents[-1] + tolerance:
        indents.append(indent)
    return len(indents)


def _leading_number(text: str) -> int | None:
    """The number opening a numbered line ("3. Projets…" -> 3): the item following
    "2." of a numbered list stays a list item even when it looks like a title."""
    match = re.match(r"\d{1,2}(?=[.)-]\s)", text)
    return int(match.group()) if match else None


def _following_texts(lines: list[_Line]) -> list[str]:
    """For each line, the text of the next non-blank line (computed once: O(n))."""
    result = [""] * len(lines)
    upcoming = ""
    for index in range(len(lines) - 1, -1, -1):
        result[index] = upcoming
        if lines[index].stripped:
            upcoming = lines[index].stripped
    return result


def _starts_paragraph(lines: list[_Line], index: int, longest: int) -> bool:
    """Whether `lines[index]` opens a new paragraph rather than continuing the open one."""
    line = lines[index]
    prev = _previous(lines, index)
    if prev is None or line.break_before or prev.furniture or prev.in_table is not None:
        return True
    if line.stripped[0].islower():
        return False  # a French sentence or item does not start with a small letter
    # A sentence ending on a line clearly shorter than the longest ends its paragraph
    # (a line that ends a sentence at the right margin is just wrapped text).
    prev_text = prev.stripped
    return prev_text[-1] in _TERMINAL and len(prev_text) < 0.85 * longest
