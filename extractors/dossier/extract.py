"""Dossier → pieces and facts (DESIGN §3 DossierFacts), each fact with its evidence or null.

The path: the dossier (folder, zip or merged PDF) is collected into files
(`intake`), each file read once, scans through OCR (`pipeline.documents`), PDFs split
into page ranges when they hold several pieces (`split`), each range classified
(`pieces`), then the facts are read from the pieces that carry them: identity, project,
financing plan, mandatory notes, dated commitments and the RIB's IBAN.

A file that cannot be read is listed with its error and piece `autre` (or the piece its
name suggests, flagged), and the rest of the dossier is read: one bad scan never stops
the others.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from extractors.dossier.budget import Budget, extract_budget
from extractors.dossier.commitments import extract_commitments, extract_iban
from extractors.dossier.identity import Identity, extract_identity
from extractors.dossier.intake import IntakeFile, collect
from extractors.dossier.notes import extract_notes
from extractors.dossier.pieces import NAME_PATTERNS
from extractors.dossier.project import Project, extract_project
from extractors.dossier.split import split_pages
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.documents import read_document
from pipeline.errors import DocumentError, OcrUnavailableError
from pipeline.models import DocumentEntry, DossierExtraction, DossierFacts, Notes, Sourced
from pipeline.text.slug import slugify

Progress = Callable[[str], None]


def dossier_id_of(path: Path) -> str:
    """A stable id from the dossier's name: "Dossier Mairie Feurs.zip" → "dossier-mairie-feurs"."""
    return slugify(path.name if path.is_dir() else path.stem) or "dossier"


@dataclass
class ReadDossier:
    """The dossier's pieces as read, before facts: one entry per piece for the listing."""

    pieces: list[PieceView]
    entries: list[DocumentEntry]
    warnings: list[str]


