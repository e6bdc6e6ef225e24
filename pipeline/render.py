"""Plain-French rendering of values for tables and notes (no computation)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel

from pipeline import vocab

if TYPE_CHECKING:
    from pipeline.models import Evidence

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


# --------------------------------------------------------------------------- notes, letters

FACT_LABELS: dict[str, str] = {
    "applicant_name": "Raison sociale",
    "siret": "SIRET",
    "siren": "SIREN",
    "rna": "N° RNA",
    "legal_form": "Forme juridique",
    "beneficiary_type": "Nature du bénéficiaire",
    "address": "Adresse",
    "postcode": "Code postal",
    "commune_insee": "Code INSEE de la commune",
    "departement_code": "Département",
    "representative": "Représentant légal",
    "contact_email": "Courriel de contact",
    "project_title": "Intitulé du projet",
    "project_summary": "Résumé du projet",
    "theme": "Axe / thématique",
    "start_on": "Début du projet",
    "end_on": "Fin du projet",
    "submitted_on": "Date de la demande",
    "total_cost_eur": "Coût total",
    "requested_aid_eur": "Aide sollicitée",
    "requested_rate": "Taux sollicité",
    "expenses": "Dépenses",
    "resources": "Ressources",
    "self_financing_eur": "Autofinancement",
    "signed": "Demande signée",
    "cost_basis": "Montants exprimés en",
    "commitments": "Engagements datés (devis signés, commandes, factures)",
    "iban": "IBAN (RIB)",
    "notes.numerique_responsable": "Note numérique responsable",
    "notes.protection_donnees": "Note protection des données",
}

# What a finding's status means, said to the instructeur: never "rejeté" (DESIGN §6).
STATUS_LABELS: dict[str, str] = {
    "pass": "Conforme",
    "fail": "Non conforme",
    "review": "À vérifier",
    "missing": "Manquant",
    "not_applicable": "Sans objet",
    "error": "Vérification impossible",
}

ELIGIBLE_LABELS: dict[str, str] = {
    "yes": "conditions d'éligibilité réunies",
    "no": "conditions d'éligibilité non réunies",
    "review": "à examiner par l'instructeur",
}

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

NOT_FOUND = "non trouvé dans le dossier"
MANUAL_SOURCE = "Source : correction de l'instructeur"


def date_long(value: date) -> str:
    """A date as written in a letter: '1er mai 2024', '10 novembre 2023'."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[value.month - 1]} {value.year}"


def source_citation(evidence: Sequence[Evidence], label: str = "Source") -> str:
    """'Source : plan.pdf, p. 2' — one entry per (document, page), in order of appearance;
    '' when there is no evidence."""
    places: list[str] = []
    for item in evidence:
        place = item.document + (f", p. {item.page}" if item.page is not None else "")
        if place not in places:
            places.append(place)
    if not places:
        return ""
    plural = "s" if len(places) > 1 else ""
    return f"{label}{plural} : " + " ; ".join(places)


def field_source(field: object) -> str:
    """The citation of a `Sourced` field: its evidence, or the instructeur's correction."""
    if getattr(field, "source", None) == "manual":
        return MANUAL_SOURCE
    return source_citation(getattr(field, "evidence", []))


def field_text(field: object, name: str = "") -> str:
    """The value of a `Sourced` field as an instructeur reads it, or 'non trouvé…'."""
    if not getattr(field, "found", False):
        return NOT_FOUND
    return value_text(field.value, name)  # type: ignore[attr-defined]


def fact_value_text(key: str, value: object) -> str:
    """A fact's value given in its JSON form (a corrections record: '2023-07-18', 20000),
    typed again by the fact's key so that it reads like the other values: '18/07/2023',
    '20 000 €'. A value that does not fit the fact is shown as given."""
    from pydantic import ValidationError

    from pipeline.models import DossierFacts, Notes

    name = key.removeprefix("notes.")
    owner = Notes if key.startswith("notes.") else DossierFacts
    info = owner.model_fields.get(name)
    if info is None or value is None:
        return value_text(value, key)
    try:
        field = info.annotation.model_validate(  # type: ignore[union-attr]
            {"value": value, "evidence": [], "confidence": None, "source": "manual"}
        )
    except ValidationError:
        return value_text(value, key)
    return value_text(field.value, key)
