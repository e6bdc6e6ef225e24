"""Writing files safely: whole or not at all, never half a file for a reader."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


class OutputError(Exception):
    """An output file that cannot be written, with a French message and what to do."""

    def __init__(self, path: Path, message: str, hint: str) -> None:
        super().__init__(f"{message} {hint}")
        self.path = path
        self.message = message
        self.hint = hint


def atomic_write_text(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write `text` to `path` through a temporary file in the same folder, flushed to disk,
    then renamed over the target: a crash leaves the previous version intact. The parent
    folder is created; an existing file keeps its permissions, a new one gets the usual
    ones (umask)."""
    _atomic_write(
        Path(path), text, lambda fd: os.fdopen(fd, "w", encoding="utf-8", newline=newline)
    )


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a DOCX, a PDF…), the same way as
    `atomic_write_text`."""
    _atomic_write(Path(path), data, lambda fd: os.fdopen(fd, "wb"))


def _atomic_write(path: Path, content: str | bytes, opener: Callable[[int], IO[Any]]) -> None:
    """Temporary file beside the target, written through `opener(fd)`, fsynced, renamed."""
    if path.is_dir():
        raise OutputError(
            path,
            f"« {path} » est un dossier, pas un fichier.",
            "Donnez un nom de fichier (par exemple « regles.json »).",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(
            path,
            f"Impossible d'écrire « {path} » : {exc.strerror or exc}.",
            "Vérifiez le chemin et les droits d'écriture du dossier.",
        ) from exc
    try:
        with opener(fd) as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            path,
            f"Impossible d'écrire « {path} » : {exc.strerror or exc}.",
            "Vérifiez l'espace disque et les droits d'écriture.",
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
