"""The instruction note (DOCX, Markdown), the letter asking for missing pieces, the French
business-day calendar and the writing of the reports.

The check result is built by hand (a commune, five expense lines of which two are set
aside, findings of every status, an aid computation, warnings, one value corrected by
hand) and the documents are read back with python-docx.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from pipeline.corrections import Correction, apply_corrections
from pipeline.files import OutputError, atomic_write_bytes
from pipeline.holidays import add_business_days, easter_sunday, french_holidays, is_holiday
from pipeline.models import (
    AidComputation,
    AidLine,
    AidStep,
    CallRules,
    CheckResult,
    DocumentEntry,
    DossierFacts,
    Evidence,
    Finding,
    Sourced,
    Summary,
)
from pipeline.report import (
    LETTER_DOCX,
    NOTE_DOCX,
    NOTE_MARKDOWN,
    RESULT_JSON,
    write_missing_pieces_letter,
    write_note_docx,
    write_note_markdown,
    write_reports,
)
from pipeline.report.note_content import SECTION_TITLES

ON = date(2024, 4, 26)  # a Friday: 10 business days cross 1 May, 8 May and Ascension
DOSSIER = "2024-LC-0042"
NOTICE = "notice-loire-connect.pdf"
FORM = "Lettre de candidature.pdf"
PLAN = "Plan de financement.pdf"
QUOTES = "Devis mobilier.pdf"


def ev(document: str, page: int, quote: str) -> Evidence:
    return Evidence(document=document, page=page, start=0, end=len(quote), quote=quote)


def fact(value: Any, document: str = FORM, page: int = 1, quote: str | None = None) -> Any:
    return Sourced(value=value, evidence=[ev(document, page, quote or str(value))], confidence=0.9)


def make_rules() -> CallRules:
    notice = {"document": NOTICE, "start": 0, "end": 10}
    return CallRules(
        call_id="loire-connect-2023",
        title={
            "value": "Appel à partenariat 2023 « Loire Connect »",
            "evidence": [{**notice, "page": 1, "quote": "APPEL A PARTENARIAT 2023"}],
        },
        funder={
            "value": "Département de la Loire",
            "evidence": [{**notice, "page": 1, "quote": "Département de la Loire"}],
        },
        max_aid_eur={
            "value": 25000,
            "evidence": [{**notice, "page": 2, "quote": "dans la limite de 25 000 €"}],
        },
        selection_criteria={
            "value": [
                "Mutualisation via un EPCI, entre communes ou entre acteurs",
                "Association des usagers à la réflexion du projet",
            ],
            "evidence": [
                {
                    **notice,
                    "page": 3,
                    "quote": "Mutualisation via un EPCI, entre communes ou entre acteurs",
                },
                {**notice, "page": 3, "quote": "Association des usagers à la réflexion du projet"},
            ],
        },
        contacts=[{"name": "Aurore Testard", "email": "aurore.testard@loire.fr"}],
        warnings=["L'année de la date d'ouverture n'est pas écrite dans la notice."],
    )


EXPENSES = [
    ("Borne interactive de prise de rendez-vous", 4900, "materiel", "investissement"),
    ("Logiciel de prise de rendez-vous (licence)", 2600, "logiciel", "investissement"),
    ("Accompagnement et paramétrage", 4000, "prestation", "investissement"),
    ("Mobilier d'accueil (banque, assises)", 3100, "mobilier", "investissement"),
    ("Campagne de communication", 800, "communication", "fonctionnement"),
]
SET_ASIDE = {
    "Mobilier d'accueil (banque, assises)": "mobilier : dépense exclue par l'appel (p. 2)",
    "Campagne de communication": "dépense de fonctionnement : l'appel ne finance que "
    "l'investissement",
}


def make_facts() -> DossierFacts:
    expenses = [
        {
            "label": label,
            "amount_eur": amount,
            "expense_code": code,
            "expense_type": kind,
            "basis": "ht",
        }
        for label, amount, code, kind in EXPENSES
    ]
    return DossierFacts(
        applicant_name=fact("Commune d'Andrézieux-Bouthéon"),
        siret=fact("21420005700138"),
        beneficiary_type=fact("commune", quote="Commune"),
        address=fact("12 rue Charles de Gaulle, 42160 Andrézieux-Bouthéon"),
        postcode=fact("42160"),
        representative=fact("François Delorme"),
        contact_email=fact("informatique@andrezieux-boutheon.com"),
        project_title=fact("Espace numérique d'accueil de Bouthéon"),
        project_summary=fact(
            "Un espace d'accueil numérique conçu avec les usagers, mutualisé avec la médiathèque.",
            page=2,
        ),
        theme=fact("simplifier le quotidien"),
        start_on=fact(date(2024, 9, 2)),
        end_on=fact(date(2024, 12, 20)),
        submitted_on=fact(date(2024, 4, 19), quote="le 19 avril 2024"),
        total_cost_eur=fact(Decimal(15400), PLAN, 1, "TOTAL 15 400"),
        requested_aid_eur=fact(Decimal(9000), PLAN, 1, "Département 9 000"),
        expenses=Sourced(
            value=expenses, evidence=[ev(PLAN, 1, "Borne interactive 4 900")], confidence=0.9
        ),
        resources=Sourced(
            value=[
                {
                    "funder": "Département de la Loire",
                    "amount_eur": 9000,
                    "public": True,
                    "status": "sollicité",
                }
            ],
            evidence=[ev(PLAN, 1, "Département de la Loire 9 000")],
            confidence=0.9,
        ),
        self_financing_eur=fact(Decimal(6400), PLAN, 1, "Autofinancement 6 400"),
        signed=fact(True, quote="Le Maire"),
    )


def finding(check: str, status: str, message: str, **kwargs: Any) -> Finding:
    return Finding(check=check, title=TITLES[check], status=status, message=message, **kwargs)


TITLES = {
    "C01": "Pièces requises",
    "C03": "Note sur la protection des données",
    "E01": "Type de porteur éligible",
    "E03": "Dépôt dans les délais",
    "E05": "Plafond d'aide par projet",
    "E06": "Plancher d'aide",
    "E07": "Taux d'aide maximal",
    "E10": "Dépenses éligibles",
    "E11": "Coûts indirects",
    "E13": "Thématique de l'appel",
}

MESSAGES = {
    "C01": "La délibération approuvant le projet et son plan de financement est absente.",
    "C03": "La note sur la protection des données n'a qu'un titre, sans contenu.",
    "E07": "Le taux sollicité (85,71 %) dépasse le taux maximal de 80 % sur l'assiette.",
    "E10": "2 dépenses écartées (3 900 € HT) : mobilier, communication.",
    "E11": "La vérification des coûts indirects a échoué : montant illisible.",
    "E13": "Le thème « simplifier le quotidien » est à rapprocher des axes de l'appel.",
}


def make_findings() -> list[Finding]:
    rule = [ev(NOTICE, 2, "dans la limite de 25 000 € d'aide par projet")]
    return [
        finding(
            "C01",
            "missing",
            MESSAGES["C01"],
            action="Demander la délibération approuvant le plan de financement.",
        ),
        finding(
            "C03",
            "fail",
            MESSAGES["C03"],
            evidence=[ev("Note RGPD.pdf", 1, "Protection des données")],
            action="Demander une note développée.",
        ),
        finding("E01", "pass", "Le porteur est une commune, éligible.", evidence=[]),
        finding(
            "E03",
            "pass",
            "Demande datée du 18/04/2024, avant la clôture.",
            evidence=[ev(FORM, 1, "le 18 avril 2024")],
        ),
        finding("E05", "pass", "L'aide sollicitée (9 000 €) respecte le plafond.", rule=rule),
        finding("E06", "not_applicable", "L'appel ne fixe pas de plancher d'aide."),
        finding(
            "E07",
            "review",
            MESSAGES["E07"],
            evidence=[ev(PLAN, 1, "Département 9 000")],
            action="Proposer l'aide au taux maximal.",
        ),
        finding(
            "E10",
            "fail",
            MESSAGES["E10"],
            evidence=[ev(PLAN, 1, "Mobilier d'accueil 3 100")],
            action="Écarter ces lignes de l'assiette.",
        ),
        finding("E11", "error", MESSAGES["E11"], action="Vérifier à la main."),
        finding("E13", "review", MESSAGES["E13"], action="Apprécier le rattachement."),
    ]


def make_computation() -> AidComputation:
    kept = [
        AidLine(label=label, amount_eur=amount, expense_code=code, expense_type=kind)
        for label, amount, code, kind in EXPENSES
        if label not in SET_ASIDE
    ]
    aside = [
        AidLine(label=label, amount_eur=amount, expense_code=code, expense_type=kind, reason=why)
        for label, amount, code, kind in EXPENSES
        for name, why in SET_ASIDE.items()
        if label == name
    ]
    rule = [ev(NOTICE, 2, "dans la limite de 25 000 € d'aide par projet")]
    rate_rule = [ev(NOTICE, 2, "taux maximum de 80 %")]
    return AidComputation(
        requested_eur=9000,
        eligible_base_eur=11500,
        max_rate=Decimal("0.8"),
        rate_amount_eur=9200,
        cap_eur=25000,
        proposed_eur=9000,
        lines_kept=kept,
        lines_set_aside=aside,
        steps=[
            AidStep(label="Dépenses présentées", value=15400, unit="eur"),
            AidStep(label="Assiette éligible", value=11500, unit="eur", detail="15 400 − 3 900"),
            AidStep(
                label="Taux maximal applicable", value=Decimal("0.8"), unit="rate", rule=rate_rule
            ),
            AidStep(
                label="Aide maximale au taux", value=9200, unit="eur", detail="80 % × 11 500 €"
            ),
            AidStep(label="Plafond d'aide par projet", value=25000, unit="eur", rule=rule),
            AidStep(label="Aide demandée", value=9000, unit="eur"),
            AidStep(
                label="Aide proposée", value=9000, unit="eur", detail="min(9 000, 9 200, 25 000)"
            ),
        ],
    )


def make_result(complete: bool = False) -> CheckResult:
    return CheckResult(
        dossier_id=DOSSIER,
        call_id="loire-connect-2023",
        documents=[
            DocumentEntry(name=FORM, sha256="a" * 64, piece="formulaire", pages="1"),
            DocumentEntry(name=PLAN, sha256="b" * 64, piece="plan_financement", pages="1"),
            DocumentEntry(name=QUOTES, sha256="c" * 64, piece="devis", pages="1-2"),
            DocumentEntry(name="Note RGPD.pdf", sha256="d" * 64, piece="note_protection_donnees"),
        ],
        facts=make_facts(),
        findings=make_findings(),
        summary=Summary(
            complete=complete,
            eligible="review",
            proposed_aid_eur=9000,
            missing_pieces=[] if complete else ["deliberation", "rib"],
        ),
        computation=make_computation(),
        warnings=["La délibération scannée a été lue par OCR (confiance 62 %) : à relire."],
    )


def corrected_result() -> tuple[CheckResult, list[Correction]]:
    """The result after the instructeur corrected the date read on the form (19 → 18 April)."""
    result = make_result()
    facts, corrections = apply_corrections(result.facts, {"submitted_on": "2024-04-18"})
    return result.model_copy(update={"facts": facts}), corrections


# --------------------------------------------------------------------------- helpers


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph of the body, tables included, in order."""
    doc = Document(str(path))
    out: list[tuple[str, str]] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            p = Paragraph(child, doc)
            out.append((p.style.name, p.text))
        elif tag == "tbl":
            from docx.table import Table

            for row in Table(child, doc).rows:
                seen: set[int] = set()
                for c in row.cells:
                    if id(c._tc) in seen:
                        continue
                    seen.add(id(c._tc))
                    out += [(p.style.name, p.text) for p in c.paragraphs]
    return out


