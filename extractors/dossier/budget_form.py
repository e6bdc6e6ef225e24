"""Financing plans held in a fillable form's fields. Field names vary from one form to
the next ("depense_1_libelle" / "depense_1_montant", "Montant sollicité", "cout_total_ht",
"autofinancement", "financeur2Statut"…): they are mapped by folded keywords, never by
exact names, and each value quotes its field."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from extractors.dossier import funders
from extractors.dossier.budget_facts import Fact
from extractors.dossier.budget_plan import Found, PlanReading, expense_code, resolve_bases
from extractors.dossier.views import PieceView
from extractors.lexicon import fold, tax_basis
from pipeline.models import Evidence, Expense, Resource
from pipeline.text import parse_amount, parse_rate

_EXPENSE = re.compile(r"\b(?:depenses?|charges?|postes?|emplois?)\b")
_RESOURCE = re.compile(
    r"\b(?:ressources?|recettes?|financeurs?|financements?|cofinanceurs?|produits?|cofinancements?)\b"
)
_TOTAL = re.compile(r"\btotal\w*\b|\bcout global\b|\bbudget global\b")
_REQUEST = re.compile(
    r"\bsollicit\w*|\bdemande\w*\b|\baide (?:regionale|departementale)\b|\bmontant (?:de )?l ?aide\b"
)
_RATE = re.compile(r"\btaux\b|\bpourcentage\b|\bpct\b|%")
_SELF = re.compile(
    r"\bauto ?financement\b|\bfonds propres\b|\bpart (?:communale|intercommunale|du maitre d ?ouvrage)\b|\breste a charge\b"
)
_AMOUNT_WORD = re.compile(
    r"\bmontants?\b|\bcouts?\b|\bht\b|\bttc\b|\bprix\b|\bsommes?\b|\bvaleurs?\b|\beur\b"
)
_STATUS_WORD = re.compile(r"\bstatuts?\b|\betat\b|\bsituation\b")
_LABEL_WORD = re.compile(
    r"\blibelles?\b|\bintitules?\b|\bdesignations?\b|\bobjet\b|\bnom\b|\borganismes?\b|\bnature\b|\bdetail\b"
)
_TYPE_WORD = re.compile(r"\btype\b|\bsection\b")
# "cout_ht", "Coût du projet (€ TTC)", "montant_operation": the cost without "total".
_COST = re.compile(
    r"(?:cout(?: (?:du|de l ?|de la) ?(?:projet|operation|action))?"
    r"|(?:montant|budget) (?:du|de l ?|de la) ?(?:projet|operation|action))"
    r"(?: (?:ht|ttc|eur|euros?|en|€))*"
)
_INDEX = re.compile(r"(?<![0-9])(\d{1,2})(?![0-9])")


def field_key(name: str) -> str:
    """A field name as words: "coutTotalHT" / "cout_total_ht" → "cout total ht"."""
    spaced = re.sub(r"(?<=[a-zà-ÿ])(?=[A-Z])", " ", name)
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", spaced)
    return re.sub(r"[\s_.\-/:']+", " ", fold(spaced)).strip()


def read_form(piece: PieceView) -> tuple[PlanReading | None, list[Fact]]:
    """The plan lines and the stated amounts of the piece's form fields."""
    fields = {k: v for k, v in piece.form_fields.items() if v and v.strip() and v != "Off"}
    if not fields:
        return None, []
    reading = PlanReading(piece)
    facts: list[Fact] = []
    groups: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for name, value in fields.items():
        key = field_key(name)
        index = _INDEX.search(key)
        side = (
            "expenses" if _EXPENSE.search(key) else "resources" if _RESOURCE.search(key) else None
        )
        if index is not None and side is not None and not _TOTAL.search(key):
            groups[(side, int(index.group(1)))][_part(key, value)] = name
            continue
        _scalar(piece, reading, facts, name, key, value)
    for (side, _), parts in sorted(
        groups.items(), key=lambda kv: (kv[0][0] != "expenses", kv[0][1])
    ):
        if side == "expenses":
            _expense(piece, reading, parts)
        else:
            _resource(piece, reading, parts, facts)
    resolve_bases(reading)
    return (None if reading.empty else reading), facts


def _part(key: str, value: str) -> str:
    if re.fullmatch(
        r"\s*(?:i|inv|invest|investissement|f|fonct|fonctionnement)\.?\s*", fold(value)
    ):
        return "nature"
    if _RATE.search(key):
        return "rate"
    if _STATUS_WORD.search(key):
        return "status"
    if _AMOUNT_WORD.search(key):
        # "depense_1_montant_ht" and "depense_1_montant_ttc" side by side: both kept.
        basis = tax_basis(key)
        return f"amount_{basis}" if basis in ("ht", "ttc") else "amount"
    if _TYPE_WORD.search(key):
        return "nature"
    if _LABEL_WORD.search(key):
        return "label"
    return "amount" if parse_amount(value) is not None else "label"


