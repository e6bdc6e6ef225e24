"""Accuracy of `aap call extract` on a set of notices with hand-written expectations.

Usage: `.venv/bin/python bench/call_accuracy.py [FOLDER]` (default: fixtures/heldout).
Each sub-folder holds `notice.<ext>` and `expected.json` (format: fixtures/README.md).
Prints, per notice, the keys that differ (got / want) and the overall score. Nothing is
asserted: the golden tests (fixtures/calls) are the tests; this set measures how the
extractor does on notices written by someone else (see fixtures/README.md, "Held-out").

Comparison: code lists as sets; themes and criteria by count and first 50 letters; title,
funder and programme ignoring case and accents; aid rates as a multiset of (rate,
beneficiaries, basis, cap, scope prefix); contacts as a set of (name, e-mail, phone
digits); everything else equal as JSON.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from extractors.call import extract_call
    from pipeline.documents import read_document
    from pipeline.rules_compare import same_value

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "fixtures" / "heldout"
    right = total = 0
    wrong_keys: Counter[str] = Counter()
    for spec_path in sorted(folder.glob("*/expected.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        notice = next(p for p in spec_path.parent.glob("notice.*"))
        got = json.loads(extract_call(read_document(notice)).model_dump_json())
        misses = [
            (key, got[key]["value"], want)
            for key, want in spec["fields"].items()
            if not same_value(key, got[key]["value"], want, lenient=True)
        ]
        total += len(spec["fields"])
        right += len(spec["fields"]) - len(misses)
        print(
            f"== {spec_path.parent.name}: {len(spec['fields']) - len(misses)}/{len(spec['fields'])}"
        )
        for key, value, want in misses:
            wrong_keys[key] += 1
            print(f"   {key}\n      obtenu  {json.dumps(value, ensure_ascii=False)[:200]}")
            print(f"      attendu {json.dumps(want, ensure_ascii=False)[:200]}")
    print(f"\nScore : {right}/{total} clés justes ({100 * right / max(total, 1):.1f} %)")
    print("Clés fausses : " + ", ".join(f"{k} ×{n}" for k, n in wrong_keys.most_common()))


if __name__ == "__main__":
    main()
