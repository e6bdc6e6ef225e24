"""Plain-French rendering of values for tables and notes (no computation)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from pipeline import vocab

_LABELS = {
    **vocab.BENEFICIARY_LABELS,
    **vocab.PIECE_LABELS,
    **vocab.EXPENSE_LABELS,
    **vocab.EXPENSE_TYPE_LABELS,
}


_LEVELS = {
    "region": "région",
    "departement": "département",
    "commune": "commune",
    "epci": "intercommunalité",
    "national": "national",
}


def euros(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return (text[:-3] if text.endswith(",00") else text) + " €"


def percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}".replace(".", ",") + " %"


def _aid_rate(value, alone: bool) -> str:  # type: ignore[no-untyped-def]
    if value.beneficiaries:
        who = ", ".join(_LABELS.get(b, b) for b in value.beneficiaries)
    else:
        who = "tous porteurs" if alone else "autres porteurs"
    parts = [f"{percent(value.max_rate)} — {who}"]
    if value.basis:
        parts.append(value.basis.upper())
    if value.max_aid_eur is not None:
        parts.append(f"plafond {euros(value.max_aid_eur)}")
    if value.scope:
        parts.append(value.scope)
    return ", ".join(parts)


def value_text(value: object, name: str = "") -> str:
    """A value as an instructeur reads it: '25 000 €', '80 %', '28/07/2023 23:59:59 (UTC+02:00)'."""
    from pipeline.models import (
        AidRate,
        Commitment,
        Contact,
        Expense,
        NoteFacts,
        Resource,
        Territory,
    )

    if value is None:
        return ""
    if isinstance(value, list):
        if len(value) > 1 and all(isinstance(v, AidRate) for v in value):
            return "\n".join(_aid_rate(v, alone=False) for v in value)
        return "\n".join(value_text(v, name) for v in value)
    if isinstance(value, AidRate):
        return _aid_rate(value, alone=True)
    if isinstance(value, Territory):
        code = f" ({value.code})" if value.code else ""
        return f"{value.name}{code} — {_LEVELS.get(value.level, value.level)}"
    if isinstance(value, Contact):
        return " — ".join(p for p in (value.name, value.email, value.phone) if p)
    if isinstance(value, Expense | Resource | NoteFacts | Commitment):
        return _dossier_item(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        offset = value.strftime("%z")
        return value.strftime("%d/%m/%Y %H:%M:%S") + f" (UTC{offset[:3]}:{offset[3:]})"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return percent(value) if name.endswith("rate") else euros(value)
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, str):
        return _LABELS.get(value, value)
    return str(value)


def _dossier_item(value: BaseModel) -> str:
    from pipeline.models import Commitment, Expense, NoteFacts, Resource

    if isinstance(value, Expense):
        amount = euros(value.amount_eur) if value.amount_eur is not None else "montant ?"
        basis = f" {value.basis.upper()}" if value.basis else ""
        kind = _LABELS.get(value.expense_code or "", "nature ?")
        section = f", {value.expense_type}" if value.expense_type else ""
        return f"{value.label} : {amount}{basis} ({kind}{section})"
    if isinstance(value, Resource):
        amount = euros(value.amount_eur) if value.amount_eur is not None else "montant ?"
        nature = {True: "public", False: "privé", None: "nature ?"}[value.public]
        status = f", {value.status}" if value.status else ""
        return f"{value.funder} : {amount} ({nature}{status})"
    if isinstance(value, NoteFacts):
        if not value.substantive:
            state = "présente mais sans contenu suffisant"
        else:
            state = "présente et développée"
        covered = ", ".join(vocab.SIGNAL_LABELS.get(s, s) for s in value.signals)
        return f"{state}" + (f" — aborde : {covered}" if covered else " — aucun sujet reconnu")
    if isinstance(value, Commitment):
        what = vocab.COMMITMENT_LABELS.get(value.kind, value.kind)
        return f"{what} du {value.on.strftime('%d/%m/%Y')} — {value.label} ({value.document})"
    return value.model_dump_json()
