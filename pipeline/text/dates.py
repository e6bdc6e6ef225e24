"""French dates: `find_dates` finds days, months with a year and ranges, written in
words or digits, with the time of day and the time zone written next to them;
`parse_deadline` turns the first one of a string into a tz-aware deadline."""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from pipeline.text.numbers import _SP, _fold

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
