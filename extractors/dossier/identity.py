"""Who applies: name, SIRET/SIREN, RNA, legal form, beneficiary type (DESIGN §4), address,
postcode, commune and département codes, representative, contact e-mail.

Read from the applicant's own pieces only — the request first (form fields, then its
labelled lines), then the délibération, the RIB, the Kbis, the statuts, the notes. A
quote's or a partner letter's SIRET is another company's, never the applicant's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extractors.dossier.labels import Labelled, find_value, labelled_values
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline import ids
from pipeline.models import Evidence, Sourced
from pipeline.territories import name_key

# Pieces written by the applicant about itself, in the order they are trusted.
OWN_PIECES = (
    "formulaire",
    "deliberation",
    "note_descriptive",
    "plan_financement",
    "budget_previsionnel",
    "attestation_honneur",
    "attestation_non_commencement",
    "rib",
    "kbis",
    "statuts",
    "liste_dirigeants",
    "note_numerique_responsable",
    "note_protection_donnees",
    "calendrier",
)

LABELS = {
    key: re.compile(rx)
    for key, rx in {
        "applicant_name": r"^(?:nom (?:de (?:la |l')?)?(?:structure|organisme|collectivite|"
        r"demandeur|porteur|beneficiaire|association|entreprise|societe|etablissement)|"
        r"nom du (?:porteur|demandeur|beneficiaire)(?: de projet)?|denomination(?: sociale)?|"
        r"raison sociale|structure(?: porteuse)?|organisme(?: demandeur| porteur)?|"
        r"porteur(?: de projet| du projet)?|beneficiaire|collectivite(?: porteuse)?|"
        r"demandeur|maitre d'ouvrage|identite du demandeur|nom)\b",
        "siret": r"\bsiret\b",
        "siren": r"\bsiren\b",
        "rna": r"\brna\b|repertoire national des associations|numero (?:de )?(?:declaration|"
        r"d'enregistrement) (?:en )?prefecture",
        "legal_form": r"forme juridique|statut juridique|nature juridique|categorie juridique|"
        r"type de (?:structure|beneficiaire|porteur)|^statut$",
        "address": r"^adresse(?! (?:electronique|mail|courriel|e-?mail))|^siege(?: social)?\b",
        "postcode": r"^code postal\b|^cp\b",
        "commune": r"^(?:commune|ville|localite)$",
        "insee": r"code (?:insee|commune|officiel geographique)",
        "representative": r"representant(?:e)? legal|nom du (?:representant|signataire)|"
        r"^representee? par|^signataire|nom (?:et prenom|prenom) du representant|"
        r"^(?:le |la )?(?:maire|president(?:e)?|directeur|directrice|gerant(?:e)?)$",
        "contact_email": r"courriel|e-?mail|^mel\b|adresse electronique|adresse mail",
    }.items()
}
# Labels that look like a name label but name something else.
_NOT_APPLICANT = re.compile(
    r"representant|projet|contact|responsable|signataire|prenom|banque|titulaire|"
    r"dossier|referent|operation|action|fournisseur|partenaire|financeur|financement|montant|"
    r"ressource|destinataire|cofinanceur"
)

SIRET_RX = re.compile(r"(?<![\d])(\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{5})(?![\d])")
SIREN_RX = re.compile(r"(?<![\d])(\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3})(?![\d ]*\d)")
RNA_RX = re.compile(r"\bW[0-9AB]{2}\d{7}\b")
POSTCODE_RX = re.compile(r"\b((?:0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{3}|97[1-6]\d{2})\b")
# Bounded local part and anchored start: no backtracking over long runs of word characters.
EMAIL_RX = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}\b", re.IGNORECASE
)
CIVILITY_RX = re.compile(r"^(?:m\.|mme\.?|mlle\.?|monsieur|madame|mr\.?|dr\.?|docteur|me)\s+", re.I)

# Names of entities, for a letterhead or a délibération that has no labelled name.
ENTITY_RX = re.compile(
    r"^(?:commune|ville|mairie) (?:de|d'|du|des)\b|^communaute (?:de communes|d'agglomeration|"
    r"urbaine)|metropole\b|^centre (?:communal|intercommunal) d'action sociale|^c\.?c\.?a\.?s\b|"
    r"^c\.?i\.?a\.?s\b|^syndicat\b|^association\b|^departement (?:de|du|des|d')|^region\b|"
    r"^(?:sarl|sas|sasu|eurl|sa|scop|scic)\b|^groupement d'interet public|^gip\b|"
    r"^societe (?:publique locale|d'economie mixte)|\b(?:sarl|sas|sasu|eurl)$|^petr\b|"
    r"^pole d'equilibre|^chambre (?:de|d'|des|regionale)"
)


@dataclass
class Identity:
    applicant_name: Sourced[Any] = field(default_factory=Sourced)
    siret: Sourced[Any] = field(default_factory=Sourced)
    siren: Sourced[Any] = field(default_factory=Sourced)
    rna: Sourced[Any] = field(default_factory=Sourced)
    legal_form: Sourced[Any] = field(default_factory=Sourced)
    beneficiary_type: Sourced[Any] = field(default_factory=Sourced)
    address: Sourced[Any] = field(default_factory=Sourced)
    postcode: Sourced[Any] = field(default_factory=Sourced)
    commune_insee: Sourced[Any] = field(default_factory=Sourced)
    departement_code: Sourced[Any] = field(default_factory=Sourced)
    representative: Sourced[Any] = field(default_factory=Sourced)
    contact_email: Sourced[Any] = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)
    legal_form_labelled: bool = False


def own_pieces(pieces: list[PieceView]) -> list[PieceView]:
    """The applicant's own pieces, most trusted first."""
    rank = {code: i for i, code in enumerate(OWN_PIECES)}
    own = [p for p in pieces if p.piece in rank]
    return sorted(own, key=lambda p: rank[p.piece])


