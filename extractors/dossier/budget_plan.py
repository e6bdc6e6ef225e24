"""Reading the rows of a piece (tables and lines, in document order) as a financing plan:
which side a row is on (expenses / resources), section titles ("Dépenses
d'investissement"), the accounts of the association CERFA n° 12156 (60…68, 86 / 70…75,
87), totals and sub-totals, self-financing, and the line of the present request.

Choices:
- A CERFA account header (61 - Services extérieurs) that carries an amount is read only
  when none of its detail lines carries one: the detail lines are the plan's lines.
- Contributions volontaires en nature (86 on the charges side, 87 on the products side)
  are valued but cost and bring no money: they are neither expenses nor resources of the
  plan, and the totals that include them are not the cost of the project (the CERFA's
  "Total des charges" comes before them). They are reported in a warning.
- A line with no side said by the plan (no "Dépenses" / "Ressources" title, no column)
  is a resource when it names a funder or the own share, an expense otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractors.dossier import funders
from extractors.dossier.budget_rows import Basis, Row, Side, Value, evidence_of
from extractors.dossier.budget_tables import EXPENSE_SIDE, RESOURCE_SIDE
from extractors.dossier.views import PieceView
from extractors.lexicon import EXPENSE_TERMS, find_terms, fold, tax_basis
from pipeline.models import Evidence, Expense, Resource

PLAN_PIECES = ("plan_financement", "budget_previsionnel")

_ACCOUNT = re.compile(r"^\W*(6[0-8]|7[0-9]|8[67])(?!\d)\s*[-–—.:)]\s*(?=\D)")
_IN_KIND = re.compile(r"contributions? volontaires?|\ben nature\b|\bbenevolat\b")
_TOTAL = re.compile(r"\btota(?:l|le|ux)\b")
_SUBTOTAL = re.compile(r"^\W*(?:sous[- ]?tota\w*|s/ ?total|total (?:partiel|intermediaire))")
# Words a grand total may carry besides "total"; any other word names a part of the plan
# ("Total investissement", "Total achats"): a sub-total.
_TOTAL_WORDS = {
    "total",
    "totale",
    "totaux",
    "general",
    "generale",
    "global",
    "globale",
    "projet",
    "operation",
    "action",
    "programme",
    "des",
    "de",
    "du",
    "la",
    "le",
    "les",
    "l",
    "d",
    "en",
    "euros",
    "eur",
    "ht",
    "ttc",
    "h",
    "t",
    "c",
    "tva",
    "previsionnel",
    "previsionnelle",
    "previsionnels",
    "depenses",
    "depense",
    "ressources",
    "recettes",
    "charges",
    "produits",
    "financements",
    "financement",
    "emplois",
    "couts",
    "cout",
    "montant",
    "budget",
    "plan",
    "prevu",
    "prevue",
    "prevus",
    "prevues",
    "eligibles",
    "eligible",
    "hors",
    "taxes",
    "toutes",
    "comprises",
    "montants",
    "estime",
    "subventionnables",
    "subventionnable",
}
# "TVA non récupérable" is a cost the applicant bears (a line of the plan), not a tax
# sub-total telling that the other amounts are HT.
_TVA_COST = re.compile(r"non (?:recuperable|deductible)|non recuperee")
_TVA = re.compile(r"^\W*(?:montant (?:de (?:la )?)?)?(?:tva|t\.v\.a)\b")
_INVEST = re.compile(r"\binvestissements?\b|^\W*inv\b")
_OPERATE = re.compile(r"\bfonctionnement\b|^\W*fonct\b")
_NATURE_INV = re.compile(r"^\s*(?:i|inv|invest|investissement)\.?\s*$")
_NATURE_FONCT = re.compile(r"^\s*(?:f|fonct|fonctionnement)\.?\s*$")
_REQUEST = re.compile(
    r"\b(?:montant|subvention|aide|financement|participation|concours)s?\s+(?:de l'aide\s+"
    r"|de la subvention\s+|financier\s+|regional\s+|departemental\s+)?(?:sollicitee?s?"
    r"|demandee?s?)\b|\bsollicit\w*\s+(?:une|la|un|l')\s*(?:subvention|aide|participation"
    r"|financement|concours)|\baide demandee\b"
)
_PLAN_TITLE = re.compile(
    r"\bplan de financement\b|\bbudget (?:previsionnel|du projet|de l'operation|de l'action)"
    r"|\bfinancement (?:du projet|de l'operation|previsionnel)"
)
_BULLET = re.compile(r"^[-–—•·▪*]\s*")
_MAX_TITLE = 100


@dataclass
class Found:
    """A value read from the plan with its evidence (one per line for a list item)."""

    value: Any
    evidence: list[Evidence]
    confidence: float = 0.9
    basis: Basis | None = None
    note: str = ""  # what the line says, for warnings
    rate: Found | None = None  # a rate written on the same line (a "%" column)
    side: Side | None = None


@dataclass
class PlanReading:
    """One plan read from one piece (a piece may hold several: the association's annual
    budget and the project's)."""

    piece: PieceView
    context: str = ""
    expenses: list[Found] = field(default_factory=list)
    resources: list[Found] = field(default_factory=list)
    requested_lines: list[Found] = field(default_factory=list)
    expense_totals: list[Found] = field(default_factory=list)
    resource_totals: list[Found] = field(default_factory=list)
    self_financing: list[Found] = field(default_factory=list)
    loans: list[Found] = field(default_factory=list)
    in_kind: list[Found] = field(default_factory=list)
    basis_said: dict[str, Evidence] = field(default_factory=dict)
    consumed: list[tuple[int, int]] = field(default_factory=list)

    @property
    def has_lines(self) -> bool:
        return bool(self.expenses or self.resources or self.self_financing)

    @property
    def empty(self) -> bool:
        return not (self.has_lines or self.expense_totals or self.resource_totals)


def expense_code(label: str) -> str:
    """The lexicon's code for an expense label, `autre` when no term matches.

    The first hit as `find_terms` orders them: the lexicon's order settles overlapping
    wordings, then the leftmost term wins — the head of a French noun phrase comes first
    ("Développement de la plateforme" is a service, "Hébergement de la plateforme"
    hosting, "Licences du module" software). One exception: software whose parenthesis
    says it is developed or configured for the applicant ("Portail citoyen
    (paramétrage, développement)") is bought as a service, not as a licence."""
    hits = find_terms(label, EXPENSE_TERMS)
    if not hits:
        return "autre"
    code = hits[0].codes[0]
    if code == "logiciel":
        inside = [h for h in hits if _in_parenthesis(label, h.start)]
        if inside and inside[0].codes[0] == "prestation":
            return "prestation"
    return code


def _in_parenthesis(text: str, at: int) -> bool:
    return text.rfind("(", 0, at) > text.rfind(")", 0, at)


def is_account(label: str) -> bool:
    """A CERFA 12156 account header: "60 - Achats", "86 – Emplois des contributions…"."""
    return bool(_ACCOUNT.match(fold(label)))


def is_total(label: str) -> bool:
    return bool(_TOTAL.search(fold(label)))


def is_subtotal(label: str) -> bool:
    folded = fold(label)
    if _SUBTOTAL.search(folded):
        return True
    words = re.findall(r"[a-z]+", re.sub(r"\(\d+\)", " ", folded))
    return any(w not in _TOTAL_WORDS for w in words)


def asks_aid(label: str) -> bool:
    """ "Montant sollicité", "subvention demandée": the line of the aid requested."""
    return bool(_REQUEST.search(fold(label)))


@dataclass
class _SideState:
    expense_type: str | None
    account: int | None
    in_kind: bool
    pending: Row | None
    pending_detail: bool


class PlanReader:
    """Feeds on the rows of one piece, in document order; `strict` (pieces that are not
    plans: forms, notes) reads amounts as plan lines only under a plan's header or title."""

    def __init__(self, piece: PieceView, strict: bool) -> None:
        self.piece = piece
        self.strict = strict
        self.readings: list[PlanReading] = [PlanReading(piece)]
        self.side: Side | None = None
        self.forced: Side | None = None
        self.expense_type: str | None = None
        self.account: int | None = None
        self.in_kind = False
        self.columns_seen = False
        # Forms and notes: amounts are plan lines only once a plan has begun (a title
        # "Plan de financement", a "Dépenses" header…), not in a table of rates or dates.
        self.in_plan = not strict
        self.pending: Row | None = None  # an account header carrying an amount
        self.pending_detail = False
        self.saved: dict[str, _SideState] = {}  # the other half of a two-sided table
        self.context = ""

    @property
    def reading(self) -> PlanReading:
        return self.readings[-1]

    # ------------------------------------------------------------------ feeding
    def feed(self, row: Row) -> None:
        if row.side != self.forced:
            self._switch(row.side)
        if row.kind == "header":
            self._header(row)
        elif not [v for v in row.amounts if v.value > 0]:
            self._title(row)
        else:
            self._line(row)

    def finish(self) -> list[PlanReading]:
        self._flush_account()
        for state in self.saved.values():
            self._restore(state)
            self._flush_account()
        for reading in self.readings:
            resolve_bases(reading)
        return [r for r in self.readings if not r.empty]

    # ------------------------------------------------------------------ two-sided tables
    def _switch(self, side: Side | None) -> None:
        """Entering or leaving one half of a two-sided table. Each half keeps its own
        sections: a CERFA table continued on the next page goes on under the account it
        had reached on each side."""
        if self.forced is not None:
            self.saved[self.forced] = self._state()
        else:
            self._flush_account()
        self.forced = side
        if side is None:
            return
        if side in self.saved and not (side == "expenses" and self._complete()):
            self._restore(self.saved.pop(side))
            self.side = side
            return
        if side == "expenses" and self._complete():
            for state in self.saved.values():
                self._restore(state)
                self._flush_account()
            self.saved.clear()
        self._enter_side(side)

    def _state(self) -> _SideState:
        state = _SideState(
            self.expense_type, self.account, self.in_kind, self.pending, self.pending_detail
        )
        self.pending, self.pending_detail = None, False
        return state

    def _restore(self, state: _SideState) -> None:
        self.expense_type, self.account, self.in_kind = (
            state.expense_type,
            state.account,
            state.in_kind,
        )
        self.pending, self.pending_detail = state.pending, state.pending_detail

    def _complete(self) -> bool:
        """The current plan is whole (a total of expenses, and resources): a new
        expenses side starts another plan."""
        reading = self.reading
        return bool(
            reading.expense_totals
            and (reading.resources or reading.self_financing or reading.resource_totals)
        )

    # ------------------------------------------------------------------ structure
    def _header(self, row: Row) -> None:
        self.columns_seen = True
        text = fold(row.text)
        side = row.side or _side_of_title(text)
        if side is not None and row.side is None and side != self.side:
            # (A column header under a "Dépenses d'investissement" title keeps its section.)
            self._enter_side(side)
        self._type_from(text)
        for basis in ("ht", "ttc"):
            if re.search(r"\bht\b|hors tax" if basis == "ht" else r"\bttc\b|toutes taxes", text):
                self.reading.basis_said.setdefault(basis, evidence_of(self.piece, row.span))

    def _title(self, row: Row) -> None:
        if row.label is None or len(row.label.text) > _MAX_TITLE:
            return
        text = fold(row.label.text)
        if is_total(text):
            return
        account = _ACCOUNT.match(text)
        if account is not None:
            self._flush_account()
            self._set_account(int(account.group(1)))
            return
        if _IN_KIND.search(text) and not asks_aid(text):
            self._flush_account()
            self.in_kind = True
            return
        side = _side_of_title(text)
        if side is not None:
            if row.side is None:
                self._enter_side(side)
            else:
                self._flush_account()
                self.expense_type = None
            self._type_from(text)
        elif side is None and len(text) < 60 and (_INVEST.search(text) or _OPERATE.search(text)):
            self._flush_account()
            self._type_from(text)
        else:
            self.context = row.label.text
            if _PLAN_TITLE.search(text):
                self.in_plan = True
            elif self.strict and row.heading:
                # A form's or a note's next section: the plan, if any, is over.
                self._flush_account()
                self.in_plan, self.side, self.expense_type = False, None, None
        basis = tax_basis(text)
        if basis in ("ht", "ttc") and re.search(r"montant|€|euro|\bht\b|\bttc\b|budget|plan", text):
            self.reading.basis_said.setdefault(basis, evidence_of(self.piece, row.label))

    def _enter_side(self, side: Side) -> None:
        self._flush_account()
        if side == "expenses" and self._complete():
            # A second plan in the same piece (the association's budget, then the project's).
            self.readings.append(PlanReading(self.piece, context=self.context))
            self.columns_seen = True
        if self.reading.empty and not self.reading.context:
            self.reading.context = self.context
        self.side = side
        self.expense_type = None
        self.account = None
        self.in_kind = False
        self.in_plan = True

    def _set_account(self, number: int) -> None:
        side: Side = "expenses" if number < 70 or number == 86 else "resources"
        if (self.forced or self.side) != side and self.forced is None:
            self._enter_side(side)
        self.account = number
        self.in_kind = number in (86, 87)
        self.in_plan = True

    def _type_from(self, text: str) -> None:
        if _INVEST.search(text) and not _OPERATE.search(text):
            self.expense_type = "investissement"
        elif _OPERATE.search(text) and not _INVEST.search(text):
            self.expense_type = "fonctionnement"

    def _flush_account(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None and not self.pending_detail:
            self._take(pending)
        self.pending_detail = False

    # ------------------------------------------------------------------ lines
    def _line(self, row: Row) -> None:
        if row.label is None:
            return
        text = fold(row.label.text)
        if not self.in_plan:
            return  # a form's or a note's amount outside any plan: left to the facts
        account = _ACCOUNT.match(text)
        if account is not None:
            self._flush_account()
            self._set_account(int(account.group(1)))
            if not self.in_kind:
                self.pending, self.pending_detail = row, False
                return
        elif self.pending is not None:
            self.pending_detail = True
        self._take(row)

    def _take(self, row: Row) -> None:
        assert row.label is not None
        label = row.label.text
        text = fold(label)
        side = row.side or self.side
        if is_total(text):
            self._total(row, side)
            return
        if _TVA.search(text) and not _TVA_COST.search(text):
            self.reading.basis_said.setdefault("ht", evidence_of(self.piece, row.label))
            return
        amounts = [v for v in row.amounts if v.value > 0 and v.role != "tva"]
        if not amounts:
            return
        if self.in_kind:
            value = _pick(amounts, expense=True)
            found = Found(value.value, [evidence_of(self.piece, row.label, value.span)])
            found.note, found.side = label, side
            self.reading.in_kind.append(found)
            return
        if side is None:
            if not self.columns_seen and not any(v.sure for v in amounts):
                return
            if asks_aid(text) and not funders.is_public(label):
                return  # "Montant sollicité : …" outside a plan: a fact, not a line
            side = "resources" if funders.names_funder(label) else "expenses"
        if side == "resources":
            self._resource(row, amounts)
        elif asks_aid(text):
            return
        else:
            self._expense(row, amounts)

    def _expense(self, row: Row, amounts: list[Value]) -> None:
        assert row.label is not None
        value = _pick(amounts, expense=True)
        label = _BULLET.sub("", row.label.text)
        expense = Expense(
            label=label,
            amount_eur=value.value,
            expense_code=expense_code(label),  # type: ignore[arg-type]
            expense_type=self._nature(row),  # type: ignore[arg-type]
            basis=value.basis,
        )
        found = Found(expense, [evidence_of(self.piece, row.label, value.span)], row.confidence)
        found.basis = value.basis
        self.reading.expenses.append(found)
        self._consume(row)

    def _nature(self, row: Row) -> str | None:
        for cell in row.extra:
            folded = fold(cell.text)
            if _NATURE_INV.match(folded):
                return "investissement"
            if _NATURE_FONCT.match(folded):
                return "fonctionnement"
        return self.expense_type if self.account is None else None

    def _resource(self, row: Row, amounts: list[Value]) -> None:
        assert row.label is not None
        label = _BULLET.sub("", row.label.text)
        value = _pick(amounts, expense=False)
        evidence = [evidence_of(self.piece, row.label, value.span)]
        said = " ".join([label, *(c.text for c in row.extra)])
        self._consume(row)
        if funders.is_self_financing(label):
            found = Found(value.value, evidence, row.confidence, value.basis, label)
            self.reading.self_financing.append(found)
            if funders.is_loan(label):
                self.reading.loans.append(found)
            return
        status = {"acquis": "acquis", "sollicite": "sollicité"}.get(value.role)
        status = status or funders.status_of(" ".join(c.text for c in row.extra))
        status = status or funders.status_of(label)
        resource = Resource(
            funder=funders.clean_funder(label),
            amount_eur=value.value,
            public=self._public(label),
            status=status,  # type: ignore[arg-type]
        )
        rate = None
        if row.rates and 0 < row.rates[0].value <= 1:
            rate_value = row.rates[0]
            rate = Found(rate_value.value, [evidence_of(self.piece, row.label, rate_value.span)])
        found = Found(resource, evidence, row.confidence, value.basis, label, rate)
        self.reading.resources.append(found)
        if funders.is_present_request(said) or asks_aid(label):
            marked = Found(value.value, evidence, row.confidence, value.basis, label, rate)
            self.reading.requested_lines.append(marked)

    def _public(self, label: str) -> bool | None:
        public = funders.is_public(label)
        if public is None and self.account is not None:
            # CERFA 12156: 74 are public subsidies, 70/75/76/78 the association's own
            # revenue (sales, fees, donations); 73 (dotations, tarification) unclear.
            if self.account == 74:
                return True
            if self.account in (70, 75, 76, 77, 78, 79):
                return False
        return public

    def _total(self, row: Row, side: Side | None) -> None:
        assert row.label is not None
        text = fold(row.label.text)
        if self.in_kind or is_subtotal(text):
            return
        if RESOURCE_SIDE.search(re.sub(r"^\W*total(?:e|aux)?\s+", "", text)) or re.search(
            r"\b(?:recettes|ressources|produits|financements?)\b", text
        ):
            total_side: Side = "resources"
        elif re.search(r"\b(?:depenses|charges|emplois|couts?)\b", text):
            total_side = "expenses"
        else:
            total_side = side or "expenses"
        label_basis = tax_basis(text)
        for value in row.amounts:
            if value.value <= 0 or value.role in ("tva", "rate"):
                continue
            basis = value.basis or (label_basis if label_basis in ("ht", "ttc") else None)
            evidence = [evidence_of(self.piece, row.label, value.span)]
            found = Found(value.value, evidence, row.confidence, basis, row.label.text)
            if total_side == "expenses":
                self.reading.expense_totals.append(found)
            else:
                self.reading.resource_totals.append(found)
        if label_basis in ("ht", "ttc"):
            self.reading.basis_said.setdefault(label_basis, evidence_of(self.piece, row.label))
        self._consume(row)
        if row.side is None:
            self.side = None  # after "Total dépenses" the plan may go on with resources
            self.expense_type = None

    def _consume(self, row: Row) -> None:
        if row.span.start is not None and row.span.end is not None:
            self.reading.consumed.append((row.span.start, row.span.end))


def _side_of_title(folded: str) -> Side | None:
    if _TOTAL.search(folded):
        return None
    if EXPENSE_SIDE.search(folded):
        return "expenses"
    if RESOURCE_SIDE.search(folded) and not re.search(r"^\W*plan de financement", folded):
        return "resources"
    return None


_EXPENSE_PREFERENCE = ("ht", "total", "amount", "acquis", "sollicite", "ttc")
_RESOURCE_PREFERENCE = ("acquis", "sollicite", "amount", "total", "ht", "ttc")


def _pick(values: list[Value], expense: bool) -> Value:
    """The amount of a line: HT when the plan has an HT column (expenses), the amount in
    the acquis / sollicité column (resources)."""
    order = _EXPENSE_PREFERENCE if expense else _RESOURCE_PREFERENCE
    for role in order:
        for value in values:
            if value.role == role:
                return value
    return values[0]


def resolve_bases(reading: PlanReading) -> None:
    """Lines without a basis of their own take the one the plan says once for all (a
    title "(montants en € HT)", a single HT or TTC column header, a "Total HT")."""
    said = [b for b in ("ht", "ttc") if b in reading.basis_said]
    default: Basis | None = said[0] if len(said) == 1 else None  # type: ignore[assignment]
    if default is None:
        return
    for found in reading.expenses:
        if found.basis is None:
            found.basis = default
            found.value = found.value.model_copy(update={"basis": default})
    for found in reading.expense_totals:
        if found.basis is None:
            found.basis = default


def sum_of(items: list[Found]) -> Decimal:
    return sum((Decimal(f.value) for f in items), Decimal(0))
