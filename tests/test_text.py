"""Tests of the French parsers of `pipeline.text`: amounts, rates, dates, number words."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text import (
    AmountMatch,
    DateMatch,
    RateMatch,
    find_amounts,
    find_dates,
    find_rates,
    normalise,
    parse_amount,
    parse_deadline,
    parse_number_words,
    parse_rate,
)

D = Decimal
PARIS = ZoneInfo("Europe/Paris")

# ---------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------

# (text, [(value, span text, basis), …])
AMOUNT_CASES: list[tuple[str, list[tuple[str, str, str | None]]]] = [
    ("600.000 euros", [("600000", "600.000 euros", None)]),
    ("75 000 €", [("75000", "75 000 €", None)]),
    ("75\u202f000 €", [("75000", "75\u202f000 €", None)]),
    ("75\u00a0000 €", [("75000", "75\u00a0000 €", None)]),
    ("75\u2009000\u00a0€", [("75000", "75\u2009000\u00a0€", None)]),
    ("80 000 € HT", [("80000", "80 000 €", "ht")]),
    ("25 k€", [("25000", "25 k€", None)]),
    ("25 K€", [("25000", "25 K€", None)]),
    ("1,5 M€", [("1500000", "1,5 M€", None)]),
    ("2,5 millions d'euros", [("2500000", "2,5 millions d'euros", None)]),
    ("vingt-cinq mille euros", [("25000", "vingt-cinq mille euros", None)]),
    ("12 500,00 €", [("12500.00", "12 500,00 €", None)]),
    ("12.500 €", [("12500", "12.500 €", None)]),
    ("12500 euros HT", [("12500", "12500 euros", "ht")]),
    ("1 234 567,89 EUR", [("1234567.89", "1 234 567,89 EUR", None)]),
    ("€ 5 000", [("5000", "€ 5 000", None)]),
    ("5 000 € TTC", [("5000", "5 000 €", "ttc")]),
    ("80.000 euros", [("80000", "80.000 euros", None)]),
    ("12,5 €", [("12.5", "12,5 €", None)]),
    ("3 millions €", [("3000000", "3 millions €", None)]),
    ("500 000 euros", [("500000", "500 000 euros", None)]),
    ("5 000 € par projet", [("5000", "5 000 €", None)]),
    (
        "50 000 à 200 000 €",
        [("50000", "50 000", None), ("200000", "200 000 €", None)],
    ),
    (
        "une aide de 10 000 à 50 000 euros par dossier",
        [("10000", "10 000", None), ("50000", "50 000 euros", None)],
    ),
    (
        "entre 10 000 et 50 000 € HT",
        [("10000", "10 000", "ht"), ("50000", "50 000 €", "ht")],
    ),
    ("entre 1 et 2 M€", [("1000000", "1", None), ("2000000", "2 M€", None)]),
    (
        "de 500 000 à 1,5 M€",
        [("500000", "500 000", None), ("1500000", "1,5 M€", None)],
    ),
    ("de 10 000 € à 50 000 €", [("10000", "10 000 €", None), ("50000", "50 000 €", None)]),
    # Realistic sentences from call notices.
    (
        "L'enveloppe globale de l'appel à projets est de 1 000 000 €.",
        [("1000000", "1 000 000 €", None)],
    ),
    (
        "La subvention est plafonnée à 30 000 euros (trente mille euros) par projet.",
        [("30000", "30 000 euros", None), ("30000", "trente mille euros", None)],
    ),
    (
        "Montant minimum de dépenses éligibles : 10 000 € HT ; aide plafonnée à 200 000 € TTC",
        [("10000", "10 000 €", "ht"), ("200000", "200 000 €", "ttc")],
    ),
    ("un coût total de 45 000 € hors taxes", [("45000", "45 000 €", "ht")]),
    ("dépense de 10 000 € H.T.", [("10000", "10 000 €", "ht")]),
    ("budget de 2 000 € (TTC)", [("2000", "2 000 €", "ttc")]),
    ("5 000€HT", [("5000", "5 000€", "ht")]),
    ("un fonds doté de 3 M€ pour 2024", [("3000000", "3 M€", None)]),
    ("un plan de 1,2 milliard d'euros", [("1200000000", "1,2 milliard d'euros", None)]),
    ("une dotation de un million d'euros", [("1000000", "un million d'euros", None)]),
    ("deux cent mille euros hors taxes", [("200000", "deux cent mille euros", "ht")]),
    ("25 mille euros", [("25000", "25 mille euros", None)]),
    ("1 500€ par an", [("1500", "1 500€", None)]),
    ("1.5 M€", [("1500000", "1.5 M€", None)]),
    ("12.50 €", [("12.50", "12.50 €", None)]),
    ("1.234.567,89 €", [("1234567.89", "1.234.567,89 €", None)]),
    ("MONTANT : 15 000 EUROS", [("15000", "15 000 EUROS", None)]),
    ("En 2023 à 50 000 €", [("50000", "50 000 €", None)]),
    ("programme 2021-2027 : 5 000 €", [("5000", "5 000 €", None)]),
    # Not amounts: no currency marker, or a percentage.
    ("19 projets", []),
    ("2023", []),
    ("RCO 14", []),
    ("Tél. : 04.77.43.71.78", []),
    ("Tél. : 04 77 43 71 78", []),
    ("75 000 habitants", []),
    ("un taux de 80 %", []),
    ("2,5 millions d'habitants", []),
    ("€ ", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNT_CASES)
def test_find_amounts(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = find_amounts(text)
    assert [(m.value, m.text, m.basis) for m in found] == [
        (D(v), span, basis) for v, span, basis in expected
    ]
    for m in found:
        assert isinstance(m, AmountMatch)
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("600.000 euros", "600000"),
        ("75\u202f000 €", "75000"),
        ("Montant : 25 000 € HT", "25000"),
        ("vingt-cinq mille euros", "25000"),
        ("1,5 M€", "1500000"),
        ("12 500,00", "12500.00"),  # a bare table cell
        ("12.500", "12500"),
        (" 75\u00a0000 ", "75000"),
        ("1 200,50 HT", "1200.50"),
        ("-5 000 €", "-5000"),
        ("− 1 200,50", "-1200.50"),
        ("vingt-cinq mille", "25000"),
        ("80 %", None),
        ("19 projets", None),
        ("", None),
        ("néant", None),
    ],
)
def test_parse_amount(text: str, expected: str | None) -> None:
    assert parse_amount(text) == (D(expected) if expected is not None else None)


def test_amount_value_is_decimal_with_cents() -> None:
    value = parse_amount("12 500,00 €")
    assert isinstance(value, Decimal)
    assert str(value) == "12500.00"


def test_amount_offsets_after_normalise() -> None:
    raw = "Plafond\u00a0: 75\u202f000\u00a0€ par projet"
    text, _ = normalise(raw)
    [m] = find_amounts(text)
    assert (m.value, m.text) == (D(75000), "75 000 €")
    assert raw[m.start : m.end] == "75\u202f000\u00a0€"


# ---------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------

# (text, [(fraction, span text), …])
RATE_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("80 %", [("0.8", "80 %")]),
    ("80%", [("0.8", "80%")]),
    ("80\u202f%", [("0.8", "80\u202f%")]),
    ("80\u00a0%", [("0.8", "80\u00a0%")]),
    ("80 pour cent", [("0.8", "80 pour cent")]),
    ("80 pourcent", [("0.8", "80 pourcent")]),
    ("quatre-vingts pour cent", [("0.8", "quatre-vingts pour cent")]),
    ("60 pour 100", [("0.6", "60 pour 100")]),
    ("taux maximal d'intervention : 60 %", [("0.6", "60 %")]),
    ("7,5 %", [("0.075", "7,5 %")]),
    ("7.5 %", [("0.075", "7.5 %")]),
    ("100%", [("1", "100%")]),
    ("cinquante pour cent", [("0.5", "cinquante pour cent")]),
    ("Cinquante pour cent", [("0.5", "Cinquante pour cent")]),
    ("soixante-dix pour cent", [("0.7", "soixante-dix pour cent")]),
    ("150 %", [("1.5", "150 %")]),
    ("5 ‰", [("0.005", "5 ‰")]),
    (
        "50 % pour les collectivités et 30 % dans les autres cas",
        [("0.5", "50 %"), ("0.3", "30 %")],
    ),
    (
        "Le taux d'aide publique cumulée ne pourra excéder 80 % du coût total éligible HT.",
        [("0.8", "80 %")],
    ),
    ("un forfait de 15 % des frais de personnel directs", [("0.15", "15 %")]),
    ("subvention de 25 000 € (soit 40 %)", [("0.4", "40 %")]),
    ("de 20 à 80 %", [("0.8", "80 %")]),
    # Not rates.
    ("60 pour 100 000 habitants", []),
    ("75 000 €", []),
    ("pour cent projets", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), RATE_CASES)
def test_find_rates(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_rates(text)
    assert [(m.value, m.text) for m in found] == [(D(v), span) for v, span in expected]
    for m in found:
        assert isinstance(m, RateMatch)
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80 %", "0.8"),
        ("quatre-vingts pour cent", "0.8"),
        ("60 pour 100", "0.6"),
        ("Taux : 7,5 %", "0.075"),
        ("100%", "1"),
        ("80", None),
        ("25 000 €", None),
        ("", None),
    ],
)
def test_parse_rate(text: str, expected: str | None) -> None:
    assert parse_rate(text) == (D(expected) if expected is not None else None)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

T = dt.time


def _paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


# (text, default_year, span text, kind, (year, month, day), end (y, m, d) | None, time, tz,
#  deadline)
DATE_CASES: list[
    tuple[
        str,
        int | None,
        str,
        str,
        tuple[int | None, int, int | None],
        tuple[int | None, int, int] | None,
        dt.time | None,
        str | None,
        dt.datetime | None,
    ]
] = [
    (
        "jusqu'au 28 juillet 2023 à minuit",
        None,
        "28 juillet 2023 à minuit",
        "day",
        (2023, 7, 28),
        None,
        T(23, 59, 59),
        None,
        _paris(2023, 7, 28, 23, 59, 59),
    ),
    (
        "le 30 avril 2021 à 12h",
        None,
        "30 avril 2021 à 12h",
        "day",
        (2021, 4, 30),
        None,
        T(12, 0),
        None,
        _paris(2021, 4, 30, 12, 0),
    ),
    (
        "avant le 15/09/2023 minuit",
        None,
        "15/09/2023 minuit",
        "day",
        (2023, 9, 15),
        None,
        T(23, 59, 59),
        None,
        _paris(2023, 9, 15, 23, 59, 59),
    ),
    (
        "jusqu'au 4 octobre 2022 - 12 heures (heure de la Guadeloupe)",
        None,
        "4 octobre 2022 - 12 heures (heure de la Guadeloupe)",
        "day",
        (2022, 10, 4),
        None,
        T(12, 0),
        "America/Guadeloupe",
        dt.datetime(2022, 10, 4, 12, 0, tzinfo=ZoneInfo("America/Guadeloupe")),
    ),
    (
        "du 10 juillet au 15 septembre",
        None,
        "du 10 juillet au 15 septembre",
        "range",
        (None, 7, 10),
        (None, 9, 15),
        None,
        None,
        None,
    ),
    (
        "du 10 juillet au 15 septembre",
        2023,
        "du 10 juillet au 15 septembre",
        "range",
        (2023, 7, 10),
        (2023, 9, 15),
        None,
        None,
        _paris(2023, 9, 15, 23, 59, 59),
    ),
    (
        "du 10 juillet au 15 septembre 2023",
        None,
        "du 10 juillet au 15 septembre 2023",
        "range",
        (2023, 7, 10),
        (2023, 9, 15),
        None,
        None,
        _paris(2023, 9, 15, 23, 59, 59),
    ),
    (
        "du 10 juillet 2022 au 15 janvier 2023",
        None,
        "du 10 juillet 2022 au 15 janvier 2023",
        "range",
        (2022, 7, 10),
        (2023, 1, 15),
        None,
        None,
        _paris(2023, 1, 15, 23, 59, 59),
    ),
    (
        "du 10 novembre au 15 janvier 2024",
        None,
        "du 10 novembre au 15 janvier 2024",
        "range",
        (2023, 11, 10),
        (2024, 1, 15),
        None,
        None,
        _paris(2024, 1, 15, 23, 59, 59),
    ),
    (
        "Dépôt des candidatures du 1er au 30 juin 2024",
        None,
        "du 1er au 30 juin 2024",
        "range",
        (2024, 6, 1),
        (2024, 6, 30),
        None,
        None,
        _paris(2024, 6, 30, 23, 59, 59),
    ),
    (
        "entre le 1er mars et le 30 avril 2024",
        None,
        "entre le 1er mars et le 30 avril 2024",
        "range",
        (2024, 3, 1),
        (2024, 4, 30),
        None,
        None,
        _paris(2024, 4, 30, 23, 59, 59),
    ),
    (
        "du lundi 4 mars au vendredi 12 avril 2024 à 17h",
        None,
        "du lundi 4 mars au vendredi 12 avril 2024 à 17h",
        "range",
        (2024, 3, 4),
        (2024, 4, 12),
        T(17, 0),
        None,
        _paris(2024, 4, 12, 17, 0),
    ),
    (
        "du 15/09/2023 au 15/10/2023",
        None,
        "du 15/09/2023 au 15/10/2023",
        "range",
        (2023, 9, 15),
        (2023, 10, 15),
        None,
        None,
        _paris(2023, 10, 15, 23, 59, 59),
    ),
    (
        "d'ici décembre 2023",
        None,
        "décembre 2023",
        "month",
        (2023, 12, None),
        None,
        None,
        None,
        _paris(2023, 12, 31, 23, 59, 59),
    ),
    (
        "avril 2023",
        None,
        "avril 2023",
        "month",
        (2023, 4, None),
        None,
        None,
        None,
        _paris(2023, 4, 30, 23, 59, 59),
    ),
    (
        "fin Fevrier 2024",
        None,
        "Fevrier 2024",
        "month",
        (2024, 2, None),
        None,
        None,
        None,
        _paris(2024, 2, 29, 23, 59, 59),
    ),
    ("1er mars 2024", None, "1er mars 2024", "day", (2024, 3, 1), None, None, None, None),
    ("lundi 3 avril 2023", None, "3 avril 2023", "day", (2023, 4, 3), None, None, None, None),
    ("15/09/2023", None, "15/09/2023", "day", (2023, 9, 15), None, None, None, None),
    ("15.09.2023", None, "15.09.2023", "day", (2023, 9, 15), None, None, None, None),
    ("15-09-2023", None, "15-09-2023", "day", (2023, 9, 15), None, None, None, None),
    ("15/09/23", None, "15/09/23", "day", (2023, 9, 15), None, None, None, None),
    ("2023-09-15", None, "2023-09-15", "day", (2023, 9, 15), None, None, None, None),
    ("05/04/2023", None, "05/04/2023", "day", (2023, 4, 5), None, None, None, None),
    ("le 5/4/2023.", None, "5/4/2023", "day", (2023, 4, 5), None, None, None, None),
    ("28 juillet", None, "28 juillet", "day", (None, 7, 28), None, None, None, None),
    (
        "28 juillet",
        2023,
        "28 juillet",
        "day",
        (2023, 7, 28),
        None,
        None,
        None,
        _paris(2023, 7, 28, 23, 59, 59),
    ),
    (
        "le 15 mars 2024 à 23h59",
        None,
        "15 mars 2024 à 23h59",
        "day",
        (2024, 3, 15),
        None,
        T(23, 59),
        None,
        _paris(2024, 3, 15, 23, 59),
    ),
    (
        "le 15 mars 2024 à 17 h 30",
        None,
        "15 mars 2024 à 17 h 30",
        "day",
        (2024, 3, 15),
        None,
        T(17, 30),
        None,
        _paris(2024, 3, 15, 17, 30),
    ),
    (
        "le 15 mars 2024 à 12:00",
        None,
        "15 mars 2024 à 12:00",
        "day",
        (2024, 3, 15),
        None,
        T(12, 0),
        None,
        _paris(2024, 3, 15, 12, 0),
    ),
    (
        "le 15 mars 2024 avant midi",
        None,
        "15 mars 2024 avant midi",
        "day",
        (2024, 3, 15),
        None,
        T(12, 0),
        None,
        _paris(2024, 3, 15, 12, 0),
    ),
    (
        "le 15 mars 2024 à midi",
        None,
        "15 mars 2024 à midi",
        "day",
        (2024, 3, 15),
        None,
        T(12, 0),
        None,
        _paris(2024, 3, 15, 12, 0),
    ),
    (
        "le 15 mars 2024, 12H00",
        None,
        "15 mars 2024, 12H00",
        "day",
        (2024, 3, 15),
        None,
        T(12, 0),
        None,
        _paris(2024, 3, 15, 12, 0),
    ),
    (
        "au plus tard le 31 janvier 2024 (minuit)",
        None,
        "31 janvier 2024 (minuit)",
        "day",
        (2024, 1, 31),
        None,
        T(23, 59, 59),
        None,
        _paris(2024, 1, 31, 23, 59, 59),
    ),
    (
        "avant 12h, le 15 mars 2024",
        None,
        "avant 12h, le 15 mars 2024",
        "day",
        (2024, 3, 15),
        None,
        T(12, 0),
        None,
        _paris(2024, 3, 15, 12, 0),
    ),
    (
        "Date limite :\n28 juillet 2023\nà minuit",
        None,
        "28 juillet 2023\nà minuit",
        "day",
        (2023, 7, 28),
        None,
        T(23, 59, 59),
        None,
        _paris(2023, 7, 28, 23, 59, 59),
    ),
    (
        "le 15 mars 2024 à 12h (heure de Paris)",
        None,
        "15 mars 2024 à 12h (heure de Paris)",
        "day",
        (2024, 3, 15),
        None,
        T(12, 0),
        "Europe/Paris",
        _paris(2024, 3, 15, 12, 0),
    ),
    (
        "2023-09-15T12:00",
        None,
        "2023-09-15T12:00",
        "day",
        (2023, 9, 15),
        None,
        T(12, 0),
        None,
        _paris(2023, 9, 15, 12, 0),
    ),
    # Months: accents or not, capitals, abbreviations.
    ("3 Août 2023", None, "3 Août 2023", "day", (2023, 8, 3), None, None, None, None),
    ("3 aout 2023", None, "3 aout 2023", "day", (2023, 8, 3), None, None, None, None),
    ("3 AOÛT 2023", None, "3 AOÛT 2023", "day", (2023, 8, 3), None, None, None, None),
    ("3 fevrier 2023", None, "3 fevrier 2023", "day", (2023, 2, 3), None, None, None, None),
    ("3 février 2023", None, "3 février 2023", "day", (2023, 2, 3), None, None, None, None),
    ("3 décembre 2023", None, "3 décembre 2023", "day", (2023, 12, 3), None, None, None, None),
    ("3 janv. 2024", None, "3 janv. 2024", "day", (2024, 1, 3), None, None, None, None),
    ("3 févr. 2024", None, "3 févr. 2024", "day", (2024, 2, 3), None, None, None, None),
    ("3 sept. 2024", None, "3 sept. 2024", "day", (2024, 9, 3), None, None, None, None),
    ("3 déc. 2024", None, "3 déc. 2024", "day", (2024, 12, 3), None, None, None, None),
    ("3 Juin 2024", None, "3 Juin 2024", "day", (2024, 6, 3), None, None, None, None),
    ("3 juillet 2024", None, "3 juillet 2024", "day", (2024, 7, 3), None, None, None, None),
]


@pytest.mark.parametrize(
    ("text", "default_year", "span", "kind", "ymd", "end_ymd", "time_", "tz", "deadline"),
    DATE_CASES,
)
def test_find_dates(
    text: str,
    default_year: int | None,
    span: str,
    kind: str,
    ymd: tuple[int | None, int, int | None],
    end_ymd: tuple[int | None, int, int] | None,
    time_: dt.time | None,
    tz: str | None,
    deadline: dt.datetime | None,
) -> None:
    found = find_dates(text, default_year=default_year)
    assert len(found) == 1, found
    [m] = found
    assert isinstance(m, DateMatch)
    assert m.text == span == text[m.start : m.end]
    assert m.kind == kind
    assert (m.year, m.month, m.day) == ymd
    if end_ymd is not None:
        assert (m.end_year, m.end_month, m.end_day) == end_ymd
    else:
        assert (m.end_year, m.end_month, m.end_day) == (None, None, None)
    assert m.time == time_
    assert m.tz == tz
    if deadline is not None:
        got = m.to_deadline()
        assert got == deadline
        assert got is not None and got.utcoffset() == deadline.utcoffset()
    elif ymd[0] is None:
        assert m.to_deadline() is None


@pytest.mark.parametrize(
    ("zone_text", "zone"),
    [
        ("heure de Paris", "Europe/Paris"),
        ("heure métropolitaine", "Europe/Paris"),
        ("heure de la Martinique", "America/Martinique"),
        ("heure de La Réunion", "Indian/Reunion"),
        ("heure de la Réunion", "Indian/Reunion"),
        ("heure de Guyane", "America/Cayenne"),
        ("heure de Mayotte", "Indian/Mayotte"),
        ("heure de Nouvelle-Calédonie", "Pacific/Noumea"),
        ("heure de Polynésie", "Pacific/Tahiti"),
        ("heure de Saint-Pierre-et-Miquelon", "America/Miquelon"),
        ("heure de la Guadeloupe", "America/Guadeloupe"),
    ],
)
def test_time_zones(zone_text: str, zone: str) -> None:
    text = f"Clôture le 3 juin 2024 à 12h00 ({zone_text})."
    [m] = find_dates(text)
    assert m.tz == zone
    assert m.text == f"3 juin 2024 à 12h00 ({zone_text})"
    assert m.to_deadline() == dt.datetime(2024, 6, 3, 12, 0, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2023",
        "32 mars 2023",
        "31 avril 2023",
        "29/02/2023",
        "15/13/2023",
        "Tél. : 04.77.43.71.78",
        "01.02.03.04.05",
        "19 projets en 2023",
        "RCO 14",
        "15/09",
        "",
    ],
)
def test_no_date(text: str) -> None:
    assert find_dates(text) == []
    assert parse_deadline(text) is None


def test_several_dates_in_order() -> None:
    text = (
        "1re vague : avant le 15 mars 2024 à 12h ; 2e vague : avant le 15/09/2024 minuit. "
        "Comité de sélection en décembre 2024."
    )
    found = find_dates(text)
    assert [m.text for m in found] == [
        "15 mars 2024 à 12h",
        "15/09/2024 minuit",
        "décembre 2024",
    ]
    assert [m.kind for m in found] == ["day", "day", "month"]
    assert [m.to_deadline() for m in found] == [
        _paris(2024, 3, 15, 12, 0),
        _paris(2024, 9, 15, 23, 59, 59),
        _paris(2024, 12, 31, 23, 59, 59),
    ]


def test_to_date() -> None:
    [day] = find_dates("le 1er mars 2024")
    assert day.to_date() == dt.date(2024, 3, 1)
    [rng] = find_dates("du 10 juillet au 15 septembre 2023")
    assert rng.to_date() == dt.date(2023, 7, 10)
    [month] = find_dates("avril 2023")
    assert month.to_date() is None
    [no_year] = find_dates("28 juillet")
    assert no_year.to_date() is None


def test_span_reparses_to_same_date() -> None:
    """A caller re-reads a match's own span with a default year (extractors/call/calendar)."""
    text = "Candidatures du 10 juillet au 15 septembre ; dépôt jusqu'au 28 juillet à minuit."
    for m in find_dates(text):
        again = find_dates(text[m.start : m.end], default_year=2023)[0]
        assert (again.kind, again.month, again.day, again.time) == (m.kind, m.month, m.day, m.time)
        assert again.to_deadline() is not None


