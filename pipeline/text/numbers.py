"""Numbers shared by the amount and rate parsers: the pattern of a number written with
digits (French thousands separators and decimal comma) and its `Decimal` value,
accent-free folding for look-ups, and French number words ("vingt-cinq mille"),
with the search for number-word phrases followed by a unit."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Spaces that may separate thousands (raw cell contents keep their no-break spaces).
_SP = "[ \u00a0\u202f\u2009\u2007\u200a]"
# Lower-case, accent-free folding for look-ups (same length as the input).
_FOLD = str.maketrans("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜàâäçéèêëîïôöùûü", "AAACEEEEIIOOUUUaaaceeeeiioouuu")


def _fold(s: str) -> str:
    return s.translate(_FOLD).lower()


# A number written with digits. Thousands are grouped by spaces or by dots (a dot followed
# by exactly three digits); the decimal mark is a comma (or a dot not followed by three
# digits). At most 6 thousands groups, which bounds backtracking on "000 000 000 …".
_NUMBER = (
    r"(?<!\w)(?<!\d[.,])"
    r"(?:\d{1,3}(?:" + _SP + r"\d{3}){1,6}(?:[.,]\d+)?"
    r"|\d{1,3}(?:\.\d{3}){1,6}(?:,\d+)?"
    r"|\d+(?:[.,]\d+)?)"
    r"(?!\d|[.,]\d)"
)
_THOUSANDS_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_SPACES_RE = re.compile(_SP)


def _to_decimal(number: str) -> Decimal | None:
    """Decimal value of a digit number matched by `_NUMBER` (French conventions)."""
    t = _SPACES_RE.sub("", number)
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif _THOUSANDS_DOTS.fullmatch(t):
        t = t.replace(".", "")
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        return None


# ---------------------------------------------------------------------------
# Number words
# ---------------------------------------------------------------------------

_WORD_VALUES: dict[str, int] = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "septante": 70,
    "huitante": 80,
    "octante": 80,
    "nonante": 90,
    "cent": 100,
    "cents": 100,
    "mille": 1000,
    "million": 10**6,
    "millions": 10**6,
    "milliard": 10**9,
    "milliards": 10**9,
}
_TENS = {20, 30, 40, 50, 60, 70, 80, 90}

_WORD_ALTS = "|".join(
    w.replace("zero", "z[eé]ro") for w in sorted(_WORD_VALUES, key=len, reverse=True)
)
_WORD = r"(?:" + _WORD_ALTS + r")(?!\w)"
# A maximal run of number words ("vingt-cinq mille", "soixante et onze"). Matched on its
# own (nothing after it), so finding runs is linear; what follows is checked separately.
_WORD_RUN = re.compile(
    r"(?=[a-zA-Z])(?i:(?<![\w-])" + _WORD + r"(?:[\s-]+(?:et[\s-]+)?" + _WORD + r")*)"
)
_WORD_TOKEN = re.compile(r"(?i:" + _WORD + r")")
_WORD_SPLIT = re.compile(r"[\s-]+")
# Longest French number phrase in words, in tokens ("quatre-vingt-dix-neuf mille …").
_MAX_WORD_TOKENS = 24


def parse_number_words(s: str) -> int | None:
    """Value of a French number written in words, or None if `s` is not one.

    Accepts hyphens or spaces, "et", plural "vingts"/"cents", Belgian/Swiss tens
    ("septante", "nonante"): "vingt-cinq mille" → 25000, "quatre-vingts" → 80,
    "soixante-dix" → 70, "deux cent mille" → 200000, "un million" → 1000000.
    A word that is not a number word, or an impossible sequence ("deux trois"), gives None.
    """
    tokens = [t for t in _WORD_SPLIT.split(_fold(s.strip())) if t]
    if not tokens or tokens[0] == "et" or tokens[-1] == "et":
        return None
    big = 0  # millions and milliards already closed
    last_big = 10**12  # multipliers must decrease: "deux milliards trois millions"
    thousands = 0  # the "… mille" part, once closed
    small = 0  # the part under one thousand being read
    prev: int | None = None  # last additive token (unit, teen, ten), None after a multiplier
    seen_number = False
    for i, tok in enumerate(tokens):
        if tok == "et":
            if prev is None or tokens[i + 1] == "et":
                return None
            continue
        value = _WORD_VALUES.get(tok)
        if value is None:
            return None
        seen_number = True
        if value == 0:
            if len(tokens) != 1:
                return None
            continue
        if value < 100:
            if prev is None:
                small += value
                prev = value
            elif value == 20 and prev == 4:  # quatre-vingt(s)
                small += 76
                prev = 80
            elif value == 10 and prev in (60, 80):  # soixante-dix, quatre-vingt-dix
                small += 10
                prev = 10
            elif (value < 10 and prev == 10) or (value < 20 and prev in _TENS):
                # dix-sept, vingt-deux, soixante-douze
                small += value
                prev = value
            else:
                return None
        elif value == 100:
            if small >= 100:
                return None
            small = max(small, 1) * 100
            prev = None
        elif value == 1000:
            if thousands:
                return None
            thousands = max(small, 1) * 1000
            small = 0
            prev = None
        else:  # million(s), milliard(s)
            if value >= last_big:
                return None
            big += max(thousands + small, 1) * value
            last_big = value
            thousands = small = 0
            prev = None
    if not seen_number:
        return None
    return big + thousands + small


def _word_numbers(text: str, unit: re.Pattern[str]) -> list[tuple[int, re.Match[str], int]]:
    """Number-word phrases of `text` followed by `unit` (matched right after the phrase):
    (start of the phrase, match of the unit, value). When a run of words does not read as
    one number ("un deux mille euros"), its longest tail that does is taken."""
    out: list[tuple[int, re.Match[str], int]] = []
    for run in _WORD_RUN.finditer(text):
        after = unit.match(text, run.end())
        if after is None:
            continue
        tokens = [t.start() for t in _WORD_TOKEN.finditer(text, run.start(), run.end())]
        for first in range(max(0, len(tokens) - _MAX_WORD_TOKENS), len(tokens)):
            value = parse_number_words(text[tokens[first] : run.end()])
            if value is not None:
                out.append((tokens[first], after, value))
                break
    return out