def found(value: Any, evidence: list[Evidence], confidence: float) -> Sourced[Any]:
    return Sourced[Any](value=value, evidence=evidence, confidence=confidence)


def from_pair(pair: Labelled, value: Any, confidence: float = 0.9) -> Sourced[Any]:
    return found(value, [pair.evidence()], confidence if pair.origin != "form" else 0.95)


def extract_identity(pieces: list[PieceView]) -> Identity:
    own = own_pieces(pieces)
    out = Identity()
    out.applicant_name = _applicant_name(own)
    out.siret, out.siren = _siret_siren(own, out.warnings)
    out.rna = _rna(own)
    out.legal_form, out.legal_form_labelled = _legal_form(own)
    out.beneficiary_type = beneficiary_type(out, own)
    _address(own, out, pieces)
    out.representative = _representative(own)
    if not out.representative.found and out.beneficiary_type.value == "particulier":
        out.representative = found(
            out.applicant_name.value, out.applicant_name.evidence, 0.5
        )  # an individual represents himself
    out.contact_email = _contact_email(own)
    return out


def _labelled(own: list[PieceView], key: str) -> Sourced[Any]:
    pair = find_value(own, LABELS[key])
    if pair is None:
        return Sourced[Any]()
    return from_pair(pair, pair.value)


# --------------------------------------------------------------------------- name


def _applicant_name(own: list[PieceView]) -> Sourced[Any]:
    """The labelled name; else the sender at the top of the request (its letterhead);
    else an entity named at the top of another own piece. "Mairie de X" or "CCAS de X"
    gives way to the legal name ("Commune de X", "Centre communal d'action sociale de
    X") when a piece writes it."""
    for piece in own:
        if piece.piece not in _NAMING_PIECES:
            continue  # a plan's rows name funders, a RIB's its bank
        for pair in labelled_values(piece):
            if pair.empty or _NOT_APPLICANT.search(pair.label):
                continue
            if not LABELS["applicant_name"].search(pair.label) or len(pair.value) > 120:
                continue
            if pair.label in ("nom", "nom :") and piece.piece != "formulaire":
                continue  # "Nom : Paul Durand" in an attestation names its signatory
            return _clean_name(from_pair(pair, pair.value.strip()))
    for piece in own:
        hit = _prose_name(piece) if piece.piece == "formulaire" else None
        if hit:
            start, end = hit
            name = found(piece.document.text[start:end], [piece.evidence(start, end)], 0.75)
            return _legal_name(name, own)
    for piece in own:
        if piece.piece not in _NAMING_PIECES:
            continue  # a plan's line names a funder, a note may name partners
        hit = _sender_line(piece) if piece.piece == "formulaire" else None
        hit = hit or _entity_line(piece)
        if hit:
            start, end = hit
            name = found(piece.document.text[start:end], [piece.evidence(start, end)], 0.7)
            return _legal_name(name, own)
    return Sourced[Any]()


_NAMING_PIECES = (
    "formulaire",
    "attestation_honneur",
    "attestation_non_commencement",
    "kbis",
    "statuts",
    "deliberation",
)
_NAME_TAIL = re.compile(r"\s+(?:[—–-]|\(|,)\s*(?:siret|siren|n°|rna|code|tel)\b.*$", re.IGNORECASE)


def _clean_name(name: Sourced[Any]) -> Sourced[Any]:
    """ "Ville de Montbrison — SIRET 214 201 477 00160": the name without its numbers."""
    value = str(name.value)
    m = _NAME_TAIL.search(value)
    if not m or not name.evidence or name.evidence[0].start is None:
        return name
    ev = name.evidence[0]
    quote = ev.quote[: m.start()].rstrip()
    return Sourced[Any](
        value=quote,
        evidence=[ev.model_copy(update={"end": ev.start + len(quote), "quote": quote})],
        confidence=name.confidence,
    )


# "La Communauté de communes des Monts du Pilat (SIRET 244 200 655 00144), qui…": the
# subject the request introduces with its SIRET is the applicant.
_SIRET_PHRASE = re.compile(r"[,(]?\s*(?:\(|,)\s*siret\b", re.IGNORECASE)
_SUBJECT_START = re.compile(r"(?:^|[.!?]\s+|\n)(?:(?:le|la|les|l')\s*)?", re.IGNORECASE)


def _prose_name(piece: PieceView) -> tuple[int, int] | None:
    text = piece.document.text
    body = text[piece.start : piece.end]
    for m in _SIRET_PHRASE.finditer(body):
        sentence_start = max(
            body.rfind(". ", 0, m.start()) + 2,
            body.rfind(".\n", 0, m.start()) + 2,
            body.rfind(",\n", 0, m.start()) + 2,
            body.rfind("\n\n", 0, m.start()) + 2,
            0,
        )
        span = _subject_clause(body, sentence_start, m.start())
        if span is not None:
            start, end = span
            return piece.start + start, piece.start + end
    return None


# Words naming a kind of body: "la Commune de Vitré", "le Lycée …" lose their article.
_KIND_WORD = re.compile(
    r"(?:commune|ville|mairie|communaute|metropole|syndicat|departement|region|centre|ccas|"
    r"cias|association|societe|groupement|gip|lycee|college|universite|etablissement|office|"
    r"chambre|entreprise|sarl|sas|spl|sem|petr|pole)\b"
)


def _is_apposition(phrase: str) -> bool:
    """ "association déclarée loi 1901", "établissement public local d'enseignement": a
    legal form standing alone (no proper name after its first word)."""
    if not _LEGAL_FORM_RX.match(fold(phrase).lower()):
        return False
    return not any(word[:1].isupper() for word in phrase.split()[1:])


