"""Unit tests of the call extractors on short, realistic notice excerpts: each trap a
real notice sets (context figures, per-group caps, deadlines without a year…)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractors.call import extract_call
from pipeline.documents import read_document
from pipeline.models import CallRules

pytestmark = pytest.mark.slow  # spaCy


def rules_of(tmp_path: Path, text: str, name: str = "avis.txt") -> CallRules:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract_call(read_document(path))


def docx_notice(tmp_path: Path, title: str, intro: str, rows: list[tuple[str, ...]]) -> Path:
    """A DOCX notice: a Title, one paragraph, and a table whose first row is its header."""
    from docx import Document as new_docx

    doc = new_docx()
    doc.add_heading(title, level=0)
    doc.add_paragraph(intro)
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    path = tmp_path / "avis.docx"
    doc.save(str(path))
    return path


def test_envelope_cap_floor_and_min_cost_are_told_apart(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Fonds départemental pour l'inclusion numérique 2024\n\n"
        "Le Département du Gers consacre à ce fonds une enveloppe de 300 000 €. "
        "L'aide est plafonnée à 20 000 € par projet. Aucune aide inférieure à 3 000 € ne sera "
        "versée. Les projets doivent présenter une dépense subventionnable minimale de 8 000 € HT.\n\n"
        "L'édition 2023 a soutenu 42 projets pour un total de 1,2 M€. "
        "Le plan France Relance a mobilisé 250 millions d'euros pour l'inclusion numérique.\n",
    )
    assert rules.envelope_eur.value == Decimal(300000)
    assert rules.max_aid_eur.value == Decimal(20000)
    assert rules.min_aid_eur.value == Decimal(3000)
    assert rules.min_eligible_cost_eur.value == Decimal(8000)
    assert "20 000 €" in rules.max_aid_eur.evidence[0].quote
    assert rules.funder.value == "Département du Gers"
    assert rules.territory.value is not None and rules.territory.value.code == "32"


def test_conflicting_caps_leave_null_with_a_warning(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Villages numériques\n\n"
        "La subvention est plafonnée à 30 000 € par projet.\n\n"
        "Le montant de l'aide ne pourra excéder 25 000 €.\n",
    )
    assert rules.max_aid_eur.value is None
    assert any("plusieurs montants" in w for w in rules.warnings)


def test_rates_and_caps_by_beneficiary_group(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Tiers-lieux 2024\n\n"
        "Taux d'intervention :\n"
        "- communes et EPCI : 50 % des dépenses éligibles dans la limite de 100 000 € ;\n"
        "- associations : 70 % des dépenses éligibles dans la limite de 40 000 €.\n",
    )
    rates = rules.aid_rates.value
    assert rates is not None
    by_rate = {r.max_rate: r for r in rates}
    assert set(by_rate[Decimal("0.5")].beneficiaries or []) == {"commune", "epci"}
    assert by_rate[Decimal("0.5")].max_aid_eur == Decimal(100000)
    assert by_rate[Decimal("0.7")].beneficiaries == ["association"]
    assert by_rate[Decimal("0.7")].max_aid_eur == Decimal(40000)
    # Caps differ by group: no single cap per project.
    assert rules.max_aid_eur.value is None


def test_public_ceiling_and_indirect_costs_are_not_aid_rates(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Fiche action FEDER — Services numériques\n\n"
        "Taux maximal d'intervention FEDER : 60 %\n"
        "Le cumul des aides publiques ne peut excéder 80 %.\n"
        "Un forfait de 7 % de coûts indirects est appliqué aux dépenses directes.\n",
    )
    assert [r.max_rate for r in rules.aid_rates.value or []] == [Decimal("0.6")]
    assert rules.max_public_aid_rate.value == Decimal("0.8")
    assert rules.indirect_costs_rate.value == Decimal("0.07")
    assert rules.programme.value == "FEDER"


def test_two_deposit_waves(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Tiers-lieux 2024\n\n"
        "Calendrier :\n"
        "- 1re vague : dépôt des dossiers avant le 15 mars 2024 à 12h ;\n"
        "- 2nde vague : dépôt des dossiers avant le 30 septembre 2024 à minuit.\n"
        "- Comité de sélection : le 15 novembre 2024.\n",
    )
    assert [d.isoformat() for d in rules.deadlines.value or []] == [
        "2024-03-15T12:00:00+01:00",
        "2024-09-30T23:59:59+02:00",
    ]
    assert rules.closes_at.value is not None
    assert rules.closes_at.value.isoformat() == "2024-09-30T23:59:59+02:00"


def test_a_day_without_year_stays_unknown(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "La Région Bretagne ouvre un appel à projets Numérique solidaire, du 10 juillet au "
        "15 septembre. Les associations peuvent se porter candidates.\n",
    )
    assert rules.closes_at.value is None
    assert rules.opens_on.value is None
    assert any("sans année" in w for w in rules.warnings)
    assert rules.eligible_beneficiaries.value == ["association"]


def test_overseas_deadline_keeps_its_zone(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Guadeloupe numérique 2024\n\n"
        "Les dossiers de candidature doivent être déposés jusqu'au 4 octobre 2024 - 12 heures "
        "(heure de la Guadeloupe).\n",
    )
    assert rules.closes_at.value is not None
    assert rules.closes_at.value.isoformat() == "2024-10-04T12:00:00-04:00"


def test_beneficiary_families_expand_to_codes(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Bénéficiaires éligibles\n\n"
        "Collectivités territoriales ainsi que leurs établissements publics et leurs groupements, "
        "associations, GIP. Les particuliers ne sont pas éligibles.\n",
    )
    assert set(rules.eligible_beneficiaries.value or []) == {
        "commune",
        "departement",
        "region",
        "ccas",
        "etablissement_public",
        "epci",
        "syndicat",
        "association",
        "gip",
    }


def test_required_pieces_and_mandatory_notes(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Écoles numériques 2025\n\n"
        "Pièces à joindre au dossier :\n"
        "- la délibération de l'organe délibérant approuvant le projet ;\n"
        "- le plan de financement prévisionnel ;\n"
        "- un relevé d'identité bancaire ;\n"
        "- les devis des fournisseurs.\n\n"
        "Le porteur devra préciser dans une note sa démarche pour un numérique responsable.\n",
    )
    assert set(rules.required_pieces.value or []) == {
        "deliberation",
        "plan_financement",
        "rib",
        "devis",
        "note_numerique_responsable",
    }


def test_contacts_and_submission_url(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Modalités de réponse :\n\n"
        "Les candidatures sont déposées sur la plateforme https://subventions.exemple.fr/aap.\n\n"
        "Contact :\n"
        "Claire MARTIN, chargée de mission\n"
        "Mail : claire.martin@exemple.fr Tél : 01.23.45.67.89\n",
    )
    assert rules.submission_url.value == "https://subventions.exemple.fr/aap"
    contacts = rules.contacts.value or []
    assert len(contacts) == 1
    assert contacts[0].name == "Claire MARTIN"
    assert contacts[0].email == "claire.martin@exemple.fr"
    assert contacts[0].phone == "01 23 45 67 89"


def test_every_value_quotes_its_document(tmp_path: Path) -> None:
    path = Path(__file__).resolve().parents[1] / "fixtures/calls/loire-connect-2023/notice.txt"
    doc = read_document(path)
    rules = extract_call(doc)
    for name in CallRules.field_names():
        field = getattr(rules, name)
        for ev in field.evidence:
            assert ev.start is not None and ev.end is not None
            assert doc.text[ev.start : ev.end] == ev.quote, name
            assert ev.page == 1


def test_aid_bracket_gives_floor_and_cap_and_opening(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Commerces connectés 2024\n\n"
        "La Région Normandie accorde une subvention comprise entre 5 000 € et 50 000 € par projet.\n"
        "Le taux d'aide est de 40 % du coût HT du projet.\n"
        "Date limite de dépôt des dossiers : 15/09/2024.\n"
        "L'appel à projets est ouvert à compter du 1er juin 2024.\n",
    )
    assert rules.min_aid_eur.value == Decimal(5000)
    assert rules.max_aid_eur.value == Decimal(50000)
    assert [(r.max_rate, r.basis) for r in rules.aid_rates.value or []] == [(Decimal("0.4"), "ht")]
    assert rules.closes_at.value is not None
    assert rules.closes_at.value.isoformat() == "2024-09-15T23:59:59+02:00"
    assert rules.opens_on.value is not None and rules.opens_on.value.isoformat() == "2024-06-01"
    assert rules.territory.value is not None and rules.territory.value.code == "28"


def test_cap_of_the_eligible_base_is_not_a_cap_of_aid(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets DETR 2025\n\n"
        "Le taux de subvention est compris entre 20 % et 50 % du montant hors taxes de la "
        "dépense subventionnable.\n\n"
        "Le montant de la dépense subventionnable ne peut être inférieur à 5 000 € HT. "
        "Il est plafonné à 600 000 € HT par opération.\n",
    )
    assert rules.max_aid_eur.value is None
    assert rules.min_eligible_cost_eur.value == Decimal(5000)
    assert rules.min_aid_eur.value is None
    # A range of rates: the maximum rate is its upper bound.
    assert [r.max_rate for r in rules.aid_rates.value or []] == [Decimal("0.5")]


def test_flat_rate_grant_is_kept_as_the_cap_with_a_warning(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Parents connectés 2025\n\n"
        "Subvention forfaitaire de 3 000 € par projet retenu.\nEnveloppe totale : 45 000 €.\n",
    )
    assert rules.max_aid_eur.value == Decimal(3000)
    assert rules.envelope_eur.value == Decimal(45000)
    assert any("forfaitaire" in w for w in rules.warnings)


def test_national_agency_funder(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Mobilités rurales 2025\n\n"
        "L'ADEME lance un appel à projets pour soutenir les mobilités dans les territoires "
        "peu denses.\n",
    )
    assert rules.funder.value == "ADEME"
    assert rules.territory.value is not None and rules.territory.value.level == "national"


def test_rates_table_is_read_with_its_headers(tmp_path: Path) -> None:
    path = docx_notice(
        tmp_path,
        "Appel à projets Territoires intelligents 2025",
        "La Région Normandie soutient les projets de territoires intelligents.",
        [
            ("Bénéficiaires", "Taux maximum d'aide", "Plafond d'aide"),
            ("Communes et EPCI", "50 %", "500 000 €"),
            ("Associations", "70 %", "150 000 €"),
        ],
    )
    rules = extract_call(read_document(path))
    rates = {r.max_rate: r for r in rules.aid_rates.value or []}
    assert set(rates[Decimal("0.5")].beneficiaries or []) == {"commune", "epci"}
    assert rates[Decimal("0.5")].max_aid_eur == Decimal(500000)
    assert rates[Decimal("0.7")].beneficiaries == ["association"]
    assert rates[Decimal("0.7")].max_aid_eur == Decimal(150000)
    assert "50 %" in rules.aid_rates.evidence[0].quote or any(
        "50 %" in e.quote for e in rules.aid_rates.evidence
    )


def test_particular_is_not_a_private_individual(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Bénéficiaires éligibles\n\n"
        "Les communes, en particulier celles de moins de 2 000 habitants, et les "
        "collectivités à statut particulier peuvent se porter candidates.\n",
    )
    assert "particulier" not in (rules.eligible_beneficiaries.value or [])
    assert "commune" in (rules.eligible_beneficiaries.value or [])


def test_population_thresholds_do_not_hide_a_rate(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Écoles numériques 2025\n\n"
        "Le taux d'intervention est de 40 % pour les communes de moins de 3 500 habitants et "
        "de 30 % pour les autres porteurs.\n",
    )
    rates = {r.max_rate: r for r in rules.aid_rates.value or []}
    assert rates[Decimal("0.4")].beneficiaries == ["commune"]
    assert rates[Decimal("0.3")].beneficiaries is None


def test_a_range_across_the_new_year(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Hiver numérique 2024\n\n"
        "Les candidatures sont reçues du 15 novembre au 15 janvier.\n",
    )
    assert rules.opens_on.value is not None and rules.opens_on.value.isoformat() == "2024-11-15"
    assert rules.closes_at.value is not None
    assert rules.closes_at.value.isoformat() == "2025-01-15T23:59:59+01:00"


def test_completion_dates_are_not_deadlines(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets DETR 2025\n\n"
        "Les dossiers doivent être déposés au plus tard le 31 janvier 2025 à minuit. "
        "Les dossiers incomplets devront être complétés avant le 28 février 2025. "
        "Les dépenses sont éligibles jusqu'au 31 décembre 2028.\n",
    )
    assert [d.isoformat() for d in rules.deadlines.value or []] == ["2025-01-31T23:59:59+01:00"]


def test_a_pronoun_speaks_of_the_previous_sentence_subject(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "Appel à projets Médiation numérique 2025\n\n"
        "L'aide du Département est plafonnée à 50 000 € par projet. "
        "Elle ne pourra être inférieure à 5 000 €.\n",
    )
    assert rules.max_aid_eur.value == Decimal(50000)
    assert rules.min_aid_eur.value == Decimal(5000)
    assert rules.min_eligible_cost_eur.value is None


def test_generic_title_gets_a_distinct_id_and_unclear_brackets_stay_empty(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        "APPEL À PROJETS 2025\n\n"
        "La Région Bretagne accorde une subvention comprise entre 20 et 50 000 euros.\n",
    )
    assert rules.call_id == "appel-a-projets-2025-region-bretagne"
    assert rules.min_aid_eur.value is None


def test_rates_table_by_category_with_a_cap_of_the_base(tmp_path: Path) -> None:
    path = docx_notice(
        tmp_path,
        "Appel à projets DETR 2025",
        "La préfecture de la Haute-Loire attribue la DETR aux communes.",
        [
            ("Catégorie d'opération", "Taux maximum", "Plafond de dépense subventionnable"),
            ("Bâtiments scolaires", "40 %", "800 000 € HT"),
            ("Voirie communale", "30 %", "300 000 € HT"),
        ],
    )
    rules = extract_call(read_document(path))
    rates = {r.max_rate: r for r in rules.aid_rates.value or []}
    assert rates[Decimal("0.4")].scope == "Bâtiments scolaires"
    assert rates[Decimal("0.4")].max_aid_eur is None  # a cap of the base, not of the aid
    assert rates[Decimal("0.3")].scope == "Voirie communale"
