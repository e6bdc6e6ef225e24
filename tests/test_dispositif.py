"""Export of call rules as a row of the etalab schéma dispositif-aide (pipeline.dispositif)."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline import dispositif, vocab
from pipeline.models import CallRules

UPDATED = datetime(2025, 1, 2, 10, 30, tzinfo=UTC)

# The 15 columns of the core schema v0.2.0, in its order (etalab/schema-dispositif-aide,
# build/schemas/dispositif-aide.json).
EXPECTED_COLUMNS = (
    "id",
    "titre",
    "promesse",
    "description",
    "eligibilite",
    "types_aides",
    "porteurs",
    "programmes_parents",
    "url_source",
    "cibles",
    "eligibilite_geographique",
    "eligibilite_geographique_exclusions",
    "date_ouverture",
    "date_cloture",
    "date_mise_a_jour",
)


def complete_rules(**overrides: Any) -> CallRules:
    """A call whose every field is known (bare values are read as manual values)."""
    data: dict[str, Any] = {
        "call_id": "loire-connect-2023",
        "title": "Appel à partenariat 2023 « Loire Connect »",
        "funder": "Département de la Loire",
        "programme": "Plan numérique départemental",
        "territory": {"level": "departement", "name": "Loire", "code": "42"},
        "opens_on": "2023-04-03",
        "closes_at": "2023-07-28T23:59:59+02:00",
        "deadlines": ["2023-05-15T12:00:00+02:00", "2023-07-28T23:59:59+02:00"],
        "envelope_eur": 500000,
        "max_aid_eur": 25000,
        "min_aid_eur": 5000,
        "aid_rates": [
            {"max_rate": 0.8, "beneficiaries": ["commune", "ccas"], "basis": "ht"},
            {"max_rate": 0.5},
        ],
        "min_eligible_cost_eur": 10000,
        "max_public_aid_rate": 0.8,
        "indirect_costs_rate": 0.15,
        "eligible_beneficiaries": ["commune", "ccas", "association", "pme"],
        "expense_types": ["investissement"],
        "eligible_expenses": ["materiel", "logiciel"],
        "ineligible_expenses": ["personnel"],
        "required_pieces": ["formulaire", "rib"],
        "themes": ["Territoire intelligent", "Numérique responsable"],
        "selection_criteria": ["Mutualisation entre communes"],
        "contacts": [{"name": "Aurore Testard", "email": "aurore.testard@loire.fr"}],
        "submission_url": "https://subventions.loire.fr",
    }
    data.update(overrides)
    return CallRules.model_validate(data)


# --------------------------------------------------------------------------- schema


def test_schema_file_is_the_v0_2_0_core_schema() -> None:
    assert dispositif.schema_version() == "v0.2.0"
    assert dispositif.columns() == EXPECTED_COLUMNS
    assert "etalab/schema-dispositif-aide" in dispositif.schema()["path"]


def test_every_beneficiary_code_maps_onto_an_allowed_cible() -> None:
    allowed = {"professionnels", "particuliers", "associations", "secteur public"}
    assert set(dispositif.BENEFICIARY_TO_ETALAB) == set(vocab.BENEFICIARIES)
    assert set(dispositif.BENEFICIARY_TO_ETALAB.values()) <= allowed


# --------------------------------------------------------------------------- to_row


def test_complete_rules_give_every_column_in_order_and_a_valid_row() -> None:
    row = dispositif.to_row(complete_rules(), updated_at=UPDATED)

    assert tuple(row) == EXPECTED_COLUMNS
    assert all(isinstance(value, str) for value in row.values())
    assert dispositif.validate_row(row) == []


def test_complete_rules_values_are_formatted_as_the_schema_asks() -> None:
    row = dispositif.to_row(complete_rules(), updated_at=UPDATED)

    assert uuid.UUID(row["id"]).version == 5
    assert row["titre"] == "Appel à partenariat 2023 « Loire Connect »"
    assert row["promesse"] == ""
    assert row["types_aides"] == "financement"
    assert row["porteurs"] == "[{ nom: 'Département de la Loire', roles: [ 'financeur' ]}]"
    assert row["programmes_parents"] == "Plan numérique départemental"
    assert row["url_source"] == "https://subventions.loire.fr"
    assert row["cibles"] == "professionnels|associations|secteur public"
    assert row["eligibilite_geographique"] == "DEP-42"
    assert row["eligibilite_geographique_exclusions"] == ""
    assert row["date_ouverture"] == "2023-04-03T00:00:00+02:00"
    assert row["date_cloture"] == "2023-07-28T23:59:59+02:00"
    assert row["date_mise_a_jour"] == "2025-01-02T10:30:00Z"


def test_description_carries_amounts_rates_calendar_and_contacts() -> None:
    description = dispositif.to_row(complete_rules(), updated_at=UPDATED)["description"]

    assert description.splitlines() == [
        "Financeur : Département de la Loire.",
        "Programme : Plan numérique départemental.",
        "Thématiques : Territoire intelligent ; Numérique responsable.",
        "Enveloppe totale : 500 000 €.",
        "Aide maximale par projet : 25 000 €.",
        "Aide minimale par projet : 5 000 €.",
        "Taux d'aide maximal pour Commune, CCAS / CIAS : 80 % (dépenses HT).",
        "Taux d'aide maximal pour les autres bénéficiaires : 50 %.",
        "Taux maximal d'aides publiques cumulées : 80 %.",
        "Coûts indirects : forfait de 15 % des coûts directs éligibles.",
        "Dates limites de dépôt : 15/05/2023 à 12h00, 28/07/2023 à 23h59.",
        "Critères de sélection : Mutualisation entre communes.",
        "Contact : Aurore Testard, aurore.testard@loire.fr.",
    ]


def test_eligibility_is_a_bullet_list_of_criteria() -> None:
    eligibility = dispositif.to_row(complete_rules(), updated_at=UPDATED)["eligibilite"]

    assert eligibility.splitlines() == [
        "• Bénéficiaires éligibles : Commune ; CCAS / CIAS ; Association ; PME",
        "• Territoire : Loire (département, 42)",
        "• Dépenses d'investissement uniquement",
        "• Dépenses éligibles : Matériel, équipements ; Logiciels",
        "• Dépenses non éligibles : Dépenses de personnel",
        "• Coût éligible minimal du projet : 10 000 €",
    ]


def test_both_expense_types() -> None:
    rules = complete_rules(expense_types=["fonctionnement", "investissement"])
    eligibility = dispositif.to_row(rules, updated_at=UPDATED)["eligibilite"]
    assert "• Dépenses d'investissement et de fonctionnement" in eligibility.splitlines()
    rules = complete_rules(expense_types=["fonctionnement"])
    eligibility = dispositif.to_row(rules, updated_at=UPDATED)["eligibilite"]
    assert "• Dépenses de fonctionnement uniquement" in eligibility.splitlines()


def test_null_fields_stay_empty() -> None:
    row = dispositif.to_row(CallRules.model_validate({"call_id": "x"}), updated_at=UPDATED)

    assert tuple(row) == EXPECTED_COLUMNS
    filled = {name for name, value in row.items() if value}
    assert filled == {"id", "date_mise_a_jour"}


def test_null_fields_are_reported_as_missing_required_columns() -> None:
    row = dispositif.to_row(CallRules.model_validate({"call_id": "x"}), updated_at=UPDATED)

    assert dispositif.validate_row(row) == [
        f"Colonne « {name} » : valeur obligatoire manquante."
        for name in (
            "titre",
            "description",
            "eligibilite",
            "types_aides",
            "porteurs",
            "cibles",
            "eligibilite_geographique",
        )
    ]


def test_types_aides_only_when_the_rules_hold_money() -> None:
    rules = CallRules.model_validate(
        {"call_id": "x", "title": "Appel", "aid_rates": [{"max_rate": 0.5}]}
    )
    assert dispositif.to_row(rules, updated_at=UPDATED)["types_aides"] == "financement"
    rules = CallRules.model_validate({"call_id": "x", "title": "Appel"})
    assert dispositif.to_row(rules, updated_at=UPDATED)["types_aides"] == ""


def test_id_is_stable_and_a_uuid_call_id_is_kept() -> None:
    first = dispositif.to_row(complete_rules(), updated_at=UPDATED)["id"]
    again = dispositif.to_row(complete_rules(), updated_at=UPDATED)["id"]
    other = dispositif.to_row(complete_rules(call_id="autre-appel"), updated_at=UPDATED)["id"]
    assert first == again != other

    given = "65d5b6c7-102c-4440-ac3b-768f708edc0a"
    assert dispositif.to_row(complete_rules(call_id=given), updated_at=UPDATED)["id"] == given


def test_default_update_date_is_now_and_valid() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    row = dispositif.to_row(complete_rules())
    stamped = datetime.fromisoformat(row["date_mise_a_jour"])
    assert stamped >= before
    assert dispositif.validate_row(row) == []


@pytest.mark.parametrize(
    ("territory", "expected"),
    [
        ({"level": "national", "name": "France"}, "PAYS-99100"),
        ({"level": "region", "name": "Pays de la Loire", "code": "52"}, "REG-52"),
        ({"level": "region", "name": "Pays de la Loire"}, "REG-52"),  # code looked up
        ({"level": "departement", "name": "Loire-Atlantique"}, "DEP-44"),
        ({"level": "commune", "name": "Nantes", "code": "44109"}, "COM-44109"),
        ({"level": "epci", "name": "Nantes Métropole", "code": "244400404"}, "EPCI-244400404"),
        ({"level": "commune", "name": "Nantes"}, ""),  # no code, nothing guessed
    ],
)
def test_territory_as_cog_codes(territory: dict[str, str], expected: str) -> None:
    row = dispositif.to_row(complete_rules(territory=territory), updated_at=UPDATED)
    assert row["eligibilite_geographique"] == expected


def test_cibles_are_deduplicated_in_schema_order() -> None:
    codes = ["particulier", "commune", "epci", "entreprise", "agriculteur", "association"]
    assert dispositif.cibles(codes) == [
        "professionnels",
        "particuliers",
        "associations",
        "secteur public",
    ]
    assert dispositif.cibles([]) == []


def test_dates_naive_utc_and_opening_day() -> None:
    rules = complete_rules(opens_on="2024-01-15", closes_at="2024-03-01T12:00:00")
    row = dispositif.to_row(rules, updated_at=UPDATED)
    assert row["date_ouverture"] == "2024-01-15T00:00:00+01:00"  # winter time
    assert row["date_cloture"] == "2024-03-01T12:00:00+01:00"  # naive read as Paris time

    rules = complete_rules(closes_at=datetime(2024, 3, 1, 11, 0, tzinfo=UTC))
    assert dispositif.to_row(rules, updated_at=UPDATED)["date_cloture"] == "2024-03-01T11:00:00Z"


def test_funder_name_is_quoted_for_the_porteurs_notation() -> None:
    rules = complete_rules(funder="Région Provence-Alpes-Côte d'Azur")
    porteurs = dispositif.to_row(rules, updated_at=UPDATED)["porteurs"]
    assert porteurs == "[{ nom: 'Région Provence-Alpes-Côte d\\'Azur', roles: [ 'financeur' ]}]"


def test_non_http_submission_url_is_left_out() -> None:
    rules = complete_rules(submission_url="subventions.loire.fr")
    assert dispositif.to_row(rules, updated_at=UPDATED)["url_source"] == ""


def test_long_description_is_cut_to_the_schema_limit() -> None:
    rules = complete_rules(selection_criteria=["Critère très détaillé " * 20] * 30)
    row = dispositif.to_row(rules, updated_at=UPDATED)
    assert len(row["description"]) == 5000
    assert row["description"].endswith("…")
    assert dispositif.validate_row(row) == []


# --------------------------------------------------------------------------- validation


def test_broken_row_errors_name_their_column() -> None:
    row = dispositif.to_row(complete_rules(), updated_at=UPDATED)
    row.update(
        {
            "id": "loire-connect-2023",
            "titre": "",
            "promesse": "x" * 181,
            "url_source": "www.loire.fr",
            "cibles": "secteur public|collectivités",
            "eligibilite_geographique": "Loire",
            "date_cloture": "28/07/2023",
        }
    )
    del row["eligibilite_geographique_exclusions"]
    row["montant"] = "25000"

    errors = dispositif.validate_row(row)

    assert errors == [
        "Colonne « eligibilite_geographique_exclusions » absente.",
        "Colonne « montant » inconnue du schéma dispositif-aide v0.2.0.",
        "Colonne « id » : « loire-connect-2023 » n'est pas un identifiant UUID valide.",
        "Colonne « titre » : valeur obligatoire manquante.",
        "Colonne « promesse » : 181 caractères, 180 au plus.",
        "Colonne « url_source » : « www.loire.fr » n'est pas une URL valide (http:// ou https://).",
        "Colonne « cibles » : valeur(s) non autorisée(s) « collectivités » (valeurs possibles : "
        "professionnels, particuliers, associations, secteur public, séparées par « | »).",
        "Colonne « eligibilite_geographique » : « Loire » ne respecte pas le format attendu "
        "(codes COG séparés par « | », ex. REG-84|DEP-01|COM-83141).",
        "Colonne « date_cloture » : « 28/07/2023 » n'est pas une date et heure ISO 8601 "
        "(ex. 2025-10-15T15:00:00Z ou 2025-10-15T15:00:00+02:00).",
    ]


def test_wrong_separator_in_cibles_is_reported() -> None:
    row = dispositif.to_row(complete_rules(), updated_at=UPDATED)
    row["cibles"] = "associations,secteur public"
    assert dispositif.validate_row(row) == [
        "Colonne « cibles » : valeur(s) non autorisée(s) « associations,secteur public » "
        "(valeurs possibles : professionnels, particuliers, associations, secteur public, "
        "séparées par « | »)."
    ]


def test_non_text_value_is_reported() -> None:
    row: dict[str, object] = dict(dispositif.to_row(complete_rules(), updated_at=UPDATED))
    row["titre"] = 42
    assert dispositif.validate_row(row) == [
        "Colonne « titre » : valeur de type int au lieu d'un texte."
    ]


def test_validate_rows_checks_unique_ids() -> None:
    row = dispositif.to_row(complete_rules(), updated_at=UPDATED)
    other = dispositif.to_row(complete_rules(call_id="autre"), updated_at=UPDATED)
    assert dispositif.validate_rows([row, other]) == []
    assert dispositif.validate_rows([row, other, row]) == [
        f"Ligne 3 : colonne « id » : valeur « {row['id']} » déjà utilisée ligne 1 "
        "(valeur unique exigée)."
    ]


# --------------------------------------------------------------------------- CSV


def test_csv_round_trips_with_dictreader(tmp_path: Path) -> None:
    rows = [
        dispositif.to_row(complete_rules(), updated_at=UPDATED),
        dispositif.to_row(CallRules.model_validate({"call_id": "vide"}), updated_at=UPDATED),
    ]
    path = dispositif.write_csv(rows, tmp_path / "dispositifs.csv")

    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    assert raw.decode("utf-8").splitlines()[0] == ",".join(EXPECTED_COLUMNS)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == EXPECTED_COLUMNS
        read = list(reader)
    assert read == rows
    assert "\n" in read[0]["eligibilite"]  # multi-line cells survive
    assert [p.name for p in tmp_path.iterdir()] == ["dispositifs.csv"]


def test_csv_write_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "dispositifs.csv"
    dispositif.write_csv([dispositif.to_row(complete_rules(), updated_at=UPDATED)], path)
    before = path.read_bytes()

    bad = dict(dispositif.to_row(complete_rules(), updated_at=UPDATED), montant="25000")
    with pytest.raises(ValueError, match="montant"):
        dispositif.write_csv([bad], path)

    assert path.read_bytes() == before  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["dispositifs.csv"]  # no temp file left


def test_csv_with_no_rows_has_the_header_only(tmp_path: Path) -> None:
    path = dispositif.write_csv([], tmp_path / "vide.csv")
    assert path.read_text(encoding="utf-8") == ",".join(EXPECTED_COLUMNS) + "\n"


def test_opening_date_alone_is_a_date_time() -> None:
    rules = complete_rules(opens_on=date(2023, 12, 1))
    assert dispositif.to_row(rules, updated_at=UPDATED)["date_ouverture"] == (
        "2023-12-01T00:00:00+01:00"
    )
