"""A call notice seen as French notices are written: sections under headings, lists under
lead-in lines ("Dépenses éligibles :"), and sentences (spaCy) with their offsets.

Every extractor of `extractors.call` reads this view, never the raw text, so that all of
them agree on what is a heading, a list, a footnote or a page header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.lexicon import fold
from pipeline import nlp
from pipeline.models import Block, Document, Evidence

# A list marker at the start of an item: bullets, dashes, numbers, letters.
_MARKER = re.compile(
    r"^\s*(?:[-–—•·▪◦●○➢➤►✓✔*]|o(?=\s)|\d{1,2}\s*[-.)°]|\d{1,2}\s*-\s*|\(?[a-z]\s*\)|[IVX]{1,4}\s*[.)-])\s*"
)
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}\s*[-.)°]|[IVX]{1,4}\s*[.)-])")
_FOOTNOTE = re.compile(r"^\s*[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_FIGURE = re.compile(r"\d|\bmille\b|\bmillions?\b|\bpour cent\b")
_ENDS_SENTENCE = re.compile(r"[.!?:;…»)\]]\s*$|\n\s*$")
_SUPERSCRIPTS = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")


@dataclass
class Unit:
    """A block of the notice with its text (headings, paragraphs, list items, table rows)."""

    block: Block
    text: str
    section: int  # index in Notice.sections

    @property
    def start(self) -> int:
        return self.block.start

    @property
    def end(self) -> int:
        return self.block.end

    @property
    def kind(self) -> str:
        return self.block.kind


@dataclass
class Section:
    heading: str | None
    heading_block: Block | None
    units: list[Unit] = field(default_factory=list)

    @property
    def folded_heading(self) -> str:
        return fold(self.heading or "")


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    unit: Unit
    retrospective: bool
    folded: str = ""

    def __post_init__(self) -> None:
        self.folded = fold(self.text)


@dataclass
class ListGroup:
    """A run of list items with the line that introduces it."""

    lead: str  # the introducing sentence (or heading) text
    lead_start: int
    lead_end: int
    heading: str | None  # the section heading above, if any
    items: list[Unit]

    @property
    def context(self) -> str:
        return fold(f"{self.heading or ''} {self.lead}")


def clean_item(text: str) -> str:
    """An item's text without its marker, markdown emphasis, footnote calls and final
    punctuation."""
    text = _MARKER.sub("", text, count=1)
    text = text.replace("**", "").replace("__", "")
    text = _SUPERSCRIPTS.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" ;,.").strip()


class Notice:
    """The parsed view of one notice Document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.sections: list[Section] = []
        self.units: list[Unit] = []
        self._build_sections()
        self.sentences: list[Sentence] = self._build_sentences()
        self.lists: list[ListGroup] = self._build_lists()

    # ------------------------------------------------------------------ building
    def _build_sections(self) -> None:
        current = Section(heading=None, heading_block=None)
        self.sections.append(current)
        for block in self.doc.blocks:
            if block.kind == "furniture":
                continue
            # Line breaks inside a block are layout (PDF lines, columns), not meaning:
            # read them as spaces. Same length, so offsets stay those of Document.text.
            text = self.doc.text[block.start : block.end].replace("\n", " ")
            if not text.strip():
                continue
            if block.kind == "heading" and self._continues_numbered_list(text):
                # "3. Projets… par :" after items 1 and 2 continues the list, even if its
                # short line ending with a colon looked like a heading.
                block = block.model_copy(update={"kind": "list_item", "level": None})
            if block.kind == "heading":
                current = Section(heading=text.strip(), heading_block=block)
                self.sections.append(current)
            unit = Unit(block=block, text=text, section=len(self.sections) - 1)
            current.units.append(unit)
            self.units.append(unit)

    def _continues_numbered_list(self, text: str) -> bool:
        m = re.match(r"^\s*(\d{1,2})\s*[-.)°]", text)
        if not m:
            return False
        for unit in reversed(self.units):
            if unit.kind != "list_item":
                return False
            prev = re.match(r"^\s*(\d{1,2})\s*[-.)°]", unit.text)
            if prev:
                return int(prev.group(1)) == int(m.group(1)) - 1
        return False

    def _build_sentences(self) -> list[Sentence]:
        # Headings too: notices often put a rule in a short line that looks like one
        # ("Plancher minimal de subvention FEDER : 75 000 €").
        bodies = list(self.units)
        spans_by_unit = nlp.sentences([u.text for u in bodies])
        pieces: list[tuple[Unit, int, int]] = []
        for unit, spans in zip(bodies, spans_by_unit, strict=True):
            merged: list[tuple[int, int]] = []
            for a, b in spans:
                if not unit.text[a:b].strip():
                    continue
                # A piece that does not end with punctuation is glued to the next one
                # ("… de subvention | FNADT est fixé…", "M. | Dupont").
                if merged and not _ENDS_SENTENCE.search(unit.text[merged[-1][0] : merged[-1][1]]):
                    merged[-1] = (merged[-1][0], b)
                else:
                    merged.append((a, b))
            pieces.extend((unit, a, b) for a, b in merged)
        # Grammar only where it decides something: sentences holding a figure.
        tagged = [i for i, (u, a, b) in enumerate(pieces) if _FIGURE.search(u.text, a, b)]
        retro = dict(
            zip(
                tagged,
                (
                    nlp.is_retrospective(d)
                    for d in nlp.parse(
                        [pieces[i][0].text[pieces[i][1] : pieces[i][2]] for i in tagged]
                    )
                ),
                strict=True,
            )
        )
        sentences: list[Sentence] = []
        for i, (unit, a, b) in enumerate(pieces):
            sentences.append(
                Sentence(
                    start=unit.start + a,
                    end=unit.start + b,
                    text=unit.text[a:b],
                    unit=unit,
                    retrospective=retro.get(i, False),
                )
            )
        return sentences

    def _build_lists(self) -> list[ListGroup]:
        groups: list[ListGroup] = []
        current: ListGroup | None = None
        previous: Unit | None = None
        for unit in self.units:
            if _FOOTNOTE.match(unit.text):
                continue  # a footnote interrupts nothing
            if unit.kind == "list_item":
                if current is None:
                    lead_text, lead_start, lead_end = self._lead_of(previous)
                    section = self.sections[unit.section]
                    current = ListGroup(lead_text, lead_start, lead_end, section.heading, [])
                    groups.append(current)
                current.items.append(unit)
            else:
                current = None
            previous = unit
        return groups

    def _lead_of(self, unit: Unit | None) -> tuple[str, int, int]:
        if unit is None:
            return "", 0, 0
        if unit.kind == "heading":
            return unit.text.strip(), unit.start, unit.end
        last = [s for s in self.sentences if s.unit is unit]
        if last:
            return last[-1].text, last[-1].start, last[-1].end
        return unit.text, unit.start, unit.end

    # ------------------------------------------------------------------ helpers
    def evidence(self, start: int, end: int) -> Evidence:
        # Trim whitespace so the quote is exactly the words it stands for.
        text = self.doc.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return self.doc.evidence(start, end)

    def table_header(self, unit: Unit) -> str:
        """For a table row, the text of the first row of its table (the column headers:
        "Étape | Date limite de dépôt"), else ""."""
        if unit.kind != "table_row":
            return ""
        index = self.units.index(unit)
        while index > 0 and self.units[index - 1].kind == "table_row":
            index -= 1
        first = self.units[index]
        return "" if first is unit else first.text

    def section_of(self, unit: Unit) -> Section:
        return self.sections[unit.section]

    def headings(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "heading"]


def top_level(items: list[Unit]) -> list[Unit]:
    """The top level of a nested list: the items of the lowest nesting level when the
    reader knows levels (DOCX numbering), else the numbered items when a list mixes
    numbered items and bulleted sub-items."""
    levels = {u.block.level for u in items if u.block.level is not None}
    if len(levels) > 1:
        return [u for u in items if u.block.level == min(levels)]
    numbered = [u for u in items if _NUMBERED.match(u.text)]
    if numbered and len(numbered) < len(items):
        return numbered
    return items
