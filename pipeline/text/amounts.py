"""Money amounts in euros: `find_amounts` finds every amount written with a currency
(digits, multipliers such as "k€" or "millions d'euros", number words), with its
HT/TTC basis and both ends of a range sharing one currency; `parse_amount` reads the
amount of a short string such as a table cell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pipeline.text.numbers import (
    _NUMBER,
    _SP,
    _fold,
    _to_decimal,
    _word_numbers,
    parse_number_words,
)

_EURO = r"(?:€|(?:EUR|Eur|eur)\b|(?i:euros?)\b)"
_MULT_LETTER = r"(?P<ml>Mrds|Mrd|Mds|Md|mds|md|M|m|K|k)"
_MULT_WORD = r"(?P<mw>(?i:milliards?|millions?|milliers?|mille))"
_AMOUNT = re.compile(
    r"(?=[\d€E])"
    # 25 000 €, 25 k€, 1,5 M€, 2,5 millions d'euros
    r"(?P<num>" + _NUMBER + r")" + _SP + r"*"
    r"(?:" + _MULT_LETTER + r"\s?(?=€|EUR|Eur|eur|(?i:euros?)\b)"
    r"|" + _MULT_WORD + r"\s*(?:(?:d'|de\s+)\s*)?(?=€|EUR|Eur|eur|(?i:euros?)\b))?"
    r"(?P<cur>" + _EURO + r")"
    # € 5 000
    r"|(?P<pcur>€|EUR\b)" + _SP + r"?(?P<pnum>" + _NUMBER + r")(?!\s*(?:%|€|(?i:euros?)\b))"
)
# What makes number words an amount: "vingt-cinq mille euros", "un million d'euros".
_WORD_CURRENCY = re.compile(r"\s*(?:(?:d'|de\s+)\s*)?" + _EURO)
_BASIS = re.compile(
    r"\s*\(?\s*(?:(?P<ht>HT|H\.T\.?|HTVA|hors[\s-]+taxes?|hors[\s-]+TVA)"
    r"|(?P<ttc>TTC|T\.T\.C\.?|TVAC|toutes[\s-]+taxes[\s-]+comprises|TVA[\s-]+comprise))(?!\w)",
    re.IGNORECASE,
)
_MULTIPLIERS = {
    "k": 1000,
    "m": 10**6,
    "md": 10**9,
    "mds": 10**9,
    "mrd": 10**9,
    "mrds": 10**9,
    "mille": 1000,
    "millier": 1000,
    "milliers": 1000,
    "million": 10**6,
    "millions": 10**6,
    "milliard": 10**9,
    "milliards": 10**9,
}
# The first number of a range that shares the currency of the second:
# "de 10 000 à 50 000 €", "entre 1 et 2 M€", "10 000 - 50 000 €".
_RANGE_HEAD = re.compile(
    r"(?:(?<!\w)(?P<kw>(?i:entre|de))\s+)?(?<!\d" + _SP + r")(?<!\d\.)"
    r"(?P<num>" + _NUMBER + r")" + _SP + r"*(?P<sep>à|-|–|—|et|ou)\s*$"
)
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class AmountMatch:
    """A money amount found in a text, in euros."""

    value: Decimal
    start: int
    end: int
    text: str
    basis: Literal["ht", "ttc"] | None = None


def _scaled(value: Decimal, multiplier: int) -> Decimal:
    if multiplier == 1:
        return value
    scaled = value * multiplier
    return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled


def _basis_after(text: str, end: int) -> Literal["ht", "ttc"] | None:
    m = _BASIS.match(text, end)
    if m is None:
        return None
    return "ht" if m.group("ht") else "ttc"


def find_amounts(text: str) -> list[AmountMatch]:
    """Every money amount of `text`, in order and non-overlapping.

    A number is an amount only with a currency marker ("€", "EUR", "euros", "k€", "M€",
    "millions d'euros", or "€" before it). The span covers the number and its currency,
    not what follows ("5 000 € par projet" → "5 000 €"); `basis` tells whether "HT" or
    "TTC" comes right after. In a range sharing one currency ("de 10 000 à 50 000 €"),
    both ends are amounts.
    """
    found: list[tuple[int, int, Decimal, int]] = []  # start, end, value, multiplier
    for m in _AMOUNT.finditer(text):
        multiplier = 1
        if m.group("num") is not None:
            value = _to_decimal(m.group("num"))
            mult = m.group("ml") or m.group("mw")
            if mult:
                multiplier = _MULTIPLIERS[_fold(mult)]
            start, end = m.start("num"), m.end("cur")
        else:
            value = _to_decimal(m.group("pnum"))
            start, end = m.start("pcur"), m.end("pnum")
        if value is not None:
            found.append((start, end, _scaled(value, multiplier), multiplier))
    for start, unit, words in _word_numbers(text, _WORD_CURRENCY):
        found.append((start, unit.end(), Decimal(words), 1))
    found.sort(key=lambda f: (f[0], -f[1]))

    out: list[AmountMatch] = []
    prev_end = 0
    for start, end, value, multiplier in found:
        if start < prev_end:  # "25 mille euros": the digits already took "mille euros"
            continue
        basis = _basis_after(text, end)
        head = _range_head(text, max(prev_end, start - 60), start, value, multiplier)
        if head is not None:
            h_start, h_end, h_value = head
            out.append(AmountMatch(h_value, h_start, h_end, text[h_start:h_end], basis))
        out.append(AmountMatch(value, start, end, text[start:end], basis))
        prev_end = end
    return out


def _range_head(
    text: str, lo: int, start: int, value: Decimal, multiplier: int
) -> tuple[int, int, Decimal] | None:
    """The bare number right before an amount that forms a range with it, if any."""
    if start - lo < 2:
        return None
    h = _RANGE_HEAD.search(text, lo, start)
    if h is None:
        return None
    sep = h.group("sep")
    number = h.group("num")
    keyword = (h.group("kw") or "").lower()
    if sep == "et" and keyword != "entre":
        return None
    # "En 2023 à 50 000 €", "2021-2027 50 000 €": a year, not the start of a range.
    if _YEAR_LIKE.fullmatch(number) and (sep in "-–—" or not keyword):
        return None
    raw = _to_decimal(number)
    if raw is None:
        return None
    head_value = _scaled(raw, multiplier)
    if head_value > value:  # "de 500 000 à 1,5 M€": the multiplier is not shared
        head_value = raw
    if head_value > value:
        return None
    return h.start("num"), h.end("num"), head_value


_SIGNED = re.compile(r"\s*[-−–]\s*$")
_BARE_AMOUNT = re.compile(
    r"\s*(?P<sign>[-−]\s*)?(?P<num>" + _NUMBER + r")\s*(?:\(?\s*(?i:HT|TTC)\s*\)?)?\s*"
)


def parse_amount(s: str) -> Decimal | None:
    """The amount of `s`, a string holding (mostly) one amount expression.

    The first amount with a currency marker wins ("Montant : 25 000 € HT" → 25000);
    otherwise a bare number making up the whole string ("12 500,00", a table cell) or
    number words ("vingt-cinq mille"). A leading minus sign is kept. Percentages and
    strings without a number give None.
    """
    amounts = find_amounts(s)
    if amounts:
        first = amounts[0]
        if _SIGNED.match(s[: first.start]):
            return -first.value
        return first.value
    bare = _BARE_AMOUNT.fullmatch(s)
    if bare is not None:
        value = _to_decimal(bare.group("num"))
        if value is not None and bare.group("sign"):
            value = -value
        return value
    words = parse_number_words(s)
    return Decimal(words) if words is not None else None
