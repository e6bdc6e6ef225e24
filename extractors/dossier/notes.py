"""The two mandatory notes (numérique responsable, protection des données): present at
all, and substantive — covering real subjects — or only a heading.

A note is either a piece of its own or a section of another piece (a chapter of the
descriptive note, a box of the form). Its text runs from its heading to the next heading
of the same or a higher level. It is substantive when it has at least MIN_WORDS words
beyond its heading AND covers at least MIN_SIGNALS of the subjects below: a heading with
one vague sentence ("le projet s'inscrit dans une démarche responsable") is not a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extractors.dossier.identity import found
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.models import NoteFacts, Notes, Sourced

MIN_WORDS = 40
MIN_SIGNALS = 2

SIGNALS: dict[str, dict[str, re.Pattern[str]]] = {
    "numerique_responsable": {
        code: re.compile(rx)
        for code, rx in {
            "bilan_carbone": r"bilan carbone|empreinte (?:carbone|environnementale)|"
            r"emissions? de (?:gaz a effet de serre|ges|co2)|\bteq ?co2|\bkg ?co2",
            "analyse_cycle_vie": r"cycle de vie|\bacv\b",
            "ecoconception": r"eco-?concep|\brgesn\b|referentiel general (?:d')?ecoconception|"
            r"\bgreen ?it\b|\bwebperf",
            "sobriete": r"sobriete|frugal|sobre\b|limiter (?:le volume|les donnees|les flux)|"
            r"reduction (?:des|du) (?:volume|donnees|requetes|poids)|poids des pages",
            "reemploi": r"reemploi|reconditionn|seconde main|recycl|\bdeee\b|filiere de "
            r"(?:collecte|recyclage)|economie circulaire",
            "duree_de_vie": r"duree de vie|duree d'usage|allongement de la duree|obsolescence|"
            r"reparabilit|indice de (?:reparabilite|durabilite)|garantie (?:de )?\d+ ans",
            "hebergement": r"hebergement|data ?cent(?:er|re)|centre de donnees|\bpue\b|"
            r"energie renouvelable|serveurs? mutualises?",
            "accessibilite": r"accessibilite|\brgaa\b|inclusion numerique|"
            r"personnes en situation de handicap",
        }.items()
    },
    "protection_donnees": {
        code: re.compile(rx)
        for code, rx in {
            "rgpd": r"\brgpd\b|2016/679|reglement general sur la protection|"
            r"informatique et libertes|\bcnil\b",
            "base_legale": r"base(?:s)? legale|liceite|mission d'interet public|"
            r"obligation legale|consentement",
            "dpo": r"\bdpo\b|\bdpd\b|delegue(?:e)? a la protection des donnees",
            "registre_traitements": r"registre des (?:activites de )?traitements?|"
            r"registre rgpd|fiche de traitement|\bregistre\b(?! (?:des deliberations|du commerce))",
            "aipd": r"\baipd\b|\bpia\b|analyse d'impact",
            "duree_conservation": r"durees? de conservation|conserv\w* (?:pendant |durant |sur )?(?:un|une|deux|trois|"
            r"quatre|cinq|six|dix|\d+) (?:ans?|mois|annees?|jours?)|purge|archivage intermediaire",
            "hebergement_ue": r"(?:union europeenne|\bue\b|en france|territoire europeen)"
            r"[^.]{0,40}heberg|heberg[^.]{0,60}(?:union europeenne|\bue\b|en france|europe)|"
            r"secnumcloud|\bhds\b|hebergeur de donnees de sante",
            "droits_personnes": r"droits? (?:d'acces|de rectification|d'opposition|"
            r"a l'effacement|des personnes)|exercer (?:leurs|ses) droits|information des "
            r"(?:usagers|personnes)|mentions d'information",
            "securite": r"chiffr|habilitation|journalisation|sauvegardes?|authentification|"
            r"pseudonymis|securite des donnees|controle d'acces",
            "sous_traitance": r"sous-?traitan|article 28|clauses? contractuelles",
        }.items()
    },
}

HEADINGS = {
    "numerique_responsable": re.compile(
        r"numerique responsable|sobriete numerique|eco-?conception|impact environnemental|"
        r"numerique (?:durable|sobre)|green ?it|demarche environnementale"
    ),
    "protection_donnees": re.compile(
        r"protection des donnees|donnees (?:a caractere )?personnelles|\brgpd\b"
    ),
}
# Where the applicant writes its notes: a supplier's quote has its own GDPR boilerplate.
_NOTE_HOSTS = (
    "formulaire",
    "note_descriptive",
    "note_numerique_responsable",
    "note_protection_donnees",
    "calendrier",
    "autre",
)
PIECE_OF = {
    "numerique_responsable": "note_numerique_responsable",
    "protection_donnees": "note_protection_donnees",
}


@dataclass(frozen=True)
class _Span:
    piece: PieceView
    heading: tuple[int, int]  # document offsets of the heading (or the piece's title)
    body: tuple[int, int]  # document offsets of the text under it


def extract_notes(pieces: list[PieceView]) -> Notes:
    return Notes(**{kind: _note(pieces, kind) for kind in SIGNALS})


def _note(pieces: list[PieceView], kind: str) -> Sourced[Any]:
    spans = [_whole(p) for p in pieces if p.piece == PIECE_OF[kind]]
    if not spans:
        spans = _sections(pieces, kind)
    if not spans:
        return Sourced[Any]()
    # Several places (a note piece and a form box): the richest one speaks for the dossier.
    best = max(spans, key=lambda s: _assess(s, kind)[1])
    signals, words = _assess(best, kind)
    doc = best.piece.document
    evidence = [best.piece.evidence(*best.heading)]
    if best.body[1] > best.body[0]:
        body_end = min(best.body[1], best.body[0] + 300)
        evidence.append(best.piece.evidence(best.body[0], _word_end(doc.text, body_end)))
    substantive = words >= MIN_WORDS and len(signals) >= MIN_SIGNALS
    facts = NoteFacts(present=True, substantive=substantive, signals=signals)
    return found(facts, evidence, 0.8 if substantive or words < 15 else 0.6)


def _word_end(text: str, end: int) -> int:
    while end < len(text) and not text[end - 1].isspace() and not text[end].isspace():
        end += 1
    return end


def _assess(span: _Span, kind: str) -> tuple[list[str], int]:
    # Sentences wrap over lines ("délégué à la / protection des données"): one line.
    text = " ".join(fold(span.piece.document.text[span.body[0] : span.body[1]]).lower().split())
    signals = [code for code, rx in SIGNALS[kind].items() if rx.search(text)]
    return signals, len(text.split())


def _whole(piece: PieceView) -> _Span:
    """A note that is a piece: its title line is the heading, the rest the body."""
    blocks = [b for b in piece.blocks() if b.kind != "furniture"]
    heading = next((b for b in blocks if b.kind == "heading"), blocks[0] if blocks else None)
    if heading is None:
        return _Span(piece, (piece.start, piece.start), (piece.start, piece.end))
    body_blocks = [b for b in blocks if b.start >= heading.end]
    body_start = body_blocks[0].start if body_blocks else heading.end
    return _Span(piece, (heading.start, heading.end), (body_start, _content_end(piece)))


def _content_end(piece: PieceView) -> int:
    """End of the last non-furniture block (page numbers and footers are not content)."""
    blocks = [b for b in piece.blocks() if b.kind != "furniture"]
    return blocks[-1].end if blocks else piece.end


def _sections(pieces: list[PieceView], kind: str) -> list[_Span]:
    """Headings naming the note inside other pieces, each with its section's text."""
    spans: list[_Span] = []
    for piece in (p for p in pieces if p.piece in _NOTE_HOSTS):
        blocks = [b for b in piece.blocks() if b.kind != "furniture"]
        for i, block in enumerate(blocks):
            if block.kind != "heading":
                continue
            if not HEADINGS[kind].search(fold(piece.document.text[block.start : block.end])):
                continue
            level = block.level if block.level is not None else 9
            end = blocks[-1].end
            for later in blocks[i + 1 :]:
                if (
                    later.kind == "heading"
                    and (later.level if later.level is not None else 9) <= level
                ):
                    end = later.start
                    break
            body_start = blocks[i + 1].start if i + 1 < len(blocks) else block.end
            spans.append(_Span(piece, (block.start, block.end), (body_start, max(body_start, end))))
    return spans
