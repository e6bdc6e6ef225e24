"""Pieces, identity, project, notes and commitments read from small realistic pieces
(DOCX and PDF built here, read through the real reader)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document as Docx
from fpdf import FPDF

from extractors.dossier.commitments import extract_commitments, extract_iban
from extractors.dossier.identity import clean_person, extract_identity
from extractors.dossier.notes import extract_notes
from extractors.dossier.pieces import classify
from extractors.dossier.project import extract_project
from extractors.dossier.split import split_pages
from extractors.dossier.views import PieceView
from pipeline.documents import read_document

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def docx(tmp_path: Path, name: str, paragraphs: list[str | tuple[str, int]], table=None) -> Path:
    """A DOCX: strings are paragraphs, (text, level) headings; `table` rows after them."""
    document = Docx()
    for item in paragraphs:
        if isinstance(item, tuple):
            document.add_heading(item[0], level=item[1])
        else:
            document.add_paragraph(item)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    path = tmp_path / name
    document.save(path)
    return path


def pdf(tmp_path: Path, name: str, pages: list[list[str]]) -> Path:
    doc = FPDF()
    doc.set_auto_page_break(False)
    if FONT.exists():
        doc.add_font("dejavu", "", str(FONT))
        doc.set_font("dejavu", size=11)
    else:  # pragma: no cover - machines without DejaVu
        doc.set_font("helvetica", size=11)
    for lines in pages:
        doc.add_page()
        for line in lines:
            doc.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / name
    doc.output(str(path))
    return path


def piece_of(path: Path, code: str | None = None) -> PieceView:
    doc = read_document(path, name=path.name)
    view = PieceView(doc, 1, len(doc.pages))
    found = classify(view)
    return PieceView(doc, 1, len(doc.pages), code or found.piece, found.confidence, found.reason)


DELIBERATION = [
    "COMMUNE DE FEURS",
    "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS DU CONSEIL MUNICIPAL",
    "Séance du 4 juillet 2023",
    "Nombre de conseillers en exercice : 29 — présents : 22 — votants : 25",
    "Objet : demande de subvention au titre de l'appel à partenariat Loire Connect",
    "Le conseil municipal, après en avoir délibéré, à l'unanimité :",
    "- approuve le projet et son plan de financement ;",
    "Certifié exécutoire, le 6 juillet 2023.",
]


def test_deliberation_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    view = piece_of(pdf(tmp_path, "scan0003.pdf", [DELIBERATION]))
    assert view.piece == "deliberation"
    assert view.confidence >= 0.7
    assert "délibéré" in view.reason or "registre" in view.reason


@pytest.mark.parametrize(
    ("name", "lines", "code"),
    [
        (
            "doc1.pdf",
            [
                "RELEVÉ D'IDENTITÉ BANCAIRE",
                "Titulaire du compte : COMMUNE DE FEURS",
                "Domiciliation : DGFIP Trésorerie de Feurs",
                "IBAN : FR76 3000 1007 9412 3456 7890 185",
                "BIC : BDFEFRPPCCT",
            ],
            "rib",
        ),
        (
            "document.pdf",
            [
                "Numérix Conseil SAS — 12 rue de la Paix, 42000 Saint-Étienne",
                "DEVIS N° D-2023-0412",
                "Date : 2 mai 2023 — Validité de l'offre : 3 mois",
                "Désignation Quantité Prix unitaire HT Montant HT",
                "Tablettes durcies 20 420,00 8 400,00",
                "Total HT 8 400,00 € — TVA 20 % 1 680,00 € — Total TTC 10 080,00 €",
            ],
            "devis",
        ),
        (
            "att.pdf",
            [
                "ATTESTATION DE NON-COMMENCEMENT DE L'OPÉRATION",
                "Je soussigné Paul Girard, Maire de Feurs, atteste sur l'honneur que",
                "l'opération n'a pas commencé à la date de dépôt de la demande.",
            ],
            "attestation_non_commencement",
        ),
        (
            "pieces.pdf",
            [
                "Note sur la démarche numérique responsable",
                "Les tablettes seront reconditionnées et leur durée de vie allongée.",
            ],
            "note_numerique_responsable",
        ),
        (
            "Facture.pdf",
            ["FACTURE N° F-2023-118", "Date de facture : 12/06/2023", "Total TTC 1 200,00 €"],
            "autre",
        ),
    ],
)
def test_pieces_by_content(tmp_path: Path, name: str, lines: list[str], code: str) -> None:
    assert piece_of(pdf(tmp_path, name, [lines])).piece == code


def test_file_name_is_only_a_hint(tmp_path: Path) -> None:
    """A RIB saved as "Délibération.pdf" is still a RIB."""
    lines = ["RELEVÉ D'IDENTITÉ BANCAIRE", "IBAN : FR76 3000 1007 9412 3456 7890 185", "BIC : X"]
    assert piece_of(pdf(tmp_path, "Délibération.pdf", [lines])).piece == "rib"


def test_merged_pdf_is_split_by_page_counters_and_titles(tmp_path: Path) -> None:
    pages = [
        ["DEMANDE DE SUBVENTION", "Nom de la structure : Commune de Feurs", "Page 1 / 2"],
        ["Fait à Feurs, le 12 juillet 2023", "Le Maire,", "Paul GIRARD", "Page 2 / 2"],
        DELIBERATION + ["Page 1 / 1"],
        ["RELEVÉ D'IDENTITÉ BANCAIRE", "IBAN : FR76 3000 1007 9412 3456 7890 185"],
    ]
    doc = read_document(pdf(tmp_path, "dossier complet.pdf", pages), name="dossier complet.pdf")
    views = split_pages(doc)
    assert [(v.pages_label, v.piece) for v in views] == [
        ("1-2", "formulaire"),
        ("3", "deliberation"),
        ("4", "rib"),
    ]


FORM = [
    ("Demande de subvention — Loire Connect 2023", 0),
    ("1. Identification du demandeur", 1),
    "Nom de la structure : Commune de Saint-Genest-Lerpt",
    "Statut juridique : Commune",
    "N° SIRET : 214 202 798 00010",
    "Adresse : 2 place de l'Hôtel de Ville",
    "Code postal : 42530",
    "Commune : Saint-Genest-Lerpt",
    "Représentant légal : M. Jean-Pierre MARTIN, Maire",
    "Courriel : numerique@mairie-saintgenestlerpt.fr",
    ("2. Le projet", 1),
    "Intitulé du projet : Tablettes pour l'école numérique",
    "Axe de l'appel : Projets numériques permettant de « simplifier le quotidien »",
    "Date prévisionnelle de début : 1er septembre 2023",
    "Date prévisionnelle de fin : décembre 2023",
    "Fait à Saint-Genest-Lerpt, le 12 juillet 2023",
    "Le Maire,",
    "Jean-Pierre MARTIN",
]


def test_identity_and_project_from_a_request(tmp_path: Path) -> None:
    view = piece_of(docx(tmp_path, "demande.docx", FORM))
    assert view.piece == "formulaire"
    who = extract_identity([view])
    assert who.applicant_name.value == "Commune de Saint-Genest-Lerpt"
    assert who.siret.value == "21420279800010"
    assert who.siren.value == "214202798"
    assert who.beneficiary_type.value == "commune"
    assert who.address.value == "2 place de l'Hôtel de Ville, 42530 Saint-Genest-Lerpt"
    assert who.postcode.value == "42530"
    assert who.departement_code.value == "42"
    assert who.commune_insee.value == "42279"  # from the commune's SIREN
    assert who.representative.value == "Jean-Pierre MARTIN"
    assert who.contact_email.value == "numerique@mairie-saintgenestlerpt.fr"
    for field in (who.applicant_name, who.siret, who.representative):
        ev = field.evidence[0]
        assert view.document.text[ev.start : ev.end] == ev.quote

    what = extract_project([view], received_on=dt.date(2023, 7, 20))
    assert what.project_title.value == "Tablettes pour l'école numérique"
    assert "simplifier le quotidien" in what.theme.value
    assert what.start_on.value == dt.date(2023, 9, 1)
    assert what.end_on.value is None  # a month is not a day
    assert any("sans jour précis" in w for w in what.warnings)
    assert what.submitted_on.value == dt.date(2023, 7, 12)
    assert what.signed.value is True


def test_unsigned_request_and_arrival_date_fallback(tmp_path: Path) -> None:
    lines = [line for line in FORM if not (isinstance(line, str) and "Fait à" in line)]
    lines = [x for x in lines if x not in ("Le Maire,", "Jean-Pierre MARTIN")]
    lines += ["Fait à ……………………, le ……………………", "Signature :"]
    view = piece_of(docx(tmp_path, "demande.docx", lines))
    what = extract_project([view], received_on=dt.date(2023, 7, 20))
    assert what.signed.value is False
    assert what.submitted_on.value == dt.date(2023, 7, 20)
    assert what.submitted_on.confidence < 0.5
    assert any("date d'arrivée" in w for w in what.warnings)


def test_supplier_siret_is_never_the_applicants(tmp_path: Path) -> None:
    quote = piece_of(
        pdf(
            tmp_path,
            "devis.pdf",
            [["DEVIS N° 12", "Numérix SAS — SIRET 732 829 320 00074", "Total HT 100,00 €"]],
        )
    )
    assert quote.piece == "devis"
    assert extract_identity([quote]).siret.value is None


@pytest.mark.parametrize(
    ("name", "legal", "code"),
    [
        ("CCAS de Montbrison", None, "ccas"),
        ("Communauté de communes de Forez-Est", None, "epci"),
        ("Association Loire Numérique", "Association déclarée loi 1901", "association"),
        ("Numérix Conseil", "SARL — effectif : 12 salariés", "pme"),
        ("Syndicat mixte des Monts du Lyonnais", None, "syndicat"),
    ],
)
def test_beneficiary_type(tmp_path: Path, name: str, legal: str | None, code: str) -> None:
    lines = ["Demande de subvention", f"Nom de la structure : {name}"]
    if legal:
        lines.append(f"Forme juridique : {legal}")
    view = piece_of(docx(tmp_path, "f.docx", lines), "formulaire")
    assert extract_identity([view]).beneficiary_type.value == code


def test_clean_person() -> None:
    assert clean_person("M. Jean-Pierre MARTIN, Maire") == "Jean-Pierre MARTIN"
    assert clean_person("Madame Claire Dubois (Présidente)") == "Claire Dubois"


def test_note_only_a_heading_is_not_substantive(tmp_path: Path) -> None:
    heading_only = piece_of(
        docx(tmp_path, "nr.docx", [("Note numérique responsable", 1), "Sans objet."]),
        "note_numerique_responsable",
    )
    notes = extract_notes([heading_only])
    assert notes.numerique_responsable.value.present is True
    assert notes.numerique_responsable.value.substantive is False
    assert notes.protection_donnees.value is None


def test_real_notes_are_substantive_with_their_signals(tmp_path: Path) -> None:
    body = (
        "Les tablettes achetées sont des modèles reconditionnés par une entreprise de "
        "l'économie sociale ; leur durée de vie sera portée à six ans grâce à un contrat de "
        "maintenance. Le bilan carbone du projet a été estimé à 1,2 t éq. CO2. Les "
        "applications retenues respectent le référentiel général d'écoconception (RGESN) "
        "et sont hébergées dans un centre de données alimenté en énergie renouvelable."
    )
    rgpd = (
        "Le traitement des données des élèves repose sur la base légale de la mission "
        "d'intérêt public. Le délégué à la protection des données (DPO) mutualisé du Centre "
        "de gestion a été consulté ; le traitement est inscrit au registre des traitements. "
        "Les données sont conservées un an puis supprimées et hébergées en France."
    )
    form = piece_of(
        docx(
            tmp_path,
            "note.docx",
            [
                ("Note descriptive du projet", 0),
                ("Démarche numérique responsable", 1),
                body,
                ("Protection des données personnelles", 1),
                rgpd,
                ("Calendrier", 1),
                "Septembre 2023 : livraison.",
            ],
        ),
        "note_descriptive",
    )
    notes = extract_notes([form])
    nr = notes.numerique_responsable.value
    assert nr.substantive is True
    assert set(nr.signals) == {
        "bilan_carbone",
        "ecoconception",
        "reemploi",
        "duree_de_vie",
        "hebergement",
    }
    pd = notes.protection_donnees.value
    assert pd.substantive is True
    assert {"base_legale", "dpo", "registre_traitements", "duree_conservation"} <= set(pd.signals)
    assert "hebergement_ue" in pd.signals
    assert "Calendrier" not in notes.protection_donnees.evidence[-1].quote


def test_accepted_quote_is_a_commitment_a_dated_offer_is_not(tmp_path: Path) -> None:
    offer = [
        "DEVIS N° D-2023-0412",
        "Date : 2 mai 2023",
        "Total HT 8 400,00 €",
        "Devis valable jusqu'au 2 août 2023",
    ]
    accepted = offer + ["Bon pour accord, le 5 mai 2023", "Signature du client : P. Girard"]
    plain = piece_of(pdf(tmp_path, "devis1.pdf", [offer]), "devis")
    signed = piece_of(pdf(tmp_path, "devis2.pdf", [accepted]), "devis")
    assert extract_commitments([plain]).value is None
    acts = extract_commitments([plain, signed]).value
    assert [(a.kind, a.on, a.document) for a in acts] == [
        ("devis_signe", dt.date(2023, 5, 5), "devis2.pdf")
    ]
    assert "D-2023-0412" in acts[0].label


def test_iban_checked(tmp_path: Path) -> None:
    good = piece_of(pdf(tmp_path, "rib.pdf", [["RIB", "IBAN FR76 3000 1007 9412 3456 7890 185"]]))
    bad = piece_of(pdf(tmp_path, "rib2.pdf", [["RIB", "IBAN FR76 3000 1007 9412 3456 7890 186"]]))
    assert extract_iban([good])[0].value == "FR7630001007941234567890185"
    value, warnings = extract_iban([bad])
    assert value.value is None and warnings


# --------------------------------------------------------------------------- CLI


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Dossier Mairie"
    (folder / "Pièces").mkdir(parents=True)
    docx(folder, "Demande Loire Connect.docx", FORM)
    pdf(folder / "Pièces", "scan0003.pdf", [DELIBERATION])
    (folder / "Pièces" / "RIB abîmé.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Cat")
    (folder / "~$Demande Loire Connect.docx").write_bytes(b"\x00" * 162)
    return folder


def test_cli_lists_pieces_and_reports_a_damaged_one(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from pipeline.cli import app

    folder = _folder(tmp_path)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*"))
    run = CliRunner().invoke(app, ["dossier", "extract", str(folder), "--json"])
    assert run.exit_code == 0, run.output
    result = json.loads(run.stdout)
    assert result["dossier_id"] == "dossier-mairie"
    entries = {d["name"]: d for d in result["documents"]}
    assert set(entries) == {
        "Demande Loire Connect.docx",
        "Pièces/scan0003.pdf",
        "Pièces/RIB abîmé.pdf",
    }
    assert entries["Pièces/scan0003.pdf"]["piece"] == "deliberation"
    assert entries["Pièces/scan0003.pdf"]["pages"] == "1"
    damaged = entries["Pièces/RIB abîmé.pdf"]
    assert damaged["piece"] == "autre" and "RIB abîmé.pdf" in damaged["error"]
    assert len(entries["Demande Loire Connect.docx"]["sha256"]) == 64
    assert result["facts"]["siret"]["value"] == "21420279800010"
    assert result["facts"]["signed"]["value"] is True
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*")) == before


def test_cli_table_in_french(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    run = CliRunner().invoke(
        app, ["dossier", "extract", str(_folder(tmp_path)), "--received", "2023-07-20"]
    )
    assert run.exit_code == 0, run.output
    assert "Pièces du dossier" in run.stdout and "Délibération" in run.stdout
    assert "Faits lus dans le dossier" in run.stdout
    assert "Points à vérifier" in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/dossier"], "introuvable"),
        (["{folder}", "--received", "20/07/2023"], "AAAA-MM-JJ"),
    ],
)
def test_cli_bad_input_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    folder = _folder(tmp_path)
    args = [a.replace("{folder}", str(folder)) for a in args]
    run = CliRunner().invoke(app, ["dossier", "extract", *args])
    assert run.exit_code == 2
    assert message in run.output


@pytest.mark.slow
def test_demo_checks_the_sample_dossiers(tmp_path: Path) -> None:
    """`make demo` = `aap demo`, in a process of its own (it starts Prefect): the three seed
    calls ingested with their reviewed rules, every sample dossier dropped into the inbox
    and checked by the sweep flow with its note written, then the nightly tables."""
    import os
    import subprocess
    import sys

    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PREFECT_", "AAP_"))
    }
    home = tmp_path / "demo"
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert len(list((home / "calls").glob("*.json"))) == 3
    notes = sorted((home / "reports").glob("*/*/note-instruction.docx"))
    expected = sorted(Path(__file__).parents[1].glob("fixtures/dossiers/*/*/expected.json"))
    assert len(notes) == len(expected) >= 24
    letters = list((home / "reports").glob("*/*/demande-pieces.docx"))
    assert 0 < len(letters) < len(notes)
    assert len(list((home / "reports").glob("*/suivi-*.csv"))) == 3
    assert "Dossiers d'exemple vérifiés" in run.stdout
    assert "règles" in run.stdout and "relues" in run.stdout


def test_a_failing_fact_family_leaves_the_others(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A bug in one extractor costs its facts only, with a warning, not the dossier."""
    from extractors.dossier import extract

    def broken(pieces):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(extract, "extract_budget", broken)
    result = extract.extract_dossier(_folder(tmp_path))
    assert result.facts.siret.value == "21420279800010"
    assert result.facts.expenses.value is None
    assert any("plan de financement" in w and "ZeroDivisionError" in w for w in result.warnings)


