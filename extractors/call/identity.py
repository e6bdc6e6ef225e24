"""Who publishes the call, under which programme, for which territory, under which title.

The funder is the public body the notice names as acting ("Le Département de la Loire
attribuera…", "La région des Pays-de-la-Loire ouvre…", "Préfecture de la région
Occitanie"); failing that, the official domain of the contact e-mail
("…@bourgognefranchecomte.fr") — then with a lower confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.call.notice import Notice, Unit
from extractors.lexicon import fold
from pipeline import nlp, territories
from pipeline.models import Evidence, Sourced, Territory
from pipeline.text.slug import slugify as slugify

_CALL_WORDS = re.compile(
    r"appel (?:a|aux) (?:projets?|partenariats?|candidatures?|manifestations? d'interet|initiatives?)|\bami\b|\baap\b|fonds|dispositif|programme|reglement d'intervention"
    r"|\baide (?:au|a la|a l'|aux|en faveur)|soutien (?:a|au|aux)\b|\bsubventions? (?:pour|en faveur)"
)
_NAMED_CALL = re.compile(
    r"\b((?i:appel (?:à|a|aux) (?:projets?|partenariats?|candidatures?|manifestations? d'intérêt)))"
    r"\s+(?:«\s*([^»]{3,80}?)\s*»(?:\s+\d{4}\b)?|\"([^\"]{3,80})\"|((?:[A-ZÉÈÀÎ0-9][\w'’-]*)(?:\s+(?!du\b|des\b|au\b|pour\b|sur\b|et\b|en\b)[\w'’-]+){0,4}))"
)
_BOILERPLATE = re.compile(
    r"^(archives?|accueil|actualites?|imprimer|partager|retour|menu|sommaire|voir aussi|pour aller plus loin|publie le.*|mis a jour.*)$"
)
_PROGRAMMES = [
    ("FEDER", re.compile(r"\bFEDER\b|Fonds européen de développement régional")),
    ("FSE+", re.compile(r"\bFSE\+?|Fonds social européen")),
    ("FEADER", re.compile(r"\bFEADER\b")),
    ("LEADER", re.compile(r"\bLEADER\b")),
    (
        "FNADT",
        re.compile(r"\bFNADT\b|Fonds national d'aménagement et de développement du territoire"),
    ),
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
_NAME_TAIL = r"(?:[ -](?:(?:du|de|des|la|le|les|et|sur|en|d')[ -]?)?[A-ZÉÈ][\w'-]*)*"
_METROPOLE = re.compile(
    rf"\b((?:(?!(?:La|Le|Les|L'|Une?|Cette|Notre)\b)[A-ZÉ][\w'-]+ )+Métropole\b|Métropole (?:de |du |d')?[A-ZÉ][\w'-]*{_NAME_TAIL}"
    rf"|Communauté (?:de communes|d'agglomération|urbaine) (?:de |du |des |d')?[A-ZÉ][\w'-]*{_NAME_TAIL}"
    rf"|Ville de [A-ZÉ][\w'-]*(?:-[A-ZÉ][\w'-]*)*|Commune de [A-ZÉ][\w'-]*(?:-[\w'-]+)*)"
)


_OF = r"(?:de la |de l'|du |des |de |d')"
_PLACE = r"[A-ZÉÎ][\w'-]*(?:[ -](?:de|du|des|la|et|sur|en|d')?[ -]?[A-ZÉÎ][\w'-]*)*"
# Funders that are neither collectivités nor préfectures: (regex, name template, level).
# The level says which territory the name after the body designates ("Caf de la
# Sarthe" → département); "national" bodies cover France.
_AGENCIES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(
            r"\bADEME\b|Agence de l'environnement et de la maîtrise de l'énergie|Agence de la transition écologique"
        ),
        "ADEME",
        "national",
    ),
    (
        re.compile(r"\bANCT\b|Agence nationale de la cohésion des territoires"),
        "Agence nationale de la cohésion des territoires (ANCT)",
        "national",
    ),
    (re.compile(r"Banque des [Tt]erritoires"), "Banque des Territoires", "national"),
    (re.compile(r"Caisse des [Dd]épôts"), "Caisse des Dépôts", "national"),
    (re.compile(r"\bBpifrance\b"), "Bpifrance", "national"),
    (re.compile(r"\bCNC\b|Centre national du cinéma et de l'image animée"), "CNC", "national"),
    (
        re.compile(r"Agence nationale de la recherche"),
        "Agence nationale de la recherche",
        "national",
    ),
    (
        re.compile(rf"\b(?:Caf|CAF|Caisse d'allocations familiales) {_OF}(?P<name>{_PLACE})"),
        "Caf {of}",
        "departement",
    ),
    (
        re.compile(
            rf"\bARS (?P<name>{_PLACE})|Agence régionale de santé (?:{_OF})?(?P<name2>{_PLACE})"
        ),
        "ARS {name}",
        "region",
    ),
    (
        re.compile(
            rf"\bDRAC (?P<name>{_PLACE})|Direction régionale des affaires culturelles (?:{_OF})?(?P<name2>{_PLACE})"
        ),
        "DRAC {name}",
        "region",
    ),
    (re.compile(rf"Agence de l'eau (?P<name>{_PLACE})"), "Agence de l'eau {name}", "basin"),
]


@dataclass
class IdentityFacts:
    title: Sourced = field(default_factory=Sourced)
    funder: Sourced = field(default_factory=Sourced)
    programme: Sourced = field(default_factory=Sourced)
    territory: Sourced = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


def extract_identity(notice: Notice) -> IdentityFacts:
    facts = IdentityFacts()
    facts.title = _title(notice)
    facts.programme = _programme(notice)
    facts.funder, facts.territory = _funder(notice, facts.warnings)
    return facts


# ---------------------------------------------------------------------------- title


def _title(notice: Notice) -> Sourced:
    headings = [h for h in notice.headings() if not _BOILERPLATE.match(fold(h.text.strip()))]
    # A document title (Word "Title" style, level 0) comes first, then headings in order.
    early = sorted(headings[:8], key=lambda h: 0 if h.block.level == 0 else 1)
    parsed = nlp.parse([h.text for h in early])
    names = [
        h
        for h, d in zip(early, parsed, strict=True)
        if len(h.text.strip()) >= 4
        and not _is_letterhead(h.text)
        and not _SECTION_HEADING.match(fold(h.text.strip(" *#")))
        # A headline has a conjugated verb ("Les Pays-de-la-Loire lancent leur appel…");
        # a heading that starts by naming the call is a name.
        and (_STARTS_WITH_CALL.match(fold(h.text)) or not nlp.has_finite_verb(d))
    ]
    # 1. An early heading naming the call that is a name, not a sentence (a headline
    #    "Les Pays-de-la-Loire lancent leur appel" has a conjugated verb).
    for heading in names:
        if _CALL_WORDS.search(fold(heading.text)):
            return _joined_title(notice, heading, 0.9)
    # 2. "un appel à projets Innovation numérique" / "l'appel à projets « X »" in the text.
    for sentence in notice.sentences[:40]:
        m = _NAMED_CALL.search(sentence.text)
        if m:
            name = (m.group(2) or m.group(3) or m.group(4) or "").strip(" ,.;:")
            if name and not fold(name).startswith(("numerique", "regional", "departemental")):
                start = sentence.start + m.start()
                if m.group(2):
                    end = sentence.start + m.end()
                else:
                    end = start + len(m.group(0).rstrip(" ,.;:"))
                kind = m.group(1)
                rest = m.group(0)[len(kind) :] if m.group(2) else f" {name}"
                value = re.sub(r"\s+", " ", f"{kind[0].upper()}{kind[1:]}{rest}").strip()
                return Sourced(value=value, evidence=[notice.evidence(start, end)], confidence=0.7)
    # 3. The first heading that is a name, not a sentence nor a letterhead.
    for heading in names:
        return _joined_title(notice, heading, 0.6)
    return Sourced()


_GENERIC_TITLE = re.compile(
    r"^(?:avis d'|avis de )?(?:appel (?:a|aux) (?:projets?|partenariats?|candidatures?|manifestations? d'interet)|aap|ami)(?: \d{4})?$"
)
_STARTS_WITH_CALL = re.compile(
    r"^\W*(?:avis d')?(?:appel (?:a|aux)|aap\b|ami\b|fonds\b|dispositif\b|programme\b|reglement)"
)
# Headings that title a section of a notice, never the notice itself.
_SECTION_HEADING = re.compile(
    r"^(?:[\divx]+[.)-]?\s*|article \d+\W*|chapitre \w+\W*|>\s*)?(?:contexte|objet|objectifs?|en bref|sommaire|beneficiaires?|porteurs?|qui peut|pour qui|depenses?|pieces?|calendrier|contacts?|modalites?|criteres?|taux|montant|combien|comment|dossier|presentation|preambule|fiche synthetique|axes?|thematiques?|conditions?)\b"
)


def is_generic_title(title: str) -> bool:
    """ "Appel à projets 2025", "AVIS D'APPEL À PROJETS": a kind of document, not a name."""
    return bool(_GENERIC_TITLE.match(fold(title.strip(" :*"))))


def _joined_title(notice: Notice, heading: Unit, confidence: float) -> Sourced:
    """A title given on two lines, "APPEL À PROJETS 2025" then "« Parents connectés »",
    is one title."""
    if _GENERIC_TITLE.match(fold(heading.text.strip(" :*"))):
        index = notice.units.index(heading)
        if index + 1 < len(notice.units):
            nxt = notice.units[index + 1]
            text = nxt.text.strip()
            name_like = (
                text.startswith(("«", '"'))
                or nxt.kind == "heading"
                or (
                    len(text) <= 120
                    and not text.endswith(".")
                    and not nlp.has_finite_verb(nlp.parse([text])[0])
                )
            )
            if name_like and not _SECTION_HEADING.match(fold(text)):
                return _title_field(notice, heading.start, nxt.end, confidence)
    return _title_field(notice, heading.start, heading.end, confidence)


def _is_letterhead(text: str) -> bool:
    """ "DÉPARTEMENT DU LOT", "Région Normandie", "Caf de la Sarthe": the sender, not the
    call's title."""
    folded = fold(text.strip(" :*"))
    if _CALL_WORDS.search(folded):
        return False
    if re.match(
        r"^(?:metropole|region|departement|prefet|prefecture|communaute|ville|commune|conseil|agence|caisse|direction|ministere|republique)\b",
        folded,
    ):
        return True
    m = _BODY.fullmatch(text.strip(" :*")) or _METROPOLE.fullmatch(text.strip(" :*"))
    return bool(m) or any(rx.fullmatch(text.strip(" :*")) for rx, _, _ in _AGENCIES)


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
        found = [
            f
            for f in (
                _collectivity(notice, unit),
                _agency(notice, unit, warnings),
                _epci(notice, unit),
            )
            if f
        ]
        if found:
            _, funder, territory = min(found, key=lambda f: f[0])
            return funder, territory
    # Failing a named body: the official domain of an e-mail address or web site.
    for m in re.finditer(
        r"(?<![\w.+-])[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,5})|(?:https?://|www\.)([\w.-]{1,253})",
        notice.doc.text,
    ):
        domain = m.group(1) or m.group(2)
        caf = re.match(r"caf(\d{2,3})\.caf\.fr$", domain)
        if caf and territories.departement(caf.group(1)):
            area = territories.departement(caf.group(1))
            assert area is not None
            ev = notice.evidence(m.start(), m.end())
            warnings.append(f"Financeur déduit du domaine « {domain} » : à confirmer.")
            territory = Territory(level=area.level, name=area.name, code=area.code)  # type: ignore[arg-type]
            return (
                Sourced(value=f"Caf {area.of_name}", evidence=[ev], confidence=0.5),
                Sourced(value=territory, evidence=[ev], confidence=0.5),
            )
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


