"""What is asked for and when: project title, summary, theme (the call's axis the
applicant names), start and end dates, the date of the signed request and whether it is
signed at all.

A month without a day ("septembre 2023") is not a date: it stays null with a warning,
never the 1st of the month. The submission date is the one beside the request's
signature; failing that, the arrival date given by the caller, flagged as such.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from extractors.dossier.identity import found, from_pair, own_pieces
from extractors.dossier.labels import Labelled, find_value
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.models import Evidence, Sourced
from pipeline.text import find_dates

LABELS = {
    key: re.compile(rx)
    for key, rx in {
        "project_title": r"^(?:intitule|titre|nom|objet|libelle)(?: (?:du|de l'|de la))? ?"
        r"(?:projet|operation|action|programme)?$|^intitule\b|^titre du projet|"
        r"^nom du projet|^objet de la demande|^intitule de l'operation|^projet$",
        "project_summary": r"^(?:resume|synthese|description (?:synthetique|sommaire|courte|"
        r"du projet)|presentation (?:synthetique |succincte )?du projet|objet du projet|"
        r"objectifs? du projet)",
        "theme": r"^(?:axe|thematique|theme|volet|priorite|orientation)(?: (?:de l'appel|"
        r"vise|concerne|retenu|choisi))?\b|^(?:axe|volet) (?:de l'appel|concerne)",
        "start_on": r"(?:date (?:previsionnelle )?de (?:debut|demarrage|commencement|lancement)|"
        r"^debut(?: (?:du projet|de l'operation|des travaux|previsionnel))?$|"
        r"demarrage (?:du projet|de l'operation|previsionnel))",
        "end_on": r"(?:date (?:previsionnelle )?(?:de fin|d'achevement|de livraison|"
        r"de realisation)|^fin(?: (?:du projet|de l'operation|des travaux|previsionnelle))?$|"
        r"achevement (?:du projet|de l'operation|previsionnel))",
        "signature_date": r"^(?:date(?: de (?:la )?(?:signature|demande))?|fait le|le)$",
        "signature": r"^signature\b|^signe\b",
    }.items()
}

# "Fait à Feurs, le 12 juillet 2023" — the request's own date.
_FAIT_A = re.compile(r"\bfait (?:a|au|en) ([^\n,]{2,60}?)[ ,]+le\b")
_FAIT_LE = re.compile(r"\bfait le\b")


@dataclass
class Project:
    project_title: Sourced[Any] = field(default_factory=Sourced)
    project_summary: Sourced[Any] = field(default_factory=Sourced)
    theme: Sourced[Any] = field(default_factory=Sourced)
    start_on: Sourced[Any] = field(default_factory=Sourced)
    end_on: Sourced[Any] = field(default_factory=Sourced)
    submitted_on: Sourced[Any] = field(default_factory=Sourced)
    signed: Sourced[Any] = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


def extract_project(pieces: list[PieceView], received_on: dt.date | None = None) -> Project:
    own = own_pieces(pieces)
    out = Project()
    out.project_title = _text_value(own, "project_title", 200)
    out.project_summary = _summary(own)
    out.theme = _text_value(own, "theme", 250)
    out.start_on = _date_value(own, "start_on", out.warnings, "de début")
    out.end_on = _date_value(own, "end_on", out.warnings, "de fin")
    requests = [p for p in pieces if p.piece == "formulaire"]
    out.signed, signed_on = _signature(requests)
    if signed_on.found:
        out.submitted_on = signed_on
    elif received_on is not None:
        out.submitted_on = Sourced[Any](
            value=received_on,
            evidence=[
                Evidence(
                    document="(date d'arrivée du dossier)",
                    quote=f"dossier reçu le {received_on.isoformat()}",
                )
            ],
            confidence=0.4,
        )
        out.warnings.append(
            "Date de dépôt : aucune date lisible à côté de la signature de la demande ; la "
            f"date d'arrivée du dossier ({received_on.strftime('%d/%m/%Y')}) est retenue à "
            "défaut. À vérifier."
        )
    return out


def _text_value(own: list[PieceView], key: str, limit: int) -> Sourced[Any]:
    pair = find_value(own, LABELS[key])
    if pair is None or len(pair.value) > limit:
        return Sourced[Any]()
    return from_pair(pair, pair.value.strip())


def _summary(own: list[PieceView]) -> Sourced[Any]:
    """A labelled summary, else the first real paragraph of the descriptive note."""
    pair = find_value(own, LABELS["project_summary"])
    if pair is not None and len(pair.value) >= 30:
        return from_pair(pair, pair.value.strip(), 0.85)
    for piece in own:
        if piece.piece != "note_descriptive":
            continue
        for block in piece.blocks():
            text = piece.document.text[block.start : block.end]
            if block.kind == "paragraph" and len(text.split()) >= 12:
                return found(text.strip(), [piece.evidence(block.start, block.end)], 0.6)
    return Sourced[Any]()


def _date_value(own: list[PieceView], key: str, warnings: list[str], what: str) -> Sourced[Any]:
    pair = find_value(own, LABELS[key])
    if pair is None:
        return Sourced[Any]()
    dates = find_dates(pair.value)
    if not dates:
        return Sourced[Any]()
    first = dates[0]
    day = first.to_date()
    if first.kind == "range" and key == "end_on" and first.end_day and first.end_year:
        day = dt.date(first.end_year, first.end_month or first.month, first.end_day)
    if day is None:
        warnings.append(
            f"Date {what} du projet donnée sans jour précis (« {first.text} », "
            f"{pair.piece.name}) : laissée vide."
        )
        return Sourced[Any]()
    return found(day, _span_evidence(pair, first.start, first.end), 0.85)


def _span_evidence(pair: Labelled, start: int, end: int) -> list[Evidence]:
    if pair.start is None:
        return [pair.evidence()]
    return [pair.piece.evidence(pair.start + start, pair.start + end)]


# --------------------------------------------------------------------------- signature


def _signature(requests: list[PieceView]) -> tuple[Sourced[Any], Sourced[Any]]:
    """(signed, date of signature) from the request: "Fait à X, le <date>" with a
    signatory → signed; the block left as dots → not signed; no request → unknown."""
    if not requests:
        return Sourced[Any](), Sourced[Any]()
    for piece in requests:
        result = _form_signature(piece) or _text_signature(piece)
        if result is not None:
            return result
    piece = requests[0]
    return Sourced[Any](), Sourced[Any]()


def _form_signature(piece: PieceView) -> tuple[Sourced[Any], Sourced[Any]] | None:
    fields = piece.form_fields
    if not fields:
        return None
    date_pair = None
    for name, value in fields.items():
        label = fold(name.replace("_", " "))
        if re.search(r"date.{0,12}(?:signature|demande)|^fait le|^date$", label):
            date_pair = (name, value)
    if date_pair is None:
        return None
    name, value = date_pair
    dates = find_dates(value)
    evidence = [piece.field_evidence(name)]
    if dates and dates[0].to_date():
        return found(True, evidence, 0.8), found(dates[0].to_date(), evidence, 0.9)
    return found(False, evidence, 0.7), Sourced[Any]()


def _text_signature(piece: PieceView) -> tuple[Sourced[Any], Sourced[Any]] | None:
    text = piece.document.text
    folded = fold(text[piece.start : piece.end])
    matches = list(_FAIT_A.finditer(folded)) or list(_FAIT_LE.finditer(folded))
    if not matches:
        return None
    m = matches[-1]  # the signature block closes the request
    line_end = folded.find("\n", m.end())
    line_end = len(folded) if line_end < 0 else line_end
    s, e = piece.start + m.start(), piece.start + line_end
    dates = [d for d in find_dates(text[s:e]) if d.to_date()]
    block = piece.evidence(s, e)
    if not dates or re.search(r"\.{3,}|…|_{3,}", text[s:e]):
        return found(False, [block], 0.7), Sourced[Any]()
    day = dates[0]
    date_ev = piece.evidence(s + day.start, s + day.end)
    return found(True, [block], 0.8), found(day.to_date(), [date_ev], 0.9)