def docx_text(path: Path) -> str:
    return "\n".join(text for _, text in docx_paragraphs(path))


def section_text(paragraphs: list[tuple[str, str]], start: str, end: str | None) -> str:
    titles = [text for _, text in paragraphs]
    i = titles.index(start)
    j = titles.index(end) if end else len(titles)
    return "\n".join(titles[i:j])


def md_plain(text: str) -> str:
    """Markdown back to plain text: markup and escapes removed, whitespace folded."""
    text = re.sub(r"<br>", " ", text)
    text = re.sub(r"(?<!\\)\*+", "", text)
    text = re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", text)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def note_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("note") / NOTE_DOCX
    result, corrections = corrected_result()
    write_note_docx(result, make_rules(), corrections, out, on=ON)
    return out


# --------------------------------------------------------------------------- the note


def test_note_has_every_section_as_a_real_heading(note_path: Path) -> None:
    paragraphs = docx_paragraphs(note_path)
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == list(SECTION_TITLES)
    assert ("Title", "Note d'instruction") in paragraphs
    subheadings = {text for style, text in paragraphs if style == "Heading 2"}
    assert {"Bénéficiaire", "Territoire", "Calendrier", "Non-commencement du projet"} <= subheadings
    assert "Dépenses retenues et écartées" in subheadings
    assert "Calcul de l'aide proposée" in subheadings
    doc = Document(str(note_path))
    assert doc.tables and all(t.style.name == "Table Grid" for t in doc.tables)


