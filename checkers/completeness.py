"""Completeness (recevabilité): the pieces, the identification, the mandatory notes and the
signature — C01 to C04. A dossier that fails here is incomplete, not ineligible: the
instructeur asks for what is missing."""

from __future__ import annotations

from typing import Any

from checkers.base import (
    DELIBERATING_BODIES,
    Verdict,
    check,
    enumerate_fr,
    evidence,
    general_rule,
    hedge,
    known,
    rule_evidence,
    uncertain,
)
from checkers.context import CheckContext
from pipeline import vocab
from pipeline.models import CallRules, DocumentEntry, DossierFacts, Evidence, NoteFacts, Sourced

DEFAULT_PIECES_RULE = (
    "DESIGN §4 : pièces exigées par défaut — formulaire de demande signé, plan de "
    "financement et RIB pour tout porteur ; devis pour des dépenses d'investissement"
)
TYPE_PIECES_RULE = {
    "deliberation": (
        "Délibération de l'organe délibérant approuvant le projet et son plan de financement "
        "(CGCT L2121-29 pour les communes ; de même pour les autres collectivités, leurs "
        "groupements et les CCAS)"
    ),
    "statuts": "Statuts de l'association (loi du 1er juillet 1901), exigés par défaut",
    "kbis": "Extrait Kbis de l'entreprise (moins de 3 mois), exigé par défaut",
}
TYPE_PIECES: dict[str, tuple[str, ...]] = {
    "deliberation": DELIBERATING_BODIES,
    "statuts": ("association",),
    "kbis": ("entreprise", "pme"),
}
# A financing plan and a forecast budget are the same piece under two names.
EQUIVALENT_PIECES = {
    "plan_financement": "budget_previsionnel",
    "budget_previsionnel": "plan_financement",
}
NOTE_PIECES = {
    "note_numerique_responsable": "numerique_responsable",
    "note_protection_donnees": "protection_donnees",
}
ASK_FOR = {
    "formulaire": "le formulaire de demande daté et signé",
    "plan_financement": "le plan de financement (dépenses et ressources)",
    "budget_previsionnel": "le budget prévisionnel du projet",
    "rib": "un RIB au nom du porteur",
    "devis": "les devis des dépenses d'investissement",
    "deliberation": "la délibération approuvant le projet et son plan de financement",
    "statuts": "les statuts à jour de l'association",
    "kbis": "un extrait Kbis de moins de 3 mois",
    "note_numerique_responsable": "la note sur la démarche numérique responsable",
    "note_protection_donnees": "la note sur la protection des données personnelles",
}


# --------------------------------------------------------------------------- C01


def required_pieces(rules: CallRules, facts: DossierFacts) -> list[str]:
    """The pieces this dossier must hold, in order: the call's own list, then the defaults
    of DESIGN §4 (formulaire, plan, RIB; devis for investment expenses; deliberation,
    statuts or Kbis by applicant type), less the pieces the rules file waives
    (`waived_pieces`). Unknown type: no type-dependent piece."""
    pieces: list[str] = list(rules.required_pieces.value or [])
    pieces += ["formulaire", "plan_financement", "rib"]
    if _investment_claimed(rules, facts):
        pieces.append("devis")
    beneficiary = facts.beneficiary_type.value
    for piece, types in TYPE_PIECES.items():
        if beneficiary in types:
            pieces.append(piece)
    waived = set(rules.waived_pieces.value or [])
    out: list[str] = []
    for piece in pieces:
        if piece in waived:
            continue
        if piece not in out and EQUIVALENT_PIECES.get(piece) not in out:
            out.append(piece)
    return out


def _investment_claimed(rules: CallRules, facts: DossierFacts) -> bool:
    lines = facts.expenses.value or []
    return rules.expense_types.value == ["investissement"] or any(
        e.expense_type == "investissement" for e in lines
    )


def _readable(documents: list[DocumentEntry]) -> list[DocumentEntry]:
    return [d for d in documents if d.error is None]


def piece_present(piece: str, facts: DossierFacts, documents: list[DocumentEntry]) -> bool:
    """A piece is present when a readable document is that piece (or its equivalent), or,
    for a mandatory note, when the note was found inside another piece."""
    names = {piece, EQUIVALENT_PIECES.get(piece)}
    if any(d.piece in names for d in _readable(documents)):
        return True
    note = NOTE_PIECES.get(piece)
    if note is not None:
        value: NoteFacts | None = getattr(facts.notes, note).value
        return value is not None and value.present
    return False


