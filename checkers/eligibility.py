"""Eligibility of the applicant and of the request: type, territory, window, not started
(E01–E04), and the theme (E13, advisory)."""

from __future__ import annotations

from checkers.base import (
    Verdict,
    check,
    enumerate_fr,
    evidence,
    fold,
    general_rule,
    hedge,
    rule_evidence,
)
from checkers.context import CheckContext
from pipeline import territories, vocab
from pipeline.ids import departement_of_postcode
from pipeline.models import CallRules, Commitment, DossierFacts, Territory


def _type_label(code: str) -> str:
    return vocab.BENEFICIARY_LABELS.get(code, code)


# --------------------------------------------------------------------------- E01


@check("E01", "Type de porteur éligible")
def e01_beneficiary(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le type du porteur figure parmi les bénéficiaires de l'appel.

    Quoi : `pass` si le type du porteur est dans la liste des bénéficiaires éligibles ;
    une PME est une entreprise (« entreprises » dans l'appel couvre les PME, et « PME »
    dans le dossier est acceptée par un appel qui vise les entreprises) ; `fail` sinon ;
    `review` si l'appel ne donne pas la liste lisiblement ou si le type du porteur n'est
    pas connu (ou lu avec une confiance faible).

    Pourquoi : un porteur que l'appel ne vise pas ne peut pas être aidé, quel que soit
    son projet.

    Base légale : l'avis de l'appel (bénéficiaires éligibles).

    Exemple : une association pour un appel réservé aux collectivités et à leurs
    groupements → `fail`.
    """
    eligible = rules.eligible_beneficiaries.value
    kind = facts.beneficiary_type
    rule = rule_evidence(rules, "eligible_beneficiaries")
    ev = evidence(kind)
    if not eligible:
        return Verdict(
            status="review",
            message="La liste des bénéficiaires éligibles de l'appel n'est pas lue : "
            "l'éligibilité du porteur ne peut pas être établie.",
            evidence=ev,
            rule=rule,
            action="Vérifier dans l'avis de l'appel si ce type de porteur est éligible.",
        )
    if kind.value is None:
        return Verdict(
            status="review",
            message="Le type de porteur (commune, association, entreprise…) n'a pas pu être "
            "établi.",
            evidence=ev,
            rule=rule,
            action="Établir la nature juridique du porteur (SIRENE, statuts) et la comparer "
            "aux bénéficiaires de l'appel.",
        )
    listed = enumerate_fr([_type_label(b) for b in eligible])
    accepted = kind.value in eligible or (kind.value == "pme" and "entreprise" in eligible)
    if accepted:
        verdict = Verdict(
            status="pass",
            message=f"Le porteur ({_type_label(kind.value)}) fait partie des bénéficiaires de "
            "l'appel.",
            evidence=ev,
            rule=rule,
        )
    else:
        verdict = Verdict(
            status="fail",
            message=f"Le porteur ({_type_label(kind.value)}) ne fait pas partie des "
            f"bénéficiaires de l'appel ({listed}).",
            evidence=ev,
            rule=rule,
            action="Vérifier la nature juridique du porteur ; si elle est confirmée, le "
            "dossier ne peut pas être retenu au titre de cet appel.",
        )
    return hedge(verdict, kind)


# --------------------------------------------------------------------------- E02


def _call_area(territory: Territory) -> territories.Area | None:
    if territory.code:
        found = (
            territories.region(territory.code)
            if territory.level == "region"
            else territories.departement(territory.code)
        )
        if found is not None:
            return found
    return territories.find_area(territory.name, territory.level)


@check("E02", "Porteur situé sur le territoire de l'appel")
def e02_territory(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le porteur est situé sur le territoire de l'appel.

    Quoi : appel national ou territoire non lu → `not_applicable` ; appel régional → le
    département du porteur doit appartenir à la région (codes INSEE) ; appel
    départemental → même département ; appel communal ou intercommunal → `review` (la
    liste des communes n'est pas connue ici). Département du porteur inconnu → `review`
    (le code postal, s'il est lu, est cité à titre d'indice). Sinon `fail`.

    Pourquoi : un appel territorial n'aide que les porteurs de son territoire ; un projet
    tourné vers le territoire ne suffit pas si le porteur est situé ailleurs.

    Base légale : l'avis de l'appel (territoire) ; découpage INSEE (COG).

    Exemple : une commune d'Ille-et-Vilaine (35, Bretagne) pour un appel de la Région
    Pays de la Loire (52) → `fail`.
    """
    territory = rules.territory.value
    rule = rule_evidence(rules, "territory")
    if territory is None or territory.level == "national":
        return Verdict(
            status="not_applicable",
            message="L'appel ne restreint pas les porteurs à un territoire.",
            rule=rule,
        )
    dep = facts.departement_code
    ev = evidence(dep, facts.postcode, facts.commune_insee)
    if territory.level in ("commune", "epci"):
        return Verdict(
            status="review",
            message=f"L'appel est limité au territoire « {territory.name} » : l'appartenance "
            "de la commune du porteur ne peut pas être vérifiée automatiquement.",
            evidence=ev,
            rule=rule,
            action=f"Vérifier que le porteur est situé sur le territoire « {territory.name} ».",
        )
    if dep.value is None:
        hint = ""
        if facts.postcode.value and departement_of_postcode(facts.postcode.value):
            hint = (
                f" Le code postal {facts.postcode.value} indique le département "
                f"{departement_of_postcode(facts.postcode.value)}, à confirmer."
            )
        return Verdict(
            status="review",
            message="Le département du porteur n'est pas connu." + hint,
            evidence=ev,
            rule=rule,
            action="Établir la commune du porteur (adresse, code INSEE) et vérifier qu'elle "
            "est sur le territoire de l'appel.",
        )
    area = _call_area(territory)
    own = territories.departement(dep.value)
    if area is None or own is None:
        unknown = territory.name if area is None else f"département {dep.value}"
        return Verdict(
            status="review",
            message=f"Territoire non reconnu dans le référentiel INSEE ({unknown}).",
            evidence=ev,
            rule=rule,
            action="Vérifier à la main que le porteur est situé sur le territoire de l'appel.",
        )
    inside = own.region == area.code if area.level == "region" else own.code == area.code
    where = f"{own.name} ({own.code})"
    if inside:
        verdict = Verdict(
            status="pass",
            message=f"Le porteur est situé dans le département {where}, sur le territoire "
            f"de l'appel ({area.name}).",
            evidence=ev,
            rule=rule,
        )
    else:
        verdict = Verdict(
            status="fail",
            message=f"Le porteur est situé dans le département {where}, hors du territoire "
            f"de l'appel ({area.name}).",
            evidence=ev,
            rule=rule,
            action="Vérifier l'adresse du siège du porteur ; si elle est confirmée, le "
            "dossier ne relève pas de cet appel.",
        )
    return hedge(verdict, dep)


# --------------------------------------------------------------------------- E03


@check("E03", "Dépôt dans les délais de l'appel")
def e03_window(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que la demande a été déposée pendant la période de l'appel.

    Quoi : l'appel n'a pas de date limite → `not_applicable` ; date de la demande
    inconnue → `missing`. La date de la demande est comparée au jour de la date limite
    dans le fuseau de l'appel (« à minuit » = fin de journée) : une demande datée du
    dernier jour est dans les délais → `pass` ; après → `fail`. Une date limite fixée
    avant la fin de la journée (« 12 h ») et une demande datée de ce jour-là → `review`
    (l'heure du dépôt est à vérifier). Une demande datée d'avant l'ouverture → `review`
    (elle est en général tenue jusqu'à l'ouverture). Quand la date de la demande est
    celle de l'arrivée du dossier, faute de date lisible sur la demande, le constat
    devient `review`.

    Pourquoi : une demande tardive n'est pas recevable ; l'égalité entre candidats impose
    la même date limite pour tous.

    Base légale : l'avis de l'appel (calendrier, date limite de dépôt).

    Exemple : date limite le 28/07/2023 à minuit, demande signée le 02/08/2023 → `fail`.
    """
    closes = rules.closes_at.value
    rule = rule_evidence(rules, "closes_at", "opens_on")
    if closes is None:
        return Verdict(
            status="not_applicable",
            message="L'appel ne fixe pas de date limite de dépôt lue.",
            rule=rule,
        )
    submitted = facts.submitted_on
    ev = evidence(submitted)
    if submitted.value is None:
        return Verdict(
            status="missing",
            message="La date de la demande n'est pas connue.",
            evidence=ev,
            rule=rule,
            action="Relever la date de dépôt (signature ou accusé de réception).",
        )
    day = submitted.value
    last_day = closes.date()  # in the call's own zone: closes_at keeps its offset
    deadline = f"{last_day:%d/%m/%Y} à {closes:%H:%M}"
    opens = rules.opens_on.value
    if day > last_day:
        verdict = Verdict(
            status="fail",
            message=f"Demande datée du {day:%d/%m/%Y}, après la date limite du {deadline}.",
            evidence=ev,
            rule=rule,
            action="Vérifier la date de dépôt (accusé de réception, horodatage) ; si elle est "
            "confirmée, la demande est hors délai.",
        )
    elif day == last_day and (closes.hour, closes.minute) < (23, 59):
        verdict = Verdict(
            status="review",
            message=f"Demande datée du dernier jour ({day:%d/%m/%Y}) ; la date limite est "
            f"fixée à {closes:%H:%M} : l'heure du dépôt décide.",
            evidence=ev,
            rule=rule,
            action="Vérifier l'heure de dépôt (horodatage de la plateforme, accusé de réception).",
        )
    elif opens is not None and day < opens:
        verdict = Verdict(
            status="review",
            message=f"Demande datée du {day:%d/%m/%Y}, avant l'ouverture de l'appel le "
            f"{opens:%d/%m/%Y}.",
            evidence=ev,
            rule=rule,
            action="Vérifier si une demande antérieure à l'ouverture est recevable.",
        )
    else:
        verdict = Verdict(
            status="pass",
            message=f"Demande datée du {day:%d/%m/%Y}, dans les délais (date limite le "
            f"{deadline}).",
            evidence=ev,
            rule=rule,
        )
    return hedge(verdict, submitted)


# --------------------------------------------------------------------------- E04


@check("E04", "Projet non commencé avant la demande")
def e04_not_started(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le projet n'a pas commencé avant la demande.

    Quoi : un devis signé (« bon pour accord »), un bon de commande, une facture, un
    ordre de service ou un marché signé daté strictement avant la date de la demande →
    `fail` (le constat nomme l'acte, sa date et la pièce). Des actes datés mais la date
    de la demande inconnue (ou lue avec une confiance faible) → `review`. Aucun acte
    antérieur → `pass`. L'absence d'attestation de non-commencement relève de C01, pas
    d'ici. Un devis simplement daté (non accepté) n'est pas un commencement.

    Pourquoi : une aide ne peut pas financer un projet déjà engagé : elle doit avoir un
    effet incitatif.

    Base légale : décret n° 2018-514 du 25 juin 2018 (subventions de l'État pour des
    projets d'investissement) : aucun commencement d'exécution avant la réception de la
    demande, le commencement étant le premier acte juridique passé pour le projet ; pour
    les aides d'État aux entreprises, règlement (UE) 651/2014, art. 6 (effet incitatif) ;
    pour une collectivité qui finance, le règlement de son appel.

    Exemple : devis signé « bon pour accord » le 02/05/2023, demande du 10/07/2023 →
    `fail`.
    """
    acts = facts.commitments.value or []
    submitted = facts.submitted_on
    rule = [
        general_rule(
            "Décret n° 2018-514 du 25 juin 2018 : aucun commencement d'exécution du projet "
            "avant la date de réception de la demande de subvention"
        )
    ] + rule_evidence(rules, "required_pieces")
    ev = evidence(facts.commitments, submitted)
    if not acts:
        return Verdict(
            status="pass",
            message="Aucun devis signé, bon de commande ni facture daté d'avant la demande n'a "
            "été trouvé.",
            rule=rule,
        )
    if submitted.value is None:
        return Verdict(
            status="review",
            message="Des actes d'engagement ont été trouvés ("
            + _acts_text(acts)
            + ") mais la date de la demande n'est pas connue.",
            evidence=ev,
            rule=rule,
            action="Établir la date de la demande et la comparer à ces actes.",
        )
    early = [a for a in acts if a.on < submitted.value]
    if early:
        verdict = Verdict(
            status="fail",
            message=f"Le projet a commencé avant la demande du {submitted.value:%d/%m/%Y} : "
            + _acts_text(early)
            + ".",
            evidence=ev,
            rule=rule,
            action="Vérifier l'acte (signature, date) avec le porteur ; s'il est confirmé, "
            "les dépenses engagées avant la demande ne peuvent pas être aidées.",
        )
    else:
        verdict = Verdict(
            status="pass",
            message="Les actes d'engagement trouvés sont postérieurs à la demande du "
            f"{submitted.value:%d/%m/%Y} : " + _acts_text(acts) + ".",
            evidence=ev,
            rule=rule,
        )
    return hedge(verdict, submitted, facts.commitments)


def _acts_text(acts: list[Commitment]) -> str:
    return "; ".join(
        f"{vocab.COMMITMENT_LABELS.get(a.kind, a.kind)} « {a.label} » du {a.on:%d/%m/%Y} "
        f"({a.document})"
        for a in acts
    )


# --------------------------------------------------------------------------- E13


@check("E13", "Projet inscrit dans une thématique de l'appel")
def e13_theme(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le projet se rattache à l'une des thématiques de l'appel.

    Quoi : l'appel n'a pas de thématiques lues → `not_applicable` ; le dossier ne nomme
    pas de thématique → `review` ; `pass` quand la thématique nommée par le dossier
    (casse, accents et ponctuation ignorés) contient l'une des thématiques de l'appel ou y
    est contenue ; `review` sinon. Jamais `fail` : le rattachement est une appréciation.

    Pourquoi : un appel thématique ne retient que les projets de ses axes ; le comité le
    vérifie sur la présentation du projet.

    Base légale : l'avis de l'appel (axes, thématiques).

    Exemple : « simplifier le quotidien » pour l'axe « Projets numériques permettant de
    « simplifier le quotidien » » → `pass`.
    """
    themes = rules.themes.value
    rule = rule_evidence(rules, "themes")
    if not themes:
        return Verdict(
            status="not_applicable",
            message="L'appel ne définit pas de thématiques.",
            rule=rule,
        )
    theme = facts.theme
    ev = evidence(theme, facts.project_summary)
    if not theme.value or not fold(theme.value):
        return Verdict(
            status="review",
            message="Le dossier ne nomme pas la thématique de l'appel dans laquelle il s'inscrit.",
            evidence=ev,
            rule=rule,
            action="Apprécier, à la lecture de la présentation du projet, à quelle thématique "
            "de l'appel il se rattache.",
        )
    own = fold(theme.value)
    matched = next((t for t in themes if own in fold(t) or (fold(t) and fold(t) in own)), None)
    if matched is not None:
        return hedge(
            Verdict(
                status="pass",
                message=f"Le projet se rattache à la thématique « {matched} ».",
                evidence=ev,
                rule=rule,
            ),
            theme,
        )
    return Verdict(
        status="review",
        message=f"La thématique nommée par le dossier (« {theme.value} ») ne correspond à "
        "aucune thématique de l'appel mot pour mot.",
        evidence=ev,
        rule=rule,
        action="Apprécier le rattachement du projet aux thématiques de l'appel.",
    )