def _subject_clause(body: str, start: int, end: int) -> tuple[int, int] | None:
    """The clause naming the applicant before "(SIRET": the last one of the sentence,
    skipping an apposition that states a legal form ("…, association déclarée loi 1901")."""
    clauses: list[tuple[int, int]] = []
    position = start
    for part in body[start:end].split(", "):
        clauses.append((position, position + len(part)))
        position += len(part) + 2
    for c_start, c_end in reversed(clauses):
        phrase = body[c_start:c_end]
        lead = re.match(r"\s*(?:(?:le|la|les|un|une)\s+|l')?", phrase, re.IGNORECASE)
        offset = lead.end() if lead else 0
        if offset and not _KIND_WORD.match(fold(phrase[offset:]).lower()):
            # "Les Passeurs du Numérique": the article belongs to the name.
            offset = len(phrase) - len(phrase.lstrip())
        name = phrase[offset:].rstrip()
        if _is_apposition(name):
            continue
        words = name.split()
        named = bool(name[:1].isupper()) or bool(ENTITY_RX.search(fold(name).lower()))
        if 1 <= len(words) <= 12 and named and "\n" not in name.strip():
            return c_start + offset, c_start + offset + len(name)
        return None
    return None


_ADDRESSEE = re.compile(
    r"^(?:a |a l'attention|monsieur|madame|objet|destinataire|copie|affaire suivie|"
    r"dossier suivi|reference|v/ref|n/ref)"
)
_NAME_PART = re.compile(r"\s+[-–—|]\s+")


def _top_lines(piece: PieceView, window: int = 900) -> list[tuple[int, int]]:
    """Document spans of the non-empty lines at the top of the piece, up to the letter's
    addressee block or its "Objet :" line (what follows is not the sender)."""
    text = piece.document.text
    spans = []
    for start, end in piece.lines(window):
        line = text[start:end]
        if not line.strip():
            continue
        if _ADDRESSEE.match(fold(line.strip())):
            break
        spans.append((start + len(line) - len(line.lstrip()), start + len(line.rstrip())))
    return spans


def _sender_line(piece: PieceView) -> tuple[int, int] | None:
    """The first line of a letter or form when the next lines are its letterhead (an
    address, a legal form, a SIRET): "Les Passeurs du Numérique" above "Association loi
    1901 — 27 boulevard …"."""
    from extractors.dossier.pieces import TITLE_PATTERNS

    lines = _top_lines(piece)
    if len(lines) < 2:
        return None
    text = piece.document.text
    start, end = lines[0]
    first = text[start:end]
    folded = fold(first)
    if any(ch.isdigit() for ch in first) or len(first) > 90 or "@" in first:
        return None
    if any(rx.search(folded) for rx in TITLE_PATTERNS.values()):
        return None
    following = fold(" ".join(text[s:e] for s, e in lines[1:4]))
    if not (
        POSTCODE_RX.search(following)
        or re.search(
            r"\bloi 1901|\bsiret|\bcapital\b|"
            r"\bsarl\b|\bsas\b|\bassociation\b",
            following,
        )
    ):
        return None
    # "SPL Nord Franche-Comté Numérique — Maison du Numérique": the name is the first part.
    part = _NAME_PART.split(first)[0]
    return start, start + len(part.rstrip())


def _legal_name(name: Sourced[Any], own: list[PieceView]) -> Sourced[Any]:
    folded = fold(str(name.value)).lower()
    m = re.match(r"(?:mairie|ville|commune) (de |d'|du |des )(.+)$", folded)
    target = None
    if m:
        target = rf"\bcommune {re.escape(m.group(1))}{re.escape(m.group(2))}\b"
    m = re.match(r"c\.?c\.?a\.?s\.? (de |d'|du |des )(.+)$", folded)
    if m:
        target = rf"centre communal d'action sociale {re.escape(m.group(1))}{re.escape(m.group(2))}"
    if target is None:
        return name
    rx = re.compile(target)
    for piece in own:
        hit = rx.search(fold(piece.text).lower())
        if hit:
            s, e = piece.start + hit.start(), piece.start + hit.end()
            return found(piece.document.text[s:e], [piece.evidence(s, e)], 0.8)
    return name


def _entity_line(piece: PieceView) -> tuple[int, int] | None:
    """The first line at the top of the piece that names an entity ("COMMUNE DE FEURS",
    "Communauté de communes de Forez-Est"), before any addressee block."""
    text = piece.document.text
    for start, end in _top_lines(piece):
        line = text[start:end]
        part = _NAME_PART.split(line)[0]
        folded = fold(part)
        if len(folded) <= 100 and ENTITY_RX.search(folded):
            return start, start + len(part.rstrip())
    return None


# --------------------------------------------------------------------------- numbers


