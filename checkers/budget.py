"""The money: cap, floor, rate, cumulative public aid, own share, eligible expenses,
indirect costs and the balance of the financing plan (E05–E12).

The eligible base, the applicant's rate and cap come from `checkers.aid`, the one place
the proposed aid is computed."""

from __future__ import annotations

from decimal import Decimal

from checkers.aid import (
    INDIRECT_RULE,
    applicant_cap,
    applicant_rate,
    compute_aid,
    eligible_base,
)
from checkers.base import (
    EURO_TOLERANCE,
    PUBLIC_OWNERS,
    Verdict,
    check,
    eur,
    evidence,
    general_rule,
    hedge,
    pct,
    rule_evidence,
)
from checkers.context import CheckContext
from pipeline import vocab
from pipeline.models import AidLine, CallRules, DossierFacts, Evidence, Resource

RATE_TOLERANCE = Decimal("0.0001")
OWN_SHARE_MIN = Decimal("0.20")
OWN_SHARE_RULE = (
    "CGCT, art. L1111-10, III : la participation minimale du maître d'ouvrage est de 20 % "
    "du montant total des financements apportés par des personnes publiques au projet"
)
BALANCE_RULE = (
    "Plan de financement équilibré : total des dépenses = coût total = total des ressources "
    "(tolérance d'arrondi de 1 €)"
)


def _requested_missing(rule: list[Evidence]) -> Verdict:
    return Verdict(
        status="missing",
        message="Le montant de l'aide demandée n'a pas été trouvé dans le dossier.",
        evidence=[],
        rule=rule,
        action="Relever le montant demandé dans la demande ou le plan de financement, ou le "
        "demander au porteur.",
    )


# --------------------------------------------------------------------------- E05


