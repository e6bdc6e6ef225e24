"""From what the applicant sent to a list of files: a folder (nested folders, zips of
pieces, a merged PDF), a `.zip`, or a single file.

The input is never modified: folder files are read where they are; zip members are
extracted into `workdir`, one new sub-folder per run, under generated paths (the member's
own path is only a display name, so no member can land outside `workdir`).

An archive is read with suspicion, because it comes from outside: its central directory
is checked before anything is written (paths, links, encryption, member count, declared
sizes and compression ratios), and the same limits are enforced again while the bytes are
written, counting what is actually produced, so a header that lies about a size cannot get
past. A refused archive gives one `IntakeProblem` and none of its files; the rest of the
dossier is still collected.

Problem codes (stable, for ledgers and JSON):
`not_found`, `unreadable`, `link` (symlink in the folder, not followed), `empty_dossier`,
`zip_damaged`, `zip_unsupported` (compression method), `zip_encrypted`, `zip_traversal`
(absolute path, drive letter, `..`), `zip_link` (symlink member), `zip_name` (name too long
or with control characters, duplicate member), `zip_bomb` (compression ratio, or more bytes
than declared), `zip_nested` (archives nested too deep), `too_many_files`, `too_large`.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

CHUNK = 1 << 16
MB = 1000 * 1000


@dataclass(frozen=True)
class Limits:
    """What an archive may hold. The byte and member budgets are shared by every archive
    of one dossier (an archive inside an archive does not get a fresh budget)."""

    max_total_bytes: int = 500 * MB
    max_members: int = 1000
    max_ratio: float = 100.0
    # Below this size a ratio says nothing: a short text or an empty table compresses
    # well beyond 100 and cannot hurt; bombs are large by definition.
    ratio_floor_bytes: int = 1 * MB
    max_depth: int = 2
    max_name_bytes: int = 255


@dataclass(frozen=True)
class IntakeFile:
    """One file to read. `name`: path relative to the input with "/" separators (a member
    of a zip found in the folder is "archive.zip/member/path.pdf"; for a zip given as
    input, the member path; for a single file, its file name). `path`: where to read it
    (the original for folder files, an extracted copy in the work dir for zip members)."""

    name: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class IntakeProblem:
    """A file or archive that was not collected: `name` the file or archive concerned,
    `code` (module docstring), `message` in French saying what is wrong and what to do."""

    name: str
    code: str
    message: str


@dataclass
class Intake:
    """The files to read in natural order ("pièce 2" < "pièce 10"), the names skipped on
    purpose (temporary, lock and system files; a skipped folder ends with "/"), and the
    problems."""

    files: list[IntakeFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[IntakeProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # French, for the warnings


def collect(path: Path, workdir: Path, limits: Limits = Limits()) -> Intake:  # noqa: B008
    """The files of the dossier at `path` (folder, `.zip` or single file); zip members are
    extracted under `workdir`, which must not be inside the dossier folder."""
    path, workdir = Path(path), Path(workdir)
    session = _Session(workdir, limits)
    if not path.exists():
        session.problem(path.name or str(path), "not_found")
    elif path.is_dir():
        _check_workdir(path, workdir)
        session.walk_folder(path, "")
    elif _is_zip(path.name):
        session.archive(path, _display(path.name), "", depth=1)
    elif _ignored_file(path.name):
        session.ignored[_display(path.name)] = None
    else:
        session.add(_display(path.name), path)
    intake = session.result()
    if not intake.files and path.exists():
        # Last, after the problems that explain it.
        name = _display(path.name) or str(path)
        intake.problems.append(session.problem(name, "empty_dossier", session.why_empty()))
    return intake


def natural_key(name: str) -> tuple[object, ...]:
    """Sort key: folder by folder, numbers by value, letters without case nor accents
    ("pièce 2" < "Pièce 10" < "pièce B"); the exact name breaks ties, so the order is total."""
    folded = tuple(
        tuple(
            (0, int(token), "") if token.isdigit() else (1, 0, _fold(token))
            for token in re.split(r"(\d+)", part)
            if token
        )
        for part in name.split("/")
    )
    return (folded, name)


# --- what is skipped ----------------------------------------------------------------

_IGNORED_FILES = re.compile(
    r"""(?ix)
      ~\$.*                      # Office owner/lock file
    | \.~lock\..*\#              # LibreOffice lock
    | .*\.(part|partial|crdownload|download|tmp)   # unfinished downloads, temp files
    | thumbs\.db | desktop\.ini | \.ds_store
    | corrections\.(ya?ml|json)  # the instructeur's corrections: read apart, never a piece
    """
)
_IGNORED_DIRS = {"__macosx"}


def _ignored_file(name: str) -> bool:
    return name.startswith(".") or _IGNORED_FILES.fullmatch(name) is not None


def _ignored_dir(name: str) -> bool:
    return name.startswith(".") or name.casefold() in _IGNORED_DIRS


def _ignored_part(parts: list[str]) -> str | None:
    """The ignored prefix of a member path ("__MACOSX/", "a/.git/") or the member itself
    when its file name is ignored; None when it is a piece."""
    for index, part in enumerate(parts[:-1]):
        if _ignored_dir(part):
            return "/".join(parts[: index + 1]) + "/"
    return "/".join(parts) if _ignored_file(parts[-1]) else None


def _is_zip(name: str) -> bool:
    return name.lower().endswith(".zip")


# --- messages -----------------------------------------------------------------------

_ASK_AGAIN = (
    "demandez au porteur de projet de renvoyer ses pièces une par une, ou dans une archive "
    "ordinaire (sous Windows : clic droit › Envoyer vers › Dossier compressé)"
)

_ARCHIVE_REASONS = {
    "zip_damaged": ("elle est endommagée ou n'est pas une archive ZIP{detail}", _ASK_AGAIN),
    "zip_unsupported": (
        "« {member} » est compressé avec une méthode que l'outil ne sait pas lire{detail}",
        _ASK_AGAIN,
    ),
    "zip_encrypted": (
        "« {member} » est protégé par un mot de passe",
        "demandez au porteur de projet une archive sans mot de passe, ou les pièces une par une",
    ),
    "zip_traversal": (
        "le chemin de « {member} » sort de l'archive (chemin absolu, lecteur ou « .. »), "
        "ce qui pourrait écraser des fichiers à l'extraction",
        "n'extrayez pas cette archive vous-même ; " + _ASK_AGAIN,
    ),
    "zip_link": ("« {member} » est un lien symbolique, pas un fichier", _ASK_AGAIN),
    "zip_name": ("le nom de « {member} » ne convient pas{detail}", _ASK_AGAIN),
    "zip_bomb": (
        "« {member} » se décompresse en un volume anormal{detail}, signe d'une archive "
        "piégée (« bombe de décompression »)",
        "n'ouvrez pas cette archive sur votre poste ; " + _ASK_AGAIN,
    ),
    "zip_nested": (
        "elle est enfermée dans {detail} archives imbriquées (au plus {max_depth} acceptées)",
        "demandez les pièces dans une seule archive, sans archive dans l'archive",
    ),
    "too_many_files": (
        "elle contient {detail} éléments, au-delà de la limite de {max_members} pour un dossier",
        "demandez au porteur de projet de n'envoyer que les pièces demandées",
    ),
    "too_large": (
        "décompressée, elle dépasserait {max_mb} Mo pour l'ensemble du dossier",
        "demandez au porteur de projet des fichiers plus légers (PDF compressés, scans en "
        "200 dpi) ou plusieurs envois",
    ),
    "unreadable": (
        "elle n'a pas pu être lue{detail}",
        "vérifiez que le fichier est accessible (droits, partage réseau), puis relancez",
    ),
}

_OTHER_MESSAGES = {
    "not_found": (
        "« {name} » est introuvable. Que faire : vérifiez le chemin du dossier ; s'il est sur "
        "un partage réseau, vérifiez que le partage est accessible."
    ),
    "unreadable": (
        "« {name} » n'a pas pu être lu{detail}. Que faire : vérifiez que le fichier est "
        "accessible (droits, partage réseau), puis relancez."
    ),
    "link": (
        "« {name} » est un lien symbolique : il n'a pas été suivi et le fichier vers lequel il "
        "pointe n'a pas été lu. Que faire : copiez le fichier lui-même dans le dossier à la "
        "place du lien."
    ),
    "empty_dossier": (
        "Le dépôt « {name} » ne contient aucune pièce exploitable{detail}. Que faire : "
        "vérifiez que le dépôt est complet et demandez les pièces au porteur de projet si "
        "besoin."
    ),
}


class ArchiveRefused(Exception):
    """Why an archive is not extracted: `code`, the member concerned, a precision (French,
    starting with a space, inserted in the message)."""

    def __init__(self, code: str, member: str = "", detail: str = "") -> None:
        super().__init__(code)
        self.code, self.member, self.detail = code, member, detail


def _archive_message(name: str, refused: ArchiveRefused, limits: Limits) -> str:
    reason, todo = _ARCHIVE_REASONS[refused.code]
    text = reason.format(
        member=refused.member,
        detail=refused.detail,
        max_depth=limits.max_depth,
        max_members=limits.max_members,
        max_mb=limits.max_total_bytes // MB,
    )
    return f"L'archive « {name} » a été refusée : {text}. Que faire : {todo}."


# --- the collection -----------------------------------------------------------------


class _Session:
    """One run of `collect`: what was found so far and the budgets left."""

    def __init__(self, workdir: Path, limits: Limits) -> None:
        self.workdir = workdir
        self.limits = limits
        self.files: list[IntakeFile] = []
        self.ignored: dict[str, None] = {}  # ordered set
        self.problems: list[IntakeProblem] = []
        self.notes: list[str] = []
        self.bytes_left = limits.max_total_bytes
        self.members_left = limits.max_members
        self._root: Path | None = None
        self._archives = 0

    def result(self) -> Intake:
        return Intake(
            files=sorted(self.files, key=lambda f: natural_key(f.name)),
            ignored=sorted(self.ignored, key=natural_key),
            problems=sorted(self.problems, key=lambda p: (natural_key(p.name), p.code)),
            notes=list(self.notes),
        )

    def problem(self, name: str, code: str, detail: str = "") -> IntakeProblem:
        message = _OTHER_MESSAGES[code].format(name=name, detail=detail)
        problem = IntakeProblem(name, code, message)
        self.problems.append(problem)
        return problem

    def why_empty(self) -> str:
        if self.problems:
            return " : ce qui a été trouvé n'a pas pu être retenu (voir les autres messages)"
        if self.ignored:
            return " : seuls des fichiers temporaires ou système y ont été trouvés"
        return ""

    def add(self, name: str, path: Path) -> None:
        try:
            size, digest = _hash_file(path)
        except OSError as exc:
            self.problem(name, "unreadable", _os_detail(exc))
            return
        self.files.append(IntakeFile(name, path, size, digest))

    # folders

    def walk_folder(self, folder: Path, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            self.problem(prefix.rstrip("/") or folder.name, "unreadable", _os_detail(exc))
            return
        for entry in sorted(entries, key=lambda e: natural_key(_display(e.name))):
            self._visit(entry, prefix + _display(entry.name))

    def _visit(self, entry: os.DirEntry[str], name: str) -> None:
        try:
            if entry.is_symlink():
                self.problem(name, "link")
            elif entry.is_dir(follow_symlinks=False):
                if _ignored_dir(entry.name):
                    self.ignored[name + "/"] = None
                else:
                    self.walk_folder(Path(entry.path), name + "/")
            elif entry.is_file(follow_symlinks=False):
                if _ignored_file(entry.name):
                    self.ignored[name] = None
                elif _is_zip(entry.name):
                    self.archive(Path(entry.path), name, name + "/", depth=1)
                else:
                    self.add(name, Path(entry.path))
            else:
                self.problem(name, "unreadable", " (ce n'est pas un fichier ordinaire)")
        except OSError as exc:
            self.problem(name, "unreadable", _os_detail(exc))

    # archives

    def archive(self, zip_path: Path, name: str, prefix: str, depth: int) -> None:
        """Extract the archive `zip_path` (display `name`) and collect its members, names
        starting with `prefix`; zips inside are opened in turn, one level deeper."""
        if depth > self.limits.max_depth:
            self._refuse(name, ArchiveRefused("zip_nested", detail=str(depth)))
            return
        dest = self._new_dir()
        extraction = _Extraction(zip_path, dest, self)
        try:
            extracted, ignored, used = extraction.run()
        except ArchiveRefused as refused:
            shutil.rmtree(dest, ignore_errors=True)
            self._refuse(name, refused)
            return
        self.bytes_left -= used[0]
        self.members_left -= used[1]
        for renamed in extraction.renamed:
            self.notes.append(
                f"L'archive « {name} » contient deux fichiers du même nom : le second est lu "
                f"sous le nom « {prefix + renamed} ». Vérifiez lequel est la bonne version."
            )
        for member in ignored:
            self.ignored[prefix + member] = None
        for member, path in extracted:
            if _is_zip(member):
                self.archive(path, prefix + member, prefix + member + "/", depth + 1)
            else:
                self.add(prefix + member, path)

    def _refuse(self, name: str, refused: ArchiveRefused) -> None:
        message = _archive_message(name, refused, self.limits)
        self.problems.append(IntakeProblem(name, refused.code, message))

    def _new_dir(self) -> Path:
        if self._root is None:
            self.workdir.mkdir(parents=True, exist_ok=True)
            self._root = Path(tempfile.mkdtemp(prefix="intake-", dir=self.workdir))
        self._archives += 1
        path = self._root / f"a{self._archives:03d}"
        path.mkdir()
        return path


class _Extraction:
    """One archive, checked from its central directory, then written member by member
    with the limits enforced on the bytes actually produced."""

    def __init__(self, zip_path: Path, dest: Path, session: _Session) -> None:
        self.zip_path = zip_path
        self.dest = dest
        self.limits = session.limits
        self.bytes_left = session.bytes_left
        self.members_left = session.members_left
        self.renamed: list[str] = []

    def run(self) -> tuple[list[tuple[str, Path]], list[str], tuple[int, int]]:
        """(member name, extracted path) for each piece, the ignored names, and the
        (bytes, members) used from the budgets."""
        try:
            declared = _declared_entries(self.zip_path)
            if declared > self.members_left:
                raise ArchiveRefused("too_many_files", detail=str(declared))
            with zipfile.ZipFile(self.zip_path) as archive:
                infos = archive.infolist()
                if len(infos) > self.members_left:
                    raise ArchiveRefused("too_many_files", detail=str(len(infos)))
                plan, ignored = self._plan(infos)
                extracted, used = self._write(archive, plan)
        except ArchiveRefused:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
            raise ArchiveRefused("zip_damaged", detail=_damage_detail(exc)) from exc
        except NotImplementedError as exc:
            raise ArchiveRefused("zip_unsupported") from exc
        except OSError as exc:
            raise ArchiveRefused("unreadable", detail=_os_detail(exc)) from exc
        return extracted, ignored, (used, len(infos))

    def _plan(
        self, infos: list[zipfile.ZipInfo]
    ) -> tuple[list[tuple[zipfile.ZipInfo, str]], list[str]]:
        plan: list[tuple[zipfile.ZipInfo, str]] = []
        ignored: dict[str, None] = {}
        seen: set[str] = set()
        total = 0
        for info in infos:
            parts = _safe_parts(member_name(info), self.limits)
            name = "/".join(parts)
            if info.flag_bits & 0x1:
                raise ArchiveRefused("zip_encrypted", name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ArchiveRefused("zip_link", name)
            if info.is_dir() or not parts:
                continue
            skipped = _ignored_part(parts)
            if skipped:
                ignored[skipped] = None
                continue
            if name in seen:
                # Zip tools let a name appear twice (a piece re-added): keep both copies,
                # the later one under "name (2).ext", and say so.
                name = _unique_name(name, seen)
                self.renamed.append(name)
            seen.add(name)
            self._check_ratio(name, info.file_size, info.compress_size)
            total += info.file_size
            plan.append((info, name))
        if total > self.bytes_left:
            raise ArchiveRefused("too_large")
        archive_size = self.zip_path.stat().st_size
        if total > self.limits.ratio_floor_bytes and total > self.limits.max_ratio * archive_size:
            raise ArchiveRefused(
                "zip_bomb",
                self.zip_path.name,
                f" ({_octets(total)} annoncés pour une archive de {_octets(archive_size)})",
            )
        return plan, list(ignored)

    def _check_ratio(self, name: str, size: int, compressed: int) -> None:
        if size > self.limits.ratio_floor_bytes and size > self.limits.max_ratio * max(
            compressed, 1
        ):
            raise ArchiveRefused(
                "zip_bomb", name, f" (taux de compression de {size // max(compressed, 1)} pour 1)"
            )

    def _write(
        self, archive: zipfile.ZipFile, plan: list[tuple[zipfile.ZipInfo, str]]
    ) -> tuple[list[tuple[str, Path]], int]:
        extracted: list[tuple[str, Path]] = []
        used = 0
        for index, (info, name) in enumerate(plan, start=1):
            target = self.dest / f"{index:04d}" / PurePosixPath(name).name
            target.parent.mkdir()
            # Read through a ZipInfo that allows more than declared: an honest member ends
            # at its declared size (its CRC checked by zipfile); a lying one goes on and
            # copy_capped stops it. The margin must exceed what one read can consume,
            # or zipfile would stop first and report a CRC error instead of the lie.
            probe = copy.copy(info)
            probe.file_size = info.file_size + 4 * CHUNK
            with archive.open(probe) as src, open(target, "xb") as dst:
                used += copy_capped(
                    src,
                    dst,
                    name=name,
                    declared=info.file_size,
                    compressed=info.compress_size,
                    budget=self.bytes_left - used,
                    limits=self.limits,
                )
            extracted.append((name, target))
        return extracted, used


def copy_capped(
    src: BinaryIO,
    dst: BinaryIO,
    *,
    name: str,
    declared: int,
    compressed: int,
    budget: int,
    limits: Limits,
) -> int:
    """Copy `src` to `dst` and return the bytes written, refusing (and writing nothing
    past the limit) as soon as the output exceeds the `declared` size, the remaining byte
    `budget`, or `limits.max_ratio` times the `compressed` size."""
    written = 0
    while chunk := src.read(CHUNK):
        written += len(chunk)
        if written > declared:
            detail = f" (l'archive annonce {_octets(declared)}, le contenu réel en fait davantage)"
            raise ArchiveRefused("zip_bomb", name, detail)
        if written > budget:
            raise ArchiveRefused("too_large")
        if written > limits.ratio_floor_bytes and written > limits.max_ratio * max(compressed, 1):
            raise ArchiveRefused(
                "zip_bomb", name, f" (taux de compression supérieur à {limits.max_ratio:g} pour 1)"
            )
        dst.write(chunk)
    return written


# --- names --------------------------------------------------------------------------


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path as its author wrote it. Without the UTF-8 flag, zipfile decodes
    names as cp437 (the standard's legacy code page), but many tools write UTF-8 without
    the flag, and Windows in French writes cp850: the raw bytes are recovered and the
    reading that gives real letters wins. Unicode NFC (macOS writes decomposed accents)."""
    name = info.orig_filename
    if not info.flag_bits & 0x800:
        name = decode_legacy_name(name.encode("cp437"))
    return unicodedata.normalize("NFC", name)


