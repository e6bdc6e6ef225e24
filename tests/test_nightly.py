"""The nightly completeness run (issue 5): a real home, the fixture dossiers in its inbox,
real checks. Faked: file dates (dropped "an hour ago"), and the one spy the issue allows:
`pipeline.documents.read_document` wrapped to count the files read."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import pipeline.documents
from pipeline.home import Home
from pipeline.inbox.sweep import sweep_lock
from pipeline.nightly import nightly
from pipeline.store import Registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dossiers"
LOIRE, PDL = "loire-connect-2023", "pdl-innovation-numerique"
DAY1, DAY2, DAY3 = dt.date(2024, 9, 20), dt.date(2024, 9, 21), dt.date(2024, 9, 22)
LONG_AGO = time.time() - 3600
COLUMNS = [
    "Dossier",
    "Demandeur",
    "État",
    "Complet",
    "Éligible",
    "Aide proposée (€)",
    "Pièces manquantes",
    "Nouveau depuis la dernière nuit",
    "Jours avant la date limite de l'appel",
]


def call_id(folder: str) -> str:
    return json.loads((FIXTURES / folder / "rules.json").read_text(encoding="utf-8"))["call_id"]


def drop(home: Home, folder: str, case: str) -> Path:
    """Copy a fixture dossier's input into `inbox/<call_id>/`, dated an hour ago."""
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


def checks_of(home: Home) -> dict[str, int]:
    with Registry(home.database_url) as registry:
        return {row.key: len(registry.checks(row.key)) for row in registry.dossiers()}


