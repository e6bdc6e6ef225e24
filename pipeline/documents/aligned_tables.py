"""Tables without ruling lines (or with a rule or two): columns aligned with tab stops,
as financing plans often are. They are found from the positions of the words of each
line, never from the text alone.

A table is a run of consecutive lines whose words leave at least two vertical
"rivers" of whitespace in common: x ranges, at least one font size wide, where no line
of the run has ink. Column boundaries sit in those rivers, so a French amount such as
"12 500,00 €", whose thousands space is a quarter of a font size, is never cut; prose,
even justified, has no such river over three lines, and a two-column page layout has
only one (its gutter).

Rows: a line with words in two columns or more is a row; a line with words in a single
column continues the row above when it reads as the wrapped end of a cell (it starts
with a small letter or a bracket, or the cell above ends on a comma, a hyphen or a
linking word),
and is a row of its own otherwise (a sub-heading of the plan). The first row is the
header when it holds no amount and rows below it do; a second header line without a
label (the "HT" under "Montant") joins it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.documents.lines import _Line, _Word
from pipeline.text import normalise

# A column gap is at least this many font sizes wide (a space is about a quarter of one).
MIN_GAP_EM = 1.0
# A table has at least this many rows with words in two columns or more...
MIN_ROWS = 3
# ...and at least this many column gaps (three columns): a label and its value side by
# side ("Date limite :     15 mars") are a layout, not a table...
MIN_GAPS = 2
# ...unless every row's last cell is an amount: "Dépenses | Montant HT" is the commonest
# financing plan, and a two-column page (prose both sides of one gutter) never is one.
MIN_GAPS_AMOUNTS = 1
# Consecutive lines further apart than this, in font sizes, do not belong to one table.
MAX_PITCH_EM = 3.0
# A line of a PDF is worth positioning word by word when it is this much wider, in font
# sizes per character, than text set normally (prose stays below 0.8).
WIDE_LINE_EM_PER_CHAR = 0.85

_AMOUNT = re.compile(
    r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,2})?(?!\d)"  # 12 500 / 12.500,00
    r"|\d+,\d{2}(?!\d)"  # 800,00
    r"|\d\s*(?:€|EUR\b|euros?\b)",  # 800 €
    re.IGNORECASE,
)
_AMOUNT_CELL = re.compile(
    r"-?\d{1,3}(?:[ .]\d{3})*(?:,\d{1,2})?(?: ?(?:€|EUR|euros?))?(?: (?:HT|TTC))?"
    r"|-?\d+(?:,\d{1,2})?(?: ?(?:€|EUR|euros?))(?: (?:HT|TTC))?",
    re.IGNORECASE,
)
_LINKING_END = re.compile(
    r"(?:[,\-–/(&+]|\b(?:et|ou|de|des|du|d'|à|au|aux|en|pour|par|sur|la|le|les|l'|un|une))$",
    re.IGNORECASE,
)

Interval = tuple[float, float]


@dataclass
class _AlignedTable:
    """A table found from word positions: its rows of cells and, for each row, the
    lines it is made of (a wrapped label gives a row two lines)."""

    page: int
    rows: list[list[str | None]]
    row_lines: list[list[_Line]]

    @property
    def top(self) -> float:
        """Baseline of its first line (y grows upwards)."""
        return self.row_lines[0][0].baseline or 0.0


def _find_aligned_tables(lines: list[_Line]) -> list[_AlignedTable]:
    """The text-aligned tables among positioned lines (lines with `words`), page by page
    in reading order. Lines already inside a (ruled) table or without words are left
    alone and end any run."""
    tables: list[_AlignedTable] = []
    candidates = [line for line in lines if line.stripped]
    index = 0
    while index < len(candidates):
        run = _collect_run(candidates, index)
        found = _tables_of_run(run) if run else []
        if not found:
            index += 1
            continue
        tables.extend(found)
        last = found[-1].row_lines
        index = max(candidates.index(line, index) for row in last for line in row) + 1
    return tables


def _usable(line: _Line) -> bool:
    return bool(line.words) and line.in_table is None and line.baseline is not None


def _em(line: _Line) -> float:
    return line.size or 10.0


def _collect_run(lines: list[_Line], start: int) -> list[_Line] | None:
    """The lines of the run starting at `lines[start]`, or None.

    The first line must itself show two column gaps; each next line is taken while it
    keeps every river open (it may open new ones beyond the run's right edge).
    """
    first = lines[start]
    if not _usable(first):
        return None
    min_gap = MIN_GAP_EM * _em(first)
    ink = _merge(_extents(first))
    rivers = _rivers(ink, min_gap)
    if len(rivers) < MIN_GAPS_AMOUNTS:
        return None
    members = [first]
    for line in lines[start + 1 :]:
        if not _follows(members, line, first):
            break
        new_ink = _merge(ink + _extents(line))
        new_rivers = _rivers(new_ink, min_gap)
        if not _keeps_rivers(rivers, new_rivers):
            break
        members.append(line)
        ink, rivers = new_ink, new_rivers
    return members


def _follows(members: list[_Line], line: _Line, first: _Line) -> bool:
    """`line` can be the next line of the run: same page and font size, just below the
    previous line, or back up beside the last lines (the other cells of a row whose
    label wrapped: pdfium gives them after the label's lines)."""
    prev = members[-1]
    if not _usable(line) or line.page != prev.page:
        return False
    if abs(_em(line) - _em(first)) > 0.3 * _em(first):
        return False
    assert line.baseline is not None and prev.baseline is not None
    recent = [member.baseline or 0.0 for member in members[-3:]]
    if line.baseline < prev.baseline:
        # Measured from the lowest recent line: after a wrapped label and the other
        # cells of its row, the next row is one row below the label's last line.
        return min(recent) - line.baseline <= MAX_PITCH_EM * _em(first)
    return line.baseline <= max(recent) + 0.3 * _em(first)


def _extents(line: _Line) -> list[Interval]:
    return [(word.x0, word.x1) for word in line.words or []]


def _merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted union of intervals (overlapping ones merged)."""
    merged: list[Interval] = []
    for x0, x1 in sorted(intervals):
        if merged and x0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged


def _rivers(ink: list[Interval], min_gap: float) -> list[Interval]:
    """The gaps of at least `min_gap` between the ink intervals, left to right."""
    return [
        (left[1], right[0])
        for left, right in zip(ink, ink[1:], strict=False)
        if right[0] - left[1] >= min_gap
    ]


def _keeps_rivers(old: list[Interval], new: list[Interval]) -> bool:
    """Every river of the run is still open (narrowed at most) after adding a line."""
    return all(any(n0 < o1 and o0 < n1 for n0, n1 in new) for o0, o1 in old)


def _rivers_of(lines: list[_Line]) -> list[Interval]:
    ink = _merge([extent for line in lines for extent in _extents(line)])
    return _rivers(ink, MIN_GAP_EM * _em(lines[0]))


# --------------------------------------------------------------------------- rows


@dataclass
class _Row:
    visuals: list[_Visual]
    cells: list[str | None]
    lines: list[_Line] = field(default_factory=list)


def _tables_of_run(run: list[_Line]) -> list[_AlignedTable]:
    """The tables of a run: its lines grouped into rows, split where a second header
    row starts another table (charges, then resources), each part kept when it has
    enough rows, with its columns placed again from its own lines."""
    tables = []
    for part in _split_at_headers(_group_rows(run, _rivers_of(run))):
        lines = [line for row in part for line in row.lines]
        rivers = _rivers_of(lines)
        if len(rivers) < MIN_GAPS_AMOUNTS:
            continue
        rows = _trim(_group_rows(sorted(lines, key=run.index), rivers))
        if sum(1 for row in rows if _filled(row.cells) >= 2) < MIN_ROWS:
            continue
        if len(rivers) < MIN_GAPS and not _amounts_column(rows):
            continue
        _merge_header_lines(rows)
        tables.append(
            _AlignedTable(
                page=run[0].page,
                rows=[row.cells for row in rows],
                row_lines=[sorted(row.lines, key=run.index) for row in rows],
            )
        )
    return tables


def _group_rows(lines: list[_Line], rivers: list[Interval]) -> list[_Row]:
    """Rows from the lines of a run (in reading order).

    Lines on one baseline are one visual line (pdfium may give a wrapped label and the
    other cells of its row as separate lines). A visual line with two filled columns
    or more anchors a row. One with a single filled column (a wrapped label) joins the
    anchor that is clearly the nearest vertically, closer than the usual distance
    between rows; failing that, the row above it when it reads as the wrapped end of a
    cell; failing that, it is a row of its own.
    """
    visuals = _visual_lines(lines, rivers)
    anchors = [visual for visual in visuals if _filled(visual.cells) >= 2]
    pitch = _row_pitch(anchors)
    rows: list[_Row] = []
    row_of: dict[int, _Row] = {id(visual): _Row([], []) for visual in anchors}
    for visual in visuals:
        row = row_of.get(id(visual)) or _home(visual, anchors, pitch, row_of)
        if row is None and rows and _continues_row(rows[-1], visual.cells):
            row = rows[-1]
        if row is None:
            row = _Row([], [])
        row.visuals.append(visual)
        if row not in rows:
            rows.append(row)
    rows = _lead_ins(rows, anchors)
    for row in rows:
        row.cells = _row_cells(row.visuals)
        row.lines = [line for visual in row.visuals for line in visual.lines]
    return rows


def _lead_ins(rows: list[_Row], anchors: list[_Visual]) -> list[_Row]:
    """A row of one-column lines that runs on into the row below (its text ends on a
    linking word, or the cell below starts with a small letter) is the top of that
    row's cell: a label wrapped above bottom-aligned values."""
    anchored = {id(visual) for visual in anchors}
    merged: list[_Row] = []
    for row in rows:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not any(id(visual) in anchored for visual in previous.visuals)
            and any(id(visual) in anchored for visual in row.visuals)
            and _runs_on(_row_cells(previous.visuals), _row_cells(row.visuals))
        ):
            row.visuals = previous.visuals + row.visuals
            merged[-1] = row
        else:
            merged.append(row)
    return merged


def _runs_on(top: list[str | None], below: list[str | None]) -> bool:
    column = next((index for index, cell in enumerate(top) if cell), None)
    if column is None or _filled(top) != 1 or below[column] is None:
        return False
    return bool(_LINKING_END.search(top[column] or "")) or _starts_as_sequel(below[column])


@dataclass
class _Visual:
    """The lines of a run that share a baseline, split into the run's columns."""

    lines: list[_Line]
    baseline: float
    cells: list[str | None]


def _visual_lines(lines: list[_Line], rivers: list[Interval]) -> list[_Visual]:
    """Group the lines sharing a baseline (within a third of a font size), in reading
    order of their first line."""
    groups: list[list[_Line]] = []
    for line in lines:
        tolerance = 0.3 * _em(line)
        home = next(
            (
                g
                for g in groups
                if abs((g[0].baseline or 0.0) - (line.baseline or 0.0)) <= tolerance
            ),
            None,
        )
        if home is None:
            groups.append([line])
        else:
            home.append(line)
    visuals = []
    for group in groups:
        words = sorted(
            ((word, line) for line in group for word in line.words or []),
            key=lambda item: item[0].x0,
        )
        parts: list[list[str]] = [[] for _ in range(len(rivers) + 1)]
        for word, line in words:
            parts[_column_of(word, rivers)].append(line.text[word.start : word.end])
        cells = [_clean(" ".join(texts)) if texts else None for texts in parts]
        visuals.append(_Visual(group, group[0].baseline or 0.0, cells))
    return visuals


def _row_pitch(anchors: list[_Visual]) -> float | None:
    """The distance between two consecutive one-line rows: the smallest gap between
    anchors (a wrapped label or a sub-heading row between two anchors widens theirs)."""
    baselines = sorted((visual.baseline for visual in anchors), reverse=True)
    floor = 0.8 * _em(anchors[0].lines[0]) if anchors else 0.0
    gaps = [a - b for a, b in zip(baselines, baselines[1:], strict=False) if a - b > floor]
    return min(gaps) if gaps else None


def _home(
    visual: _Visual, anchors: list[_Visual], pitch: float | None, row_of: dict[int, _Row]
) -> _Row | None:
    """The row of the anchor clearly nearest to a one-column line, if close enough."""
    if pitch is None or not anchors:
        return None
    distances = sorted((abs(a.baseline - visual.baseline), id(a)) for a in anchors)
    nearest, anchor = distances[0]
    runner_up = distances[1][0] if len(distances) > 1 else float("inf")
    if nearest < 0.75 * pitch and nearest < runner_up - 0.1 * pitch:
        return row_of[anchor]
    return None


def _row_cells(visuals: list[_Visual]) -> list[str | None]:
    """A row's cells: each column's text, its visual lines read top to bottom."""
    ordered = sorted(visuals, key=lambda visual: -visual.baseline)
    return [
        _clean(" ".join(visual.cells[column] or "" for visual in ordered))
        for column in range(len(ordered[0].cells))
    ]


def _column_of(word: _Word, rivers: list[Interval]) -> int:
    middle = (word.x0 + word.x1) / 2
    return sum(1 for river in rivers if middle > river[0])


def _clean(text: str) -> str | None:
    # Cells are not offsets into Document.text: they are normalised like it on their own.
    return " ".join(normalise(text)[0].split()) or None


def _filled(cells: list[str | None]) -> int:
    return sum(1 for cell in cells if cell)


def _continues_row(row: _Row, cells: list[str | None]) -> bool:
    """A line with one filled cell is the wrapped end of the cell above it when it starts
    with a small letter or the cell above ends on a linking word or punctuation."""
    column = next((index for index, cell in enumerate(cells) if cell), None)
    if column is None:
        return False
    above = _row_cells(row.visuals)[column]
    if above is None:
        return False
    return _starts_as_sequel(cells[column]) or bool(_LINKING_END.search(above))


def _starts_as_sequel(text: str | None) -> bool:
    """A cell line that cannot start a label: a small letter or an opening bracket
    ("(développement)", "(40 unités)")."""
    first = (text or " ")[0]
    return first.islower() or first in "(["


def _trim(rows: list[_Row]) -> list[_Row]:
    """A table ends on a row with several columns: a short line after it (a date, a
    signature) is not one of its rows."""
    while rows and _filled(rows[-1].cells) < 2:
        rows.pop()
    return rows


def _amounts_column(rows: list[_Row]) -> bool:
    """Every row with two filled cells or more, the header aside, ends on an amount."""
    full = [row for row in rows if _filled(row.cells) >= 2]
    if full and not _has_amount(full[0].cells):
        full = full[1:]
    return bool(full) and all(_AMOUNT_CELL.fullmatch(row.cells[-1] or "") for row in full)


def _has_amount(cells: list[str | None]) -> bool:
    return any(cell and _AMOUNT.search(cell) for cell in cells)


def _is_header(row: _Row) -> bool:
    return _filled(row.cells) >= 2 and not _has_amount(row.cells)


def _split_at_headers(rows: list[_Row]) -> list[list[_Row]]:
    """Split before a header row (several columns, no amount) that follows rows with
    amounts: a second table set in the same columns (resources under charges)."""
    parts: list[list[_Row]] = [[]]
    for row in rows:
        if parts[-1] and _is_header(row) and any(_has_amount(r.cells) for r in parts[-1]):
            parts.append([])
        parts[-1].append(row)
    return parts


def _merge_header_lines(rows: list[_Row]) -> None:
    """The header is the first row when it holds no amount and rows below do; a second
    header line with nothing in the label column ("HT" under "Montant") joins it."""
    if len(rows) < 3 or _has_amount(rows[0].cells):
        return
    if not any(_has_amount(row.cells) for row in rows[1:]):
        return
    second = rows[1]
    if second.cells[0] is None and not _has_amount(second.cells) and _filled(second.cells):
        rows[0].cells = [
            _join(top, below) for top, below in zip(rows[0].cells, second.cells, strict=True)
        ]
        rows[0].lines.extend(second.lines)
        rows[0].visuals.extend(second.visuals)
        del rows[1]


def _join(above: str | None, below: str | None) -> str | None:
    if above and below:
        return f"{above} {below}"
    return above or below
