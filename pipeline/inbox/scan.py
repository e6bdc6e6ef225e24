"""A full scan of the inbox (polling, never inotify: inotify is silent on the SMB/NFS shares
where shared inboxes live).

Layout: `inbox/<call_id>/<dossier>`, a dossier being a folder, a `.zip` or a single PDF.
A file is *stable* when its size and modification time have not moved for the quiet
period; the ledger (registry `files`) remembers what the previous scan saw, so a file that
changed since then waits one more period even when its modification time looks old (copy
tools that restore the original date). A dossier is stable when all its files are.

Temporary and lock names are the intake's (`extractors.dossier.intake`), so that the
scan and the reading never disagree on what a piece is; the instructeur's corrections file
is the one exception: not a piece, but watched (editing it triggers a new check).

The scan never reads file contents and never writes into the inbox; it records in the
ledger the files seen for the first time (`seen`), or changed, and the ignored names
(`ignored`, once).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from extractors.dossier.intake import _ignored_dir, _ignored_file, _is_zip
from pipeline.corrections import CORRECTION_FILES
from pipeline.home import Home, is_plain_name
from pipeline.store import FileRow, Registry

DossierKind = Literal["folder", "zip", "pdf"]

UNKNOWN_CALL = "appel_inconnu"


@dataclass(frozen=True)
class InboxFile:
    """One file of a dossier as the scan saw it. `name`: path inside the dossier with "/"
    (the file name for a single-file dossier); `ledger_path`: the ledger's key, relative to
    the home ("inbox/<call_id>/<dossier>/<name>") so that a home moved or mounted elsewhere
    keeps its ledger."""

    path: Path
    name: str
    ledger_path: str
    size: int
    mtime: float


@dataclass
class DossierCandidate:
    """One dossier of the inbox. `key` is the registry's "<call_id>/<entry name>";
    `label` the folder name used under `reports/<call_id>/` and `failed/<call_id>/` (the
    entry name, without `.zip`/`.pdf` unless another entry has the same stem).
    `stable`: every file quiet for the period (an empty folder never is); `waiting` says
    which files are not; `error` (stage, code, message) for a dossier that cannot be taken
    whatever its files (unknown call); `corrections` is the corrections file, also in
    `files`."""

    key: str
    call_id: str
    name: str
    path: Path
    kind: DossierKind
    label: str
    files: list[InboxFile] = field(default_factory=list)
    corrections: InboxFile | None = None
    stable: bool = False
    waiting: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None

    @property
    def ledger_path(self) -> str:
        return f"inbox/{self.key}"


def scan(
    home: Home,
    *,
    now: float | dt.datetime,
    quiet_seconds: float = 5,
    registry: Registry | None = None,
) -> list[DossierCandidate]:
    """Every dossier of the inbox, sorted by key, with its files and whether it is stable
    at `now` (epoch seconds or an aware datetime). Files seen for the first time or changed
    are recorded `seen` in the ledger, ignored names `ignored` (once)."""
    moment = now.timestamp() if isinstance(now, dt.datetime) else float(now)
    own = registry is None
    registry = registry or Registry(home.database_url)
    try:
        ledger = {row.path: row for row in registry.files()}
        known = set(home.known_calls())
        candidates: list[DossierCandidate] = []
        for call_dir in _entries(home.inbox):
            if not call_dir.is_dir(follow_symlinks=False):
                _ignore(registry, ledger, home, Path(call_dir.path), _NOT_IN_CALL_FOLDER)
                continue
            if _ignored_dir(call_dir.name) or not is_plain_name(call_dir.name):
                continue
            candidates += _scan_call(home, Path(call_dir.path), registry, ledger)
        for candidate in candidates:
            if candidate.call_id not in known:
                candidate.error = unknown_call_error(home, candidate)
            candidate.stable, candidate.waiting = _stability(
                candidate, ledger, moment, quiet_seconds
            )
            _record_seen(registry, ledger, candidate)
        return candidates
    finally:
        if own:
            registry.close()


def unknown_call_error(home: Home, candidate: DossierCandidate) -> dict[str, Any]:
    """The error of a dossier under a folder that names no rules file, listing those that
    exist (the instructeur may have mistyped the folder's name)."""
    calls = home.known_calls()
    existing = (
        "fichiers de règles présents : " + ", ".join(f"« {c}.json »" for c in calls)
        if calls
        else "aucun fichier de règles n'est encore présent dans « calls/ »"
    )
    return {
        "stage": "scan",
        "code": UNKNOWN_CALL,
        "message": (
            f"Le dossier « {candidate.name} » est déposé dans « inbox/{candidate.call_id}/ », "
            f"mais aucun appel « {candidate.call_id} » n'est connu (pas de fichier "
            f"« calls/{candidate.call_id}.json ») ; {existing}."
        ),
        "hint": (
            "Déplacez le dossier dans le sous-dossier de l'appel concerné, ou ajoutez les "
            f"règles de l'appel (« aap call extract AVIS -o calls/{candidate.call_id}.json »)."
        ),
        "known_calls": calls,
        "fingerprint": None,
    }


# --- walking the inbox --------------------------------------------------------------

_NOT_IN_CALL_FOLDER = (
    "fichier posé directement dans la boîte de dépôt : un dossier se dépose dans « inbox/<appel>/ »"
)
_NOT_A_DOSSIER = (
    "ni un dossier, ni une archive .zip, ni un PDF : placez ce fichier dans le dossier du demandeur"
)
_IGNORED_NAME = "fichier temporaire, de verrouillage ou système : ignoré"


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda e: e.name)
    except FileNotFoundError:
        return []


