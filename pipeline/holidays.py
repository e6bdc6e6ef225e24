"""French public holidays and business days, for response deadlines in letters.

A letter asking for missing pieces gives the applicant N *jours ouvrés* (Monday to Friday,
public holidays excluded) to answer. The holidays are the eleven national ones of the
Code du travail (art. L3133-1); the local ones (Alsace-Moselle: Good Friday and 26
December; overseas: abolition of slavery) are not counted, on purpose: a deadline that
falls one day later in Strasbourg is harmless, one that falls a day early elsewhere is not.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, a.k.a.
    Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def french_holidays(year: int) -> dict[date, str]:
    """The national public holidays of `year`, date → French name."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "Jour de l'an",
        easter + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du Travail",
        date(year, 5, 8): "Victoire 1945",
        easter + timedelta(days=39): "Ascension",
        easter + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }


def is_holiday(day: date) -> bool:
    """True when `day` is a French national public holiday."""
    return day in french_holidays(day.year)


def is_business_day(day: date) -> bool:
    """Monday to Friday, and not a public holiday."""
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(start: date, n: int) -> date:
    """The date `n` business days after `start` (`start` itself not counted: a letter
    dated Friday with 1 business day is due on Monday, or Tuesday when Monday is a
    holiday). `n = 0` returns `start` unchanged."""
    if n < 0:
        raise ValueError("le nombre de jours ouvrés doit être positif ou nul")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day
