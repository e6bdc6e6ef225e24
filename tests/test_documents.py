"""Tests of `pipeline.documents` (reading files into Documents) and `pipeline.errors`.

Good samples come from `fixtures/documents/make_samples.py`, broken files from
`fixtures/broken/make_broken.py`; both are real files, not mocks. A few extra variants
(renamed files, re-encoded text) are derived from them in `tmp_path`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import pickle
import zipfile
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import documents
from pipeline.documents import read_document, sniff
from pipeline.errors import (
    ALL_ERRORS,
    DamagedDocxError,
    DamagedPdfError,
    DocumentError,
    EmptyFileError,
    EncryptedDocxError,
    EncryptedPdfError,
    FormatMismatchError,
    NoTextLayerError,
    NotFoundError,
    UnsupportedFormatError,
)
from pipeline.models import Document
from pipeline.text import normalise

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "documents"
BROKEN = ROOT / "fixtures" / "broken"
SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))
CALL_NOTICES = sorted((ROOT / "fixtures" / "calls").glob("*/notice.txt"))

PDF = SAMPLES / "notice_3pages.pdf"
LETTER = SAMPLES / "lettre_sans_tableau.pdf"
FORM = SAMPLES / "formulaire.pdf"
DOCX = SAMPLES / "notice.docx"
HTML = SAMPLES / "page.html"
TXT = SAMPLES / "notice_crlf.txt"
GOOD_SAMPLES = [PDF, LETTER, FORM, DOCX, HTML, TXT, SAMPLES / "deux_colonnes.pdf"]


# --------------------------------------------------------------------------- helpers


def block_texts(doc: Document, kind: str) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind == kind]


def headings(doc: Document) -> dict[str, int | None]:
    return {doc.text[b.start : b.end]: b.level for b in doc.blocks if b.kind == "heading"}


def assert_consistent(doc: Document, path: Path) -> None:
    """The invariants every Document must keep, whatever its format."""
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    previous_end = 0
    for page in doc.pages:
        assert previous_end <= page.start <= page.end <= len(doc.text)
        previous_end = page.end
    previous_end = 0
    for block in doc.blocks:
        quote = doc.text[block.start : block.end]
        assert quote and quote == quote.strip(), block
        assert block.start >= previous_end, "blocks overlap or are out of reading order"
        previous_end = block.end
        page = doc.pages[block.page - 1]
        assert page.start <= block.start and block.end <= page.end
        evidence = doc.evidence(block.start, block.end)
        assert evidence.quote == quote
        assert evidence.page == block.page
        assert evidence.document == doc.name
    assert Document.model_validate_json(doc.model_dump_json()) == doc


@pytest.fixture(scope="module")
def pdf_doc() -> Document:
    return read_document(PDF)


@pytest.fixture(scope="module")
def docx_doc() -> Document:
    return read_document(DOCX)


@pytest.fixture(scope="module")
def html_doc() -> Document:
    return read_document(HTML)


@pytest.fixture(scope="module")
def txt_doc() -> Document:
    return read_document(TXT)


# --------------------------------------------------------------------------- all samples


@pytest.mark.parametrize("path", GOOD_SAMPLES, ids=lambda p: p.name)
def test_every_sample_is_consistent(path: Path) -> None:
    doc = read_document(path)
    assert doc.name == path.name
    assert doc.path == str(path)
    assert not doc.warnings
    assert_consistent(doc, path)


def test_display_name_is_used(tmp_path: Path) -> None:
    doc = read_document(TXT, name="Pièce 3 - notice.txt")
    assert doc.name == "Pièce 3 - notice.txt"
    assert doc.evidence(0, 5).document == "Pièce 3 - notice.txt"
    with pytest.raises(EmptyFileError) as info:
        read_document(BROKEN / "empty.pdf", name="Délibération.pdf")
    assert "Délibération.pdf" in info.value.message


@pytest.mark.parametrize(
    ("path", "kind"),
    [(PDF, "pdf"), (FORM, "pdf"), (DOCX, "docx"), (HTML, "html"), (TXT, "txt")],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_sniff_good_samples(path: Path, kind: str) -> None:
    assert sniff(path) == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("encrypted.pdf", "pdf"),
        ("truncated.pdf", "pdf"),
        ("empty.pdf", "empty"),
        ("not_really.pdf", "txt"),
        ("image.png", "image"),
        ("tableur.xlsx", "xlsx"),
        ("ancien_word.doc", "ole2"),
        ("damaged.docx", "docx"),
        ("garbage.bin", "unknown"),
    ],
)
def test_sniff_broken_files(name: str, kind: str) -> None:
    assert sniff(BROKEN / name) == kind


# --------------------------------------------------------------------------- PDF


def test_pdf_pages_and_offsets(pdf_doc: Document) -> None:
    assert pdf_doc.source_kind == "pdf"
    assert len(pdf_doc.pages) == 3
    phrase = "dans la limite de 25 000 € d'aide par projet"
    flat = pdf_doc.text.replace("\n", " ")  # the phrase wraps over two lines
    start = flat.index(phrase)
    evidence = pdf_doc.evidence(start, start + len(phrase))
    assert evidence.page == 2
    assert evidence.quote.replace("\n", " ") == phrase
    assert pdf_doc.page_of(pdf_doc.text.index("4. Modalités de dépôt")) == 3
    assert pdf_doc.page_of(pdf_doc.text.index("1. Contexte")) == 1


def test_pdf_offsets_map_back_to_the_extracted_text(pdf_doc: Document) -> None:
    """`original_offset` points into the raw pdfium text (pages joined with "\\n")."""
    with pdfium.PdfDocument(PDF.read_bytes()) as pdf:
        raw = "\n".join(page.get_textpage().get_text_range().rstrip("\r\n") for page in pdf)
    assert "\r\n" in raw and "\r" not in pdf_doc.text
    assert pdf_doc.offset_shifts
    for block in pdf_doc.blocks:
        start = pdf_doc.original_offset(block.start)
        end = pdf_doc.original_offset(block.end)
        assert normalise(raw[start:end])[0] == pdf_doc.text[block.start : block.end]


def test_pdf_headings_lists_and_paragraphs(pdf_doc: Document) -> None:
    found = headings(pdf_doc)
    assert found["APPEL À PROJETS NUMÉRIQUE RESPONSABLE 2024"] == 1
    assert found["1. Contexte"] == 1
    assert found["3. Modalités financières"] == 1
    assert "Contacts :" in found
    # Lead-in lines are not headings.
    assert "Peuvent déposer un dossier :" not in found
    items = block_texts(pdf_doc, "list_item")
    assert items == [
        "- les communes et leurs groupements ;",
        "- les centres communaux d'action sociale (CCAS) ;",
        "- les associations reconnues d'intérêt général.",
    ]
    # The wrapped lines of one paragraph make one block.
    paragraphs = block_texts(pdf_doc, "paragraph")
    context = next(p for p in paragraphs if p.startswith("La Région Exemple soutient"))
    assert context.endswith("au bénéfice des habitants du territoire.")


def test_pdf_furniture_detected_and_kept_in_text(pdf_doc: Document) -> None:
    furniture = [b for b in pdf_doc.blocks if b.kind == "furniture"]
    texts = [(pdf_doc.text[b.start : b.end], b.page) for b in furniture]
    for page in (1, 2, 3):
        assert (f"Page {page} / 3", page) in texts
        assert ("Région Exemple - Appel à projets Numérique 2024", page) in texts
    assert len(furniture) == 6
    # Still in the text, so offsets stay true.
    assert pdf_doc.text.count("Région Exemple - Appel à projets Numérique 2024") == 3


def test_pdf_table(pdf_doc: Document) -> None:
    assert [p.has_tables for p in pdf_doc.pages] == [False, True, False]
    assert len(pdf_doc.tables) == 1
    table = pdf_doc.tables[0]
    assert table.page == 2
    assert table.rows == [
        ["Poste de dépense", "Montant HT", "Taux"],
        ["Matériel informatique", "12 000 €", "80 %"],
        [
            "Prestations de développement et d'intégration des démarches en ligne",
            "18 000 €",
            "80 %",
        ],
        ["Formation des agents", "3 000 €", "50 %"],
    ]
    # The table's text is in the page text once, as table_row blocks.
    assert pdf_doc.text.count("Matériel informatique") == 1
    rows = block_texts(pdf_doc, "table_row")
    assert rows[0] == "Poste de dépense Montant HT Taux"
    # One block per table row, even when a cell wraps over several lines.
    assert len(rows) == 4
    assert rows[2].startswith("Prestations de développement") and rows[2].endswith("80 %")
    assert table.start is not None and table.end is not None
    assert pdf_doc.text[table.start : table.end].startswith("Poste de dépense")
    assert pdf_doc.text[table.start : table.end].endswith("50 %")


class PlumberSpy:
    """Records pdfplumber usage: documents opened, pages searched for tables, pages closed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = 0
        self.searched: list[int] = []
        self.closed: list[int] = []
        real_open = pdfplumber.open
        real_find = pdfplumber.page.Page.find_tables
        real_close = pdfplumber.page.Page.close

        def spy_open(*args, **kwargs):
            self.opened += 1
            return real_open(*args, **kwargs)

        def spy_find(page, *args, **kwargs):
            self.searched.append(page.page_number)
            return real_find(page, *args, **kwargs)

        def spy_close(page):
            self.closed.append(page.page_number)
            return real_close(page)

        monkeypatch.setattr(pdfplumber, "open", spy_open)
        monkeypatch.setattr(pdfplumber.page.Page, "find_tables", spy_find)
        monkeypatch.setattr(pdfplumber.page.Page, "close", spy_close)


