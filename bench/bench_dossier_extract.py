"""Benchmark of `aap dossier extract` (issue: dossiers become facts).

1. Speed: a 15-page text-layer dossier (a folder of 7 PDFs: request, descriptive note,
   two notes, délibération, attestation, and a financing plan and a budget — the 2 pages
   with ruled tables), read and extracted warm (modules imported, one run done before
   timing), pinned to ONE core, median of N runs; the baseline is plain pdfplumber
   `extract_text()` of every page of the same files, same core, median of N.
2. Memory: a 500-page merged PDF through `aap dossier extract --json` in a new process;
   peak resident memory (ru_maxrss of the child), target < 400 MB.

Run: `.venv/bin/python bench/bench_dossier_extract.py [--repeat N] [--pages 500]`.
Prints figures; asserts nothing (targets are read by people, not by tests).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LOREM = (
    "La commune souhaite équiper ses écoles de tablettes et d'un environnement numérique "
    "de travail, former les enseignants et les agents, et ouvrir un service de prêt aux "
    "familles. Le projet s'inscrit dans le schéma départemental des usages numériques et "
    "a été construit avec l'intercommunalité, les directeurs d'école et la médiathèque."
)


def _font() -> str:
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        *map(str, Path(sys.prefix).rglob("DejaVuSans.ttf")),
    ):
        if Path(candidate).is_file():
            return candidate
    raise SystemExit("Police DejaVuSans introuvable (paquet fonts-dejavu-core).")


def _pdf(path: Path, title: str, pages: int, table: list[tuple[str, ...]] | None = None) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("body", fname=_font())
    pdf.add_font("body", style="B", fname=_font().replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(__import__("datetime").datetime(2023, 7, 1))
    pdf.set_auto_page_break(False)  # one logical page = one page, footer included
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("body", size=9)
        pdf.cell(0, 5, "Commune de Saint-Genest-Lerpt — 2 place de l'Hôtel de Ville, 42530")
        pdf.ln(8)
        pdf.set_font("body", size=14)
        pdf.multi_cell(
            0, 8, title if number == 1 else f"{title} (suite)", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("body", size=10)
        if table and number == 1:
            with pdf.table() as grid:
                for row in table:
                    grid.row(row)
        else:
            for _ in range(5):
                pdf.multi_cell(0, 5, LOREM, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
        pdf.set_y(-12)
        pdf.set_font("body", size=8)
        pdf.cell(0, 6, f"Page {number} / {pages}", align="C")
    pdf.output(str(path))


PLAN = [
    ("Dépenses d'investissement", "Montant HT", "Ressources", "Montant"),
    ("Tablettes (30)", "12 600,00 €", "Département de la Loire (sollicité)", "17 600,00 €"),
    ("Logiciels et ENT", "4 800,00 €", "État — DSIL (acquis)", "2 200,00 €"),
    ("Formation des agents", "2 600,00 €", "Autofinancement", "2 200,00 €"),
    ("Paramétrage (prestation)", "2 000,00 €", "", ""),
    ("Total des dépenses", "22 000,00 €", "Total des ressources", "22 000,00 €"),
]
BUDGET = [
    ("Poste", "Quantité", "Prix unitaire HT", "Total HT"),
    ("Tablettes durcies", "30", "420,00 €", "12 600,00 €"),
    ("Licences ENT (3 ans)", "1", "4 800,00 €", "4 800,00 €"),
    ("Total", "", "", "17 400,00 €"),
]


def make_dossier(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    parts = [
        ("Demande de subvention.pdf", "DEMANDE DE SUBVENTION — LOIRE CONNECT 2023", 3, None),
        ("Note descriptive.pdf", "NOTE DESCRIPTIVE DU PROJET", 5, None),
        ("Plan de financement.pdf", "PLAN DE FINANCEMENT PRÉVISIONNEL", 1, PLAN),
        ("Budget.pdf", "BUDGET PRÉVISIONNEL DÉTAILLÉ", 1, BUDGET),
        ("Délibération.pdf", "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS", 2, None),
        ("Notes.pdf", "NOTE NUMÉRIQUE RESPONSABLE ET PROTECTION DES DONNÉES", 2, None),
        ("Attestation.pdf", "ATTESTATION DE NON-COMMENCEMENT", 1, None),
    ]
    paths = []
    for name, title, pages, table in parts:
        _pdf(folder / name, title, pages, table)
        paths.append(folder / name)
    return paths


def pdfplumber_text(paths: list[Path]) -> int:
    import pdfplumber

    chars = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
    return chars


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_long_pdf(path: Path, pages: int) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("body", fname=_font())
    pdf.set_auto_page_break(False)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("body", size=10)
        pdf.multi_cell(0, 5, f"Annexe technique — page {number}", new_x="LMARGIN", new_y="NEXT")
        for _ in range(8):
            pdf.multi_cell(0, 5, LOREM, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-12)
        pdf.cell(0, 6, f"Page {number} / {pages}", align="C")
    pdf.output(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from extractors.dossier.extract import extract_dossier

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dossier"
        paths = make_dossier(folder)
        pages = sum(len(__import__("pypdfium2").PdfDocument(p)) for p in paths)
        extract_dossier(folder)  # warm: imports, first-use caches
        ours = median_time(lambda: extract_dossier(folder), args.repeat)
        base = median_time(lambda: pdfplumber_text(paths), args.repeat)
        print(f"Dossier de {pages} pages ({len(paths)} fichiers, 2 pages à tableaux), 1 cœur :")
        print(f"  aap dossier extract (à chaud, médiane de {args.repeat}) : {ours:.2f} s")
        print(f"  pdfplumber extract_text (médiane de {args.repeat})      : {base:.2f} s")
        print(f"  rapport : {ours / base:.2f}×  (cible : < 1)")

        big = Path(tmp) / "dossier-500-pages.pdf"
        make_long_pdf(big, args.pages)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [str(REPO / ".venv/bin/aap"), "dossier", "extract", str(big), "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        count = len(__import__("pypdfium2").PdfDocument(big))
        print(f"PDF de {count} pages, nouveau processus : {wall:.1f} s")
        print(f"  mémoire maximale : {max(peak, before) / 1024:.0f} Mo (cible : < 400 Mo)")


if __name__ == "__main__":
    main()