Found = tuple[int, Sourced, Sourced]


def _collectivity(notice: Notice, unit: Unit) -> Found | None:
    """ "Le Département de la Loire", "la région des Pays-de-la-Loire", "Préfecture de la
    région Occitanie"."""
    for m in _BODY.finditer(unit.text):
        area = _area_of(m.group("kind"), m.group("name"))
        if area is None:
            continue
        ev = notice.evidence(unit.start + m.start(), unit.start + m.end())
        name = area.institution
        if "prefecture" in fold(m.group("kind")):
            name = (
                f"Préfecture de la région {area.name}"
                if area.level == "region"
                else f"Préfecture {area.of_name}"
            )
        territory = Territory(level=area.level, name=area.name, code=area.code)  # type: ignore[arg-type]
        return (
            m.start(),
            Sourced(value=name, evidence=[ev], confidence=0.85),
            Sourced(value=territory, evidence=[ev], confidence=0.85),
        )
    return None


def _epci(notice: Notice, unit: Unit) -> Found | None:
    """ "Rennes Métropole", "Métropole de Lyon", "Communauté de communes du Pays de Gex"."""
    m = _METROPOLE.search(unit.text)
    if m is None:
        return None
    ev = notice.evidence(unit.start + m.start(), unit.start + m.end())
    name = m.group(1)
    level = "commune" if fold(name).startswith(("ville", "commune")) else "epci"
    short = re.sub(r"^(?:Ville|Commune) de ", "", name)
    territory = Territory(level=level, name=short, code=None)  # type: ignore[arg-type]
    return (
        m.start(),
        Sourced(value=name, evidence=[ev], confidence=0.8),
        Sourced(value=territory, evidence=[ev], confidence=0.7),
    )


