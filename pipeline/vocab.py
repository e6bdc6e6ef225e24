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