def _piece_evidence(documents: list[DocumentEntry]) -> list[Evidence]:
    return [
        Evidence(
            document=d.name,
            quote=f"pièce : {vocab.PIECE_LABELS.get(d.piece, d.piece)}"
            + (f" (pages {d.pages})" if d.pages and "-" in d.pages else "")
            + (f" — illisible : {d.error}" if d.error else ""),
        )
        for d in documents
    ]


def _pieces_rule(rules: CallRules, required: list[str]) -> list[Evidence]:
    rule = rule_evidence(rules, "required_pieces") + [general_rule(DEFAULT_PIECES_RULE)]
    rule += [general_rule(TYPE_PIECES_RULE[p]) for p in required if p in TYPE_PIECES_RULE]
    return rule


def _label(piece: str) -> str:
    return f"{vocab.PIECE_LABELS.get(piece, piece)} ({piece})"


def absent_pieces(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> list[str]:
    """The codes of the required pieces not found, in the order of `required_pieces`."""
    return [p for p in required_pieces(rules, facts) if not piece_present(p, facts, ctx.documents)]


@check("C01", "Pièces exigées présentes")
def c01_pieces(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que chaque pièce exigée est au dossier.

    Quoi : les pièces exigées sont celles que l'appel demande (`required_pieces`) plus les
    pièces exigées par défaut : formulaire signé, plan de financement, RIB pour tout
    porteur ; devis quand des dépenses d'investissement sont présentées (ou que l'appel ne
    finance que l'investissement) ; délibération pour une commune, un EPCI, un syndicat,
    un département, une région ou un CCAS ; statuts pour une association ; Kbis pour une
    entreprise ou une PME. Le fichier de règles peut en ajouter (`required_pieces`) ou en
    retirer (`waived_pieces`). Un budget prévisionnel vaut plan de financement (et
    inversement) ; une note obligatoire compte aussi quand elle est une section d'une autre
    pièce. Une pièce illisible (fichier protégé, endommagé) ne compte pas.
    Statuts : `pass` (tout est là), `missing` (liste des pièces absentes), `review` (type
    de porteur inconnu et aucune délibération, statuts ni Kbis au dossier).

    Pourquoi : un dossier incomplet ne peut pas être instruit ; la demande de pièces
    (`demande-pieces.docx`) part de cette liste.

    Base légale : l'avis de l'appel (liste des pièces) ; pour la délibération, CGCT
    L2121-29 (l'organe délibérant règle les affaires de la collectivité).

    Exemple : une commune sans délibération ni RIB → `missing`, « Pièces manquantes :
    Délibération… (deliberation), RIB (rib) ».
    """
    required = required_pieces(rules, facts)
    absent = absent_pieces(rules, facts, ctx)
    unreadable = [d for d in ctx.documents if d.error is not None]
    ev = _piece_evidence(ctx.documents) + evidence(facts.beneficiary_type)
    rule = _pieces_rule(rules, required)
    unknown_type = not known(facts.beneficiary_type)
    type_note = ""
    if unknown_type:
        type_note = (
            " Le type de porteur n'est pas connu : les pièces propres à un type (délibération,"
            " statuts, Kbis) n'ont pas pu être exigées."
        )
    if unreadable:
        type_note += " Pièce(s) illisible(s), non comptée(s) : " + ", ".join(
            f"« {d.name} »" for d in unreadable
        )
        type_note += "."
    if absent:
        return Verdict(
            status="missing",
            message="Pièces manquantes : " + ", ".join(_label(p) for p in absent) + "." + type_note,
            evidence=ev,
            rule=rule,
            action="Demander au porteur : " + " ; ".join(ASK_FOR.get(p, p) for p in absent) + ".",
        )
    typed = [p for p in TYPE_PIECES if piece_present(p, facts, ctx.documents)]
    if unknown_type and not typed:
        return Verdict(
            status="review",
            message="Les pièces exigées de tout porteur sont présentes." + type_note,
            evidence=ev,
            rule=rule,
            action=(
                "Établir le type de porteur, puis vérifier la pièce qu'il doit fournir "
                "(délibération, statuts ou Kbis)."
            ),
        )
    return Verdict(
        status="pass",
        message="Toutes les pièces exigées sont présentes : "
        + ", ".join(vocab.PIECE_LABELS.get(p, p) for p in required)
        + "."
        + type_note,
        evidence=ev,
        rule=rule,
    )


# --------------------------------------------------------------------------- C02


IDENTIFICATION: list[tuple[str, tuple[str, ...]]] = [
    ("raison sociale du porteur", ("applicant_name",)),
    ("SIRET, SIREN ou n° RNA", ("siret", "siren", "rna")),
    ("représentant légal", ("representative",)),
    ("courriel de contact", ("contact_email",)),
    ("intitulé du projet", ("project_title",)),
    ("montant de l'aide demandée", ("requested_aid_eur",)),
    ("coût total du projet", ("total_cost_eur",)),
    ("date de début du projet", ("start_on",)),
]


@check("C02", "Identification du porteur et du projet")
def c02_identification(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le dossier identifie le porteur et le projet.

    Quoi : raison sociale, SIRET ou SIREN ou n° RNA, représentant légal, courriel de
    contact, intitulé du projet, aide demandée, coût total et date de début doivent être
    lus. Statuts : `pass` (tout est lu), `missing` (liste de ce qui manque) ; jamais
    `fail` : un champ absent se demande, il ne rend pas le dossier inéligible.

    Pourquoi : sans ces éléments, ni la convention ni le paiement ne sont possibles, et les
    autres contrôles (identifiants, plafond, taux, calendrier) manquent de base.

    Base légale : règle générale d'instruction ; l'avis de l'appel (formulaire de demande).

    Exemple : un dossier sans date de début du projet → `missing`, « Éléments
    d'identification manquants : date de début du projet ».
    """
    absent: list[str] = []
    found: list[Sourced[Any]] = []
    for label, names in IDENTIFICATION:
        fields = [getattr(facts, n) for n in names]
        if any(known(f) for f in fields):
            found.extend(f for f in fields if known(f))
        else:
            absent.append(label)
    rule = [general_rule("Éléments d'identification de la demande (DESIGN §4, C02)")]
    if absent:
        return Verdict(
            status="missing",
            message=f"Éléments d'identification manquants : {enumerate_fr(absent)}.",
            evidence=evidence(*found),
            rule=rule,
            action=f"Demander au porteur de préciser : {enumerate_fr(absent)}.",
        )
    return Verdict(
        status="pass",
        message="Le porteur et le projet sont identifiés (nom, identifiant, représentant, "
        "contact, intitulé, montants, date de début).",
        evidence=evidence(*found),
        rule=rule,
    )


# --------------------------------------------------------------------------- C03


NOTE_LABELS = {
    "note_numerique_responsable": "la note sur la démarche numérique responsable",
    "note_protection_donnees": "la note sur la protection des données personnelles",
}


@check("C03", "Notes obligatoires renseignées")
def c03_notes(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> list[Verdict]:
    """Vérifie que chaque note obligatoire a un contenu, pas seulement un titre.

    Quoi : pour chaque note que l'appel exige (`required_pieces` contient
    note_numerique_responsable ou note_protection_donnees), un constat : `missing` si la
    note est absente, `fail` si elle n'est qu'un titre ou une phrase sans aucun des points
    attendus (bilan carbone, réemploi, écoconception… ; RGPD, base légale, DPO, durée de
    conservation…), `pass` si elle est substantielle. Une note présente au dossier mais
    dont le contenu n'a pas pu être analysé, ou lue avec une confiance faible → `review`.
    L'appel n'exige aucune note → un seul constat `not_applicable`.

    Pourquoi : une note vide rend le dossier incomplet au même titre qu'une pièce absente.

    Base légale : l'avis de l'appel (pièces exigées) ; pour les données personnelles, le
    RGPD (règlement (UE) 2016/679) que la note doit décliner.

    Exemple : une note « Démarche numérique responsable » réduite à son titre → `fail`,
    « demander une note qui traite… ».
    """
    wanted = [p for p in (rules.required_pieces.value or []) if p in NOTE_PIECES]
    if not wanted:
        return [
            Verdict(
                status="not_applicable",
                message="L'appel n'exige ni note numérique responsable ni note sur la "
                "protection des données.",
                rule=rule_evidence(rules, "required_pieces"),
            )
        ]
    return [_note_verdict(p, rules, facts, ctx) for p in wanted]


def _note_verdict(piece: str, rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    field_: Sourced[NoteFacts] = getattr(facts.notes, NOTE_PIECES[piece])
    label = NOTE_LABELS[piece]
    rule = rule_evidence(rules, "required_pieces")
    note = field_.value
    ev = evidence(field_)
    in_documents = any(d.piece == piece for d in _readable(ctx.documents))
    if note is None or not note.present:
        if in_documents:
            return Verdict(
                status="review",
                message=f"La pièce attendue pour {label} est au dossier mais son contenu n'a "
                "pas pu être analysé.",
                evidence=_piece_evidence([d for d in ctx.documents if d.piece == piece]),
                rule=rule,
                action=f"Lire {label} et apprécier si elle traite le sujet demandé.",
            )
        return Verdict(
            status="missing",
            message=f"L'appel exige {label} ; elle n'a pas été trouvée dans le dossier.",
            evidence=ev,
            rule=rule,
            action=f"Demander au porteur {label}.",
        )
    signals = [vocab.SIGNAL_LABELS.get(s, s) for s in note.signals]
    if note.substantive is None:
        return Verdict(
            status="review",
            message=f"{label[0].upper()}{label[1:]} est présente ; son contenu n'a pas pu être "
            "apprécié.",
            evidence=ev,
            rule=rule,
            action=f"Lire {label} et apprécier si elle traite le sujet demandé.",
        )
    if note.substantive:
        verdict = Verdict(
            status="pass",
            message=f"{label[0].upper()}{label[1:]} est renseignée"
            + (f" (points traités : {', '.join(signals)})." if signals else "."),
            evidence=ev,
            rule=rule,
        )
    else:
        verdict = Verdict(
            status="fail",
            message=f"{label[0].upper()}{label[1:]} est présente mais vide de contenu : un titre "
            "ou une phrase générale, sans aucun des points attendus.",
            evidence=ev,
            rule=rule,
            action=f"Demander au porteur de compléter {label} (démarche concrète, mesures "
            "prévues).",
        )
    return hedge(verdict, field_)


# --------------------------------------------------------------------------- C04


@check("C04", "Demande signée et datée")
def c04_signed(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que la demande est signée et datée.

    Quoi : `missing` si aucune demande (ou aucun bloc de signature) n'a été trouvée ;
    `fail` si le bloc de signature est laissé vide ; `pass` si la demande est signée et
    porte une date ; `review` si elle est signée mais que la seule date connue est celle
    de l'arrivée du dossier (date retenue à défaut, confiance faible) ; `missing` si elle
    est signée sans aucune date connue.

    Pourquoi : une demande non signée n'engage pas le porteur ; la date de la demande fixe
    le respect du calendrier (E03) et le non-commencement (E04).

    Base légale : règle générale (la demande est signée par le représentant légal ou son
    délégataire) ; l'avis de l'appel.

    Exemple : demande signée « Fait à Feurs, le 10 juillet 2023 » → `pass`.
    """
    signed, dated = facts.signed, facts.submitted_on
    rule = [general_rule("Demande datée et signée par le représentant légal (DESIGN §4, C04)")]
    ev = evidence(signed, dated)
    if signed.value is None:
        return Verdict(
            status="missing",
            message="Aucune demande signée n'a été trouvée (pas de bloc de signature lu).",
            evidence=ev,
            rule=rule,
            action="Demander le formulaire de demande daté et signé par le représentant légal.",
        )
    if signed.value is False:
        return hedge(
            Verdict(
                status="fail",
                message="La demande n'est pas signée : le bloc de signature est vide.",
                evidence=ev,
                rule=rule,
                action="Demander la demande datée et signée par le représentant légal.",
            ),
            signed,
        )
    if not known(dated):
        return Verdict(
            status="missing",
            message="La demande est signée mais sa date n'a pas été trouvée.",
            evidence=ev,
            rule=rule,
            action="Relever la date de la signature ou la demander au porteur.",
        )
    if uncertain(dated):
        return Verdict(
            status="review",
            message=f"La demande est signée mais non datée de façon lisible : la date retenue "
            f"({dated.value:%d/%m/%Y}) est celle de l'arrivée du dossier.",
            evidence=ev,
            rule=rule,
            action="Vérifier la date de signature sur la demande.",
        )
    return hedge(
        Verdict(
            status="pass",
            message=f"La demande est signée et datée du {dated.value:%d/%m/%Y}.",
            evidence=ev,
            rule=rule,
        ),
        signed,
    )
