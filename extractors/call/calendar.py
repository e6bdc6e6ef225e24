"""Opening date and deposit deadlines of a call.

A date is a deadline only when its clause speaks of depositing ("date limite de dépôt",
"candidatures jusqu'au", "1re vague : avant le…") and not of what comes after (instruction,
committee, works, payment). A day and month without a year stay unknown (null + warning)
unless the notice dates itself (a year in its title).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from extractors.call.notice import Notice
from extractors.lexicon import fold
from pipeline.models import Evidence, Sourced
from pipeline.text import DateMatch, find_dates

_DEPOSIT = re.compile(
    r"depot|deposer|depose|candidature|dossiers?|date limite|cloture|clos\b|remise|reception|recus?\b"
    r"|transmis|envoy|vague|session|releve|appel a (?:projets|partenariat|candidatures)|ouvert|soumission|inscription"
)
_NOT_DEPOSIT = re.compile(
    r"incomplets?|completer|completes? (?:avant|au plus tard|sous)|pieces? (?:manquantes|complementaires)|eligibilite des depenses|fin d'eligibilite|prise en compte des depenses|depenses? (?:realisees|engagees|acquittees)"
    r"|instruction|examen|comite|copil|commission|jury|notification|realis|achev|demarr|commenc|execution"
    r"|justificati|versement|paiement|travaux|selection|decision|convention|deliber|audition|publication des resultats"
    r"|operations? (?:devront|doivent)|projets? (?:devront|doivent) (?:etre|se)"
)
_OPENING = re.compile(r"ouverture|\bouvert|lancement|a compter du|a partir du|des le|debut")
_DEADLINE = re.compile(
    r"date limite|au plus tard|avant le|jusqu'au|jusqu'a|cloture|clos|limite|vague|session|releve|fin\b|d'ici le|au \d"
)
_SELF_DATING = re.compile(
    r"(?:publie\w*|mise? a jour|^[\w' -]{2,40}, le|\n[\w' -]{2,40}, le)\s*(?:le|:)?\s*$"
)
_YEAR = re.compile(r"\b(20\d{2})\b")


@dataclass
class CalendarFacts:
    opens_on: Sourced = field(default_factory=Sourced)
    closes_at: Sourced = field(default_factory=Sourced)
    deadlines: Sourced = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


_DATED = re.compile(
    r"(?:^|\n)\s*(?:[A-ZÉÈ][\w'’ -]{1,40}, le |(?:publi[ée]e?|mis à jour|mise à jour|date de publication|fait à [\w' -]+)\s*(?:le|:)?\s*)",
    re.I,
)


def notice_date(notice: Notice, title: str | None) -> tuple[date | None, int | None]:
    """The date the notice gives itself ("Orléans, le 6 janvier 2025", "Publié le 12
    décembre 2024") and, failing that, the year of its title ("Appel à partenariat 2023").
    Only these date a day and month written without a year."""
    text = notice.doc.text[:4000]
    for m in _DATED.finditer(text):
        found = find_dates(text[m.end() : m.end() + 40])
        if found and found[0].start == 0 and found[0].to_date() is not None:
            day = found[0].to_date()
            return day, day.year if day else None
    if title:
        years = _YEAR.findall(title)
        if len(set(years)) == 1:
            return None, int(years[0])
    return None, None


def extract_calendar(notice: Notice, title: str | None) -> CalendarFacts:
    facts = CalendarFacts()
    dated_on, doc_year = notice_date(notice, title)
    deadlines: dict[datetime, list[Evidence]] = {}
    openings: dict[date, list[Evidence]] = {}
    inferred_year = False

    for unit in notice.units:
        # Dates are read on the whole block: the sentence splitter may cut "4 octobre
        # 2024 - 12 heures (heure de la Guadeloupe)" in two, the date parser does not.
        dates = find_dates(unit.text)
        if not dates:
            continue
        folded = fold(unit.text)
        sentences = [
            (x.start - unit.start, x.end - unit.start) for x in notice.sentences if x.unit is unit
        ]
        for dm in dates:
            a, b = _clause_around(folded, sentences, dm.start)
            b = max(b, dm.end)
            # Cues are read near the date, not across a long sentence that lists the
            # pieces of the file ("délibération…") before "déposé au plus tard le…".
            near_before = folded[max(a, dm.start - 100) : dm.start]
            header = fold(notice.table_header(unit))
            if header:  # a date in a table takes its meaning from the column headers
                near_before = header + " " + near_before
            near_after = folded[dm.end : min(b, dm.end + 40)]
            if _SELF_DATING.search(near_before[-40:]):
                continue  # "Orléans, le 6 janvier 2025": the notice's own date
            if not _DEPOSIT.search(near_before + " " + near_after):
                continue
            if _NOT_DEPOSIT.search(near_before[-70:] + " " + near_after[:25]):
                continue
            ev = notice.evidence(unit.start + a, unit.start + b)
            dated = dm
            if dm.year is None and doc_year is not None:
                year = doc_year
                if dated_on is not None and (dm.month, dm.day or 1) < (
                    dated_on.month,
                    dated_on.day,
                ):
                    year += 1  # dated 15 November, deadline 15 January: the next year
                end_year = None
                if dm.kind == "range":
                    # "du 15 novembre au 15 janvier": the end falls in the next year.
                    ends_before = (dm.end_month or dm.month, dm.end_day or 31) < (
                        dm.month,
                        dm.day or 1,
                    )
                    end_year = year + 1 if ends_before else year
                dated = replace(dm, year=year, end_year=end_year)
                inferred_year = True
            before = folded[max(a, dm.start - 60) : dm.start]
            if dm.kind == "range":
                _record_range(dated, ev, openings, deadlines, facts.warnings)
            elif dm.kind == "month":
                facts.warnings.append(
                    f"Date donnée au mois seulement (« {dm.text} ») : non retenue comme date "
                    f"d'ouverture ou de clôture, à préciser. Source : « {ev.quote} »"
                )
            elif _OPENING.search(before) and not _DEADLINE.search(before[-25:]):
                day = dated.to_date()
                if day is None:
                    facts.warnings.append(_no_year(dm.text, ev.quote))
                else:
                    openings.setdefault(day, []).append(ev)
            else:
                deadline = dated.to_deadline()
                if deadline is None:
                    facts.warnings.append(_no_year(dm.text, ev.quote))
                else:
                    deadlines.setdefault(deadline, []).append(ev)

    if inferred_year and (deadlines or openings):
        source = f"de la date de l'avis ({dated_on:%d/%m/%Y})" if dated_on else "du titre de l'avis"
        facts.warnings.append(
            f"Année des dates sans année complétée à partir {source} ({doc_year}) : à vérifier."
        )
    confidence = 0.7 if inferred_year else 0.9
    if openings:
        first = min(openings)
        facts.opens_on = Sourced(value=first, evidence=openings[first], confidence=confidence)
    if deadlines:
        ordered = sorted(deadlines)
        evidence = [e for d in ordered for e in deadlines[d]]
        facts.deadlines = Sourced(value=ordered, evidence=evidence, confidence=confidence)
        last = ordered[-1]
        facts.closes_at = Sourced(value=last, evidence=deadlines[last], confidence=confidence)
    return facts


def _clause_around(folded: str, sentences: list[tuple[int, int]], at: int) -> tuple[int, int]:
    """The clause holding offset `at`: its sentence, cut at ";" and line breaks."""
    lo, hi = next(((a, b) for a, b in sentences if a <= at < b), (0, len(folded)))
    seg_lo, seg_hi = lo, hi
    for m in re.finditer(r"[;\n]", folded[lo:hi]):
        pos = lo + m.start()
        if pos < at:
            seg_lo = pos + 1
        else:
            seg_hi = pos
            break
    return seg_lo, seg_hi


def _record_range(
    dm: DateMatch,
    ev: Evidence,
    openings: dict[date, list[Evidence]],
    deadlines: dict[datetime, list[Evidence]],
    warnings: list[str],
) -> None:
    start_year = dm.year
    if start_year is None:
        warnings.append(_no_year(dm.text, ev.quote))
        return
    openings.setdefault(date(start_year, dm.month, dm.day or 1), []).append(ev)
    deadline = dm.to_deadline()
    if deadline is not None:
        deadlines.setdefault(deadline, []).append(ev)


def _no_year(text: str, quote: str) -> str:
    return (
        f"Date sans année (« {text} ») et avis non daté : date laissée vide, à compléter "
        f"à la main. Source : « {quote} »"
    )