def _scalar(
    piece: PieceView, reading: PlanReading, facts: list[Fact], name: str, key: str, value: str
) -> None:
    evidence = [piece.field_evidence(name)]
    if _RATE.search(key) and _REQUEST.search(key):
        rate = parse_rate(value) if "%" in value else _fraction(value)
        if rate is not None and 0 < rate <= 1:
            facts.append(Fact("rate", Found(rate, evidence, 0.9)))
        return
    amount = parse_amount(value)
    if amount is None or amount <= 0:
        return
    basis = tax_basis(f"{key} {fold(value)}")
    basis = basis if basis in ("ht", "ttc") else None
    found = Found(amount, evidence, 0.9, basis, name)
    if _SELF.search(key):
        reading.self_financing.append(found)
    elif _REQUEST.search(key):
        facts.append(Fact("requested", found))
    elif _TOTAL.search(key) or _COST.fullmatch(key):
        if _RESOURCE.search(key):
            reading.resource_totals.append(found)
        else:
            reading.expense_totals.append(found)
            if basis is not None:
                reading.basis_said.setdefault(basis, evidence[0])


def _fraction(value: str) -> Decimal | None:
    """A rate field holding a bare number: "80" is 80 %, "0,8" is 0.8."""
    number = parse_amount(value)
    if number is None:
        return None
    return number / 100 if number > 1 else number


def _line_evidence(piece: PieceView, parts: dict[str, str]) -> Evidence:
    names = [parts[p] for p in ("label", "amount") if p in parts] or list(parts.values())
    quote = " ; ".join(f"{n} = {piece.form_fields.get(n, '')}" for n in names)
    return Evidence(document=piece.name, page=None, quote=quote)


def _amount_part(parts: dict[str, str]) -> None:
    """The line's amount field: HT when the form has one, else the plain one, else TTC."""
    for name in ("amount_ht", "amount", "amount_ttc"):
        if name in parts:
            parts["amount"] = parts[name]
            return


def _expense(piece: PieceView, reading: PlanReading, parts: dict[str, str]) -> None:
    fields = piece.form_fields
    _amount_part(parts)
    amount = parse_amount(fields.get(parts.get("amount", ""), ""))
    label = fields.get(parts.get("label", ""), "").strip()
    if amount is None or amount <= 0 or not label:
        return
    key = field_key(parts["amount"])
    basis = tax_basis(f"{key} {fold(fields[parts['amount']])}")
    nature = fold(fields.get(parts.get("nature", ""), ""))
    expense_type = (
        "investissement"
        if nature.startswith("inv")
        else "fonctionnement"
        if nature.startswith("fonct")
        else None
    )
    expense = Expense(
        label=label,
        amount_eur=amount,
        expense_code=expense_code(label),  # type: ignore[arg-type]
        expense_type=expense_type,  # type: ignore[arg-type]
        basis=basis if basis in ("ht", "ttc") else None,  # type: ignore[arg-type]
    )
    reading.expenses.append(
        Found(expense, [_line_evidence(piece, parts)], 0.9, expense.basis, label)
    )


def _resource(
    piece: PieceView, reading: PlanReading, parts: dict[str, str], facts: list[Fact]
) -> None:
    fields = piece.form_fields
    _amount_part(parts)
    amount = parse_amount(fields.get(parts.get("amount", ""), ""))
    label = fields.get(parts.get("label", ""), "").strip()
    if amount is None or amount <= 0 or not label:
        return
    evidence = [_line_evidence(piece, parts)]
    if funders.is_self_financing(label):
        found = Found(amount, evidence, 0.9, None, label)
        reading.self_financing.append(found)
        if funders.is_loan(label):
            reading.loans.append(found)
        return
    status_text = fields.get(parts.get("status", ""), "")
    status = funders.status_of(status_text) or funders.status_of(label)
    rate = None
    if "rate" in parts:
        value = fields[parts["rate"]]
        rate_value = parse_rate(value) if "%" in value else _fraction(value)
        if rate_value is not None and 0 < rate_value <= 1:
            rate = Found(rate_value, [piece.field_evidence(parts["rate"])], 0.9)
    resource = Resource(
        funder=funders.clean_funder(label),
        amount_eur=amount,
        public=funders.is_public(label),
        status=status,  # type: ignore[arg-type]
    )
    found = Found(resource, evidence, 0.9, None, label, rate)
    reading.resources.append(found)
    if funders.is_present_request(f"{label} {status_text}"):
        reading.requested_lines.append(Found(amount, evidence, 0.9, None, label, rate))
