"""Whether a line of a PDF or a text file is a heading, and of which level: markdown
"#", numbered titles that are not items of a numbered list, a larger font, ALL CAPS,
short nominal lines ending with ":", and short lines standing alone, each judged from
the line's neighbourhood (blank lines, list markers, layout breaks around it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.documents.assemble import _DraftBlock
from pipeline.documents.lines import (
    _BULLET,
    _LIST_MARKER,
    _TERMINAL,
    _Line,
    _next,
    _previous,
    _size_key,
)

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+\S")
_NUMBERED_HEADING = re.compile(
    r"^(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?|(?P<roman>[IVXL]{1,5})[.)-]|(?P<letter>[A-H])[.)]"
    r"|(?P<word>article|chapitre|titre|partie|annexe|axe|volet)\s+(?:\d{1,3}|[IVXL]{1,5})\b"
    r"\s*[.:-]?)(?:\s+(?P<rest>\S.*))?$",
    re.IGNORECASE,
)
_SENTENCE_END = ".;,!?…"

# Finite verbs and lead-in words: a short line ending with ":" that holds one introduces
# a list ("Peuvent déposer un dossier :"), it does not title a section.
_LEAD_IN_WORDS = frozenset(
    [
        "est",
        "sont",
        "sera",
        "seront",
        "peut",
        "peuvent",
        "pourra",
        "pourront",
        "doit",
        "doivent",
        "devra",
        "devront",
        "concerne",
        "concernent",
        "vise",
        "visent",
        "permet",
        "permettent",
        "ont",
        "suivant",
        "suivants",
        "suivante",
        "suivantes",
        "ci-dessous",
        "ci-après",
    ]
)


@dataclass
class _LineContext:
    """What the heading rules know about a line's neighbourhood."""

    boundary_before: bool
    boundary_after: bool
    next_text: str
    prev_numbered: bool
    next_numbered: bool
    size_level: int | None  # heading level given by a larger font (PDF)
    standalone_bold: bool  # a whole bold line standing alone (PDF)


def _continues_heading(heading: _DraftBlock, line: _Line, size_levels: dict[float, int]) -> bool:
    """A PDF title wrapped over several lines: same heading font, no gap."""
    return (
        heading.kind == "heading"
        and heading.page == line.page
        and not line.break_before
        and _size_key(line.size) in size_levels
        and not _LIST_MARKER.match(line.stripped)
    )


def _is_boundary_before(lines: list[_Line], index: int) -> bool:
    prev = _previous(lines, index)
    if prev is None or lines[index].break_before or prev.furniture or prev.in_table is not None:
        return True
    return prev.stripped[-1] in _TERMINAL or bool(_LIST_MARKER.match(prev.stripped))


def _is_boundary_after(lines: list[_Line], index: int) -> bool:
    nxt = _next(lines, index)
    if nxt is None or nxt.break_before or nxt.furniture or nxt.in_table is not None:
        return True
    return bool(_LIST_MARKER.match(nxt.stripped))


def _context(
    lines: list[_Line], index: int, size_levels: dict[float, int], following: str
) -> _LineContext:
    line = lines[index]
    prev = _previous(lines, index)
    nxt = _next(lines, index)
    boundary_before = _is_boundary_before(lines, index)
    boundary_after = _is_boundary_after(lines, index)
    size_key = _size_key(line.size)
    return _LineContext(
        boundary_before=boundary_before,
        boundary_after=boundary_after,
        next_text=following,
        prev_numbered=prev is not None and bool(_NUMBERED_HEADING.match(prev.stripped)),
        next_numbered=nxt is not None and bool(_NUMBERED_HEADING.match(nxt.stripped)),
        size_level=size_levels.get(size_key) if size_key is not None else None,
        standalone_bold=line.bold and boundary_before and boundary_after,
    )


def _heading_level(line: _Line, ctx: _LineContext) -> int | None:
    """The heading level of a line, or None when it is not a heading.

    Rules, first match wins: markdown "#"; a numbered title ("1.", "1.2", "I.", "A)",
    "Article 3") that is not part of a numbered list; a larger font (PDF); ALL CAPS; a
    short nominal line ending with ":"; a short question standing alone ("Pour qui ?"); a short tab-indented title standing alone (notices
    pasted from web pages); a bold line standing alone (PDF); a short line without final
    punctuation standing alone and followed by a longer paragraph.
    """
    text = line.stripped
    markdown = _MARKDOWN_HEADING.match(text)
    if markdown:
        return len(markdown.group(1))
    words = text.split()
    if not ctx.boundary_before or len(text) > 120 or len(words) > 16:
        return None
    if text[-1] in ".;," or _is_bullet(text) or not _starts_like_title(text):
        return None
    if _NUMBERED_HEADING.match(text):
        # A numbered line running on into the next one is a numbered list item whose
        # text wraps, not a title.
        return _numbered_level(text, ctx) if ctx.boundary_after else None
    if ctx.size_level is not None:
        return ctx.size_level
    label_value = ":" in text.rstrip(": ")
    if _is_all_caps(text) and not label_value:
        return 1
    if text.endswith(":"):
        title_words = words[:-1] if words[-1] == ":" else words
        return 2 if ctx.boundary_after and _is_short_title(title_words) else None
    if text.endswith("?") and len(words) <= 10 and ctx.boundary_after and not label_value:
        # FAQ-style notices title their sections with questions ("Qui peut candidater ?",
        # "Combien ?").
        return 2
    if label_value or text[-1] in _SENTENCE_END or not ctx.boundary_after:
        return None
    if line.text[:1] == "\t" and len(text) <= 80:
        return 2
    if ctx.standalone_bold and len(words) <= 12:
        return 2
    if len(text) <= 100 and _is_followed_by_longer(text, ctx.next_text):
        return 2
    return None


def _is_bullet(text: str) -> bool:
    return bool(re.match(_BULLET, text))


def _starts_like_title(text: str) -> bool:
    """The first letter or digit is a capital or a digit."""
    first = next((ch for ch in text if ch.isalnum()), "")
    return first.isupper() or first.isdigit()


def _numbered_level(text: str, ctx: _LineContext) -> int | None:
    """Level of a numbered title; None for an item of a numbered list (a numbered line
    next to another one, or whose text does not start with a capital letter)."""
    match = _NUMBERED_HEADING.match(text)
    if match is None or ctx.prev_numbered or ctx.next_numbered:
        return None
    rest = match.group("rest") or ""
    first = next((ch for ch in rest if ch.isalnum()), "")
    if rest.endswith(":") and not _is_short_title(rest.rstrip(": ").split()):
        return None  # "3. Projets permettant de … par :" introduces a list
    if match.group("word"):
        return 2 if match.group("word").lower() in ("article", "axe", "volet") else 1
    if not first.isupper():
        return None  # "25 000 € ..." or "a. les communes": not a title
    if match.group("num"):
        return match.group("num").count(".") + 1
    return 1 if match.group("roman") else 2


def _is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 4:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper >= 0.8 * len(letters)


def _is_short_title(words: list[str]) -> bool:
    if not words or len(words) > 5:
        return False
    lowered = {word.lower().strip("(),:") for word in words}
    return not lowered & _LEAD_IN_WORDS


def _is_followed_by_longer(text: str, next_text: str) -> bool:
    if any(marker in text for marker in ("@", "http", "www.")):
        return False
    return len(next_text) > max(1.2 * len(text), 40)