def _scan_call(
    home: Home, call_dir: Path, registry: Registry, ledger: dict[str, FileRow]
) -> list[DossierCandidate]:
    """The dossiers of one call folder; what is not a dossier is recorded `ignored`."""
    call_id = call_dir.name
    found: list[tuple[os.DirEntry[str], DossierKind]] = []
    for entry in _entries(call_dir):
        if entry.is_symlink():
            continue  # never followed: it could lead anywhere
        if entry.is_dir():
            if not _ignored_dir(entry.name):
                found.append((entry, "folder"))
        elif _ignored_file(entry.name):
            _ignore(registry, ledger, home, Path(entry.path), _IGNORED_NAME)
        elif _is_zip(entry.name):
            found.append((entry, "zip"))
        elif entry.name.lower().endswith(".pdf"):
            found.append((entry, "pdf"))
        else:
            _ignore(registry, ledger, home, Path(entry.path), _NOT_A_DOSSIER)
    stems = [_stem(e.name, kind) for e, kind in found]
    candidates = []
    for entry, kind in found:
        stem = _stem(entry.name, kind)
        label = stem if stems.count(stem) == 1 else entry.name.replace(".", "-")
        candidate = DossierCandidate(
            key=f"{call_id}/{entry.name}",
            call_id=call_id,
            name=entry.name,
            path=Path(entry.path),
            kind=kind,
            label=label,
        )
        _collect_files(home, candidate, registry, ledger)
        candidates.append(candidate)
    return candidates


def _stem(name: str, kind: DossierKind) -> str:
    return name if kind == "folder" else PurePosixPath(name).stem


def _collect_files(
    home: Home, candidate: DossierCandidate, registry: Registry, ledger: dict[str, FileRow]
) -> None:
    if candidate.kind != "folder":
        info = _file_info(home, candidate.path, candidate.name)
        if info is not None:
            candidate.files.append(info)
        return
    for path, name in _walk(candidate.path, ""):
        if "/" not in name and name.lower() in CORRECTION_FILES:
            info = _file_info(home, path, name)
            if info is not None:
                candidate.files.append(info)
                candidate.corrections = candidate.corrections or info
        elif _ignored_file(path.name):
            _ignore(registry, ledger, home, path, _IGNORED_NAME)
        else:
            info = _file_info(home, path, name)
            if info is not None:
                candidate.files.append(info)


def _walk(folder: Path, prefix: str) -> list[tuple[Path, str]]:
    """Every regular file under `folder` (symlinks and ignored folders left aside, as the
    intake does), with its name relative to the dossier."""
    out: list[tuple[Path, str]] = []
    try:
        entries = _entries(folder)
    except OSError:
        return out  # unreadable folder: the check will say so, the scan has nothing to time
    for entry in entries:
        name = prefix + entry.name
        try:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if not _ignored_dir(entry.name):
                    out += _walk(Path(entry.path), name + "/")
            elif entry.is_file():
                out.append((Path(entry.path), name))
        except OSError:
            continue
    return out


def _file_info(home: Home, path: Path, name: str) -> InboxFile | None:
    try:
        st = path.stat()
    except OSError:
        return None  # vanished between listing and stat: the next scan will tell
    return InboxFile(path, name, ledger_path(home, path), st.st_size, st.st_mtime)


def ledger_path(home: Home, path: Path) -> str:
    """The ledger's key of a file of the home: its path relative to the home, with "/"."""
    return Path(path).relative_to(home.root).as_posix()


# --- stability and the ledger -------------------------------------------------------


def _stability(
    candidate: DossierCandidate, ledger: dict[str, FileRow], now: float, quiet: float
) -> tuple[bool, list[str]]:
    """Stable when every file is: unchanged since the previous scan (or never seen), and
    quiet for `quiet` seconds, by its modification time or, when that time is in the
    future (a file server whose clock is ahead), by how long the ledger has seen it
    unchanged."""
    if not candidate.files:
        return False, ["(dossier vide)"]
    waiting = [
        f.name
        for f in candidate.files
        if not _file_stable(f, ledger.get(f.ledger_path), now, quiet)
    ]
    return not waiting, waiting


def _file_stable(info: InboxFile, row: FileRow | None, now: float, quiet: float) -> bool:
    if row is not None and not _same(info, row):
        return False  # changed since the previous scan: one more quiet period
    if now - info.mtime >= quiet:
        return True
    return row is not None and info.mtime > now and now - row.updated_at.timestamp() >= quiet


def _same(info: InboxFile, row: FileRow) -> bool:
    return row.size == info.size and abs(row.mtime - info.mtime) < 1e-6


def _record_seen(
    registry: Registry, ledger: dict[str, FileRow], candidate: DossierCandidate
) -> None:
    """Record the files seen for the first time, or changed since the ledger saw them."""
    for info in candidate.files:
        row = ledger.get(info.ledger_path)
        if row is not None and _same(info, row):
            continue
        registry.record_file(
            info.ledger_path, info.size, info.mtime, None, "seen", dossier_key=candidate.key
        )
        ledger[info.ledger_path] = registry.file_state(info.ledger_path)  # type: ignore[assignment]


def _ignore(
    registry: Registry, ledger: dict[str, FileRow], home: Home, path: Path, why: str
) -> None:
    """Record an ignored name once (a temp file that grows is not recorded at every scan)."""
    key = ledger_path(home, path)
    row = ledger.get(key)
    if row is not None and row.state == "ignored":
        return
    try:
        st = path.stat()
        size, mtime = st.st_size, st.st_mtime
    except OSError:
        size, mtime = 0, 0.0
    registry.record_file(key, size, mtime, None, "ignored", detail=why)
    registry.event("ignored", key, why)
    ledger[key] = registry.file_state(key)  # type: ignore[assignment]
