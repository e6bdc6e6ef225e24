"""French text: normalisation (once, with a map back to the original offsets) and parsers
for amounts, rates, dates and number words."""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

# Characters replaced one for one (offsets unchanged).
_SAME_LENGTH = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space (French typography before : ; ! ? €)
        "\u2009": " ",  # thin space
        "\u2007": " ",  # figure space
        "\u200a": " ",  # hair space
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",
        "\u02bc": "'",
        "\t": " ",
    }
)


def normalise(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalise `raw` once: no-break/thin spaces → space, typographic apostrophes → ',
    `\\r\\n` and lone `\\r` → `\\n`, form feeds → `\\n`.

    Returns the text and the offset breakpoints `[(normalised_offset, shift), …]` such
    that `original = normalised + shift` of the last breakpoint at or before the offset
    (see `Document.original_offset`). Only `\\r\\n` changes length, so the list stays
    short even for long documents.
    """
    text = raw.translate(_SAME_LENGTH)
    if "\r" not in text and "\f" not in text:
        return text, []
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    shift = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            out.append("\n")
            if i + 1 < n and text[i + 1] == "\n":
                i += 2
                shift += 1
                shifts.append((len(out), shift))
                continue
        elif ch == "\f":
            out.append("\n")
        else:
            out.append(ch)
        i += 1
    return "".join(out), shifts


def original_offset(shifts: list[tuple[int, int]], offset: int) -> int:
    """Map an offset of the normalised text back to the raw text."""
    shift = 0
    for at, value in shifts:
        if at > offset:
            break
        shift = value
    return offset + shift


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


# ---------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTH = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
    r"|d[ée]cembre)(?!\w)"
    r"|(?:janv|jan|f[ée]vr|f[ée]v|avr|juil|sept|sep|oct|nov|d[ée]c)(?:\.|(?!\w))"
)
_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+"
_DAY = r"(?<!\w)(?<!\d[.,:/])(?:1er|1re|1ère|1ᵉʳ|1ʳᵉ|premier|0?[1-9]|[12]\d|3[01])(?!\d)"


def _full_date(p: str) -> str:
    """A complete day date with groups prefixed by `p`: "28 juillet [2023]", "15/09/2023",
    "2023-09-15"."""
    return (
        rf"(?P<{p}d>{_DAY})\s+(?P<{p}m>{_MONTH})(?:\s+(?P<{p}y>\d{{4}})(?!\d))?"
        rf"|(?<!\d)(?<!\d[/.-])(?P<{p}nd>\d{{1,2}})(?P<{p}sep>[/.-])(?P<{p}nm>\d{{1,2}})"
        rf"(?P={p}sep)(?P<{p}ny>\d{{4}}|\d{{2}})(?!\d|[/.-]\d)"
        rf"|(?<!\d)(?<!\d[/.-])(?P<{p}iy>\d{{4}})(?P<{p}isep>[-/])(?P<{p}im>\d{{2}})"
        rf"(?P={p}isep)(?P<{p}id>\d{{2}})(?!\d|[/.-]\d)"
    )


# Each date pattern opens with a lookahead on its possible first characters: a cheap
# filter that spares trying every branch at every position of a long text.
_DATE_RANGE = re.compile(
    r"(?=[\dDELMJVSP])(?:(?<!\w)(?P<kw>du|entre)\s+(?:le\s+)?)?(?:" + _WEEKDAY + r")?"
    r"(?P<a>" + _full_date("a") + r"|(?P<ad0>" + _DAY + r")(?=\s+(?:au|et|jusqu'au)\s))"
    r"\s+(?:au|et(?:\s+le)?|jusqu'au)\s+(?:" + _WEEKDAY + r")?"
    r"(?P<b>" + _full_date("b") + r")",
    re.IGNORECASE,
)
_DATE_DAY = re.compile(r"(?=[\dP])(?:" + _full_date("s") + ")", re.IGNORECASE)
_DATE_MONTH = re.compile(
    r"(?=[JFMASOND])(?<!\d" + _SP + r")(?<!\w)(?P<m>" + _MONTH + r")\s+(?P<y>\d{4})(?!\d)",
    re.IGNORECASE,
)

# A time of day: "minuit", "midi", "12h", "17 h 30", "12 heures", "12:00".
_TIME_CORE = (
    r"(?:(?P<midnight>minuit|24\s*(?:h|heures?)(?:\s*00)?|24:00(?::00)?)(?![\w-])"
    r"|(?P<noon>midi)(?![\w-])"
    r"|(?P<h>[01]?\d|2[0-3])\s*(?:heures?|h)(?:\s*(?P<min>[0-5]\d))?(?!\w)"
    r"|(?P<h2>[01]?\d|2[0-3]):(?P<min2>[0-5]\d)(?::(?P<sec>[0-5]\d))?(?!\w))"
)
# Blanks on at most two lines (a deadline may wrap: "28 juillet 2023\nà minuit").
_BLANKS = r"[^\S\n]*(?:\n[^\S\n]*)?"
# The time right after a date: "à minuit", "- 12 heures", ", 12h00", "T12:00", "(midi)".
_TIME = re.compile(
    r"(?:T(?=\d)|" + _BLANKS + r"(?:[,–—-]" + _BLANKS + r")?(?P<open>\(\s*)?)"
    r"(?:(?:au\s+plus\s+tard|avant|jusqu'(?:à|a)|à|a)\s+){0,2}" + _TIME_CORE + r"(?(open)\s*\)?)",
    re.IGNORECASE,
)
# The time right before a date: "avant 12h, le 15 mars 2024" (matched up to the date).
_TIME_BEFORE = re.compile(
    r"(?<!\w)(?:au\s+plus\s+tard\s+)?(?:à|avant|jusqu'(?:à|a))\s+"
    + _TIME_CORE
    + r"\s*,?\s*(?:le\s+)?(?:"
    + _WEEKDAY
    + r")?$",
    re.IGNORECASE,
)
_ZONES: list[tuple[str, str]] = [
    (r"(?:la\s+)?guadeloupe|basse-terre|pointe-[àa]-pitre", "America/Guadeloupe"),
    (r"(?:la\s+)?martinique|fort-de-france", "America/Martinique"),
    (r"(?:la\s+|l')?r[ée]union", "Indian/Reunion"),
    (r"(?:la\s+)?guyane(?:\s+fran[çc]aise)?|cayenne", "America/Cayenne"),
    (r"mayotte|mamoudzou", "Indian/Mayotte"),
    (r"(?:la\s+)?nouvelle[\s-]cal[ée]donie|noum[ée]a", "Pacific/Noumea"),
    (r"(?:la\s+)?polyn[ée]sie(?:\s+fran[çc]aise)?|tahiti|papeete", "Pacific/Tahiti"),
    (r"(?:saint|st)[\s-]pierre[\s-]et[\s-]miquelon|miquelon", "America/Miquelon"),
    (r"(?:saint|st)[\s-]barth[ée]lemy", "America/St_Barthelemy"),
    (r"(?:saint|st)[\s-]martin", "America/Marigot"),
    (r"wallis(?:[\s-]et[\s-]futuna)?", "Pacific/Wallis"),
    (
        r"(?:la\s+)?france(?:\s+m[ée]tropolitaine|\s+hexagonale)?|(?:la\s+)?m[ée]tropole"
        r"|paris|l'hexagone",
        "Europe/Paris",
    ),
]
_CLOSE = re.compile(r"[^\S\n]*\)")
_TZ = re.compile(
    _BLANKS + r"(?:[,–—-]" + _BLANKS + r")?(?P<open>\(\s*)?(?:"
    r"(?:heure|horaire)s?\s+(?:l[ée]gale\s+)?(?:"
    + "|".join(rf"(?:(?:de|du)\s+|d')?(?P<z{i}>{pat})(?!\w)" for i, (pat, _) in enumerate(_ZONES))
    + r"|(?P<metro>m[ée]tropolitaine|fran[çc]aise|hexagonale)(?!\w)|(?P<local>locale)(?!\w))"
    r"|(?P<utc>UTC|GMT)(?:\s*(?P<off>[+\-−]\s*\d{1,2})(?::?00)?)?(?![\w+\-−:])"
    r"|(?P<cet>CEST|CET)(?!\w))"
    r"(?(open)\s*\)?)",
    re.IGNORECASE,
)

_MONTH_NUMBERS = {
    "jan": 1,
    "fev": 2,
    "mar": 3,
    "avr": 4,
    "mai": 5,
    "jui": 7,
    "aou": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_END_OF_DAY = dt.time(23, 59, 59)


def _month_number(name: str) -> int:
    folded = _fold(name)
    if folded.startswith("juin"):
        return 6
    return _MONTH_NUMBERS[folded[:3]]


@dataclass(frozen=True)
class DateMatch:
    """A date expression found in a text.

    `kind` is "day" (day, month, maybe year), "month" ("avril 2023", `day` is None) or
    "range" ("du 10 juillet au 15 septembre 2023": start in year/month/day, end in
    end_year/end_month/end_day). A year the text does not give is None unless the caller
    passed `default_year`. `time` is the time of day given next to the date ("à minuit" →
    23:59:59) and `tz` an IANA zone only when the text names one next to the date.
    """

    start: int
    end: int
    text: str
    kind: Literal["day", "month", "range"]
    year: int | None
    month: int
    day: int | None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    time: dt.time | None = None
    tz: str | None = None

    def to_date(self) -> dt.date | None:
        """The day (for a range: its first day); None for a month or an unknown year."""
        if self.kind == "month" or self.year is None or self.day is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None

    def to_deadline(self, default_tz: str = "Europe/Paris") -> dt.datetime | None:
        """The moment this date closes, tz-aware: the given time or 23:59:59 of the day;
        the end of a range; the last day of a month at 23:59:59. None if the year is
        unknown."""
        if self.kind == "range":
            year, month, day = self.end_year, self.end_month, self.end_day
        else:
            year, month, day = self.year, self.month, self.day
        if year is None or month is None:
            return None
        try:
            if day is None:
                day = monthrange(year, month)[1]
            moment = self.time if self.time is not None and self.kind != "month" else None
            return dt.datetime.combine(
                dt.date(year, month, day),
                moment or _END_OF_DAY,
                tzinfo=ZoneInfo(self.tz or default_tz),
            )
        except ValueError:
            return None


def _day_number(raw: str) -> int:
    """The day of a `_DAY` match: "1er", "1re", "premier" → 1."""
    folded = _fold(raw)
    return int(folded) if folded.isdigit() else 1


def _valid(year: int | None, month: int, day: int) -> bool:
    """Whether the day exists (a 29 February without a year is taken as possible)."""
    try:
        dt.date(year if year is not None else 2000, month, day)
    except ValueError:
        return False
    return True


def _ymd(m: re.Match[str], p: str) -> tuple[int | None, int, int] | None:
    """(year, month, day) of a `_full_date(p)` match; None if it is not a real date."""
    if m.group(p + "d") is not None:
        day = _day_number(m.group(p + "d"))
        month = _month_number(m.group(p + "m"))
        year = int(m.group(p + "y")) if m.group(p + "y") else None
    elif m.group(p + "nd") is not None:
        day, month = int(m.group(p + "nd")), int(m.group(p + "nm"))
        raw_year = m.group(p + "ny")
        year = int(raw_year) + (2000 if len(raw_year) == 2 else 0)
    else:
        year, month, day = int(m.group(p + "iy")), int(m.group(p + "im")), int(m.group(p + "id"))
    return (year, month, day) if _valid(year, month, day) else None


@dataclass
class _Candidate:
    start: int
    end: int
    kind: Literal["day", "month", "range"]
    year: int | None
    month: int
    day: int | None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None


def _range_years(
    start_year: int | None,
    start_md: tuple[int, int],
    end_year: int | None,
    end_md: tuple[int, int],
) -> tuple[int | None, int | None] | None:
    """Complete the years of a range from each other ("du 10 novembre au 15 janvier 2024"
    starts in 2023); None if the range is not made of real days in order."""
    wraps = start_md > end_md
    if end_year is None and start_year is not None:
        end_year = start_year + wraps
    if start_year is None and end_year is not None:
        start_year = end_year - wraps
    if not (_valid(start_year, *start_md) and _valid(end_year, *end_md)):
        return None
    if (
        start_year is not None
        and end_year is not None
        and (start_year, *start_md)
        > (
            end_year,
            *end_md,
        )
    ):
        return None
    return start_year, end_year


def _range_candidate(m: re.Match[str], default_year: int | None) -> _Candidate | None:
    end = _ymd(m, "b")
    if end is None:
        return None
    end_year, end_month, end_day = end
    if m.group("ad0") is not None:
        start_day = _day_number(m.group("ad0"))
        if start_day > end_day:  # "du 30 au 1er juin": not a range
            return None
        start: tuple[int | None, int, int] | None = (None, end_month, start_day)
    else:
        start = _ymd(m, "a")
    if start is None:
        return None
    start_year, start_month, start_day = start
    years = _range_years(start_year, (start_month, start_day), end_year, (end_month, end_day))
    if years is None:
        return None
    if years == (None, None) and default_year is not None:
        # The document dates itself; a 29 February that does not exist leaves it unknown.
        years = _range_years(None, (start_month, start_day), default_year, (end_month, end_day))
        years = years or (None, None)
    start_year, end_year = years
    begin = m.start("kw") if m.group("kw") is not None else m.start("a")
    return _Candidate(
        begin, m.end(), "range", start_year, start_month, start_day, end_year, end_month, end_day
    )


def _moment(t: re.Match[str]) -> dt.time:
    """The time of day of a `_TIME_CORE` match ("minuit" is the last second of the day)."""
    if t.group("midnight"):
        return _END_OF_DAY
    if t.group("noon"):
        return dt.time(12, 0)
    if t.group("h") is not None:
        return dt.time(int(t.group("h")), int(t.group("min") or 0))
    return dt.time(int(t.group("h2")), int(t.group("min2")), int(t.group("sec") or 0))


def _time_and_zone(text: str, end: int) -> tuple[int, dt.time | None, str | None]:
    """The end, time of day and time zone written right after a date ending at `end`."""
    moment: dt.time | None = None
    unclosed = False
    t = _TIME.match(text, end)
    if t is not None:
        moment = _moment(t)
        end = t.end()
        unclosed = bool(t.group("open")) and not t.group().endswith(")")
    z = _TZ.match(text, end)
    if z is None:
        return end, moment, None
    zone = _zone_name(z)
    if zone is None and not z.group("local"):  # "UTC+15": not a zone
        return end, moment, None
    end = z.end()
    if unclosed:  # "15 mars 2024 (12h, heure de Paris)"
        close = _CLOSE.match(text, end)
        end = close.end() if close else end
    return end, moment, zone


def _zone_name(z: re.Match[str]) -> str | None:
    """The IANA zone named by a `_TZ` match; None for "heure locale" or a bad offset."""
    if z.group("local"):
        return None
    if z.group("metro") or z.group("cet"):
        return "Europe/Paris"
    if z.group("utc"):
        offset = z.group("off")
        if not offset:
            return "UTC"
        hours = int(re.sub(r"\D", "", offset))
        if hours > 14:
            return None
        if hours == 0:
            return "UTC"
        # POSIX-style Etc zones have the sign inverted: UTC+1 is Etc/GMT-1.
        return f"Etc/GMT{'+' if offset.lstrip()[0] in '-−' else '-'}{hours}"
    return next(name for i, (_, name) in enumerate(_ZONES) if z.group(f"z{i}") is not None)


def find_dates(text: str, default_year: int | None = None) -> list[DateMatch]:
    """Every date expression of `text`, in order and non-overlapping.

    Days ("28 juillet 2023", "1er mars 2024", "15/09/2023", "15.09.23", "2023-09-15";
    day/month is never read as month/day), months with a year ("avril 2023") and ranges
    ("du 10 juillet au 15 septembre 2023", "du 1er au 30 juin 2024", "entre le 1er mars et
    le 30 avril 2024"), each with the time and zone that follow ("à minuit", "à 12h",
    "17 h 30", "12 heures (heure de la Guadeloupe)"). Impossible dates are skipped. A
    missing year is filled with `default_year` only when given.
    """
    candidates: list[_Candidate] = []
    for m in _DATE_RANGE.finditer(text):
        cand = _range_candidate(m, default_year)
        if cand is not None:
            candidates.append(cand)
    for m in _DATE_DAY.finditer(text):
        ymd = _ymd(m, "s")
        if ymd is not None:
            year, month, day = ymd
            if year is None and default_year is not None and _valid(default_year, month, day):
                year = default_year
            candidates.append(_Candidate(m.start(), m.end(), "day", year, month, day))
    for m in _DATE_MONTH.finditer(text):
        candidates.append(
            _Candidate(m.start(), m.end(), "month", int(m.group("y")), _month_number(m["m"]), None)
        )
    candidates.sort(key=lambda c: (c.start, -c.end))
    out: list[DateMatch] = []
    last_end = 0
    for c in candidates:
        if c.start < last_end:
            continue
        start, end, moment, zone = c.start, c.end, None, None
        if c.kind != "month":
            end, moment, zone = _time_and_zone(text, c.end)
        if c.kind == "day" and moment is None:
            before = _TIME_BEFORE.search(text, max(last_end, start - 50), start)
            if before is not None:
                start, moment = before.start(), _moment(before)
        out.append(
            DateMatch(
                start=start,
                end=end,
                text=text[start:end],
                kind=c.kind,
                year=c.year,
                month=c.month,
                day=c.day,
                end_year=c.end_year,
                end_month=c.end_month,
                end_day=c.end_day,
                time=moment,
                tz=zone,
            )
        )
        last_end = end
    return out


def parse_deadline(
    s: str, default_year: int | None = None, default_tz: str = "Europe/Paris"
) -> dt.datetime | None:
    """The first date expression of `s` as a deadline (see `DateMatch.to_deadline`); None
    if there is none or its year is unknown."""
    dates = find_dates(s, default_year=default_year)
    return dates[0].to_deadline(default_tz) if dates else None
