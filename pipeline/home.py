"""The data home: one folder that holds everything the service works with.

`--home DIR`, else `AAP_HOME`, else `./aap-data`. Inside: `inbox/` (where instructeurs
drop dossiers, never modified by the program), `calls/` (reviewed rules files, one per
call: `calls/<call_id>.json`), `reports/`, `archive/` (a copy of every original, named by
its sha256), `failed/` (one `error.json` per failed dossier) and the registry database
(`registre.sqlite3`, unless `AAP_DATABASE_URL` names another database).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "AAP_HOME"
DATABASE_URL_ENV = "AAP_DATABASE_URL"
DEFAULT_HOME = Path("aap-data")
DATABASE_FILE = "registre.sqlite3"
FOLDERS = ("inbox", "calls", "reports", "archive", "failed")
RULES_SUFFIX = ".json"


class HomeError(Exception):
    """A data home that cannot be used, with a French message and what to do."""

    def __init__(self, path: Path, message: str, hint: str) -> None:
        super().__init__(f"{message} {hint}")
        self.path = path
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Home:
    """The folders of one data home (absolute paths) and the registry's database URL."""

    root: Path
    inbox: Path
    calls: Path
    reports: Path
    archive: Path
    failed: Path
    database_url: str

    @classmethod
    def resolve(cls, home: Path | None = None, env: Mapping[str, str] | None = None) -> Home:
        """The home named by `home`, else by `AAP_HOME`, else `./aap-data`, with every
        folder created (first use). `env` defaults to `os.environ` (tests pass their own).

        Raises `HomeError` when the home or one of its folders cannot be created (a file
        in the way, no write permission)."""
        env = os.environ if env is None else env
        root = _root(home, env)
        for name in FOLDERS:
            _make_dir(root / name)
        url = env.get(DATABASE_URL_ENV, "").strip() or sqlite_url(root / DATABASE_FILE)
        return cls(
            root=root,
            inbox=root / "inbox",
            calls=root / "calls",
            reports=root / "reports",
            archive=root / "archive",
            failed=root / "failed",
            database_url=url,
        )

    @property
    def prefect_home(self) -> Path:
        """Where Prefect keeps its own state (`PREFECT_HOME`): inside the home, so that
        two homes never share a Prefect database. Not created here (Prefect does it)."""
        return self.root / "prefect"

    def rules_file(self, call_id: str) -> Path:
        """The reviewed rules file of `call_id`: `calls/<call_id>.json` (may not exist).

        Raises `HomeError` for a call id that is not a plain name (a path, `..`): a
        folder name from the inbox must never lead outside `calls/`."""
        if not is_plain_name(call_id):
            raise HomeError(
                self.calls,
                f"« {call_id} » n'est pas un identifiant d'appel valide.",
                "Un identifiant d'appel est un nom simple, sans « / » ni « .. ».",
            )
        return self.calls / f"{call_id}{RULES_SUFFIX}"

    def known_calls(self) -> list[str]:
        """The call ids that have a rules file in `calls/`, sorted (hidden and temporary
        files left aside)."""
        if not self.calls.is_dir():
            return []
        return sorted(
            path.stem
            for path in self.calls.iterdir()
            if path.suffix == RULES_SUFFIX
            and path.is_file()
            and is_plain_name(path.stem)
            and not path.name.startswith((".", "~"))
        )


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite database file (absolute path)."""
    return f"sqlite:///{Path(path).resolve()}"


def is_plain_name(name: str) -> bool:
    """True for a name that can only designate an entry of one folder."""
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
    )


def _root(home: Path | None, env: Mapping[str, str]) -> Path:
    """The home folder as an absolute path (`~` expanded), from the option, the
    environment or the default."""
    if home is None:
        named = env.get(HOME_ENV, "").strip()
        home = Path(named) if named else DEFAULT_HOME
    return Path(home).expanduser().resolve()


def _make_dir(path: Path) -> None:
    """Create `path` (and its parents) or say in French why it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise HomeError(
            path,
            f"« {path} » existe déjà et n'est pas un dossier : le dossier de données ne peut "
            "pas être préparé.",
            "Déplacez ce fichier ou choisissez un autre dossier de données (--home ou AAP_HOME).",
        ) from None
    except OSError as exc:
        raise HomeError(
            path,
            f"Le dossier « {path} » ne peut pas être créé : {exc.strerror or exc}.",
            "Vérifiez les droits d'écriture ou choisissez un autre dossier de données "
            "(--home ou AAP_HOME).",
        ) from None
