"""Dated acts that may show the project started before the request (E04): a quote
accepted ("Bon pour accord" + date), an order, an invoice, a start-of-works order, a
signed contract. A quote that is merely dated is an offer, not a commitment.

The RIB's IBAN is read here too: both are facts read from the supporting pieces.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.dossier.identity import found
from extractors.dossier.pieces import find_ibans
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.ids import normalise_iban
from pipeline.models import Commitment, Evidence, Sourced
from pipeline.text import find_dates

# Strongest wording first: "Bon pour accord" is the acceptance itself.
_ACCEPTED = (
    re.compile(r"bon pour accord|lu et approuve|accord du client"),
    re.compile(r"devis (?:accepte|signe)"),
)
# Titles at the start of a line: "FACTURE N° F-2023-118", not "la facture électronique".
_TITLES = {
    "facture": re.compile(r"(?m)^\s*facture\b(?! pro-?forma| electronique)"),
    "commande": re.compile(r"(?m)^\s*(?:bon de commande\b|commande n°)"),
    "ordre_de_service": re.compile(r"(?m)^\s*ordre de service\b"),
    "marche": re.compile(r"(?m)^\s*(?:acte d'engagement\b|marche (?:public )?n°)"),
}
_DATE_LABEL = re.compile(
    r"date (?:de (?:la )?)?(?:facture|facturation|commande|emission|notification|signature)|"
    r"^date\b|\bdate ?:|\ble\b"
)
_NOT_ACT_DATE = re.compile(
    r"valab|validite|jusqu|echeance|livraison|expir|paiement|reglement|etabli|emis|"
    r"date du devis|devis n|du devis"
)
_WINDOW = 160  # characters after "Bon pour accord" where its date is written


def extract_commitments(pieces: list[PieceView]) -> Sourced[Any]:
    acts: list[Commitment] = []
    evidence: list[Evidence] = []
    for piece in pieces:
        folded = fold(piece.text)
        if piece.piece == "devis":
            hit = _accepted(piece, folded)
            if hit:
                on, ev = hit
                accepted = ev.quote.split("\n")[0].strip(" ,:;")
                label = f"{_label(piece)} — {accepted}"
                acts.append(Commitment(kind="devis_signe", on=on, label=label, document=piece.name))
                evidence.append(ev)
            continue
        if piece.piece not in ("autre", "devis"):
            continue
        head = folded[:600]
        for kind, rx in _TITLES.items():
            if rx.search(head):
                hit = _act_date(piece, folded)
                if hit:
                    on, ev = hit
                    acts.append(
                        Commitment(kind=kind, on=on, label=_label(piece), document=piece.name)
                    )
                    evidence.append(ev)
                break
    if not acts:
        return Sourced[Any]()
    return found(acts, evidence, 0.8)


def _accepted(piece: PieceView, folded: str) -> tuple[Any, Evidence] | None:
    for m in (m for rx in _ACCEPTED for m in rx.finditer(folded)):
        # The acceptance's date is on its line or the two after it ("Bon pour accord, le
        # 5 mai 2023" / "Date : 05/05/2023"), never further: a blank acceptance box
        # followed by the quote's own date is not an acceptance.
        window_end = m.end()
        for _ in range(3):
            next_break = folded.find("\n", window_end + 1)
            window_end = len(folded) if next_break < 0 else next_break
        window_end = min(window_end, m.end() + _WINDOW)
        for date in find_dates(piece.text[m.end() : window_end]):
            line_start = folded.rfind("\n", 0, m.end() + date.start) + 1
            before = folded[max(m.end(), line_start) : m.end() + date.start]
            if date.to_date() and not _NOT_ACT_DATE.search(before):
                s = piece.start + m.start()
                e = piece.start + m.end() + date.end
                return date.to_date(), piece.evidence(s, e)
    return None


def _act_date(piece: PieceView, folded: str) -> tuple[Any, Evidence] | None:
    """The invoice's / order's own date: a date after "Date", "Date de facture", "le",
    near the top, not a due date."""
    for date in find_dates(piece.text[:1500]):
        if not date.to_date():
            continue
        before = folded[max(0, date.start - 30) : date.start]
        if _NOT_ACT_DATE.search(before):
            continue
        if _DATE_LABEL.search(before) or date.start < 400:
            s, e = piece.start + date.start, piece.start + date.end
            line_start = piece.document.text.rfind("\n", 0, s) + 1
            return date.to_date(), piece.evidence(max(line_start, s - 40), e)
    return None


def _label(piece: PieceView) -> str:
    """The act's title line with its number: "DEVIS N° D-2023-0412"."""
    for line in piece.text.split("\n"):
        folded = fold(line)
        if re.search(r"\b(?:devis|facture|commande|ordre de service|marche)\b", folded):
            return " ".join(line.split())[:120]
    return piece.name


def extract_iban(pieces: list[PieceView]) -> tuple[Sourced[Any], list[str]]:
    """The IBAN of the RIB (checksum valid). An IBAN-looking string that fails the
    checksum (often an OCR misread) is reported, never kept."""
    warnings: list[str] = []
    for piece in (p for p in pieces if p.piece == "rib"):
        valid = find_ibans(piece.text)
        if valid:
            m = valid[0]
            s, e = piece.start + m.start(), piece.start + m.end()
            return found(normalise_iban(m.group(0)), [piece.evidence(s, e)], 0.9), warnings
        if re.search(r"\biban\b", fold(piece.text)):
            warnings.append(
                f"RIB « {piece.name} » : l'IBAN n'a pas pu être lu avec une clé de contrôle "
                "valide (scan peu lisible ?) ; à vérifier sur la pièce."
            )
    return Sourced[Any](), warnings
