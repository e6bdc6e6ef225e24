"""The contracts of DESIGN.md §3, as pydantic models.

Everything that crosses a module boundary (Document → extractors → checkers → reports)
is one of these models, so that the JSON written by one command is the JSON read by the
next one, and so that `aap schema` can publish the exact shapes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from pipeline import vocab
from pipeline.text import original_offset as _original_offset

T = TypeVar("T")


def _decimal_to_json(value: Decimal) -> int | float:
    # JSON numbers, not strings: an integer when the amount has no cents.
    return int(value) if value == value.to_integral_value() else float(value)


# Money in euros and rates as fractions (0.8 for 80 %), exact in Python, numbers in JSON.
Money = Annotated[Decimal, Field(ge=0), PlainSerializer(_decimal_to_json, when_used="json")]
Rate = Annotated[Decimal, Field(ge=0, le=1), PlainSerializer(_decimal_to_json, when_used="json")]


def _as_deadline(value: Any) -> Any:
    """A deadline written by hand: a date alone is the end of that day, and a time without
    a zone is Paris time (DESIGN §3)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(23, 59, 59), tzinfo=ZoneInfo("Europe/Paris"))
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo("Europe/Paris"))
    return value


Deadline = Annotated[AwareDatetime, BeforeValidator(_as_deadline)]

Source = Literal["extracted", "manual"]
SourceKind = Literal["pdf", "docx", "txt", "html", "pdf_form", "image"]
Status = Literal["pass", "fail", "review", "missing", "not_applicable", "error"]


