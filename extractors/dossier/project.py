"""What is asked for and when: project title, summary, theme (the call's axis the
applicant names), start and end dates, the date of the signed request and whether it is
signed at all.

A month without a day ("septembre 2023") is not a date: it stays null with a warning,
never the 1st of the month. The submission date is the one beside the request's
signature; failing that, the arrival date given by the caller, flagged as such.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from extractors.dossier.identity import found, from_pair, own_pieces
from extractors.dossier.labels import Labelled, find_value
from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.models import Evidence, Sourced
from pipeline.text import find_dates

LABELS = {
    key: re.compile(rx)
    for key, rx in {
        "project_title": r"^(?:intitule|titre|nom|libelle)(?: (?:du|de l'|de la))? ?"
        r"(?:projet|operation)?$|^intitule (?:du projet|de l'operation)|^titre du projet|"
        r"^nom du projet|^intitule de l'operation|^projet$",
        "project_summary": r"^(?:resume|synthese|description|presentation|objectifs?)$|"
        r"^(?:resume|synthese|description (?:synthetique|sommaire|courte|"
        r"du projet)|presentation (?:synthetique |succincte )?du projet|objet du projet|"
        r"objectifs? du projet)",
        "theme": r"^(?:axe|thematique|theme|volet|priorite|orientation)(?: (?:de l'appel|"
        r"vise|concerne|retenu|choisi))?\b|^(?:axe|volet) (?:de l'appel|concerne)",
        "start_on": r"(?:date.{0,20}(?:debut|demarrage|commencement|lancement|mise en oeuvre)|"
        r"^debut(?: (?:du projet|de l'operation|des travaux|previsionnel))?$|"
        r"demarrage (?:du projet|de l'operation|previsionnel))",
        "end_on": r"(?:date.{0,20}(?:\bfin\b|achevement|livraison|realisation|cloture)|"
        r"^fin(?: (?:du projet|de l'operation|des travaux|previsionnelle))?$|"
        r"achevement (?:du projet|de l'operation|previsionnel))",
        "signature_date": r"^(?:date(?: de (?:la )?(?:signature|demande))?|fait le|le)$",
        "signature": r"^signature\b|^signe\b",
    }.items()
}

# "Fait à Feurs, le 12 juillet 2023" — the request's own date.
_FAIT_A = re.compile(r"\bfait (?:a|au|en) ([^\n,]{2,60}?)[ ,]+le\b")
_FAIT_LE = re.compile(r"\bfait le\b")


@dataclass
class Project:
    project_title: Sourced[Any] = field(default_factory=Sourced)
    project_summary: Sourced[Any] = field(default_factory=Sourced)
    theme: Sourced[Any] = field(default_factory=Sourced)
    start_on: Sourced[Any] = field(default_factory=Sourced)
    end_on: Sourced[Any] = field(default_factory=Sourced)
    submitted_on: Sourced[Any] = field(default_factory=Sourced)
    signed: Sourced[Any] = field(default_factory=Sourced)
    warnings: list[str] = field(default_factory=list)


def extract_project(pieces: list[PieceView], received_on: dt.date | None = None) -> Project:
    own = own_pieces(pieces)
    out = Project()
    out.project_title = _text_value(own, "project_title", 200)
    if out.project_title.found:
        out.project_title = _quoted_title(out.project_title)
    else:
        out.project_title = _prose_title(own)
        subtitle = _subtitle_title(own)
        if out.project_title.found and subtitle.found:
            # « Haute-Saône Solidarités en ligne » in the letter, the full name under the
            # note's title: the full name.
            short = fold(str(out.project_title.value)).lower()
            if fold(str(subtitle.value)).lower().startswith(short) and len(
                str(subtitle.value)
            ) > len(short):
                out.project_title = subtitle
    if not out.project_title.found:
        out.project_title = _subtitle_title(own)
    if not out.project_title.found:
        out.project_title = _object_title(own)
    out.project_summary = _summary(
        own, str(out.project_title.value) if out.project_title.found else None
    )
    out.theme = _text_value(own, "theme", 250)
    if not out.theme.found:
        out.theme = _prose_theme(own)
    if not out.theme.found:
        out.theme = _framing_theme(own)
    out.start_on = _date_value(own, "start_on", out.warnings, "de début")
    out.end_on = _date_value(own, "end_on", out.warnings, "de fin")
    if not (out.start_on.found and out.end_on.found):
        start, end = _prose_dates(own)
        out.start_on = out.start_on if out.start_on.found else start
        out.end_on = out.end_on if out.end_on.found else end
    if not out.end_on.found:
        out.end_on = _calendar_end(own, out.start_on.value if out.start_on.found else None)
    requests = [p for p in pieces if p.piece == "formulaire"]
    out.signed, signed_on = _signature(requests)
    if signed_on.found:
        out.submitted_on = signed_on
    elif received_on is not None:
        out.submitted_on = Sourced[Any](
            value=received_on,
            evidence=[
                Evidence(
                    document="(date d'arrivée du dossier)",
                    quote=f"dossier reçu le {received_on.isoformat()}",
                )
            ],
            confidence=0.4,
        )
        out.warnings.append(
            "Date de dépôt : aucune date lisible à côté de la signature de la demande ; la "
            f"date d'arrivée du dossier ({received_on.strftime('%d/%m/%Y')}) est retenue à "
            "défaut. À vérifier."
        )
    elif requests:
        out.warnings.append(
            "Date de dépôt inconnue : aucune date lisible à côté de la signature de la demande "
            "et aucune date d'arrivée fournie (option --received). À relever à la main."
        )
    return out


def _text_value(own: list[PieceView], key: str, limit: int) -> Sourced[Any]:
    pair = find_value(own, LABELS[key])
    if pair is None or len(pair.value) > limit:
        return Sourced[Any]()
    return from_pair(pair, pair.value.strip())


_SUMMARY_HEADING = re.compile(
    r"presentation|description|objet|le projet|resume|synthese|objectifs?|contenu|nature|"
    r"ce que nous (?:allons|voulons)|actions? (?:prevues?|envisagees?)|mise en oeuvre"
)
_PROJECT_WORDS = re.compile(
    r"\bprojet\b|consiste|vise a|permettr|propos|\bmettre en place|deploi|souhait|amenag|lancer"
)
_LETTERHEAD = re.compile(r"@|www\.|\btel\b|\d{2} \d{2} \d{2} \d{2}|\b\d{5} [a-z]")


_NOT_SUMMARY = re.compile(
    r"^(?:objet|je soussign|nous soussign|certifie|atteste)|formulaire a (?:completer|remplir)|"
    r"pieces justificatives|veuillez|l'assurance de|n'a pas (?:commence|debute)|"
    r"pas de commencement|^j'atteste|aucun commencement|je vous prie"
)
# Sentences about money or about which axis the project falls under: the request says
# them too, but they do not say what the project is.
_FRAMING = re.compile(r"€|\beuros?\b|releve de|s'inscrit dans|correspond a l'axe|au titre de")
# What opens a letter's first block before its body: the object line, the salutation.
_SALUTATION = re.compile(
    r"^(?:objet\s*:[^\n]*\n)?(?:(?:madame|monsieur|mesdames)[^\n]{0,60},\s*\n)"
)


def _summary(own: list[PieceView], title: str | None = None) -> Sourced[Any]:
    """A labelled summary, else the presentation of the project in the applicant's words:
    the request's paragraph that presents it (the one naming the project, or speaking of
    it), then what the descriptive note says the project does (its "Objectifs / Ce que
    nous allons faire / Description" section). Letterheads, salutations, attestations
    and the funder's instructions are never a summary."""
    pair = find_value(own, LABELS["project_summary"])
    if pair is not None and len(pair.value) >= 30:
        return from_pair(pair, pair.value.strip(), 0.85)
    named = fold(title).lower() if title else None
    parts: list[tuple[PieceView, int, int]] = []
    requests = [p for p in own if p.piece == "formulaire"]
    opening = _opening_paragraph(requests)
    if opening is not None:
        piece, start, end = opening
        rank = next(i for i, b in enumerate(piece.blocks()) if b.start <= start < b.end)
        parts.append((piece, start, _extend_summary(piece, rank, start, end)))
    for kind in ("formulaire", "note_descriptive"):
        best = _best_paragraph([p for p in own if p.piece == kind], named)
        if best is not None:
            piece, rank, start, end = best
            span = (piece, start, _extend_summary(piece, rank, start, end))
            if not any(p is piece and s <= start < e for p, s, e in parts):
                parts.append(span)
    if not parts:
        return Sourced[Any]()
    value = "\n\n".join(piece.document.text[start:end].strip() for piece, start, end in parts)
    evidence = [piece.evidence(start, end) for piece, start, end in parts]
    return found(value, evidence, 0.6)


def _opening_paragraph(requests: list[PieceView]) -> tuple[PieceView, int, int] | None:
    """A letter's first paragraph after its salutation: where applicants say who they are
    and what they want to do."""
    for piece in requests:
        text = piece.document.text
        for block in piece.blocks():
            folded = fold(text[block.start : block.end]).lower()
            salutation = _SALUTATION.match(folded)
            start = block.start + (salutation.end() if salutation else 0)
            if not salutation and not re.match(r"(?:madame|monsieur)[^\n]{0,60},\s*$", folded):
                continue
            if salutation is None:
                continue  # the salutation alone: the paragraph is the next block
            body = fold(text[start : block.end]).lower()
            if len(body.split()) >= 15 and not _NOT_SUMMARY.search(body):
                return piece, start, block.end
        blocks = piece.blocks()
        for index, block in enumerate(blocks[:-1]):
            line = fold(text[block.start : block.end]).lower().strip()
            if re.fullmatch(r"(?:madame|monsieur)[^\n]{0,60},", line):
                nxt = blocks[index + 1]
                body = fold(text[nxt.start : nxt.end]).lower()
                if (
                    nxt.kind == "paragraph"
                    and len(body.split()) >= 15
                    and not _NOT_SUMMARY.search(body)
                ):
                    return piece, nxt.start, nxt.end
    return None


def _best_paragraph(
    pieces: list[PieceView], named: str | None
) -> tuple[PieceView, int, int, int] | None:
    """The paragraph of `pieces` that best presents the project: (piece, block rank,
    start, end)."""
    best: tuple[float, int, PieceView, int, int] | None = None
    for piece in pieces:
        heading = ""
        for rank, block in enumerate(piece.blocks()):
            start, end = block.start, block.end
            text = piece.document.text[start:end]
            folded = fold(text).lower()
            if block.kind == "heading":
                heading = folded
                continue
            salutation = _SALUTATION.match(folded)
            if salutation:
                start += salutation.end()
                text, folded = text[salutation.end() :], folded[salutation.end() :]
            if block.kind not in ("paragraph", "list_item") or len(text.split()) < 8:
                continue
            if _LETTERHEAD.search(folded) or _NOT_SUMMARY.search(folded):
                continue
            score = (
                (4 if named and named[:40] in " ".join(folded.split()) else 0)
                + (3 if _SUMMARY_HEADING.search(heading) else 0)
                + (2 if _PROJECT_WORDS.search(folded) else 0)
                + (1 if block.kind == "paragraph" and len(text.split()) >= 15 else 0)
                - (2 if _FRAMING.search(folded) else 0)
            )
            key = (-score, rank)
            if best is None or key < (best[0], best[1]):
                best = (-score, rank, piece, start, end)
    if best is None:
        return None
    _, rank, piece, start, end = best
    return piece, rank, start, end


SUMMARY_CHARS = 700  # what section 3 of the note can quote, at paragraph boundaries


def _extend_summary(piece: PieceView, rank: int, start: int, end: int) -> int:
    """The presentation goes on after its first paragraph: take the following paragraphs
    and list items of the same section, up to SUMMARY_CHARS."""
    blocks = piece.blocks()
    for block in blocks[rank + 1 :]:
        if block.kind in ("heading", "table_row") or block.end - start > SUMMARY_CHARS:
            break
        if block.kind == "furniture":
            continue
        text = fold(piece.document.text[block.start : block.end]).lower()
        if _NOT_SUMMARY.search(text) or _LETTERHEAD.search(text):
            break
        end = block.end
    return end


def _date_value(own: list[PieceView], key: str, warnings: list[str], what: str) -> Sourced[Any]:
    pair = find_value(own, LABELS[key])
    if pair is None or _NOT_PROJECT_DATE.search(pair.label):
        return Sourced[Any]()
    dates = find_dates(pair.value)
    if not dates:
        return Sourced[Any]()
    first = dates[0]
    day = first.to_date()
    if first.kind == "range" and key == "end_on" and first.end_day and first.end_year:
        day = dt.date(first.end_year, first.end_month or first.month, first.end_day)
    if day is None:
        warnings.append(
            f"Date {what} du projet donnée sans jour précis (« {first.text} », "
            f"{pair.piece.name}) : laissée vide."
        )
        return Sourced[Any]()
    return found(day, _span_evidence(pair, first.start, first.end), 0.85)


def _span_evidence(pair: Labelled, start: int, end: int) -> list[Evidence]:
    if pair.start is None:
        return [pair.evidence()]
    return [pair.piece.evidence(pair.start + start, pair.start + end)]


# --------------------------------------------------------------------------- signature


def _signature(requests: list[PieceView]) -> tuple[Sourced[Any], Sourced[Any]]:
    """(signed, date of signature) from the request: "Fait à X, le <date>" with a
    signatory → signed; the block left as dots → not signed; no request → unknown."""
    if not requests:
        return Sourced[Any](), Sourced[Any]()
    for piece in requests:
        result = _form_signature(piece) or _text_signature(piece)
        if result is not None:
            return result
    return Sourced[Any](), Sourced[Any]()


def _form_signature(piece: PieceView) -> tuple[Sourced[Any], Sourced[Any]] | None:
    fields = piece.form_fields
    if not fields:
        return None
    date_pair = None
    for name, value in fields.items():
        label = fold(name.replace("_", " "))
        if re.search(r"date.{0,12}(?:signature|demande)|^fait le|^date$", label):
            date_pair = (name, value)
    if date_pair is None:
        return None
    name, value = date_pair
    dates = find_dates(value)
    evidence = [piece.field_evidence(name)]
    if dates and dates[0].to_date():
        return found(True, evidence, 0.8), found(dates[0].to_date(), evidence, 0.9)
    return found(False, evidence, 0.7), Sourced[Any]()


def _text_signature(piece: PieceView) -> tuple[Sourced[Any], Sourced[Any]] | None:
    text = piece.document.text
    folded = fold(text[piece.start : piece.end])
    matches = list(_FAIT_A.finditer(folded)) or list(_FAIT_LE.finditer(folded))
    if not matches:
        return None
    m = matches[-1]  # the signature block closes the request
    line_end = folded.find("\n", m.end())
    line_end = len(folded) if line_end < 0 else line_end
    if re.search(r"\ble\s*$", folded[m.start() : line_end]):
        # "Fait à Andrézieux-Bouthéon, le" / "18 juillet 2023": the date wrapped.
        next_end = folded.find("\n", line_end + 1)
        line_end = len(folded) if next_end < 0 else next_end
    s, e = piece.start + m.start(), piece.start + line_end
    dates = [d for d in find_dates(text[s:e]) if d.to_date()]
    block = piece.evidence(s, e)
    if not dates or re.search(r"\.{3,}|…|_{3,}", text[s:e]):
        return found(False, [block], 0.7), Sourced[Any]()
    day = dates[0]
    date_ev = piece.evidence(s + day.start, s + day.end)
    signatory = _signatory(piece, piece.start + line_end)
    if signatory is None:
        # Place and date written but nobody signs under them ("Signature :" left empty).
        return found(False, [block], 0.6), found(day.to_date(), [date_ev], 0.9)
    return found(True, [block, signatory], 0.8), found(day.to_date(), [date_ev], 0.9)


_SIGN_MARK = re.compile(r"\[?\(?(?:signe|signature et cachet|cachet et signature)\)?\]?")


def _signatory(piece: PieceView, after: int) -> Evidence | None:
    """Who signs under the place-and-date line: a quality ("Le Maire,") or a person's name
    within the next four lines, or a signature mark ("[signé]", "cachet et signature")."""
    from extractors.dossier.identity import _QUALITY_LINE, _looks_like_person, clean_person

    text = piece.document.text
    lines = [(s, e) for s, e in piece.lines() if s >= after and text[s:e].strip()][:4]
    for start, end in lines:
        line = text[start:end].strip()
        folded = fold(line).lower()
        if re.match(r"signature\s*:?\s*$", folded):
            continue
        if (
            _QUALITY_LINE.match(folded)
            or _SIGN_MARK.search(folded)
            or _looks_like_person(clean_person(line))
        ):
            return piece.evidence(start, end)
    return None


# --------------------------------------------------------------------------- prose

# A name in quotes, possibly wrapped once across a line break.
_GUILLEMETS = re.compile(
    r"«\s*([^»\n]{2,150}(?:\n[^»\n]{1,150})?)\s*»|\u201c([^\u201d\n]{3,150})\u201d"
)
# Quoted names that are the call's, not the project's: "action « E-gouvernement »".
_CALL_CONTEXT = re.compile(
    r"(?:appel a (?:projets?|partenariat|candidatures?)(?: \d{4})?|\baap|\bami|\bcandidature|\bsubvention|\baction|fiche action|programme|"
    r"dispositif|\baxe(?: n°)?(?: \d)?|\bvolet|au titre de(?: l'| la| le)?|vise a|visant a|"
    r"permettant de|objectif|releve de l'axe)\s*$"
)
_TITLE_CUE = re.compile(
    r"(?:\bprojet|\boperation|\bintitule|\bdenomme|\bappele|\bnomme)\s*(?:intitule\s*|"
    r"denomme\s*|:\s*)?$"
)
_OBJECT_LINE = re.compile(r"^\s*objet\s*:", re.IGNORECASE)
_CALL_WORDS = re.compile(r"appel (?:a|à) (?:projets?|partenariat|candidatures?)", re.IGNORECASE)


def _quoted_title(title: Sourced[Any]) -> Sourced[Any]:
    """ "projet « Achats connectés »" written as the title: the name inside the quotes."""
    value = str(title.value)
    m = _GUILLEMETS.search(value)
    ev = title.evidence[0]
    if not m or ev.start is None:
        return title
    group = 1 if m.group(1) else 2
    start = ev.start + m.start(group)
    doc_quote = ev.quote[m.start(group) : m.end(group)]
    return Sourced[Any](
        value=doc_quote.strip(),
        evidence=[
            ev.model_copy(
                update={"start": start, "end": start + len(doc_quote), "quote": doc_quote}
            )
        ],
        confidence=title.confidence,
    )


def _prose_title(own: list[PieceView]) -> Sourced[Any]:
    """A name in quotes introduced as the project's ("porte le projet « Yon'Connect »"), or
    the quoted name on the letter's "Objet :" line; never the call's own name ("action
    « E-gouvernement »", "appel à partenariat « Loire Connect »")."""
    for piece in own:
        text = piece.text
        for m in _GUILLEMETS.finditer(text):
            group = 1 if m.group(1) else 2
            inner = m.group(group)
            before = fold(text[max(0, m.start() - 50) : m.start()]).lower().replace("\n", " ")
            if _CALL_CONTEXT.search(before.rstrip()) or _CALL_WORDS.search(inner):
                continue
            line_start = text.rfind("\n", 0, m.start()) + 1
            on_line = fold(text[max(line_start, m.start() - 40) : m.start()]).lower()
            if (
                _TITLE_CUE.search(on_line.rstrip())
                or _TITLE_CUE.search(before.rstrip())
                or (_OBJECT_LINE.match(text[line_start : m.start()]))
            ):
                s, e = piece.start + m.start(group), piece.start + m.end(group)
                return found(" ".join(inner.split()), [piece.evidence(s, e)], 0.7)
    return Sourced[Any]()


_THEME_CUE = re.compile(
    r"\b(?:axe|volet|thematique|theme|priorite|orientation)\s*(?:n°\s*)?(?:\d+\s*)?"
    r"(?:de l'appel(?: a projets| a partenariat)?\s*)?(?:intitule\s*)?(?:[:,—–(-]\s*)?"
)
# Where the named axis ends, outside quotes: the sentence goes on to say something else.
_THEME_STOP = re.compile(
    r"\.\s|\.$|;|\s:\s|\n\n|,\s+(?:par|qui|en|pour|car|afin|dont|avec|et)\b|\)"
)
_SKIP_THEME = re.compile(r"^(?:de l'appel|du projet|prioritaire|\d)")


def _prose_theme(own: list[PieceView]) -> Sourced[Any]:
    """The call's axis the applicant names in its own words: "relève de l'axe 3 — Projets
    numériques permettant de « simplifier le quotidien » : …", "l'axe 1 (tourisme et
    culture connectés)", "au titre de la thématique « … »"."""
    for piece in (p for p in own if p.piece in ("formulaire", "note_descriptive")):
        folded = fold(piece.text).lower()
        for m in _THEME_CUE.finditer(folded):
            start = m.end()
            span = _theme_span(
                piece.text, start, opened=folded[m.start() : m.end()].rstrip().endswith("(")
            )
            if span is None:
                continue
            s, e = span
            value = " ".join(piece.text[s:e].split()).strip(" ,")
            if 3 <= len(value) <= 200 and not _SKIP_THEME.match(fold(value).lower()):
                return found(value, [piece.evidence(piece.start + s, piece.start + e)], 0.6)
    return Sourced[Any]()


# "Ce projet s'inscrit dans le développement de …", "Le projet vise l'amélioration de …",
# "qui relève de l'administration électronique …": how applicants name the axis in prose.
_FRAMING_CUE = re.compile(
    r"\b(?:le|ce|notre)\s+projet\b[^.;]{0,60}?\b(?:s'inscrit dans|releve de|vise|correspond a|"
    r"repond a)\s+(?:a\s+)?(?:l'|le\s+|la\s+|les\s+)?"
)


def _framing_theme(own: list[PieceView]) -> Sourced[Any]:
    """The axis as the request frames the project, when no axis word names it; a weak
    reading (the check compares it with the call's themes and asks for review otherwise)."""
    for piece in (p for p in own if p.piece == "formulaire"):
        folded = fold(piece.text).lower()
        for m in _FRAMING_CUE.finditer(folded):
            span = _theme_span(piece.text, m.end(), opened=False)
            if span is None:
                continue
            s, e = span
            comma = piece.text.find(", ", s, e)
            if comma > 0 and "«" not in piece.text[s:comma]:
                e = comma  # the framing phrase ends at its first comma
            value = " ".join(piece.text[s:e].split()).strip(" ,")
            if 8 <= len(value) <= 160:
                return found(value, [piece.evidence(piece.start + s, piece.start + e)], 0.5)
    return Sourced[Any]()


def _theme_span(text: str, start: int, opened: bool) -> tuple[int, int] | None:
    """From `start`, the named axis: up to the closing guillemet when it opens with one,
    to the closing bracket after "(", else to where the sentence moves on."""
    while start < len(text) and text[start] in " \n":
        start += 1
    if start >= len(text):
        return None
    if opened:
        end = text.find(")", start)
        return (start, end) if 0 < end - start <= 200 else None
    if text[start] == "«":
        end = text.find("»", start)
        return (start + 1, end) if 0 < end - start <= 200 else None
    depth = 0
    position = start
    limit = min(len(text), start + 220)
    while position < limit:
        char = text[position]
        if char == "«":
            depth += 1
        elif char == "»":
            depth = max(0, depth - 1)
        elif depth == 0 and _THEME_STOP.match(text, position):
            break
        position += 1
    return start, position


_START_CUE = re.compile(
    r"(?:demarr\w*|debut\w*|lancement|commenc\w*|a partir du|a compter du|des le|"
    r"mise en (?:oeuvre|œuvre)|debutera|lancera)\b[^.;]{0,50}$"
)
_END_CUE = re.compile(
    r"(?:\bfin\b|achev\w*|mise en service|jusqu'au|termin\w*|cloture|au plus tard|"
    r"reception (?:finale|definitive)|ouverture au public|mise en ligne|bilan)[^.;]{0,40}$"
)
# Cue written after the date: "14 octobre 2024 : début des travaux".
_START_AFTER = re.compile(r"^\s*[:\-–—]?\s*(?:demarr|debut|lancement|commencement)")
_END_AFTER = re.compile(r"^\s*[:\-–—]?\s*(?:fin\b|achevement|mise en service|ouverture|cloture)")
_NOT_PROJECT_DATE = re.compile(
    r"cree|creation|fonde|immatricul|depuis|statuts|seance|delibere|activite|naissance|signature"
)


def _clause_before(folded: str, at: int, reach: int = 90) -> str:
    """The words before a date within its clause: a sentence may wrap over a line break
    ("Les travaux débuteront le / 2 novembre 2023"), a table row or a sentence end may not."""
    before = folded[max(0, at - reach) : at]
    cut = max(before.rfind(mark) for mark in (". ", "; ", ".\n", ";\n", ":\n"))
    if cut >= 0:
        before = before[cut + 1 :]
    lines = before.split("\n")
    if len(lines) > 1 and re.search(r"[\d)»]\s*$", lines[-2]):
        before = lines[-1]  # the previous line ended a row or an item, not a clause
    return before.replace("\n", " ")


_DATE_PIECES = ("formulaire", "calendrier", "note_descriptive")


def _prose_dates(own: list[PieceView]) -> tuple[Sourced[Any], Sourced[Any]]:
    """Start and end of the project stated in sentences or calendar rows: a range
    "du 6 janvier 2025 au 30 juin 2026" in a line about the project, or a day after a
    start cue ("démarrera le", "lancement le") or an end cue ("mise en service au")."""
    start: Sourced[Any] = Sourced[Any]()
    end: Sourced[Any] = Sourced[Any]()
    for piece in (p for p in own if p.piece in _DATE_PIECES):
        folded = fold(piece.text).lower()
        # Same length: a date or a range wrapped over two lines is still found.
        for date in find_dates(piece.text.replace("\n", " ")):
            before = _clause_before(folded, date.start)
            line_end = folded.find("\n", date.end)
            after = folded[date.end : line_end if line_end >= 0 else len(folded)]
            if _NOT_PROJECT_DATE.search(before):
                continue
            if date.kind == "range" and date.day and date.end_day and not start.found:
                if re.search(
                    r"periode|realisation|dates?|projet|du$|deroul|duree|calendrier", before + "du"
                ):
                    s, e = piece.start + date.start, piece.start + date.end
                    ev = [piece.evidence(s, e)]
                    first = date.to_date()
                    year = date.end_year or date.year
                    if first and year:
                        try:
                            last = dt.date(year, date.end_month or date.month, date.end_day)
                        except ValueError:
                            continue
                        start = found(first, ev, 0.7)
                        if not end.found:
                            end = found(last, ev, 0.7)
                continue
            day = date.to_date()
            if day is None:
                continue
            if not start.found and (_START_CUE.search(before) or _START_AFTER.match(after)):
                start = found(
                    day, [piece.evidence(piece.start + date.start, piece.start + date.end)], 0.65
                )
            elif not end.found and (_END_CUE.search(before) or _END_AFTER.match(after)):
                end = found(
                    day, [piece.evidence(piece.start + date.start, piece.start + date.end)], 0.6
                )
        if start.found and end.found:
            break
    return start, end


_NOT_TITLE = re.compile(
    r"^(?:montants?|en euros|page \d|date|objet|annexe|version|ref|tel|www|madame|monsieur|"
    r"le projet|projet$)|@|\d{2}/\d{2}/\d{4}|:\s*$"
)


# Pieces whose title line is usually followed by the project's name.
_SUBTITLED = (
    "plan_financement",
    "budget_previsionnel",
    "note_descriptive",
    "note_numerique_responsable",
    "note_protection_donnees",
    "calendrier",
)


def _subtitle_title(own: list[PieceView]) -> Sourced[Any]:
    """The line under a piece's title ("Plan de financement" / "Guichet numérique du
    Grand Dole"): applicants name their project there on several pieces; the name most
    pieces agree on wins."""
    from collections import Counter

    from extractors.dossier.identity import ENTITY_RX
    from extractors.dossier.pieces import TITLE_PATTERNS

    votes: Counter[str] = Counter()
    where: dict[str, tuple[PieceView, int, int]] = {}
    for piece in own:
        text = piece.document.text
        lines = piece.lines(900)
        for index, (start, end) in enumerate(lines[:-1]):
            folded = fold(text[start:end]).lower()
            if len(folded) > 90 or folded.startswith("objet"):
                continue
            if piece.piece not in _SUBTITLED or not TITLE_PATTERNS[piece.piece].search(folded):
                continue
            s, e = lines[index + 1]
            if index + 2 < len(lines) and e - s >= 55 and not re.search(r"[.:;]\s*$", text[s:e]):
                # A long title wraps: its second line is short and ends the sentence.
                ns, ne = lines[index + 2]
                tail = text[ns:ne]
                shouting = re.search(r"\b[A-ZÉÈ]{4,}\b", tail)
                same_block = any(b.start <= s and ne <= b.end for b in piece.blocks())
                if (
                    0 < ne - ns <= 60
                    and same_block
                    and " | " not in tail
                    and not shouting
                    and not _NOT_TITLE.search(fold(tail).lower())
                ):
                    e = ne
            block = next((b for b in piece.blocks() if b.start <= s < b.end), None)
            if block is not None and block.end > e + 1:
                continue  # the first line of a paragraph, not a title line
            candidate = text[s:e].strip()
            if (
                re.match(r"\d+[.)]\s", candidate)
                or candidate.endswith(".")
                or len(candidate.split()) > 16
            ):
                continue
            part = re.split(r"\s+[—–]\s+", candidate)
            if len(part) > 1 and ENTITY_RX.search(fold(part[-1]).lower()):
                candidate = " — ".join(part[:-1])
            folded_candidate = fold(candidate).lower()
            if not 3 <= len(candidate) <= 150 or _NOT_TITLE.search(folded_candidate):
                continue
            if ENTITY_RX.search(folded_candidate) or any(
                rx.search(folded_candidate) for rx in TITLE_PATTERNS.values()
            ):
                continue
            key = " ".join(candidate.strip("«» ").split())
            votes[key] += 1
            offset = text.index(candidate, s)
            where.setdefault(key, (piece, offset, offset + len(candidate)))
            break
    if not votes:
        return Sourced[Any]()
    best, count = votes.most_common(1)[0]
    piece, start, end = where[best]
    if count < 2 and len(best.split()) < 4 and not _quoted_in(own, best):
        # One short line under one title is a section heading as often as a name, unless
        # the request also quotes it (« repair café numérique »).
        return Sourced[Any]()
    return found(best, [piece.evidence(start, end)], 0.6 if count > 1 else 0.45)


_REQUEST_PART = re.compile(
    r"demande|candidature|subvention|sollicitation|appel a|\baap\b|\bami\b|fiche action|"
    r"\bfeder\b|\bfse\b|programme|action|dossier|\b20\d\d\b|^projet$"
)


def _object_title(own: list[PieceView]) -> Sourced[Any]:
    """The part of a letter's "Objet :" line that names the project, once the call and the
    request words are set aside: "Objet : Demande de subvention — AAP « Loire Connect »
    2023 — Pilat Village Connecté"."""
    for piece in (p for p in own if p.piece == "formulaire"):
        text = piece.document.text
        for m in re.finditer(r"(?m)^objet\s*:\s*", text[piece.start : piece.end], re.IGNORECASE):
            start = piece.start + m.end()
            end = text.find("\n", start)
            end = piece.end if end < 0 else end
            following_end = text.find("\n", end + 1)
            following = text[end + 1 : following_end if following_end > 0 else piece.end]
            if following.strip() and not re.match(
                r"\s*(?:madame|monsieur|mesdames)", fold(following).lower()
            ):
                end = following_end if following_end > 0 else piece.end
            line = text[start:end]
            parts = re.split(r"\s+[—–-]\s+", line)
            offset = start
            spans = []
            for part in parts:
                at = text.index(part, offset)
                spans.append((at, at + len(part)))
                offset = at + len(part)
            keep = [(s, e) for s, e in spans if not _REQUEST_PART.search(fold(text[s:e]).lower())]
            if keep:
                s, e = keep[-1][0], keep[-1][1]
                value = " ".join(text[s:e].split()).strip(" «»")
                if len(value) >= 3:
                    return found(value, [piece.evidence(s, e)], 0.45)
    return Sourced[Any]()


_CALENDAR_HEADING = re.compile(
    r"calendrier|planning|echeancier|retro-?planning|chronogramme|phasage"
)


def _calendar_end(own: list[PieceView], start: dt.date | None) -> Sourced[Any]:
    """The last dated step of the project's calendar section ("11 juillet 2025 : bilan de
    la première saison"), when no end is stated otherwise; later than the start."""
    for piece in (p for p in own if p.piece in _DATE_PIECES):
        blocks = [b for b in piece.blocks() if b.kind != "furniture"]
        for index, block in enumerate(blocks):
            text = piece.document.text[block.start : block.end]
            if block.kind != "heading" or not _CALENDAR_HEADING.search(fold(text).lower()):
                continue
            end = next(
                (b.start for b in blocks[index + 1 :] if b.kind == "heading"), blocks[-1].end
            )
            section = piece.document.text[block.end : end]
            days = [d for d in find_dates(section.replace("\n", " ")) if d.to_date()]
            last = max(days, key=lambda d: d.to_date(), default=None)
            if last is None or (start is not None and last.to_date() <= start):
                continue
            s = block.end + last.start
            return found(last.to_date(), [piece.evidence(s, s + (last.end - last.start))], 0.5)
    return Sourced[Any]()


def _quoted_in(own: list[PieceView], name: str) -> bool:
    key = fold(name).lower()
    for piece in own:
        for m in _GUILLEMETS.finditer(piece.text):
            inner = m.group(1) or m.group(2) or ""
            if fold(" ".join(inner.split())).lower() == key:
                return True
    return False