class DossierUnreadable(Exception):
    """The dossier cannot be read at all here; `message` and `hint` are in French."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message} {hint}")
        self.message = message
        self.hint = hint


def read_dossier(path: Path, progress: Progress | None = None) -> ReadDossier:
    """Collect, read (OCR for scans), split and classify every piece of the dossier."""
    scratch = Path(tempfile.gettempdir()).resolve()
    if Path(path).resolve() == scratch or scratch.is_relative_to(Path(path).resolve()):
        # The archives would be unpacked inside the dossier: it is never written to.
        raise DossierUnreadable(
            f"Le dossier temporaire du système ({scratch}) est à l'intérieur du dossier "
            f"« {path} » : les archives y seraient décompressées.",
            "Définissez TMPDIR vers un autre dossier, puis relancez.",
        )
    with tempfile.TemporaryDirectory(prefix="aap-dossier-") as work:
        intake = collect(Path(path), Path(work))
        warnings = [problem.message for problem in intake.problems] + intake.notes
        entries: list[DocumentEntry] = [
            DocumentEntry(name=problem.name, sha256="", piece="autre", error=problem.message)
            for problem in intake.problems
            if problem.code != "empty_dossier"
        ]
        pieces: list[PieceView] = []
        for number, item in enumerate(intake.files, start=1):
            if progress:
                progress(f"[{number}/{len(intake.files)}] {item.name}")
            read, entry_list, file_warnings = _read_file(item)
            pieces += read
            entries += entry_list
            warnings += file_warnings
    return ReadDossier(pieces, entries, warnings)


def extract_dossier(
    path: Path,
    received_on: dt.date | None = None,
    progress: Progress | None = None,
) -> DossierExtraction:
    """Read every piece of the dossier at `path` and the facts they state.

    `received_on` is the arrival date, used for `submitted_on` only when the signed
    request carries no readable date (and then flagged)."""
    path = Path(path)
    read = read_dossier(path, progress)
    facts, fact_warnings = extract_facts(read.pieces, received_on)
    return DossierExtraction(
        dossier_id=dossier_id_of(path),
        documents=read.entries,
        facts=facts,
        warnings=read.warnings + fact_warnings,
    )


def _read_file(item: IntakeFile) -> tuple[list[PieceView], list[DocumentEntry], list[str]]:
    try:
        doc = read_document(item.path, name=item.name, ocr=True)
    except OcrUnavailableError as exc:
        piece = piece_from_name(item.name)
        message = (
            f"{exc.message} Pièce classée d'après son seul nom de fichier ({piece}) : à vérifier."
        )
        entry = DocumentEntry(
            name=item.name,
            sha256=item.sha256,
            piece=piece,
            confidence=0.3 if piece != "autre" else 0.1,
            reason="nom du fichier seulement (lecture OCR impossible)",
            error=message,
        )
        return [], [entry], [message]
    except DocumentError as exc:
        message = f"{exc.message} {exc.hint}".strip() if exc.hint else exc.message
        entry = DocumentEntry(
            name=item.name, sha256=item.sha256, piece="autre", confidence=None, error=message
        )
        return [], [entry], [message]
    try:
        views = split_pages(doc)
    except Exception as exc:  # noqa: BLE001 - one file's bug never costs the dossier
        message = (
            f"Le fichier « {item.name} » a été lu mais son classement a échoué (erreur interne : "
            f"{type(exc).__name__} : {exc}) ; pièce à classer à la main."
        )
        entry = DocumentEntry(
            name=item.name, sha256=doc.sha256, piece="autre", confidence=None, error=message
        )
        return [], [entry], [message]
    entries = [
        DocumentEntry(
            name=item.name,
            sha256=doc.sha256,
            piece=view.piece,
            pages=view.pages_label,
            confidence=view.confidence,
            reason=view.reason,
        )
        for view in views
    ]
    return views, entries, list(doc.warnings)


def piece_from_name(name: str) -> str:
    """The piece a file name suggests (only used when the content cannot be read)."""
    stem = fold(PurePosixPath(name).stem.replace("_", " "))
    for code, rx in NAME_PATTERNS.items():
        if rx.search(stem):
            return code
    return "autre"


def extract_facts(
    pieces: list[PieceView], received_on: dt.date | None = None
) -> tuple[DossierFacts, list[str]]:
    warnings: list[str] = []
    identity = _safely("l'identité du demandeur", extract_identity, pieces, Identity(), warnings)
    project = _safely(
        "le projet et ses dates",
        lambda p: extract_project(p, received_on),
        pieces,
        Project(),
        warnings,
    )
    empty = Sourced[Any]
    budget = _safely(
        "le plan de financement",
        extract_budget,
        pieces,
        Budget(empty(), empty(), empty(), empty(), empty(), empty(), empty()),
        warnings,
    )
    iban, iban_warnings = _safely("le RIB", extract_iban, pieces, (Sourced[Any](), []), warnings)
    notes = _safely("les notes obligatoires", extract_notes, pieces, Notes(), warnings)
    commitments = _safely(
        "les devis signés et factures", extract_commitments, pieces, Sourced[Any](), warnings
    )
    facts = DossierFacts(
        applicant_name=identity.applicant_name,
        siret=identity.siret,
        siren=identity.siren,
        rna=identity.rna,
        legal_form=identity.legal_form,
        beneficiary_type=identity.beneficiary_type,
        address=identity.address,
        postcode=identity.postcode,
        commune_insee=identity.commune_insee,
        departement_code=identity.departement_code,
        representative=identity.representative,
        contact_email=identity.contact_email,
        project_title=project.project_title,
        project_summary=project.project_summary,
        theme=project.theme,
        start_on=project.start_on,
        end_on=project.end_on,
        submitted_on=project.submitted_on,
        total_cost_eur=budget.total_cost_eur,
        requested_aid_eur=budget.requested_aid_eur,
        requested_rate=budget.requested_rate,
        expenses=budget.expenses,
        resources=budget.resources,
        self_financing_eur=budget.self_financing_eur,
        signed=project.signed,
        notes=notes,
        cost_basis=budget.cost_basis,
        commitments=commitments,
        iban=iban,
    )
    warnings += identity.warnings + project.warnings + budget.warnings + iban_warnings
    return facts, warnings


T = TypeVar("T")


def _safely(
    what: str,
    extract: Callable[[list[PieceView]], T],
    pieces: list[PieceView],
    empty: T,
    warnings: list[str],
) -> T:
    """One family of facts that fails to be read leaves its facts empty, with a warning
    saying which, and the others are still read: a bug never costs the whole dossier."""
    try:
        return extract(pieces)
    except Exception as exc:  # noqa: BLE001 - recorded for the instructeur, on purpose
        warnings.append(
            f"Lecture impossible de {what} (erreur interne : {type(exc).__name__} : {exc}) ; "
            "ces faits sont laissés vides et doivent être relevés à la main. Signalez ce "
            "dossier à l'équipe qui maintient l'outil."
        )
        return empty
