"""Closed vocabularies of DESIGN.md §4: codes in the data, French labels in reports."""

from __future__ import annotations

from typing import Literal, get_args

Beneficiary = Literal[
    "commune",
    "epci",
    "syndicat",
    "departement",
    "region",
    "ccas",
    "etablissement_public",
    "etat",
    "association",
    "entreprise",
    "pme",
    "sem_spl",
    "gip",
    "chambre_consulaire",
    "organisme_professionnel",
    "recherche",
    "particulier",
    "agriculteur",
]

Piece = Literal[
    "formulaire",
    "note_descriptive",
    "plan_financement",
    "budget_previsionnel",
    "deliberation",
    "devis",
    "rib",
    "attestation_non_commencement",
    "attestation_honneur",
    "statuts",
    "liste_dirigeants",
    "kbis",
    "note_numerique_responsable",
    "note_protection_donnees",
    "calendrier",
    "lettre_intention",
    "autre",
]

ExpenseCode = Literal[
    "materiel",
    "logiciel",
    "prestation",
    "formation",
    "hebergement_maintenance",
    "abonnement",
    "communication",
    "personnel",
    "immobilier",
    "mobilier",
    "couts_indirects",
    "infrastructure_reseau",
    "frais_generaux",
    "autre",
]

ExpenseType = Literal["investissement", "fonctionnement"]

BENEFICIARIES: tuple[str, ...] = get_args(Beneficiary)
PIECES: tuple[str, ...] = get_args(Piece)
EXPENSE_CODES: tuple[str, ...] = get_args(ExpenseCode)
EXPENSE_TYPES: tuple[str, ...] = get_args(ExpenseType)

BENEFICIARY_LABELS: dict[str, str] = {
    "commune": "Commune",
    "epci": "EPCI à fiscalité propre (CC, CA, CU, métropole)",
    "syndicat": "Syndicat de communes, syndicat mixte, PETR, pays",
    "departement": "Département",
    "region": "Région",
    "ccas": "CCAS / CIAS",
    "etablissement_public": "Autre établissement public",
    "etat": "Services de l'État",
    "association": "Association",
    "entreprise": "Entreprise",
    "pme": "PME",
    "sem_spl": "SEM, SPL, SemOp",
    "gip": "Groupement d'intérêt public (GIP)",
    "chambre_consulaire": "Chambre consulaire",
    "organisme_professionnel": "Organisme professionnel",
    "recherche": "Organisme de recherche",
    "particulier": "Particulier",
    "agriculteur": "Agriculteur",
}

PIECE_LABELS: dict[str, str] = {
    "formulaire": "Formulaire de demande signé (ou CERFA)",
    "note_descriptive": "Note descriptive du projet",
    "plan_financement": "Plan de financement",
    "budget_previsionnel": "Budget prévisionnel",
    "deliberation": "Délibération de l'organe délibérant",
    "devis": "Devis",
    "rib": "Relevé d'identité bancaire (RIB)",
    "attestation_non_commencement": "Attestation de non-commencement",
    "attestation_honneur": "Attestation sur l'honneur",
    "statuts": "Statuts",
    "liste_dirigeants": "Liste des dirigeants",
    "kbis": "Extrait Kbis",
    "note_numerique_responsable": "Note sur la démarche numérique responsable",
    "note_protection_donnees": "Note sur la protection des données personnelles",
    "calendrier": "Calendrier de réalisation",
    "lettre_intention": "Lettre d'intention des partenaires",
    "autre": "Autre pièce",
}

EXPENSE_LABELS: dict[str, str] = {
    "materiel": "Matériel, équipements",
    "logiciel": "Logiciels",
    "prestation": "Prestations externes (études, développement)",
    "formation": "Formation",
    "hebergement_maintenance": "Hébergement, maintenance, stockage",
    "abonnement": "Abonnements",
    "communication": "Communication",
    "personnel": "Dépenses de personnel",
    "immobilier": "Travaux, immobilier, génie civil",
    "mobilier": "Mobilier",
    "couts_indirects": "Coûts indirects (forfait)",
    "infrastructure_reseau": "Infrastructures de réseau (THD/HD, connectivité)",
    "frais_generaux": "Frais généraux",
    "autre": "Autres dépenses",
}

EXPENSE_TYPE_LABELS: dict[str, str] = {
    "investissement": "Investissement",
    "fonctionnement": "Fonctionnement",
}

# Signals that make a mandatory note substantive rather than a heading (issue 3): what a
# note on responsible digital practice, or on personal data protection, actually covers.
NumeriqueSignal = Literal[
    "bilan_carbone",  # bilan carbone, empreinte carbone, émissions de GES
    "analyse_cycle_vie",  # analyse de cycle de vie (ACV)
    "ecoconception",  # écoconception, RGESN, référentiel d'écoconception
    "sobriete",  # sobriété numérique, frugalité, réduction des données/requêtes
    "reemploi",  # réemploi, reconditionné, seconde main, recyclage, filière DEEE
    "duree_de_vie",  # allongement de la durée de vie / d'usage des équipements
    "hebergement",  # hébergement (data center, PUE, énergie renouvelable, mutualisé)
    "accessibilite",  # accessibilité numérique (RGAA), inclusion
]
DonneesSignal = Literal[
    "rgpd",  # RGPD, règlement (UE) 2016/679, loi Informatique et libertés
    "base_legale",  # base légale / licéité du traitement
    "dpo",  # délégué à la protection des données (DPO/DPD)
    "registre_traitements",  # registre des (activités de) traitement
    "aipd",  # analyse d'impact (AIPD, PIA)
    "duree_conservation",  # durée de conservation des données
    "hebergement_ue",  # hébergement dans l'Union européenne / en France, SecNumCloud, HDS
    "droits_personnes",  # droits d'accès, rectification, opposition, information
    "securite",  # sécurité: chiffrement, habilitations, journalisation, sauvegardes
    "sous_traitance",  # sous-traitant, clauses art. 28, contrat de sous-traitance
]
# What dates the project's start (E04): a signed quote, an order, an invoice, a start
# of works order, a signed contract (marché).
CommitmentKind = Literal["devis_signe", "commande", "facture", "ordre_de_service", "marche"]

NUMERIQUE_SIGNALS: tuple[str, ...] = get_args(NumeriqueSignal)
DONNEES_SIGNALS: tuple[str, ...] = get_args(DonneesSignal)
COMMITMENT_KINDS: tuple[str, ...] = get_args(CommitmentKind)

SIGNAL_LABELS: dict[str, str] = {
    "bilan_carbone": "bilan carbone",
    "analyse_cycle_vie": "analyse de cycle de vie",
    "ecoconception": "écoconception",
    "sobriete": "sobriété",
    "reemploi": "réemploi, reconditionnement",
    "duree_de_vie": "durée de vie des équipements",
    "hebergement": "hébergement",
    "accessibilite": "accessibilité numérique",
    "rgpd": "RGPD",
    "base_legale": "base légale",
    "dpo": "délégué à la protection des données",
    "registre_traitements": "registre des traitements",
    "aipd": "analyse d'impact (AIPD)",
    "duree_conservation": "durée de conservation",
    "hebergement_ue": "hébergement dans l'UE",
    "droits_personnes": "droits des personnes",
    "securite": "sécurité des données",
    "sous_traitance": "sous-traitance",
}

COMMITMENT_LABELS: dict[str, str] = {
    "devis_signe": "devis signé (bon pour accord)",
    "commande": "bon de commande",
    "facture": "facture",
    "ordre_de_service": "ordre de service",
    "marche": "marché signé",
}