def _siret_siren(own: list[PieceView], warnings: list[str]) -> tuple[Sourced[Any], Sourced[Any]]:
    """The applicant's SIRET (Luhn-checked), and its SIREN (the first 9 digits, or the
    SIREN written alone)."""
    invalid: list[str] = []
    # Only the pieces where the applicant states who it is: a note may give a
    # supplier's or a partner's SIRET ("Prestataire retenu : … SIRET …").
    own = [p for p in own if p.piece in _NAMING_PIECES]
    for key, rx, check in (("siret", SIRET_RX, ids.siret_ok), ("siren", SIREN_RX, ids.siren_ok)):
        for piece in own:
            for pair in labelled_values(piece):
                if not LABELS[key].search(pair.label) or pair.empty:
                    continue
                m = rx.search(pair.value)
                if not m:
                    continue
                digits = re.sub(r"\D", "", m.group(1))
                if not check(digits):
                    invalid.append(f"{m.group(1)} ({piece.name})")
                    continue
                evidence = _sub_evidence(pair, m.start(1), m.end(1))
                if key == "siret":
                    return found(digits, evidence, 0.95), found(digits[:9], evidence, 0.95)
                return Sourced[Any](), found(digits, evidence, 0.9)
    # Unlabelled: a 14-digit number passing Luhn right after the word SIRET in the text.
    for piece in own:
        folded = fold(piece.text)
        for m in re.finditer(r"siret[^0-9]{0,20}", folded):
            number = SIRET_RX.match(piece.text, m.end())
            if number:
                digits = re.sub(r"\D", "", number.group(1))
                if ids.siret_ok(digits):
                    s, e = piece.start + number.start(1), piece.start + number.end(1)
                    ev = [piece.evidence(s, e)]
                    return found(digits, ev, 0.85), found(digits[:9], ev, 0.85)
    for item in invalid:
        warnings.append(
            f"Numéro SIRET/SIREN {item} : la clé de contrôle (Luhn) est fausse ; "
            "numéro non retenu, à vérifier sur l'annuaire des entreprises."
        )
    return Sourced[Any](), Sourced[Any]()


def _sub_evidence(pair: Labelled, start: int, end: int) -> list[Evidence]:
    if pair.start is None:
        return [pair.evidence()]
    return [pair.piece.evidence(pair.start + start, pair.start + end)]


def _rna(own: list[PieceView]) -> Sourced[Any]:
    for piece in own:
        m = RNA_RX.search(piece.text)
        if m and ids.rna_ok(m.group(0)):
            s, e = piece.start + m.start(), piece.start + m.end()
            return found(m.group(0), [piece.evidence(s, e)], 0.9)
        for pair in labelled_values(piece):
            if pair.field is not None and LABELS["rna"].search(pair.label):
                value = pair.value.replace(" ", "").upper()
                if ids.rna_ok(value):
                    return from_pair(pair, value)
    return Sourced[Any]()


# --------------------------------------------------------------------------- type

# INSEE catégories juridiques (niveau III) that name a beneficiary code unambiguously.
CATEGORIES = {
    "7210": "commune",
    "7220": "departement",
    "7230": "region",
    "7343": "epci",
    "7344": "epci",
    "7346": "epci",
    "7348": "epci",
    "7353": "syndicat",
    "7354": "syndicat",
    "7355": "syndicat",
    "7357": "syndicat",
    "7361": "ccas",
    "7363": "ccas",
    "7470": "gip",
    "9210": "association",
    "9220": "association",
    "9221": "association",
    "9222": "association",
    "9223": "association",
    "9224": "association",
    "9230": "association",
    "9260": "association",
    "5498": "entreprise",
    "5499": "entreprise",
    "5710": "entreprise",
    "5720": "entreprise",
}

TYPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (code, re.compile(rx))
    for code, rx in [
        ("ccas", r"\bccas\b|\bcias\b|centre (?:communal|intercommunal) d'action sociale"),
        (
            "epci",
            r"communaute (?:de communes|d'agglomeration|urbaine)|\bmetropole\b|\bepci\b|"
            r"\bagglomeration\b|\bagglo\b",
        ),
        (
            "syndicat",
            r"\bsyndicat\b|\bpetr\b|pole d'equilibre|\bsivom\b|\bsivu\b|"
            r"^pays (?:de|du|des|d')(?!.*\b(?:agglomeration|communaute|metropole)\b)",
        ),
        ("gip", r"\bgip\b|groupement d'interet public"),
        ("sem_spl", r"\bsem\b|\bspl\b|\bsemop\b|societe publique locale|societe d'economie mixte"),
        (
            "chambre_consulaire",
            r"chambre (?:de commerce|de metiers|des metiers|d'agriculture|regionale|consulaire)|\bcci\b|\bcma\b",
        ),
        ("commune", r"^(?:commune|ville|mairie)\b|\bcommune (?:de|d'|du|des)\b|^commune$"),
        ("departement", r"^departement\b|conseil departemental|conseil general"),
        ("region", r"^region\b|conseil regional"),
        ("association", r"\bassociation\b|loi (?:du 1er juillet )?1901|\bloi 1908\b"),
        ("particulier", r"\bparticulier\b|personne physique"),
        ("agriculteur", r"exploitant agricole|\bgaec\b|\bearl\b|\bscea\b|agriculteur"),
        (
            "etablissement_public",
            r"centre hospitalier|\bchu\b|\blycee\b|\bcollege\b|\buniversite\b|etablissement public|\bepic\b|\bepa\b|office de tourisme|\bsdis\b",
        ),
        (
            "entreprise",
            r"\bsarl\b|\bsasu?\b|\beurl\b|\bsa\b|\bscop\b|\bscic\b|\bsnc\b|societe|entreprise|auto-?entrepreneur|micro-?entreprise",
        ),
    ]
]
_SME_LIMIT = 250  # staff: EU SME definition (recommendation 2003/361/EC)


def beneficiary_type(identity: Identity, own: list[PieceView]) -> Sourced[Any]:
    """The beneficiary code, from the catégorie juridique, the legal form, then the name;
    an association is also recognised from its RNA number."""
    # A legal form given in a labelled field outranks the name; one merely seen at the top
    # of a page ("membre de la communauté de communes …") does not.
    if identity.legal_form_labelled:
        sources = [identity.legal_form, identity.applicant_name]
    else:
        sources = [identity.applicant_name, identity.legal_form]
    typed = [(kind, source) for source in sources if (kind := _kind_of(source)) is not None]
    if typed:
        kind, source = typed[0]
        if kind in _GENERIC_KINDS:
            # "Établissement public administratif communal" says less than the name
            # "Centre communal d'action sociale de Laval".
            specific = next((t for t in typed[1:] if t[0] not in _GENERIC_KINDS), None)
            if specific is not None:
                kind, source = specific
        return _typed(kind, source, own)
    if identity.rna.found:
        return found("association", identity.rna.evidence, 0.8)
    if _is_person(identity):
        # A person's name, no SIRET, no RNA, no legal form: an individual applicant;
        # stated with a low confidence so that the instructeur confirms it.
        identity.warnings.append(
            f"Le demandeur « {identity.applicant_name.value} » semble être une personne "
            "physique (nom de personne, sans SIRET, RNA ni forme juridique) : type "
            "« particulier » à confirmer."
        )
        return found("particulier", identity.applicant_name.evidence, 0.4)
    return Sourced[Any]()


