"""Tests of OCR in `pipeline.documents` (`read_document(..., ocr=True)`).

Every input is generated here: a typed délibération (fpdf2, French text with accents,
an IBAN, an amount, a date) rendered with pypdfium2 at 200 dpi, turned 0.5° and lightly
noised like an office scan, saved as PNG, JPEG, TIFF or an image-only PDF. Tesseract
runs for real: it must be installed (`make install` installs the Debian packages
tesseract-ocr and tesseract-ocr-fra).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytesseract
import pytest
from fpdf import FPDF
from PIL import Image, ImageChops

from pipeline.documents import ocr as ocr_module
from pipeline.documents import read_document
from pipeline.errors import ImageTooLargeError, NoTextLayerError, OcrUnavailableError
from pipeline.models import Document

pytestmark = pytest.mark.slow

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SCAN_DPI = 200

TITLE = "Délibération n° 2024-015 du conseil municipal"
PARAGRAPHS = [
    "Séance du 12 février 2024. Le conseil municipal de la commune de Saint-Étienne, "
    "régulièrement convoqué, s'est réuni sous la présidence de Mme Hélène Durand, maire.",
    "Objet : demande de subvention pour l'équipement numérique des écoles élémentaires. "
    "Le montant total du projet s'élève à 12 500,00 € HT.",
    "Après en avoir délibéré, le conseil approuve le plan de financement et autorise le "
    "maire à signer tout document nécessaire.",
    "Coordonnées bancaires : IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP.",
]
IBAN = "FR7630006000011234567890189"
WORDS = ["Délibération", "février", "régulièrement", "présidence", "élémentaires", "Hélène"]


@pytest.fixture(autouse=True)
def _tesseract_installed(request: pytest.FixtureRequest) -> None:
    if request.node.name.startswith("test_missing_tesseract"):
        return
    if shutil.which("tesseract") is None:
        pytest.fail(
            "Tesseract est absent : installez les paquets Debian tesseract-ocr et "
            "tesseract-ocr-fra (make install) pour lancer les tests d'OCR."
        )


# --------------------------------------------------------------------------- inputs


def _new_pdf() -> FPDF:
    pdf = FPDF()
    if FONT.exists():
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.add_font("DejaVu", style="B", fname=str(FONT.with_name("DejaVuSans-Bold.ttf")))
        pdf.set_font("DejaVu", size=11)
    else:  # core font: cp1252 still covers the accents and €
        pdf.core_fonts_encoding = "windows-1252"
        pdf.set_font("Helvetica", size=11)
    return pdf


def _write_deliberation(pdf: FPDF) -> None:
    pdf.add_page()
    family = pdf.font_family
    pdf.set_font(family, style="B", size=15)
    pdf.multi_cell(0, 9, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=11)
    for paragraph in PARAGRAPHS:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def typed_pdf(path: Path, pages: int = 1) -> Path:
    pdf = _new_pdf()
    _write_deliberation(pdf)
    for number in range(2, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Annexe {number} : calendrier prévisionnel du projet, juin 2024.")
    pdf.output(str(path))
    return path


def scan_images(source: Path, angle: float = 0.5) -> list[Image.Image]:
    """Each page of `source` as an office scanner would give it: 200 dpi, greyscale,
    slightly turned, light noise."""
    document = pdfium.PdfDocument(str(source))
    images = []
    try:
        for page in document:
            image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
            image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
            noise = Image.effect_noise(image.size, 10)
            images.append(ImageChops.add(image, noise, offset=-128))
            page.close()
    finally:
        document.close()
    return images


def save_image(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, dpi=(SCAN_DPI, SCAN_DPI), **options)
    return path


def image_pdf(images: list[Image.Image], path: Path, typed_first: bool = False) -> Path:
    """An image-only PDF, one scan a page; with `typed_first`, a typed page before them
    (a merged dossier: a text piece then a scanned délibération)."""
    pdf = _new_pdf()
    if typed_first:
        pdf.add_page()
        pdf.multi_cell(0, 6, "Lettre de demande de subvention de la commune de Saint-Étienne.")
    for image in images:
        width_mm = image.width / SCAN_DPI * 25.4
        height_mm = image.height / SCAN_DPI * 25.4
        pdf.add_page(format=(width_mm, height_mm))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        pdf.image(buffer, x=0, y=0, w=width_mm, h=height_mm)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr")


@pytest.fixture(scope="module")
def typed(work: Path) -> Path:
    return typed_pdf(work / "deliberation.pdf")


@pytest.fixture(scope="module")
def scan(typed: Path) -> Image.Image:
    return scan_images(typed)[0]


@pytest.fixture(scope="module")
def png(work: Path, scan: Image.Image) -> Path:
    return save_image(scan, work / "scan.png")


@pytest.fixture(scope="module")
def png_doc(png: Path) -> Document:
    return read_document(png, ocr=True)


# --------------------------------------------------------------------------- helpers


def assert_consistent(doc: Document) -> None:
    """Pages, blocks and evidence agree with the text, as for any Document."""
    previous_end = 0
    for page in doc.pages:
        assert previous_end <= page.start <= page.end <= len(doc.text)
        previous_end = page.end
    previous_end = 0
    for block in doc.blocks:
        quote = doc.text[block.start : block.end]
        assert quote and quote == quote.strip(), block
        assert block.start >= previous_end
        previous_end = block.end
        page = doc.pages[block.page - 1]
        assert page.start <= block.start and block.end <= page.end
        evidence = doc.evidence(block.start, block.end)
        assert evidence.quote == quote and evidence.page == block.page
    assert Document.model_validate_json(doc.model_dump_json()) == doc


def assert_reads_the_deliberation(text: str) -> None:
    for word in WORDS:
        assert word in text, word
    assert "12 500,00 €" in text
    assert "12 février 2024" in text
    assert IBAN in re.sub(r"\s", "", text)


# --------------------------------------------------------------------------- images


def test_png_scan_is_read_by_ocr(png_doc: Document) -> None:
    assert png_doc.source_kind == "image"
    assert len(png_doc.pages) == 1
    page = png_doc.pages[0]
    assert page.ocr is True
    assert page.ocr_confidence is not None and 0.75 <= page.ocr_confidence <= 1
    assert_reads_the_deliberation(png_doc.text)
    assert_consistent(png_doc)


def test_ocr_lines_become_blocks(png_doc: Document) -> None:
    """The line → block machinery works on OCR'd lines: a larger title is a heading,
    each paragraph one block even though it wraps over several lines."""
    texts = [(b.kind, png_doc.text[b.start : b.end]) for b in png_doc.blocks]
    assert texts[0][0] == "heading"
    assert "Délibération" in texts[0][1]
    paragraphs = [text for kind, text in texts if kind == "paragraph"]
    assert len(paragraphs) == len(PARAGRAPHS)
    assert paragraphs[0].startswith("Séance du 12 février 2024")
    assert paragraphs[0].endswith("maire.") and "\n" in paragraphs[0]
    iban_block = next(text for text in paragraphs if "IBAN" in text)
    assert IBAN in iban_block.replace(" ", "")


def test_ocr_warning_names_the_page_and_confidence(png_doc: Document) -> None:
    assert len(png_doc.warnings) == 1
    percent = round(png_doc.pages[0].ocr_confidence * 100)  # type: ignore[operator]
    assert png_doc.warnings[0] == (
        "Page 1 de « scan.png » lue par reconnaissance de caractères (OCR), confiance "
        f"moyenne {percent} %."
    )


def test_jpeg_scan_is_read_by_ocr(work: Path, scan: Image.Image) -> None:
    path = save_image(scan, work / "scan.jpg", quality=80)
    doc = read_document(path, ocr=True)
    assert doc.source_kind == "image"
    assert doc.pages[0].ocr
    assert_reads_the_deliberation(doc.text)
    assert_consistent(doc)


def test_images_without_ocr_are_still_refused(png: Path) -> None:
    with pytest.raises(NoTextLayerError, match="OCR"):
        read_document(png)


def test_multi_page_tiff_gives_one_page_per_frame(work: Path) -> None:
    first, second = scan_images(typed_pdf(work / "deux_pages.pdf", pages=2))
    path = work / "scan.tiff"
    first.save(path, dpi=(SCAN_DPI, SCAN_DPI), save_all=True, append_images=[second])
    doc = read_document(path, ocr=True)
    assert [page.number for page in doc.pages] == [1, 2]
    assert all(page.ocr for page in doc.pages)
    assert "Délibération" in doc.text[doc.pages[0].start : doc.pages[0].end]
    assert "calendrier prévisionnel" in doc.text[doc.pages[1].start : doc.pages[1].end]
    assert [w[:7] for w in doc.warnings] == ["Page 1 ", "Page 2 "]
    assert_consistent(doc)


@pytest.mark.parametrize("angle", [180, 90])
def test_page_scanned_upside_down_or_sideways_is_turned(
    work: Path, typed: Path, angle: int
) -> None:
    image = scan_images(typed, angle=0.5)[0].rotate(angle, expand=True)
    path = save_image(image, work / f"turned{angle}.png")
    doc = read_document(path, ocr=True)
    assert_reads_the_deliberation(doc.text)
    assert doc.pages[0].ocr_confidence is not None and doc.pages[0].ocr_confidence > 0.75


def test_blank_scan_is_an_unreadable_scan(work: Path) -> None:
    path = work / "blanc.png"
    Image.new("L", (1654, 2339), 250).save(path, dpi=(SCAN_DPI, SCAN_DPI))
    with pytest.raises(NoTextLayerError) as info:
        read_document(path, ocr=True)
    assert info.value.code == "no_text_layer"
    assert "« blanc.png »" in info.value.message
    assert "illisible" in info.value.message


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_large_image_is_downscaled_before_ocr(
    monkeypatch: pytest.MonkeyPatch, work: Path, scan: Image.Image, suffix: str
) -> None:
    """Above MAX_OCR_PIXELS the image is downscaled (a JPEG already while decoded)."""
    path = save_image(scan, work / f"grand{suffix}")
    sizes: list[tuple[int, int]] = []
    real = pytesseract.image_to_data

    def spy(image: Image.Image, *args: object, **kwargs: object) -> object:
        sizes.append(image.size)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(ocr_module, "MAX_OCR_PIXELS", 2_000_000)
    monkeypatch.setattr(pytesseract, "image_to_data", spy)
    doc = read_document(path, ocr=True)
    assert sizes and all(width * height <= 2_000_000 for width, height in sizes)
    assert scan.width * scan.height > 2_000_000
    assert "Délibération" in doc.text


def test_decompression_bomb_guard_stays_on(monkeypatch: pytest.MonkeyPatch, png: Path) -> None:
    assert Image.MAX_IMAGE_PIXELS is not None
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    with pytest.raises(ImageTooLargeError) as info:
        read_document(png, ocr=True)
    assert info.value.code == "image_too_large"
    assert "« scan.png »" in info.value.message


# --------------------------------------------------------------------------- PDFs


def test_image_only_pdf_is_read_by_ocr(work: Path, scan: Image.Image) -> None:
    path = image_pdf([scan], work / "scan0003.pdf")
    doc = read_document(path, ocr=True)
    assert doc.source_kind == "pdf"
    assert doc.pages[0].ocr and doc.pages[0].ocr_confidence
    assert_reads_the_deliberation(doc.text)
    assert_consistent(doc)
    assert doc.warnings[0].startswith("Page 1 de « scan0003.pdf » lue par reconnaissance")
    with pytest.raises(NoTextLayerError):
        read_document(path)  # without OCR: unchanged


def test_merged_pdf_keeps_the_text_layer_and_ocrs_the_scan(work: Path, scan: Image.Image) -> None:
    path = image_pdf([scan], work / "dossier.pdf", typed_first=True)
    doc = read_document(path, ocr=True)
    first, second = doc.pages
    assert (first.ocr, first.ocr_confidence) == (False, None)
    assert second.ocr and second.ocr_confidence
    assert doc.text[first.start : first.end] == (
        "Lettre de demande de subvention de la commune de Saint-Étienne."
    )
    assert_reads_the_deliberation(doc.text[second.start : second.end])
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("Page 2 de « dossier.pdf »")
    assert {
        block.page for block in doc.blocks if "Délibération" in doc.text[block.start : block.end]
    } == {2}
    assert_consistent(doc)
    # Without OCR the scanned page is only warned about, as before.
    plain = read_document(path)
    assert [page.ocr for page in plain.pages] == [False, False]
    assert "ne contient qu'une image" in plain.warnings[0]


def test_ocr_timeout_leaves_the_page_unread_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, work: Path, scan: Image.Image
) -> None:
    path = image_pdf([scan], work / "lent.pdf", typed_first=True)
    monkeypatch.setattr(ocr_module, "OCR_TIMEOUT_S", 0.001)
    doc = read_document(path, ocr=True)
    assert doc.text.startswith("Lettre de demande")
    assert doc.pages[1].ocr and doc.pages[1].ocr_confidence is None
    assert doc.pages[1].start == doc.pages[1].end
    assert len(doc.warnings) == 1
    assert "La page 2 de « lent.pdf »" in doc.warnings[0] and "secondes" in doc.warnings[0]


def test_scanned_financing_plan_gives_a_table(work: Path) -> None:
    """Text-aligned tables are found on OCR'd pages too (word boxes are there)."""
    pdf = _new_pdf()
    pdf.add_page()
    family = pdf.font_family
    pdf.set_font(family, size=11)
    rows = [
        ("Dépenses", "Montant HT", "TVA"),
        ("Matériel informatique", "10 000,00 €", "2 000,00 €"),
        ("Prestations de service", "5 000,00 €", "1 000,00 €"),
        ("Total", "15 000,00 €", "3 000,00 €"),
    ]
    for row in rows:
        y = pdf.get_y()
        pdf.set_x(20)
        pdf.cell(70, 7, row[0])
        for index, value in enumerate(row[1:]):
            pdf.set_xy(100 + index * 45, y)
            pdf.cell(40, 7, value, align="R")
        pdf.set_xy(20, y + 7)
    source = work / "plan.pdf"
    pdf.output(str(source))
    path = save_image(scan_images(source)[0], work / "plan.png")
    doc = read_document(path, ocr=True)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [row[1:] for row in table.rows[1:]] == [list(row[1:]) for row in rows[1:]]
    assert table.rows[3][0] == "Total"
    assert doc.pages[0].has_tables
    assert sum(1 for block in doc.blocks if block.kind == "table_row") == 4