def test_default_year_does_not_invent_a_29_february() -> None:
    [m] = find_dates("jusqu'au 29 février", default_year=2023)
    assert (m.year, m.month, m.day) == (None, 2, 29)


@pytest.mark.parametrize(
    ("text", "default_year", "default_tz", "expected"),
    [
        ("Date limite : 28 juillet 2023 à minuit", None, "Europe/Paris", (2023, 7, 28, 23, 59, 59)),
        ("le 30 avril 2021 à 12h", None, "Europe/Paris", (2021, 4, 30, 12, 0)),
        ("28 juillet", 2023, "Europe/Paris", (2023, 7, 28, 23, 59, 59)),
        ("28 juillet", None, "Europe/Paris", None),
        ("du 10 juillet au 15 septembre", None, "Europe/Paris", None),
        ("avril 2023", None, "Europe/Paris", (2023, 4, 30, 23, 59, 59)),
        ("le 15/09/2023", None, "America/Cayenne", (2023, 9, 15, 23, 59, 59)),
        ("aucune date ici", None, "Europe/Paris", None),
    ],
)
def test_parse_deadline(
    text: str,
    default_year: int | None,
    default_tz: str,
    expected: tuple[int, ...] | None,
) -> None:
    got = parse_deadline(text, default_year=default_year, default_tz=default_tz)
    if expected is None:
        assert got is None
    else:
        assert got == dt.datetime(*expected, tzinfo=ZoneInfo(default_tz))
        assert got is not None and got.tzinfo is not None