def _is_person(identity: Identity) -> bool:
    if not identity.applicant_name.found or identity.siret.found or identity.siren.found:
        return False
    if identity.legal_form.found or identity.rna.found:
        return False
    name = str(identity.applicant_name.value)
    folded = fold(name).lower()
    return (
        _looks_like_person(name) and not _KIND_WORD.search(folded) and not ENTITY_RX.search(folded)
    )


_GENERIC_KINDS = {"etablissement_public", "entreprise"}


def _kind_of(source: Sourced[Any]) -> str | None:
    """The beneficiary code a name or legal form states: its catégorie juridique code, else
    the kind word that comes first ("Association sportive de la commune de Feurs" is an
    association), else the first rule that matches anywhere."""
    if not source.found:
        return None
    folded = fold(str(source.value)).lower()
    code = re.search(r"\b(\d{4})\b", folded)
    if code and code.group(1) in CATEGORIES:
        return CATEGORIES[code.group(1)]
    bare = re.sub(r"^(?:le|la|les|l')\s*", "", folded)
    leading = [name for name, rx in TYPE_RULES if (m := rx.search(bare)) and m.start() == 0]
    if leading:
        return leading[0]
    return next((name for name, rx in TYPE_RULES if rx.search(folded)), None)


def _typed(code: str, source: Sourced[Any], own: list[PieceView]) -> Sourced[Any]:
    if code == "entreprise":
        staff = _staff(own)
        if staff is not None:
            count, evidence = staff
            return found(
                "pme" if count < _SME_LIMIT else "entreprise", source.evidence + [evidence], 0.8
            )
        if re.search(r"\bpme\b|\btpe\b", fold(str(source.value))):
            return found("pme", source.evidence, 0.85)
    return found(
        code, source.evidence, 0.85 if source.confidence and source.confidence >= 0.9 else 0.75
    )


_STAFF_RX = re.compile(
    r"(?:effectifs?|nombre de salaries|salaries)\D{0,30}?(\d[\d \u00a0]{0,6})|"
    r"(\d[\d \u00a0]{0,6})\s*(?:salaries|employes|etp\b|personnes employees)"
)


def _staff(own: list[PieceView]) -> tuple[int, Evidence] | None:
    for piece in own:
        folded = fold(piece.text)
        m = _STAFF_RX.search(folded)
        if m:
            group = 1 if m.group(1) else 2
            digits = re.sub(r"\D", "", m.group(group))
            if digits:
                s, e = piece.start + m.start(), piece.start + m.end()
                return int(digits), piece.evidence(s, e)
    return None


# --------------------------------------------------------------------------- address


def _address(own: list[PieceView], out: Identity, all_pieces: list[PieceView]) -> None:
    """Address as one line ("2 place de la Mairie, 42530 Saint-Genest-Lerpt"), its
    postcode, the département from the postcode, the commune INSEE code when written or
    deducible from a commune's / CCAS's SIREN."""
    # Labelled addresses only where the applicant speaks of itself: a note's "Adresse :"
    # may be a supplier's.
    naming = [p for p in own if p.piece in _NAMING_PIECES]
    street = find_value(naming, LABELS["address"])
    post = find_value(naming, LABELS["postcode"])
    town = find_value(naming, LABELS["commune"])
    requests = [p for p in naming if p.piece == "formulaire"]
    # The request's own letterhead comes before another piece's "Siège :" (a Kbis).
    if (
        street is not None
        and street.piece.piece != "formulaire"
        and requests
        and _letterhead_address(requests, accept=_sender_place_agrees) is not None
    ):
        street = post = town = None
    evidence: list[Evidence] = []
    parts: list[str] = []
    postcode: str | None = None
    postcode_ev: list[Evidence] = []
    if street:
        parts.append(street.value.strip().rstrip(","))
        evidence.append(street.evidence())
        m = POSTCODE_RX.search(street.value)
        if m:
            postcode, postcode_ev = m.group(1), _sub_evidence(street, m.start(1), m.end(1))
    if post and not postcode:
        m = POSTCODE_RX.search(post.value)
        if m:
            postcode, postcode_ev = m.group(1), _sub_evidence(post, m.start(1), m.end(1))
            tail = f"{postcode} {town.value.strip()}" if town else postcode
            parts.append(tail)
            evidence += [post.evidence()] + ([town.evidence()] if town else [])
    if not street:
        # The addressee's block (the funder) is not the sender's address.
        line = _letterhead_address(own, accept=_sender_place_agrees)
        prose = _prose_address(own)
        if prose is not None and (line is None or _is_cedex(line)):
            line = prose
        if line is None and out.applicant_name.found:
            line = _client_address(all_pieces, str(out.applicant_name.value))
        if line:
            piece, spans = line
            parts = [piece.document.text[s:e].strip() for s, e in spans]
            evidence = [piece.evidence(s, e) for s, e in spans]
            m = POSTCODE_RX.search(parts[-1])
            if m:
                s = spans[-1][0] + (
                    len(piece.document.text[spans[-1][0] : spans[-1][1]])
                    - len(piece.document.text[spans[-1][0] : spans[-1][1]].lstrip())
                )
                postcode, postcode_ev = m.group(1), [piece.evidence(s + m.start(1), s + m.end(1))]
    if parts:
        out.address = found(one_line_address(", ".join(parts)), evidence, 0.8)
    if postcode:
        out.postcode = found(postcode, postcode_ev, 0.9)
        dept = ids.departement_of_postcode(postcode)
        if dept:
            out.departement_code = found(dept, postcode_ev, 0.85)
    insee = find_value(naming, LABELS["insee"])
    if insee:
        m = re.search(r"\b(\d[\dAB]\d{3})\b", insee.value)
        if m:
            out.commune_insee = found(m.group(1), _sub_evidence(insee, m.start(1), m.end(1)), 0.9)
    if not out.commune_insee.found and out.siren.found:
        siren = str(out.siren.value)
        code = ids.commune_insee_from_siren(siren)
        if code and siren.startswith("21"):
            out.commune_insee = found(code, out.siren.evidence, 0.85)
        elif code:
            # "26" + the commune's digits for a CCAS: the usual numbering, not checked
            # against SIRENE here; stated as such.
            out.commune_insee = found(code, out.siren.evidence, 0.5)
            out.warnings.append(
                f"Code INSEE de la commune ({code}) déduit du SIREN du CCAS ({siren}) selon la "
                "numérotation habituelle (26 + code de la commune), non vérifiée : à confirmer."
            )
    if not out.departement_code.found and out.commune_insee.found:
        code = str(out.commune_insee.value)
        dept = code[:3] if code.startswith("97") else code[:2]
        out.departement_code = found(dept, out.commune_insee.evidence, 0.8)


