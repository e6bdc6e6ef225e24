"""The proposed aid (DESIGN §4): eligible base, maximum rate and cap for the applicant's
group, proposed = min(requested, max rate × eligible base, cap), rounded down to the cent.

Computed once here, used by the checks E05, E06, E07, E10, E11 and shown line by line in
the instruction note (`AidComputation.steps`), so that no report computes anything.
Pure functions: Decimal arithmetic only, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from checkers.base import enumerate_fr, eur, floor_cent, general_rule, pct, rule_evidence
from pipeline import vocab
from pipeline.models import (
    AidComputation,
    AidLine,
    AidRate,
    AidStep,
    CallRules,
    DossierFacts,
    Evidence,
    Expense,
)

# When a call says nothing about expenses, these lines are still doubtful for an
# instructeur: works and furniture are rarely what a call for projects means to fund.
DOUBTFUL_WITHOUT_RULES = ("immobilier", "mobilier")

INDIRECT_RULE = (
    "Règlement (UE) 2021/1060, art. 54 : coûts indirects forfaitaires (jusqu'à 7 % des "
    "coûts directs éligibles)"
)
AID_RULE = "DESIGN §4 : aide proposée = min(aide demandée, taux maximal × assiette, plafond)"


# --------------------------------------------------------------------------- rate and cap


@dataclass(frozen=True)
class RateChoice:
    """The `aid_rates` entry that applies to the applicant. `certain` is false when the
    choice depends on something unknown (type not read, several volets with other rates)."""

    rate: AidRate | None
    certain: bool
    why: str


def _matches(entry: AidRate, beneficiary: str) -> bool:
    groups = entry.beneficiaries or []
    # A PME is an entreprise: a rate for "entreprises" covers it (not the other way).
    return beneficiary in groups or (beneficiary == "pme" and "entreprise" in groups)


def _group_label(entry: AidRate) -> str:
    if not entry.beneficiaries:
        return "tous les autres porteurs"
    return enumerate_fr([vocab.BENEFICIARY_LABELS.get(b, b) for b in entry.beneficiaries])


def applicant_rate(rules: CallRules, facts: DossierFacts) -> RateChoice:
    """The rate entry for the applicant's type: the entry naming its type (pme also matches
    entreprise), else the entry for everyone else (beneficiaries null)."""
    entries = rules.aid_rates.value or []
    if not entries:
        return RateChoice(None, True, "l'appel ne fixe pas de taux maximal")
    others = [e for e in entries if not e.beneficiaries]
    beneficiary = facts.beneficiary_type.value
    if beneficiary is None:
        if others and len(others) == len(entries):
            return _pick(others, "taux unique de l'appel")
        chosen = others[0] if others else None
        return RateChoice(
            chosen, False, "le type du porteur n'est pas connu et le taux dépend du type"
        )
    exact = [e for e in entries if e.beneficiaries and beneficiary in e.beneficiaries]
    similar = [e for e in entries if e.beneficiaries and _matches(e, beneficiary)]
    named = exact or similar
    if named:
        return _pick(named, f"taux prévu pour : {_group_label(named[0])}")
    if others:
        alone = len(others) == len(entries)
        return _pick(others, "taux unique de l'appel" if alone else "taux des autres porteurs")
    return RateChoice(None, True, "aucun taux de l'appel ne vise ce type de porteur")


def _pick(entries: list[AidRate], why: str) -> RateChoice:
    if len({(e.max_rate, e.max_aid_eur) for e in entries}) > 1:
        volets = enumerate_fr([e.scope or "?" for e in entries])
        return RateChoice(
            entries[0], False, f"plusieurs taux selon le volet ({volets}) : volet à déterminer"
        )
    return RateChoice(entries[0], True, why)


@dataclass(frozen=True)
class Cap:
    amount: Decimal | None
    rule: list[Evidence]
    group: bool  # True: the cap of the applicant's group in aid_rates


def applicant_cap(rules: CallRules, facts: DossierFacts) -> Cap:
    """The group cap when the applicant's rate entry has one, else the call-wide cap."""
    choice = applicant_rate(rules, facts)
    if choice.rate is not None and choice.rate.max_aid_eur is not None and choice.certain:
        return Cap(choice.rate.max_aid_eur, rule_evidence(rules, "aid_rates"), True)
    if rules.max_aid_eur.found:
        return Cap(rules.max_aid_eur.value, rule_evidence(rules, "max_aid_eur"), False)
    return Cap(None, [], False)


# --------------------------------------------------------------------------- eligible base


@dataclass
class EligibleBase:
    """The expense lines sorted out, and the base they give (None when it cannot be
    computed: no expenses, or a kept line without an amount)."""

    kept: list[AidLine] = field(default_factory=list)
    set_aside: list[AidLine] = field(default_factory=list)
    replaced: list[AidLine] = field(default_factory=list)
    to_review: list[AidLine] = field(default_factory=list)
    direct: Decimal | None = None
    indirect_rate: Decimal | None = None
    indirect: Decimal | None = None
    base: Decimal | None = None
    rule: list[Evidence] = field(default_factory=list)


