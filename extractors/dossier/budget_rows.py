"""The rows of a financing plan, whatever they were read from (a table, a line of text, a
form field): a label, amounts with the role of their column (HT, TTC, TVA, rate…), other
text cells (status, nature), and where each part sits in the document so that every
value read from them can quote its source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from extractors.dossier.views import PieceView
from pipeline.models import Evidence

# The pattern of a number written with digits, French conventions (thousands by spaces
# or dots, decimal comma), shared with the amount parser: it only locates a bare number
# ("12 000,00" in a table line or beside a form label); `parse_amount` reads it.
from pipeline.text.numbers import _NUMBER

BARE_NUMBER = re.compile(_NUMBER)

Side = Literal["expenses", "resources"]
Basis = Literal["ht", "ttc"]
# Roles of an amount column. "acquis" / "sollicite": two-column resource tables where the
# column the amount sits in gives its status.
Role = Literal["ht", "ttc", "tva", "amount", "total", "acquis", "sollicite", "rate"]
AMOUNT_ROLES: tuple[Role, ...] = ("ht", "ttc", "tva", "amount", "total", "acquis", "sollicite")

_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """A cell's text as it reads: wrapped lines joined, spaces collapsed."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Span:
    """Some text of a piece: `start`/`end` are offsets in `Document.text` (None when the
    text could not be located there), `field` the form field it comes from."""

    text: str
    start: int | None = None
    end: int | None = None
    field: str | None = None

    @property
    def located(self) -> bool:
        return self.start is not None and self.end is not None


@dataclass(frozen=True)
class Value:
    """An amount (or a rate, role "rate") of a row, with the role of its column and the
    HT/TTC basis written next to it or in its column header. `sure` is False for a bare
    number neither written with a currency nor under an amount header."""

    role: Role
    value: Decimal
    span: Span
    basis: Basis | None = None
    sure: bool = True


@dataclass
class Row:
    """One row of a plan. A header row (`kind="header"`) names columns and may name a side;
    a data row without values is a title (section, account, wrapped label)."""

    kind: Literal["header", "data"]
    span: Span
    label: Span | None = None
    values: list[Value] = field(default_factory=list)
    extra: list[Span] = field(default_factory=list)
    side: Side | None = None  # forced by the layout (one half of a two-sided table)
    confidence: float = 0.9
    heading: bool = False  # a line the document styles as a heading

    @property
    def amounts(self) -> list[Value]:
        return [v for v in self.values if v.role != "rate"]

    @property
    def rates(self) -> list[Value]:
        return [v for v in self.values if v.role == "rate"]

    @property
    def text(self) -> str:
        return self.span.text


def evidence_of(piece: PieceView, *spans: Span | None) -> Evidence:
    """Evidence for one span, or for the stretch of text running from the first located
    span to the last one (a plan line: from its label to its amount)."""
    located = [s for s in spans if s is not None and s.located]
    if located:
        start = min(s.start for s in located if s.start is not None)
        end = max(s.end for s in located if s.end is not None)
        return piece.evidence(start, end)
    for span in spans:
        if span is not None and span.field is not None:
            return piece.field_evidence(span.field)
    text = next((s.text for s in spans if s is not None and s.text), "")
    return Evidence(document=piece.name, page=None, quote=text)
