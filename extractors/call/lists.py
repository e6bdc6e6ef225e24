"""Themes (axes, thématiques, volets) and selection criteria: the lists a notice gives
under a lead-in line or a heading, item by item, each item quoted."""

from __future__ import annotations

import re

from extractors.call.notice import ListGroup, Notice, clean_item, top_level
from extractors.lexicon import fold
from pipeline.models import Sourced

_THEMES = re.compile(
    r"\baxes?\b|thematiques?|\bthemes?\b|\bvolets?\b|priorit(?:es?|aires?)|projets? attendus|types? de projets|projets? (?:eligibles|vises|concernes)|domaines? d'intervention|objets? de l'appel"
    r"|categories? d'operations|actions? (?:eligibles|soutenues|financees|attendues)|pour quoi|quels? projets|operations? (?:eligibles|soutenues)"
)
_CRITERIA = re.compile(
    r"criteres? (?:de selection|d'analyse|d'appreciation|d'evaluation|de priorisation|de notation|de choix)|(?:analyses?|evalues?|selectionnes?|apprecies?|priorises?|notes?|classes?|examine\w*) (?:\w+ ){0,4}(?:selon|au regard d|sur la base d|en fonction d)"
    r"|criteres suivants|comment\b.{0,40}\b(?:choisi|selectionne|evalue|retenu|classe|note)s?\b"
)
_NOT_THEMES = re.compile(
    r"criteres?|depenses?|pieces?|documents?|beneficiaires?|porteurs?|indicateurs?|dossier"
)


def _items(group: ListGroup, cut_at_colon: bool) -> tuple[list[str], list[tuple[int, int]]]:
    values: list[str] = []
    spans: list[tuple[int, int]] = []
    for item in top_level(group.items):
        text = clean_item(item.text)
        if cut_at_colon:
            head = re.split(r"\s:\s|\s:$", text, maxsplit=1)[0]
            if len(head) >= 20:
                text = head
            # A long parenthesis of examples is not part of the theme's name; a short
            # one ("(fablabs)") is.
            paren = re.search(r"\s\((?=[^)]{40,})", text)
            if paren and paren.start() >= 20:
                text = text[: paren.start()]
            text = re.sub(r"\s+par$", "", text).strip(" ,;:")
        text = re.sub(r"\s*(?:\.\.\.|…|etc\.?)$", "", text).strip(" ,;:")
        if len(text) >= 3:
            values.append(text[:300])
            spans.append((item.start, item.end))
    return values, spans


def extract_themes(notice: Notice) -> Sourced:
    for group in notice.lists:
        lead = fold(group.lead)
        context = group.context
        if (
            _THEMES.search(context)
            and not _NOT_THEMES.search(lead)
            and not _CRITERIA.search(context)
        ):
            values, spans = _items(group, cut_at_colon=True)
            if values:
                evidence = [notice.evidence(s, e) for s, e in spans]
                return Sourced(value=values, evidence=evidence, confidence=0.7)
    return Sourced()


def extract_criteria(notice: Notice) -> Sourced:
    for group in notice.lists:
        if _CRITERIA.search(group.context):
            values, spans = _items(group, cut_at_colon=False)
            if values:
                evidence = [notice.evidence(s, e) for s, e in spans]
                return Sourced(value=values, evidence=evidence, confidence=0.7)
    return Sourced()
