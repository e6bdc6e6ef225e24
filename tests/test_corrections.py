"""The instructeur's corrections of facts (pipeline/corrections.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.corrections import (
    CorrectionsError,
    apply_corrections,
    find_corrections,
    load_corrections,
)
from pipeline.models import DossierFacts, NoteFacts


def read_facts() -> DossierFacts:
    return DossierFacts.model_validate(
        {
            "beneficiary_type": {
                "value": "commune",
                "evidence": [{"document": "demande.pdf", "page": 1, "quote": "Commune de X"}],
                "confidence": 0.8,
            },
            "submitted_on": {
                "value": "2023-07-20",
                "evidence": [
                    {"document": "(date d'arrivée du dossier)", "quote": "dossier reçu le …"}
                ],
                "confidence": 0.4,
            },
        }
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_bare_values_are_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corrections.yaml",
        "beneficiary_type: ccas\n"
        "submitted_on: 2023-07-18\n"
        "requested_aid_eur: 20000\n"
        "total_cost_eur: 25000.10\n"
        "siret: 21420223600011\n"
        'departement_code: "01"\n'
        "signed: true\n"
        "notes.protection_donnees: {present: true, substantive: false}\n",
    )
    corrections = load_corrections(path)
    assert corrections["beneficiary_type"] == "ccas"
    assert corrections["submitted_on"] == date(2023, 7, 18)
    assert corrections["requested_aid_eur"] == Decimal("20000")
    assert corrections["total_cost_eur"] == Decimal("25000.10")
    assert corrections["siret"] == "21420223600011"
    assert corrections["departement_code"] == "01"
    assert corrections["signed"] is True
    assert corrections["notes.protection_donnees"] == NoteFacts(present=True, substantive=False)


def test_json_corrections(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corrections.json",
        json.dumps({"submitted_on": "2023-07-18", "requested_rate": 0.8, "siren": None}),
    )
    corrections = load_corrections(path)
    assert corrections == {
        "submitted_on": date(2023, 7, 18),
        "requested_rate": Decimal("0.8"),
        "siren": None,
    }


def test_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / "corrections.yaml", "beneficiary: ccas\n")
    with pytest.raises(CorrectionsError) as caught:
        load_corrections(path)
    message = caught.value.message
    assert str(path) in message and "« beneficiary »" in message
    assert "beneficiary_type" in message  # the possible keys are listed


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("beneficiary_type: mairie\n", "beneficiary_type", "commune"),
        ("submitted_on: 18/07/2023\n", "submitted_on", "AAAA-MM-JJ"),
        ("requested_aid_eur: vingt mille\n", "requested_aid_eur", "nombre"),
        ("requested_aid_eur: -5\n", "requested_aid_eur", "positif"),
        ("requested_rate: 80\n", "requested_rate", "0.8 pour 80 %"),
        ("signed: peut-être\n", "signed", "true ou false"),
        ("postcode: 01500\n", "postcode", "guillemets"),
        ("expenses: [{label: Borne, amount_eur: abc}]\n", "expenses", "nombre"),
    ],
)
def test_invalid_value_says_what_is_expected(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path / "corrections.yml", text)
    with pytest.raises(CorrectionsError) as caught:
        load_corrections(path)
    message = caught.value.message
    assert str(path) in message and f"« {key} »" in message and expected in message


def test_broken_files(tmp_path: Path) -> None:
    with pytest.raises(CorrectionsError, match="n'est pas un YAML valide"):
        load_corrections(write(tmp_path / "corrections.yaml", "a: [1, 2\n"))
    with pytest.raises(CorrectionsError, match="n'est pas un JSON valide"):
        load_corrections(write(tmp_path / "corrections.json", "{"))
    with pytest.raises(CorrectionsError, match="clé : valeur"):
        load_corrections(write(tmp_path / "c.yaml", "- ccas\n"))
    with pytest.raises(CorrectionsError, match="n'existe pas"):
        load_corrections(tmp_path / "absent.yaml")


def test_apply_marks_manual_and_keeps_what_was_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corrections.yaml",
        "beneficiary_type: ccas\nsubmitted_on: 2023-07-18\nrequested_aid_eur: 20000\n",
    )
    facts = read_facts()
    corrected, record = apply_corrections(facts, load_corrections(path))

    assert corrected.beneficiary_type.value == "ccas"
    assert corrected.beneficiary_type.source == "manual"
    assert corrected.beneficiary_type.evidence == []
    assert corrected.submitted_on.value == date(2023, 7, 18)
    assert corrected.requested_aid_eur.value == Decimal("20000")
    assert corrected.requested_aid_eur.source == "manual"
    # untouched facts stay as read, and the original object is not modified
    assert facts.beneficiary_type.value == "commune"

    by_key = {c.key: c for c in record}
    assert [c.key for c in record] == ["beneficiary_type", "submitted_on", "requested_aid_eur"]
    assert by_key["beneficiary_type"].read.value == "commune"
    assert by_key["beneficiary_type"].read.evidence[0].quote == "Commune de X"
    assert by_key["beneficiary_type"].read.confidence == 0.8
    assert by_key["beneficiary_type"].corrected == "ccas"
    assert by_key["submitted_on"].read.value == "2023-07-20"
    assert by_key["submitted_on"].corrected == "2023-07-18"
    assert by_key["requested_aid_eur"].read.value is None  # nothing was read
    assert by_key["requested_aid_eur"].corrected == 20000
    json.loads(json.dumps([c.model_dump(mode="json") for c in record]))  # serialisable


def test_apply_a_note_and_a_null(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corrections.yaml",
        "notes.numerique_responsable: {present: true, substantive: false}\nbeneficiary_type: null\n",
    )
    corrected, record = apply_corrections(read_facts(), load_corrections(path))
    note = corrected.notes.numerique_responsable
    assert note.value == NoteFacts(present=True, substantive=False) and note.source == "manual"
    assert corrected.beneficiary_type.value is None
    assert record[1].read.value == "commune" and record[1].corrected is None


def test_apply_refuses_unknown_keys() -> None:
    with pytest.raises(KeyError):
        apply_corrections(read_facts(), {"nope": 1})


def test_find_corrections(tmp_path: Path) -> None:
    dossier = tmp_path / "dossier"
    dossier.mkdir()
    assert find_corrections(dossier) is None
    (dossier / "sous").mkdir()
    write(dossier / "sous" / "corrections.yaml", "siret: null\n")
    assert find_corrections(dossier) is None  # only at the top of the folder
    found = write(dossier / "Corrections.YML", "siret: null\n")
    assert find_corrections(dossier) == found
    write(dossier / "corrections.json", "{}")
    with pytest.raises(CorrectionsError, match="plusieurs fichiers de corrections"):
        find_corrections(dossier)
    assert find_corrections(tmp_path / "dossier.zip") is None
