"""Who publishes the call, under which programme, for which territory, under which title.

The funder is the public body the notice names as acting ("Le Département de la Loire
attribuera…", "La région des Pays-de-la-Loire ouvre…", "Préfecture de la région
Occitanie"); failing that, the official domain of the contact e-mail
("…@bourgognefranchecomte.fr") — then with a lower confidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.call.notice import Notice, Unit
from extractors.lexicon import fold
from pipeline import nlp, territories
from pipeline.models import Evidence, Sourced, Territory

_CALL_WORDS = re.compile(
    r"appel (?:a|aux) (?:projets?|partenariats?|candidatures?|manifestations? d'interet|initiatives?)|\bami\b|\baap\b|fonds|dispositif|programme|reglement d'intervention"
)
_NAMED_CALL = re.compile(
    r"\b(appel (?:à|a|aux) (?:projets?|partenariats?|candidatures?|manifestations? d'intérêt))"
    r"\s+(?:«\s*([^»]{3,80}?)\s*»|\"([^\"]{3,80})\"|((?:[A-ZÉÈÀÎ0-9][\w'’-]*)(?:\s+(?!du\b|des\b|au\b|pour\b|sur\b|et\b|en\b)[\w'’-]+){0,4}))"
)
_BOILERPLATE = re.compile(
    r"^(archives?|accueil|actualites?|imprimer|partager|retour|menu|sommaire|voir aussi|pour aller plus loin|publie le.*|mis a jour.*)$"
)
_PROGRAMMES = [
    ("FEDER", re.compile(r"\bFEDER\b|Fonds européen de développement régional")),
    ("FSE+", re.compile(r"\bFSE\+?|Fonds social européen")),
    ("FEADER", re.compile(r"\bFEADER\b")),
    ("LEADER", re.compile(r"\bLEADER\b")),
    ("FNADT", re.compile(r"\bFNADT\b|Fonds national d'aménagement et de développement du territoire")),
    ("DETR", re.compile(r"\bDETR\b|dotation d'équipement des territoires ruraux", re.I)),
    ("DSIL", re.compile(r"\bDSIL\b|dotation de soutien à l'investissement local", re.I)),
    ("Interreg", re.compile(r"\bINTERREG\b", re.I)),
    ("Fonds vert", re.compile(r"\bFonds vert\b", re.I)),
    ("France 2030", re.compile(r"\bFrance 2030\b")),
]

# "Le Département de la Loire", "la région des Pays-de-la-Loire", "Région Occitanie",
# "Préfecture de la région Occitanie", "Conseil départemental du Rhône".
_BODY = re.compile(
    r"\b(?P<kind>(?:le |la )?(?:conseil )?(?:d[ée]partement(?:al)?|r[ée]gion(?:al)?|pr[ée]fecture de (?:la )?r[ée]gion|pr[ée]fecture (?:de |du |des |de la |de l')?))"
    r"\s*(?P<prep>de la |de l'|du |des |de |d')?(?P<name>[A-ZÉÎ][\w'-]*(?:[ -](?:de|du|des|la|et|sur|en|d')?[ -]?[A-ZÉÎ][\w'-]*)*)",
    re.I,
)
_METROPOLE = re.compile(
    r"\b((?:[A-ZÉ][\w'-]+ )+Métropole\b|Métropole (?:de |du |d')?[A-ZÉ][\w'-]*(?: [A-ZÉ][\w'-]*)*|Communauté (?:de communes|d'agglomération|urbaine) (?:de |du |des |d')?[A-ZÉ][\w'-]*(?:[ -][\w'-]+)*|Ville de [A-ZÉ][\w'-]*(?:-[A-ZÉ][\w'-]*)*|Commune de [A-ZÉ][\w'-]*(?:-[\w'-]+)*)"
)


@dataclass
class IdentityFacts:
    title: Sourced = field(default_factory=Sourced)
    funder: Sourced = field(default_factory=Sourced)
    programme: Sourced = field(default_factory=Sourced)
    territory: Sourced = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].rstrip("-")


def extract_identity(notice: Notice) -> IdentityFacts:
    facts = IdentityFacts()
    facts.title = _title(notice)
    facts.programme = _programme(notice)
    facts.funder, facts.territory = _funder(notice, facts.warnings)
    return facts


# ---------------------------------------------------------------------------- title


def _title(notice: Notice) -> Sourced:
    headings = [h for h in notice.headings() if not _BOILERPLATE.match(fold(h.text.strip()))]
    parsed = nlp.parse([h.text for h in headings[:6]])
    # 1. An early heading naming the call that is a name, not a sentence (a headline
    #    "Les Pays-de-la-Loire lancent leur appel" has a conjugated verb).
    for heading, hdoc in zip(headings[:6], parsed, strict=False):
        if _CALL_WORDS.search(fold(heading.text)) and not nlp.has_finite_verb(hdoc):
            return _title_field(notice, heading.start, heading.end, 0.9)
    # 2. "un appel à projets Innovation numérique" / "l'appel à projets « X »" in the text.
    for sentence in notice.sentences[:40]:
        m = _NAMED_CALL.search(sentence.text)
        if m:
            name = (m.group(2) or m.group(3) or m.group(4) or "").strip(" ,.;:")
            if name and not fold(name).startswith(("numerique", "regional", "departemental")):
                start = sentence.start + m.start()
                end = sentence.start + m.end(2) if m.group(2) else sentence.start + m.start() + len(m.group(0).rstrip(" ,.;:"))
                if m.group(2):
                    end = sentence.start + m.end()
                kind = m.group(1)
                value = f"{kind[0].upper()}{kind[1:]} {name}" if not m.group(2) else f"{kind[0].upper()}{kind[1:]} « {name} »"
                return Sourced(value=value, evidence=[notice.evidence(start, end)], confidence=0.7)
    # 3. The first heading that is not a sentence.
    for heading, hdoc in zip(headings[:6], parsed, strict=False):
        if not nlp.has_finite_verb(hdoc) and len(heading.text.strip()) >= 4:
            return _title_field(notice, heading.start, heading.end, 0.6)
    return Sourced()


def _title_field(notice: Notice, start: int, end: int, confidence: float) -> Sourced:
    ev = notice.evidence(start, end)
    value = re.sub(r"\s+", " ", ev.quote.replace("**", "")).strip(" :")
    return Sourced(value=value, evidence=[ev], confidence=confidence)


# ---------------------------------------------------------------------------- programme


def _programme(notice: Notice) -> Sourced:
    counts: dict[str, list[Evidence]] = {}
    for sentence in notice.sentences:
        if sentence.retrospective:
            continue
        for name, rx in _PROGRAMMES:
            for m in rx.finditer(sentence.text):
                ev = notice.evidence(sentence.start + m.start(), sentence.start + m.end())
                counts.setdefault(name, []).append(ev)
    for unit in notice.headings():
        for name, rx in _PROGRAMMES:
            m = rx.search(unit.text)
            if m:
                counts.setdefault(name, []).append(
                    notice.evidence(unit.start + m.start(), unit.start + m.end())
                )
    if not counts:
        return Sourced()
    best = max(counts, key=lambda k: len(counts[k]))
    return Sourced(value=best, evidence=counts[best][:3], confidence=0.8)


# ---------------------------------------------------------------------------- funder


def _funder(notice: Notice, warnings: list[str]) -> tuple[Sourced, Sourced]:
    for unit in _units_in_reading_order(notice):
        for m in _BODY.finditer(unit.text):
            area = _area_of(m.group("kind"), m.group("name"))
            if area is None:
                continue
            ev = notice.evidence(unit.start + m.start(), unit.start + m.end())
            funder_name = area.institution
            if "prefecture" in fold(m.group("kind")):
                funder_name = f"Préfecture de la région {area.name}" if area.level == "region" else f"Préfecture {area.of_name}"
            territory = Territory(level=area.level, name=area.name, code=area.code)  # type: ignore[arg-type]
            return (
                Sourced(value=funder_name, evidence=[ev], confidence=0.85),
                Sourced(value=territory, evidence=[ev], confidence=0.85),
            )
        m = _METROPOLE.search(unit.text)
        if m:
            ev = notice.evidence(unit.start + m.start(), unit.start + m.end())
            name = m.group(1)
            level = "commune" if fold(name).startswith(("ville", "commune")) else "epci"
            short = re.sub(r"^(?:Ville|Commune) de ", "", name)
            return (
                Sourced(value=name, evidence=[ev], confidence=0.8),
                Sourced(value=Territory(level=level, name=short, code=None), evidence=[ev], confidence=0.7),
            )
    # Failing a named body: the official domain of an e-mail address or web site.
    for m in re.finditer(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)|(?:https?://|www\.)([\w.-]+)", notice.doc.text):
        domain = m.group(1) or m.group(2)
        area = territories.from_domain(domain)
        if area:
            ev = notice.evidence(m.start(), m.end())
            warnings.append(
                f"Financeur et territoire déduits du domaine « {domain} » (adresse de contact) : "
                "l'avis ne les nomme pas, à confirmer."
            )
            territory = Territory(level=area.level, name=area.name, code=area.code)  # type: ignore[arg-type]
            return (
                Sourced(value=area.institution, evidence=[ev], confidence=0.5),
                Sourced(value=territory, evidence=[ev], confidence=0.5),
            )
    return Sourced(), Sourced()


def _units_in_reading_order(notice: Notice) -> list[Unit]:
    return list(notice.units)


def _area_of(kind: str, name: str) -> territories.Area | None:
    fkind = fold(kind)
    level = "region" if "region" in fkind else "departement"
    # Names may run on ("Loire mène une politique"): try the longest prefix first.
    words = name.split()
    for n in range(min(len(words), 5), 0, -1):
        candidate = " ".join(words[:n])
        area = territories.find_area(candidate, level)
        if area:
            return area
    return None
