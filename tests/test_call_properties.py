"""Property: on any notice assembled from real notice lines, extraction never raises and
keeps the evidence rule (every value quotes its document; no evidence without a value)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.call import extract_call
from pipeline.documents import read_document
from pipeline.models import CallRules

CALLS = Path(__file__).resolve().parents[1] / "fixtures" / "calls"
LINES = sorted(
    {
        line
        for path in CALLS.glob("*/notice.txt")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=40), st.booleans())
def test_extraction_keeps_the_evidence_rule(
    tmp_path: Path, lines: list[str], blank_lines: bool
) -> None:
    path = tmp_path / "avis.txt"
    path.write_text(("\n\n" if blank_lines else "\n").join(lines) + "\n", encoding="utf-8")
    doc = read_document(path)
    rules = extract_call(doc)
    for name in CallRules.field_names():
        field = getattr(rules, name)
        if not field.found:
            assert field.evidence == []
            continue
        assert field.evidence, name
        for ev in field.evidence:
            assert ev.start is not None and ev.end is not None
            assert doc.text[ev.start : ev.end] == ev.quote, name
