"""Lay out a `DocModel` as a Word document with real styles (python-docx).

Title, Heading 1/2, List Bullet / List Number and the "Table Grid" table style come from
python-docx's default template, so that Word's navigation pane, LibreOffice's navigator
and a later restyling all work; the running header names the call and the dossier, the
footer carries a PAGE / NUMPAGES field.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from pipeline.report.blocks import Box, DocModel, Heading, Para, Table

TABLE_STYLE = "Table Grid"
BODY_FONT = "Arial"
SOURCE_STYLE = "Source"
HEADER_FILL = "D9E2F3"
BOX_FILL = "F2F2F2"
LIST_STYLES = {"bullet": "List Bullet", "number": "List Number"}


def render_docx(model: DocModel, *, on: date) -> bytes:
    """The document as the bytes of a .docx file. `on` dates the file's properties, so
    that the same note rendered twice gives the same content."""
    doc = Document()
    _setup(doc, model, on)
    for block in model.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            _fill_paragraph(doc.add_paragraph(), block)
        elif isinstance(block, Table):
            _add_table(doc, block)
        elif isinstance(block, Box):
            _add_box(doc, block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- page, styles


def _setup(doc: DocxDocument, model: DocModel, on: date) -> None:
    section = doc.sections[0]
    # python-docx's template is US Letter: a French administration prints A4.
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    # The template's body font is a theme serif (Cambria); Arial is on every Word install
    # and LibreOffice maps it to a metric-compatible sans.
    normal.font.name = BODY_FONT
    doc.styles["Header"].font.size = Pt(8)
    _set_language(normal.element, "fr-FR")
    source = doc.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = normal
    source.font.size, source.font.italic = Pt(8), True
    source.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    source.paragraph_format.space_after = Pt(2)
    header = section.header.paragraphs[0]
    header.text = model.header
    header.style = doc.styles["Header"]
    _page_footer(section.footer.paragraphs[0], model.footer)
    props = doc.core_properties
    stamp = datetime.combine(on, time(0, 0))
    props.title, props.language = model.title, "fr-FR"
    props.author = props.last_modified_by = "aap — instruction des dossiers"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1


def _set_language(style_element: object, lang: str) -> None:
    """French spelling and hyphenation for the style (w:lang in its run properties)."""
    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.append(element)
    element.set(qn("w:val"), lang)


def _page_footer(paragraph: Paragraph, label: str) -> None:
    """'<label> N / M' with Word fields, centred."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{label} ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" / ")
    _add_field(paragraph, "NUMPAGES")


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    """A complex field (begin / instrText / separate / cached result / end), the form
    Word and LibreOffice both update when they lay out the pages."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        else:
            run._r.append(_fld_char(kind))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(_fld_char("end"))


def _fld_char(kind: str) -> OxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


# --------------------------------------------------------------------------- paragraphs


def _fill_paragraph(paragraph: Paragraph, block: Para) -> None:
    """Write a `Para` into an existing (empty) paragraph, with its style."""
    if block.style == "source":
        paragraph.style = paragraph.part.document.styles[SOURCE_STYLE]
    elif block.style in LIST_STYLES:
        paragraph.style = paragraph.part.document.styles[LIST_STYLES[block.style]]
    elif block.style == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif block.style == "address":
        paragraph.paragraph_format.left_indent = Cm(9.5)
        paragraph.paragraph_format.space_after = Pt(18)
    elif block.style == "fill":
        _bottom_border(paragraph)
        paragraph.paragraph_format.space_before = Pt(14)
    for piece in block.runs:
        for index, line in enumerate(piece.text.split("\n")):
            run = paragraph.add_run()
            run.bold, run.italic = piece.bold or None, piece.italic or None
            if index:
                run.add_break()  # a line break inside the paragraph (address, list of rates)
            run.add_text(line)


def _bottom_border(paragraph: Paragraph) -> None:
    """A rule under the paragraph: a line to write on by hand."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "dotted"), ("sz", "6"), ("space", "1"), ("color", "808080")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


# --------------------------------------------------------------------------- tables


def _add_table(doc: DocxDocument, block: Table) -> DocxTable:
    columns = len(block.header)
    table = doc.add_table(rows=1, cols=columns)
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, block.header, strict=True):
        cell.paragraphs[0].add_run(title).bold = True
        _shade(cell, HEADER_FILL)
    _repeat_header(table)
    for row in block.rows:
        cells = table.add_row().cells
        for target, content in zip(cells, row, strict=True):
            _fill_cell(target, content)
    if block.widths_cm:
        table.autofit = False
        for index, width in enumerate(block.widths_cm):
            table.columns[index].width = Cm(width)
            for cell in table.columns[index].cells:
                cell.width = Cm(width)
    doc.add_paragraph()  # Word glues consecutive tables together without a paragraph.
    return table


def _fill_cell(target: _Cell, content: tuple[Para, ...]) -> None:
    for index, block in enumerate(content):
        paragraph = target.paragraphs[0] if index == 0 else target.add_paragraph()
        _fill_paragraph(paragraph, block)


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shading.set(qn(f"w:{key}"), value)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(table: DocxTable) -> None:
    """The header row is repeated at the top of every page the table runs over."""
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _add_box(doc: DocxDocument, block: Box) -> None:
    """A framed, shaded one-cell table: a short note that stands out from the text."""
    table = doc.add_table(rows=1, cols=1)
    table.style = doc.styles[TABLE_STYLE]
    cell = table.rows[0].cells[0]
    _shade(cell, BOX_FILL)
    cell.paragraphs[0].add_run(block.title).bold = True
    for item in block.body:
        _fill_paragraph(cell.add_paragraph(), item)
    doc.add_paragraph()