def test_note_header_footer_and_page_field(note_path: Path) -> None:
    doc = Document(str(note_path))
    section = doc.sections[0]
    header = " ".join(p.text for p in section.header.paragraphs)
    assert DOSSIER in header and "Loire Connect" in header and "Département de la Loire" in header
    footer_xml = section.footer._element.xml
    instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", footer_xml)
    assert [i.strip() for i in instructions] == ["PAGE", "NUMPAGES"]
    assert 'w:fldCharType="begin"' in footer_xml and 'w:fldCharType="end"' in footer_xml
    assert round(section.page_width.cm, 1) == 21.0  # A4


def test_note_identification_and_beneficiary(note_path: Path) -> None:
    paragraphs = docx_paragraphs(note_path)
    ident = section_text(paragraphs, SECTION_TITLES[0], SECTION_TITLES[1])
    assert DOSSIER in ident
    assert "18/04/2024" in ident
    assert "Instructeur" in ident
    # incomplete dossier: the completeness date stays blank
    rows = [text for _, text in paragraphs]
    assert rows[rows.index("Date de complétude") + 1] == ""
    benef = section_text(paragraphs, SECTION_TITLES[1], SECTION_TITLES[2])
    for value in ("Commune d'Andrézieux-Bouthéon", "21420005700138", "Commune", "François Delorme"):
        assert value in benef
    assert f"Source : {FORM}, p. 1" in benef


