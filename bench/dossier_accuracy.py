"""Accuracy of `aap dossier extract` on the fixture dossiers: pieces and facts right
against each hand-written expected.json, per call, with every mismatch listed.

Run: `.venv/bin/python bench/dossier_accuracy.py [FILTER] [--quiet] [--heldout]` (FILTER: a
substring of "call/case"; --heldout: the dossiers of fixtures/heldout-dossiers/, written by
a tester who never saw the code, kept for measuring only). Uses the golden tests' comparison rules (tests/test_dossiers_golden.py)
so that the figure printed here is the one the tests enforce.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import test_dossiers_golden as golden  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quiet = "--quiet" in sys.argv
    pattern = args[0] if args else ""
    root = REPO / "fixtures" / ("heldout-dossiers" if "--heldout" in sys.argv else "dossiers")
    cases = sorted(root.glob("*/*/expected.json"))
    case_ids = [f"{p.parent.parent.name}/{p.parent.name}" for p in cases]
    per_call: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for case, case_id in zip(cases, case_ids, strict=True):
        if pattern not in case_id:
            continue
        call = case_id.split("/")[0]
        spec = golden.expected_of(case)
        result = golden.extracted(case)
        lines = []
        got = {
            (d["name"], None if d["error"] else d["pages"]): d["piece"] for d in result["documents"]
        }
        want = {
            (d["name"], None if d.get("error") else d.get("pages")): d["piece"]
            for d in spec["documents"]
        }
        for key in sorted(set(got) | set(want), key=str):
            per_call[f"{call} pièces"] += 1
            if got.get(key) == want.get(key):
                right[f"{call} pièces"] += 1
            else:
                lines.append(f"  pièce {key}: attendu {want.get(key)}, lu {got.get(key)}")
        for key in golden.FACT_KEYS:
            expected = spec["facts"][key]
            if key == "notes":
                value = {k: v["value"] for k, v in result["facts"]["notes"].items()}
            else:
                value = result["facts"][key]["value"]
            per_call[f"{call} faits"] += 1
            if golden.same(key, expected, value):
                right[f"{call} faits"] += 1
            else:
                shown = json.dumps(value, ensure_ascii=False, default=str)[:200]
                lines.append(f"  {key}: attendu {json.dumps(expected, ensure_ascii=False)[:200]}")
                lines.append(f"  {' ' * len(key)}  lu      {shown}")
        if lines and not quiet:
            print(f"== {case_id}")
            print("\n".join(lines))
    print()
    for label in sorted(per_call):
        print(
            f"{label:45} {right[label]:4}/{per_call[label]:<4} ({right[label] / per_call[label]:.0%})"
        )
    total, good = sum(per_call.values()), sum(right.values())
    if total:
        print(f"{'total':45} {good:4}/{total:<4} ({good / total:.0%})")


if __name__ == "__main__":
    main()