def test_pdfplumber_not_opened_without_table_like_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = PlumberSpy(monkeypatch)
    doc = read_document(LETTER)
    assert spy.opened == 0
    assert doc.tables == []
    assert headings(doc) == {"Lettre d'intention": 1}


def test_pdfplumber_only_on_table_pages_and_pages_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = PlumberSpy(monkeypatch)
    doc = read_document(PDF)
    assert spy.opened == 1
    assert spy.searched == [2]
    # Closed right after its tables were read (pdfplumber closes pages again on exit).
    assert spy.closed[0] == 2
    assert set(spy.closed) == {2}
    assert len(doc.tables) == 1


def test_pdf_form_fields() -> None:
    doc = read_document(FORM)
    assert doc.source_kind == "pdf_form"
    assert doc.form_fields == {
        "nom_porteur": "Commune de Saint-Exemple",
        "siret": "21420001200018",
        "montant_demande": "25 000",
    }
    assert "Nom du porteur de projet :" in doc.text


def test_pdf_with_docx_extension_is_read_with_a_warning(tmp_path: Path) -> None:
    renamed = tmp_path / "note.docx"
    renamed.write_bytes(PDF.read_bytes())
    doc = read_document(renamed)
    assert doc.source_kind == "pdf"
    assert len(doc.pages) == 3
    assert len(doc.warnings) == 1
    assert "note.docx" in doc.warnings[0] and "PDF" in doc.warnings[0]


