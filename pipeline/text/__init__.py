"""French text: normalisation (once, with a map back to the original offsets) and parsers
for amounts, rates, dates and number words."""

from __future__ import annotations

from pipeline.text.amounts import AmountMatch, find_amounts, parse_amount
from pipeline.text.dates import DateMatch, find_dates, parse_deadline
from pipeline.text.normalise import normalise, original_offset
from pipeline.text.numbers import parse_number_words
from pipeline.text.rates import RateMatch, find_rates, parse_rate

# ---------------------------------------------------------------------------
# Parsers: amounts, rates, dates, number words.
#
# Every parser is a pure function. Regexes are compiled once, at import time, and are
# written so that no pattern can backtrack more than a bounded amount per start position
# (repetitions are capped or anchored on distinct tokens): they run over 100-page
# documents. Offsets are character offsets into the string passed in.
# ---------------------------------------------------------------------------


__all__ = [
    "AmountMatch",
    "DateMatch",
    "RateMatch",
    "find_amounts",
    "find_dates",
    "find_rates",
    "normalise",
    "original_offset",
    "parse_amount",
    "parse_deadline",
    "parse_number_words",
    "parse_rate",
]