def test_a_funders_answer_is_not_the_request(tmp_path: Path) -> None:
    """A letter written TO the applicant (the funder's answer, in the same folder) is
    neither the request nor a source of the applicant's identity or signature."""
    folder = tmp_path / "dossier"
    folder.mkdir()
    docx(folder, "Demande.docx", FORM)
    pdf(
        folder,
        "Courrier Département.pdf",
        [
            [
                "Département de la Loire",
                "2 rue Charles de Gaulle — 42022 Saint-Étienne",
                "Objet : votre demande de subvention",
                "Monsieur le Maire,",
                "J'ai l'honneur de vous informer que la commission permanente a attribué une",
                "subvention de 8 000 € à votre commune.",
                "Fait à Saint-Étienne, le 3 mars 2023",
                "Le Président,",
                "Georges Ziegler",
            ]
        ],
    )
    from extractors.dossier.extract import extract_dossier

    result = extract_dossier(folder)
    pieces = {d.name: d.piece for d in result.documents}
    assert pieces == {"Demande.docx": "formulaire", "Courrier Département.pdf": "autre"}
    assert result.facts.applicant_name.value == "Commune de Saint-Genest-Lerpt"
    assert result.facts.submitted_on.value == dt.date(2023, 7, 12)
    assert result.facts.representative.value == "Jean-Pierre MARTIN"