def test_parse_deadline_named_zone_wins_over_default() -> None:
    got = parse_deadline("jusqu'au 4 octobre 2022 - 12 heures (heure de la Guadeloupe)")
    assert got is not None
    assert got.isoformat() == "2022-10-04T12:00:00-04:00"
    midnight = parse_deadline("28 juillet 2023 à minuit")
    noon = parse_deadline("le 30 avril 2021 à 12h")
    assert midnight is not None and midnight.isoformat() == "2023-07-28T23:59:59+02:00"
    assert noon is not None and noon.isoformat() == "2021-04-30T12:00:00+02:00"


# ---------------------------------------------------------------------------
# Number words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vingt-cinq mille", 25000),
        ("quatre-vingts", 80),
        ("quatre-vingt", 80),
        ("soixante-dix", 70),
        ("soixante et onze", 71),
        ("soixante-douze", 72),
        ("quatre-vingt-dix-sept", 97),
        ("quatre-vingt-onze", 91),
        ("vingt et un", 21),
        ("vingt-et-un", 21),
        ("dix-sept", 17),
        ("cent", 100),
        ("cent un", 101),
        ("deux cents", 200),
        ("deux cent mille", 200000),
        ("mille", 1000),
        ("mille deux cent trente-quatre", 1234),
        ("un million", 1000000),
        ("deux millions cinq cent mille", 2500000),
        ("trois milliards", 3000000000),
        ("Cinquante", 50),
        ("zéro", 0),
        ("septante-cinq", 75),
        ("nonante", 90),
        ("deux trois", None),
        ("vingt trente", None),
        ("cent cent", None),
        ("mille mille", None),
        ("et", None),
        ("vingt et", None),
        ("bonjour", None),
        ("vingt-cinq euros", None),
        ("25", None),
        ("", None),
    ],
)
def test_parse_number_words(text: str, expected: int | None) -> None:
    assert parse_number_words(text) == expected


