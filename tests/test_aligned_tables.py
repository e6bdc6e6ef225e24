"""Tests of the text-aligned (unruled or partly ruled) tables of PDFs
(`pipeline.documents.aligned_tables`).

The PDFs are generated here with fpdf2: financing plans whose columns are aligned with
tab stops and no ruling line, or with a single rule under the header, and layouts that
must NOT become tables (justified prose, label/value lines, the two-column renditions
of the fixtures). Cells are checked exactly: an amount with a thousands space is one
cell, a wrapped label is one cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.enums import TableBordersLayout

from pipeline.documents import pdf_text, read_document
from pipeline.models import Document

ROOT = Path(__file__).resolve().parents[1]
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NNBSP = "\u202f"  # narrow no-break space, the French thousands separator

HEADER = ["Dépenses", "HT", "TVA", "TTC"]
PLAN = [
    ["Matériel informatique", "10 000,00 €", "2 000,00 €", "12 000,00 €"],
    [
        "Prestations de développement et d'intégration des démarches en ligne",
        "12 500,00 €",
        "2 500,00 €",
        "15 000,00 €",
    ],
    ["Formation des agents", "800,00 €", "160,00 €", "960,00 €"],
    ["Total", "23 300,00 €", "4 660,00 €", "27 960,00 €"],
]
EXPECTED = [HEADER, *PLAN]
BEFORE = "Le plan de financement prévisionnel du projet est le suivant."
AFTER = "Fait à Lyon, le 3 mars 2024."


def new_pdf() -> FPDF:
    pdf = FPDF()
    if FONT.exists():
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.add_font("DejaVu", style="B", fname=str(FONT.with_name("DejaVuSans-Bold.ttf")))
        pdf.set_font("DejaVu", size=10)
    else:
        pdf.core_fonts_encoding = "windows-1252"
        pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    return pdf


def paragraph(pdf: FPDF, text: str, align: str = "L", width: float = 0) -> None:
    pdf.multi_cell(width, 5, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def tab_row(pdf: FPDF, cells: list[str], rule_below: bool = False) -> None:
    """One line of a table set with tab stops: the label at 20 mm, the amounts
    right-aligned on stops at 130, 160 and 195 mm."""
    y = pdf.get_y()
    pdf.set_xy(20, y)
    pdf.cell(80, 5, cells[0])
    for stop, value in zip((130, 160, 195), cells[1:], strict=False):
        if value:
            pdf.set_xy(stop - 30, y)
            pdf.cell(30, 5, value, align="R")
    if rule_below:
        pdf.line(20, y + 5.5, 195, y + 5.5)
    pdf.set_xy(20, y + 6)


def unruled_plan(path: Path, separator: str = " ", rule_under_header: bool = False) -> Path:
    """Tab-stop columns, the long label wrapped by hand onto a second line with empty
    amount cells (as a word processor does), a total line, prose around."""
    pdf = new_pdf()
    paragraph(pdf, BEFORE)
    tab_row(pdf, HEADER, rule_below=rule_under_header)
    for cells in PLAN:
        amounts = [value.replace(" ", separator) for value in cells[1:]]
        label = cells[0]
        if label.startswith("Prestations"):
            tab_row(pdf, ["Prestations de développement et", *amounts])
            tab_row(pdf, ["d'intégration des démarches en ligne"])
        else:
            tab_row(pdf, [label, *amounts])
    pdf.ln(4)
    paragraph(pdf, AFTER)
    paragraph(pdf, "Le maire,")
    pdf.output(str(path))
    return path


def table_plan(path: Path, v_align: str) -> Path:
    """fpdf2's table with a single rule under the header (partly ruled); the long label
    wraps inside its cell, the amounts aligned at its top, middle or bottom."""
    pdf = new_pdf()
    paragraph(pdf, BEFORE)
    with pdf.table(
        borders_layout=TableBordersLayout.SINGLE_TOP_LINE,
        col_widths=(70, 35, 35, 35),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        v_align=v_align,
        line_height=6,
    ) as table:
        for cells in EXPECTED:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    paragraph(pdf, AFTER)
    paragraph(pdf, "Le maire,")
    pdf.output(str(path))
    return path


def table_rows(doc: Document) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "table_row"]


def assert_plan(doc: Document) -> None:
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.page == 1
    assert table.rows == EXPECTED
    assert doc.pages[0].has_tables
    rows = table_rows(doc)
    assert len(rows) == len(EXPECTED)  # one table_row block per row, wrapped label included
    assert rows[2].startswith("Prestations de développement et")
    assert "d'intégration des démarches en ligne" in rows[2]
    assert table.start is not None and table.end is not None
    assert doc.text[table.start : table.end].startswith("Dépenses")
    assert doc.text[table.start : table.end].endswith("27 960,00 €")
    # The prose around the table stays prose.
    paragraphs = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "paragraph"]
    assert BEFORE in paragraphs and AFTER in paragraphs and "Le maire," in paragraphs
    for block in doc.blocks:
        assert doc.evidence(block.start, block.end).quote == doc.text[block.start : block.end]


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("separator", [" ", NNBSP], ids=["space", "narrow-nbsp"])
def test_unruled_plan_cells(tmp_path: Path, separator: str) -> None:
    doc = read_document(unruled_plan(tmp_path / "plan.pdf", separator))
    assert_plan(doc)


def test_plan_with_a_rule_under_the_header_only(tmp_path: Path) -> None:
    doc = read_document(unruled_plan(tmp_path / "plan.pdf", rule_under_header=True))
    assert_plan(doc)


@pytest.mark.parametrize("v_align", ["TOP", "MIDDLE", "BOTTOM"])
def test_partly_ruled_table_with_wrapped_cell(tmp_path: Path, v_align: str) -> None:
    """The label wraps inside its cell and pdfium gives the amounts as a line of their
    own, before, between or after the label's lines."""
    doc = read_document(table_plan(tmp_path / "plan.pdf", v_align))
    assert_plan(doc)


