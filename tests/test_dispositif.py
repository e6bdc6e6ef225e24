"""Export of call rules as a row of the etalab schéma dispositif-aide (pipeline.dispositif),
in its 2022 layout 0.0.2 (the default, named by DESIGN §3) and its current layout 0.2.0."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pipeline import dispositif, vocab
from pipeline.files import OutputError
from pipeline.models import CallRules

UPDATED = datetime(2025, 1, 2, 10, 30, tzinfo=UTC)
V002 = "0.0.2"
V020 = "0.2.0"

# The 28 columns of schema 0.0.2, in its order (datagouv/schema.data.gouv.fr,
# site/.vuepress/public/schemas/etalab/schema-dispositif-aide/0.0.2/schema.json).
COLUMNS_002 = (
    "id_aide",
    "nom_aide",
    "nom_aide_normalise",
    "programme_aides",
    "porteur_aide",
    "porteur_siren",
    "instructeurs_aide",
    "beneficiaires_aide",
    "types_aides",
    "taux_subvention_minimum",
    "taux_subvention_maximum",
    "taux_subvention_commentaire",
    "aap_ami",
    "description",
    "exemple_projet",
    "thematique_aide",
    "recurrence_aide",
    "date_ouverture",
    "date_pre_depot",
    "date_cloture",
    "condition_eligibilite",
    "etat_avancement_projet",
    "type_depense",
    "zone_geographique",
    "url_descriptif",
    "url_demarche",
    "contact",
    "date_mise_a_jour",
)

# The eleven beneficiaries of 0.0.2, as its description and pattern spell them.
BENEFICIAIRES_002 = (
    "Communes",
    "EPCI à fiscalité propre",
    "Départements",
    "Régions",
    "Associations",
    "Particuliers",
    "Agriculteurs",
    "Entreprises privées",
    "Entreprises publiques locales (Sem, Spl, SemOp)",
    "Établissements publics - Services de l'État",
    "Recherche",
)

# Required in 0.0.2 but never stated by a call notice in a form we read: always empty.
NEVER_IN_RULES_002 = ("nom_aide_normalise", "porteur_siren", "recurrence_aide")

# The 15 columns of the core schema v0.2.0, in its order (etalab/schema-dispositif-aide,
# build/schemas/dispositif-aide.json).
COLUMNS_020 = (
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


def row002(rules: CallRules) -> dict[str, str]:
    return dispositif.to_row(rules, updated_at=UPDATED)


def empty_rules() -> CallRules:
    return CallRules.model_validate({"call_id": "x"})


# =========================================================================== both layouts


def test_default_layout_is_0_0_2_the_one_design_names() -> None:
    assert dispositif.DEFAULT_SCHEMA == V002
    assert dispositif.columns() == COLUMNS_002
    assert tuple(dispositif.to_row(complete_rules(), updated_at=UPDATED)) == COLUMNS_002
    # The columns DESIGN §3 lists are all there.
    named = [
        "id_aide",
        "nom_aide",
        "porteur_aide",
        "beneficiaires_aide",
        "types_aides",
        "taux_subvention_maximum",
        "date_ouverture",
        "date_cloture",
        "type_depense",
        "zone_geographique",
        "contact",
    ]
    assert set(named) <= set(dispositif.columns())


@pytest.mark.parametrize(("given", "columns"), [("0.0.2", COLUMNS_002), ("v0.2.0", COLUMNS_020)])
def test_schema_is_chosen_by_version(given: str, columns: tuple[str, ...]) -> None:
    assert dispositif.columns(given) == columns
    assert tuple(dispositif.to_row(complete_rules(), schema=given, updated_at=UPDATED)) == columns


def test_unknown_schema_version_is_refused_in_french() -> None:
    with pytest.raises(ValueError, match="Version du schéma dispositif-aide inconnue : « 1.0 »"):
        dispositif.to_row(complete_rules(), schema="1.0")
    with pytest.raises(ValueError, match="0.0.2, 0.2.0"):
        dispositif.columns("0.1.0")


@pytest.mark.parametrize("schema", [V002, V020])
def test_schema_files_name_their_source(schema: str) -> None:
    data = dispositif.schema(schema)
    assert "etalab/schema-dispositif-aide" in data["path"]
    assert data["x_note"]
    assert data["x_csv"] == {"delimiter": ",", "encoding": "utf-8", "header": True}


# =========================================================================== 0.0.2 (default)


# --------------------------------------------------------------------------- schema


def test_schema_0_0_2_file_is_the_published_one() -> None:
    data = dispositif.schema(V002)
    assert dispositif.schema_version(V002) == "0.0.2"
    assert "schema-dispositif-aide/0.0.2/schema.json" in data["path"]
    fields = {f["name"]: f for f in data["fields"]}
    required = {n for n, f in fields.items() if f.get("constraints", {}).get("required")}
    assert required == {
        "id_aide",
        "nom_aide_normalise",
        "porteur_aide",
        "porteur_siren",
        "beneficiaires_aide",
        "types_aides",
        "description",
        "thematique_aide",
        "recurrence_aide",
        "zone_geographique",
        "contact",
    }
    assert fields["taux_subvention_maximum"]["type"] == "number"
    assert fields["taux_subvention_maximum"]["constraints"] == {"minimum": 0, "maximum": 100}
    assert fields["date_cloture"] == fields["date_cloture"] | {"type": "date", "format": "%Y-%m-%d"}
    assert fields["recurrence_aide"]["constraints"]["enum"] == [
        "Permanente",
        "Ponctuelle",
        "Récurrente",
    ]
    assert fields["aap_ami"]["trueValues"] == ["Oui", "true"]


@pytest.mark.parametrize(
    "name", ["beneficiaires_aide", "types_aides", "etat_avancement_projet", "type_depense"]
)
def test_allowed_values_restate_the_schema_pattern(name: str) -> None:
    field = next(f for f in dispositif.schema(V002)["fields"] if f["name"] == name)
    alternatives = re.search(r"\((?!\?)(.*)\)\)\+\$$", field["constraints"]["pattern"])
    assert alternatives is not None
    listed = [re.sub(r"\\(.)", r"\1", a) for a in re.split(r"(?<!\\)\|", alternatives[1])]
    assert listed == field["x_allowed_values"]
    assert field["x_separator"] == ","


def test_every_beneficiary_code_has_a_002_entry_with_an_allowed_value() -> None:
    assert set(dispositif.BENEFICIARY_TO_ETALAB_002) == set(vocab.BENEFICIARIES)
    values = set(dispositif.BENEFICIARY_TO_ETALAB_002.values()) - {None}
    assert values <= set(BENEFICIAIRES_002)
    assert dispositif.BENEFICIARY_TO_ETALAB_002["organisme_professionnel"] is None


# --------------------------------------------------------------------------- to_row


def test_002_complete_rules_give_every_column_and_only_the_unknowable_are_missing() -> None:
    row = row002(complete_rules())

    assert tuple(row) == COLUMNS_002
    assert all(isinstance(value, str) for value in row.values())
    assert dispositif.validate_row(row) == [
        f"Colonne « {name} » : valeur obligatoire manquante." for name in NEVER_IN_RULES_002
    ]
    # Filled by hand (an instructeur's choice), the row is valid.
    row.update(
        nom_aide_normalise="Soutenir les projets numériques des communes de la Loire",
        porteur_siren="224200014",
        recurrence_aide="Ponctuelle",
    )
    assert dispositif.validate_row(row) == []


def test_002_values_are_mapped_and_formatted_as_the_schema_asks() -> None:
    row = row002(complete_rules())

    assert uuid.UUID(row["id_aide"]).version == 5
    assert row["id_aide"] == dispositif.to_row(complete_rules(), schema=V020)["id"]
    assert row["nom_aide"] == "Appel à partenariat 2023 « Loire Connect »"
    assert row["programme_aides"] == "Plan numérique départemental"
    assert row["porteur_aide"] == "Département de la Loire"
    assert row["beneficiaires_aide"] == (
        "Communes,Associations,Entreprises privées,Établissements publics - Services de l'État"
    )
    assert row["types_aides"] == "Subvention"
    assert row["taux_subvention_maximum"] == "80"
    assert row["taux_subvention_commentaire"] == (
        "Taux d'aide maximal pour Commune, CCAS / CIAS : 80 % (dépenses HT). "
        "Taux d'aide maximal pour les autres bénéficiaires : 50 %. "
        "Taux maximal d'aides publiques cumulées : 80 %."
    )
    assert row["thematique_aide"] == "Territoire intelligent;Numérique responsable"
    assert row["date_ouverture"] == "2023-04-03"
    assert row["date_cloture"] == "2023-07-28"
    assert row["type_depense"] == "Investissement"
    assert row["zone_geographique"] == "Loire"
    assert row["url_demarche"] == "https://subventions.loire.fr"
    assert row["contact"] == "Aurore Testard, aurore.testard@loire.fr"
    assert row["date_mise_a_jour"] == "2025-01-02"
    assert row["condition_eligibilite"].splitlines()[0] == (
        "• Bénéficiaires éligibles : Commune ; CCAS / CIAS ; Association ; PME"
    )
    assert "Enveloppe totale : 500 000 €." in row["description"].splitlines()
    for name in (*NEVER_IN_RULES_002, "instructeurs_aide", "taux_subvention_minimum"):
        assert row[name] == "", name
    for name in ("exemple_projet", "date_pre_depot", "etat_avancement_projet", "url_descriptif"):
        assert row[name] == "", name


def test_002_null_fields_stay_empty() -> None:
    row = row002(empty_rules())

    assert tuple(row) == COLUMNS_002
    assert {name for name, value in row.items() if value} == {"id_aide", "date_mise_a_jour"}
    assert dispositif.validate_row(row) == [
        f"Colonne « {name} » : valeur obligatoire manquante."
        for name in (
            "nom_aide_normalise",
            "porteur_aide",
            "porteur_siren",
            "beneficiaires_aide",
            "types_aides",
            "description",
            "thematique_aide",
            "recurrence_aide",
            "zone_geographique",
            "contact",
        )
    ]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["commune"], ["Communes"]),
        (["epci"], ["EPCI à fiscalité propre"]),
        (["departement", "region"], ["Départements", "Régions"]),
        (["syndicat", "ccas", "etat", "gip"], ["Établissements publics - Services de l'État"]),
        (["sem_spl"], ["Entreprises publiques locales (Sem, Spl, SemOp)"]),
        (["entreprise", "pme"], ["Entreprises privées"]),
        (
            ["recherche", "agriculteur", "particulier"],
            ["Particuliers", "Agriculteurs", "Recherche"],
        ),
        (["organisme_professionnel"], []),  # no counterpart: left out, not forced
        ([], []),
    ],
)
def test_beneficiaires_002_mapping(codes: list[str], expected: list[str]) -> None:
    assert dispositif.beneficiaires(codes) == expected


def test_beneficiaries_holding_a_comma_still_validate() -> None:
    rules = complete_rules(eligible_beneficiaries=["sem_spl", "commune", "pme"])
    row = row002(rules)
    assert row["beneficiaires_aide"] == (
        "Communes,Entreprises privées,Entreprises publiques locales (Sem, Spl, SemOp)"
    )
    assert "beneficiaires_aide" not in " ".join(dispositif.validate_row(row))


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([{"max_rate": 0.5}], "50"),
        ([{"max_rate": 0.5}, {"max_rate": 0.8, "beneficiaries": ["commune"]}], "80"),
        ([{"max_rate": 0.355}], "35.5"),
        ([{"max_rate": 1}], "100"),
        ([{"max_rate": 0}], "0"),
    ],
)
def test_taux_subvention_maximum_is_the_highest_rate_in_percent(
    rates: list[dict[str, Any]], expected: str
) -> None:
    row = row002(complete_rules(aid_rates=rates))
    assert row["taux_subvention_maximum"] == expected
    assert "taux_subvention_maximum" not in " ".join(dispositif.validate_row(row))


def test_rates_comment_only_when_it_says_more_than_the_number() -> None:
    plain = complete_rules(aid_rates=[{"max_rate": 0.5}], max_public_aid_rate=None)
    assert row002(plain)["taux_subvention_commentaire"] == ""
    capped = complete_rules(
        aid_rates=[{"max_rate": 0.5, "max_aid_eur": 20000, "scope": "Volet 1"}],
        max_public_aid_rate=None,
    )
    assert row002(capped)["taux_subvention_commentaire"] == (
        "Taux d'aide maximal : 50 % (plafond 20 000 €, Volet 1)."
    )
    ceiling_only = complete_rules(aid_rates=None, max_public_aid_rate=0.8)
    row = row002(ceiling_only)
    assert row["taux_subvention_maximum"] == ""  # a cumulated ceiling is not a rate of aid
    assert row["taux_subvention_commentaire"] == "Taux maximal d'aides publiques cumulées : 80 %."


@pytest.mark.parametrize(
    ("expense_types", "expected"),
    [
        (["investissement"], "Investissement"),
        (["fonctionnement"], "Fonctionnement"),
        (["investissement", "fonctionnement"], "Fonctionnement,Investissement"),
        (None, ""),
    ],
)
def test_type_depense(expense_types: list[str] | None, expected: str) -> None:
    assert row002(complete_rules(expense_types=expense_types))["type_depense"] == expected


@pytest.mark.parametrize(
    ("territory", "expected"),
    [
        ({"level": "departement", "name": "Tarn", "code": "81"}, "Tarn"),
        ({"level": "region", "name": "Pays de la Loire", "code": "52"}, "Pays de la Loire"),
        ({"level": "region", "name": "", "code": "52"}, "Pays de la Loire"),  # looked up
        ({"level": "departement", "name": " ", "code": "42"}, "Loire"),
        ({"level": "commune", "name": "Nantes", "code": "44109"}, "Nantes"),
        ({"level": "epci", "name": "Nantes Métropole"}, "Nantes Métropole"),
        ({"level": "national", "name": "France entière"}, "France entière"),
        ({"level": "national", "name": ""}, "France"),
        ({"level": "commune", "name": ""}, ""),  # nothing guessed
        (None, ""),
    ],
)
def test_zone_geographique_is_the_area_name(
    territory: dict[str, str] | None, expected: str
) -> None:
    assert row002(complete_rules(territory=territory))["zone_geographique"] == expected


def test_002_dates_are_days_in_the_zone_they_were_given_in() -> None:
    rules = complete_rules(
        opens_on="2024-01-15",
        closes_at="2024-03-01T23:59:59-04:00",  # heure de la Guadeloupe
        deadlines=["2024-03-01T23:59:59-04:00"],
    )
    row = dispositif.to_row(rules, updated_at=datetime(2025, 1, 1, 23, 30, tzinfo=UTC))
    assert row["date_ouverture"] == "2024-01-15"
    assert row["date_cloture"] == "2024-03-01"  # not the 2nd, as in Paris
    assert row["date_mise_a_jour"] == "2025-01-02"  # 00:30 in Paris
    assert "Date limite de dépôt : 01/03/2024 à 23h59 (UTC-04:00)." in row["description"]

    utc = complete_rules(closes_at=datetime(2024, 6, 30, 22, 30, tzinfo=UTC), deadlines=None)
    row = row002(utc)
    assert row["date_cloture"] == "2024-07-01"  # a UTC time is read in Paris time
    assert "Date limite de dépôt : 01/07/2024 à 00h30." in row["description"]


def test_002_description_keeps_the_closing_time_of_a_single_deadline() -> None:
    rules = complete_rules(deadlines=None)
    lines = row002(rules)["description"].splitlines()
    assert "Date limite de dépôt : 28/07/2023 à 23h59." in lines
    lines = row002(complete_rules())["description"].splitlines()
    assert "Dates limites de dépôt : 15/05/2023 à 12h00, 28/07/2023 à 23h59." in lines


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Appel à projets « Numérique inclusif » 2024", "Oui"),
        ("APPEL A MANIFESTATION D'INTERET – Tiers-lieux", "Oui"),
        ("AMI Territoires d’industrie", "Oui"),
        ("AAP FEDER 2024", "Oui"),
        ("Appel à partenariat 2023 « Loire Connect »", ""),
        ("Fonds de soutien aux communes", ""),
        (None, ""),
    ],
)
def test_aap_ami_only_when_the_title_says_so(title: str | None, expected: str) -> None:
    assert row002(complete_rules(title=title))["aap_ami"] == expected


def test_multi_valued_cells_keep_their_separator_meaning() -> None:
    rules = complete_rules(
        funder="Ministère de l'Intérieur, DGCL",
        programme="FEDER, axe 2",
        themes=["Numérique ; inclusion", "Culture"],
        contacts=[
            {"name": "Aurore Testard", "email": "a.t@loire.fr"},
            {"phone": "04 77 00 00 00"},
        ],
    )
    row = row002(rules)
    assert row["porteur_aide"] == "Ministère de l'Intérieur - DGCL"
    assert row["programme_aides"] == "FEDER - axe 2"
    assert row["thematique_aide"] == "Numérique - inclusion;Culture"
    assert row["contact"] == "Aurore Testard, a.t@loire.fr ; 04 77 00 00 00"


def test_002_types_aides_only_when_the_rules_hold_money() -> None:
    rules = CallRules.model_validate({"call_id": "x", "aid_rates": [{"max_rate": 0.5}]})
    assert row002(rules)["types_aides"] == "Subvention"
    assert row002(empty_rules())["types_aides"] == ""


def test_002_non_http_submission_url_is_left_out() -> None:
    assert row002(complete_rules(submission_url="subventions.loire.fr"))["url_demarche"] == ""


def test_002_default_update_date_is_today() -> None:
    row = dispositif.to_row(complete_rules())
    today = datetime.now(dispositif.PARIS).date()
    assert date.fromisoformat(row["date_mise_a_jour"]) in (today, today - timedelta(days=1))


# --------------------------------------------------------------------------- validation


def test_002_broken_row_errors_name_their_column() -> None:
    row = row002(complete_rules())
    row.update(
        {
            "nom_aide_normalise": "x" * 181,
            "porteur_siren": "22420001",
            "beneficiaires_aide": "Communes, Départements",
            "types_aides": "Subvention|Prêt",
            "taux_subvention_maximum": "80 %",
            "taux_subvention_minimum": "120",
            "aap_ami": "oui",
            "recurrence_aide": "Annuelle",
            "date_cloture": "2023-07-28T23:59:59+02:00",
            "type_depense": "Investissement,Personnel",
            "url_demarche": "www.loire.fr",
        }
    )
    del row["contact"]
    row["cibles"] = "secteur public"

    assert dispositif.validate_row(row) == [
        "Colonne « contact » absente.",
        "Colonne « cibles » inconnue du schéma dispositif-aide 0.0.2.",
        "Colonne « nom_aide_normalise » : 181 caractères, 180 au plus.",
        "Colonne « porteur_siren » : « 22420001 » ne respecte pas le format attendu "
        "(numéros SIREN de 9 caractères séparés par « , » sans espace, "
        "ex. 385290309,130025265).",
        "Colonne « beneficiaires_aide » : valeur(s) non autorisée(s) « Départements » "
        "(valeurs possibles : " + ", ".join(BENEFICIAIRES_002) + ", séparées par « , » "
        "sans espace).",
        "Colonne « types_aides » : valeur(s) non autorisée(s) « Subvention|Prêt » "
        "(valeurs possibles : Subvention, Prêt, Avance récupérable, Autre, Technique, "
        "Financière, Administrative, séparées par « , » sans espace).",
        "Colonne « taux_subvention_minimum » : 120 dépasse le maximum 100 (attendu : 0 à 100).",
        "Colonne « taux_subvention_maximum » : « 80 % » n'est pas un nombre "
        "(séparateur décimal « . »).",
        "Colonne « aap_ami » : « oui » n'est pas une valeur oui/non "
        "(valeurs possibles : Oui, true, Non, false).",
        "Colonne « recurrence_aide » : valeur(s) non autorisée(s) « Annuelle » "
        "(valeurs possibles : Permanente, Ponctuelle, Récurrente).",
        "Colonne « date_cloture » : « 2023-07-28T23:59:59+02:00 » n'est pas une date "
        "au format AAAA-MM-JJ.",
        "Colonne « type_depense » : valeur(s) non autorisée(s) « Personnel » "
        "(valeurs possibles : Fonctionnement, Investissement, séparées par « , » sans espace).",
        "Colonne « url_demarche » : « www.loire.fr » n'est pas une URL valide "
        "(http:// ou https://).",
    ]


@pytest.mark.parametrize("value", ["Communes,", ",Communes", "Communes,,Régions"])
def test_002_empty_items_are_refused(value: str) -> None:
    row = row002(complete_rules())
    row["beneficiaires_aide"] = value
    errors = dispositif.validate_row(row)
    assert any(e.startswith("Colonne « beneficiaires_aide » : valeur(s) non") for e in errors)


def test_002_negative_rate_and_several_sirens() -> None:
    row = row002(complete_rules())
    row["taux_subvention_maximum"] = "-5"
    row["porteur_siren"] = "224200014,130025265"
    assert "Colonne « taux_subvention_maximum » : -5 est inférieur au minimum 0 " in " ".join(
        dispositif.validate_row(row)
    )
    assert "porteur_siren" not in " ".join(dispositif.validate_row(row))


def test_002_validate_rows_prefixes_line_numbers() -> None:
    row = row002(complete_rules())
    assert dispositif.validate_rows([row, row]) == [
        f"Ligne {n} : Colonne « {name} » : valeur obligatoire manquante."
        for n in (1, 2)
        for name in NEVER_IN_RULES_002
    ]  # id_aide is unique per porteur only: no uniqueness constraint in 0.0.2


# --------------------------------------------------------------------------- CSV


def test_002_csv_round_trips_with_dictreader(tmp_path: Path) -> None:
    rows = [row002(complete_rules()), row002(empty_rules())]
    path = dispositif.write_csv(rows, tmp_path / "dispositifs.csv")

    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    assert b"\r" not in raw
    assert raw.decode("utf-8").splitlines()[0] == ",".join(COLUMNS_002)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS_002
        read = list(reader)
    assert read == rows
    assert read[0]["beneficiaires_aide"].count(",") == 3  # the comma-separated list survives
    assert "\n" in read[0]["condition_eligibilite"]  # multi-line cells survive
    assert [p.name for p in tmp_path.iterdir()] == ["dispositifs.csv"]


def test_csv_text_is_what_write_csv_writes(tmp_path: Path) -> None:
    rows = [row002(complete_rules())]
    path = dispositif.write_csv(rows, tmp_path / "a.csv")
    assert path.read_text(encoding="utf-8") == dispositif.csv_text(rows)
    assert list(csv.DictReader(io.StringIO(dispositif.csv_text(rows)))) == rows


def test_csv_none_and_missing_cells_are_empty(tmp_path: Path) -> None:
    text = dispositif.csv_text([{"id_aide": "abc", "nom_aide": None}])
    (read,) = list(csv.DictReader(io.StringIO(text)))
    assert read["id_aide"] == "abc"
    assert {name for name, value in read.items() if value} == {"id_aide"}


def test_csv_refuses_a_column_of_the_other_layout(tmp_path: Path) -> None:
    path = tmp_path / "dispositifs.csv"
    row020 = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)
    with pytest.raises(ValueError, match="Ligne 1 : colonne\\(s\\) inconnue\\(s\\) .* 0.0.2 : id,"):
        dispositif.write_csv([row020], path)
    assert not path.exists()


def test_csv_writes_into_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "exports" / "2025" / "dispositifs.csv"
    assert dispositif.write_csv([row002(complete_rules())], path) == path
    assert path.read_text(encoding="utf-8").startswith("id_aide,nom_aide,")


def test_csv_onto_a_folder_raises_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(OutputError) as caught:
        dispositif.write_csv([row002(complete_rules())], folder)
    assert "est un dossier" in str(caught.value)
    assert list(folder.iterdir()) == []


def test_csv_rewrite_keeps_the_file_permissions(tmp_path: Path) -> None:
    path = tmp_path / "dispositifs.csv"
    dispositif.write_csv([row002(complete_rules())], path)
    path.chmod(0o640)
    dispositif.write_csv([row002(empty_rules())], path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert "Loire" not in path.read_text(encoding="utf-8")


def test_french_datetime_names_a_zone_other_than_paris() -> None:
    guadeloupe = timezone(timedelta(hours=-4))
    value = datetime(2024, 3, 1, 23, 59, tzinfo=guadeloupe)
    assert dispositif._french_datetime(value) == "01/03/2024 à 23h59 (UTC-04:00)"
    paris = datetime(2024, 3, 1, 23, 59, tzinfo=dispositif.PARIS)
    assert dispositif._french_datetime(paris) == "01/03/2024 à 23h59"
    assert dispositif._french_datetime(datetime(2024, 3, 1, 23, 59)) == "01/03/2024 à 23h59"


# =========================================================================== 0.2.0 (option)


# --------------------------------------------------------------------------- schema


def test_schema_file_is_the_v0_2_0_core_schema() -> None:
    assert dispositif.schema_version(V020) == "v0.2.0"
    assert dispositif.columns(V020) == COLUMNS_020
    assert "etalab/schema-dispositif-aide" in dispositif.schema(V020)["path"]


def test_every_beneficiary_code_maps_onto_an_allowed_cible() -> None:
    allowed = {"professionnels", "particuliers", "associations", "secteur public"}
    assert set(dispositif.BENEFICIARY_TO_ETALAB) == set(vocab.BENEFICIARIES)
    assert set(dispositif.BENEFICIARY_TO_ETALAB.values()) <= allowed


# --------------------------------------------------------------------------- to_row


def test_complete_rules_give_every_column_in_order_and_a_valid_row() -> None:
    row = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)

    assert tuple(row) == COLUMNS_020
    assert all(isinstance(value, str) for value in row.values())
    assert dispositif.validate_row(row, V020) == []


def test_complete_rules_values_are_formatted_as_the_schema_asks() -> None:
    row = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)

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
    description = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)[
        "description"
    ]

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
    eligibility = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)[
        "eligibilite"
    ]

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
    eligibility = dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["eligibilite"]
    assert "• Dépenses d'investissement et de fonctionnement" in eligibility.splitlines()
    rules = complete_rules(expense_types=["fonctionnement"])
    eligibility = dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["eligibilite"]
    assert "• Dépenses de fonctionnement uniquement" in eligibility.splitlines()


def test_null_fields_stay_empty() -> None:
    row = dispositif.to_row(
        CallRules.model_validate({"call_id": "x"}), schema=V020, updated_at=UPDATED
    )

    assert tuple(row) == COLUMNS_020
    filled = {name for name, value in row.items() if value}
    assert filled == {"id", "date_mise_a_jour"}


def test_null_fields_are_reported_as_missing_required_columns() -> None:
    row = dispositif.to_row(
        CallRules.model_validate({"call_id": "x"}), schema=V020, updated_at=UPDATED
    )

    assert dispositif.validate_row(row, V020) == [
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
    assert dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["types_aides"] == "financement"
    rules = CallRules.model_validate({"call_id": "x", "title": "Appel"})
    assert dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["types_aides"] == ""


def test_id_is_stable_and_a_uuid_call_id_is_kept() -> None:
    first = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)["id"]
    again = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)["id"]
    other = dispositif.to_row(
        complete_rules(call_id="autre-appel"), schema=V020, updated_at=UPDATED
    )["id"]
    assert first == again != other

    given = "65d5b6c7-102c-4440-ac3b-768f708edc0a"
    assert (
        dispositif.to_row(complete_rules(call_id=given), schema=V020, updated_at=UPDATED)["id"]
        == given
    )


def test_default_update_date_is_now_and_valid() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    row = dispositif.to_row(complete_rules(), schema=V020)
    stamped = datetime.fromisoformat(row["date_mise_a_jour"])
    assert stamped >= before
    assert dispositif.validate_row(row, V020) == []


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
    row = dispositif.to_row(complete_rules(territory=territory), schema=V020, updated_at=UPDATED)
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
    row = dispositif.to_row(rules, schema=V020, updated_at=UPDATED)
    assert row["date_ouverture"] == "2024-01-15T00:00:00+01:00"  # winter time
    assert row["date_cloture"] == "2024-03-01T12:00:00+01:00"  # naive read as Paris time

    rules = complete_rules(closes_at=datetime(2024, 3, 1, 11, 0, tzinfo=UTC))
    assert (
        dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["date_cloture"]
        == "2024-03-01T11:00:00Z"
    )


def test_funder_name_is_quoted_for_the_porteurs_notation() -> None:
    rules = complete_rules(funder="Région Provence-Alpes-Côte d'Azur")
    porteurs = dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["porteurs"]
    assert porteurs == "[{ nom: 'Région Provence-Alpes-Côte d\\'Azur', roles: [ 'financeur' ]}]"


def test_non_http_submission_url_is_left_out() -> None:
    rules = complete_rules(submission_url="subventions.loire.fr")
    assert dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["url_source"] == ""


def test_long_description_is_cut_to_the_schema_limit() -> None:
    rules = complete_rules(selection_criteria=["Critère très détaillé " * 20] * 30)
    row = dispositif.to_row(rules, schema=V020, updated_at=UPDATED)
    assert len(row["description"]) == 5000
    assert row["description"].endswith("…")
    assert dispositif.validate_row(row, V020) == []


# --------------------------------------------------------------------------- validation


def test_broken_row_errors_name_their_column() -> None:
    row = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)
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

    errors = dispositif.validate_row(row, V020)

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
    row = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)
    row["cibles"] = "associations,secteur public"
    assert dispositif.validate_row(row, V020) == [
        "Colonne « cibles » : valeur(s) non autorisée(s) « associations,secteur public » "
        "(valeurs possibles : professionnels, particuliers, associations, secteur public, "
        "séparées par « | »)."
    ]


def test_non_text_value_is_reported() -> None:
    row: dict[str, object] = dict(
        dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)
    )
    row["titre"] = 42
    assert dispositif.validate_row(row, V020) == [
        "Colonne « titre » : valeur de type int au lieu d'un texte."
    ]


def test_validate_rows_checks_unique_ids() -> None:
    row = dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)
    other = dispositif.to_row(complete_rules(call_id="autre"), schema=V020, updated_at=UPDATED)
    assert dispositif.validate_rows([row, other], V020) == []
    assert dispositif.validate_rows([row, other, row], V020) == [
        f"Ligne 3 : colonne « id » : valeur « {row['id']} » déjà utilisée ligne 1 "
        "(valeur unique exigée)."
    ]


# --------------------------------------------------------------------------- CSV


def test_csv_round_trips_with_dictreader(tmp_path: Path) -> None:
    rows = [
        dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED),
        dispositif.to_row(
            CallRules.model_validate({"call_id": "vide"}), schema=V020, updated_at=UPDATED
        ),
    ]
    path = dispositif.write_csv(rows, tmp_path / "dispositifs.csv", V020)

    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    assert raw.decode("utf-8").splitlines()[0] == ",".join(COLUMNS_020)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS_020
        read = list(reader)
    assert read == rows
    assert "\n" in read[0]["eligibilite"]  # multi-line cells survive
    assert [p.name for p in tmp_path.iterdir()] == ["dispositifs.csv"]


def test_csv_write_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "dispositifs.csv"
    dispositif.write_csv(
        [dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED)], path, V020
    )
    before = path.read_bytes()

    bad = dict(
        dispositif.to_row(complete_rules(), schema=V020, updated_at=UPDATED), montant="25000"
    )
    with pytest.raises(ValueError, match="montant"):
        dispositif.write_csv([bad], path, V020)

    assert path.read_bytes() == before  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["dispositifs.csv"]  # no temp file left


def test_csv_with_no_rows_has_the_header_only(tmp_path: Path) -> None:
    path = dispositif.write_csv([], tmp_path / "vide.csv", V020)
    assert path.read_text(encoding="utf-8") == ",".join(COLUMNS_020) + "\n"


def test_opening_date_alone_is_a_date_time() -> None:
    rules = complete_rules(opens_on=date(2023, 12, 1))
    assert dispositif.to_row(rules, schema=V020, updated_at=UPDATED)["date_ouverture"] == (
        "2023-12-01T00:00:00+01:00"
    )