# ---------------------------------------------------------------------------
# Robustness: never raise, spans consistent, no catastrophic backtracking
# ---------------------------------------------------------------------------

FRAGMENTS = [
    "0",
    "1",
    "12",
    "2023",
    "000",
    "75",
    "1er",
    " ",
    "\u00a0",
    "\u202f",
    "\u2009",
    "\n",
    ",",
    ".",
    "/",
    "-",
    ":",
    "(",
    ")",
    "'",
    "€",
    "%",
    "‰",
    "k€",
    "M€",
    "EUR",
    "euros",
    "d'",
    "HT",
    "TTC",
    "millions",
    "mille",
    "vingt",
    "quatre",
    "et",
    "un",
    "pour cent",
    "pour 100",
    "janvier",
    "février",
    "fevrier",
    "mars",
    "Août",
    "sept.",
    "déc.",
    "juin",
    "du",
    "au",
    "entre",
    "le",
    "lundi",
    "à",
    "avant",
    "minuit",
    "midi",
    "h",
    "heures",
    "heure de la Guadeloupe",
    "UTC+",
    "T",
]
french_ish = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
HYPOTHESIS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_all(text: str) -> None:
    for m in find_amounts(text):
        assert text[m.start : m.end] == m.text
        assert isinstance(m.value, Decimal)
        assert m.basis in (None, "ht", "ttc")
    for m in find_rates(text):
        assert text[m.start : m.end] == m.text
        assert isinstance(m.value, Decimal)
    for year in (None, 2023):
        previous_end = 0
        for m in find_dates(text, default_year=year):
            assert text[m.start : m.end] == m.text
            assert m.start >= previous_end
            previous_end = m.end
            assert m.kind in ("day", "month", "range")
            assert 1 <= m.month <= 12
            m.to_date()
            deadline = m.to_deadline()
            assert deadline is None or deadline.tzinfo is not None
        parse_deadline(text, default_year=year)
    parse_amount(text)
    parse_rate(text)
    parse_number_words(text)


