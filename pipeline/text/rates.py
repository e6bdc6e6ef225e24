"""Percentages: `find_rates` finds "80 %", "7,5 %", "80 pour cent", "60 pour 100",
"quatre-vingts pour cent" or "5 ‰" and gives them as fractions; `parse_rate` reads
the first one of a string."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.text.numbers import _SP, _word_numbers

_RATE_UNIT = (
    r"(?:(?P<pc>%|％|(?i:pour[\s-]?cent|pourcents?)(?!\w)|(?i:p\.\s?100|pour\s+100)(?!\d|\s\d{3}))"
    r"|(?P<pm>‰|(?i:pour\s+mille)(?!\w)))"
)
_RATE = re.compile(
    r"(?P<num>(?<!\w)(?<!\d[.,])\d+(?:[.,]\d+)?(?!\d|[.,]\d))" + _SP + r"*" + _RATE_UNIT
)
_WORD_RATE_UNIT = re.compile(r"\s*" + _RATE_UNIT)


@dataclass(frozen=True)
class RateMatch:
    """A percentage found in a text, as a fraction (0.8 for 80 %)."""

    value: Decimal
    start: int
    end: int
    text: str


def find_rates(text: str) -> list[RateMatch]:
    """Every percentage of `text`, in order: "80 %", "7,5 %", "80 pour cent", "60 pour 100",
    "quatre-vingts pour cent", "5 ‰". The value is a fraction; values above 1 are kept
    (callers decide what they mean)."""
    found: list[tuple[int, int, Decimal, bool]] = []  # start, end, number, per mille
    for m in _RATE.finditer(text):
        number = Decimal(m.group("num").replace(",", "."))
        found.append((m.start(), m.end(), number, m.group("pm") is not None))
    for start, unit, words in _word_numbers(text, _WORD_RATE_UNIT):
        found.append((start, unit.end(), Decimal(words), unit.group("pm") is not None))
    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[RateMatch] = []
    prev_end = 0
    for start, end, number, per_mille in found:
        if start < prev_end:
            continue
        value = number / (1000 if per_mille else 100)
        out.append(RateMatch(value, start, end, text[start:end]))
        prev_end = end
    return out


def parse_rate(s: str) -> Decimal | None:
    """The first percentage of `s` as a fraction ("80 %" → 0.8), None if there is none."""
    rates = find_rates(s)
    return rates[0].value if rates else None