def test_note_lists_the_value_corrected_by_hand(note_path: Path) -> None:
    text = docx_text(note_path)
    assert "Date de la demande : valeur lue « 19/04/2024 » → valeur corrigée « 18/04/2024 »" in text
    assert "Source : correction de l'instructeur" in text  # the corrected fact's source


def test_note_amounts_and_computation(note_path: Path) -> None:
    paragraphs = docx_paragraphs(note_path)
    financing = section_text(paragraphs, SECTION_TITLES[5], SECTION_TITLES[6])
    for amount in ("25 000 €", "11 500 €", "9 200 €", "9 000 €", "15 400 €", "6 400 €", "80 %"):
        assert amount in financing, amount
    for step in make_computation().steps:
        assert step.label in financing
    assert "Aide proposée : 9 000 €" in financing
    assert f"Source : {NOTICE}, p. 2" in financing  # the cap's rule


def test_note_expenses_kept_and_set_aside_with_reasons(note_path: Path) -> None:
    paragraphs = docx_paragraphs(note_path)
    eligibility = section_text(paragraphs, SECTION_TITLES[4], SECTION_TITLES[5])
    for label, reason in SET_ASIDE.items():
        assert label in eligibility and reason in eligibility
    assert "Borne interactive de prise de rendez-vous" in eligibility
    rows = [text for _, text in paragraphs]
    plan = section_text(paragraphs, SECTION_TITLES[5], SECTION_TITLES[6])
    assert "écartée" in plan and "4 900 € HT" in plan
    assert rows.count("écartée") == 2


