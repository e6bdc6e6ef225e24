"""Dossier → pieces and facts (DESIGN §3 DossierFacts); the entry point is
`extractors.dossier.extract.extract_dossier`."""