class Contract(BaseModel):
    """Base for every contract: unknown keys are refused so that a typo in a hand-written
    rules file is an error, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- evidence


class Evidence(Contract):
    """Where a value was read: document, 1-based page, offsets in the document's
    normalised text, and the quote itself (the text between the offsets)."""

    document: str
    page: int | None = None
    start: int | None = None
    end: int | None = None
    quote: str


class Sourced(Contract, Generic[T]):
    """The shape of every extracted value (DESIGN §3).

    `value=None` means "not found"; it is never replaced by a default. A value given bare
    in a hand-written rules file is read as `source="manual"` (see `_bare_to_field`).
    """

    value: T | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    confidence: float | None = None
    source: Source = "extracted"

    @model_validator(mode="before")
    @classmethod
    def _bare_to_field(cls, data: Any) -> Any:
        if isinstance(data, Sourced):
            # Another parametrisation of the wrapper (e.g. Sourced[Any] built by an
            # extractor): re-validate its content against this field's type.
            return {name: getattr(data, name) for name in type(data).model_fields}
        if isinstance(data, dict) and set(data) <= {"value", "evidence", "confidence", "source"}:
            if (
                "source" not in data
                and data.get("value") not in (None, [])
                and not data.get("evidence")
            ):
                # {"value": 30000} typed by hand, without evidence: a correction.
                return {**data, "source": "manual"}
            return data
        # A bare value (number, string, list, or an object that is itself a value such
        # as a territory) written by hand: an instructeur's correction.
        return {"value": data, "evidence": [], "confidence": None, "source": "manual"}

    @model_validator(mode="after")
    def _evidence_rule(self) -> Sourced[T]:
        """An extracted value carries its evidence; evidence never comes without a value."""
        if self.source == "extracted" and self.found and not self.evidence:
            raise ValueError("valeur extraite sans sa source (evidence) : refusée")
        if not self.found and self.evidence:
            raise ValueError("source (evidence) donnée sans valeur : refusée")
        return self

    @property
    def found(self) -> bool:
        return self.value is not None and self.value != []


def missing() -> Any:
    """A field that was not found (value null, no evidence)."""
    return Field(default_factory=Sourced)


# --------------------------------------------------------------------------- documents


class Table(Contract):
    """A table as rows of cells (None for an empty or merged-away cell)."""

    page: int | None = None
    rows: list[list[str | None]]
    start: int | None = None  # offsets of the table's text in Document.text, if rendered
    end: int | None = None


class Block(Contract):
    """A unit of layout in reading order: a heading (with its level), a paragraph, a
    list item or a table row, with its offsets in Document.text."""

    kind: Literal["heading", "paragraph", "list_item", "table_row", "furniture"]
    level: int | None = None
    page: int | None = None
    start: int
    end: int


class Page(Contract):
    number: int  # 1-based
    start: int
    end: int
    has_tables: bool = False
    ocr: bool = False  # the text was read from the page image (OCR), not a text layer
    ocr_confidence: float | None = None  # mean word confidence of the OCR, 0 to 1


class Document(Contract):
    """One input file, read once (DESIGN §2)."""

    name: str
    path: str
    sha256: str
    source_kind: SourceKind
    text: str  # normalised text of the whole document
    pages: list[Page]
    blocks: list[Block] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    form_fields: dict[str, str] = Field(default_factory=dict)
    # Breakpoints mapping a normalised offset back to the raw extracted text: a sorted
    # list of (normalised_offset, shift); original = normalised + shift of the last
    # breakpoint at or before it. Empty when normalisation kept every offset.
    offset_shifts: list[tuple[int, int]] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def page_of(self, offset: int) -> int | None:
        for page in self.pages:
            if page.start <= offset < page.end or (offset == page.end == len(self.text)):
                return page.number
        return None

    def original_offset(self, offset: int) -> int:
        return _original_offset(self.offset_shifts, offset)

    def evidence(self, start: int, end: int) -> Evidence:
        """Evidence for the span [start, end) of the normalised text."""
        return Evidence(
            document=self.name,
            page=self.page_of(start),
            start=start,
            end=end,
            quote=self.text[start:end],
        )


# --------------------------------------------------------------------------- call rules


class Territory(Contract):
    level: Literal["region", "departement", "commune", "epci", "national"]
    name: str
    code: str | None = None


class AidRate(Contract):
    max_rate: Rate
    beneficiaries: list[vocab.Beneficiary] | None = None  # None = every other applicant
    basis: Literal["ht", "ttc"] | None = None
    max_aid_eur: Money | None = None
    scope: str | None = None


class Contact(Contract):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class CallRules(Contract):
    """The rules of one call for projects (DESIGN §3, `aap call extract --json`)."""

    call_id: str
    source_document: str | None = None
    source_sha256: str | None = None
    title: Sourced[str] = missing()
    funder: Sourced[str] = missing()
    programme: Sourced[str] = missing()
    territory: Sourced[Territory] = missing()
    opens_on: Sourced[date] = missing()
    closes_at: Sourced[Deadline] = missing()
    deadlines: Sourced[list[Deadline]] = missing()
    envelope_eur: Sourced[Money] = missing()
    max_aid_eur: Sourced[Money] = missing()
    min_aid_eur: Sourced[Money] = missing()
    aid_rates: Sourced[list[AidRate]] = missing()
    min_eligible_cost_eur: Sourced[Money] = missing()
    max_public_aid_rate: Sourced[Rate] = missing()
    indirect_costs_rate: Sourced[Rate] = missing()
    eligible_beneficiaries: Sourced[list[vocab.Beneficiary]] = missing()
    expense_types: Sourced[list[vocab.ExpenseType]] = missing()
    eligible_expenses: Sourced[list[vocab.ExpenseCode]] = missing()
    ineligible_expenses: Sourced[list[vocab.ExpenseCode]] = missing()
    required_pieces: Sourced[list[vocab.Piece]] = missing()
    # Default pieces (DESIGN §4) the instructeur waives for this call, written by hand in
    # the rules file ("waived_pieces": ["devis"]); never extracted from a notice.
    waived_pieces: Sourced[list[vocab.Piece]] = missing()
    themes: Sourced[list[str]] = missing()
    selection_criteria: Sourced[list[str]] = missing()
    contacts: Sourced[list[Contact]] = missing()
    submission_url: Sourced[str] = missing()
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def field_names(cls) -> list[str]:
        return [
            name
            for name in cls.model_fields
            # waived_pieces is written by hand only, never looked for in a notice.
            if name
            not in {"call_id", "source_document", "source_sha256", "warnings", "waived_pieces"}
        ]


# --------------------------------------------------------------------------- dossier facts


class Expense(Contract):
    """One line of the financing plan. `amount_eur` is the amount as the plan gives it
    (HT when the plan gives HT); `basis` says which one was read, None when the document
    does not say (never assumed)."""

    label: str
    amount_eur: Money | None = None
    expense_code: vocab.ExpenseCode | None = None
    expense_type: vocab.ExpenseType | None = None
    basis: Literal["ht", "ttc"] | None = None


class Resource(Contract):
    funder: str
    amount_eur: Money | None = None
    public: bool | None = None
    status: Literal["acquis", "sollicité"] | None = None


class NoteFacts(Contract):
    """A mandatory note: found at all (`present`), more than a heading (`substantive`),
    and which of the signals of `vocab.NumeriqueSignal` / `vocab.DonneesSignal` it covers."""

    present: bool
    substantive: bool | None = None
    signals: list[vocab.NumeriqueSignal | vocab.DonneesSignal] = Field(default_factory=list)


class Commitment(Contract):
    """A dated act that may show the project started before the request (E04): a signed
    quote, an order, an invoice… `label` names it as the document does."""

    kind: vocab.CommitmentKind
    on: date
    label: str
    document: str


class Notes(Contract):
    numerique_responsable: Sourced[NoteFacts] = missing()
    protection_donnees: Sourced[NoteFacts] = missing()


class DossierFacts(Contract):
    applicant_name: Sourced[str] = missing()
    siret: Sourced[str] = missing()
    siren: Sourced[str] = missing()
    rna: Sourced[str] = missing()
    legal_form: Sourced[str] = missing()
    beneficiary_type: Sourced[vocab.Beneficiary] = missing()
    address: Sourced[str] = missing()
    postcode: Sourced[str] = missing()
    commune_insee: Sourced[str] = missing()
    departement_code: Sourced[str] = missing()
    representative: Sourced[str] = missing()
    contact_email: Sourced[str] = missing()
    project_title: Sourced[str] = missing()
    project_summary: Sourced[str] = missing()
    theme: Sourced[str] = missing()
    start_on: Sourced[date] = missing()
    end_on: Sourced[date] = missing()
    submitted_on: Sourced[date] = missing()
    total_cost_eur: Sourced[Money] = missing()
    requested_aid_eur: Sourced[Money] = missing()
    requested_rate: Sourced[Rate] = missing()
    expenses: Sourced[list[Expense]] = missing()
    resources: Sourced[list[Resource]] = missing()
    self_financing_eur: Sourced[Money] = missing()
    signed: Sourced[bool] = missing()
    notes: Notes = Field(default_factory=Notes)
    # Beyond DESIGN §3, asked by the dossier issue: the basis (HT/TTC) of the plan's
    # amounts, the dated commitments for "already started", and the RIB's IBAN.
    cost_basis: Sourced[Literal["ht", "ttc"]] = missing()
    commitments: Sourced[list[Commitment]] = missing()
    iban: Sourced[str] = missing()


class DocumentEntry(Contract):
    name: str
    sha256: str
    piece: vocab.Piece
    pages: str | None = None
    confidence: float | None = None
    reason: str | None = None
    error: str | None = None


class DossierExtraction(Contract):
    """What `aap dossier extract --json` prints: the pieces and the facts, before checks."""

    dossier_id: str
    documents: list[DocumentEntry]
    facts: DossierFacts
    warnings: list[str] = Field(default_factory=list)


class Finding(Contract):
    check: str
    title: str
    status: Status
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    rule: list[Evidence] = Field(default_factory=list)
    action: str | None = None


class Summary(Contract):
    complete: bool
    eligible: Literal["yes", "no", "review"]
    proposed_aid_eur: Money | None = None
    missing_pieces: list[vocab.Piece] = Field(default_factory=list)


class AidLine(Contract):
    """One expense line as the aid computation treats it: kept in the eligible base, set
    aside, or replaced by the indirect-costs flat rate; `reason` (French) says why it was
    set aside or replaced, or what remains to check on a kept line."""

    label: str
    amount_eur: Money | None = None
    expense_code: vocab.ExpenseCode | None = None
    expense_type: vocab.ExpenseType | None = None
    reason: str | None = None


class AidStep(Contract):
    """One line of the computation of the proposed aid, as the note shows it: a French
    label, the value (euros or a rate, per `unit`), the operation in words (`detail`) and
    the rule it applies."""

    label: str
    value: Annotated[Decimal, PlainSerializer(_decimal_to_json, when_used="json")] | None = None
    unit: Literal["eur", "rate"] | None = None
    detail: str | None = None
    rule: list[Evidence] = Field(default_factory=list)


class AidComputation(Contract):
    """The proposed aid (DESIGN §4), computed once by the checkers so that reports only show
    it: eligible base (kept lines + indirect-costs flat rate), maximum rate and cap for the
    applicant's group, proposed = min(requested, rate × base, cap) rounded down to the cent.
    `proposed_eur` is null when it cannot be computed or the dossier is not eligible."""

    requested_eur: Money | None = None
    direct_eligible_eur: Money | None = None
    indirect_costs_rate: Rate | None = None
    indirect_costs_eur: Money | None = None
    eligible_base_eur: Money | None = None
    max_rate: Rate | None = None
    rate_amount_eur: Money | None = None
    cap_eur: Money | None = None
    floor_eur: Money | None = None
    proposed_eur: Money | None = None
    lines_kept: list[AidLine] = Field(default_factory=list)
    lines_set_aside: list[AidLine] = Field(default_factory=list)
    lines_replaced: list[AidLine] = Field(default_factory=list)
    steps: list[AidStep] = Field(default_factory=list)


class CheckResult(Contract):
    """The result of `aap dossier check --json` (DESIGN §3)."""

    dossier_id: str
    call_id: str
    documents: list[DocumentEntry]
    facts: DossierFacts
    findings: list[Finding]
    summary: Summary
    computation: AidComputation | None = None
    warnings: list[str] = Field(default_factory=list)
