"""Benchmark of OCR in the document reader (`read_document(path, ocr=True)`).

Times, on this machine, the whole read (render, Tesseract, layout) of:
- a 1-page scan (PNG, 200 dpi, turned 0.5°, light noise) of a typed délibération;
- a 3-page image-only PDF of the same kind of scans;
and, for the PDFs, the page rendering resolution: the scan's own (200 dpi here, the
reader's choice, bounded by `ocr.OCR_MIN_DPI`..`ocr.OCR_DPI`) against 300 dpi, also on a
page of 7 and 8 pt print. Each line gives the median time per OCR'd page over N runs and
the share of the typed words found again in the OCR'd text (a rough accuracy, not a
character error rate). Also a 60 dpi scan read as is and upscaled (`ocr.UPSCALE_TO_DPI`).

Run: `.venv/bin/python bench/bench_ocr.py [--repeat N]`. Prints a table; nothing is asserted.
Needs Tesseract (Debian packages tesseract-ocr, tesseract-ocr-fra).
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PAGES = [
    [
        "Délibération n° 2024-015 du conseil municipal",
        "Séance du 12 février 2024. Le conseil municipal de la commune de Saint-Étienne, "
        "régulièrement convoqué, s'est réuni sous la présidence de Mme Hélène Durand, maire.",
        "Objet : demande de subvention pour l'équipement numérique des écoles élémentaires. "
        "Le montant total du projet s'élève à 12 500,00 € HT, dont 8 000,00 € de matériel.",
        "Après en avoir délibéré, le conseil approuve le plan de financement et autorise le "
        "maire à signer tout document nécessaire à l'exécution de la présente délibération.",
        "Coordonnées bancaires : IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP.",
    ],
    [
        "Annexe 1 — Note descriptive du projet",
        "Le projet consiste à équiper les six écoles élémentaires de la commune de tableaux "
        "numériques interactifs, de classes mobiles de tablettes et d'un réseau sans fil "
        "sécurisé. Les équipements reconditionnés sont privilégiés lorsque c'est possible.",
        "Calendrier : commande en mars 2024, installation pendant les vacances de printemps, "
        "formation des enseignants en mai et juin 2024, bilan à la rentrée de septembre.",
    ],
    [
        "Annexe 2 — Attestation de non-commencement",
        "Je soussignée, Hélène Durand, maire de Saint-Étienne, atteste que le projet n'a "
        "reçu aucun commencement d'exécution à la date de dépôt de la demande.",
        "Fait à Saint-Étienne, le 14 février 2024.",
    ],
]


def _new_pdf() -> tuple:  # type: ignore[type-arg]
    from fpdf import FPDF

    pdf = FPDF()
    if FONT.exists():
        pdf.add_font("body", fname=str(FONT))
        return pdf, "body"
    pdf.core_fonts_encoding = "windows-1252"
    return pdf, "Helvetica"


def typed_pdf(path: Path, pages: list[list[str]]) -> None:
    pdf, family = _new_pdf()
    for texts in pages:
        pdf.add_page()
        pdf.set_font(family, size=15)
        pdf.multi_cell(0, 9, texts[0], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(family, size=11)
        for text in texts[1:]:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))


def small_print_pdf(path: Path) -> str:
    """One page of every text at 7 then 8 pt; returns the text typed."""
    pdf, family = _new_pdf()
    pdf.add_page()
    texts = [text for page in PAGES for text in page]
    for size in (7, 8):
        pdf.set_font(family, size=size)
        for text in texts:
            pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return "\n".join(texts * 2)


def scans(source: Path, dpi: int = 200) -> list:  # type: ignore[type-arg]
    import pypdfium2 as pdfium
    from PIL import Image, ImageChops

    document = pdfium.PdfDocument(str(source))
    images = []
    for page in document:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(0.5, resample=Image.Resampling.BICUBIC, fillcolor=255)
        images.append(ImageChops.add(image, Image.effect_noise(image.size, 10), offset=-128))
        page.close()
    document.close()
    return images


def image_pdf(path: Path, images: list, dpi: int = 200) -> None:  # type: ignore[type-arg]
    from fpdf import FPDF

    pdf = FPDF()
    for image in images:
        width, height = image.width / dpi * 25.4, image.height / dpi * 25.4
        pdf.add_page(format=(width, height))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        pdf.image(buffer, x=0, y=0, w=width, h=height)
    pdf.output(str(path))


def word_recall(expected: str, got: str) -> float:
    """Share of the typed words found again in the OCR'd text (multiset)."""
    found = Counter(re.findall(r"\w+", got))
    words = re.findall(r"\w+", expected)
    hits = 0
    for word in words:
        if found[word] > 0:
            hits += 1
            found[word] -= 1
    return hits / len(words)


def measure(path: Path, expected: str, repeat: int) -> tuple[float, float, int]:
    """Median seconds per OCR'd page, word recall, pages."""
    from pipeline.documents import read_document

    times, doc = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        doc = read_document(path, ocr=True)
        times.append(time.perf_counter() - start)
    assert doc is not None
    pages = sum(1 for page in doc.pages if page.ocr)
    return statistics.median(times) / pages, word_recall(expected, doc.text), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pipeline.documents import ocr

    rows: list[tuple[str, float, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        typed_pdf(work / "one.pdf", PAGES[:1])
        typed_pdf(work / "three.pdf", PAGES)
        one_text = "\n".join(PAGES[0])
        all_text = "\n".join(text for page in PAGES for text in page)

        png = work / "scan.png"
        scans(work / "one.pdf")[0].save(png, dpi=(200, 200))
        rows.append(("1-page scan, PNG 200 dpi", *measure(png, one_text, args.repeat)))

        pdf = work / "scan3.pdf"
        image_pdf(pdf, scans(work / "three.pdf"))
        small = work / "small.pdf"
        small_text = small_print_pdf(work / "small_typed.pdf")
        image_pdf(small, scans(work / "small_typed.pdf"))
        lowest = ocr.OCR_MIN_DPI
        for label, path, expected in (
            ("3-page image PDF", pdf, all_text),
            ("7-8 pt print, image PDF", small, small_text),
        ):
            ocr.OCR_MIN_DPI = lowest
            rows.append((f"{label}, scan's 200 dpi", *measure(path, expected, args.repeat)))
            ocr.OCR_MIN_DPI = ocr.OCR_DPI
            rows.append((f"{label}, at {ocr.OCR_DPI} dpi", *measure(path, expected, args.repeat)))
        ocr.OCR_MIN_DPI = lowest

        low = work / "scan60.png"
        scans(work / "one.pdf", dpi=60)[0].save(low, dpi=(60, 60))
        rows.append(
            (f"1-page scan, 60 dpi, upscaled to {ocr.UPSCALE_TO_DPI}", *measure(low, one_text, 1))
        )
        below = ocr.UPSCALE_BELOW_DPI
        ocr.UPSCALE_BELOW_DPI = 0
        rows.append(("1-page scan, 60 dpi, read as is", *measure(low, one_text, 1)))
        ocr.UPSCALE_BELOW_DPI = below

    print(f"OCR benchmark (median of {args.repeat} runs; Tesseract, lang {ocr.OCR_LANG})")
    print(f"{'input':45s} {'s/page':>8s} {'words found':>12s} {'pages':>6s}")
    for label, seconds, recall, pages in rows:
        print(f"{label:45s} {seconds:8.2f} {recall:11.1%} {pages:6d}")


if __name__ == "__main__":
    main()
