"""The financing plan of a dossier (extractors.dossier.budget), read from documents built
here and read through the real reader: a commune's ruled PDF plan (HT / TVA / TTC,
investment and operating sections, sub-totals), a two-sided DOCX table, an unruled PDF
plan read from its lines, an association's CERFA n° 12156 budget, a fillable form, a
TTC-only plan, and a form that disagrees with the plan. Every evidence quote must be the
document's text between its offsets (or the form field it names)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document as new_docx
from fpdf import FPDF
from reportlab.pdfgen import canvas

from extractors.dossier import funders
from extractors.dossier.budget import Budget, extract_budget
from extractors.dossier.budget_plan import expense_code, is_subtotal
from extractors.dossier.views import PieceView
from pipeline.documents import read_document
from pipeline.models import Document, DossierFacts

FIELDS = (
    "expenses",
    "resources",
    "total_cost_eur",
    "requested_aid_eur",
    "requested_rate",
    "self_financing_eur",
    "cost_basis",
)


# --------------------------------------------------------------------------- builders


def _pdf() -> FPDF:
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _title(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _para(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, rows: list[tuple[str, ...]], widths: tuple[int, ...], size: int = 9) -> None:
    pdf.set_font("Helvetica", size=size)
    with pdf.table(col_widths=widths) as table:
        for values in rows:
            cells = table.row()
            for value in values:
                cells.cell(value)
    pdf.ln(4)


def _unruled(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    """Label on the left, amount aligned right, no rule at all."""
    pdf.set_font("Helvetica", size=10)
    for label, amount in rows:
        pdf.cell(120, 6, label)
        pdf.cell(40, 6, amount, align="R", new_x="LMARGIN", new_y="NEXT")


def _read(path: Path) -> Document:
    return read_document(path)


def _piece(doc: Document, piece: str) -> PieceView:
    return PieceView(doc, 1, len(doc.pages), piece)


def assert_evidence(budget: Budget, *docs: Document) -> None:
    """Every value has evidence, and each quote is the document's text at its offsets (or
    names the form field it was read from)."""
    by_name = {doc.name: doc for doc in docs}
    for name in FIELDS:
        field = getattr(budget, name)
        if field.value is None:
            assert field.evidence == [], name
            continue
        assert field.evidence, name
        if isinstance(field.value, list):
            assert len(field.evidence) == len(field.value), name
        for evidence in field.evidence:
            doc = by_name[evidence.document]
            if evidence.start is None:
                assert any(evidence.quote.startswith(f"{f} = ") for f in doc.form_fields), (
                    name,
                    evidence.quote,
                )
            else:
                assert doc.text[evidence.start : evidence.end] == evidence.quote, name
                assert evidence.page == doc.page_of(evidence.start)


def expenses(budget: Budget) -> list[tuple]:
    return [
        (e.label, e.amount_eur, e.expense_code, e.expense_type, e.basis)
        for e in budget.expenses.value or []
    ]


def resources(budget: Budget) -> list[tuple]:
    return [(r.funder, r.amount_eur, r.public, r.status) for r in budget.resources.value or []]


# --------------------------------------------------------------------------- commune, ruled PDF


@pytest.fixture(scope="module")
def commune_plan(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("commune") / "Plan de financement.pdf"
    pdf = _pdf()
    _title(pdf, "Commune de Saint-Genest-Lerpt - Plan de financement prévisionnel")
    _para(pdf, "Opération : équipement numérique des écoles communales.")
    _table(
        pdf,
        [
            ("Nature des dépenses", "Montant HT", "TVA 20 %", "Montant TTC"),
            ("Dépenses d'investissement", "", "", ""),
            (
                "Acquisition de 30 tablettes numériques pour l'école élémentaire Jules Ferry",
                "12 000,00",
                "2 400,00",
                "14 400,00",
            ),
            ("Travaux de câblage et pose de bornes Wi-Fi", "8 500,00", "1 700,00", "10 200,00"),
            ("Sous-total investissement", "20 500,00", "4 100,00", "24 600,00"),
            ("Dépenses de fonctionnement", "", "", ""),
            ("Formation des agents et des enseignants", "3 000,00", "600,00", "3 600,00"),
            ("Sous-total fonctionnement", "3 000,00", "600,00", "3 600,00"),
            ("TOTAL GÉNÉRAL", "23 500,00", "4 700,00", "28 200,00"),
        ],
        (80, 30, 30, 30),
    )
    _para(pdf, "Ressources prévisionnelles")
    _table(
        pdf,
        [
            ("Financeurs", "Montant", "Taux", "Statut"),
            ("État - DETR 2024", "9 400,00", "40 %", "Sollicitée"),
            ("Département de la Loire", "4 700,00", "20 %", "Acquis (CP du 12/05/2023)"),
            ("Autofinancement communal", "9 400,00", "40 %", ""),
            ("TOTAL", "23 500,00", "100 %", ""),
        ],
        (80, 30, 20, 50),
    )
    pdf.output(str(path))
    return _read(path)


def test_ruled_pdf_plan_with_sections_ht_tva_ttc(commune_plan: Document) -> None:
    budget = extract_budget([_piece(commune_plan, "plan_financement")])
    assert expenses(budget) == [
        (
            "Acquisition de 30 tablettes numériques pour l'école élémentaire Jules Ferry",
            Decimal("12000"),
            "materiel",
            "investissement",
            "ht",
        ),
        (
            "Travaux de câblage et pose de bornes Wi-Fi",
            Decimal("8500"),
            "immobilier",
            "investissement",
            "ht",
        ),
        (
            "Formation des agents et des enseignants",
            Decimal("3000"),
            "formation",
            "fonctionnement",
            "ht",
        ),
    ]
    assert budget.total_cost_eur.value == Decimal("23500")
    assert budget.total_cost_eur.evidence[0].quote == "TOTAL GÉNÉRAL 23 500,00"
    assert budget.cost_basis.value == "ht"
    assert "Montant HT" in budget.cost_basis.evidence[0].quote
    assert resources(budget) == [
        ("État - DETR 2024", Decimal("9400"), True, "sollicité"),
        ("Département de la Loire", Decimal("4700"), True, "acquis"),
    ]
    assert budget.self_financing_eur.value == Decimal("9400")
    # The only resource marked "sollicitée": the request, said so in a warning; its "%"
    # column gives the requested rate, as written.
    assert budget.requested_aid_eur.value == Decimal("9400")
    assert budget.requested_rate.value == Decimal("0.4")
    assert budget.requested_rate.evidence[0].quote.endswith("40 %")
    assert any("seule ressource sollicitée" in w for w in budget.warnings)
    assert_evidence(budget, commune_plan)


def test_sourced_values_fit_the_dossier_contract(commune_plan: Document) -> None:
    budget = extract_budget([_piece(commune_plan, "plan_financement")])
    facts = DossierFacts(**{name: getattr(budget, name) for name in FIELDS})
    assert facts.total_cost_eur.value == Decimal("23500")
    assert facts.cost_basis.value == "ht"
    dumped = facts.model_dump(mode="json")
    assert dumped["expenses"]["value"][0]["amount_eur"] == 12000
    assert dumped["requested_rate"]["value"] == 0.4


def test_quotes_are_not_plan_lines(commune_plan: Document, tmp_path: Path) -> None:
    """A quote (devis) holds lines with amounts: they never become plan lines."""
    path = tmp_path / "devis.pdf"
    pdf = _pdf()
    _title(pdf, "DEVIS n° 2023-118")
    _table(
        pdf,
        [
            ("Désignation", "Qté", "Prix unitaire HT", "Total HT"),
            ("Tablette 10 pouces", "30", "380,00", "11 400,00"),
            ("Coque de protection", "30", "20,00", "600,00"),
            ("Total HT", "", "", "12 000,00"),
        ],
        (80, 20, 40, 40),
    )
    pdf.output(str(path))
    quote = _read(path)
    alone = extract_budget([_piece(quote, "devis")])
    assert alone.expenses.value is None and alone.total_cost_eur.value is None
    both = extract_budget([_piece(quote, "devis"), _piece(commune_plan, "plan_financement")])
    assert [e.label for e in both.expenses.value or []][0].startswith("Acquisition de 30")
    assert both.total_cost_eur.value == Decimal("23500")


# --------------------------------------------------------------------------- DOCX two-sided


def test_docx_two_sided_table_with_present_request(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    document = new_docx()
    document.add_heading("Plan de financement de l'opération", level=1)
    document.add_paragraph(
        "Montants exprimés en euros TTC, la commune ne récupérant pas la TVA sur cette opération."
    )
    rows = [
        ("Dépenses", "Montant", "Recettes", "Montant"),
        ("Maîtrise d'œuvre", "4 800 €", "DETR 2024 (sollicitée)", "19 200 €"),
        (
            "Travaux de rénovation énergétique de la salle des fêtes",
            "43 200 €",
            "Région Auvergne-Rhône-Alpes – Bonus relance (présente demande)",
            "14 400 €",
        ),
        ("", "", "Département de la Loire (acquis)", "4 800 €"),
        ("", "", "Part communale (autofinancement)", "9 600 €"),
        ("Total", "48 000 €", "Total", "48 000 €"),
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            table.cell(i, j).text = value
    document.add_paragraph("Fait à Firminy, le 3 avril 2024.")
    document.save(str(path))
    doc = _read(path)

    budget = extract_budget([_piece(doc, "plan_financement")])
    assert expenses(budget) == [
        ("Maîtrise d'œuvre", Decimal("4800"), "prestation", None, "ttc"),
        (
            "Travaux de rénovation énergétique de la salle des fêtes",
            Decimal("43200"),
            "immobilier",
            None,
            "ttc",
        ),
    ]
    assert resources(budget) == [
        ("DETR 2024", Decimal("19200"), True, "sollicité"),
        ("Région Auvergne-Rhône-Alpes – Bonus relance", Decimal("14400"), True, "sollicité"),
        ("Département de la Loire", Decimal("4800"), True, "acquis"),
    ]
    assert budget.self_financing_eur.value == Decimal("9600")
    assert (
        budget.self_financing_eur.evidence[0].quote == "Part communale (autofinancement) | 9 600 €"
    )
    # Two lines are "sollicitée": the one written "(présente demande)" is this request.
    assert budget.requested_aid_eur.value == Decimal("14400")
    assert "présente demande" in budget.requested_aid_eur.evidence[0].quote
    assert budget.requested_rate.value is None  # never computed
    assert budget.total_cost_eur.value == Decimal("48000")
    assert budget.total_cost_eur.evidence[0].quote == "Total | 48 000 €"
    assert budget.cost_basis.value == "ttc"
    assert budget.cost_basis.evidence[0].quote.startswith("Montants exprimés en euros TTC")
    assert budget.warnings == []
    assert_evidence(budget, doc)


def test_several_requests_without_marker_leave_the_request_unknown(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    document = new_docx()
    document.add_paragraph("Plan de financement (montants HT)")
    rows = [
        ("Dépenses", "Montant HT", "Ressources", "Montant"),
        ("Étude de faisabilité", "10 000 €", "DSIL (sollicitée)", "4 000 €"),
        ("", "", "Région (sollicitée)", "3 000 €"),
        ("", "", "Fonds propres", "3 000 €"),
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            table.cell(i, j).text = value
    document.save(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "plan_financement")])
    assert budget.requested_aid_eur.value is None
    assert any("Plusieurs financements sont sollicités" in w for w in budget.warnings)
    # No total line: not computed, but the instructeur is told the sum of the lines.
    assert budget.total_cost_eur.value is None
    assert any("somme des lignes" in w and "10 000 €" in w for w in budget.warnings)
    assert budget.cost_basis.value == "ht"
    assert_evidence(budget, doc)


# --------------------------------------------------------------------------- unruled lines


def test_unruled_plan_read_from_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "budget.pdf"
    pdf = _pdf()
    _title(pdf, "Compagnie Les Tréteaux - Création 2024")
    _para(pdf, "PLAN DE FINANCEMENT PRÉVISIONNEL (montants en € HT)")
    _unruled(
        pdf,
        [
            ("DÉPENSES", ""),
            ("Étude acoustique préalable", "5 000 €"),
            ("Équipements scéniques et éclairage", "45 000 €"),
            ("Total dépenses", "50 000 €"),
            ("RESSOURCES", ""),
            ("Région Auvergne-Rhône-Alpes (sollicitée)", "20 000 €"),
            ("Fondation du Crédit Agricole (acquis)", "5 000 €"),
            ("Emprunt bancaire", "10 000 €"),
            ("Fonds propres", "15 000 €"),
            ("Total ressources", "50 000 €"),
        ],
    )
    pdf.output(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "budget_previsionnel")])
    assert expenses(budget) == [
        ("Étude acoustique préalable", Decimal("5000"), "prestation", None, "ht"),
        ("Équipements scéniques et éclairage", Decimal("45000"), "materiel", None, "ht"),
    ]
    assert resources(budget) == [
        ("Région Auvergne-Rhône-Alpes", Decimal("20000"), True, "sollicité"),
        ("Fondation du Crédit Agricole", Decimal("5000"), False, "acquis"),
    ]
    # The loan is part of the own share (see extractors.dossier.funders), said in a warning.
    assert budget.self_financing_eur.value == Decimal("25000")
    assert [e.quote for e in budget.self_financing_eur.evidence] == [
        "Emprunt bancaire 10 000 €",
        "Fonds propres 15 000 €",
    ]
    assert any("emprunt de 10 000 €" in w for w in budget.warnings)
    assert budget.total_cost_eur.value == Decimal("50000")
    assert budget.total_cost_eur.evidence[0].quote == "Total dépenses 50 000 €"
    assert budget.cost_basis.value == "ht"
    assert budget.requested_aid_eur.value == Decimal("20000")
    assert_evidence(budget, doc)


def test_lines_with_ht_tva_ttc_columns_and_wrapped_label(tmp_path: Path) -> None:
    """Bare amounts under a header line naming the columns; a label wrapped over two lines
    (unruled: the lines are read whether or not the reader detects a table)."""
    path = tmp_path / "plan.pdf"
    pdf = _pdf()
    _title(pdf, "Plan de financement")
    pdf.set_font("Helvetica", size=10)
    for label, ht, tva, ttc in [
        ("Désignation", "Montant HT", "TVA", "Montant TTC"),
        ("Logiciel de gestion des inscriptions", "6 000,00", "1 200,00", "7 200,00"),
        ("Hébergement et maintenance (3 ans)", "1 500,00", "300,00", "1 800,00"),
        ("Total", "7 500,00", "1 500,00", "9 000,00"),
    ]:
        pdf.cell(90, 6, label)
        pdf.cell(30, 6, ht, align="R")
        pdf.cell(30, 6, tva, align="R")
        pdf.cell(30, 6, ttc, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "plan_financement")])
    assert expenses(budget) == [
        ("Logiciel de gestion des inscriptions", Decimal("6000"), "logiciel", None, "ht"),
        (
            "Hébergement et maintenance (3 ans)",
            Decimal("1500"),
            "hebergement_maintenance",
            None,
            "ht",
        ),
    ]
    assert budget.total_cost_eur.value == Decimal("7500")
    assert budget.cost_basis.value == "ht"
    assert_evidence(budget, doc)


# --------------------------------------------------------------------------- CERFA 12156


def _cerfa_rows(charges: list[tuple[str, str]], produits: list[tuple[str, str]]) -> list[tuple]:
    rows: list[tuple[str, ...]] = [("CHARGES", "Montant", "PRODUITS", "Montant")]
    for (c, ca), (p, pa) in zip(charges, produits, strict=True):
        rows.append((c, ca, p, pa))
    return rows


def test_cerfa_association_budget(tmp_path: Path) -> None:
    path = tmp_path / "cerfa_12156.pdf"
    pdf = _pdf()
    _title(pdf, "5. Budget prévisionnel de l'association - exercice 2024")
    _table(
        pdf,
        _cerfa_rows(
            [
                ("60 - Achats", "12 000"),
                ("64 - Charges de personnel", "48 000"),
                ("TOTAL DES CHARGES", "60 000"),
            ],
            [
                ("74 - Subventions d'exploitation", "40 000"),
                ("75 - Autres produits de gestion courante", "20 000"),
                ("TOTAL DES PRODUITS", "60 000"),
            ],
        ),
        (60, 25, 70, 25),
        size=7,
    )
    _title(pdf, "6. Budget du projet")
    _table(
        pdf,
        _cerfa_rows(
            [
                ("60 - Achats", "2 500"),
                ("Prestations de services", "1 000"),
                ("Achats matières et fournitures", "1 500"),
                ("61 - Services extérieurs", "800"),
                ("62 - Autres services extérieurs", ""),
                ("Rémunérations intermédiaires et honoraires", "2 000"),
                ("Publicité, publication", "500"),
                ("64 - Charges de personnel", ""),
                ("Rémunération des personnels", "5 000"),
                ("Charges sociales", "1 500"),
                ("TOTAL DES CHARGES", "12 300"),
                ("86 - Emplois des contributions volontaires en nature", ""),
                ("Personnel bénévole", "3 000"),
                ("TOTAL", "15 300"),
            ],
            [
                ("70 - Vente de produits finis, prestations de services", "1 200"),
                ("73 - Dotations et produits de tarification", ""),
                ("74 - Subventions d'exploitation", "10 500"),
                ("État : préciser le(s) ministère(s) sollicité(s)", ""),
                ("- DRAJES (FDVA)", "3 000"),
                ("Région(s) :", ""),
                ("Département(s) : Loire (présente demande)", "4 000"),
                ("Commune(s) : Saint-Étienne", "2 000"),
                ("Aides privées (fondation)", "1 500"),
                ("75 - Autres produits de gestion courante", ""),
                ("756. Cotisations", "600"),
                ("TOTAL DES PRODUITS", "12 300"),
                ("87 - Contributions volontaires en nature", ""),
                ("Bénévolat", "3 000"),
            ],
        ),
        (60, 25, 70, 25),
        size=7,
    )
    pdf.output(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "budget_previsionnel")])
    # The project's budget, not the association's annual one; detail lines, not the
    # account headers (61 has no detail line: its header is the line).
    assert expenses(budget) == [
        ("Prestations de services", Decimal("1000"), "prestation", None, None),
        ("Achats matières et fournitures", Decimal("1500"), "materiel", None, None),
        ("61 - Services extérieurs", Decimal("800"), "autre", None, None),
        ("Rémunérations intermédiaires et honoraires", Decimal("2000"), "prestation", None, None),
        ("Publicité, publication", Decimal("500"), "communication", None, None),
        ("Rémunération des personnels", Decimal("5000"), "personnel", None, None),
        ("Charges sociales", Decimal("1500"), "personnel", None, None),
    ]
    assert resources(budget) == [
        ("70 - Vente de produits finis, prestations de services", Decimal("1200"), False, None),
        ("DRAJES (FDVA)", Decimal("3000"), True, None),
        ("Département(s) : Loire", Decimal("4000"), True, "sollicité"),
        ("Commune(s) : Saint-Étienne", Decimal("2000"), True, None),
        ("Aides privées (fondation)", Decimal("1500"), False, None),
        ("756. Cotisations", Decimal("600"), False, None),
    ]
    assert budget.total_cost_eur.value == Decimal("12300")
    assert budget.total_cost_eur.evidence[0].quote == "TOTAL DES CHARGES 12 300"
    assert budget.requested_aid_eur.value == Decimal("4000")
    assert budget.self_financing_eur.value is None
    # The CERFA does not say HT or TTC: null, and said.
    assert budget.cost_basis.value is None
    assert any("HT ou TTC" in w for w in budget.warnings)
    assert any(
        "Contributions volontaires en nature" in w and "3 000 €" in w for w in budget.warnings
    )
    assert any("2 budgets" in w and "Budget du projet" in w for w in budget.warnings)
    assert_evidence(budget, doc)


# --------------------------------------------------------------------------- fillable form


def _acroform(path: Path, fields: list[tuple[str, str, str]]) -> None:
    pdf = canvas.Canvas(str(path))
    pdf.setFont("Helvetica", 11)
    pdf.drawString(50, 800, "Demande de subvention - Plan de financement du projet")
    y = 760
    for name, label, value in fields:
        pdf.drawString(50, y, label)
        pdf.acroForm.textfield(name=name, value=value, x=260, y=y - 4, width=250, height=16)
        y -= 26
    pdf.save()


def test_fillable_form_fields(tmp_path: Path) -> None:
    path = tmp_path / "formulaire.pdf"
    _acroform(
        path,
        [
            ("depense_1_libelle", "Dépense 1", "Achat de serveurs informatiques"),
            ("depense_1_montant_ht", "Montant HT", "15 000,00"),
            ("depense_1_montant_ttc", "Montant TTC", "18 000,00"),
            ("depense_2_libelle", "Dépense 2", "Prestation de développement du portail"),
            ("depense_2_montant_ht", "Montant HT", "9 000"),
            ("financeur_1_nom", "Financeur 1", "Région Pays de la Loire"),
            ("financeur_1_montant", "Montant", "12 000"),
            ("financeur_1_statut", "Statut", "sollicité"),
            ("financeur_2_nom", "Financeur 2", "Mécénat Entreprise Dupont"),
            ("financeur_2_montant", "Montant", "2 000"),
            ("financeur_2_statut", "Statut", "acquis"),
            ("coutTotalHT", "Coût total HT", "24 000"),
            ("Montant sollicité", "Montant sollicité", "12 000,00"),
            ("taux_sollicite", "Taux sollicité", "50 %"),
            ("autofinancement", "Autofinancement", "10 000"),
        ],
    )
    doc = _read(path)
    assert doc.form_fields  # the reader sees the fields
    budget = extract_budget([_piece(doc, "formulaire")])
    assert expenses(budget) == [
        ("Achat de serveurs informatiques", Decimal("15000"), "materiel", None, "ht"),
        ("Prestation de développement du portail", Decimal("9000"), "prestation", None, "ht"),
    ]
    assert resources(budget) == [
        ("Région Pays de la Loire", Decimal("12000"), True, "sollicité"),
        ("Mécénat Entreprise Dupont", Decimal("2000"), False, "acquis"),
    ]
    assert budget.total_cost_eur.value == Decimal("24000")
    assert budget.total_cost_eur.evidence[0].quote == "coutTotalHT = 24 000"
    assert budget.cost_basis.value == "ht"
    assert budget.requested_aid_eur.value == Decimal("12000")
    assert budget.requested_rate.value == Decimal("0.5")
    assert budget.self_financing_eur.value == Decimal("10000")
    assert budget.warnings == []
    assert_evidence(budget, doc)


# --------------------------------------------------------------------------- TTC only


def test_plan_in_ttc_only(tmp_path: Path) -> None:
    path = tmp_path / "plan_ttc.pdf"
    pdf = _pdf()
    _title(pdf, "Plan de financement - Association Lire Ensemble")
    _table(
        pdf,
        [
            ("Postes de dépenses", "Montant TTC"),
            ("Achat de mobilier pour la bibliothèque", "3 600,00 €"),
            ("Ordinateurs portables (2)", "1 800,00 €"),
            ("Total des dépenses TTC", "5 400,00 €"),
        ],
        (120, 50),
    )
    _table(
        pdf,
        [
            ("Ressources", "Montant TTC"),
            ("Commune de Montbrison - subvention acquise", "1 400,00 €"),
            ("Conseil départemental (sollicité - présente demande)", "2 700,00 €"),
            ("Fonds propres de l'association", "1 300,00 €"),
            ("Total des ressources", "5 400,00 €"),
        ],
        (120, 50),
    )
    pdf.output(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "plan_financement")])
    assert expenses(budget) == [
        ("Achat de mobilier pour la bibliothèque", Decimal("3600"), "mobilier", None, "ttc"),
        ("Ordinateurs portables (2)", Decimal("1800"), "materiel", None, "ttc"),
    ]
    assert budget.total_cost_eur.value == Decimal("5400")
    assert budget.cost_basis.value == "ttc"
    assert resources(budget) == [
        ("Commune de Montbrison", Decimal("1400"), True, "acquis"),
        ("Conseil départemental", Decimal("2700"), True, "sollicité"),
    ]
    assert budget.requested_aid_eur.value == Decimal("2700")
    assert budget.self_financing_eur.value == Decimal("1300")
    assert_evidence(budget, doc)


# --------------------------------------------------------------------------- disagreements


def test_form_disagreeing_with_the_plan(tmp_path: Path) -> None:
    plan_path = tmp_path / "Plan de financement.pdf"
    pdf = _pdf()
    _title(pdf, "Plan de financement (en euros HT)")
    _table(
        pdf,
        [
            ("Dépenses", "Montant HT"),
            ("Travaux d'aménagement de la médiathèque", "26 150,00"),
            ("Mobilier et équipements", "6 000,00"),
            ("Total", "32 150,00"),
        ],
        (120, 50),
    )
    _table(
        pdf,
        [
            ("Financements", "Montant", "Statut"),
            ("Région - subvention (présente demande)", "12 860,00", "sollicité"),
            ("Autofinancement", "19 290,00", ""),
            ("Total", "32 150,00", ""),
        ],
        (100, 40, 40),
    )
    pdf.output(str(plan_path))
    letter_path = tmp_path / "Lettre de demande.docx"
    letter = new_docx()
    letter.add_paragraph("Monsieur le Président,")
    letter.add_paragraph(
        "Le coût total du projet s'élève à 31 250 € HT. La commune sollicite une subvention "
        "de 12 860 € soit 40 % du montant HT des dépenses."
    )
    letter.save(str(letter_path))
    deliberation_path = tmp_path / "Délibération.docx"
    deliberation = new_docx()
    deliberation.add_paragraph(
        "Le conseil municipal approuve le projet et propose de solliciter la Région à "
        "hauteur de 45 % de la dépense."
    )
    deliberation.save(str(deliberation_path))
    plan, form, council = _read(plan_path), _read(letter_path), _read(deliberation_path)

    budget = extract_budget(
        [
            _piece(council, "deliberation"),
            _piece(form, "formulaire"),
            _piece(plan, "plan_financement"),
        ]
    )
    assert budget.total_cost_eur.value == Decimal("32150")
    assert budget.total_cost_eur.evidence[0].document == "Plan de financement.pdf"
    conflict = [w for w in budget.warnings if w.startswith("Coût total du projet")]
    assert len(conflict) == 1
    assert "32 150 €" in conflict[0] and "31 250 €" in conflict[0]
    assert "Plan de financement.pdf" in conflict[0] and "Lettre de demande.docx" in conflict[0]
    assert budget.requested_aid_eur.value == Decimal("12860")
    # The rate is written in the letter: read, not computed.
    assert budget.requested_rate.value == Decimal("0.4")
    assert budget.requested_rate.evidence[0].document == "Lettre de demande.docx"
    # The deliberation's rate (written, but another one) is named, not averaged.
    assert any(w.startswith("Taux sollicité : 40 %") and "45 %" in w for w in budget.warnings)
    assert budget.self_financing_eur.value == Decimal("19290")
    assert not any("Montant de l'aide" in w for w in budget.warnings)
    assert_evidence(budget, plan, form, council)


def test_plan_read_from_the_form_when_there_is_no_plan_piece(tmp_path: Path) -> None:
    """A request whose plan is a section of the form; the form's other amounts are facts,
    not plan lines."""
    path = tmp_path / "demande.docx"
    document = new_docx()
    document.add_heading("Demande de subvention", level=1)
    document.add_paragraph("Montant sollicité : 8 000 €")
    document.add_paragraph("Date de début du projet : 1er septembre 2024")
    document.add_heading("Budget prévisionnel du projet (HT)", level=2)
    rows = [
        ("Dépenses", "Montant"),
        ("Abonnement à la plateforme de téléconsultation", "4 000 €"),
        ("Campagne de communication", "6 000 €"),
        ("Total", "10 000 €"),
        ("Ressources", "Montant"),
        ("ARS Auvergne-Rhône-Alpes", "8 000 €"),
        ("Fonds propres", "2 000 €"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            table.cell(i, j).text = value
    document.save(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "formulaire")])
    assert expenses(budget) == [
        (
            "Abonnement à la plateforme de téléconsultation",
            Decimal("4000"),
            "abonnement",
            None,
            "ht",
        ),
        ("Campagne de communication", Decimal("6000"), "communication", None, "ht"),
    ]
    assert resources(budget) == [("ARS Auvergne-Rhône-Alpes", Decimal("8000"), True, None)]
    assert budget.requested_aid_eur.value == Decimal("8000")
    assert budget.requested_aid_eur.evidence[0].quote == "Montant sollicité : 8 000 €"
    assert budget.total_cost_eur.value == Decimal("10000")
    assert budget.self_financing_eur.value == Decimal("2000")
    assert_evidence(budget, doc)


def test_nothing_found_is_null_without_evidence(tmp_path: Path) -> None:
    path = tmp_path / "note.docx"
    document = new_docx()
    document.add_paragraph("Note descriptive du projet : un tiers-lieu numérique en centre-bourg.")
    document.save(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "note_descriptive")])
    for name in FIELDS:
        assert getattr(budget, name).value is None, name
    assert_evidence(budget, doc)


# --------------------------------------------------------------------------- vocabulary


@pytest.mark.parametrize(
    ("label", "public"),
    [
        ("État - DETR 2024", True),
        ("Banque des Territoires", True),
        ("FEDER (Europe)", True),
        ("Communauté de communes des Monts du Lyonnais", True),
        ("CAF de la Loire", True),
        ("Fondation de France", False),
        ("Mécénat Entreprise Dupont", False),
        ("Crédit Agricole Loire Haute-Loire", False),
        ("Participation des usagers", False),
        ("Partenaire à confirmer", None),
    ],
)
def test_public_funders(label: str, public: bool | None) -> None:
    assert funders.is_public(label) is public


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Sollicitée", "sollicité"),
        ("en cours d'instruction", "sollicité"),
        ("à solliciter", "sollicité"),
        ("Acquis (CP du 12/05/2023)", "acquis"),
        ("notifiée le 3 mars", "acquis"),
        ("sollicitée le 3 mars, attribuée le 2 mai", "acquis"),
        ("Département de la Loire", None),
    ],
)
def test_status(text: str, status: str | None) -> None:
    assert funders.status_of(text) == status


def test_self_financing_and_funder_names() -> None:
    assert funders.is_self_financing("Autofinancement communal")
    assert funders.is_self_financing("Part du maître d'ouvrage")
    assert funders.is_self_financing("Emprunt bancaire")
    assert not funders.is_self_financing("Avance remboursable de la Région")
    assert not funders.is_self_financing("DETR")
    assert funders.clean_funder("DETR (sollicitée)") == "DETR"
    assert (
        funders.clean_funder("Commune de Montbrison - subvention acquise")
        == "Commune de Montbrison"
    )
    assert funders.clean_funder("Région (présente demande)") == "Région"
    assert funders.clean_funder("Subvention sollicitée") == "Subvention sollicitée"


def test_expense_codes_and_subtotals() -> None:
    assert expense_code("Rémunérations intermédiaires et honoraires") == "prestation"
    assert expense_code("Maîtrise d'œuvre") == "prestation"
    assert expense_code("Divers et imprévus") == "autre"
    # The head of the noun phrase comes first in French.
    assert expense_code("Développement de la plateforme de rendez-vous") == "prestation"
    assert expense_code("Hébergement de la plateforme (3 ans)") == "hebergement_maintenance"
    assert expense_code("Licences du module de paiement en ligne") == "logiciel"
    assert expense_code("Communication (site web, affiches)") == "communication"
    # Software developed for the applicant is bought as a service.
    assert expense_code("Portail citoyen (paramétrage, développement)") == "prestation"
    assert is_subtotal("Sous-total investissement")
    assert is_subtotal("Total fonctionnement")
    assert not is_subtotal("TOTAL GÉNÉRAL HT")
    assert not is_subtotal("Total des dépenses éligibles")


# --------------------------------------------------------------------------- layouts


def test_merged_pdf_pieces_by_page_range(tmp_path: Path) -> None:
    """One PDF holding the letter (page 1) and the plan (page 2): each piece reads its own
    pages, and the evidence gives the page."""
    path = tmp_path / "Dossier complet.pdf"
    pdf = _pdf()
    _title(pdf, "Demande de subvention")
    _para(
        pdf,
        "Madame la Présidente, la commune de Boën-sur-Lignon sollicite une subvention de "
        "6 000 € au titre de l'appel à projets, soit un taux de 60 %.",
    )
    pdf.add_page()
    _title(pdf, "Plan de financement (montants HT)")
    _table(
        pdf,
        [
            ("Dépenses", "Montant"),
            ("Équipement numérique de la médiathèque", "10 000 €"),
            ("Total", "10 000 €"),
        ],
        (120, 50),
    )
    _table(
        pdf,
        [
            ("Ressources", "Montant"),
            ("Département de la Loire (sollicité)", "6 000 €"),
            ("Autofinancement", "4 000 €"),
        ],
        (120, 50),
    )
    pdf.output(str(path))
    doc = _read(path)
    assert len(doc.pages) == 2
    letter = PieceView(doc, 1, 1, "formulaire")
    plan = PieceView(doc, 2, 2, "plan_financement")
    budget = extract_budget([letter, plan])
    assert budget.total_cost_eur.value == Decimal("10000")
    assert budget.total_cost_eur.evidence[0].page == 2
    assert budget.requested_aid_eur.value == Decimal("6000")
    assert budget.requested_aid_eur.evidence[0].page == 1
    assert budget.requested_rate.value == Decimal("0.6")
    assert [e.label for e in budget.expenses.value or []] == [
        "Équipement numérique de la médiathèque"
    ]
    # The letter alone holds no plan: its amounts are statements, not lines.
    alone = extract_budget([letter])
    assert alone.expenses.value is None and alone.resources.value is None
    assert alone.requested_aid_eur.value == Decimal("6000")
    assert_evidence(budget, doc)


def test_two_sided_plan_written_as_lines() -> None:
    """An unruled two-sided plan read from its text lines (what the reader gives when it
    detects no table): each line cut into its expense half and its resource half."""
    from extractors.dossier.budget_lines import line_rows
    from extractors.dossier.budget_plan import PlanReader

    text = (
        "Plan de financement HT\n"
        "Dépenses Montant Recettes Montant\n"
        "Travaux 36 000 € DETR (sollicitée) 20 000 €\n"
        "Maîtrise d'œuvre 4 000 € Département (acquis) 10 000 €\n"
        "Autofinancement 10 000 €\n"
        "Total 40 000 € Total 40 000 €"
    )
    doc = Document(
        name="plan.txt",
        path="plan.txt",
        sha256="0" * 64,
        source_kind="txt",
        text=text,
        pages=[{"number": 1, "start": 0, "end": len(text)}],
    )
    piece = _piece(doc, "plan_financement")
    reader = PlanReader(piece, strict=False)
    for row in line_rows(piece, []):
        reader.feed(row)
    (reading,) = reader.finish()
    assert [(f.value.label, f.value.amount_eur) for f in reading.expenses] == [
        ("Travaux", Decimal("36000")),
        ("Maîtrise d'œuvre", Decimal("4000")),
    ]
    assert [(f.value.funder, f.value.status) for f in reading.resources] == [
        ("DETR", "sollicité"),
        ("Département", "acquis"),
    ]
    assert [f.value for f in reading.self_financing] == [Decimal("10000")]
    assert [f.value for f in reading.expense_totals] == [Decimal("40000")]
    for found in reading.expenses + reading.resources:
        evidence = found.evidence[0]
        assert text[evidence.start : evidence.end] == evidence.quote


def test_cerfa_continued_on_the_next_page(tmp_path: Path) -> None:
    """A CERFA budget whose table goes on over a page break: each side goes on under the
    account it had reached (75's detail line is on the next page)."""
    path = tmp_path / "budget.pdf"
    pdf = _pdf()
    _title(pdf, "Budget prévisionnel du projet")
    _table(
        pdf,
        _cerfa_rows(
            [("60 - Achats", "3 000"), ("Fournitures d'ateliers", "3 000"), ("", "")],
            [
                ("74 - Subventions d'exploitation", "4 000"),
                ("Département de la Drôme (sollicité)", "4 000"),
                ("75 - Autres produits de gestion courante", "500"),
            ],
        ),
        (60, 25, 70, 25),
        size=8,
    )
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=(60, 25, 70, 25), first_row_as_headings=False) as table:
        for values in [
            ("64 - Charges de personnel", "", "756. Cotisations", "500"),
            ("Rémunération des animateurs", "1 500", "", ""),
            ("TOTAL DES CHARGES", "4 500", "TOTAL DES PRODUITS", "4 500"),
        ]:
            cells = table.row()
            for value in values:
                cells.cell(value)
    pdf.output(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "budget_previsionnel")])
    assert [(e.label, e.amount_eur, e.expense_code) for e in budget.expenses.value or []] == [
        ("Fournitures d'ateliers", Decimal("3000"), "materiel"),
        ("Rémunération des animateurs", Decimal("1500"), "personnel"),
    ]
    assert resources(budget) == [
        ("Département de la Drôme", Decimal("4000"), True, "sollicité"),
        ("756. Cotisations", Decimal("500"), False, None),
    ]
    assert budget.total_cost_eur.value == Decimal("4500")
    assert not any("budgets" in w for w in budget.warnings)
    assert_evidence(budget, doc)


