"""One file holding several pieces (the "dossier complet.pdf" applicants merge before
sending) → page ranges, one per piece.

A page starts a new piece when its page counter restarts ("Page 1 / 3", "1/2") or when
its top carries the title of another piece than the one running, and it does not say it
continues ("Page 2 / 3"). A multi-page note whose page 3 opens on "Calendrier" stays one
piece when its counter runs on.
"""

from __future__ import annotations

import re

from extractors.dossier.pieces import classify, title_codes
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.models import Document

_COUNTER = re.compile(r"(?:\bpage\s*)?\b(\d{1,3})\s*(?:/|sur)\s*(\d{1,3})\b")
_PAGE_WORD = re.compile(r"\bpage\s*(\d{1,3})\b")


def page_counter(doc: Document, number: int) -> tuple[int, int | None] | None:
    """The page's own counter, "Page 2 / 3" → (2, 3), "Page 2" → (2, None), read in its
    furniture first, else in its last lines."""
    page = next(p for p in doc.pages if p.number == number)
    furniture = [
        doc.text[b.start : b.end]
        for b in doc.blocks
        if b.kind == "furniture" and page.start <= b.start < page.end
    ]
    lines = doc.text[page.start : page.end].strip().split("\n")
    for candidate in furniture + lines[-3:] + lines[:2]:
        folded = fold(candidate)
        if len(folded) > 80:
            continue
        m = _COUNTER.search(folded)
        if m and ("page" in folded or folded.strip() == m.group(0).strip()):
            current, total = int(m.group(1)), int(m.group(2))
            if 1 <= current <= total:
                return current, total
        m = _PAGE_WORD.search(folded)
        if m:
            return int(m.group(1)), None
    return None


def split_pages(doc: Document) -> list[PieceView]:
    """The page ranges of `doc`, each classified; one range when nothing says the file
    holds several pieces."""
    count = len(doc.pages)
    if count <= 1:
        return [_classified(doc, 1, max(count, 1))]
    starts = [1]
    running: list[str] = title_codes(PieceView(doc, 1, 1))
    for number in range(2, count + 1):
        counter = page_counter(doc, number)
        if counter and counter[0] > 1:
            continue  # the page says it continues a piece
        titles = title_codes(PieceView(doc, number, number))
        restarts = counter is not None and counter[0] == 1
        other_piece = bool(titles) and titles[0] not in running[:1]
        if restarts or other_piece:
            starts.append(number)
            running = titles
    bounds = list(zip(starts, [s - 1 for s in starts[1:]] + [count], strict=True))
    return [_classified(doc, first, last) for first, last in bounds]


def _classified(doc: Document, first: int, last: int) -> PieceView:
    view = PieceView(doc, first, last)
    found = classify(view)
    return PieceView(doc, first, last, found.piece, found.confidence, found.reason)