def decode_legacy_name(raw: bytes) -> str:
    """Bytes of a zip name written without the UTF-8 flag: UTF-8 when they are valid
    UTF-8, else cp437 or cp850, whichever gives more Latin letters (cp437 on a tie)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [raw.decode("cp437"), raw.decode("cp850")]
    return max(candidates, key=_latin_letters)  # max keeps the first on a tie


def _latin_letters(text: str) -> int:
    return sum(1 for c in text if ord(c) > 127 and unicodedata.name(c, "").startswith("LATIN"))


_DRIVE = re.compile(r"[A-Za-z]:")


def _safe_parts(name: str, limits: Limits) -> list[str]:
    """The components of a member path, refusing what could escape the extraction folder
    or not be a file name at all."""
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        raise ArchiveRefused(
            "zip_name",
            name.encode("unicode_escape").decode(),
            " : il contient des caractères de contrôle",
        )
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        raise ArchiveRefused("zip_traversal", name)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveRefused("zip_traversal", name)
    for part in parts:
        if len(part.encode("utf-8")) > limits.max_name_bytes:
            raise ArchiveRefused(
                "zip_name", part[:40] + "…", f" : il dépasse {limits.max_name_bytes} octets"
            )
    return parts


def _display(name: str) -> str:
    """A file name from the file system as text: undecodable bytes read as cp1252 (an
    archive or a copy made on an old Windows), NFC."""
    raw = os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return unicodedata.normalize("NFC", text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# --- files --------------------------------------------------------------------------


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK * 16):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _declared_entries(path: Path) -> int:
    """The member count the end-of-central-directory record announces, read before
    zipfile parses the whole directory (a forged count must not cost memory)."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        tail_size = min(size, 22 + 0xFFFF)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or len(tail) - pos < 22:
            raise ArchiveRefused("zip_damaged", detail=" (fin d'archive introuvable)")
        (count,) = struct.unpack_from("<H", tail, pos + 10)
        locator = tail[pos - 20 : pos] if pos >= 20 else b""
        if count == 0xFFFF and locator[:4] == b"PK\x06\x07":
            (offset,) = struct.unpack_from("<Q", locator, 8)
            handle.seek(offset)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                (count,) = struct.unpack_from("<Q", record, 32)
    return count