def test_scanned_two_column_plan_with_sections_gives_a_table(work: Path) -> None:
    """ "Dépenses | Montant" with section rows and a total: Tesseract may set an amount
    apart in a block of its own; it is put back on its row."""
    pdf = _new_pdf()
    pdf.add_page()
    pdf.set_font(pdf.font_family, size=9)
    pdf.multi_cell(0, 6, "Plan de financement du projet. Montants en euros hors taxes.")
    pdf.ln(4)
    rows = [
        ["DÉPENSES", "Montant HT"],
        ["Investissement", None],
        ["Licence plateforme e-achats (3 ans)", "36 000,00 €"],
        ["Intégration ERP et connecteurs EDI", "42 000,00 €"],
        ["Postes de travail portables (5)", "8 500,00 €"],
        ["Fonctionnement", None],
        ["Formation des acheteurs et comptables", "6 500,00 €"],
        ["Total des dépenses", "93 000,00 €"],
    ]
    for label, value in rows:
        y = pdf.get_y()
        pdf.set_xy(22, y)
        pdf.cell(100, 7, label)
        if value:
            pdf.set_xy(150, y)
            pdf.cell(38, 7, value, align="R")
        pdf.set_xy(22, y + 7)
    source = work / "plan2.pdf"
    pdf.output(str(source))
    doc = read_document(save_image(scan_images(source)[0], work / "plan2.png"), ocr=True)
    assert [table.rows for table in doc.tables] == [rows]
    assert "Total des dépenses 93 000,00 €" in doc.text.splitlines()


