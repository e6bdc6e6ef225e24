"""The financing plan of a dossier: expenses, resources, totals, the aid requested, the
own share — every value with its evidence.

Sources, in order: the plan and budget pieces, then the form (requests often hold the
plan, and fillable forms hold it in fields), then the descriptive note, then the
deliberation, then unclassified pieces; never the quotes (`devis` lines are not plan lines). The first source
that gives a value gives it; when another source gives a different one (the form says
31 250 € total, the plan 32 150 €), the first source's value is kept and a French
warning names both — nothing is averaged or chosen silently.

Reading a piece: its tables (`budget_tables`) and its text lines outside them
(`budget_lines`), in document order, through one `PlanReader` (`budget_plan`); its form
fields (`budget_form`); and the amounts its sentences state (`budget_facts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractors.dossier.budget_facts import Fact, scan_facts
from extractors.dossier.budget_form import read_form
from extractors.dossier.budget_lines import line_rows
from extractors.dossier.budget_plan import (
    PLAN_PIECES,
    Found,
    PlanReader,
    PlanReading,
    is_account,
    sum_of,
)
from extractors.dossier.budget_rows import Row
from extractors.dossier.budget_tables import Columns, table_rows
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.models import Evidence, Expense, Resource, Sourced

SOURCE_RANK = {
    "plan_financement": 0,
    "budget_previsionnel": 0,
    "formulaire": 1,
    "note_descriptive": 2,
    "deliberation": 3,
    "autre": 4,  # a piece the classifier could not name (a letter of request, often)
}
SOURCE_LABEL = {
    "plan_financement": "plan de financement",
    "budget_previsionnel": "budget prévisionnel",
    "formulaire": "formulaire",
    "note_descriptive": "note descriptive",
    "deliberation": "délibération",
    "autre": "pièce non classée",
}
_PROJECT = re.compile(r"\bprojet\b|\baction\b|\boperation\b|\bmanifestation\b")
_STRUCTURE = re.compile(r"\bassociation\b|\bstructure\b|\bannuel|\bexercice\b|\bglobal\b")


@dataclass
class Budget:
    expenses: Sourced[list[Expense]]
    resources: Sourced[list[Resource]]
    total_cost_eur: Sourced[Decimal]
    requested_aid_eur: Sourced[Decimal]
    requested_rate: Sourced[Decimal]
    self_financing_eur: Sourced[Decimal]
    cost_basis: Sourced[str]  # "ht" | "ttc"
    warnings: list[str] = field(default_factory=list)  # French, for the instructeur


@dataclass
class _Source:
    piece: PieceView
    readings: list[PlanReading]
    facts: list[Fact]

    @property
    def label(self) -> str:
        return f"« {self.piece.name} » ({SOURCE_LABEL.get(self.piece.piece, self.piece.piece)})"

    def facts_of(self, kind: str) -> list[Found]:
        return _unique([f.found for f in self.facts if f.kind == kind])


@dataclass
class _Candidate:
    found: Found
    source: _Source
    others: tuple[Decimal, ...] = ()  # other amounts of the same statement (HT and TTC)


def extract_budget(pieces: Sequence[PieceView]) -> Budget:
    """The financing plan of one dossier from its classified pieces."""
    ordered = sorted(
        (p for p in pieces if p.piece in SOURCE_RANK), key=lambda p: SOURCE_RANK[p.piece]
    )
    warnings: list[str] = []
    sources = []
    for piece in ordered:
        try:
            sources.append(read_source(piece))
        except Exception as exc:  # one unreadable plan must not cost the other facts
            warnings.append(
                f"Le plan de financement de « {piece.name} » n'a pas pu être lu "
                f"({type(exc).__name__}) : à relire à la main."
            )
    plan, plan_source = _choose_plan(sources, warnings)
    expenses = _expenses(plan)
    resources, resource_reading = _resources(plan, sources)
    total = _total_cost(plan, plan_source, sources, warnings)
    cost_basis = _cost_basis(plan, total, warnings)
    requested, requested_line = _requested(sources, resource_reading, warnings)
    rate = _requested_rate(sources, requested_line, warnings)
    own = _self_financing(plan, plan_source, sources, warnings)
    if plan is not None:
        _warn_in_kind(plan, warnings)
        _warn_lines_vs_total(plan, total, warnings)
    return Budget(
        expenses=expenses,
        resources=resources,
        total_cost_eur=_sourced(total),
        requested_aid_eur=_sourced(requested),
        requested_rate=_sourced(rate),
        self_financing_eur=own,
        cost_basis=cost_basis,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- reading


def read_source(piece: PieceView) -> _Source:
    """Everything one piece says about the plan: its plan readings and its stated facts."""
    reader = PlanReader(piece, strict=piece.piece not in PLAN_PIECES)
    for row in piece_rows(piece):
        reader.feed(row)
    readings = reader.finish()
    consumed = [span for reading in readings for span in reading.consumed]
    facts = scan_facts(piece, consumed)
    form_reading, form_facts = read_form(piece)
    if form_reading is not None:
        readings.append(form_reading)
    return _Source(piece, readings, facts + form_facts)


def piece_rows(piece: PieceView) -> list[Row]:
    """The rows of the piece's tables and of its text lines outside them, in document
    order. A table the reader could not place in the text is left to the lines."""
    keyed: list[tuple[int, int, Row]] = []
    skip: list[tuple[int, int]] = []
    carry: Columns | None = None
    for table in piece.tables():
        if table.start is None or table.end is None:
            continue
        rows, carry = table_rows(piece, table, carry)
        skip.append((table.start, table.end))
        keyed.extend((table.start, index, row) for index, row in enumerate(rows))
    skip.extend((b.start, b.end) for b in piece.blocks() if b.kind == "furniture")
    # Lines keep their own order (a two-sided plan gives its right half after its left
    # one): their keys never decrease.
    key = 0
    for row in line_rows(piece, skip):
        key = max(key, row.span.start or 0)
        keyed.append((key, 0, row))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in keyed]


def _choose_plan(
    sources: list[_Source], warnings: list[str]
) -> tuple[PlanReading | None, _Source | None]:
    """The first source's plan with lines; of several plans in one piece, the project's."""
    for source in sources:
        readings = [r for r in source.readings if r.expenses]
        if not readings:
            continue
        if len(readings) > 1:
            project = [
                r
                for r in readings
                if _PROJECT.search(fold(r.context)) and not _STRUCTURE.search(fold(r.context))
            ]
            chosen = project[0] if project else readings[0]
            warnings.append(
                f"{source.label} contient {len(readings)} budgets ; celui retenu commence par "
                f"« {_first_line(chosen)} »"
                + (f" (sous le titre « {chosen.context} »)" if chosen.context else "")
                + ". Vérifier qu'il s'agit du budget du projet."
            )
            return chosen, source
        return readings[0], source
    return None, None


def _first_line(reading: PlanReading) -> str:
    return reading.expenses[0].value.label if reading.expenses else ""


# --------------------------------------------------------------------------- lines


def _expenses(plan: PlanReading | None) -> Sourced[list[Expense]]:
    if plan is None or not plan.expenses:
        return Sourced()
    return Sourced(
        value=[f.value for f in plan.expenses],
        evidence=[f.evidence[0] for f in plan.expenses],
        confidence=min(f.confidence for f in plan.expenses),
    )


def _resources(
    plan: PlanReading | None, sources: list[_Source]
) -> tuple[Sourced[list[Resource]], PlanReading | None]:
    readings = ([plan] if plan is not None else []) + [r for s in sources for r in s.readings]
    for reading in readings:
        if reading.resources:
            return (
                Sourced(
                    value=[f.value for f in reading.resources],
                    evidence=[f.evidence[0] for f in reading.resources],
                    confidence=min(f.confidence for f in reading.resources),
                ),
                reading,
            )
    return Sourced(), None


# --------------------------------------------------------------------------- totals


def grand_total(reading: PlanReading) -> tuple[Found | None, tuple[Decimal, ...]]:
    """The plan's total of expenses: HT when it gives one, the last grand total otherwise;
    with the other amounts it gives as totals (the TTC of an HT total)."""
    totals = reading.expense_totals
    if not totals:
        return None, ()
    for basis in ("ht", None, "ttc"):
        same = [t for t in totals if t.basis == basis]
        if same:
            chosen = same[-1]
            return chosen, tuple(t.value for t in totals if t is not chosen)
    return totals[-1], ()


def _total_cost(
    plan: PlanReading | None,
    plan_source: _Source | None,
    sources: list[_Source],
    warnings: list[str],
) -> Found | None:
    """The plan's total of expenses, else a total the dossier states; the others that
    differ are named in a warning."""
    candidates: list[_Candidate] = []
    for source in sources:
        readings = [r for r in source.readings if r is plan] + [
            r for r in source.readings if r is not plan
        ]
        for reading in readings:
            total, others = grand_total(reading)
            # Another budget of the plan's own piece (the association's) is not compared.
            if total is not None and (reading is plan or source is not plan_source):
                candidates.append(_Candidate(total, source, others))
        for found in source.facts_of("total"):
            candidates.append(_Candidate(found, source))
    if plan is not None and plan_source is not None:
        # The chosen plan's own total goes first, whatever its piece.
        own = [
            c
            for c in candidates
            if c.source is plan_source and any(c.found is t for t in plan.expense_totals)
        ]
        candidates = own + [c for c in candidates if not any(c is o for o in own)]
    if not candidates:
        if plan is not None and plan.expenses:
            lines = sum_of([Found(f.value.amount_eur, []) for f in plan.expenses])
            warnings.append(
                "Le coût total du projet n'est écrit nulle part ; la somme des lignes de "
                f"dépenses du plan est de {euros(lines)} (non reprise comme total)."
            )
        return None
    chosen = candidates[0]
    accepted = {chosen.found.value, *chosen.others}
    _warn_conflicts("Coût total du projet", chosen, candidates[1:], accepted, warnings)
    return chosen.found


def _cost_basis(plan: PlanReading | None, total: Found | None, warnings: list[str]) -> Sourced[str]:
    basis = total.basis if total is not None else None
    evidence: list[Evidence] = []
    if basis is None and plan is not None:
        bases = {f.basis for f in plan.expenses}
        if len(bases) == 1:
            basis = next(iter(bases))
    if basis is not None:
        said = None
        if plan is not None:
            said = plan.basis_said.get(basis)
        if said is None and total is not None and total.basis == basis:
            said = total.evidence[0]
        if said is None and plan is not None:
            said = next((f.evidence[0] for f in plan.expenses if f.basis == basis), None)
        evidence = [said] if said is not None else []
    if basis is None or not evidence:
        if plan is not None or total is not None:
            warnings.append(
                "Le plan de financement ne dit pas si ses montants sont HT ou TTC : base à "
                "confirmer auprès du porteur."
            )
        return Sourced()
    return Sourced(value=basis, evidence=evidence, confidence=0.85)


# --------------------------------------------------------------------------- request


def _requested(
    sources: list[_Source], resource_reading: PlanReading | None, warnings: list[str]
) -> tuple[Found | None, Found | None]:
    """The amount requested: stated ("montant sollicité : …"), else the resource line
    marked as the present request, else the only resource line marked sollicité."""
    candidates: list[_Candidate] = []
    line: Found | None = None
    for source in sources:
        for found in source.facts_of("requested"):
            candidates.append(_Candidate(found, source))
        for reading in source.readings:
            marked = _unique(reading.requested_lines)
            if len(marked) == 1:
                candidates.append(_Candidate(marked[0], source))
                if line is None:
                    line = marked[0]
            elif len(marked) > 1:
                warnings.append(
                    f"{source.label} marque plusieurs lignes comme objet de la demande ("
                    + ", ".join(f"{m.note} : {euros(m.value)}" for m in marked)
                    + ")."
                )
    if candidates:
        chosen = candidates[0]
        if line is not None and line.value != chosen.found.value:
            line = None
        if line is None and resource_reading is not None:
            # The plan's line of that amount, for its "%" column (never for its amount).
            same = [
                f
                for f in resource_reading.resources
                if f.value.amount_eur == chosen.found.value and f.value.status != "acquis"
            ]
            line = same[0] if len(same) == 1 else None
        _warn_conflicts(
            "Montant de l'aide sollicitée", chosen, candidates[1:], {chosen.found.value}, warnings
        )
        return chosen.found, line
    asked = [
        f
        for f in (resource_reading.resources if resource_reading else [])
        if f.value.status == "sollicité"
    ]
    if len(asked) == 1:
        only = asked[0]
        found = Found(only.value.amount_eur, only.evidence, 0.6, None, only.note, only.rate)
        warnings.append(
            f"Montant sollicité non écrit dans la demande : repris de la seule ressource "
            f"sollicitée du plan ({only.value.funder}, {euros(only.value.amount_eur)})."
        )
        return found, found
    if len(asked) > 1:
        warnings.append(
            "Plusieurs financements sont sollicités ("
            + ", ".join(f"{f.value.funder} : {euros(f.value.amount_eur)}" for f in asked)
            + ") et aucun n'est désigné comme la présente demande : montant sollicité à "
            "identifier."
        )
    elif sources:
        warnings.append(
            "Montant de l'aide sollicitée non trouvé : ni écrit dans la demande, ni désigné "
            "dans le plan de financement."
        )
    return None, None


def _requested_rate(
    sources: list[_Source], line: Found | None, warnings: list[str]
) -> Found | None:
    """Only a written rate: "taux sollicité : 80 %", or the "%" of the requested line."""
    candidates = [_Candidate(f, s) for s in sources for f in s.facts_of("rate")]
    if line is not None and line.rate is not None:
        source = next((s for s in sources if s.piece.name == line.rate.evidence[0].document), None)
        if source is not None:
            candidates.append(_Candidate(line.rate, source))
    if not candidates:
        return None
    chosen = candidates[0]
    _warn_conflicts(
        "Taux sollicité", chosen, candidates[1:], {chosen.found.value}, warnings, rate=True
    )
    return chosen.found


# --------------------------------------------------------------------------- own share


def _self_financing(
    plan: PlanReading | None,
    plan_source: _Source | None,
    sources: list[_Source],
    warnings: list[str],
) -> Sourced[Decimal]:
    candidates: list[_Candidate] = []
    loans: dict[int, Decimal] = {}
    ordered = ([plan] if plan is not None else []) + [
        r for s in sources for r in s.readings if r is not plan
    ]
    for reading in ordered:
        source = plan_source if reading is plan else _source_of(reading, sources)
        if not reading.self_financing or source is None:
            continue
        lines = reading.self_financing
        found = Found(
            sum_of(lines),
            [f.evidence[0] for f in lines],
            min(f.confidence for f in lines),
            note=", ".join(f.note for f in lines),
        )
        candidates.append(_Candidate(found, source))
        if reading.loans:
            loans[id(found)] = sum_of(reading.loans)
    for source in sources:
        for found in source.facts_of("self"):
            candidates.append(_Candidate(found, source))
    if not candidates:
        return Sourced()
    chosen = candidates[0]
    if id(chosen.found) in loans:
        warnings.append(
            f"L'autofinancement ({euros(chosen.found.value)}) comprend un emprunt de "
            f"{euros(loans[id(chosen.found)])} : un emprunt n'est pas une aide, il est compté "
            "dans la part du maître d'ouvrage (CGCT L1111-10)."
        )
    _warn_conflicts("Autofinancement", chosen, candidates[1:], {chosen.found.value}, warnings)
    return _sourced(chosen.found)


def _source_of(reading: PlanReading, sources: list[_Source]) -> _Source | None:
    return next((s for s in sources if any(r is reading for r in s.readings)), None)


# --------------------------------------------------------------------------- warnings


def _warn_conflicts(
    what: str,
    chosen: _Candidate,
    others: list[_Candidate],
    accepted: set[Decimal],
    warnings: list[str],
    rate: bool = False,
) -> None:
    show = percent if rate else euros
    seen: set[tuple[str, Decimal]] = set()
    for other in others:
        value = other.found.value
        if value in accepted or (other.source.piece.name, value) in seen:
            continue
        seen.add((other.source.piece.name, value))
        warnings.append(
            f"{what} : {show(chosen.found.value)} dans {chosen.source.label}, mais "
            f"{show(value)} dans {other.source.label} ; la valeur "
            f"{'du ' + SOURCE_LABEL.get(chosen.source.piece.piece, 'premier document')}"
            f" est retenue, à vérifier auprès du porteur."
        )


def _warn_in_kind(plan: PlanReading, warnings: list[str]) -> None:
    """One line for the contributions in kind: the charges side (86) details them, the
    products side (87) mirrors them; account headers only when nothing details them."""
    items = [f for f in plan.in_kind if f.side == "expenses"] or plan.in_kind
    details = [f for f in items if not is_account(f.note)]
    items = details or items
    if items:
        warnings.append(
            f"Contributions volontaires en nature (comptes 86 / 87) : {euros(sum_of(items))} ("
            + ", ".join(f"{f.note} : {euros(f.value)}" for f in items)
            + ") ; elles ne sont comptées ni dans les dépenses ni dans les ressources."
        )


def _warn_lines_vs_total(plan: PlanReading, total: Found | None, warnings: list[str]) -> None:
    if total is None or not plan.expenses or not any(total is t for t in plan.expense_totals):
        return
    same_basis = [f for f in plan.expenses if f.basis == total.basis or f.basis is None]
    if len(same_basis) != len(plan.expenses):
        return
    lines = sum_of([Found(f.value.amount_eur, []) for f in plan.expenses])
    if lines != total.value:
        warnings.append(
            f"Les lignes de dépenses du plan totalisent {euros(lines)}, mais le total écrit "
            f"est de {euros(total.value)} : le plan est à vérifier."
        )


# --------------------------------------------------------------------------- helpers


def _sourced(found: Found | None) -> Sourced[Any]:
    if found is None:
        return Sourced()
    return Sourced(value=found.value, evidence=found.evidence, confidence=found.confidence)


def _unique(items: list[Found]) -> list[Found]:
    out: list[Found] = []
    for item in items:
        if not any(o.value == item.value for o in out):
            out.append(item)
    return out


def euros(value: Decimal | None) -> str:
    """ "32 150 €", "1 234,50 €" (French)."""
    if value is None:
        return "?"
    quantized = value.quantize(Decimal("0.01"))
    whole, cents = f"{quantized:,.2f}".split(".")
    whole = whole.replace(",", " ")
    return f"{whole} €" if cents == "00" else f"{whole},{cents} €"


def percent(value: Decimal) -> str:
    number = (value * 100).normalize()
    return f"{number:f}".replace(".", ",") + " %"
