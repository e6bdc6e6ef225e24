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
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CODE_LISTS = {
    "eligible_beneficiaries",
    "expense_types",
    "eligible_expenses",
    "ineligible_expenses",
    "required_pieces",
}


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[«»\"“”'’*()]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .;:,")


def same(key: str, got: object, want: object) -> bool:
    if want is None or got is None:
        return got == want or (got == [] and want in (None, []))
    if key in CODE_LISTS:
        return sorted(got) == sorted(want)  # type: ignore[arg-type]
    if key in ("themes", "selection_criteria"):
        if len(got) != len(want):  # type: ignore[arg-type]
            return False
        for a, b in zip(got, want, strict=True):  # type: ignore[call-overload]
            a, b = norm(a), norm(b)
            n = min(50, len(a), len(b))
            if a[:n] != b[:n]:
                return False
        return True
    if key in ("title", "funder", "programme"):
        return norm(str(got)) == norm(str(want))
    if key == "aid_rates":

        def rate_key(r: dict) -> tuple:  # type: ignore[type-arg]
            scope = norm(r.get("scope") or "")[:20]
            return (
                r["max_rate"],
                tuple(sorted(r["beneficiaries"] or [])),
                r["basis"],
                r["max_aid_eur"],
                scope,
            )

        return sorted(map(rate_key, got)) == sorted(map(rate_key, want))  # type: ignore[arg-type]
    if key == "contacts":

        def contact_key(c: dict) -> tuple:  # type: ignore[type-arg]
            return (c["name"] or "", c["email"] or "", re.sub(r"\D", "", c["phone"] or ""))

        return sorted(map(contact_key, got)) == sorted(map(contact_key, want))  # type: ignore[arg-type]
    return got == want


def main() -> None:
    from extractors.call import extract_call
    from pipeline.documents import read_document

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
            if not same(key, got[key]["value"], want)
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
