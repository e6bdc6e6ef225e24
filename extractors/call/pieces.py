"""Pieces the call demands, including the mandatory notes (numérique responsable,
protection des données), as piece codes of DESIGN §4.

Read from a list under "Pièces à joindre" / "Le dossier comprendra :" and from sentences
that oblige the applicant ("Le porteur devra préciser dans une note sa démarche pour un
numérique responsable", "compléter le formulaire…").
"""

from __future__ import annotations

import re

from extractors.call.notice import Notice
from extractors.lexicon import PIECE_TERMS, find_terms, fold
from pipeline.models import Evidence, Sourced

_PIECES_LEAD = re.compile(
    r"pieces? (?:a joindre|justificatives?|constitutives?|a fournir|obligatoires?)|documents? (?:a joindre|a fournir|suivants)|composition du dossier"
    r"|dossier (?:complet|de candidature|de demande)? ?(?:comprendra|comprend|devra comprendre|comportera|comporte|doit comporter|est compose|sera compose|doit contenir|contiendra)"
    r"|constitution du dossier|contenu du dossier|(?:joindre|fournir)(?: \w+){0,3} :|\bcomprend(?:ra)?\s*:|pieces suivantes"
    r"|dossier (?:complet )?(?:comprenant|compose de|constitue de)|\b(?:envoyez|adressez|transmettez|joignez|fournissez|deposez)\b"
    r"|votre dossier|que (?:doit )?contien\w* (?:le|votre) dossier|quelles? pieces|comment (?:candidater|deposer|postuler|repondre)"
)
# Sentences that make a note or a form mandatory.
_OBLIGATION = re.compile(
    r"devra|devront|doit|doivent|obligatoire|imperativement|est demande|sont demandes|est exige|a joindre|a fournir|a renseigner|sont a|preciser|detailler|compléter|completer"
)
_NOTE_CODES = {"note_numerique_responsable", "note_protection_donnees"}
_FORM = re.compile(
    r"(?:completer|remplir|renseigner|deposer) (?:le |un )?(?:formulaire|dossier de (?:candidature|demande))"
)


def extract_pieces(notice: Notice) -> tuple[Sourced, list[str]]:
    """The piece codes the call demands, and warnings for demanded pieces that fit no
    code (the instructeur adds them by hand if they matter)."""
    found: dict[str, list[Evidence]] = {}
    unknown: list[str] = []

    def add(code: str, ev: Evidence) -> None:
        found.setdefault(code, [])
        if ev not in found[code]:
            found[code].append(ev)

    for group in notice.lists:
        if not _PIECES_LEAD.search(group.context):
            continue
        for item in group.items:
            hits = find_terms(item.text, PIECE_TERMS)
            codes = [c for h in hits for c in h.codes]
            # An item naming several pieces ("statuts et liste des membres du bureau")
            # demands each of them; one naming none is reported, not guessed.
            for code in codes:
                add(code, notice.evidence(item.start, item.end))
            if not codes:
                unknown.append(item.text.strip())

    for sentence in notice.sentences:
        f = sentence.folded
        if sentence.unit.kind != "list_item":
            lead = _PIECES_LEAD.search(f)
            if lead:  # "Le dossier complet comprenant la lettre de demande, … doit être déposé"
                for hit in find_terms(sentence.text[lead.end() :], PIECE_TERMS):
                    for code in hit.codes:
                        add(code, notice.evidence(sentence.start, sentence.end))
        if sentence.retrospective or not _OBLIGATION.search(f):
            continue
        for hit in find_terms(sentence.text, PIECE_TERMS):
            for code in hit.codes:
                if code in _NOTE_CODES and _mentions_dossier_content(f):
                    add(code, notice.evidence(sentence.start, sentence.end))
        if _FORM.search(f):
            add("formulaire", notice.evidence(sentence.start, sentence.end))

    warnings = [
        f"Pièce demandée sans code reconnu : « {text[:150]} » — à ajouter à la main si elle compte."
        for text in unknown
    ]
    if not found:
        return Sourced(), warnings
    evidence = [e for evs in found.values() for e in evs]
    unique: list[Evidence] = []
    for e in evidence:
        if e not in unique:
            unique.append(e)
    return Sourced(value=list(found), evidence=unique, confidence=0.75), warnings


def _mentions_dossier_content(folded: str) -> bool:
    """The sentence asks the applicant to write something (a note, fields of the file),
    not merely a theme of the call."""
    return bool(
        re.search(
            r"\bnote\b|dossier|preciser|detailler|expliquer|decrire|presenter|justifier|champs|annexe|joindre|fournir",
            folded,
        )
    )


__all__ = ["extract_pieces", "fold"]