def test_two_column_plan_of_amounts(tmp_path: Path) -> None:
    """ "Dépenses | Montant" has one column gap only: a table because every row ends on
    an amount."""
    pdf = new_pdf()
    paragraph(pdf, BEFORE)
    rows = [
        ["Dépenses", "Montant HT"],
        ["Licence de la plateforme (3 ans)", "36 000,00 €"],
        ["Intégration et connecteurs", "42 000,00 €"],
        ["Formation des agents", "6 500,00 €"],
        ["Total des dépenses", "84 500,00 €"],
    ]
    for cells in rows:
        tab_row(pdf, [cells[0], "", "", cells[1]])
    path = tmp_path / "plan.pdf"
    pdf.output(str(path))
    doc = read_document(path)
    assert [table.rows for table in doc.tables] == [rows]


def test_charges_and_resources_in_the_same_columns_are_two_tables(tmp_path: Path) -> None:
    pdf = new_pdf()
    charges = [
        ["CHARGES", "Nature", "", "Montant"],
        ["Ordinateurs portables", "Investissement", "", "4 800,00 €"],
        ["Formation des bénévoles", "Fonctionnement", "", "2 400,00 €"],
        ["TOTAL DES CHARGES", "", "", "7 200,00 €"],
    ]
    resources = [
        ["PRODUITS", "Situation", "", "Montant"],
        ["Région Pays de la Loire", "demandé", "", "3 600,00 €"],
        ["Fonds propres", "", "", "3 600,00 €"],
        ["TOTAL DES PRODUITS", "", "", "7 200,00 €"],
    ]
    for cells in charges + resources:
        tab_row(pdf, cells)
    path = tmp_path / "plan.pdf"
    pdf.output(str(path))
    doc = read_document(path)

    def compact(rows: list[list[str]]) -> list[list[str | None]]:
        return [[cells[0], cells[1] or None, cells[3]] for cells in rows]

    assert [table.rows for table in doc.tables] == [compact(charges), compact(resources)]


# --------------------------------------------------------------------------- not tables

PROSE = (
    "Le présent appel à projets vise à accompagner la transformation numérique des "
    "services publics locaux, dans une démarche sobre et responsable, au bénéfice des "
    "habitants du territoire. Les projets retenus bénéficient d'une subvention "
    "d'investissement plafonnée à 25 000 € par projet, dans la limite de 80 % des "
    "dépenses éligibles hors taxes. Les dossiers complets sont instruits par les services "
    "de la Région, qui peuvent demander toute pièce complémentaire utile à l'instruction."
)


def test_justified_prose_is_not_a_table(tmp_path: Path) -> None:
    pdf = new_pdf()
    paragraph(pdf, PROSE, align="J")
    # A narrow justified column stretches the spaces of lines with few long words.
    paragraph(pdf, PROSE.replace("services", "intercommunalités"), align="J", width=45)
    paragraph(pdf, PROSE, align="J", width=70)
    path = tmp_path / "prose.pdf"
    pdf.output(str(path))
    doc = read_document(path)
    assert doc.tables == []
    assert table_rows(doc) == []


def test_label_value_lines_are_not_a_table(tmp_path: Path) -> None:
    pdf = new_pdf()
    for label, value in [
        ("Date limite de dépôt :", "15 mars 2024"),
        ("Service instructeur :", "Direction du numérique"),
        ("Contact :", "aap@region-exemple.fr"),
        ("Référence :", "AAP-2024-NUM"),
    ]:
        tab_row(pdf, [label, "", "", value])
    path = tmp_path / "fiche.pdf"
    pdf.output(str(path))
    assert read_document(path).tables == []


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "fixtures/calls/pdl-innovation-numerique/renditions/notice-two-columns.pdf",
        ROOT / "fixtures/documents/deux_colonnes.pdf",
        ROOT / "fixtures/documents/lettre_sans_tableau.pdf",
        ROOT / "fixtures/calls/bfc-feder-e-gouvernement/renditions/notice-sheet.pdf",
        ROOT / "fixtures/calls/occitanie-fnadt-tiers-lieux-2024/notice.pdf",
    ],
    ids=lambda path: path.name,
)
def test_pages_without_tables_get_none(path: Path) -> None:
    doc = read_document(path)
    assert doc.tables == []
    assert table_rows(doc) == []


def test_ruled_tables_of_the_renditions_are_unchanged() -> None:
    """Pages with ruled tables: only pdfplumber's tables, no extra one found beside."""
    doc = read_document(ROOT / "fixtures/calls/loire-connect-2023/renditions/notice-paged.pdf")
    assert len(doc.tables) == 1
    assert doc.tables[0].rows[0][0] is not None
    sample = read_document(ROOT / "fixtures/documents/notice_3pages.pdf")
    assert len(sample.tables) == 1 and sample.tables[0].rows[0] == [
        "Poste de dépense",
        "Montant HT",
        "Taux",
    ]


def test_prose_pages_are_not_positioned_word_by_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path stays fast: a page of prose costs two box lookups a line, not two a
    word."""
    calls: list[int] = []
    real = pdf_text._position_words

    def spy(*args: object) -> None:
        calls.append(1)
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf_text, "_position_words", spy)
    read_document(ROOT / "fixtures/documents/lettre_sans_tableau.pdf")
    read_document(ROOT / "fixtures/documents/deux_colonnes.pdf")
    assert calls == []
