"""Call notice → CallRules (DESIGN §3): every key with its evidence, or null and a warning."""

from __future__ import annotations

from pathlib import Path

from extractors.call.calendar import extract_calendar
from extractors.call.contacts import extract_contacts, extract_submission_url
from extractors.call.eligibility import extract_eligibility
from extractors.call.identity import extract_identity, is_generic_title, slugify
from extractors.call.lists import extract_criteria, extract_themes
from extractors.call.money import extract_money
from extractors.call.notice import Notice
from extractors.call.pieces import extract_pieces
from pipeline.models import CallRules, Document


def extract_call(doc: Document) -> CallRules:
    """Read the rules of a call from its notice."""
    notice = Notice(doc)
    identity = extract_identity(notice)
    calendar = extract_calendar(notice, identity.title.value)
    money = extract_money(notice)
    eligibility = extract_eligibility(notice)
    pieces, piece_warnings = extract_pieces(notice)

    title = identity.title.value
    call_id = slugify(title) if title else slugify(Path(doc.name).stem)
    if title and is_generic_title(title) and identity.funder.value:
        # "Appel à projets 2025" names no call: the funder makes the id distinct.
        call_id = slugify(f"{title} {identity.funder.value}")
    rules = CallRules(
        call_id=call_id or "appel",
        source_document=doc.name,
        source_sha256=doc.sha256,
        title=identity.title,
        funder=identity.funder,
        programme=identity.programme,
        territory=identity.territory,
        opens_on=calendar.opens_on,
        closes_at=calendar.closes_at,
        deadlines=calendar.deadlines,
        envelope_eur=money.envelope,
        max_aid_eur=money.cap,
        min_aid_eur=money.floor,
        aid_rates=money.aid_rates,
        min_eligible_cost_eur=money.min_cost,
        max_public_aid_rate=money.public_ceiling,
        indirect_costs_rate=money.indirect_rate,
        eligible_beneficiaries=eligibility.beneficiaries,
        expense_types=eligibility.expense_types,
        eligible_expenses=eligibility.eligible_expenses,
        ineligible_expenses=eligibility.ineligible_expenses,
        required_pieces=pieces,
        themes=extract_themes(notice),
        selection_criteria=extract_criteria(notice),
        contacts=extract_contacts(notice),
        submission_url=extract_submission_url(notice),
        warnings=list(doc.warnings)
        + identity.warnings
        + calendar.warnings
        + money.warnings
        + eligibility.warnings
        + piece_warnings,
    )
    for name in CallRules.field_names():
        if not getattr(rules, name).found:
            rules.warnings.append(f"{FIELD_LABELS[name]} : {NOT_FOUND[name]} dans l'avis.")
    return rules


_FEMININE = {
    "opens_on",
    "closes_at",
    "envelope_eur",
    "min_eligible_cost_eur",
    "submission_url",
    "expense_types",
}
_PLURAL = {
    "deadlines", "aid_rates", "eligible_beneficiaries", "eligible_expenses",
    "ineligible_expenses", "required_pieces", "themes", "selection_criteria", "contacts",
}  # fmt: skip
_FEMININE_PLURAL = {"deadlines", "eligible_expenses", "ineligible_expenses", "required_pieces"}


def _not_found(name: str) -> str:
    """ "non trouvé", "non trouvée", "non trouvés", "non trouvées" as the label wants."""
    ending = (
        "ées"
        if name in _FEMININE_PLURAL
        else "és"
        if name in _PLURAL
        else "ée"
        if name in _FEMININE
        else "é"
    )
    return "non trouv" + ending


FIELD_LABELS: dict[str, str] = {
    "title": "Titre",
    "funder": "Financeur",
    "programme": "Programme",
    "territory": "Territoire",
    "opens_on": "Date d'ouverture",
    "closes_at": "Date limite de dépôt",
    "deadlines": "Échéances de dépôt",
    "envelope_eur": "Enveloppe de l'appel",
    "max_aid_eur": "Plafond d'aide par projet",
    "min_aid_eur": "Plancher d'aide par projet",
    "aid_rates": "Taux d'aide maximum",
    "min_eligible_cost_eur": "Dépense éligible minimale",
    "max_public_aid_rate": "Taux maximal d'aides publiques cumulées",
    "indirect_costs_rate": "Forfait de coûts indirects",
    "eligible_beneficiaries": "Bénéficiaires éligibles",
    "expense_types": "Nature des dépenses (investissement / fonctionnement)",
    "eligible_expenses": "Dépenses éligibles",
    "ineligible_expenses": "Dépenses inéligibles",
    "required_pieces": "Pièces exigées",
    "themes": "Thématiques / axes",
    "selection_criteria": "Critères de sélection",
    "contacts": "Contacts",
    "submission_url": "Adresse de dépôt",
}

NOT_FOUND: dict[str, str] = {name: _not_found(name) for name in FIELD_LABELS}
