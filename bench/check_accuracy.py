"""Accuracy of `aap dossier check`: check statuses and summaries against the verdicts
written by hand in each expected.json ("checks", "summary"), per dossier.

Run: `.venv/bin/python bench/check_accuracy.py [--heldout] [--quiet]`. The dossiers are
read for real (OCR included) and checked against their call's reviewed rules
(fixtures/dossiers/<call>/rules.json); --heldout uses fixtures/heldout-dossiers/.
"""

from __future__ import annotations

import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.cli import app  # noqa: E402

CODES = ["C01", "C02", "C03", "C04", *[f"E{n:02d}" for n in range(1, 14)], "I01"]


def statuses(result: dict) -> dict:  # type: ignore[type-arg]
    found: dict = {}  # type: ignore[type-arg]
    for finding in result["findings"]:
        if finding["check"] == "C03":
            found.setdefault("C03", []).append(finding["status"])
        else:
            found[finding["check"]] = finding["status"]
    return found


def main() -> None:
    heldout = "--heldout" in sys.argv
    quiet = "--quiet" in sys.argv
    root = REPO / "fixtures" / ("heldout-dossiers" if heldout else "dossiers")
    cases = sorted(root.glob("*/*/expected.json"))
    checks_right = checks_total = summaries_right = missed = 0
    with tempfile.TemporaryDirectory() as out:
        for case in cases:
            spec = json.loads(case.read_text(encoding="utf-8"))
            if "checks" not in spec:
                continue
            rules = REPO / "fixtures" / "dossiers" / case.parent.parent.name / "rules.json"
            run = CliRunner().invoke(
                app,
                [
                    "dossier",
                    "check",
                    str(case.parent / spec["input"]),
                    "--call",
                    str(rules),
                    "--today",
                    spec["received_on"],
                    "--received",
                    spec["received_on"],
                    "--json",
                    "--out",
                    str(Path(out) / case.parent.name),
                ],
            )
            result = json.loads(run.stdout)
            got = statuses(result)
            wrong = [c for c in CODES if spec["checks"][c] != got.get(c)]
            missed += sum(
                1
                for c in CODES
                if c != "C03" and spec["checks"][c] in ("fail", "missing") and got.get(c) == "pass"
            )
            checks_total += len(CODES)
            checks_right += len(CODES) - len(wrong)
            summary, want = result["summary"], spec["summary"]
            same = (
                summary["complete"] == want["complete"]
                and summary["eligible"] == want["eligible"]
                and sorted(summary["missing_pieces"]) == sorted(want["missing_pieces"])
                and (
                    (summary["proposed_aid_eur"] is None and want["proposed_aid_eur"] is None)
                    or (
                        summary["proposed_aid_eur"] is not None
                        and want["proposed_aid_eur"] is not None
                        and Decimal(str(summary["proposed_aid_eur"]))
                        == Decimal(str(want["proposed_aid_eur"]))
                    )
                )
            )
            summaries_right += same
            if (wrong or not same) and not quiet:
                print(f"== {case.parent.parent.name}/{case.parent.name}")
                for code in wrong:
                    print(f"  {code}: attendu {spec['checks'][code]}, obtenu {got.get(code)}")
                if not same:
                    print(f"  synthèse : attendu {want}, obtenu {summary}")
    count = sum(1 for c in cases if "checks" in json.loads(c.read_text(encoding="utf-8")))
    print(f"contrôles justes : {checks_right}/{checks_total}")
    print(f"synthèses justes : {summaries_right}/{count}")
    print(
        f"défauts manqués (« pass » là où le verdict écrit à la main est fail/missing) : {missed}"
    )


if __name__ == "__main__":
    main()
