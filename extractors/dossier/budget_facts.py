"""Amounts a request states in words rather than in a plan's lines: "Montant sollicité :
12 000 €", "La commune sollicite une subvention de 12 000 € soit 50 %", "Coût total du
projet : 24 000 € HT", "Autofinancement : 12 000 €", "Taux sollicité : 50 %"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.dossier.budget_plan import Found
from extractors.dossier.budget_rows import BARE_NUMBER
from extractors.dossier.views import PieceView
from extractors.lexicon import fold, tax_basis
from pipeline.text import find_amounts, find_rates, parse_amount

_REQUESTED = re.compile(
    r"\b(?:montant|subvention|aide|financement|participation|concours)s?\s+(?:de l'aide\s+"
    r"|de la subvention\s+|financier\s+|financiere\s+)?(?:sollicitee?s?|demandee?s?)\b"
    r"|\bsollicit\w*\s+(?:(?:de|du|des|aupres de|aupres du|aupres des)\s+[^.;:]{0,60}?\s+)?"
    r"(?:une|la|un|l')\s*(?:subvention|aide|participation|financement|concours)"
    r"(?:\s+(?:financiere|financier|d'un montant|au titre)\b)?|\baide demandee\b"
    r"|\bmontant de l'aide\b|\bdemand(?:e|ons|er)\s+(?:une|la|un|l')\s*(?:subvention|aide"
    r"|participation|financement)\b|\bsollicit(?:e|ons|ent)\b(?=\s+\d[\d .,]*\s*(?:€|euros?\b))"
)
_RATE = re.compile(
    r"\btaux\s+(?:d'aide\s+|de (?:la )?subvention\s+|d'intervention\s+|de financement\s+"
    r"|de l'aide\s+)?(?:sollicite|demande)e?\b"
    # "propose de solliciter le Département à hauteur de 80 %"
    r"|\bsollicit\w*\s+[^.;:%€]{0,80}?\b(?:a hauteur de|au taux de)(?=\s+\d[\d,.]*\s*%)"
)
_TOTAL = re.compile(
    r"\b(?:cout|montant|budget)s?\s+(?:total|global)e?(?:\s+(?:previsionnel|estime)e?)?"
    r"(?:\s+(?:du projet|de l'operation|de l'action|des depenses|du programme))?"
    r"|\btotal des depenses\b|\bdepenses totales\b"
)
_SELF = re.compile(
    r"\bauto-?financement\b|\bfonds propres\b|\bpart (?:communale|intercommunale"
    r"|du maitre d'ouvrage)\b|\breste a charge\b"
)
_WINDOW = 90
# What introduces the rate of an amount just stated.
_RATE_LEAD = re.compile(
    r"(?:^\s*\(|\bsoit|\brepresent\w*|\bcorrespond\w*(?: a)?|\bequival\w*(?: a)?"
    r"|\btaux(?: d'aide| de subvention| d'intervention)?(?: de)?)\s*(?:un taux de\s*|d'un taux"
    r" de\s*|environ\s*)?$"
)
_STOP = re.compile(r"\n\s*\n|\.\s+[A-Z]|;")
_BARE_START = re.compile(r"^[\s:=–—-]*(?:d'un montant de|de|a|:)?\s*")


@dataclass
class Fact:
    kind: str  # "requested", "rate", "total", "self"
    found: Found


def scan_facts(piece: PieceView, skip: list[tuple[int, int]]) -> list[Fact]:
    """The stated amounts of the piece's text outside `skip` (plan lines already read)."""
    text = piece.text
    folded = fold(text)
    facts: list[Fact] = []
    for kind, rx in (
        ("requested", _REQUESTED),
        ("rate", _RATE),
        ("total", _TOTAL),
        ("self", _SELF),
    ):
        for m in rx.finditer(folded):
            start = piece.start + m.start()
            if any(s <= start < e for s, e in skip):
                continue
            if kind == "requested" and re.search(r"\btaux\s+(?:d'|de\s+)?$", folded[: m.start()]):
                continue  # "Taux d'aide sollicité : 90 %" is a rate
            window = _window(text, m.end())
            if kind == "rate":
                fact = _rate_fact(piece, text, m.start(), m.end(), window)
            else:
                fact = _amount_fact(piece, kind, text, m.start(), m.end(), window)
            if fact is not None:
                facts.append(fact)
                if kind == "requested":
                    rate = _rate_after(piece, text, fact, window)
                    if rate is not None:
                        facts.append(rate)
    return facts