def _line(expense: Expense, reason: str | None = None) -> AidLine:
    return AidLine(
        label=expense.label,
        amount_eur=expense.amount_eur,
        expense_code=expense.expense_code,
        expense_type=expense.expense_type,
        reason=reason,
    )


def _code_label(code: str | None) -> str:
    label = vocab.EXPENSE_LABELS.get(code or "", code or "non classée")
    return label[:1].lower() + label[1:]


def _set_aside_reasons(expense: Expense, rules: CallRules) -> list[str]:
    reasons: list[str] = []
    code = expense.expense_code
    if code is not None and code in (rules.ineligible_expenses.value or []):
        reasons.append(f"dépense inéligible selon l'appel ({_code_label(code)})")
    types = rules.expense_types.value
    if types and expense.expense_type is not None and expense.expense_type not in types:
        only = enumerate_fr([vocab.EXPENSE_TYPE_LABELS[t].lower() for t in types])
        reasons.append(
            f"dépense de {expense.expense_type}, alors que l'appel ne finance que : {only}"
        )
    eligible = rules.eligible_expenses.value
    listed_ineligible = code in (rules.ineligible_expenses.value or [])
    if eligible and code not in (None, "autre", *eligible) and not listed_ineligible:
        reasons.append(
            f"catégorie « {_code_label(code)} » absente des dépenses éligibles de l'appel"
        )
    return reasons


def _review_reason(expense: Expense, rules: CallRules) -> str | None:
    code = expense.expense_code
    no_rules = not (
        rules.eligible_expenses.found
        or rules.ineligible_expenses.found
        or rules.expense_types.found
    )
    if expense.amount_eur is None:
        return "montant non lu : à relever dans le plan de financement"
    if rules.eligible_expenses.found and code in (None, "autre"):
        return "catégorie de dépense imprécise : éligibilité à vérifier"
    if no_rules and code in DOUBTFUL_WITHOUT_RULES:
        return (
            f"{_code_label(code)} : l'appel ne précise pas les dépenses éligibles, "
            "rattachement au projet à vérifier"
        )
    return None


def eligible_base(rules: CallRules, facts: DossierFacts) -> EligibleBase:
    """Sort the plan's lines (kept / set aside with the reason / replaced by the flat rate)
    and compute the base: kept direct costs, plus the indirect-costs flat rate of them when
    the call has one (the plan's own indirect-costs lines are then replaced)."""
    out = EligibleBase(
        rule=rule_evidence(
            rules,
            "eligible_expenses",
            "ineligible_expenses",
            "expense_types",
            "indirect_costs_rate",
        )
    )
    expenses = facts.expenses.value
    if not expenses:
        return out
    flat = rules.indirect_costs_rate.value
    for expense in expenses:
        if expense.expense_code == "couts_indirects" and flat is not None:
            out.replaced.append(
                _line(expense, f"remplacés par le forfait de {pct(flat)} des coûts directs")
            )
            continue
        reasons = _set_aside_reasons(expense, rules)
        if reasons:
            out.set_aside.append(_line(expense, enumerate_fr(reasons)))
            continue
        review = _review_reason(expense, rules)
        line = _line(expense, review)
        out.kept.append(line)
        if review:
            out.to_review.append(line)
    amounts = [line.amount_eur for line in out.kept]
    if any(a is None for a in amounts):
        return out
    out.direct = sum((a for a in amounts if a is not None), Decimal(0))
    if flat is not None:
        out.indirect_rate = flat
        out.indirect = floor_cent(flat * out.direct)
        out.base = out.direct + out.indirect
    else:
        out.base = out.direct
    return out


# --------------------------------------------------------------------------- the computation


def compute_aid(rules: CallRules, facts: DossierFacts) -> AidComputation:
    """The whole computation, with one step per line the note shows. `proposed_eur` is None
    when the requested aid, the eligible base or the maximum rate is unknown; making it
    None for a dossier that is not eligible is the summary's job (`withhold`)."""
    base = eligible_base(rules, facts)
    choice = applicant_rate(rules, facts)
    cap = applicant_cap(rules, facts)
    requested = facts.requested_aid_eur.value
    max_rate = choice.rate.max_rate if choice.rate is not None and choice.certain else None
    steps = _base_steps(facts, base, rules)
    rate_rule = rule_evidence(rules, "aid_rates")
    if max_rate is not None:
        steps.append(
            AidStep(label="Taux maximal applicable", value=max_rate, unit="rate",
                    detail=choice.why, rule=rate_rule)
        )  # fmt: skip
    else:
        steps.append(AidStep(label="Taux maximal applicable", detail=choice.why, rule=rate_rule))
    rate_amount = None
    if max_rate is not None and base.base is not None:
        rate_amount = floor_cent(max_rate * base.base)
        steps.append(
            AidStep(
                label="Aide maximale au taux",
                value=rate_amount,
                unit="eur",
                detail=f"{pct(max_rate)} × {eur(base.base)} = {eur(rate_amount)}",
                rule=rate_rule,
            )
        )
    if cap.amount is not None:
        steps.append(
            AidStep(
                label="Plafond d'aide" + (" du groupe du porteur" if cap.group else " par projet"),
                value=cap.amount,
                unit="eur",
                rule=cap.rule,
            )
        )
    floor = rules.min_aid_eur.value
    if floor is not None:
        steps.append(
            AidStep(
                label="Plancher d'aide",
                value=floor,
                unit="eur",
                detail="une aide proposée inférieure rend le dossier inéligible",
                rule=rule_evidence(rules, "min_aid_eur"),
            )
        )
    steps.append(
        AidStep(
            label="Aide demandée",
            value=requested,
            unit="eur" if requested is not None else None,
            detail=None if requested is not None else "non lue dans le dossier",
        )
    )
    proposed = _proposed(requested, rate_amount, cap.amount)
    steps.append(_proposed_step(requested, rate_amount, cap.amount, proposed, base, max_rate))
    return AidComputation(
        requested_eur=requested,
        direct_eligible_eur=base.direct,
        indirect_costs_rate=base.indirect_rate,
        indirect_costs_eur=base.indirect,
        eligible_base_eur=base.base,
        max_rate=max_rate,
        rate_amount_eur=rate_amount,
        cap_eur=cap.amount,
        floor_eur=floor,
        proposed_eur=proposed,
        lines_kept=base.kept,
        lines_set_aside=base.set_aside,
        lines_replaced=base.replaced,
        steps=steps,
    )


