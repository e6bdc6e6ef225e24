"""The archive: a copy of every original, `archive/<sha256>`, made before anything else.

A copy is written under a temporary name, flushed to disk (fsync), then renamed: a copy
killed half-way leaves a temporary file (cleaned at the next sweep), never a truncated
archive under a real digest. The inbox is only read: nothing is moved, renamed or
touched there. A file that changes while it is copied is not archived (the digest would
describe bytes that no longer exist): `FileChanged`, and the dossier waits for the next
scan.

Duplicates are decided here too: a single-file dossier (zip, PDF) whose content is
already archived under another dossier of the same call, or a folder whose files are
exactly another dossier's, is a duplicate. The same content under another call is not:
checked against other rules, it gives another note.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.home import Home
from pipeline.inbox.scan import DossierCandidate, InboxFile
from pipeline.store import FileRow, Registry

CHUNK = 1 << 20
# Temporary copies and work folders live in one hidden folder of the archive: on the same
# file system (a rename or a hard link is enough) and cleaned without listing the archive.
WORK_DIR = ".travail"
TEMP_PREFIX = "copie-"
WORK_PREFIX = "dossier-"


class FileChanged(OSError):
    """The file moved (size or modification time) while it was being archived."""


@dataclass(frozen=True)
class Archived:
    """One inbox file and its archived copy."""

    info: InboxFile
    sha256: str
    path: Path


def archive_path(home: Home, sha256: str) -> Path:
    return home.archive / sha256


def work_dir(archive_dir: Path) -> Path:
    """The archive's folder for temporary copies and work folders (created)."""
    folder = Path(archive_dir) / WORK_DIR
    folder.mkdir(exist_ok=True)
    return folder


def archive_file(home: Home, info: InboxFile, known: FileRow | None = None) -> Archived:
    """Archive one inbox file and return its digest. When the ledger already knows this
    path with the same size and modification time, and its copy is in the archive, the
    file is not read again (an unchanged inbox costs no reading)."""
    if (
        known is not None
        and known.sha256
        and known.size == info.size
        and abs(known.mtime - info.mtime) < 1e-6
        and archive_path(home, known.sha256).is_file()
    ):
        return Archived(info, known.sha256, archive_path(home, known.sha256))
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=work_dir(home.archive))
    temp = Path(temp_name)
    try:
        digest = _copy_and_hash(info, fd)
        target = archive_path(home, digest)
        if target.is_file():
            temp.unlink()  # same bytes already archived (by this or another dossier)
        else:
            os.chmod(temp, 0o444)  # an archived original is never written again
            os.replace(temp, target)
            _fsync_dir(home.archive)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Archived(info, digest, target)


def _copy_and_hash(info: InboxFile, fd: int) -> str:
    digest = hashlib.sha256()
    with open(fd, "wb") as out, open(info.path, "rb") as source:
        before = os.fstat(source.fileno())
        if before.st_size != info.size or before.st_mtime != info.mtime:
            raise FileChanged(f"« {info.name} » a changé depuis le dernier passage")
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
        after = os.fstat(source.fileno())
    if (after.st_size, after.st_mtime) != (before.st_size, before.st_mtime):
        raise FileChanged(f"« {info.name} » a été modifié pendant sa copie")
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def clean_leftovers(home: Home) -> bool:
    """Remove the temporary copies and work folders a killed sweep left behind (call it
    only while holding the sweep lock: a running sweep's are in use). True if any."""
    folder = home.archive / WORK_DIR
    if not folder.is_dir() or not any(folder.iterdir()):
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


# --- duplicates ---------------------------------------------------------------------


def content_of(archived: Iterable[Archived], candidate: DossierCandidate) -> frozenset[str]:
    """What makes a dossier's content: the digests of its pieces (the corrections file,
    the instructeur's, is left out)."""
    skip = candidate.corrections.ledger_path if candidate.corrections else None
    return frozenset(a.sha256 for a in archived if a.info.ledger_path != skip)


def single_file_original(
    registry: Registry, candidate: DossierCandidate, sha256: str
) -> str | None:
    """For a zip or PDF dossier: the key of another dossier of the same call that was the
    same file (same digest, the dossier's own entry), if any still registered."""
    for row in registry.find_by_sha256(sha256):
        key = row.dossier_key
        if not key or key == candidate.key or row.state == "duplicate":
            continue
        if not key.startswith(f"{candidate.call_id}/") or row.path != f"inbox/{key}":
            continue
        if registry.dossier(key) is not None:
            return key
    return None