def _agency(notice: Notice, unit: Unit, warnings: list[str]) -> Found | None:
    """National agencies (ADEME, ANCT, Banque des Territoires…) and local branches of
    State or social bodies (Caf de la Sarthe, ARS Occitanie, DRAC Normandie)."""
    best: Found | None = None
    for rx, template, level in _AGENCIES:
        m = rx.search(unit.text)
        if m is None or (best is not None and m.start() >= best[0]):
            continue
        ev = notice.evidence(unit.start + m.start(), unit.start + m.end())
        place = (m.groupdict().get("name") or m.groupdict().get("name2") or "").strip()
        if level == "national":
            territory: Territory | None = Territory(level="national", name="France", code=None)
            name = template
        elif level == "basin":
            territory, name = None, template.format(name=place)
        else:
            area = _area_from_words(place, level)
            if area is None:
                continue
            territory = Territory(level=area.level, name=area.name, code=area.code)  # type: ignore[arg-type]
            name = template.format(name=area.name, of=area.of_name)
        funder = Sourced(value=name, evidence=[ev], confidence=0.8)
        where = Sourced(
            value=territory,
            evidence=[ev] if territory else [],
            confidence=0.8 if territory else None,
        )
        best = (m.start(), funder, where)
    if best is not None and best[2].value is None:
        warnings.append(
            f"Territoire de « {best[1].value} » : bassin ou zone hors découpage administratif, à préciser."
        )
    return best


def _area_from_words(place: str, level: str) -> territories.Area | None:
    words = place.split()
    for n in range(min(len(words), 5), 0, -1):
        area = territories.find_area(" ".join(words[:n]), level)
        if area:
            return area
    return None


def _units_in_reading_order(notice: Notice) -> list[Unit]:
    return list(notice.units)


def _area_of(kind: str, name: str) -> territories.Area | None:
    # Names may run on ("Loire mène une politique"): try the longest prefix first.
    return _area_from_words(name, "region" if "region" in fold(kind) else "departement")