@check("E05", "Aide demandée dans le plafond")
def e05_cap(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que l'aide demandée ne dépasse pas le plafond par projet.

    Quoi : le plafond est celui du groupe du porteur quand l'appel en fixe un dans ses
    taux par type de bénéficiaire, sinon le plafond par projet de l'appel ; aucun des deux
    → `not_applicable`. Aide demandée inconnue → `missing` ; inférieure ou égale au
    plafond → `pass` ; au-delà → `fail` (l'aide proposée est ramenée au plafond).

    Pourquoi : le plafond borne l'aide quel que soit le coût du projet ; une demande
    au-delà n'est pas rejetée, elle est écrêtée.

    Base légale : l'avis de l'appel (plafond d'aide par projet ou par type de porteur).

    Exemple : 36 000 € demandés, plafond 25 000 € → `fail`, aide proposée 25 000 € au plus.
    """
    cap = applicant_cap(rules, facts)
    if cap.amount is None:
        return Verdict(
            status="not_applicable",
            message="L'appel ne fixe pas de plafond d'aide pour ce porteur.",
            rule=rule_evidence(rules, "max_aid_eur", "aid_rates"),
        )
    requested = facts.requested_aid_eur
    if requested.value is None:
        return _requested_missing(cap.rule)
    which = "du groupe du porteur" if cap.group else "par projet"
    if requested.value <= cap.amount:
        verdict = Verdict(
            status="pass",
            message=f"Aide demandée {eur(requested.value)}, dans le plafond {which} de "
            f"{eur(cap.amount)}.",
            evidence=evidence(requested),
            rule=cap.rule,
        )
    else:
        verdict = Verdict(
            status="fail",
            message=f"Aide demandée {eur(requested.value)}, au-delà du plafond {which} de "
            f"{eur(cap.amount)} : l'aide proposée est ramenée au plafond.",
            evidence=evidence(requested),
            rule=cap.rule,
            action=f"Proposer au plus {eur(cap.amount)} et en informer le porteur (plan de "
            "financement à ajuster).",
        )
    return hedge(verdict, requested)


# --------------------------------------------------------------------------- E06


@check("E06", "Aide au moins égale au plancher")
def e06_floor(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que l'aide atteint le plancher de l'appel.

    Quoi : pas de plancher → `not_applicable` ; aide demandée inconnue → `missing`. L'aide
    comparée au plancher est l'aide proposée (demandée, ramenée au taux maximal sur
    l'assiette éligible et au plafond) : au moins le plancher → `pass`, en dessous →
    `fail`. Une demande déjà sous le plancher est `fail` même si l'aide proposée ne peut
    pas être calculée ; une demande au-dessus mais une aide proposée incalculable →
    `review`.

    Pourquoi : sous le plancher, le dossier n'est pas éligible (coût de gestion d'une
    petite aide, notamment en FEDER).

    Base légale : l'avis de l'appel (montant minimal d'aide).

    Exemple : 40 000 € demandés, plancher FEDER 75 000 € → `fail`.
    """
    floor = rules.min_aid_eur.value
    rule = rule_evidence(rules, "min_aid_eur")
    if floor is None:
        return Verdict(
            status="not_applicable", message="L'appel ne fixe pas de plancher d'aide.", rule=rule
        )
    requested = facts.requested_aid_eur
    if requested.value is None:
        return _requested_missing(rule)
    proposed = compute_aid(rules, facts).proposed_eur
    ev = evidence(requested, facts.expenses)
    action = "Informer le porteur que l'aide n'atteint pas le plancher de l'appel ; vérifier "
    action += "s'il peut présenter un projet plus large."
    if requested.value < floor:
        verdict = Verdict(
            status="fail",
            message=f"Aide demandée {eur(requested.value)}, inférieure au plancher de "
            f"{eur(floor)}.",
            evidence=ev,
            rule=rule,
            action=action,
        )
        return hedge(verdict, requested)
    if proposed is None:
        return Verdict(
            status="review",
            message=f"Aide demandée {eur(requested.value)}, au-dessus du plancher de "
            f"{eur(floor)} ; l'aide proposée n'a pas pu être calculée pour le confirmer.",
            evidence=ev,
            rule=rule,
            action="Calculer l'aide proposée (assiette éligible, taux) et la comparer au plancher.",
        )
    if proposed < floor:
        verdict = Verdict(
            status="fail",
            message=f"Aide demandée {eur(requested.value)} ; une fois appliqués le taux et le "
            f"plafond, l'aide proposée ({eur(proposed)}) est inférieure au plancher de "
            f"{eur(floor)}.",
            evidence=ev,
            rule=rule,
            action=action,
        )
    else:
        verdict = Verdict(
            status="pass",
            message=f"Aide proposée {eur(proposed)}, au moins égale au plancher de {eur(floor)}.",
            evidence=ev,
            rule=rule,
        )
    return hedge(verdict, requested, facts.expenses)


# --------------------------------------------------------------------------- E07


@check("E07", "Taux d'aide dans le maximum")
def e07_rate(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le taux d'aide demandé ne dépasse pas le taux maximal du porteur.

    Quoi : le taux maximal est celui que l'appel fixe pour le type du porteur (une PME
    relève aussi d'un taux « entreprises »), sinon celui fixé pour tous les autres
    porteurs ; aucun → `not_applicable`. Taux effectif = aide demandée ÷ assiette
    éligible (E10, lignes inéligibles écartées et forfait de coûts indirects ajouté) :
    au plus le maximum (tolérance 0,01 point) → `pass` ; au-delà → `fail` (la
    proposition applique le taux maximal). `review` quand l'assiette ne peut pas être
    calculée, quand le taux dépend d'un élément inconnu (type de porteur, volet), ou quand
    le taux s'entend HT et que le plan est présenté TTC (à recalculer HT) ; `missing`
    quand l'aide demandée n'est pas lue.

    Pourquoi : le taux s'apprécie sur les seules dépenses éligibles : un taux « juste » sur
    le coût total peut être excessif une fois les lignes inéligibles écartées.

    Base légale : l'avis de l'appel (taux maximal d'aide, par type de porteur).

    Exemple : 90 % demandés pour un maximum de 80 % HT → `fail`, proposition à 80 % de
    l'assiette.
    """
    choice = applicant_rate(rules, facts)
    rule = rule_evidence(rules, "aid_rates")
    if choice.rate is None and choice.certain:
        return Verdict(
            status="not_applicable",
            message=f"Pas de taux maximal applicable : {choice.why}.",
            rule=rule,
        )
    requested = facts.requested_aid_eur
    if requested.value is None:
        return _requested_missing(rule)
    ev = evidence(requested, facts.expenses, facts.beneficiary_type, facts.cost_basis)
    if choice.rate is None or not choice.certain:
        return Verdict(
            status="review",
            message=f"Le taux maximal applicable ne peut pas être déterminé : {choice.why}.",
            evidence=ev,
            rule=rule,
            action="Déterminer le taux applicable au porteur puis vérifier le taux demandé.",
        )
    max_rate = choice.rate.max_rate
    base = eligible_base(rules, facts).base
    if base is None:
        return Verdict(
            status="review",
            message=f"Taux maximal {pct(max_rate)} ; l'assiette éligible n'a pas pu être "
            "calculée (dépenses non lues ou incomplètes).",
            evidence=ev,
            rule=rule,
            action="Établir l'assiette éligible à partir du plan de financement et vérifier le "
            "taux demandé.",
        )
    if base <= 0:
        return Verdict(
            status="fail",
            message=f"Aucune dépense éligible : l'aide demandée ({eur(requested.value)}) n'a "
            "pas d'assiette.",
            evidence=ev,
            rule=rule,
            action="Vérifier les dépenses écartées (E10) avec le porteur.",
        )
    effective = requested.value / base
    head = (
        f"Taux effectif {pct(effective)} ({eur(requested.value)} sur une assiette éligible de "
        f"{eur(base)}), pour un maximum de {pct(max_rate)}"
    )
    if choice.rate.basis == "ht" and facts.cost_basis.value == "ttc":
        worse = " ; il dépasse déjà le maximum sur la base TTC" if effective > max_rate else ""
        return Verdict(
            status="review",
            message=f"{head}. Le taux de l'appel s'entend HT et le plan est présenté TTC : "
            f"l'assiette doit être recalculée HT{worse}.",
            evidence=ev,
            rule=rule,
            action="Obtenir les montants HT (ou l'attestation de non-récupération de la TVA) "
            "et recalculer le taux.",
        )
    if effective <= max_rate + RATE_TOLERANCE:
        verdict = Verdict(status="pass", message=head + ".", evidence=ev, rule=rule)
    else:
        verdict = Verdict(
            status="fail",
            message=f"{head} : le taux demandé dépasse le maximum ; la proposition applique "
            f"{pct(max_rate)} de l'assiette.",
            evidence=ev,
            rule=rule,
            action=f"Proposer au plus {pct(max_rate)} de l'assiette éligible et demander au "
            "porteur d'ajuster son plan de financement.",
        )
    return hedge(verdict, requested, facts.expenses, facts.beneficiary_type)


# --------------------------------------------------------------------------- E08


def _public_total(facts: DossierFacts) -> tuple[Decimal | None, str]:
    """Public resources of the plan; the requested aid is added when no public line of the
    plan carries its amount (a plan that forgets the aid applied for)."""
    resources: list[Resource] = facts.resources.value or []
    if any(r.public is None or r.amount_eur is None for r in resources if r.public is not False):
        return None, "le caractère public ou le montant d'une ressource n'est pas connu"
    public = [r.amount_eur for r in resources if r.public and r.amount_eur is not None]
    total = sum(public, Decimal(0))
    requested = facts.requested_aid_eur.value
    note = ""
    if requested is not None and requested not in public:
        total += requested
        note = " (aide demandée ajoutée : le plan ne la porte pas parmi ses ressources)"
    return total, note


@check("E08", "Cumul des aides publiques dans le plafond")
def e08_public_aid(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le cumul des aides publiques ne dépasse pas le plafond de l'appel.

    Quoi : pas de plafond de cumul → `not_applicable`. Aides publiques = ressources du plan
    marquées publiques, aide demandée comprise (ajoutée si le plan ne la porte pas) ;
    rapportées au coût total : au plus le plafond → `pass`, au-delà → `fail` ; une
    ressource dont le caractère public ou le montant n'est pas connu, ou un coût total
    inconnu → `review`.

    Pourquoi : le cumul d'aides publiques est borné (règles européennes, règlement de
    l'appel) ; le dépasser oblige à réduire une aide.

    Base légale : l'avis de l'appel (taux maximal d'aides publiques) ; pour les
    collectivités maîtres d'ouvrage, CGCT L1111-10 (voir E09).

    Exemple : 90 % d'aides publiques pour un plafond de cumul de 80 % → `fail`.
    """
    ceiling = rules.max_public_aid_rate.value
    rule = rule_evidence(rules, "max_public_aid_rate")
    if ceiling is None:
        return Verdict(
            status="not_applicable",
            message="L'appel ne fixe pas de plafond de cumul des aides publiques.",
            rule=rule,
        )
    total = facts.total_cost_eur.value
    public, note = _public_total(facts)
    ev = evidence(facts.resources, facts.requested_aid_eur, facts.total_cost_eur)
    if public is None or total is None or total <= 0 or not facts.resources.found:
        why = note if public is None else "le coût total ou les ressources ne sont pas connus"
        return Verdict(
            status="review",
            message=f"Le cumul des aides publiques ne peut pas être calculé : {why}.",
            evidence=ev,
            rule=rule,
            action="Identifier les financements publics du plan et les rapporter au coût total.",
        )
    share = public / total
    head = (
        f"Aides publiques {eur(public)}{note}, soit {pct(share)} du coût total de "
        f"{eur(total)}, pour un plafond de {pct(ceiling)}"
    )
    if share <= ceiling + RATE_TOLERANCE:
        verdict = Verdict(status="pass", message=head + ".", evidence=ev, rule=rule)
    else:
        verdict = Verdict(
            status="fail",
            message=head + " : le plafond de cumul est dépassé.",
            evidence=ev,
            rule=rule,
            action="Réduire l'aide proposée ou demander au porteur un autre plan de "
            "financement respectant le plafond de cumul.",
        )
    return hedge(verdict, facts.resources, facts.total_cost_eur, facts.requested_aid_eur)


# --------------------------------------------------------------------------- E09


@check("E09", "Participation minimale du maître d'ouvrage public (20 %)")
def e09_own_share(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie la participation minimale de 20 % d'un maître d'ouvrage public.

    Quoi : s'applique aux communes, EPCI, syndicats, départements et régions (pas aux
    CCAS ni aux autres porteurs : `not_applicable`). Part propre = autofinancement ÷
    montant total des financements publics du projet (autofinancement + ressources
    publiques) quand le plan compte des ressources privées ; ÷ coût total quand le projet
    est financé entièrement sur fonds publics (c'est alors le même montant). Au moins 20 %
    → `pass` ; en dessous → `fail` ; autofinancement inconnu → `review` ; caractère
    public d'une ressource inconnu → rapport au coût total, et `review` s'il est sous 20 %
    (la part réelle peut être plus haute).

    Pourquoi : la loi impose au maître d'ouvrage public une participation minimale ; un
    plan qui ne la respecte pas doit être revu avant toute décision.

    Base légale : CGCT, art. L1111-10, III (des dérogations existent : patrimoine protégé,
    outre-mer, réparation de dégâts de calamités, décision du préfet…).

    Exemple : commune, 4 290 € d'autofinancement pour 21 450 € de coût financé par le
    public → 20 % → `pass`.
    """
    kind = facts.beneficiary_type.value
    rule = [general_rule(OWN_SHARE_RULE)]
    if kind not in PUBLIC_OWNERS:
        label = vocab.BENEFICIARY_LABELS.get(kind or "", "type de porteur inconnu")
        return Verdict(
            status="not_applicable",
            message=f"La participation minimale de 20 % ne vise que les collectivités "
            f"territoriales et leurs groupements maîtres d'ouvrage (porteur : {label}).",
            rule=rule,
        )
    own, total = facts.self_financing_eur, facts.total_cost_eur
    ev = evidence(own, facts.resources, total)
    if own.value is None:
        return Verdict(
            status="review",
            message="L'autofinancement du maître d'ouvrage n'a pas été lu : sa participation "
            "minimale de 20 % ne peut pas être vérifiée.",
            evidence=ev,
            rule=rule,
            action="Relever l'autofinancement dans le plan de financement.",
        )
    denominator, basis, certain = _public_financing(facts)
    if denominator is None or denominator <= 0:
        return Verdict(
            status="review",
            message="Le coût total du projet n'est pas connu : la participation minimale ne "
            "peut pas être calculée.",
            evidence=ev,
            rule=rule,
            action="Relever le coût total et les financements publics du projet.",
        )
    share = own.value / denominator
    head = f"Autofinancement {eur(own.value)}, soit {pct(share)} {basis}"
    if share >= OWN_SHARE_MIN - RATE_TOLERANCE:
        return hedge(
            Verdict(status="pass", message=head + " (minimum 20 %).", evidence=ev, rule=rule),
            own,
            total,
        )
    verdict = Verdict(
        status="fail" if certain else "review",
        message=head
        + " : en dessous du minimum de 20 %"
        + ("." if certain else " (le caractère public de certaines ressources est inconnu)."),
        evidence=ev,
        rule=rule,
        action="Demander au porteur de porter sa participation à 20 % au moins, ou vérifier "
        "qu'une dérogation de l'article L1111-10 s'applique.",
    )
    return hedge(verdict, own, total)


def _public_financing(facts: DossierFacts) -> tuple[Decimal | None, str, bool]:
    """The denominator of the own share, the words saying what it is, and whether it is
    certain (every resource's public or private nature known)."""
    resources = facts.resources.value or []
    total = facts.total_cost_eur.value
    own = facts.self_financing_eur.value or Decimal(0)
    if any(r.public is None or r.amount_eur is None for r in resources):
        return total, "du coût total (caractère public des ressources non établi)", False
    if any(r.public is False for r in resources):
        public_aid, _ = _public_total(facts)
        public = own + (public_aid or Decimal(0))
        return public, f"des financements publics du projet ({eur(public)})", True
    return total, "du coût total (projet financé entièrement sur fonds publics)", True


# --------------------------------------------------------------------------- E10


def _lines_text(lines: list[AidLine]) -> str:
    return " ; ".join(
        f"« {line.label} » ({eur(line.amount_eur) if line.amount_eur is not None else 'montant non lu'}) : "
        f"{line.reason}"
        for line in lines
    )


@check("E10", "Dépenses éligibles et assiette")
def e10_expenses(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Écarte les dépenses inéligibles et calcule l'assiette éligible.

    Quoi : une ligne du plan est écartée quand sa catégorie est inéligible selon l'appel,
    quand l'appel liste les dépenses éligibles et que sa catégorie n'y est pas, ou quand
    c'est une dépense de fonctionnement dans un appel qui ne finance que l'investissement
    (et inversement). Une ligne « autre » ou non classée dans un appel qui liste ses
    dépenses éligibles, une ligne sans montant, ou des travaux / du mobilier dans un appel
    qui ne dit rien des dépenses → gardée mais `review`. Assiette = lignes gardées, plus
    le forfait de coûts indirects de l'appel s'il en a un (les lignes de coûts indirects
    du plan sont alors remplacées par le forfait). Aucune dépense lue → `missing` ; une
    ligne écartée → `fail` (chaque ligne et sa raison) ; sinon `pass`.

    Pourquoi : le taux, le plafond et l'aide proposée s'appliquent à l'assiette éligible,
    pas au coût présenté.

    Base légale : l'avis de l'appel (dépenses éligibles et inéligibles, nature des
    dépenses) ; règlement (UE) 2021/1060, art. 54 pour le forfait de coûts indirects.

    Exemple : mobilier 3 100 €, câblage 2 600 € et communication 800 € écartés d'un appel
    Loire Connect → `fail`, assiette 17 500 € HT.
    """
    base = eligible_base(rules, facts)
    rule = base.rule
    ev = evidence(facts.expenses)
    if not facts.expenses.found:
        return Verdict(
            status="missing",
            message="Aucune ligne de dépense n'a été lue dans le plan de financement.",
            evidence=ev,
            rule=rule,
            action="Relever les dépenses du plan de financement (ou le demander au porteur).",
        )
    amount = f"Assiette éligible {eur(base.base)}" if base.base is not None else ""
    if base.indirect is not None and base.direct is not None and base.indirect_rate is not None:
        amount += (
            f" ({eur(base.direct)} de coûts directs + forfait de coûts indirects "
            f"{pct(base.indirect_rate)} : {eur(base.indirect)})"
        )
    if base.set_aside:
        verdict = Verdict(
            status="fail",
            message=f"Dépenses écartées : {_lines_text(base.set_aside)}."
            + (f" {amount}." if amount else ""),
            evidence=ev,
            rule=rule,
            action="Écarter ces dépenses de l'assiette et en informer le porteur ; vérifier le "
            "classement des lignes contestables.",
        )
        if base.to_review:
            verdict.message += f" À vérifier : {_lines_text(base.to_review)}."
        return hedge(verdict, facts.expenses)
    if base.to_review or base.base is None:
        return Verdict(
            status="review",
            message=(f"À vérifier : {_lines_text(base.to_review)}." if base.to_review else "")
            + (f" {amount}." if amount else " L'assiette éligible n'a pas pu être calculée."),
            evidence=ev,
            rule=rule,
            action="Apprécier l'éligibilité de ces lignes au regard de l'appel.",
        )
    replaced = (
        f" Coûts indirects du plan remplacés par le forfait : {_lines_text(base.replaced)}."
        if base.replaced
        else ""
    )
    verdict = Verdict(
        status="pass",
        message=f"Toutes les dépenses présentées sont retenues. {amount}.{replaced}",
        evidence=ev,
        rule=rule,
    )
    return hedge(verdict, facts.expenses)


# --------------------------------------------------------------------------- E11


@check("E11", "Coûts indirects dans le forfait")
def e11_indirect(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que les coûts indirects présentés ne dépassent pas le forfait de l'appel.

    Quoi : l'appel n'a pas de forfait de coûts indirects → `not_applicable` ; dépenses non
    lues → `missing` ; aucune ligne de coûts indirects → `pass` ; leur somme au plus égale
    au taux forfaitaire × coûts directs éligibles (+ 1 € d'arrondi) → `pass` ; au-delà →
    `fail` (le forfait remplace de toute façon ces lignes dans l'assiette) ; coûts directs
    incalculables → `review`.

    Pourquoi : les coûts indirects forfaitisés ne se justifient pas pièce à pièce, mais ne
    peuvent dépasser le taux fixé.

    Base légale : règlement (UE) 2021/1060, art. 54, a) (jusqu'à 7 % des coûts directs
    éligibles) ; l'avis de l'appel.

    Exemple : 15 % de coûts indirects pour un forfait de 7 % → `fail`.
    """
    flat = rules.indirect_costs_rate.value
    rule = rule_evidence(rules, "indirect_costs_rate") + [general_rule(INDIRECT_RULE)]
    if flat is None:
        return Verdict(
            status="not_applicable",
            message="L'appel ne prévoit pas de forfait de coûts indirects.",
            rule=rule,
        )
    ev = evidence(facts.expenses)
    if not facts.expenses.found:
        return Verdict(
            status="missing",
            message="Aucune ligne de dépense n'a été lue : les coûts indirects ne peuvent pas "
            "être vérifiés.",
            rule=rule,
            action="Relever les dépenses du plan de financement.",
        )
    base = eligible_base(rules, facts)
    if not base.replaced:
        return Verdict(
            status="pass",
            message="Le plan ne présente pas de ligne de coûts indirects.",
            evidence=ev,
            rule=rule,
        )
    amounts = [line.amount_eur for line in base.replaced]
    if base.direct is None or any(a is None for a in amounts):
        return Verdict(
            status="review",
            message="Les coûts indirects ou les coûts directs éligibles ne sont pas tous "
            "chiffrés : le forfait ne peut pas être vérifié.",
            evidence=ev,
            rule=rule,
            action="Relever les montants du plan et comparer les coûts indirects au forfait.",
        )
    claimed = sum((a for a in amounts if a is not None), Decimal(0))
    allowed = flat * base.direct
    head = (
        f"Coûts indirects présentés {eur(claimed)}, pour un forfait de {pct(flat)} × "
        f"{eur(base.direct)} de coûts directs éligibles = {eur(allowed)}"
    )
    if claimed <= allowed + EURO_TOLERANCE:
        verdict = Verdict(status="pass", message=head + ".", evidence=ev, rule=rule)
    else:
        verdict = Verdict(
            status="fail",
            message=head + " : le forfait est dépassé ; l'assiette ne retient que le forfait.",
            evidence=ev,
            rule=rule,
            action=f"Ramener les coûts indirects au forfait de {pct(flat)} des coûts directs "
            "éligibles et en informer le porteur.",
        )
    return hedge(verdict, facts.expenses)


# --------------------------------------------------------------------------- E12


@check("E12", "Plan de financement équilibré")
def e12_balance(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Vérifie que le plan de financement est équilibré.

    Quoi : la somme des lignes de dépenses doit égaler le coût total, et les ressources
    plus l'autofinancement doivent égaler le coût total, à 1 € près (arrondis). Un écart
    → `fail` (le constat donne les deux sommes) ; dépenses, coût total ou ressources non
    lus → `missing`.

    Pourquoi : un plan déséquilibré ne permet ni de calculer le taux ni de conventionner :
    soit une ressource manque, soit une dépense est mal comptée.

    Base légale : règle générale (un plan de financement est présenté en équilibre) ;
    l'avis de l'appel.

    Exemple : 14 100 € de ressources pour 14 600 € de dépenses → `fail`.
    """
    rule = [general_rule(BALANCE_RULE)]
    expenses = facts.expenses.value or []
    total = facts.total_cost_eur.value
    own = facts.self_financing_eur.value
    resources = facts.resources.value or []
    ev = evidence(facts.expenses, facts.total_cost_eur, facts.resources, facts.self_financing_eur)
    absent = []
    if not expenses or any(e.amount_eur is None for e in expenses):
        absent.append("les dépenses")
    if total is None:
        absent.append("le coût total")
    if (not resources and own is None) or any(r.amount_eur is None for r in resources):
        absent.append("les ressources")
    if absent:
        return Verdict(
            status="missing",
            message=f"Le plan de financement ne peut pas être contrôlé : {', '.join(absent)} "
            "n'ont pas été lus.",
            evidence=ev,
            rule=rule,
            action="Relever le plan de financement complet (ou le demander au porteur).",
        )
    assert total is not None  # narrowed by `absent`
    spent = sum((e.amount_eur for e in expenses if e.amount_eur is not None), Decimal(0))
    raised = sum((r.amount_eur for r in resources if r.amount_eur is not None), Decimal(0))
    raised += own or Decimal(0)
    problems = []
    if abs(spent - total) > EURO_TOLERANCE:
        problems.append(f"les dépenses totalisent {eur(spent)} pour un coût total de {eur(total)}")
    if abs(raised - total) > EURO_TOLERANCE:
        if not resources:
            return Verdict(
                status="missing",
                message=f"Aucune ressource autre que l'autofinancement ({eur(raised)}) n'a été "
                f"lue pour un coût total de {eur(total)}.",
                evidence=ev,
                rule=rule,
                action="Relever les ressources du plan de financement.",
            )
        problems.append(
            f"les ressources (autofinancement compris) totalisent {eur(raised)} pour un coût "
            f"total de {eur(total)}"
        )
    if problems:
        verdict = Verdict(
            status="fail",
            message="Plan de financement déséquilibré : " + " ; ".join(problems) + ".",
            evidence=ev,
            rule=rule,
            action="Demander au porteur un plan de financement équilibré (dépenses = ressources).",
        )
    else:
        verdict = Verdict(
            status="pass",
            message=f"Plan équilibré : dépenses {eur(spent)}, ressources {eur(raised)}, coût "
            f"total {eur(total)}.",
            evidence=ev,
            rule=rule,
        )
    return hedge(verdict, facts.expenses, facts.total_cost_eur, facts.resources)
