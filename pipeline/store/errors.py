"""Errors of the registry, said in French with what to do."""

from __future__ import annotations


class RegistryError(Exception):
    """The registry cannot do what was asked: a French `message` and a `hint`."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(f"{message} {hint}".strip())
        self.message = message
        self.hint = hint


class UnknownDossierError(RegistryError):
    """A dossier key that the registry has never recorded."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Le dossier « {key} » n'est pas enregistré dans le registre.",
            "Il doit d'abord être reçu (balayage de la boîte de dépôt).",
        )
        self.key = key