def test_pdf_two_columns_and_nested_list() -> None:
    """A sentence running on into the next column stays one paragraph; list levels come
    from the indentation of the items."""
    doc = read_document(SAMPLES / "deux_colonnes.pdf")
    paragraph = next(p for p in block_texts(doc, "paragraph") if p.startswith("Le Département"))
    assert paragraph.endswith("quel que soit le porteur.")
    items = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == "list_item"]
    assert items == [
        ("1. Projets innovants pour un territoire attractif, en\nparticulier :", 1),
        ("- les tiers-lieux numériques ;", 2),
        ("- les espaces France services.", 2),
        ("2. Projets numériques responsables, en particulier :", 1),
        ("- le réemploi des équipements.", 2),
    ]


# --------------------------------------------------------------------------- DOCX


def test_docx_headings_and_levels(docx_doc: Document) -> None:
    assert docx_doc.source_kind == "docx"
    assert len(docx_doc.pages) == 1
    assert headings(docx_doc) == {
        "Appel à projets Inclusion numérique 2024": 0,
        "Contexte": 1,
        "Bénéficiaires éligibles": 2,
        "Plan de financement": 1,
    }


def test_docx_list_items_from_style_and_numbering(docx_doc: Document) -> None:
    items = [
        (docx_doc.text[b.start : b.end], b.level) for b in docx_doc.blocks if b.kind == "list_item"
    ]
    assert items == [
        ("Les communes de moins de 5 000 habitants", 1),
        ("Les CCAS", 1),
        ("dont les CIAS", 2),  # "List Bullet 2": the level is in the style's name
        ("Les associations", 1),
        ("Les syndicats mixtes ouverts", 1),  # a "Normal" paragraph with w:numPr
    ]


