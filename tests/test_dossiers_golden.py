"""Golden tests: `aap dossier extract --json` on every fixture dossier against its
hand-written expected.json (fixtures/README.md, "Dossiers", gives the conventions)."""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extractors.dossier.extract import read_dossier
from extractors.lexicon import fold
from pipeline.cli import app
from pipeline.models import DossierFacts

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"
CASES = sorted(ROOT.glob("*/*/expected.json"))
CASE_IDS = [f"{p.parent.parent.name}/{p.parent.name}" for p in CASES]
FACT_KEYS = [k for k in DossierFacts.model_fields]
# Free texts: the expected excerpt must be contained in the extracted value.
CONTAINED = {"project_summary", "theme", "legal_form", "label_contained"}

pytestmark = pytest.mark.slow

# Facts and pieces the extractor still gets wrong, by case: each is a strict xfail, so a
# fix makes the test fail until the entry is removed (the ledger cannot go stale), and
# the expected values stay as written by hand. Measured by `bench/dossier_accuracy.py`.
KNOWN_GAPS: dict[str, list[str]] = json.loads(
    (Path(__file__).with_name("dossier_known_gaps.json")).read_text(encoding="utf-8")
)


def _with_gaps(key: str) -> list[object]:
    params = []
    for path, case_id in zip(CASES, CASE_IDS, strict=True):
        marks = []
        if key in KNOWN_GAPS.get(case_id, []):
            marks.append(pytest.mark.xfail(strict=True, reason="écart connu, voir le ledger"))
        params.append(pytest.param(path, id=case_id, marks=marks))
    return params


def _fact_params() -> list[object]:
    params = []
    for path, case_id in zip(CASES, CASE_IDS, strict=True):
        for key in FACT_KEYS:
            marks = []
            if key in KNOWN_GAPS.get(case_id, []):
                marks.append(pytest.mark.xfail(strict=True, reason="écart connu, voir le ledger"))
            params.append(pytest.param(path, key, id=f"{case_id}:{key}", marks=marks))
    return params


_results: dict[Path, dict[str, Any]] = {}


def expected_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def extracted(path: Path) -> dict[str, Any]:
    """The CLI's JSON for the case (run once per case, in process)."""
    if path not in _results:
        spec = expected_of(path)
        args = ["dossier", "extract", str(path.parent / spec["input"]), "--json"]
        if spec.get("received_on"):
            args += ["--received", spec["received_on"]]
        run = CliRunner().invoke(app, args)
        assert run.exit_code == 0, run.output
        _results[path] = json.loads(run.stdout)
    return _results[path]


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).replace("’", "'").replace("\u00a0", " ")
    text = fold(text.casefold())
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .,;:-–—")


def same(key: str, want: Any, got: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, bool) or isinstance(got, bool):
        return want == got
    if isinstance(want, int | float):
        return isinstance(got, int | float) and round(Decimal(str(want)), 4) == round(
            Decimal(str(got)), 4
        )
    if isinstance(want, str):
        if key in CONTAINED:
            return norm(want) in norm(got)
        return norm(want) == norm(got)
    if isinstance(want, list):
        if key == "signals":
            return sorted(want) == sorted(got)
        return len(want) == len(got) and all(
            same(key, w, g) for w, g in zip(want, got, strict=True)
        )
    if isinstance(want, dict):
        return all(
            same("label_contained" if (key == "commitments" and k == "label") else k, v, got.get(k))
            for k, v in want.items()
        )
    return want == got


def test_fixture_set_is_there() -> None:
    calls = {p.parent.parent.name for p in CASES}
    assert len(calls) == 3, calls
    for call in calls:
        assert len([p for p in CASES if p.parent.parent.name == call]) >= 8, call


@pytest.mark.parametrize("case", _with_gaps("pieces"))
def test_pieces(case: Path) -> None:
    spec = expected_of(case)
    got = [
        {"name": d["name"], "piece": d["piece"], "pages": d["pages"], "error": bool(d["error"])}
        for d in extracted(case)["documents"]
    ]
    want = [
        {
            "name": d["name"],
            "piece": d["piece"],
            "pages": d.get("pages"),
            "error": bool(d.get("error")),
        }
        for d in spec["documents"]
    ]
    # Unreadable files carry no page range: compare pages only where both are known.
    for item in got + want:
        if item["error"]:
            item["pages"] = None
    key = lambda d: (d["name"], d["pages"] or "")  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)


@pytest.mark.parametrize(("case", "key"), _fact_params())
def test_fact(case: Path, key: str) -> None:
    spec = expected_of(case)
    facts = extracted(case)["facts"]
    assert key in spec["facts"], f"expected.json sans la clé {key}"
    want = spec["facts"][key]
    if key == "notes":
        got = {k: v["value"] for k, v in facts["notes"].items()}
    else:
        got = facts[key]["value"]
    assert same(key, want, got), f"{key}: attendu {want!r}, lu {got!r}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_evidence_quotes_are_the_text(case: Path) -> None:
    """Every quote with offsets is exactly the text between them, on the right page."""
    spec = expected_of(case)
    read = read_dossier(case.parent / spec["input"])
    docs = {view.document.name: view.document for view in read.pieces}
    facts = extracted(case)["facts"]
    fields = [v for k, v in facts.items() if k != "notes"] + list(facts["notes"].values())
    for field in fields:
        for ev in field["evidence"]:
            if ev["start"] is None or ev["document"] not in docs:
                continue
            doc = docs[ev["document"]]
            assert doc.text[ev["start"] : ev["end"]] == ev["quote"]
            assert doc.page_of(ev["start"]) == ev["page"]