def _base_steps(facts: DossierFacts, base: EligibleBase, rules: CallRules) -> list[AidStep]:
    expenses = facts.expenses.value or []
    amounts = [e.amount_eur for e in expenses]
    steps: list[AidStep] = []
    if not expenses:
        return [AidStep(label="Assiette éligible", detail="aucune dépense lue dans le plan")]
    if all(a is not None for a in amounts):
        steps.append(
            AidStep(
                label="Dépenses présentées",
                value=sum((a for a in amounts if a is not None), Decimal(0)),
                unit="eur",
                detail=f"{len(expenses)} ligne(s) du plan de financement",
            )
        )
    for line in base.set_aside + base.replaced:
        steps.append(
            AidStep(
                label=f"Écartée : {line.label}",
                value=line.amount_eur,
                unit="eur" if line.amount_eur is not None else None,
                detail=line.reason,
                rule=base.rule,
            )
        )
    if base.direct is None:
        steps.append(
            AidStep(
                label="Assiette éligible",
                detail="incalculable : le montant d'une ligne retenue n'a pas été lu",
            )
        )
        return steps
    steps.append(
        AidStep(
            label="Coûts directs éligibles retenus",
            value=base.direct,
            unit="eur",
            detail=f"{len(base.kept)} ligne(s) retenue(s)",
            rule=base.rule,
        )
    )
    if base.indirect is not None and base.indirect_rate is not None:
        steps.append(
            AidStep(
                label=f"Coûts indirects forfaitaires ({pct(base.indirect_rate)})",
                value=base.indirect,
                unit="eur",
                detail=f"{pct(base.indirect_rate)} × {eur(base.direct)} = {eur(base.indirect)}",
                rule=rule_evidence(rules, "indirect_costs_rate") + [general_rule(INDIRECT_RULE)],
            )
        )
    if base.base is not None:
        steps.append(AidStep(label="Assiette éligible", value=base.base, unit="eur"))
    return steps


def _proposed(
    requested: Decimal | None, rate_amount: Decimal | None, cap: Decimal | None
) -> Decimal | None:
    if requested is None or rate_amount is None:
        return None
    candidates = [requested, rate_amount] + ([cap] if cap is not None else [])
    return floor_cent(min(candidates))


def _proposed_step(
    requested: Decimal | None,
    rate_amount: Decimal | None,
    cap: Decimal | None,
    proposed: Decimal | None,
    base: EligibleBase,
    max_rate: Decimal | None,
) -> AidStep:
    label = "Aide proposée"
    rule = [general_rule(AID_RULE)]
    if proposed is None:
        missing = []
        if requested is None:
            missing.append("l'aide demandée")
        if base.base is None:
            missing.append("l'assiette éligible")
        if max_rate is None:
            missing.append("le taux maximal")
        return AidStep(
            label=label, detail=f"non calculable : {enumerate_fr(missing)} inconnu(s)", rule=rule
        )
    parts = [f"demandée {eur(requested)}"] if requested is not None else []
    if rate_amount is not None:
        parts.append(f"au taux {eur(rate_amount)}")
    if cap is not None:
        parts.append(f"plafond {eur(cap)}")
    detail = f"le plus petit de : {', '.join(parts)} → {eur(proposed)}"
    return AidStep(label=label, value=proposed, unit="eur", detail=detail, rule=rule)


def withhold(computation: AidComputation, reason: str) -> AidComputation:
    """The computation of a dossier that is not eligible: no aid proposed, and a last step
    saying why (the amount computed stays visible in the previous steps)."""
    steps = [
        s.model_copy(update={"label": "Aide calculée"}) if s.label == "Aide proposée" else s
        for s in computation.steps
    ]
    steps.append(AidStep(label="Aide proposée", detail=f"aucune : {reason}"))
    return computation.model_copy(update={"proposed_eur": None, "steps": steps})