def test_a_rates_table_in_a_note_is_not_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "note.docx"
    document = new_docx()
    document.add_heading("Note de présentation", level=1)
    document.add_paragraph("Le projet s'adresse à trois publics :")
    rows = [
        ("Public", "Nombre", "Part"),
        ("Familles", "1 200", "60 %"),
        ("Seniors", "800", "40 %"),
    ]
    table = document.add_table(rows=len(rows), cols=3)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            table.cell(i, j).text = value
    document.add_paragraph("Le coût total du projet est estimé à 42 000 € HT.")
    document.save(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "note_descriptive")])
    assert budget.expenses.value is None and budget.resources.value is None
    assert budget.total_cost_eur.value == Decimal("42000")
    assert budget.total_cost_eur.evidence[0].quote == "coût total du projet est estimé à 42 000 €"
    assert budget.cost_basis.value == "ht"
    assert_evidence(budget, doc)


def test_nature_column_gives_the_expense_type(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    document = new_docx()
    document.add_paragraph("Budget prévisionnel de l'opération")
    rows = [
        ("Dépenses", "Nature", "Montant HT", "Montant TTC"),
        ("Acquisition de 12 ordinateurs", "Inv.", "9 600 €", "11 520 €"),
        ("Abonnement annuel à l'ENT", "Fonct.", "1 200 €", "1 440 €"),
        ("Total", "", "10 800 €", "12 960 €"),
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            table.cell(i, j).text = value
    document.save(str(path))
    doc = _read(path)
    budget = extract_budget([_piece(doc, "budget_previsionnel")])
    assert expenses(budget) == [
        ("Acquisition de 12 ordinateurs", Decimal("9600"), "materiel", "investissement", "ht"),
        ("Abonnement annuel à l'ENT", Decimal("1200"), "abonnement", "fonctionnement", "ht"),
    ]
    assert budget.total_cost_eur.value == Decimal("10800")
    assert budget.cost_basis.value == "ht"
    assert_evidence(budget, doc)
