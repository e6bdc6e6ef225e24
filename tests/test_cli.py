"""End-to-end tests of `aap call …` through the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

REPO = Path(__file__).resolve().parents[1]
LOIRE = REPO / "fixtures/calls/loire-connect-2023/notice.txt"
BROKEN = REPO / "fixtures/broken"

runner = CliRunner()
pytestmark = pytest.mark.slow


def test_extract_json_is_the_callrules_contract() -> None:
    result = runner.invoke(app, ["call", "extract", str(LOIRE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["call_id"] == "appel-a-partenariat-2023-loire-connect"
    assert data["max_aid_eur"]["value"] == 25000
    assert data["max_aid_eur"]["evidence"][0]["document"] == "notice.txt"
    assert data["closes_at"]["value"] == "2023-07-28T23:59:59+02:00"


def test_extract_table_in_french() -> None:
    result = runner.invoke(app, ["call", "extract", str(LOIRE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Plafond d'aide par projet" in result.stdout
    assert "25 000 €" in result.stdout
    assert "Points à vérifier" in result.stdout


def test_manual_correction_survives_a_new_extraction(tmp_path: Path) -> None:
    rules_file = tmp_path / "loire.json"
    first = runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    assert first.exit_code == 0, first.output
    data = json.loads(rules_file.read_text(encoding="utf-8"))
    data["max_aid_eur"] = 30000  # the instructeur's correction, as a bare value
    rules_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    again = runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    assert again.exit_code == 0, again.output
    kept = json.loads(rules_file.read_text(encoding="utf-8"))
    assert kept["max_aid_eur"]["value"] == 30000
    assert kept["max_aid_eur"]["source"] == "manual"
    assert kept["min_aid_eur"]["source"] == "extracted"

    shown = runner.invoke(app, ["call", "show", str(rules_file)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "30 000 €" in shown.stdout and "corrigé à la main" in shown.stdout


def test_hand_written_rules_file_with_bare_values(tmp_path: Path) -> None:
    rules_file = tmp_path / "mon-appel.json"
    rules_file.write_text(
        json.dumps(
            {
                "call_id": "mon-appel",
                "title": "Appel à projets écrit à la main",
                "max_aid_eur": 10000,
                "aid_rates": [{"max_rate": 0.5}],
                "eligible_beneficiaries": ["commune", "ccas"],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["call", "show", str(rules_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["max_aid_eur"] == {
        "value": 10000,
        "evidence": [],
        "confidence": None,
        "source": "manual",
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{ pas du json", "n'est pas un JSON valide"),
        ('{"call_id": "x", "eligible_beneficiaries": ["mairie"]}', "valeurs invalides"),
    ],
)
def test_bad_rules_file_is_explained(tmp_path: Path, content: str, expected: str) -> None:
    rules_file = tmp_path / "regles.json"
    rules_file.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["call", "show", str(rules_file)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_export_dispositif_csv(tmp_path: Path) -> None:
    rules_file = tmp_path / "loire.json"
    runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    out_csv = tmp_path / "export" / "dispositif.csv"
    result = runner.invoke(app, ["call", "export-dispositif", str(rules_file), "-o", str(out_csv)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["nom_aide"].upper().startswith("APPEL A PARTENARIAT 2023")
    assert row["zone_geographique"] == "Loire"
    assert "Communes" in row["beneficiaires_aide"]
    assert row["taux_subvention_maximum"] == "80"
    assert row["date_cloture"] == "2023-07-28"


def test_export_dispositif_current_schema_on_stdout(tmp_path: Path) -> None:
    rules_file = tmp_path / "loire.json"
    runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    result = runner.invoke(app, ["call", "export-dispositif", str(rules_file), "--schema", "0.2.0"])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert "DEP-42" in row["eligibilite_geographique"]
    assert "secteur public" in row["cibles"]


def test_export_onto_a_folder_is_refused(tmp_path: Path) -> None:
    rules_file = tmp_path / "loire.json"
    runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    result = runner.invoke(app, ["call", "export-dispositif", str(rules_file), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "est un dossier" in " ".join(result.stderr.split())


def test_schema_commands_print_json_schema() -> None:
    for which, key in (("call", "max_aid_eur"), ("dossier", "findings")):
        result = runner.invoke(app, ["schema", which])
        assert result.exit_code == 0
        assert key in json.loads(result.stdout)["properties"]


BROKEN_CASES = [
    ("encrypted.pdf", "protégé par un mot de passe"),
    ("truncated.pdf", "endommagé"),
    ("empty.pdf", "est vide"),
    ("not_really.pdf", "ne contient pas ce qu'annonce son extension"),
    ("scan_only.pdf", "OCR"),
    ("image.png", "OCR"),
    ("tableur.xlsx", "tableur Excel"),
    ("ancien_word.doc", "Word 97-2003"),
    ("damaged.docx", "endommagé"),
    ("garbage.bin", "n'est pas reconnu"),
]


@pytest.mark.parametrize(("name", "words"), BROKEN_CASES)
def test_broken_files_exit_2_with_a_french_message(name: str, words: str) -> None:
    """Through a real process: no traceback, exit code 2, the file named, what to do."""
    path = BROKEN / name
    assert path.exists(), f"missing broken fixture {name}"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "call", "extract", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert name in proc.stderr
    assert "Que faire" in proc.stderr
    assert words.lower() in " ".join(proc.stderr.split()).lower()


def test_missing_file() -> None:
    result = runner.invoke(app, ["call", "extract", "/nulle/part/avis.pdf"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)


def test_unreadable_rules_file_is_never_overwritten(tmp_path: Path) -> None:
    rules_file = tmp_path / "loire.json"
    runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    data = json.loads(rules_file.read_text(encoding="utf-8"))
    data["max_aid_eur"] = 30000
    data["eligible_beneficiaries"] = ["commune", "mairie"]  # a typo: the file is invalid
    broken = json.dumps(data, ensure_ascii=False)
    rules_file.write_text(broken, encoding="utf-8")
    result = runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    assert result.exit_code == 2
    assert "n'a pas été écrasé" in " ".join(result.stderr.split())
    assert rules_file.read_text(encoding="utf-8") == broken


def test_corrections_for_another_notice_are_not_merged(tmp_path: Path) -> None:
    rules_file = tmp_path / "regles.json"
    runner.invoke(app, ["call", "extract", str(LOIRE), "-o", str(rules_file)])
    data = json.loads(rules_file.read_text(encoding="utf-8"))
    data["max_aid_eur"] = 30000
    rules_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    other = REPO / "fixtures/calls/bfc-feder-e-gouvernement/notice.txt"
    result = runner.invoke(app, ["call", "extract", str(other), "-o", str(rules_file)])
    assert result.exit_code == 2
    assert "autre avis" in " ".join(result.stderr.split())
    assert json.loads(rules_file.read_text(encoding="utf-8"))["max_aid_eur"] == 30000


def test_value_typed_without_source_is_a_manual_correction(tmp_path: Path) -> None:
    rules_file = tmp_path / "regles.json"
    rules_file.write_text('{"call_id": "x", "max_aid_eur": {"value": 30000}}', encoding="utf-8")
    result = runner.invoke(app, ["call", "show", str(rules_file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["max_aid_eur"]["source"] == "manual"


def test_a_date_alone_is_the_end_of_that_day(tmp_path: Path) -> None:
    rules_file = tmp_path / "regles.json"
    rules_file.write_text('{"call_id": "x", "closes_at": "2023-07-28"}', encoding="utf-8")
    result = runner.invoke(app, ["call", "show", str(rules_file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["closes_at"]["value"] == "2023-07-28T23:59:59+02:00"


@pytest.mark.parametrize(
    "content",
    [
        '{"call_id": "x", "max_public_aid_rate": 80}',
        '{"call_id": "x", "max_aid_eur": -5}',
        '{"call_id": "x", "max_aid_eur": {"value": 5, "source": "extracted"}}',
        "[1, 2, 3]",
    ],
)
def test_impossible_values_are_refused(tmp_path: Path, content: str) -> None:
    rules_file = tmp_path / "regles.json"
    rules_file.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["call", "show", str(rules_file)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)


def test_reader_warnings_reach_the_rules(tmp_path: Path) -> None:
    notice = tmp_path / "avis.txt"
    notice.write_bytes(
        "Appel à projets Numérique 2024\n\nLa Région Bretagne accorde une aide plafonnée à 20 000 € par projet.\n".encode(
            "cp1252"
        )
    )
    result = runner.invoke(app, ["call", "extract", str(notice), "--json"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any("UTF-8" in w for w in warnings)