def _window(text: str, at: int) -> str:
    """What follows a phrase, up to the end of its sentence. A phrase ending its line
    before a capitalised line is a heading ("MONTANT DE L'AIDE"): nothing follows it."""
    window = text[at : at + _WINDOW]
    stop = _STOP.search(window)
    window = window[: stop.start()] if stop else window
    heading = re.match(r"[\s:.]*\n\s*[A-ZÀ-Ý]", window)
    return "" if heading else window


def _amount_fact(
    piece: PieceView, kind: str, text: str, start: int, at: int, window: str
) -> Fact | None:
    amounts = find_amounts(window)
    if amounts and _plain_gap(window[: amounts[0].start]):
        first = amounts[0]
        end = at + first.end
        basis = first.basis or tax_basis(fold(text[start:end]))
        value = first.value
    else:
        # "Montant sollicité   12 000,00" in a table row or a form: a bare number.
        lead = _BARE_START.match(window)
        offset = lead.end() if lead else 0
        number = BARE_NUMBER.match(window, offset)
        if number is None or re.match(r"\s*(?:%|\.\s|\)|[a-zA-Z])", window[number.end() :]):
            return None  # "90 %", "4. Engagements", "12 tablettes": not an amount
        value = parse_amount(number.group())
        if value is None or value <= 0 or (value < 100 and value == value.to_integral_value()):
            return None
        end = at + number.end()
        basis = tax_basis(fold(text[start:end]))
    evidence = piece.evidence(piece.start + start, piece.start + end)
    return Fact(kind, Found(value, [evidence], 0.8, basis if basis in ("ht", "ttc") else None))


def _plain_gap(gap: str) -> bool:
    """The words between a phrase and its amount: "s'élève à", "régionale de", "auprès de
    la Région de". A comma, a semicolon or a label of its own ("Montant sollicité : voir
    plan. Coût total : 5 000 €") means the amount belongs to something else."""
    inner = gap.strip().strip(":").strip()
    return len(gap) <= 70 and not re.search(r"[,;:]|\.\s", inner)


def _rate_fact(piece: PieceView, text: str, start: int, at: int, window: str) -> Fact | None:
    rates = find_rates(window)
    if not rates or rates[0].value > 1:
        return None
    end = at + rates[0].end
    evidence = piece.evidence(piece.start + start, piece.start + end)
    return Fact("rate", Found(rates[0].value, [evidence], 0.8))


def _rate_after(piece: PieceView, text: str, fact: Fact, window: str) -> Fact | None:
    """ "Montant sollicité : 12 000 € soit 50 %", "… de 6 000 € au titre de l'appel, soit un
    taux de 60 %": a rate the same sentence gives for the amount just stated."""
    evidence = fact.found.evidence[0]
    if evidence.end is None or evidence.start is None:
        return None
    local_end = evidence.end - piece.start
    after = text[local_end : local_end + _WINDOW]
    stop = _STOP.search(after)
    after = after[: stop.start()] if stop else after
    rates = find_rates(after)
    if not rates or rates[0].value > 1 or find_amounts(after[: rates[0].start]):
        return None
    lead = fold(after[: rates[0].start])
    if not _RATE_LEAD.search(lead):
        return None
    end = evidence.end + rates[0].end
    return Fact("rate", Found(rates[0].value, [piece.evidence(evidence.start, end)], 0.8))