def test_every_finding_to_act_on_is_in_the_points_to_check(note_path: Path) -> None:
    paragraphs = docx_paragraphs(note_path)
    to_check = section_text(paragraphs, SECTION_TITLES[7], SECTION_TITLES[8])
    whole = docx_text(note_path)
    for f in make_findings():
        assert f.message in whole, f.check  # every finding appears somewhere
        if f.status in ("fail", "missing", "review", "error"):
            assert f.message in to_check, f.check
            assert f.action in to_check
        else:
            assert f.message not in to_check
    assert "La délibération scannée a été lue par OCR" in to_check  # extraction warning
    assert "L'année de la date d'ouverture" in to_check  # call warning
    assert "Source : Note RGPD.pdf, p. 1" in to_check
    assert "rejet" not in whole.lower()


def test_note_completeness_table_and_criteria(note_path: Path) -> None:
    paragraphs = docx_paragraphs(note_path)
    pieces = section_text(paragraphs, SECTION_TITLES[3], SECTION_TITLES[4])
    assert "Délibération de l'organe délibérant" in pieces and "manquante" in pieces
    assert QUOTES + " (p. 1-2)" in pieces
    criteria = section_text(paragraphs, SECTION_TITLES[6], SECTION_TITLES[7])
    assert "Appréciation de l'instructeur" in criteria
    assert "Association des usagers à la réflexion du projet" in criteria
    assert f"Source : {NOTICE}, p. 3" in criteria
    assert "conçu avec les usagers" in criteria  # the project summary as evidence
    opinion = section_text(paragraphs, SECTION_TITLES[8], None)
    assert "☐ Avis favorable" in opinion and "☐ Ajournement" in opinion


def test_complete_dossier_has_a_completeness_date(tmp_path: Path) -> None:
    out = write_note_docx(make_result(complete=True), make_rules(), [], tmp_path / "n.docx", on=ON)
    rows = [text for _, text in docx_paragraphs(out)]
    assert rows[rows.index("Date de complétude") + 1].startswith("26/04/2024")
    assert "Aucune valeur lue dans le dossier n'a été corrigée à la main." in rows


def test_markdown_has_the_same_content(note_path: Path, tmp_path: Path) -> None:
    result, corrections = corrected_result()
    md_path = write_note_markdown(
        result, make_rules(), corrections, tmp_path / NOTE_MARKDOWN, on=ON
    )
    markdown = md_path.read_text(encoding="utf-8")
    for title in SECTION_TITLES:
        assert f"\n## {title}\n" in markdown
    plain = md_plain(markdown)
    missing = [
        text
        for _, text in docx_paragraphs(note_path)
        if text.strip() and " ".join(text.split()) not in plain
    ]
    assert missing == []
    assert (
        "| Critère de l'appel à projets | Éléments du dossier | Appréciation de l'instructeur |"
        in markdown
    )


def test_markdown_escapes_text_read_from_the_dossier(tmp_path: Path) -> None:
    result = make_result()
    result.facts.project_title = fact("Projet *pilote* | phase_1")
    markdown = write_note_markdown(result, make_rules(), [], tmp_path / "n.md", on=ON).read_text()
    assert r"Projet \*pilote\* \| phase\_1" in markdown


# --------------------------------------------------------------------------- the letter


