"""The dossier fixture builders (fixtures/dossiers/dossiergen.py): what they write must be
what the golden dossier tests believe it is — values in form fields only, no text layer
in scans, no ruling line in an unruled table, fixed bytes from one run to the next."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "dossiers"))

import dossiergen as g  # noqa: E402

LETTERHEAD = g.Letterhead(
    "Mairie de Feurs",
    ["Place Antoine Drivet — 42110 Feurs", "Tél. 04 77 27 40 00"],
    footer="Mairie de Feurs — Place Antoine Drivet — 42110 Feurs",
)
ROWS = [
    ["Dépenses", "Montant HT"],
    ["Tablettes reconditionnées (10)", "3 200,00 €"],
    ["Formation des médiateurs", "1 800,00 €"],
    ["Total", "5 000,00 €"],
]


def _blocks(style: str) -> list[g.Block]:
    return [
        g.title("Plan de financement"),
        g.para("Le projet « Feurs connectée » coûte 5 000 € HT."),
        g.money_table(ROWS, style=style, bold_rows={3}),
        g.signature("Feurs", "3 juillet 2023", "Le Maire,", "Marcel DUVERNAY"),
    ]


def _form(path: Path) -> None:
    g.write_form_pdf(
        path,
        "Demande de subvention",
        [
            (
                "Identification",
                [
                    g.FormField("Nom de la structure", "nom_structure", "Commune de Feurs"),
                    g.FormField("SIRET", "siret", "21420094200014"),
                    g.FormField("Montant sollicité (€)", "montant_sollicite", "4 000 €"),
                    g.FormField("Je certifie", "certifie", "Yes", kind="checkbox"),
                    g.FormField("Projet commencé", "commence", "Off", kind="checkbox"),
                ],
            )
        ],
        letterhead=LETTERHEAD,
    )


def _acroform_values(path: Path) -> dict[str, str]:
    import pdfplumber
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    values = {}
    with pdfplumber.open(path) as pdf:
        for ref in resolve1(pdf.doc.catalog["AcroForm"])["Fields"]:
            field = resolve1(ref)
            name = decode_text(field["T"])
            value = resolve1(field.get("V"))
            values[name] = value.name if isinstance(value, PSLiteral) else decode_text(value)
    return values


def test_pdf_text_and_page_footer(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    g.write_pdf(path, _blocks("ruled"), LETTERHEAD)
    missing = g.check_pdf_text(
        path,
        ["Mairie de Feurs", "3 200,00 €", "Fait à Feurs, le 3 juillet 2023", "Page 1 / 1"],
    )
    assert missing == []
    assert g.check_pdf_text(path, ["absent de ce document"]) == ["absent de ce document"]


def test_unsigned_signature_block_is_the_empty_form(tmp_path: Path) -> None:
    path = tmp_path / "demande.pdf"
    g.write_pdf(path, [g.para("Demande."), g.signature(None, None, "Le Président,", None)])
    text = " ".join(g.docgen.pdf_pages(path))
    assert "Signature :" in text
    assert "Fait à …" in text
    assert "Fait à Feurs" not in text


@pytest.mark.parametrize("writer", ["pdf", "docx", "form", "zip", "scan", "merge"])
def test_outputs_are_byte_identical_between_runs(tmp_path: Path, writer: str) -> None:
    def build(folder: Path) -> bytes:
        folder.mkdir()
        pdf = folder / "a.pdf"
        g.write_pdf(pdf, _blocks("partial"), LETTERHEAD)
        if writer == "pdf":
            return pdf.read_bytes()
        out = folder / "out"
        if writer == "docx":
            g.write_docx(out, _blocks("partial"), LETTERHEAD)
        elif writer == "form":
            _form(out)
        elif writer == "zip":
            g.write_zip(out, {"Pièces/plan.pdf": pdf, "lisez-moi.txt": b"x"})
        elif writer == "scan":
            g.scan(pdf, out.with_suffix(".pdf"), dpi=50, seed=3)
            out = out.with_suffix(".pdf")
        else:
            g.merge_pdfs(out, [pdf, pdf])
        return out.read_bytes()

    assert build(tmp_path / "one") == build(tmp_path / "two")


def test_form_values_live_in_the_fields_not_in_the_page_text(tmp_path: Path) -> None:
    import pdfplumber

    path = tmp_path / "formulaire.pdf"
    _form(path)
    values = _acroform_values(path)
    assert values["nom_structure"] == "Commune de Feurs"
    assert values["siret"] == "21420094200014"
    assert values["montant_sollicite"] == "4 000 EUR"  # Latin-1 field values: € spelt out
    assert values["certifie"] == "Yes"
    assert values["commence"] == "Off"
    with pdfplumber.open(path) as pdf:
        page_text = pdf.pages[0].extract_text()
    assert "Nom de la structure" in page_text
    assert "Commune de Feurs" not in page_text
    assert "21420094200014" not in page_text


def test_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    source = tmp_path / "deliberation.pdf"
    g.write_pdf(source, [*_blocks("ruled"), g.pagebreak(), g.para("Certifié exécutoire")])
    out = tmp_path / "scan0003.pdf"
    g.scan(source, out, dpi=60)
    doc = pdfium.PdfDocument(str(out))
    try:
        assert len(doc) == 2
        for page in doc:
            assert page.get_textpage().get_text_range().strip() == ""
            assert any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
    finally:
        doc.close()


def test_scan_to_image_keeps_one_page(tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "rib.pdf"
    g.write_pdf(source, [g.para("Relevé d'identité bancaire")])
    g.scan(source, tmp_path / "rib.jpg", dpi=60, crop=(0, 0, 1, 0.4))
    with Image.open(tmp_path / "rib.jpg") as img:
        assert img.format == "JPEG"
        assert img.mode == "L"
        assert img.height < img.width  # cropped to the top of the page


def test_unruled_table_has_no_ruling_lines_and_ruled_one_is_found(tmp_path: Path) -> None:
    import pdfplumber

    found = {}
    for style in ("ruled", "partial", "unruled"):
        path = tmp_path / f"{style}.pdf"
        g.write_pdf(path, [g.money_table(ROWS, style=style, bold_rows={3})], page_numbers=False)
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            found[style] = (len(page.lines), len(page.rects), page.extract_tables())
    assert found["unruled"] == (0, 0, [])
    assert found["partial"][0] == 2 and found["partial"][1] == 0
    assert found["ruled"][2] == [ROWS]


def test_docx_tables_styles(tmp_path: Path) -> None:
    from docx import Document

    for style in ("ruled", "partial", "unruled"):
        g.write_docx(tmp_path / f"{style}.docx", _blocks(style), LETTERHEAD)
    ruled = Document(str(tmp_path / "ruled.docx"))
    assert ruled.tables[0].style.name == "Table Grid"
    assert ruled.tables[0].cell(1, 1).text == "3 200,00 €"
    assert ruled.sections[0].header.paragraphs[0].text == "Mairie de Feurs"
    assert len(Document(str(tmp_path / "partial.docx")).tables) == 1
    unruled = Document(str(tmp_path / "unruled.docx"))
    assert unruled.tables == []
    assert any(p.text == "Formation des médiateurs\t1 800,00 €" for p in unruled.paragraphs)


def test_zip_members_names_and_dates(tmp_path: Path) -> None:
    out = tmp_path / "dossier.zip"
    g.write_zip(out, {"Pièces jointes/Délibération 2023-061.pdf": b"%PDF", "RIB.png": b"png"})
    with zipfile.ZipFile(out) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["Pièces jointes/Délibération 2023-061.pdf", "RIB.png"]
    assert all(i.date_time == g.FIXED_DATE.timetuple()[:6] for i in infos)
    assert infos[0].flag_bits & 0x800  # UTF-8 names


def test_merge_keeps_every_page_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    g.write_pdf(first, [g.para("Première pièce"), g.pagebreak(), g.para("suite")])
    g.write_pdf(second, [g.para("Seconde pièce")])
    g.merge_pdfs(tmp_path / "m.pdf", [first, second])
    pages = g.docgen.pdf_pages(tmp_path / "m.pdf")
    assert len(pages) == 3
    assert "Première pièce" in pages[0] and "Seconde pièce" in pages[2]


def test_noise_files(tmp_path: Path) -> None:
    names = g.noise_files(tmp_path)
    assert names == ["~$Plan de financement.docx", ".DS_Store", "Thumbs.db"]
    assert (tmp_path / names[0]).stat().st_size == 162


def test_identity_helpers() -> None:
    siren = g.siren_for("21420279")  # Saint-Genest-Lerpt, INSEE 42279
    assert len(siren) == 9 and g.luhn_ok(siren)
    assert not g.luhn_ok(siren[:-1] + str((int(siren[-1]) + 1) % 10))
    siret = g.siret_for(siren, "0013")
    assert siret.startswith(siren + "0013") and g.luhn_ok(siret)
    iban = g.iban_fr("30001", "00586", "C4250000000")
    assert len(iban) == 27 and iban.startswith("FR") and g.iban_ok(iban)
    assert not g.iban_ok(iban[:-1] + str((int(iban[-1]) + 1) % 10))
    assert g.iban_ok("FR7630006000011234567890189")  # the textbook example