def test_docx_table_merged_cell_not_duplicated(docx_doc: Document) -> None:
    assert len(docx_doc.tables) == 1
    table = docx_doc.tables[0]
    assert table.rows == [
        ["Dépenses", "Montants (HT et TTC)", None],
        ["Matériel", "10 000 €", "12 000 €"],
        ["Formation", "2 000 €", None],
    ]
    assert docx_doc.text.count("Montants (HT et TTC)") == 1
    assert block_texts(docx_doc, "table_row")[:2] == [
        "Dépenses | Montants (HT et TTC)",
        "Matériel | 10 000 € | 12 000 €",
    ]
    assert docx_doc.pages[0].has_tables


def test_docx_document_order(docx_doc: Document) -> None:
    """Paragraphs and tables interleaved as in the document."""
    kinds = [b.kind for b in docx_doc.blocks]
    assert kinds[-5:] == ["paragraph", "table_row", "table_row", "table_row", "paragraph"]
    table = docx_doc.tables[0]
    assert docx_doc.text.index("est le suivant") < table.start < table.end
    assert docx_doc.text.index("Le taux d'aide maximum") > table.end


def test_docx_with_tracked_insertion_and_hyperlink(tmp_path: Path) -> None:
    """Text inside w:ins and w:hyperlink is read; deleted text is not."""
    from docx import Document as new_docx
    from docx.oxml import parse_xml

    doc = new_docx()
    paragraph = doc.add_paragraph("Montant ")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.append(
        parse_xml(f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>25 000</w:t></w:r></w:ins>')
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText>30 000</w:delText></w:r></w:del>'
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:hyperlink {w}><w:r><w:t xml:space="preserve"> euros</w:t></w:r></w:hyperlink>'
        )
    )
    path = tmp_path / "suivi.docx"
    doc.save(str(path))
    read = read_document(path)
    assert read.text == "Montant 25 000 euros"