def test_letter_lists_missing_pieces_and_the_deadline(tmp_path: Path) -> None:
    path = write_missing_pieces_letter(make_result(), make_rules(), tmp_path / LETTER_DOCX, on=ON)
    text = docx_text(path)
    assert (
        "Objet : demande de pièces complémentaires — Appel à partenariat 2023 « Loire Connect »"
        in text
    )
    assert "Délibération de l'organe délibérant" in text
    assert "Relevé d'identité bancaire (RIB)" in text
    assert "Note sur la protection des données personnelles : la note transmise" in text
    # Friday 26 April 2024 + 10 business days, skipping 1 May, 8 May and Ascension (9 May)
    assert "au plus tard le 15 mai 2024" in text
    assert "Le 26 avril 2024" in text
    assert "François Delorme" in text and "42160 Andrézieux-Bouthéon" in text
    assert "aurore.testard@loire.fr" in text
    bullets = [t for style, t in docx_paragraphs(path) if style == "List Bullet"]
    assert len(bullets) == 3
    footer_xml = Document(str(path)).sections[0].footer._element.xml
    assert "PAGE" in footer_xml
    assert "rejet" not in text.lower()


def test_letter_delay_is_configurable(tmp_path: Path) -> None:
    path = write_missing_pieces_letter(
        make_result(), make_rules(), tmp_path / "l.docx", on=date(2024, 5, 17), delay_days=1
    )
    # Friday 17 May 2024 + 1 business day: weekend, then Whit Monday 20 May
    assert "au plus tard le 21 mai 2024, soit 1 jour ouvré à compter" in docx_text(path)


# --------------------------------------------------------------------------- holidays


def test_easter_and_moving_holidays() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2019) == date(2019, 4, 21)
    assert easter_sunday(2038) == date(2038, 4, 25)  # the latest possible
    assert easter_sunday(2285) == date(2285, 3, 22)  # the earliest possible
    assert french_holidays(2024)[date(2024, 5, 9)] == "Ascension"
    assert french_holidays(2025)[date(2025, 6, 9)] == "Lundi de Pentecôte"
    assert french_holidays(2024)[date(2024, 4, 1)] == "Lundi de Pâques"
    assert len(french_holidays(2024)) == 11
    assert is_holiday(date(2023, 7, 14)) and not is_holiday(date(2023, 7, 13))


def test_business_days_skip_weekends_and_holidays() -> None:
    assert add_business_days(date(2024, 5, 17), 1) == date(2024, 5, 21)  # Whit Monday
    assert add_business_days(date(2025, 4, 30), 1) == date(2025, 5, 2)  # 1 May, a Thursday
    assert add_business_days(date(2023, 7, 13), 1) == date(2023, 7, 17)  # 14 July, a Friday
    assert add_business_days(date(2024, 4, 26), 10) == date(2024, 5, 15)
    assert add_business_days(date(2024, 6, 3), 5) == date(2024, 6, 10)  # no holiday
    assert add_business_days(date(2024, 6, 8), 0) == date(2024, 6, 8)
    with pytest.raises(ValueError):
        add_business_days(date(2024, 6, 3), -1)


# --------------------------------------------------------------------------- writing


def test_write_reports_incomplete_dossier(tmp_path: Path) -> None:
    dossier = tmp_path / "dossier"
    dossier.mkdir()
    out = tmp_path / "rapports" / DOSSIER
    result, corrections = corrected_result()
    written = write_reports(result, make_rules(), corrections, out, on=ON, dossier_path=dossier)
    assert [p.name for p in written] == [NOTE_DOCX, NOTE_MARKDOWN, RESULT_JSON, LETTER_DOCX]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # no temp
    back = CheckResult.model_validate_json((out / RESULT_JSON).read_text(encoding="utf-8"))
    assert back == result
    assert back.facts.submitted_on.source == "manual"
    assert json.loads((out / RESULT_JSON).read_text())["summary"]["missing_pieces"] == [
        "deliberation",
        "rib",
    ]
    assert list(dossier.iterdir()) == []


def test_write_reports_complete_dossier_has_no_letter(tmp_path: Path) -> None:
    written = write_reports(make_result(complete=True), make_rules(), [], tmp_path, on=ON)
    assert LETTER_DOCX not in [p.name for p in written]
    assert not (tmp_path / LETTER_DOCX).exists()