def _tsv_line(block: int, line: int, text: str, left: int) -> list[ocr_module._Tsv]:
    """The words of one Tesseract line, 60 px apart vertically per line number."""
    words = []
    for word in text.split():
        words.append(ocr_module._Tsv((block, 1, line), word, left, 470 + 60 * line, 0, 30, 95))
        words[-1].width = 22 * len(word)
        left += words[-1].width + 12
    return words


def _lines_of(*blocks: list[list[ocr_module._Tsv]]) -> dict:  # type: ignore[type-arg]
    return {line[0].key: line for block in blocks for line in block}


def test_side_column_of_amounts_is_joined_to_its_rows() -> None:
    labels = [_tsv_line(1, n, f"Poste de dépense {n}", 100) for n in range(1, 5)]
    amounts = [_tsv_line(2, n, f"{n} 000,00 €", 1500) for n in range(1, 5)]
    joined = ocr_module._join_side_columns(_lines_of(labels, amounts), 0.0)
    assert [" ".join(w.text for w in words) for words in joined.values()] == [
        f"Poste de dépense {n} {n} 000,00 €" for n in range(1, 5)
    ]


def test_columns_of_prose_are_not_joined() -> None:
    """A two-column page, its right column full of dates, and a narrow side column of
    prose without digits stay as Tesseract read them."""
    left = [
        _tsv_line(1, n, "les communes et leurs groupements du territoire", 100) for n in range(6)
    ]
    right = [
        _tsv_line(2, n, f"au plus tard le {n + 10} mars 2024 pour les communes", 1150)
        for n in range(6)
    ]
    side = [_tsv_line(3, n, "Le maire adjoint", 2000) for n in range(6)]
    by_line = _lines_of(left, right, side)
    assert ocr_module._join_side_columns(by_line, 0.0) == by_line


# --------------------------------------------------------------------------- Tesseract missing


def test_missing_tesseract_is_ocr_unavailable(
    monkeypatch: pytest.MonkeyPatch, work: Path, typed: Path, scan: Image.Image
) -> None:
    png = save_image(scan, work / "rib.png")
    pdf = image_pdf([scan], work / "rib.pdf")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(work / "pas-de-tesseract"))
    for path in (png, pdf):
        with pytest.raises(OcrUnavailableError) as info:
            read_document(path, ocr=True)
        error = info.value
        assert error.code == "ocr_unavailable"
        assert f"« {path.name} »" in error.message
        assert "vérifiée à la main" in error.message
        assert "tesseract-ocr" in error.hint and "tesseract-ocr-fra" in error.hint
    # A PDF with a text layer needs no OCR: it is read as usual.
    assert "Délibération" in read_document(typed, ocr=True).text
