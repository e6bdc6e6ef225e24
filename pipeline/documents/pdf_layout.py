"""Layout marks on the lines of a PDF: the top and bottom zones of each page, page
furniture (running headers and footers repeated on most pages, page numbers), breaks
where a change of font or a vertical gap opens a new block, and the heading levels
given by font sizes larger than the body text."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict

from pipeline.documents.lines import _TERMINAL, _Line, _size_key

# A line repeated at the top or bottom of at least this share of the pages is furniture.
FURNITURE_PAGE_SHARE = 0.6

_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.)\s*\d{1,4}(?:\s*(?:/|sur|de|of)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|sur)\s*\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—]|\d{1,3})$",
    re.IGNORECASE,
)


def _mark_zone(lines: list[_Line], height: float) -> None:
    """The lines where running headers and footers live: the first and last two lines of
    the page, and any line in the top or bottom 8 % of it."""
    for line in lines[:2] + lines[-2:]:
        line.zone = True
    for line in lines:
        if (
            line.baseline is not None
            and height > 0
            and not (0.08 * height <= line.baseline <= 0.92 * height)
        ):
            line.zone = True


def _furniture_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _mark_furniture(lines: list[_Line], page_count: int) -> None:
    """Running headers/footers (a zone line repeated on most pages, digits aside) and
    page numbers ("Page 3 / 12", "3/12", "- 3 -")."""
    pages_of: dict[str, set[int]] = defaultdict(set)
    for line in lines:
        if line.zone and line.stripped:
            pages_of[_furniture_key(line.stripped)].add(line.page)
    needed = max(2, FURNITURE_PAGE_SHARE * page_count)
    repeated = {key for key, pages in pages_of.items() if len(pages) >= needed}
    for line in lines:
        if not line.zone or not line.stripped or line.in_table is not None:
            continue
        if _furniture_key(line.stripped) in repeated or _PAGE_NUMBER.match(line.stripped):
            line.furniture = True


def _mark_breaks(lines: list[_Line]) -> None:
    """Set `break_before` where the layout opens a new block: a change of font size or
    weight, or a vertical gap clearly larger than the usual line spacing."""
    spacing = _usual_spacing(lines)
    for index in range(1, len(lines)):
        line, prev = lines[index], lines[index - 1]
        if not line.stripped or not prev.stripped or line.page != prev.page:
            continue
        if line.size is None or prev.size is None or line.baseline is None:
            continue
        if abs(line.size - prev.size) > 0.1 * prev.size or line.bold != prev.bold:
            line.break_before = True
            continue
        gap = (prev.baseline or 0.0) - line.baseline
        # On a sparse page (a form, a cover) the median gap is itself a paragraph gap:
        # ordinary line spacing never exceeds 1.5 times the font size.
        usual = min(spacing.get(round(line.size), 1.2 * line.size), 1.5 * line.size)
        if gap > 1.45 * usual or (gap <= 0 and not _continues_in_next_column(prev, line)):
            line.break_before = True


def _continues_in_next_column(prev: _Line, line: _Line) -> bool:
    """A line higher on the page than the previous one starts a new column; the
    sentence goes on there when it was not finished and resumes with a small letter."""
    return prev.stripped[-1] not in _TERMINAL and line.stripped[0].islower()


def _usual_spacing(lines: list[_Line]) -> dict[int, float]:
    """Median gap between consecutive baselines of same-size lines, per font size."""
    gaps: dict[int, list[float]] = defaultdict(list)
    for prev, line in zip(lines, lines[1:], strict=False):
        if (
            prev.page == line.page
            and prev.baseline is not None
            and line.baseline is not None
            and prev.size
            and line.size
            and round(prev.size) == round(line.size)
            and prev.baseline > line.baseline
        ):
            gaps[round(line.size)].append(prev.baseline - line.baseline)
    return {size: statistics.median(values) for size, values in gaps.items()}


def _size_levels(lines: list[_Line]) -> dict[float, int]:
    """Heading levels given by font size: sizes clearly above the body size (the size of
    most characters), largest first, among short lines."""
    weights: Counter[float] = Counter()
    for line in lines:
        key = _size_key(line.size)
        if key is not None and not line.furniture:
            weights[key] += len(line.stripped)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    larger = {
        _size_key(line.size)
        for line in lines
        if line.size and line.size >= 1.15 * body and len(line.stripped) <= 120
    }
    return {size: rank for rank, size in enumerate(sorted(larger, reverse=True), start=1)}
