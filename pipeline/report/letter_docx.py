"""The letter asking the applicant for the missing pieces (`demande-pieces.docx`).

It lists what C01 found missing and the mandatory notes C03 found empty, and gives a
response deadline in *jours ouvrés* (Monday to Friday, French public holidays excluded).
Like the note, it decides nothing: the instructeur reads it, completes the signature
block and sends it.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

from pipeline import vocab
from pipeline.files import atomic_write_bytes
from pipeline.holidays import add_business_days
from pipeline.models import CallRules, CheckResult, Finding
from pipeline.render import date_long, value_text
from pipeline.report.blocks import Block, DocModel, Para, bold, para
from pipeline.report.docx_render import render_docx

NOTE_PIECES = ("note_numerique_responsable", "note_protection_donnees")
NOTE_SIGNALS = {
    "note_numerique_responsable": vocab.NUMERIQUE_SIGNALS,
    "note_protection_donnees": vocab.DONNEES_SIGNALS,
}


def response_deadline(on: date, delay_days: int) -> date:
    """The date by which the applicant must answer: `delay_days` business days after the
    letter."""
    return add_business_days(on, delay_days)


def letter_items(result: CheckResult) -> list[str]:
    """One line per thing to send: each missing piece, then each mandatory note found
    empty (C03 fail / missing) that is not already asked for as a missing piece."""
    missing = list(result.summary.missing_pieces)
    items = [vocab.PIECE_LABELS.get(piece, piece) for piece in missing]
    for finding in result.findings:
        if finding.check != "C03" or finding.status not in ("fail", "missing"):
            continue
        piece = note_piece(finding)
        if piece in missing:
            continue
        if piece is None:
            items.append(f"Note obligatoire à compléter : {finding.message}")
            continue
        topics = ", ".join(vocab.SIGNAL_LABELS[s] for s in NOTE_SIGNALS[piece])
        items.append(
            f"{vocab.PIECE_LABELS[piece]} : la note transmise ne développe pas le sujet ; "
            f"merci d'en adresser une version complète (par exemple : {topics})"
        )
    return items


def note_piece(finding: Finding) -> str | None:
    """Which mandatory note a C03 finding is about, from its title, else its message."""
    for text in (finding.title, finding.message):
        folded = _fold(text)
        if "donnees" in folded or "rgpd" in folded:
            return "note_protection_donnees"
        if "numerique" in folded:
            return "note_numerique_responsable"
    return None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def build_letter(
    result: CheckResult, rules: CallRules, *, on: date, delay_days: int = 10
) -> DocModel:
    """The letter as blocks."""
    title = rules.title.value or rules.call_id
    funder = rules.funder.value or "Le financeur"
    doc = DocModel(
        title=f"Demande de pièces complémentaires — dossier n° {result.dossier_id}",
        header=f"{funder} — {title}",
        footer=f"Dossier n° {result.dossier_id} — page",
    )
    doc.add(para(bold(funder)), para(f"Service instructeur — {title}"))
    doc.add(para(f"Le {date_long(on)}", style="right"))
    doc.add(*_recipient(result))
    doc.add(
        para(bold("Dossier n° "), result.dossier_id),
        para(bold("Objet : "), f"demande de pièces complémentaires — {title}"),
        para("Madame, Monsieur,"),
        para(_opening(result, title)),
    )
    doc.add(*[para(item, style="bullet") for item in letter_items(result)])
    deadline = response_deadline(on, delay_days)
    doc.add(
        para(
            "Nous vous remercions de bien vouloir nous transmettre ces éléments au plus tard le ",
            bold(date_long(deadline)),
            f", soit {_business_days(delay_days)} à compter de la date du présent courrier. "
            "L'instruction de votre dossier reprendra dès leur réception ; sans réponse dans "
            "ce délai, elle ne pourra pas se poursuivre.",
        )
    )
    doc.add(*_contacts(rules))
    doc.add(
        para(
            "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations "
            "distinguées."
        ),
        para(funder, style="right"),
        para("Le service instructeur", style="right"),
        para("", style="fill"),
        para("(nom, fonction et signature)", style="right"),
    )
    return doc


def _recipient(result: CheckResult) -> list[Para]:
    facts = result.facts
    lines = [facts.applicant_name.value or "(nom du demandeur à compléter)"]
    if facts.representative.found:
        lines.append(f"À l'attention de {facts.representative.value}")
    if facts.address.found:
        address = str(facts.address.value)
        parts = [p.strip() for p in address.replace("\n", ",").split(",") if p.strip()]
        lines += parts
        if facts.postcode.found and facts.postcode.value not in address:
            lines.append(str(facts.postcode.value))
    else:
        lines.append("(adresse à compléter : non trouvée dans le dossier)")
    return [para("\n".join(lines), style="address")]


def _opening(result: CheckResult, title: str) -> str:
    facts = result.facts
    project = (
        f" pour le projet « {facts.project_title.value} »" if facts.project_title.found else ""
    )
    filed = f" datée du {date_long(facts.submitted_on.value)}" if facts.submitted_on.found else ""
    return (
        f"Nous avons bien reçu votre demande de subvention{project}{filed}, au titre de "
        f"l'appel à projets {_quoted(title)}. Son examen montre qu'il y manque les éléments "
        "suivants, nécessaires à son instruction :"
    )


def _quoted(text: str) -> str:
    """« text », unless the text already carries its own guillemets."""
    return text if "«" in text else f"« {text} »"


def _contacts(rules: CallRules) -> list[Block]:
    contacts = [value_text(c) for c in rules.contacts.value or []]
    contacts = [c for c in contacts if c]
    if not contacts:
        return []
    return [para("Pour toute question, vous pouvez contacter : " + " ; ".join(contacts) + ".")]


def _business_days(n: int) -> str:
    return f"{n} jour ouvré" if n <= 1 else f"{n} jours ouvrés"


def write_missing_pieces_letter(
    result: CheckResult,
    rules: CallRules,
    path: Path,
    *,
    on: date,
    delay_days: int = 10,
) -> Path:
    """Write the letter to `path` atomically; returns `path`."""
    model = build_letter(result, rules, on=on, delay_days=delay_days)
    atomic_write_bytes(Path(path), render_docx(model, on=on))
    return Path(path)