def read_table(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the accents right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file read through `pipeline.documents.read_document`, wherever the function
    was imported (the extractors bind it under their own name)."""
    # Import the modules that bind the reader under their own name now: imported later,
    # they would keep this test's wrapper after it ends.
    importlib.import_module("pipeline.dossier_check")

    original = pipeline.documents.read_document
    seen: list[str] = []

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        return original(path, *args, **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "read_document", None) is original:
            monkeypatch.setattr(module, "read_document", counting)
    return seen


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    """A home with the reviewed rules of two calls and three fixture dossiers."""
    home = Home.resolve(tmp_path / "home", env={})
    for folder in (LOIRE, PDL):
        shutil.copyfile(FIXTURES / folder / "rules.json", home.calls / f"{call_id(folder)}.json")
    drop(home, LOIRE, "pieces-manquantes")  # folder, incomplete (no RIB, no deliberation)
    drop(home, PDL, "hors-plafond")  # merged PDF
    drop(home, PDL, "beneficiaire-non-eligible")  # zip
    yield home


def test_an_unchanged_inbox_reads_no_pdf(home: Home, reads: list[str]) -> None:
    first = nightly(home, today=DAY1)
    assert len(first.sweep.checked) == 3
    assert reads  # the spy sees the reading: it would see a second one

    reads.clear()
    second = nightly(home, today=DAY2)

    assert reads == []
    assert second.sweep.checked == [] and len(second.sweep.unchanged) == 3
    assert set(checks_of(home).values()) == {1}
    assert second.changes == {}
    loire = read_table(home.reports / call_id(LOIRE) / "suivi-2024-09-21.csv")
    assert [row["Nouveau depuis la dernière nuit"] for row in loire] == [""]


def test_tracking_table_csv_and_markdown(home: Home) -> None:
    report = nightly(home, today=DAY1)

    folder = home.reports / call_id(LOIRE)
    assert {t.csv for t in report.tables} == {
        folder / "suivi-2024-09-20.csv",
        home.reports / call_id(PDL) / "suivi-2024-09-20.csv",
    }
    (row,) = read_table(folder / "suivi-2024-09-20.csv")
    assert row["Dossier"] == "pieces-manquantes"
    assert row["Demandeur"].lower() == "commune de chazelles-sur-lyon"
    assert row["État"] == "vérifié"
    assert row["Complet"] == "non"
    assert "Relevé d'identité bancaire (RIB)" in row["Pièces manquantes"]
    assert row["Nouveau depuis la dernière nuit"] == "premier suivi"
    # Loire Connect closes on 28/07/2023 23:59 (+02:00): 420 days before 20/09/2024.
    assert row["Jours avant la date limite de l'appel"] == "-420"
    stored = json.loads(
        (home.reports / call_id(LOIRE) / "pieces-manquantes" / "resultat.json").read_text(
            encoding="utf-8"
        )
    )["summary"]
    aid = stored["proposed_aid_eur"]
    assert row["Aide proposée (€)"] == f"{float(aid):.2f}".replace(".", ",")

    pdl = {
        r["Dossier"]: r for r in read_table(home.reports / call_id(PDL) / "suivi-2024-09-20.csv")
    }
    assert set(pdl) == {"hors-plafond.pdf", "beneficiaire-non-eligible.zip"}
    assert pdl["beneficiaire-non-eligible.zip"]["Éligible"] == "non"
    assert pdl["beneficiaire-non-eligible.zip"]["Aide proposée (€)"] == ""
    assert pdl["hors-plafond.pdf"]["Jours avant la date limite de l'appel"] == ""  # unknown

    markdown = (folder / "suivi-2024-09-20.md").read_text(encoding="utf-8")
    assert "| pieces-manquantes |" in markdown and "Premier suivi" in markdown
    assert "28/07/2023 à 23:59 (passée depuis 420 jour(s))" in markdown


def test_what_changed_since_the_previous_night(home: Home, reads: list[str]) -> None:
    nightly(home, today=DAY1)
    dossier = home.inbox / call_id(LOIRE) / "pieces-manquantes"
    shutil.copyfile(
        FIXTURES / LOIRE / "plan-desequilibre" / "dossier" / "RIB mairie.pdf",
        dossier / "RIB mairie.pdf",
    )
    age(dossier / "RIB mairie.pdf")
    drop(home, LOIRE, "complet-eligible")
    reads.clear()

    report = nightly(home, today=DAY2)

    changed, new = f"{call_id(LOIRE)}/pieces-manquantes", f"{call_id(LOIRE)}/complet-eligible"
    assert sorted(report.sweep.checked) == sorted([changed, new])
    assert "RIB mairie.pdf" in reads and not {"Dossier Région - dématérialisation.pdf"} & set(reads)
    news = report.changes
    assert set(news) == {changed, new}
    assert news[new] == ["nouveau dossier"]
    assert "pièce(s) ajoutée(s) : « RIB mairie.pdf »" in news[changed]
    assert any(n.startswith("pièces manquantes : ") for n in news[changed])
    rows = {r["Dossier"]: r for r in read_table(report.tables[0].csv)}
    assert "Relevé d'identité bancaire" not in rows["pieces-manquantes"]["Pièces manquantes"]
    assert "RIB mairie.pdf" in rows["pieces-manquantes"]["Nouveau depuis la dernière nuit"]
    markdown = report.tables[0].markdown.read_text(encoding="utf-8")
    assert "Par rapport au suivi du 20/09/2024" in markdown and "**complet-eligible**" in markdown

    # The same day again compares with the night before, not with itself.
    again = nightly(home, today=DAY2)
    assert again.sweep.checked == [] and set(again.changes) == {changed, new}


def test_an_edited_rules_file_triggers_a_new_check(home: Home, reads: list[str]) -> None:
    nightly(home, today=DAY1)
    before = checks_of(home)
    rules_path = home.rules_file(call_id(LOIRE))
    rules = json.loads(rules_path.read_text(encoding="utf-8"))
    rules["max_aid_eur"] = 5000  # a bare value: corrected by hand by the instructeur
    rules_path.write_text(json.dumps(rules, ensure_ascii=False, indent=2), encoding="utf-8")
    reads.clear()

    report = nightly(home, today=DAY2)

    loire_key = f"{call_id(LOIRE)}/pieces-manquantes"
    assert report.sweep.checked == [loire_key]  # the other call's dossiers are untouched
    assert reads  # re-checked, so read again
    after = checks_of(home)
    assert after[loire_key] == before[loire_key] + 1
    assert {k: v for k, v in after.items() if k != loire_key} == {
        k: v for k, v in before.items() if k != loire_key
    }
    news = report.changes[loire_key]
    assert "vérifié avec les nouvelles règles (version 2)" in news
    assert any(n.startswith("aide proposée : ") and n.endswith("→ 5 000 €") for n in news)
    table = next(t for t in report.tables if t.call_id == call_id(LOIRE))
    assert table.rules_version == 2 and table.rules_changed
    (row,) = read_table(table.csv)
    assert row["Aide proposée (€)"] == "5000,00"
    assert "modifiées depuis la nuit précédente" in table.markdown.read_text(encoding="utf-8")


def test_a_sweep_in_progress_leaves_the_tables_from_the_registry(home: Home) -> None:
    nightly(home, today=DAY1)
    with sweep_lock(home) as acquired:
        assert acquired
        report = nightly(home, today=DAY2, lock_wait=0)
    assert report.sweep.busy
    assert "les dossiers n'ont pas été revérifiés" in report.summary()
    assert len(read_table(home.reports / call_id(PDL) / "suivi-2024-09-21.csv")) == 2