_PROSE_ADDRESS = re.compile(
    r"\b(\d{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|place|boulevard|bd|chemin|route|allee|"
    r"impasse|quai|cours|square|esplanade|parvis|promenade|faubourg)\b[^,\n;()]{2,60}),\s*"
    r"((?:\d{5}|2[AB]\d{3})\s+[^\W\d][\w'’ -]{1,40}?)(?=[,.;)\n]|\s+(?:cedex|engage|porte|souhaite|sollicite)|$)",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(
    r"(?m)^\s*(?:fait a |a )?([^\W\d][\w'’ -]{1,40}),\s+le\s+\d", re.IGNORECASE
)


def _prose_address(own: list[PieceView]) -> tuple[PieceView, list[tuple[int, int]]] | None:
    """ "La Commune de Vitré (SIRET …), 5 place du Château, 35500 Vitré, engage …": a street
    and a postcode written in the applicant's own sentences."""
    for piece in own:
        if piece.piece not in _NAMING_PIECES:
            continue
        for m in _PROSE_ADDRESS.finditer(piece.text):
            if "cedex" in fold(m.group(0)).lower():
                continue
            street = (piece.start + m.start(1), piece.start + m.end(1))
            town = (piece.start + m.start(2), piece.start + m.end(2))
            return piece, [street, town]
    return None


def _client_address(
    pieces: list[PieceView], name: str
) -> tuple[PieceView, list[tuple[int, int]]] | None:
    """The applicant's address as a supplier writes it in the client block of a quote:
    the applicant's name, then building / street lines and the postcode line."""
    key = name_key(name)
    for piece in (p for p in pieces if p.piece == "devis"):
        text = piece.document.text
        spans = piece.lines()
        for index, (start, end) in enumerate(spans):
            if name_key(text[start:end]) != key:
                continue
            chosen = []
            for s, e in spans[index + 1 : index + 4]:
                line = fold(text[s:e]).lower().strip()
                if _BUILDING_RX.search(line) or re.match(r"(?:\d{5}|2[ab]\d{3})\s", line):
                    chosen.append(_trimmed(text, (s, e)))
                    if re.match(r"(?:\d{5}|2[ab]\d{3})\s", line):
                        return piece, chosen
                else:
                    break
    return None


def _is_cedex(line: tuple[PieceView, list[tuple[int, int]]]) -> bool:
    piece, spans = line
    return any("cedex" in fold(piece.document.text[s:e]).lower() for s, e in spans)


def _sender_place_agrees(line: tuple[PieceView, list[tuple[int, int]]]) -> bool:
    """A letter is dated from the sender's town ("Nevers, le 10 juin 2024"): an address at
    the top in another town, with no other sign, is the addressee's."""
    piece, spans = line
    m = _PLACE_DATE.search(fold(piece.text).lower())
    if not m:
        return True
    place = name_key(m.group(1))
    return place in name_key(" ".join(piece.document.text[s:e] for s, e in spans))


def one_line_address(text: str) -> str:
    """ "41 avenue Françoise Giroud — 21000 Dijon" → "41 avenue Françoise Giroud, 21000
    Dijon": parts joined by ", ", the postcode starting its own part."""
    text = re.sub(r"\s+[—–|]\s+|\s+-\s+", ", ", " ".join(text.split()))
    text = re.sub(r"(?<=[^,\s])\s+(?=(?:\d{5}|2[AB]\d{3})\s+[^\W\d])", ", ", text)
    return text.strip(" ,")


_BUILDING_RX = re.compile(
    r"^(?:\d{1,4}(?: ?(?:bis|ter))?,? )?(?:rue|avenue|av\.|place|boulevard|bd|chemin|route|"
    r"allee|impasse|quai|cours|square|esplanade|parvis|rond-point|lieu-dit|hameau|zone|za|zi|"
    r"zac|parc|espace|mail|promenade|faubourg|cite|residence|hotel|maison|chateau|pole|"
    r"immeuble|centre|batiment|bp|cs|tour|campus|site|mairie)\b"
)
_NOT_ADDRESS = re.compile(
    r"@|\btel\b|\btelephone\b|www\.|https?:|\bsiret\b|\bfax\b|\d{2} \d{2} \d{2} \d{2}"
)
_POSTCODE_TOWN = re.compile(r"(?:^|\s)(?:\d{5}|2[AB]\d{3})\s+[A-Za-zÀ-ÿ'’-]")


def _letterhead_address(
    own: list[PieceView],
    accept: Callable[[tuple[PieceView, list[tuple[int, int]]]], bool] = lambda _: True,
) -> tuple[PieceView, list[tuple[int, int]]] | None:
    """The sender's address at the top of an applicant's piece, before the addressee:
    building and street lines (or " — "-separated parts of one line) up to the line with
    "42530 Saint-Genest-Lerpt". Returns the document spans of its parts."""
    for piece in own:
        text = piece.document.text
        lines = _top_lines(piece)
        for index, (start, end) in enumerate(lines):
            parts = _parts(text, start, end)
            post_index = next(
                (i for i, (s, e) in enumerate(parts) if _POSTCODE_TOWN.search(text[s:e])), None
            )
            if post_index is None:
                continue
            chosen = [
                (s, e)
                for s, e in parts[: post_index + 1]
                if _BUILDING_RX.search(fold(text[s:e]).lower()) or (s, e) == parts[post_index]
            ]
            if len(chosen) == 1 and index > 0:
                # The street is on the line above: "2 place de la Mairie" / "42530 …".
                for s, e in reversed(_parts(text, *lines[index - 1])):
                    if _BUILDING_RX.search(fold(text[s:e]).lower()):
                        chosen.insert(0, (s, e))
                        break
            if accept((piece, chosen)):
                return piece, chosen
            break  # this piece's top block is someone else's address: try the next piece
    return None


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The " — "-separated parts of a line that are address-like (no phone, mail, web)."""
    return [
        (s, e)
        for s, e in _split_parts(text, start, end)
        if text[s:e].strip() and not _NOT_ADDRESS.search(fold(text[s:e]).lower())
    ]


def _trimmed(text: str, span: tuple[int, int]) -> tuple[int, int]:
    s, e = span
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# --------------------------------------------------------------------------- people


def clean_person(value: str) -> str:
    """ "M. Jean-Pierre MARTIN, Maire" → "Jean-Pierre MARTIN"."""
    name = value.strip()
    name = re.split(r",|\s[-–—]\s|\(", name)[0].strip()
    previous = None
    while previous != name:
        previous = name
        name = CIVILITY_RX.sub("", name).strip()
    return name


_QUALITY_LINE = re.compile(
    r"^(?:le|la|pour le|pour la)\s+(?:maire|president(?:e)?|directeur|directrice|gerant(?:e)?|"
    r"vice-president(?:e)?|adjoint(?:e)?|proviseur(?:e)?|principal(?:e)?|"
    r"directeur general|directrice generale)\b.{0,60}$"
)
_SOUSSIGNE = re.compile(r"je soussigne(?:\(e\)|e)?,?\s+")


def _representative(own: list[PieceView]) -> Sourced[Any]:
    """Who represents the applicant, piece by piece in order of trust (the request first):
    a labelled name, "Je soussigné X", or the name under "Le Maire," in its signature
    block. The request's own words come before a Kbis's register entry."""
    for piece in own:
        pair = find_value([piece], LABELS["representative"])
        if pair:
            name = clean_person(pair.value)
            if _looks_like_person(name):
                return from_pair(pair, name)
        text = piece.document.text
        folded = fold(piece.text)
        m = _SOUSSIGNE.search(folded)
        if m:
            start = piece.start + m.end()
            end = start
            while end < piece.end and text[end] not in ",\n(":
                end += 1
            raw = text[start:end]
            name = clean_person(raw)
            if _looks_like_person(name):
                offset = start + raw.find(name)
                return found(name, [piece.evidence(offset, offset + len(name))], 0.8)
        hit = _signature_name(piece)
        if hit:
            s, e = hit
            return found(clean_person(text[s:e]), [piece.evidence(s, e)], 0.75)
    return Sourced[Any]()


def _signature_name(piece: PieceView) -> tuple[int, int] | None:
    """The name under "Le Maire," in a signature block."""
    text = piece.document.text
    spans = piece.lines()
    for i, (s, e) in enumerate(spans):
        if not _QUALITY_LINE.match(fold(text[s:e].strip())):
            continue
        for j in range(i + 1, min(i + 3, len(spans))):
            candidate = text[spans[j][0] : spans[j][1]].strip()
            name = clean_person(candidate)
            if _looks_like_person(name):
                start = spans[j][0] + text[spans[j][0] : spans[j][1]].find(name)
                return start, start + len(name)
    return None


def _looks_like_person(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in name):
        return False
    if re.search(r"signature|cachet|date|fait a|\.\.\.|…", fold(name)):
        return False
    return all(
        w[0].isupper() for w in words if w.lower() not in {"de", "du", "des", "d'", "le", "la"}
    )


_GENERIC_MAILBOX = re.compile(
    r"^(?:accueil|contact|mairie|info|infos|secretariat|courrier|standard|direction|"
    r"administration|ce\.|secretariat-general)"
)
_DATA_PROTECTION_MAILBOX = re.compile(r"^(?:dpo|dpd|rgpd|cnil|donnees|protection)[.@_-]")
_CONTACT_CUE = re.compile(r"contact|referent|suivi|charge|renseignement|interlocut|responsable")


def _contact_email(own: list[PieceView]) -> Sourced[Any]:
    """The e-mail of the person following the dossier: a labelled contact, else one on a
    line naming the contact, else the first personal address, else a generic mailbox."""
    pair = find_value(own, LABELS["contact_email"])
    if pair:
        m = EMAIL_RX.search(pair.value)
        if m and not _GENERIC_MAILBOX.match(m.group(0).lower()):
            return found(m.group(0).lower(), _sub_evidence(pair, m.start(), m.end()), 0.9)
    candidates: list[tuple[int, int, int, PieceView]] = []
    for rank, piece in enumerate(own):
        for m in EMAIL_RX.finditer(piece.text):
            if _DATA_PROTECTION_MAILBOX.match(m.group(0).lower()):
                continue  # the DPO's address, given in the data note, is not the contact
            before = fold(piece.text[max(0, m.start() - 100) : m.start()]).lower()
            score = 0 if _CONTACT_CUE.search(before) else 1
            score += 0 if not _GENERIC_MAILBOX.match(m.group(0).lower()) else 2
            candidates.append((score, rank, piece.start + m.start(), piece))
    if pair and EMAIL_RX.search(pair.value):
        m = EMAIL_RX.search(pair.value)
        assert m is not None
        if not candidates or min(candidates, key=lambda c: c[:3])[0] >= 2:
            return found(m.group(0).lower(), _sub_evidence(pair, m.start(), m.end()), 0.8)
    if not candidates:
        return Sourced[Any]()
    score, _, start, piece = min(candidates, key=lambda c: c[:3])
    m = EMAIL_RX.match(piece.document.text, start)
    assert m is not None
    return found(
        m.group(0).lower(), [piece.evidence(m.start(), m.end())], 0.8 if score == 0 else 0.6
    )


_LEGAL_FORM_RX = re.compile(
    r"communaute (?:de communes|d'agglomeration|urbaine)|metropole|syndicat (?:mixte|intercommunal)"
    r"[^,.;\n—(]{0,40}|groupement d'interet public|societe publique locale|societe d'economie mixte|"
    r"societe anonyme[^,.;\n—(]{0,40}|societe par actions simplifiee(?: unipersonnelle)?|"
    r"societe a responsabilite limitee|association (?:declaree|regie par la loi)[^,.;\n—(]{0,30}|"
    r"association loi (?:du 1er juillet )?1901|etablissement public[^,.;—(]{0,50}|"
    r"centre communal d'action sociale|\b(?:sarl|sas|sasu|eurl|scop|scic)\b"
)


def _legal_form(own: list[PieceView]) -> tuple[Sourced[Any], bool]:
    """The legal form and whether a labelled field gave it. The request speaks first —
    its "Statut juridique :" field, else the form it states beside the name ("MPM, SAS au
    capital de …") —, then the labelled fields of the other pieces (a Kbis's "Forme
    juridique"), then letterheads and SIRET lines."""
    for piece in (p for p in own if p.piece == "formulaire"):
        pair = find_value([piece], LABELS["legal_form"])
        if pair is not None:
            return from_pair(pair, pair.value), True
        span = _apposition_form(piece)
        if span:
            value = " ".join(piece.document.text[span[0] : span[1]].split())
            return found(value, [piece.evidence(*span)], 0.75), False
    labelled = _labelled(own, "legal_form")
    if labelled.found:
        return labelled, True
    return _written_legal_form(own), False


def _written_legal_form(own: list[PieceView]) -> Sourced[Any]:
    """The legal form where the dossier states it as such, at the top of its pieces
    (letterhead "Association loi 1901 — …"); a name like "Commune de Feurs" is not a
    statement of legal form (the beneficiary type reads the name)."""
    for piece in own:
        for start, end in _top_parts(piece) + _siret_lines(piece):
            text = piece.document.text[start:end]
            m = _LEGAL_FORM_RX.match(fold(text).lower())
            if m and re.match(r"\s+(?:de|des|du|d')\b", fold(text[m.end() :]).lower()):
                continue  # "Communauté de communes des Monts du Pilat": a name, not a form
            if m:
                s, e = start + m.start(), start + m.end()
                return found(piece.document.text[s:e].strip(), [piece.evidence(s, e)], 0.7)
    return Sourced[Any]()


def _top_parts(piece: PieceView) -> list[tuple[int, int]]:
    """The " — "-separated parts of the letterhead's short lines."""
    text = piece.document.text
    spans = []
    for start, end in _top_lines(piece):
        if end - start <= 90:
            spans += _split_parts(text, start, end)
    return spans


def _split_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the " — "-separated parts of text[start:end]."""
    spans = []
    position = start
    for chunk in _NAME_PART.split(text[start:end]):
        at = text.index(chunk, position) if chunk else position
        spans.append((at, at + len(chunk)))
        position = at + len(chunk)
    return spans


def _apposition_form(piece: PieceView) -> tuple[int, int] | None:
    """ "Les Passeurs du Numérique, association déclarée loi 1901 (SIRET …)", "MPM, SAS au
    capital de 150 000 €, immatriculée …": the legal form the request states beside the
    applicant's name."""
    body = piece.document.text[piece.start : piece.end]
    folded = fold(body).lower()
    for m in re.finditer(r",\s+", folded):
        head = _LEGAL_FORM_RX.match(folded, m.end())
        if not head or not _is_apposition(body[m.end() : head.end()]):
            continue
        tail = folded[head.end() : head.end() + 60]
        if re.match(r"[^.;]{0,40}(?:\(siret|, siret|au capital|immatricul|, rna|\(rna)", tail):
            end = head.end()
            return piece.start + m.end(), piece.start + len(body[:end].rstrip(" ,"))
    return None


def _siret_lines(piece: PieceView) -> list[tuple[int, int]]:
    """Lines giving the SIRET (often a footer "SIRET … — Communauté d'agglomération
    représentée par son Président"): they state the legal form too."""
    text = piece.document.text
    spans = []
    for start, end in piece.lines():
        if "siret" in fold(text[start:end]).lower():
            spans += _split_parts(text, start, end)
    return [(s, e) for s, e in spans if not re.search(r"\d{3}", text[s:e])]