@HYPOTHESIS
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    _check_all(text)


@HYPOTHESIS
@given(french_ish)
def test_never_raises_on_french_fragments(text: str) -> None:
    _check_all(text)


@HYPOTHESIS
@given(french_ish)
def test_amounts_and_rates_do_not_overlap(text: str) -> None:
    for found in (find_amounts(text), find_rates(text)):
        for left, right in zip(found, found[1:], strict=False):
            assert left.end <= right.start


@HYPOTHESIS
@given(
    st.integers(min_value=1, max_value=999_999_999),
    st.sampled_from([" ", "\u00a0", "\u202f", "."]),
    st.sampled_from([" €", "€", " euros", " EUR"]),
)
def test_grouped_amount_roundtrip(value: int, sep: str, currency: str) -> None:
    digits = f"{value:,}".replace(",", sep)
    text = f"une aide de {digits}{currency} par projet"
    [m] = find_amounts(text)
    assert m.value == value
    assert m.text == f"{digits}{currency}"


@HYPOTHESIS
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_numeric_dates_are_day_first(day: dt.date) -> None:
    for text in (f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year}", day.isoformat()):
        [m] = find_dates(f"avant le {text} minuit")
        assert m.to_date() == day
        assert m.to_deadline() == dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=PARIS)


@pytest.mark.parametrize("unit", ["1 1 1 1 ", "€ ", "000 ", "un ", "du 1 au ", "1/1/", "15 mars "])
def test_large_inputs_scale_linearly(unit: str) -> None:
    """No catastrophic backtracking: eight times more text costs about eight times more
    (quadratic would be 64 times). A ratio, not a wall-clock limit, so that a slow or
    busy machine does not fail it."""

    def cost(size: int, parse) -> float:  # type: ignore[no-untyped-def]
        text = unit * (size // len(unit))
        began = time.perf_counter()
        parse(text)
        return time.perf_counter() - began

    for parse in (find_amounts, find_rates, find_dates):
        small = max(cost(50_000, parse), 1e-3)
        large = cost(400_000, parse)
        assert large / small < 25, (unit, parse.__name__, small, large)