def test_write_reports_refuses_the_dossier_folder(tmp_path: Path) -> None:
    dossier = tmp_path / "dossier"
    (dossier / "sous").mkdir(parents=True)
    for out in (dossier, dossier / "rapports", dossier / "sous" / ".." / "x"):
        with pytest.raises(OutputError, match="à l'intérieur du dossier du demandeur"):
            write_reports(make_result(), make_rules(), [], out, on=ON, dossier_path=dossier)
    assert sorted(p.name for p in dossier.iterdir()) == ["sous"]


def test_atomic_write_bytes_replaces_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.docx"
    atomic_write_bytes(target, b"first")
    target.chmod(0o640)
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipeline.files.os.replace", broken_replace)
    with pytest.raises(OutputError, match="Impossible d'écrire"):
        atomic_write_bytes(target, b"third")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.slow
def test_note_opens_in_libreoffice(note_path: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, (
        "LibreOffice (soffice) est introuvable : installez le paquet libreoffice-writer-nogui "
        "(make install le fait) pour vérifier que la note s'ouvre."
    )
    import pypdfium2 as pdfium

    profile = tmp_path / "lo-profile"
    completed = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(note_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf_path = tmp_path / "note-instruction.pdf"
    assert pdf_path.exists(), f"conversion échouée : {completed.stdout}\n{completed.stderr}"
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        pages = len(pdf)
        assert pages >= 2
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    assert DOSSIER in text
    assert "Identification du dossier" in text and "Avis de l'instructeur" in text
    # the footer's fields were laid out: "page 1 / N" on the first page
    assert re.search(rf"page 1 / {pages}\b", text), text[-400:]


# --------------------------------------------------------------------------- with the checkers


def test_note_from_the_real_checkers_on_a_fixture_dossier(tmp_path: Path) -> None:
    """The checkers' own findings and computation, on the hand-written facts of a fixture
    dossier (three lines set aside, the proposed aid 14 000 €), render without loss."""
    from checkers.context import CheckContext
    from checkers.run import run_checks

    repo = Path(__file__).resolve().parents[1]
    case = repo / "fixtures/dossiers/loire-connect-2023/depenses-non-eligibles/expected.json"
    expected = json.loads(case.read_text(encoding="utf-8"))
    call = json.loads(
        (repo / "fixtures/calls/loire-connect-2023/expected.json").read_text(encoding="utf-8")
    )
    rules = CallRules.model_validate({"call_id": "loire-connect-2023", **call["fields"]})
    raw = {k: v for k, v in expected["facts"].items() if v is not None and k != "notes"}
    facts = DossierFacts.model_validate(raw)
    documents = [
        DocumentEntry(name=d["name"], sha256="0" * 64, piece=d["piece"], pages=d["pages"])
        for d in expected["documents"]
    ]
    outcome = run_checks(rules, facts, CheckContext(today=date(2023, 7, 20), documents=documents))
    result = CheckResult(
        dossier_id="depenses-non-eligibles",
        call_id=rules.call_id,
        documents=documents,
        facts=facts,
        findings=outcome.findings,
        summary=outcome.summary,
        computation=outcome.computation,
        warnings=outcome.warnings,
    )
    written = write_reports(result, rules, [], tmp_path, on=date(2023, 7, 20))
    assert LETTER_DOCX not in [p.name for p in written]  # complete dossier
    paragraphs = docx_paragraphs(tmp_path / NOTE_DOCX)
    text = docx_text(tmp_path / NOTE_DOCX)
    to_check = section_text(paragraphs, SECTION_TITLES[7], SECTION_TITLES[8])
    for f in outcome.findings:
        assert " ".join(f.message.split()) in " ".join(text.split()), f.check
        if f.status in ("fail", "missing", "review", "error"):
            assert " ".join(f.message.split()) in " ".join(to_check.split()), f.check
    assert "Aide proposée : 14 000 €" in text
    eligibility = section_text(paragraphs, SECTION_TITLES[4], SECTION_TITLES[5])
    for label in ("Mobilier d'accueil", "Raccordement fibre optique", "Campagne de communication"):
        assert label in eligibility
