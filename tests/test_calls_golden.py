"""Golden tests: every call notice fixture, in every rendition, gives the values of its
hand-written expected.json, key by key (fixtures/calls/<case>/expected.json).

Comparison rules (the same for every rendition, so a PDF must read like its text):
- code lists (beneficiaries, expenses, pieces, expense types): same set;
- free-text lists (themes, criteria): same count, each item's first 50 letters equal
  (case, accents, quotes and spacing ignored);
- title: equal, case/accents/spacing ignored;
- everything else: equal JSON values (money in euros, rates as fractions, ISO dates).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from extractors.call import extract_call
from pipeline.documents import read_document
from pipeline.models import CallRules
from pipeline.rules_compare import same_value

CALLS = Path(__file__).resolve().parents[1] / "fixtures" / "calls"


def _cases() -> list[tuple[str, str]]:
    pairs = []
    for expected in sorted(CALLS.glob("*/expected.json")):
        case = expected.parent
        spec = json.loads(expected.read_text(encoding="utf-8"))
        inputs = [spec["notice"]]
        listing = case / "renditions.json"
        if listing.is_file():
            data = json.loads(listing.read_text(encoding="utf-8"))
            files = data if isinstance(data, list) else data.get("renditions", [])
            for entry in files:
                name = entry if isinstance(entry, str) else entry.get("file") or entry.get("path")
                inputs.append(name)
        pairs.extend((case.name, name) for name in inputs)
    return pairs


CASES = _cases()


def _path(case: str, name: str) -> Path:
    path = CALLS / case / name
    return path if path.exists() else CALLS / case / "renditions" / Path(name).name


@cache
def extracted(case: str, name: str) -> dict:
    rules = extract_call(read_document(_path(case, name)))
    return json.loads(rules.model_dump_json())


def expected(case: str) -> dict:
    return json.loads((CALLS / case / "expected.json").read_text(encoding="utf-8"))


FIELDS = CallRules.field_names()


@pytest.mark.slow
@pytest.mark.parametrize(("case", "name"), CASES, ids=[f"{c}/{n}" for c, n in CASES])
def test_every_key_matches(case: str, name: str) -> None:
    spec = expected(case)
    assert set(spec["fields"]) == set(FIELDS), "expected.json must give every CallRules key"
    got = extracted(case, name)
    wrong = {}
    for field in FIELDS:
        want = spec["fields"].get(field)
        value = got[field]["value"]
        if not same_value(field, value, want):
            wrong[field] = {"got": value, "want": want}
    assert not wrong, json.dumps(wrong, indent=1, ensure_ascii=False)


@pytest.mark.slow
@pytest.mark.parametrize(("case", "name"), CASES, ids=[f"{c}/{n}" for c, n in CASES])
def test_call_id_and_evidence(case: str, name: str) -> None:
    spec = expected(case)
    got = extracted(case, name)
    assert got["call_id"] == spec["call_id"]
    doc = read_document(_path(case, name))
    for field in FIELDS:
        entry = got[field]
        if entry["value"] in (None, []):
            assert entry["evidence"] == [], f"{field}: evidence without a value"
            continue
        assert entry["evidence"], f"{field}: a value without evidence"
        for ev in entry["evidence"]:
            assert ev["quote"].strip(), f"{field}: empty quote"
            assert ev["document"] == Path(name).name
            assert doc.text[ev["start"] : ev["end"]] == ev["quote"], field
            assert ev["page"] == doc.page_of(ev["start"]), field
