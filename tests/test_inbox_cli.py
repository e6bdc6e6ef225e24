"""`aap inbox sweep|status|retry` and `aap nightly` through the command line, on a small
inbox (three fixture dossiers and a broken one), real checks. `--no-prefect` keeps them in
this process: the same commands through the Prefect flows run in `tests/test_flows.py`."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.home import Home
from pipeline.store import Registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dossiers"
LOIRE, PDL = "loire-connect-2023", "pdl-innovation-numerique"
LONG_AGO = time.time() - 3600


def call_id(folder: str) -> str:
    return json.loads((FIXTURES / folder / "rules.json").read_text(encoding="utf-8"))["call_id"]


def drop(home: Home, folder: str, case: str) -> Path:
    spec = json.loads((FIXTURES / folder / case / "expected.json").read_text(encoding="utf-8"))
    source = FIXTURES / folder / case / spec["input"]
    target = home.inbox / call_id(folder) / (case if source.is_dir() else case + source.suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    age(target)
    return target


def age(path: Path) -> None:
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        if item.is_file():
            os.utime(item, (LONG_AGO, LONG_AGO))


def aap(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home.resolve(tmp_path / "home", env={})
    for folder in (LOIRE, PDL):
        shutil.copyfile(FIXTURES / folder / "rules.json", home.calls / f"{call_id(folder)}.json")
    drop(home, LOIRE, "pieces-manquantes")
    drop(home, PDL, "hors-plafond")
    drop(home, PDL, "beneficiaire-non-eligible")
    broken = home.inbox / call_id(LOIRE) / "Dossier abîmé.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\ngarbage\n%%EOF")
    age(broken)
    return home


def test_sweep_status_retry_and_nightly(home: Home) -> None:
    root = str(home.root)
    code, output = aap("inbox", "sweep", "--home", root, "--no-prefect", "--today", "2024-09-20")

    assert code == 0, output
    assert "3 dossier(s) vérifié(s), 0 inchangé(s), 1 en échec." in output
    assert f"en échec (dossier_illisible) : {call_id(LOIRE)}/Dossier abîmé.pdf" in output
    assert str(home.failed / call_id(LOIRE) / "Dossier abîmé") in output
    notes = sorted(p.parent.name for p in home.reports.glob("*/*/note-instruction.docx"))
    assert notes == ["beneficiaire-non-eligible", "hors-plafond", "pieces-manquantes"]

    code, output = aap("inbox", "sweep", "--home", root, "--no-prefect")
    assert code == 0 and "0 dossier(s) vérifié(s), 3 inchangé(s)" in output, output

    code, output = aap("inbox", "status", "--home", root)
    assert code == 0, output
    lines = {line.split("│")[1].strip(): line for line in output.splitlines() if "│" in line}
    assert set(lines) == {
        "pieces-manquantes",
        "hors-plafond.pdf",
        "beneficiaire-non-eligible.zip",
        "Dossier abîmé.pdf",
    }
    assert "vérifié" in lines["pieces-manquantes"] and "20/09/2024" in lines["pieces-manquantes"]
    assert "│ non " in lines["pieces-manquantes"]  # incomplete
    assert "80 000 €" in lines["hors-plafond.pdf"]
    assert "en échec (dossier_illisible)" in lines["Dossier abîmé.pdf"]
    code, output = aap("inbox", "status", "--home", root, "--call", call_id(PDL))
    assert "pieces-manquantes" not in output and "hors-plafond.pdf" in output

    code, output = aap("inbox", "retry", "--home", root, "--no-prefect", "--today", "2024-09-20")
    bad = f"{call_id(LOIRE)}/Dossier abîmé.pdf"
    assert code == 0, output
    assert f"1 dossier(s) remis à vérifier : {bad}" in output
    assert "0 dossier(s) vérifié(s), 3 inchangé(s), 1 en échec." in output  # tried again
    with Registry(home.database_url) as registry:
        assert len(registry.events(bad, kind="retry")) == 1
        assert len(registry.events(bad, kind="failed")) == 2
    code, output = aap("inbox", "retry", "--home", root, "--no-prefect")
    assert code == 0 and "Aucun dossier en échec" not in output  # it failed again: retried

    code, output = aap("nightly", "--home", root, "--no-prefect", "--today", "2024-09-21")
    assert code == 0, output
    assert "Suivi du 21/09/2024 : 4 dossier(s) suivi(s) dans 2 appel(s)" in output
    table = home.reports / call_id(LOIRE) / "suivi-2024-09-21.csv"
    assert str(table) in output
    assert table.read_bytes().startswith(b"\xef\xbb\xbf")
    text = table.read_text(encoding="utf-8-sig")
    assert "Dossier abîmé.pdf;;en échec (dossier_illisible);" in text


def test_a_home_that_cannot_be_used_is_said_in_french(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier", encoding="utf-8")

    code, output = aap("inbox", "status", "--home", str(blocker))

    assert code == 2
    assert "ne peut pas être créé" in output and "Que faire" in output