def _check_workdir(folder: Path, workdir: Path) -> None:
    folder, work = folder.resolve(), workdir.resolve()
    if work == folder or folder in work.parents:
        raise ValueError(
            f"Le dossier de travail « {workdir} » est à l'intérieur du dossier déposé "
            f"« {folder} » : choisissez un dossier de travail ailleurs, le dépôt ne doit "
            "jamais être modifié."
        )


def _damage_detail(exc: Exception) -> str:
    """A French precision for zipfile's (English) errors; the original stays the cause."""
    text = str(exc)
    if "CRC" in text:
        return " (somme de contrôle fausse : un fichier a été abîmé, souvent pendant l'envoi)"
    if isinstance(exc, zlib.error | EOFError) or "Truncated" in text or "truncated" in text:
        return " (données compressées illisibles ou tronquées)"
    if "not a zip file" in text:
        return " (structure ZIP introuvable)"
    return ""


def _octets(count: int) -> str:
    """'1 000 octets', the French way."""
    return f"{count:,} octets".replace(",", "\u202f")


def _os_detail(exc: OSError) -> str:
    """A French precision for a system error (the English text kept for the details)."""
    if isinstance(exc, PermissionError):
        return " (accès refusé)"
    if isinstance(exc, FileNotFoundError):
        return " (le fichier a disparu pendant la lecture)"
    return f" (erreur système : {exc.strerror or exc})"


def _unique_name(name: str, seen: set[str]) -> str:
    """ "Devis/devis.pdf" already taken → "Devis/devis (2).pdf", "(3)"…"""
    stem, dot, suffix = name.rpartition(".")
    if not dot or "/" in suffix:
        stem, suffix = name, ""
    for number in range(2, 10_000):
        candidate = f"{stem} ({number}).{suffix}" if suffix else f"{stem} ({number})"
        if candidate not in seen:
            return candidate
    raise ArchiveRefused("zip_name", name, " : il figure trop de fois dans l'archive")