def test_a_supplier_named_in_a_note_is_not_the_applicant(tmp_path: Path) -> None:
    note = piece_of(
        docx(
            tmp_path,
            "note.docx",
            [
                ("Note descriptive du projet", 0),
                "Prestataire retenu : Société Numerix SARL",
                "SIRET : 732 829 320 00074",
                "Adresse : 5 avenue de la Gare, 69003 Lyon",
            ],
        ),
        "note_descriptive",
    )
    request = piece_of(docx(tmp_path, "demande.docx", FORM), "formulaire")
    who = extract_identity([note, request])
    assert who.siret.value == "21420279800010"
    assert who.postcode.value == "42530"


def test_an_unsigned_date_line_is_not_a_signature(tmp_path: Path) -> None:
    lines = [x for x in FORM if x not in ("Le Maire,", "Jean-Pierre MARTIN")]
    lines += ["Signature :"]
    view = piece_of(docx(tmp_path, "demande.docx", lines))
    what = extract_project([view])
    assert what.signed.value is False
    assert what.submitted_on.value == dt.date(2023, 7, 12)


def test_without_tesseract_a_merged_pdf_keeps_its_text_pages(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One scanned page in a merged PDF is not worth the whole dossier when OCR is missing."""
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    merged = next(
        Path(__file__).parents[1].glob("fixtures/dossiers/loire-connect-2023/hors-plafond/*.pdf")
    )
    doc = read_document(merged, name=merged.name, ocr=True)
    assert len(doc.pages) == 8
    assert "Monts du Pilat" in doc.text
    assert any("Tesseract" in w and "Page(s) 5" in w for w in doc.warnings)