def test_docx_french_style_names(tmp_path: Path) -> None:
    """Styles named in French (LibreOffice, or custom ones) give headings and list items."""
    from docx import Document as new_docx
    from docx.enum.style import WD_STYLE_TYPE

    doc = new_docx()
    doc.styles.add_style("Titre 2", WD_STYLE_TYPE.PARAGRAPH)
    doc.styles.add_style("Paragraphe de liste", WD_STYLE_TYPE.PARAGRAPH)
    custom = doc.styles.add_style("Mon intertitre", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = doc.styles["Heading 3"]
    doc.add_paragraph("Dépenses éligibles", style="Titre 2")
    doc.add_paragraph("Matériel informatique", style="Paragraphe de liste")
    doc.add_paragraph("Calendrier", style="Mon intertitre")
    path = tmp_path / "libreoffice.docx"
    doc.save(str(path))
    read = read_document(path)
    assert headings(read) == {"Dépenses éligibles": 2, "Calendrier": 3}
    assert block_texts(read, "list_item") == ["Matériel informatique"]


# --------------------------------------------------------------------------- HTML


def test_html_boilerplate_absent(html_doc: Document) -> None:
    for boilerplate in (
        "Accueil du portail",
        "Toutes les aides",
        "Actualités",
        "Accueil > Aides",
        "cookies",
        "Partager",
        "Sur le même sujet",
        "Abonnez-vous",
        "Rechercher",
        "Mentions légales",
        "Activez JavaScript",
        "dataLayer",
        "font-family",
    ):
        assert boilerplate not in html_doc.text, boilerplate


def test_html_structure(html_doc: Document) -> None:
    assert html_doc.source_kind == "html"
    assert headings(html_doc) == {
        "Appel à projets Tiers-lieux 2024": 1,
        "Bénéficiaires": 2,
        "Montant de l'aide": 2,
    }
    assert block_texts(html_doc, "list_item") == [
        "Les communes et leurs groupements",
        "Les associations",
    ]
    assert block_texts(html_doc, "table_row") == ["Dépense | Taux", "Investissement | 50 %"]
    assert html_doc.tables[0].rows == [["Dépense", "Taux"], ["Investissement", "50 %"]]
    assert "plafonnée à 30 000 € par projet" in html_doc.text  # &nbsp; normalised


def test_html_paragraphs_inside_list_items(tmp_path: Path) -> None:
    path = tmp_path / "liste.html"
    path.write_text(
        "<html><body><ul><li><p>Les communes</p></li><li><div>Les EPCI</div>"
        "<ul><li>dont les métropoles</li></ul></li></ul></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert block_texts(doc, "list_item") == ["Les communes", "Les EPCI", "dont les métropoles"]
    assert [b.level for b in doc.blocks if b.kind == "list_item"] == [1, 1, 2]


def test_html_page_wrapped_in_a_form_keeps_its_content(tmp_path: Path) -> None:
    path = tmp_path / "sharepoint.html"
    path.write_text(
        "<html><body><form id='aspnetForm'><div class='page nav-open'><nav>Menu</nav>"
        "<h1>Aide à l'investissement numérique</h1><p>Taux maximum : 50 %.</p></div>"
        "</form></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.text == "Aide à l'investissement numérique\nTaux maximum : 50 %."


def test_html_french_class_names_are_not_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "aide.html"
    path.write_text(
        "<!doctype html><html><body><div class='action-sociale'><p>Aide aux CCAS pour "
        "l'inclusion numérique.</p></div><div class='main-menu'>Menu</div></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.text == "Aide aux CCAS pour l'inclusion numérique."


# --------------------------------------------------------------------------- TXT


def test_txt_crlf_and_spaces_normalised(txt_doc: Document) -> None:
    assert txt_doc.source_kind == "txt"
    assert "\r" not in txt_doc.text
    assert "\u00a0" not in txt_doc.text and "\u202f" not in txt_doc.text
    assert "L'aide est plafonnée à 40 000 € par projet ;" in txt_doc.text
    assert txt_doc.offset_shifts


def test_txt_original_offsets_point_into_the_raw_file(txt_doc: Document) -> None:
    raw = TXT.read_bytes().decode("utf-8")
    start = txt_doc.text.index("Le Département finance")
    assert raw[txt_doc.original_offset(start) :].startswith("Le Département finance")
    for block in txt_doc.blocks:
        original = raw[txt_doc.original_offset(block.start) : txt_doc.original_offset(block.end)]
        assert normalise(original)[0] == txt_doc.text[block.start : block.end]
    assert txt_doc.original_offset(len(txt_doc.text)) == len(raw)


def test_txt_structure(txt_doc: Document) -> None:
    assert headings(txt_doc) == {
        "APPEL A PROJETS MOBILITES DOUCES": 1,
        "Contexte :": 2,
        "Modalités financières :": 2,
    }
    assert block_texts(txt_doc, "list_item") == [
        "- Les études préalables ;",
        "- Les travaux d'aménagement.",
    ]


def test_markdown_headings_without_their_markup(tmp_path: Path) -> None:
    path = tmp_path / "notice.md"
    path.write_text(
        "# Appel à projets Tiers-lieux\n\n## 1. Contexte\n\nLa Région soutient les tiers-lieux.\n",
        encoding="utf-8",
    )
    assert headings(read_document(path)) == {"Appel à projets Tiers-lieux": 1, "1. Contexte": 2}


def test_txt_cp1252_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "ancienne.txt"
    path.write_bytes("Dépenses éligibles :\n\n- matériel ; coût 12 000 €\n".encode("cp1252"))
    doc = read_document(path)
    assert "Dépenses éligibles" in doc.text and "€" in doc.text
    assert len(doc.warnings) == 1 and "UTF-8" in doc.warnings[0]


def test_txt_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bloc-notes.txt"
    path.write_bytes("Objet : demande de subvention pour la médiathèque".encode("utf-16"))
    assert read_document(path).text == "Objet : demande de subvention pour la médiathèque"


def test_txt_hard_wrapped_paragraph_is_one_block(tmp_path: Path) -> None:
    path = tmp_path / "courriel.txt"
    path.write_text(
        "Bonjour,\n\nLa commune sollicite une subvention pour l'équipement numérique de\n"
        "son école primaire, dans le cadre de l'appel à projets régional de cette\n"
        "année. Le projet comprend l'achat de tablettes, de bornes wifi et d'un\n"
        "logiciel de gestion de parc, ainsi que la formation des enseignants et des\n"
        "agents municipaux, pour un montant total de dépenses de 40 000 euros hors\n"
        "taxes.\n\nCordialement,\nLe maire\n",
        encoding="utf-8",
    )
    paragraphs = block_texts(read_document(path), "paragraph")
    assert any(p.startswith("La commune sollicite") and p.endswith("taxes.") for p in paragraphs)


def test_txt_short_lines_are_not_taken_for_wrapped_text(tmp_path: Path) -> None:
    """One statement per line (a fiche action): each line is its own paragraph."""
    path = tmp_path / "fiche.txt"
    path.write_text(
        "Fiche action FEDER\n\nTaux maximal d'intervention FEDER : 60 %\n"
        "Le cumul des aides publiques ne peut excéder 80 %.\n",
        encoding="utf-8",
    )
    assert block_texts(read_document(path), "paragraph")[-2:] == [
        "Taux maximal d'intervention FEDER : 60 %",
        "Le cumul des aides publiques ne peut excéder 80 %.",
    ]


# --------------------------------------------------------------------------- seeds

EXPECTED_SEED_HEADINGS = (
    "Objectifs",
    "Projets attendus",
    "Bénéficiaires éligibles",
    "Modalités de soutien financier",
    "Contacts",
    "Contexte :",
    "Conditions :",
    "Porteurs de projet :",
    "Critères d'éligibilité :",
    "Modalités financières :",
    "Modalités de réponse :",
    "APPEL A PARTENARIAT 2023 « LOIRE CONNECT »",
    "E-administration - Les Pays-de-la-Loire lancent leur deuxième appel à projets numérique",
)


@pytest.mark.parametrize("path", SEEDS + CALL_NOTICES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_seed_notices(path: Path) -> None:
    doc = read_document(path)
    assert_consistent(doc, path)
    raw_lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    found = headings(doc)
    assert found
    for heading in EXPECTED_SEED_HEADINGS:
        if normalise(heading)[0] in {normalise(line)[0] for line in raw_lines}:
            assert heading in found, heading
    items = set(block_texts(doc, "list_item"))
    for line in raw_lines:
        if line.startswith(("· ", "- ")):
            assert normalise(line)[0] in items, line
    # Indented sub-items (" - La réduction…" under "2. …") are one level down.
    levels = {doc.text[b.start : b.end][:14]: b.level for b in doc.blocks if b.kind == "list_item"}
    if "- La réduction" in levels:
        assert levels["- La réduction"] == 2
        assert levels["2. **Projets n"] == 1
    # Sentences and lead-ins are not headings.
    for text in found:
        assert not text.endswith("."), text
        assert "suivants :" not in text


def test_seeds_are_present() -> None:
    assert SEEDS or CALL_NOTICES


# --------------------------------------------------------------------------- broken files

BROKEN_CASES = [
    ("encrypted.pdf", EncryptedPdfError, "encrypted_pdf"),
    ("truncated.pdf", DamagedPdfError, "damaged_pdf"),
    ("empty.pdf", EmptyFileError, "empty_file"),
    ("not_really.pdf", FormatMismatchError, "format_mismatch"),
    ("scan_only.pdf", NoTextLayerError, "no_text_layer"),
    ("image.png", NoTextLayerError, "no_text_layer"),
    ("tableur.xlsx", UnsupportedFormatError, "unsupported_format"),
    ("ancien_word.doc", UnsupportedFormatError, "unsupported_format"),
    ("damaged.docx", DamagedDocxError, "damaged_docx"),
    ("garbage.bin", UnsupportedFormatError, "unsupported_format"),
]


@pytest.mark.parametrize(("name", "error", "code"), BROKEN_CASES)
def test_broken_files_raise_the_right_error(
    name: str, error: type[DocumentError], code: str
) -> None:
    path = BROKEN / name
    with pytest.raises(DocumentError) as info:
        read_document(path)
    exc = info.value
    assert type(exc) is error
    assert exc.code == code
    assert exc.path == path
    assert f"« {name} »" in exc.message
    assert exc.hint
    assert str(exc) == f"{exc.message} {exc.hint}"
    assert "Traceback" not in str(exc)


def test_broken_messages_say_what_is_wrong() -> None:
    def message(name: str) -> DocumentError:
        with pytest.raises(DocumentError) as info:
            read_document(BROKEN / name)
        return info.value

    assert "mot de passe" in message("encrypted.pdf").message
    assert "mot de passe" in message("encrypted.pdf").hint
    assert "OCR" in message("scan_only.pdf").message
    assert "PNG" in message("image.png").message
    assert "fichier texte" in message("not_really.pdf").message
    assert "tronqué" in message("truncated.pdf").message
    old_word = message("ancien_word.doc")
    assert ".doc" in old_word.message and ".docx" in old_word.hint
    assert "tableur" in message("tableur.xlsx").message.lower()


def test_image_named_pdf_has_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes((BROKEN / "image.png").read_bytes())
    with pytest.raises(NoTextLayerError, match="scan.pdf"):
        read_document(path)


def test_web_page_saved_as_pdf_is_a_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "devis.pdf"
    path.write_text("<!DOCTYPE html><html><body><p>Erreur 404</p></body></html>")
    with pytest.raises(FormatMismatchError, match="page web"):
        read_document(path)


def test_garbage_with_a_pdf_extension_is_a_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "rib.pdf"
    path.write_bytes((BROKEN / "garbage.bin").read_bytes())
    with pytest.raises(FormatMismatchError, match="rib.pdf"):
        read_document(path)


def test_pdf_cut_in_the_middle_is_damaged(tmp_path: Path) -> None:
    """pdfium opens it (the end and its xref are there) but a page fails to load."""
    spec = importlib.util.spec_from_file_location("make_broken", BROKEN / "make_broken.py")
    assert spec and spec.loader
    make_broken = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_broken)
    good = make_broken.good_pdf_bytes()
    path = tmp_path / "coupe.pdf"
    path.write_bytes(good[: len(good) // 3] + good[2 * len(good) // 3 :])
    with pytest.raises(DamagedPdfError, match="coupe.pdf"):
        read_document(path)


def test_docx_with_corrupted_part_is_damaged(tmp_path: Path) -> None:
    data = bytearray(DOCX.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    payload = header + 30 + name_length + extra_length
    for offset in range(payload + 5, payload + 25):
        data[offset] ^= 0xFF
    path = tmp_path / "abime.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedDocxError, match="abime.docx"):
        read_document(path)


def test_password_protected_word_file(tmp_path: Path) -> None:
    """Word stores a protected .docx as an OLE2 file holding an "EncryptedPackage" stream
    (synthetic bytes: only the markers the reader looks at)."""
    path = tmp_path / "protege.docx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(EncryptedDocxError, match="protege.docx"):
        read_document(path)


def test_other_zip_and_opendocument_are_unsupported(tmp_path: Path) -> None:
    archive_path = tmp_path / "pieces.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("rib.pdf", "x")
    with pytest.raises(UnsupportedFormatError) as info:
        read_document(archive_path)
    assert "Décompressez" in info.value.hint

    odt = tmp_path / "note.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UnsupportedFormatError, match="OpenDocument"):
        read_document(odt)


def test_whitespace_only_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "vide.txt"
    path.write_text(" \n\t\n")
    with pytest.raises(EmptyFileError):
        read_document(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as info:
        read_document(tmp_path / "absent.pdf")
    assert isinstance(info.value, FileNotFoundError)
    assert info.value.code == "not_found"
    assert "absent.pdf" in info.value.message
    with pytest.raises(NotFoundError, match="pas un fichier"):
        read_document(tmp_path)


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: e.__name__)
def test_errors_pickle_and_serialise(error: type[DocumentError]) -> None:
    exc = error(Path("/tmp/dossier/piece.pdf"), detail=" (détail)")
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is error
    assert (clone.code, clone.path, clone.message, clone.hint) == (
        exc.code,
        exc.path,
        exc.message,
        exc.hint,
    )
    assert "piece.pdf" in exc.message
    assert exc.as_dict()["code"] == error.code


# --------------------------------------------------------------------------- robustness

_SEEDED_BYTES = {
    "pdf": PDF.read_bytes(),
    "docx": DOCX.read_bytes(),
    "html": HTML.read_bytes(),
    "txt": TXT.read_bytes(),
}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    source=st.sampled_from(sorted(_SEEDED_BYTES)),
    cut=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), max_size=4),
    suffix=st.sampled_from([".pdf", ".docx", ".txt", ".html", ".bin", ""]),
)
def test_damaged_inputs_never_escape_as_raw_exceptions(
    tmp_path_factory: pytest.TempPathFactory,
    source: str,
    cut: float,
    flips: list[tuple[float, int]],
    suffix: str,
) -> None:
    data = bytearray(_SEEDED_BYTES[source][: max(1, int(len(_SEEDED_BYTES[source]) * cut))])
    for where, mask in flips:
        data[min(len(data) - 1, int(where * len(data)))] ^= mask
    path = tmp_path_factory.mktemp("fuzz") / f"piece{suffix}"
    path.write_bytes(bytes(data))
    try:
        doc = read_document(path)
    except DocumentError as exc:
        assert exc.code and exc.message and exc.hint
    else:
        assert_consistent(doc, path)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \r\n\u00a0\u2019\f\t", max_size=40))
def test_offset_mapper_inverts_original_offset(raw: str) -> None:
    text, shifts = normalise(raw)
    to_norm = documents._offset_mapper(shifts)
    doc_like = Document(
        name="x",
        path="x",
        sha256="0",
        source_kind="txt",
        text=text,
        pages=[],
        offset_shifts=shifts,
    )
    for offset in range(len(text) + 1):
        assert to_norm(doc_like.original_offset(offset)) == offset


def test_faq_questions_are_headings(tmp_path: Path) -> None:
    path = tmp_path / "flyer.txt"
    path.write_text(
        "Appel à projets Parents connectés\n\nPour qui ?\n"
        "Associations, centres sociaux, communes et CCAS de la Sarthe.\n\n"
        "Combien ?\nSubvention forfaitaire de 3 000 € par projet retenu.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    headings = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "heading"]
    assert "Pour qui ?" in headings and "Combien ?" in headings
