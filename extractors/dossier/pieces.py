"""Which piece of DESIGN §4 a document (or a page range of a merged PDF) is.

Classified by content: the piece's title (headings and short lines at the top of its
first page) weighs most, then the structures only that piece has (a délibération's
"après en avoir délibéré", a quote's "Total HT … TVA", a RIB's valid IBAN, a form's
fields), then the file name — only a hint, since applicants name files "scan0003.pdf".
The reason given to the instructeur lists what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from extractors.dossier.views import PieceView
from extractors.lexicon import fold
from pipeline.ids import iban_ok, normalise_iban

# Title phrases: a piece's own name, as applicants and authorities title them.
TITLE_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(rx)
    for code, rx in {
        "attestation_non_commencement": r"non[- ]?commencement|non[- ]demarrage|"
        r"absence de commencement|pas (?:de )?commencement",
        "attestation_honneur": r"attestation sur l'honneur|declaration sur l'honneur",
        "deliberation": r"extrait (?:du registre )?des deliberations|registre des deliberations|"
        r"\bdeliberation\b|proces-verbal du conseil|decision du (?:president|bureau)",
        "devis": r"\bdevis\b|proposition (?:commerciale|financiere|tarifaire)|offre de prix",
        "facture": r"\bfacture\b|\bfacture n",
        "commande": r"\bbon de commande\b",
        "courrier_recu": r"objet ?: ?(?:votre|v/) (?:demande|dossier|candidature)|"
        r"objet ?: ?(?:notification|attribution|accuse de reception|decision)",
        "rib": r"releve d'identite bancaire|\brib\b|identite bancaire|coordonnees bancaires",
        "kbis": r"extrait k ?bis|\bkbis\b|extrait d'immatriculation",
        "statuts": r"^statuts\b|\bstatuts de l|\bstatuts (?:de|du|constitutifs|mis a jour)",
        "liste_dirigeants": r"liste des (?:membres du )?(?:dirigeants|bureau|administrateurs|"
        r"conseil d'administration)|composition du (?:bureau|conseil d'administration)",
        "note_numerique_responsable": r"numerique responsable|sobriete numerique|"
        r"eco-?conception|impact environnemental|numerique (?:durable|sobre)|green ?it",
        "note_protection_donnees": r"protection des donnees|donnees (?:a caractere )?personnelles|"
        r"\brgpd\b|conformite (?:au )?rgpd",
        "calendrier": r"\bcalendrier\b|\bplanning\b|\bretro-?planning\b|\becheancier\b|"
        r"\bchronogramme\b",
        "lettre_intention": r"lettre d'(?:intention|engagement|soutien)|lettre de soutien|"
        r"\bsoutien (?:au|a la) (?:projet|candidature)",
        "plan_financement": r"plan de financement|plan de financement previsionnel|"
        r"financement previsionnel",
        "budget_previsionnel": r"budget previsionnel|budget (?:detaille|du projet|de l'action)",
        "note_descriptive": r"note (?:descriptive|de presentation|explicative|technique)|"
        r"presentation (?:detaillee )?(?:du|de l'operation|de l'action)|descriptif (?:du|de l)|"
        r"memoire (?:technique|descriptif|explicatif)|fiche (?:projet|action)|"
        r"description (?:du|de l'operation)|dossier technique",
        "formulaire": r"\bformulaire\b|demande de (?:subvention|financement|aide|participation)|"
        r"dossier de (?:candidature|demande)|\bcerfa\b|lettre de (?:demande|candidature)|"
        r"objet ?:[^\n]{0,80}(?:demande|sollicitation|candidature|subvention|appel a "
        r"(?:projets?|partenariat|candidatures?)|\bfeder\b|\baap\b)|candidature a l'appel",
    }.items()
}

# Structures of the body that only this piece has.
BODY_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(rx)
    for code, rx in {
        "deliberation": r"apres en avoir delibere|seance (?:publique )?du|"
        r"(?:conseillers|membres|delegues) en exercice|certifie executoire|"
        r"le conseil (?:municipal|communautaire|syndical|d'administration|departemental)|"
        r"a l'unanimite|pour extrait conforme|transmis en prefecture",
        "devis": r"total ht|montant ht|prix unitaire|validite (?:de l'offre|du devis)|"
        r"devis valable|conditions de (?:reglement|paiement)|\bp\.?u\.? ht|quantite",
        "rib": r"\biban\b|\bbic\b|code banque|code guichet|domiciliation|titulaire du compte|"
        r"cle rib",
        "kbis": r"immatricul|\brcs\b|numero de gestion|greffe du tribunal",
        "statuts": r"\barticle (?:1er|premier|1)\b|objet de l'association|assemblee generale|"
        r"siege social|conseil d'administration",
        "liste_dirigeants": r"\bpresident(?:e)?\b.*\btresorier|\btresorier(?:e)?\b.*\bsecretaire",
        "attestation_honneur": r"je soussigne|atteste(?:r)? sur l'honneur|certifie sur l'honneur",
        "attestation_non_commencement": r"(?:pas|aucun) (?:de )?(?:commencement|"
        r"demarrage)|n'(?:a|ont) pas (?:ete )?(?:commence|debute|engage)|"
        r"aucune? (?:commande|depense|engagement)",
        "formulaire": r"\b(?:je|nous) (?:vous )?sollicit|\bsollicitons\b|"
        r"(?:j'ai|nous avons) l'honneur de|montant (?:de (?:l'aide|la subvention) )?sollicite|"
        r"representant legal|identification du (?:demandeur|porteur|beneficiaire)|"
        r"(?:veuillez|je vous prie d'|nous vous prions d')(?:agreer|croire|recevoir)|"
        r"recevez,? madame|prie de croire|en l'assurance de|je vous adresse (?:la|notre|ma)|"
        r"(?:aide|subvention|participation) sollicitee",
        "plan_financement": r"\bdepenses\b[^\n]*\b(?:recettes|ressources)|"
        r"total (?:des )?(?:depenses|ressources|recettes)|\bautofinancement\b",
        "budget_previsionnel": r"\b60 ?- ?achats|\bcharges de personnel|\b74 ?- ?subventions",
        "calendrier": r"\bphase \d|\betape \d|mise en (?:service|production)|\blivraison\b|"
        r"\blancement\b|\bdemarrage\b",
        "note_descriptive": r"\bcontexte\b|\bobjectifs?\b|\benjeux\b|resultats attendus|"
        r"public(?:s)? (?:vise|cible)|\bdescription du projet",
        "courrier_recu": r"(?m)votre (?:demande de subvention|commune|association|collectivite) (?:a|est)|"
        r"(?:vous|votre \w+) (?:a|ont) ete (?:attribue|accorde|notifie)|j'ai le plaisir de vous|"
        r"a attribue une (?:subvention|aide)|accuse reception|"
        r"^(?:monsieur|madame) (?:le|la) maire,?\s*$",
        "lettre_intention": r"nous (?:soutenons|apportons notre soutien|nous engageons)|"
        r"(?:apporter|apporte) (?:son|notre) soutien",
        "note_numerique_responsable": r"bilan carbone|cycle de vie|reemploi|reconditionn|"
        r"\brgesn\b|sobriete|duree de vie",
        "note_protection_donnees": r"base legale|\bdpo\b|delegue a la protection|"
        r"registre des (?:activites de )?traitement|\baipd\b|duree de conservation",
    }.items()
}

# A word of a file name standing for a piece (abbreviations included).
NAME_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(rx)
    for code, rx in {
        "deliberation": r"delib",
        "devis": r"devis",
        "rib": r"\brib\b|bancaire|iban",
        "kbis": r"k ?bis",
        "statuts": r"statut",
        "liste_dirigeants": r"dirigeant|bureau|\bca\b",
        "attestation_non_commencement": r"non[- _]?commenc|non[- _]?demarr",
        "attestation_honneur": r"honneur",
        "note_numerique_responsable": r"numerique[- _]responsable|\bnr\b|sobriete|green",
        "note_protection_donnees": r"rgpd|donnees|\bdpo\b",
        "calendrier": r"calendrier|planning",
        "lettre_intention": r"intention|soutien",
        "plan_financement": r"plan[- _]?(?:de[- _]?)?financ|\bpdf?\b financement|\bplan\b",
        "budget_previsionnel": r"budget",
        "note_descriptive": r"note[- _]?descript|descriptif|presentation|memoire",
        "formulaire": r"formulaire|cerfa|demande|candidature",
    }.items()
}

# What the pseudo-codes found above become: invoices and orders are not pieces of §4.
_AS_PIECE = {"facture": "autre", "commande": "autre", "courrier_recu": "autre"}

TITLE_WEIGHT = 5.0
BODY_WEIGHT = 2.0
BODY_CAP = 3  # distinct body hits counted per code
NAME_WEIGHT = 1.5
FORM_WEIGHT = 6.0
IBAN_WEIGHT = 4.0
MIN_SCORE = 3.0
_PRIORITY = list(TITLE_PATTERNS)  # ties: the more specific piece (order above) wins


@dataclass
class Classification:
    piece: str
    confidence: float
    reason: str
    kind: str = ""  # finer kind when the piece is "autre": "facture", "commande"
    scores: dict[str, float] = field(default_factory=dict)


def title_text(piece: PieceView, first_chars: int = 700) -> str:
    """The top of the range's first page: its short lines (titles, letterheads, "Objet :")
    outside running headers and footers and outside running prose, folded; where a piece
    says what it is. A line that belongs to a paragraph of several long lines is prose
    ("La délibération du conseil municipal sera prise en septembre…"), not a title."""
    doc = piece.document
    head_end = min(piece.end, piece.start + first_chars)
    blocks = [b for b in piece.blocks() if b.start < head_end]
    furniture = [(b.start, b.end) for b in blocks if b.kind == "furniture"]
    prose = [(b.start, b.end) for b in blocks if _is_prose(doc.text[b.start : b.end], b.kind)]
    parts = []
    for start, end in piece.lines(first_chars):
        if end - start > 110 or any(s <= start < e for s, e in furniture + prose):
            continue
        parts.append(doc.text[start:end])
    return fold(" ".join(parts))


def _is_prose(text: str, kind: str) -> bool:
    """A paragraph of several long lines (running text), as opposed to a stack of short
    lines (a title, a letterhead, a header block)."""
    if kind not in ("paragraph", "list_item"):
        return False
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 2 and sum(len(line) for line in lines) / len(lines) >= 60


def title_codes(piece: PieceView) -> list[str]:
    """Codes whose title phrase appears at the top of the range, in order of appearance."""
    text = title_text(piece)
    hits = []
    for code, rx in TITLE_PATTERNS.items():
        m = rx.search(text)
        if m:
            hits.append((m.start(), code))
    return [code for _, code in sorted(hits)]


def classify(piece: PieceView) -> Classification:
    """The piece code of a document or page range, with a confidence and the reason."""
    scores: dict[str, float] = {}
    why: dict[str, list[str]] = {}

    def add(code: str, weight: float, reason: str) -> None:
        scores[code] = scores.get(code, 0.0) + weight
        why.setdefault(code, []).append(reason)

    head = title_text(piece)
    for code, rx in TITLE_PATTERNS.items():
        m = rx.search(head)
        if m:
            # The earlier a title phrase sits, the more it is THE title.
            # A phrase deep in the top region is a section heading more than the title.
            weight = TITLE_WEIGHT + 1.0 if m.start() < 250 else TITLE_WEIGHT / 2
            add(code, weight, f"titre « {m.group(0)} »")
    body = fold(piece.text)
    for code, rx in BODY_PATTERNS.items():
        found = {m.group(0) for m in rx.finditer(body)}
        if found:
            shown = sorted(found)[:BODY_CAP]
            add(
                code,
                BODY_WEIGHT * min(len(found), BODY_CAP),
                "mots « " + " », « ".join(shown) + " »",
            )
    if piece.form_fields and any(v.strip() for v in piece.form_fields.values()):
        add("formulaire", FORM_WEIGHT, f"formulaire remplissable ({len(piece.form_fields)} champs)")
    if (
        re.search(r"(?m)^objet ?:", body)
        and re.search(r"(?m)^(?:madame|monsieur)\b[^\n]{0,60},\s*$", body)
        and re.search(r"\bfait (?:a|au|le)\b", body)
    ):
        # A letter (object, salutation, signature) in a dossier is the covering request.
        add("formulaire", MIN_SCORE, "lettre (objet, formule d'appel, signature)")
    headings = sum(1 for b in piece.blocks() if b.kind == "heading")
    if (
        headings >= 2
        and len(body.split()) >= 80
        and re.search(r"\bprojet\b|\bobjectifs?\b|\bpourquoi\b|\bcalendrier\b|\bcontexte\b", body)
    ):
        # A written presentation (sections and prose about a project) with no other
        # piece's marks: a descriptive note whatever its title ("Pourquoi ce projet").
        add("note_descriptive", MIN_SCORE, "document rédigé en sections présentant le projet")
    if _has_valid_iban(piece.text):
        add("rib", IBAN_WEIGHT, "IBAN valide")
    stem = fold(PurePosixPath(piece.name).stem.replace("_", " "))
    for code, rx in NAME_PATTERNS.items():
        if rx.search(stem):
            add(code, NAME_WEIGHT, f"nom du fichier « {PurePosixPath(piece.name).name} »")
    for code, reason in _settle_conflicts(scores, head, body):
        why.setdefault(code, []).append(reason)

    if not scores:
        return Classification("autre", 0.2, "aucun indice reconnu", scores=scores)
    order = sorted(scores, key=lambda c: (-scores[c], _PRIORITY.index(c) if c in _PRIORITY else 99))
    best = order[0]
    second = scores[order[1]] if len(order) > 1 else 0.0
    if scores[best] < MIN_SCORE:
        return Classification(
            "autre", 0.3, "indices trop faibles : " + "; ".join(why[best]), scores=scores
        )
    margin = (scores[best] - second) / scores[best]
    confidence = round(min(0.95, 0.45 + 0.04 * scores[best] + 0.3 * margin), 2)
    code = _AS_PIECE.get(best, best)
    reason = "; ".join(why[best])
    if best in _AS_PIECE:
        reason = f"{best} (pièce hors liste) : {reason}"
    return Classification(
        code, confidence, reason, kind=best if best in _AS_PIECE else "", scores=scores
    )


def _settle_conflicts(scores: dict[str, float], head: str, body: str) -> list[tuple[str, str]]:
    """Pieces that name each other: an attestation de non-commencement is also "sur
    l'honneur"; a request often contains its plan and its attestation; a quote accepted
    is still a quote; an invoice names its quote. Returns the reasons of the scores it
    raised, for the instructeur."""
    reasons: list[tuple[str, str]] = []
    if (
        "attestation_non_commencement" in scores
        and "attestation_honneur" in scores
        and TITLE_PATTERNS["attestation_non_commencement"].search(head)
    ):
        scores["attestation_honneur"] -= TITLE_WEIGHT
    if (
        "courrier_recu" in scores
        and "formulaire" in scores
        and scores["courrier_recu"] >= 2 * BODY_WEIGHT
    ):
        # A letter written TO the applicant ("Monsieur le Maire, … votre demande … a
        # attribué"): the funder's answer, not the request, whatever its object line says.
        scores["formulaire"] -= TITLE_WEIGHT + MIN_SCORE
        reasons.append(("courrier_recu", "courrier adressé au demandeur (réponse d'un financeur)"))
    if "facture" in scores and "devis" in scores and TITLE_PATTERNS["facture"].search(head):
        scores["devis"] -= TITLE_WEIGHT
    if "budget_previsionnel" in scores and _two_sided(body) and not _ANNUAL_BUDGET.search(body):
        # A project budget giving expenses AND resources is a financing plan, CERFA layout
        # or not; the budget prévisionnel proper is the structure's annual budget or an
        # expenses-only detail.
        scores["plan_financement"] = (
            max(scores.get("plan_financement", 0.0), scores["budget_previsionnel"]) + 1.0
        )
        reasons.append(("plan_financement", "budget donnant dépenses et ressources du projet"))
    for code in list(scores):
        if scores[code] <= 0:
            del scores[code]
    return reasons


_EXPENSE_SIDE = re.compile(
    r"(?m)^\s*(?:depenses|charges|emplois)\b|\btotal (?:des )?(?:depenses|charges)"
)
_RESOURCE_SIDE = re.compile(
    r"(?m)^\s*(?:recettes|ressources|produits|financements?)\b|\btotal (?:des )?(?:recettes|ressources|produits)|"
    r"\b(?:charges|depenses)\b[^\n]{0,40}\b(?:produits|recettes|ressources)\b"
)
_ANNUAL_BUDGET = re.compile(r"budget (?:previsionnel )?(?:annuel|de l'association|de la structure)")


def _two_sided(body: str) -> bool:
    return bool(_EXPENSE_SIDE.search(body) and _RESOURCE_SIDE.search(body))


_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")


def find_ibans(text: str) -> list[re.Match[str]]:
    """IBAN-shaped strings (grouped by 4 or not) whose mod-97 checksum is valid."""
    return [m for m in _IBAN.finditer(text) if iban_ok(normalise_iban(m.group(0)))]


def _has_valid_iban(text: str) -> bool:
    return bool(find_ibans(text))
