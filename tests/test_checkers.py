"""The checks (DESIGN §4): one test per check per status it can return, the aid
computation, the summary rule, a crashing check, and a smoke run on the fixtures' expected
facts. Facts are built by hand with the models; extracted facts carry their evidence."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from checkers import aid
from checkers.base import Verdict, check
from checkers.budget import (
    e05_cap,
    e06_floor,
    e07_rate,
    e08_public_aid,
    e09_own_share,
    e10_expenses,
    e11_indirect,
    e12_balance,
)
from checkers.completeness import c01_pieces, c02_identification, c03_notes, c04_signed
from checkers.context import CheckContext
from checkers.eligibility import (
    e01_beneficiary,
    e02_territory,
    e03_window,
    e04_not_started,
    e13_theme,
)
from checkers.identity import i01_identifiers
from checkers.registry import CHECKS
from checkers.run import run_checks
from checkers.summary import eligibility, summarise
from pipeline.models import (
    AidComputation,
    CallRules,
    CheckResult,
    DocumentEntry,
    DossierFacts,
    Finding,
)

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2024, 1, 15)

# --------------------------------------------------------------------------- builders


def fact(value: Any, confidence: float = 0.9, document: str = "demande.pdf") -> dict[str, Any]:
    """An extracted fact, with its evidence."""
    return {
        "value": value,
        "evidence": [{"document": document, "page": 1, "quote": str(value)[:60]}],
        "confidence": confidence,
    }


EXPENSES = [
    {"label": "Portail citoyen", "amount_eur": 9800, "expense_code": "prestation",
     "expense_type": "investissement", "basis": "ht"},
    {"label": "Licence GRU", "amount_eur": 4200, "expense_code": "logiciel",
     "expense_type": "investissement", "basis": "ht"},
    {"label": "Borne d'accueil", "amount_eur": 5650, "expense_code": "materiel",
     "expense_type": "investissement", "basis": "ht"},
    {"label": "Formation des agents", "amount_eur": 1800, "expense_code": "formation",
     "expense_type": "investissement", "basis": "ht"},
]  # fmt: skip
NOTE_OK = {"present": True, "substantive": True, "signals": ["reemploi", "ecoconception"]}
NOTE_EMPTY = {"present": True, "substantive": False, "signals": []}

BASE_FACTS: dict[str, Any] = {
    "applicant_name": "Commune de Saint-Genest-Lerpt",
    "siret": "21420223600011",
    "siren": "214202236",
    "beneficiary_type": "commune",
    "postcode": "42530",
    "departement_code": "42",
    "representative": "Jean-Pierre Martin",
    "contact_email": "n.roux@mairie.fr",
    "project_title": "Guichet numérique",
    "theme": "simplifier le quotidien",
    "start_on": "2023-10-01",
    "submitted_on": "2023-07-12",
    "total_cost_eur": 21450,
    "requested_aid_eur": 17160,
    "expenses": EXPENSES,
    "resources": [
        {"funder": "Département de la Loire", "amount_eur": 17160, "public": True,
         "status": "sollicité"}
    ],
    "self_financing_eur": 4290,
    "signed": True,
    "cost_basis": "ht",
}  # fmt: skip


def facts(**changes: Any) -> DossierFacts:
    """The reference dossier (a commune of the Loire, complete and eligible), with
    `changes`: None removes a fact, a dict with "value" is taken as is, anything else is an
    extracted value with evidence."""
    data = {**BASE_FACTS, **changes}
    out: dict[str, Any] = {"notes": {}}
    for key, value in data.items():
        if key.startswith("notes."):
            out["notes"][key.removeprefix("notes.")] = (
                value if isinstance(value, dict) and "value" in value else fact(value)
            )
        elif value is None:
            continue
        elif isinstance(value, dict) and "value" in value:
            out[key] = value
        else:
            out[key] = fact(value)
    out["notes"].setdefault("numerique_responsable", fact(NOTE_OK, document="nr.pdf"))
    out["notes"].setdefault("protection_donnees", fact(NOTE_OK, document="pd.pdf"))
    out["notes"] = {k: v for k, v in out["notes"].items() if v["value"] is not None}
    return DossierFacts.model_validate(out)


BASE_RULES: dict[str, Any] = {
    "call_id": "loire-connect-2023",
    "territory": {"level": "departement", "name": "Loire", "code": "42"},
    "closes_at": "2023-07-28",
    "max_aid_eur": 25000,
    "aid_rates": [{"max_rate": 0.8, "beneficiaries": None, "basis": "ht"}],
    "eligible_beneficiaries": ["commune", "departement", "region", "epci", "syndicat", "ccas"],
    "expense_types": ["investissement"],
    "eligible_expenses": ["materiel", "formation", "prestation", "logiciel"],
    "ineligible_expenses": ["personnel", "frais_generaux", "communication", "mobilier"],
    "required_pieces": ["formulaire"],
    "themes": ["Projets numériques permettant de « simplifier le quotidien »"],
}


def rules(**changes: Any) -> CallRules:
    """Loire Connect-like rules (bare values: manual), with `changes` (None removes)."""
    data = {k: v for k, v in {**BASE_RULES, **changes}.items() if v is not None}
    return CallRules.model_validate(data)


def docs(*pieces: str, error: str | None = None) -> list[DocumentEntry]:
    return [
        DocumentEntry(name=f"{p}.pdf", sha256="0" * 64, piece=p, pages="1", error=error)
        for p in pieces
    ]


BASE_PIECES = ("formulaire", "plan_financement", "deliberation", "rib", "devis")


def ctx(*pieces: str, received_on: date | None = None) -> CheckContext:
    return CheckContext(
        today=TODAY, documents=docs(*(pieces or BASE_PIECES)), received_on=received_on
    )


def one(result: Finding | list[Finding]) -> Finding:
    assert isinstance(result, Finding), result
    return result


def status(check_fn: Any, r: CallRules | None = None, f: DossierFacts | None = None,
           c: CheckContext | None = None) -> str:  # fmt: skip
    finding = one(check_fn(r or rules(), f or facts(), c or ctx()))
    return finding.status


# --------------------------------------------------------------------------- registry


def test_registry_lists_every_check_once_in_design_order() -> None:
    codes = [c.CODE for c in CHECKS]
    assert codes == [
        "C01", "C02", "C03", "C04", "E01", "E02", "E03", "E04", "E05", "E06", "E07",
        "E08", "E09", "E10", "E11", "E12", "E13", "I01",
    ]  # fmt: skip


@pytest.mark.parametrize("check_fn", CHECKS, ids=lambda c: c.CODE)
def test_every_check_documents_itself(check_fn: Any) -> None:
    doc = check_fn.__doc__ or ""
    for section in ("Quoi :", "Pourquoi :", "Base légale :", "Exemple :"):
        assert section in doc, f"{check_fn.CODE}: section « {section} » absente"
    assert check_fn.TITLE and check_fn.TITLE[0].isupper()


def test_reference_dossier_passes_everything_that_applies() -> None:
    outcome = run_checks(rules(), facts(), ctx())
    by_status = {f.check: f.status for f in outcome.findings}
    assert {s for s in by_status.values()} <= {"pass", "not_applicable"}, by_status
    assert outcome.summary.eligible == "yes" and outcome.summary.complete
    assert outcome.summary.proposed_aid_eur == Decimal("17160")
    for finding in outcome.findings:
        assert finding.action is None
        if finding.status == "pass":
            assert finding.rule, f"{finding.check} has no rule"


# --------------------------------------------------------------------------- C01


def test_c01_pass_when_all_required_pieces_present() -> None:
    assert status(c01_pieces) == "pass"


def test_c01_missing_lists_absent_pieces_in_order() -> None:
    finding = one(c01_pieces(rules(), facts(), ctx("formulaire", "plan_financement", "devis")))
    assert finding.status == "missing"
    assert "(rib)" in finding.message and "(deliberation)" in finding.message
    assert finding.message.index("(rib)") < finding.message.index("(deliberation)")
    assert "délibération" in (finding.action or "")


def test_c01_rules_file_can_waive_a_default_piece() -> None:
    """A rules file may remove a default piece ("waived_pieces"), as it may add some."""
    c = ctx("formulaire", "plan_financement", "devis", "deliberation")
    assert status(c01_pieces, rules(), facts(), c) == "missing"  # no RIB
    assert status(c01_pieces, rules(waived_pieces=["rib"]), facts(), c) == "pass"


def test_c01_budget_previsionnel_counts_as_plan_and_note_section_counts() -> None:
    r = rules(required_pieces=["formulaire", "note_protection_donnees"])
    c = ctx("formulaire", "budget_previsionnel", "deliberation", "rib", "devis")
    assert status(c01_pieces, r, facts(), c) == "pass"  # note found inside another piece
    f = facts(**{"notes.protection_donnees": None})
    finding = one(c01_pieces(r, f, c))
    assert finding.status == "missing" and "note_protection_donnees" in finding.message


def test_c01_unreadable_piece_does_not_count() -> None:
    c = CheckContext(
        today=TODAY,
        documents=docs("formulaire", "plan_financement", "deliberation", "devis")
        + docs("rib", error="encrypted_pdf"),
    )
    finding = one(c01_pieces(rules(), facts(), c))
    assert finding.status == "missing" and "(rib)" in finding.message
    assert "illisible" in finding.message


def test_c01_type_dependent_pieces() -> None:
    association = facts(beneficiary_type="association")
    c = ctx("formulaire", "plan_financement", "rib", "devis")
    finding = one(c01_pieces(rules(), association, c))
    assert finding.status == "missing" and "(statuts)" in finding.message
    assert "(deliberation)" not in finding.message
    pme = facts(beneficiary_type="pme")
    assert "(kbis)" in one(c01_pieces(rules(), pme, c)).message


def test_c01_devis_only_for_investment() -> None:
    operating = [dict(e, expense_type="fonctionnement") for e in EXPENSES]
    c = ctx("formulaire", "plan_financement", "deliberation", "rib")
    assert status(c01_pieces, rules(expense_types=None), facts(expenses=operating), c) == "pass"
    assert status(c01_pieces, rules(), facts(expenses=operating), c) == "missing"


def test_c01_review_when_type_unknown_and_no_typed_piece() -> None:
    c = ctx("formulaire", "plan_financement", "rib", "devis")
    assert status(c01_pieces, rules(), facts(beneficiary_type=None), c) == "review"


# --------------------------------------------------------------------------- C02


def test_c02_pass_and_missing() -> None:
    assert status(c02_identification) == "pass"
    # one of SIRET / SIREN / RNA is enough
    assert status(c02_identification, f=facts(siret=None, siren=None, rna="W423001234")) == "pass"
    finding = one(c02_identification(rules(), facts(siret=None, siren=None, start_on=None), ctx()))
    assert finding.status == "missing"
    assert "SIRET, SIREN ou n° RNA" in finding.message and "date de début" in finding.message


# --------------------------------------------------------------------------- C03


def _c03(r: CallRules, f: DossierFacts, c: CheckContext | None = None) -> list[Finding]:
    result = c03_notes(r, f, c or ctx())
    assert isinstance(result, list)
    return result


NOTES_CALL = {"required_pieces": ["note_numerique_responsable", "note_protection_donnees"]}


def test_c03_not_applicable_when_call_requires_no_note() -> None:
    assert [f.status for f in _c03(rules(), facts())] == ["not_applicable"]


def test_c03_one_finding_per_required_note() -> None:
    assert [f.status for f in _c03(rules(**NOTES_CALL), facts())] == ["pass", "pass"]
    f = facts(**{"notes.numerique_responsable": NOTE_EMPTY, "notes.protection_donnees": None})
    statuses = [x.status for x in _c03(rules(**NOTES_CALL), f)]
    assert statuses == ["fail", "missing"]


def test_c03_review_when_piece_present_but_not_analysed_or_uncertain() -> None:
    f = facts(**{"notes.numerique_responsable": None})
    c = ctx(*BASE_PIECES, "note_numerique_responsable")
    r = rules(required_pieces=["note_numerique_responsable"])
    assert [x.status for x in _c03(r, f, c)] == ["review"]
    shaky = facts(**{"notes.numerique_responsable": fact(NOTE_EMPTY, confidence=0.3)})
    assert [x.status for x in _c03(r, shaky)] == ["review"]


# --------------------------------------------------------------------------- C04


def test_c04_statuses() -> None:
    assert status(c04_signed) == "pass"
    assert status(c04_signed, f=facts(signed=None)) == "missing"
    assert status(c04_signed, f=facts(signed=False)) == "fail"
    fallback = fact("2023-07-20", confidence=0.4, document="(date d'arrivée du dossier)")
    assert status(c04_signed, f=facts(submitted_on=fallback)) == "review"
    assert status(c04_signed, f=facts(submitted_on=None)) == "missing"


# --------------------------------------------------------------------------- E01


def test_e01_statuses() -> None:
    assert status(e01_beneficiary) == "pass"
    finding = one(e01_beneficiary(rules(), facts(beneficiary_type="association"), ctx()))
    assert finding.status == "fail" and "Association" in finding.message and finding.action
    assert status(e01_beneficiary, f=facts(beneficiary_type=None)) == "review"
    assert status(e01_beneficiary, r=rules(eligible_beneficiaries=None)) == "review"
    shaky = facts(beneficiary_type=fact("association", confidence=0.3))
    assert status(e01_beneficiary, f=shaky) == "review"


def test_e01_pme_is_an_entreprise() -> None:
    r = rules(eligible_beneficiaries=["entreprise"])
    assert status(e01_beneficiary, r, facts(beneficiary_type="pme")) == "pass"
    r = rules(eligible_beneficiaries=["pme"])
    assert status(e01_beneficiary, r, facts(beneficiary_type="entreprise")) == "fail"


# --------------------------------------------------------------------------- E02


def test_e02_statuses() -> None:
    assert status(e02_territory) == "pass"
    assert status(e02_territory, f=facts(departement_code="69")) == "fail"
    assert status(e02_territory, f=facts(departement_code=None)) == "review"
    national = rules(territory={"level": "national", "name": "France"})
    assert status(e02_territory, r=national) == "not_applicable"
    assert status(e02_territory, r=rules(territory=None)) == "not_applicable"
    epci = rules(territory={"level": "epci", "name": "Saint-Étienne Métropole"})
    assert status(e02_territory, r=epci) == "review"


def test_e02_region_uses_insee_data() -> None:
    pdl = rules(territory={"level": "region", "name": "Pays de la Loire", "code": "52"})
    assert status(e02_territory, pdl, facts(departement_code="49")) == "pass"
    finding = one(e02_territory(pdl, facts(departement_code="35"), ctx()))
    assert finding.status == "fail" and "Ille-et-Vilaine" in finding.message
    by_name = rules(territory={"level": "region", "name": "Pays-de-la-Loire"})
    assert status(e02_territory, by_name, facts(departement_code="85")) == "pass"


# --------------------------------------------------------------------------- E03


def test_e03_statuses() -> None:
    assert status(e03_window) == "pass"
    assert status(e03_window, f=facts(submitted_on="2023-07-28")) == "pass"  # last day
    finding = one(e03_window(rules(), facts(submitted_on="2023-08-02"), ctx()))
    assert finding.status == "fail" and "02/08/2023" in finding.message
    assert status(e03_window, f=facts(submitted_on=None)) == "missing"
    assert status(e03_window, r=rules(closes_at=None)) == "not_applicable"
    late_fallback = fact("2023-08-03", confidence=0.4, document="(date d'arrivée du dossier)")
    assert status(e03_window, f=facts(submitted_on=late_fallback)) == "review"


def test_e03_deadline_in_the_calls_zone_and_hour() -> None:
    # 23:59 in Guadeloupe is already the next day in UTC: the call's own day counts.
    guadeloupe = rules(closes_at="2023-07-28T23:59:59-04:00")
    assert status(e03_window, guadeloupe, facts(submitted_on="2023-07-28")) == "pass"
    noon = rules(closes_at="2023-07-28T12:00:00+02:00")
    assert status(e03_window, noon, facts(submitted_on="2023-07-28")) == "review"
    early = rules(opens_on="2023-07-15")
    assert status(e03_window, early, facts(submitted_on="2023-07-01")) == "review"


# --------------------------------------------------------------------------- E04

SIGNED_QUOTE = [
    {"kind": "devis_signe", "on": "2023-05-02", "label": "Bon pour accord",
     "document": "Devis capteurs.pdf"}
]  # fmt: skip


def test_e04_statuses() -> None:
    finding = one(e04_not_started(rules(), facts(), ctx()))
    assert finding.status == "pass" and finding.evidence == []
    finding = one(e04_not_started(rules(), facts(commitments=SIGNED_QUOTE), ctx()))
    assert finding.status == "fail"
    assert "02/05/2023" in finding.message and "Devis capteurs.pdf" in finding.message
    later = [dict(SIGNED_QUOTE[0], on="2023-07-12")]  # same day as the request: not before
    assert status(e04_not_started, f=facts(commitments=later)) == "pass"
    assert status(e04_not_started, f=facts(commitments=SIGNED_QUOTE, submitted_on=None)) == (
        "review"
    )
    fallback = fact("2023-07-20", confidence=0.4, document="(date d'arrivée du dossier)")
    assert status(e04_not_started, f=facts(commitments=SIGNED_QUOTE, submitted_on=fallback)) == (
        "review"
    )


def test_e04_missing_attestation_is_c01s_business() -> None:
    r = rules(required_pieces=["formulaire", "attestation_non_commencement"])
    assert status(e04_not_started, r) == "pass"
    assert status(c01_pieces, r) == "missing"


# --------------------------------------------------------------------------- E05


def test_e05_statuses() -> None:
    assert status(e05_cap) == "pass"
    finding = one(e05_cap(rules(), facts(requested_aid_eur=36000), ctx()))
    assert finding.status == "fail" and "25 000 €" in finding.message
    assert status(e05_cap, f=facts(requested_aid_eur=None)) == "missing"
    assert status(e05_cap, r=rules(max_aid_eur=None)) == "not_applicable"
    shaky = facts(requested_aid_eur=fact(36000, confidence=0.3))
    assert status(e05_cap, f=shaky) == "review"


def test_e05_group_cap_wins_over_call_cap() -> None:
    r = rules(
        max_aid_eur=None,
        aid_rates=[
            {"max_rate": 0.8, "beneficiaries": ["commune"], "max_aid_eur": 15000},
            {"max_rate": 0.5, "beneficiaries": None},
        ],
    )
    assert status(e05_cap, r) == "fail"  # 17 160 > 15 000 for communes
    assert status(e05_cap, r, facts(beneficiary_type="ccas")) == "not_applicable"


# --------------------------------------------------------------------------- E06


def test_e06_statuses() -> None:
    assert status(e06_floor) == "not_applicable"
    floor = rules(min_aid_eur=15000)
    assert status(e06_floor, floor) == "pass"
    assert status(e06_floor, floor, facts(requested_aid_eur=None)) == "missing"
    finding = one(e06_floor(rules(min_aid_eur=20000), facts(), ctx()))
    assert finding.status == "fail" and "20 000 €" in finding.message


def test_e06_compares_the_proposed_aid_not_the_request() -> None:
    # 17 160 € asked, but a 50 % rate leaves 10 725 € proposed: below a 15 000 € floor.
    r = rules(min_aid_eur=15000, aid_rates=[{"max_rate": 0.5}])
    finding = one(e06_floor(r, facts(), ctx()))
    assert finding.status == "fail" and "10 725 €" in finding.message
    # Proposed aid unknown (no expenses) but the request is above the floor.
    assert status(e06_floor, rules(min_aid_eur=15000), facts(expenses=None)) == "review"


# --------------------------------------------------------------------------- E07


def test_e07_statuses() -> None:
    assert status(e07_rate) == "pass"  # 17 160 / 21 450 = 80 %
    finding = one(e07_rate(rules(), facts(requested_aid_eur=19305), ctx()))
    assert finding.status == "fail" and "90 %" in finding.message and "80 %" in finding.message
    assert status(e07_rate, r=rules(aid_rates=None)) == "not_applicable"
    assert status(e07_rate, f=facts(expenses=None)) == "review"
    assert status(e07_rate, f=facts(requested_aid_eur=None)) == "missing"
    assert status(e07_rate, f=facts(cost_basis="ttc")) == "review"


def test_e07_rate_is_on_the_eligible_base() -> None:
    with_furniture = EXPENSES + [
        {"label": "Mobilier", "amount_eur": 3100, "expense_code": "mobilier",
         "expense_type": "investissement"}
    ]  # fmt: skip
    # 17 160 € on 21 450 € eligible = 80 %, the furniture line does not raise the base.
    assert status(e07_rate, f=facts(expenses=with_furniture, total_cost_eur=24550)) == "pass"
    f = facts(expenses=with_furniture, requested_aid_eur=19640, total_cost_eur=24550)
    assert status(e07_rate, f=f) == "fail"  # 80 % of the total, 91.6 % of the eligible base


def test_e07_rate_by_group() -> None:
    r = rules(
        aid_rates=[
            {"max_rate": 0.5, "beneficiaries": ["ccas", "etablissement_public"]},
            {"max_rate": 0.3, "beneficiaries": None},
        ]
    )
    ccas = facts(beneficiary_type="ccas", requested_aid_eur=10725)  # 50 %
    assert status(e07_rate, r, ccas) == "pass"
    assert status(e07_rate, r, facts(requested_aid_eur=10725)) == "fail"  # a commune: 30 %
    assert status(e07_rate, r, facts(beneficiary_type=None)) == "review"
    pme = rules(aid_rates=[{"max_rate": 0.45, "beneficiaries": ["entreprise"]}])
    assert status(e07_rate, pme, facts(beneficiary_type="pme", requested_aid_eur=9652)) == "pass"
    none_for_me = rules(aid_rates=[{"max_rate": 0.45, "beneficiaries": ["entreprise"]}])
    assert status(e07_rate, none_for_me) == "not_applicable"


# --------------------------------------------------------------------------- E08


def test_e08_statuses() -> None:
    assert status(e08_public_aid) == "not_applicable"
    assert status(e08_public_aid, rules(max_public_aid_rate=0.8)) == "pass"
    finding = one(e08_public_aid(rules(max_public_aid_rate=0.7), facts(), ctx()))
    assert finding.status == "fail" and "80 %" in finding.message
    unknown = facts(resources=[{"funder": "Fondation X", "amount_eur": 17160, "public": None}])
    assert status(e08_public_aid, rules(max_public_aid_rate=0.8), unknown) == "review"


def test_e08_adds_the_requested_aid_when_the_plan_forgets_it() -> None:
    other = facts(resources=[{"funder": "État (DETR)", "amount_eur": 4290, "public": True}],
                  self_financing_eur=0)  # fmt: skip
    finding = one(e08_public_aid(rules(max_public_aid_rate=0.9), other, ctx()))
    assert finding.status == "fail" and "aide demandée ajoutée" in finding.message


# --------------------------------------------------------------------------- E09


def test_e09_statuses() -> None:
    finding = one(e09_own_share(rules(), facts(), ctx()))
    assert finding.status == "pass" and "entièrement sur fonds publics" in finding.message
    assert finding.rule[0].document == "règle générale" and "L1111-10" in finding.rule[0].quote
    low = facts(self_financing_eur=2420, total_cost_eur=14600)
    assert status(e09_own_share, f=low) == "fail"
    assert status(e09_own_share, f=facts(self_financing_eur=None)) == "review"
    assert status(e09_own_share, f=facts(beneficiary_type="association")) == "not_applicable"
    assert status(e09_own_share, f=facts(beneficiary_type="ccas")) == "not_applicable"


def test_e09_denominator_is_public_financing_when_private_money_comes_in() -> None:
    # 2 000 € own + 8 000 € public + 11 450 € private: 20 % of the 10 000 € of public money.
    mixed = facts(
        self_financing_eur=2000,
        requested_aid_eur=8000,
        resources=[
            {"funder": "Département", "amount_eur": 8000, "public": True},
            {"funder": "Mécène", "amount_eur": 11450, "public": False},
        ],
    )
    finding = one(e09_own_share(rules(), mixed, ctx()))
    assert finding.status == "pass" and "financements publics" in finding.message


# --------------------------------------------------------------------------- E10


def test_e10_statuses() -> None:
    assert status(e10_expenses) == "pass"
    assert status(e10_expenses, f=facts(expenses=None)) == "missing"
    lines = EXPENSES + [
        {"label": "Mobilier d'accueil", "amount_eur": 3100, "expense_code": "mobilier",
         "expense_type": "investissement"},
        {"label": "Flyers", "amount_eur": 800, "expense_code": "communication",
         "expense_type": "fonctionnement"},
        {"label": "Hébergement", "amount_eur": 500, "expense_code": "hebergement_maintenance",
         "expense_type": "investissement"},
        {"label": "Maintenance", "amount_eur": 300, "expense_code": "materiel",
         "expense_type": "fonctionnement"},
    ]  # fmt: skip
    finding = one(e10_expenses(rules(), facts(expenses=lines), ctx()))
    assert finding.status == "fail"
    for label in ("Mobilier d'accueil", "Flyers", "Hébergement", "Maintenance"):
        assert label in finding.message
    assert "inéligible" in finding.message and "absente des dépenses éligibles" in finding.message
    assert "fonctionnement" in finding.message and "21 450 €" in finding.message
    other = EXPENSES + [{"label": "Divers", "amount_eur": 100, "expense_code": "autre"}]
    assert status(e10_expenses, f=facts(expenses=other)) == "review"


def test_e10_without_expense_rules_only_doubts_works_and_furniture() -> None:
    free = rules(expense_types=None, eligible_expenses=None, ineligible_expenses=None)
    assert status(e10_expenses, free) == "pass"
    works = EXPENSES + [{"label": "Peinture du local", "amount_eur": 9600,
                         "expense_code": "immobilier"}]  # fmt: skip
    assert status(e10_expenses, free, facts(expenses=works)) == "review"


# --------------------------------------------------------------------------- E11

FEDER = {
    "indirect_costs_rate": 0.07,
    "expense_types": ["investissement", "fonctionnement"],
    "eligible_expenses": ["materiel", "logiciel", "prestation", "formation", "couts_indirects"],
}


def _with_indirect(amount: int) -> list[dict[str, Any]]:
    return EXPENSES + [{"label": "Coûts indirects", "amount_eur": amount,
                        "expense_code": "couts_indirects"}]  # fmt: skip


def test_e11_statuses() -> None:
    assert status(e11_indirect) == "not_applicable"
    assert status(e11_indirect, rules(**FEDER)) == "pass"  # no indirect-costs line
    # 7 % × 21 450 = 1 501.50; 1 502 is within the 1 € rounding tolerance.
    assert status(e11_indirect, rules(**FEDER), facts(expenses=_with_indirect(1502))) == "pass"
    finding = one(e11_indirect(rules(**FEDER), facts(expenses=_with_indirect(3217)), ctx()))
    assert finding.status == "fail" and "1 501,50 €" in finding.message
    assert status(e11_indirect, rules(**FEDER), facts(expenses=None)) == "missing"
    rule_quotes = " ".join(e.quote for e in finding.rule)
    assert "2021/1060" in rule_quotes


# --------------------------------------------------------------------------- E12


def test_e12_statuses() -> None:
    assert status(e12_balance) == "pass"
    finding = one(e12_balance(rules(), facts(self_financing_eur=3790), ctx()))
    assert finding.status == "fail"
    assert "20 950 €" in finding.message and "21 450 €" in finding.message
    assert status(e12_balance, f=facts(self_financing_eur=4290.6)) == "pass"  # 0.60 € off
    assert status(e12_balance, f=facts(total_cost_eur=22000)) == "fail"  # lines ≠ total
    assert status(e12_balance, f=facts(total_cost_eur=None)) == "missing"
    assert status(e12_balance, f=facts(resources=None, self_financing_eur=None)) == "missing"


# --------------------------------------------------------------------------- E13


def test_e13_statuses() -> None:
    assert status(e13_theme) == "pass"
    assert status(e13_theme, f=facts(theme=None)) == "review"
    assert status(e13_theme, f=facts(theme="tourisme et culture connectés")) == "review"
    assert status(e13_theme, r=rules(themes=None)) == "not_applicable"
    # accents, case and quotes folded
    assert status(e13_theme, f=facts(theme="« Simplifier le Quotidien »")) == "pass"


# --------------------------------------------------------------------------- I01


def test_i01_statuses() -> None:
    assert status(i01_identifiers) == "pass"
    finding = one(i01_identifiers(rules(), facts(siret="21420223600012"), ctx()))
    assert finding.status == "fail" and "21420223600012" in finding.message
    none = facts(siret=None, siren=None)
    assert status(i01_identifiers, f=none) == "missing"
    assert status(i01_identifiers, f=facts(siret=None, siren=None, rna="W423001234")) == "pass"
    assert status(i01_identifiers, f=facts(siret=None, siren=None, rna="W42300123")) == "fail"
    la_poste = facts(siret="35600000012346", siren="356000000")  # digit sum 30, not Luhn
    assert status(i01_identifiers, f=la_poste) == "pass"
    mismatch = facts(siren="214202186")  # Saint-Étienne's SIREN, valid but not this SIRET's
    assert status(i01_identifiers, f=mismatch) == "review"
    ocr = facts(siret=fact("21420223600012", confidence=0.3))
    assert status(i01_identifiers, f=ocr) == "review"


# --------------------------------------------------------------------------- aid computation


def test_aid_capped() -> None:
    computation = aid.compute_aid(rules(), facts(requested_aid_eur=36000, total_cost_eur=45000,
                                                 expenses=[dict(EXPENSES[0], amount_eur=45000)]))  # fmt: skip
    assert computation.eligible_base_eur == 45000
    assert computation.rate_amount_eur == 36000
    assert computation.cap_eur == 25000
    assert computation.proposed_eur == 25000


def test_aid_rate_applied_and_rounded_down_to_the_cent() -> None:
    lines = [dict(EXPENSES[0], amount_eur=Decimal("10000.99"))]
    computation = aid.compute_aid(rules(max_aid_eur=None), facts(expenses=lines,
                                  requested_aid_eur=9000))  # fmt: skip
    # 80 % × 10 000,99 = 8 000,792 → 8 000,79
    assert computation.rate_amount_eur == Decimal("8000.79")
    assert computation.proposed_eur == Decimal("8000.79")
    labels = [s.label for s in computation.steps]
    assert labels[-1] == "Aide proposée" and "Taux maximal applicable" in labels


def test_aid_floor_makes_it_null_through_the_summary() -> None:
    outcome = run_checks(rules(min_aid_eur=75000), facts(), ctx())
    assert outcome.summary.eligible == "no"
    assert outcome.summary.proposed_aid_eur is None
    assert outcome.computation is not None and outcome.computation.proposed_eur is None
    assert outcome.computation.steps[-1].detail is not None
    assert "E06" in outcome.computation.steps[-1].detail
    assert any(s.label == "Aide calculée" and s.value == 17160 for s in outcome.computation.steps)


def test_aid_indirect_costs_flat_rate_replaces_the_plans_line() -> None:
    computation = aid.compute_aid(rules(**FEDER, max_aid_eur=None),
                                  facts(expenses=_with_indirect(5000)))  # fmt: skip
    assert computation.direct_eligible_eur == 21450
    assert computation.indirect_costs_eur == Decimal("1501.50")
    assert computation.eligible_base_eur == Decimal("22951.50")
    assert [line.label for line in computation.lines_replaced] == ["Coûts indirects"]
    assert computation.lines_set_aside == []
    assert computation.rate_amount_eur == Decimal("18361.20")
    assert computation.proposed_eur == 17160  # the request is below


def test_aid_ineligible_lines_set_aside_with_reason() -> None:
    lines = EXPENSES + [{"label": "Agent", "amount_eur": 5000, "expense_code": "personnel",
                         "expense_type": "fonctionnement"}]  # fmt: skip
    computation = aid.compute_aid(rules(), facts(expenses=lines, requested_aid_eur=21160))
    assert [line.label for line in computation.lines_set_aside] == ["Agent"]
    reason = computation.lines_set_aside[0].reason or ""
    assert "inéligible" in reason and "fonctionnement" in reason
    assert computation.eligible_base_eur == 21450
    assert computation.proposed_eur == 17160


def test_aid_group_cap_and_rate() -> None:
    r = rules(
        max_aid_eur=50000,
        aid_rates=[
            {"max_rate": 0.5, "beneficiaries": ["ccas"], "max_aid_eur": 8000},
            {"max_rate": 0.3, "beneficiaries": None},
        ],
    )
    ccas = aid.compute_aid(r, facts(beneficiary_type="ccas"))
    assert (ccas.max_rate, ccas.cap_eur, ccas.proposed_eur) == (Decimal("0.5"), 8000, 8000)
    commune = aid.compute_aid(r, facts())
    assert (commune.max_rate, commune.cap_eur) == (Decimal("0.3"), 50000)
    assert commune.proposed_eur == Decimal("6435")  # 30 % × 21 450


def test_aid_null_when_something_is_unknown() -> None:
    assert aid.compute_aid(rules(), facts(requested_aid_eur=None)).proposed_eur is None
    assert aid.compute_aid(rules(), facts(expenses=None)).proposed_eur is None
    assert aid.compute_aid(rules(aid_rates=None), facts()).proposed_eur is None


def test_check_result_carries_the_computation_as_json_numbers() -> None:
    outcome = run_checks(rules(), facts(), ctx())
    result = CheckResult(
        dossier_id="d", call_id="c", documents=ctx().documents, facts=facts(),
        findings=outcome.findings, summary=outcome.summary, computation=outcome.computation,
    )  # fmt: skip
    data = json.loads(result.model_dump_json())
    assert data["computation"]["proposed_eur"] == 17160
    assert data["computation"]["max_rate"] == 0.8
    assert CheckResult.model_validate(data).computation == outcome.computation


# --------------------------------------------------------------------------- summary


def _f(code: str, status_: str) -> Finding:
    return Finding(check=code, title="t", status=status_, message="m")  # type: ignore[arg-type]


PASSING = [_f(c.CODE, "pass") for c in CHECKS]


def _with(code: str, status_: str) -> list[Finding]:
    return [_f(code, status_) if f.check == code else f for f in PASSING]


@pytest.mark.parametrize("code", ["E01", "E02", "E03", "E04", "E06"])
def test_summary_blocking_fail_is_no(code: str) -> None:
    assert eligibility(_with(code, "fail")) == "no"


@pytest.mark.parametrize("code", ["E05", "E07", "E08", "E09", "E10", "E11", "E12"])
def test_summary_adjusting_fail_is_review(code: str) -> None:
    assert eligibility(_with(code, "fail")) == "review"


@pytest.mark.parametrize("status_", ["review", "missing", "error"])
def test_summary_unsettled_eligibility_check_is_review(status_: str) -> None:
    assert eligibility(_with("E03", status_)) == "review"


@pytest.mark.parametrize("code", ["E13", "I01", "C02", "C04"])
def test_summary_advisory_checks_do_not_decide(code: str) -> None:
    assert eligibility(_with(code, "fail")) == "yes"


def test_summary_blocking_beats_review() -> None:
    findings = _with("E07", "fail")
    findings[findings.index(next(f for f in findings if f.check == "E01"))] = _f("E01", "fail")
    assert eligibility(findings) == "no"


def test_summary_completeness_and_proposed_aid() -> None:
    computation = AidComputation(proposed_eur=Decimal("1000"))
    assert summarise(PASSING, computation, []).model_dump() == {
        "complete": True, "eligible": "yes", "proposed_aid_eur": Decimal("1000"),
        "missing_pieces": [],
    }  # fmt: skip
    incomplete = summarise(_with("C01", "missing"), computation, ["rib", "deliberation"])
    assert not incomplete.complete and incomplete.missing_pieces == ["rib", "deliberation"]
    for status_ in ("fail", "missing"):
        assert not summarise(_with("C03", status_), computation, []).complete
    assert summarise(_with("C03", "review"), computation, []).complete
    assert summarise(_with("E02", "fail"), computation, []).proposed_aid_eur is None
    assert summarise(_with("E05", "fail"), computation, []).proposed_aid_eur == 1000
    assert summarise(PASSING, None, []).proposed_aid_eur is None


def test_run_reports_missing_pieces_in_the_summary() -> None:
    outcome = run_checks(rules(), facts(), ctx("formulaire", "plan_financement", "devis"))
    assert outcome.summary.missing_pieces == ["rib", "deliberation"]
    assert not outcome.summary.complete and outcome.summary.eligible == "yes"


# --------------------------------------------------------------------------- crashing check


@check("X99", "Contrôle qui plante")
def _crashing(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
    """Quoi : rien. Pourquoi : tester. Base légale : aucune. Exemple : aucun."""
    raise ZeroDivisionError("division par zéro")


def test_a_crashing_check_becomes_an_error_and_the_others_still_run() -> None:
    checks = (CHECKS[0], _crashing, *CHECKS[1:])
    outcome = run_checks(rules(), facts(), ctx(), checks=checks)
    crashed = next(f for f in outcome.findings if f.check == "X99")
    assert crashed.status == "error"
    assert "X99" in crashed.message and "division par zéro" in crashed.message
    assert crashed.action and "main" in crashed.action
    assert [f.check for f in outcome.findings if f.check != "X99"] == [
        f.check for f in run_checks(rules(), facts(), ctx()).findings
    ]


def test_a_crashing_eligibility_check_makes_the_verdict_review() -> None:
    @check("E03", "Dépôt dans les délais")
    def broken(rules: CallRules, facts: DossierFacts, ctx: CheckContext) -> Verdict:
        raise RuntimeError("boom")

    checks = tuple(broken if c.CODE == "E03" else c for c in CHECKS)
    outcome = run_checks(rules(), facts(), ctx(), checks=checks)
    assert next(f for f in outcome.findings if f.check == "E03").status == "error"
    assert outcome.summary.eligible == "review"


# --------------------------------------------------------------------------- messages


def test_findings_speak_french_and_act_only_when_needed() -> None:
    bad = facts(siret="21420223600012", requested_aid_eur=36000, departement_code="69",
                commitments=SIGNED_QUOTE, signed=False)  # fmt: skip
    outcome = run_checks(rules(min_aid_eur=1000), bad, ctx("formulaire"))
    for finding in outcome.findings:
        assert finding.message and not re.search(r"\bNone\b|Decimal\(", finding.message)
        if finding.status in ("fail", "missing", "review"):
            assert finding.action, finding.check
        else:
            assert finding.action is None, finding.check


# --------------------------------------------------------------------------- fixtures smoke


def _fixture_cases() -> list[Path]:
    return sorted((ROOT / "fixtures" / "dossiers").glob("*/*/expected.json"))


@pytest.mark.parametrize(
    "expected", _fixture_cases(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}"
)
def test_checks_run_on_every_fixture_without_error(expected: Path) -> None:
    case = json.loads(expected.read_text(encoding="utf-8"))
    call = json.loads((ROOT / "fixtures" / "calls" / case["call"] / "expected.json").read_text())
    call_rules = CallRules.model_validate({"call_id": call["call_id"], **call["fields"]})
    dossier = DossierFacts.model_validate(case["facts"])
    documents = [
        DocumentEntry(
            name=d["name"], sha256="0" * 64, piece=d["piece"], pages=d.get("pages"),
            error="illisible" if d.get("error") else None,
        )
        for d in case["documents"]
    ]  # fmt: skip
    received = case.get("received_on")
    context = CheckContext(
        today=TODAY,
        documents=documents,
        received_on=date.fromisoformat(received) if received else None,
    )
    outcome = run_checks(call_rules, dossier, context)
    assert [f for f in outcome.findings if f.status == "error"] == []
    assert outcome.computation is not None
    assert outcome.warnings == []
    if case["case"] == "complet-eligible":
        assert outcome.summary.eligible == "yes" and outcome.summary.complete
        assert outcome.summary.proposed_aid_eur is not None
    if case["case"] == "pieces-manquantes":
        assert not outcome.summary.complete and outcome.summary.missing_pieces
    if case["case"] in ("beneficiaire-non-eligible", "projet-commence", "hors-territoire"):
        assert outcome.summary.eligible == "no"
