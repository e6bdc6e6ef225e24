"""The data home: where it is, what it holds, created on first use."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.home import FOLDERS, Home, HomeError, is_plain_name, sqlite_url


def test_explicit_home_is_created_with_every_folder(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "donnees", env={})
    assert home.root == (tmp_path / "donnees").resolve()
    for name in FOLDERS:
        folder = getattr(home, name)
        assert folder == home.root / name
        assert folder.is_dir()
    assert home.database_url == f"sqlite:///{home.root / 'registre.sqlite3'}"


def test_explicit_home_wins_over_environment(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "option", env={"AAP_HOME": str(tmp_path / "env")})
    assert home.root == (tmp_path / "option").resolve()
    assert not (tmp_path / "env").exists()


def test_aap_home_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AAP_HOME", str(tmp_path / "partage"))
    monkeypatch.delenv("AAP_DATABASE_URL", raising=False)
    home = Home.resolve()
    assert home.root == (tmp_path / "partage").resolve()
    assert home.inbox.is_dir()


def test_default_home_is_aap_data_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AAP_HOME", raising=False)
    monkeypatch.delenv("AAP_DATABASE_URL", raising=False)
    home = Home.resolve()
    assert home.root == (tmp_path / "aap-data").resolve()
    assert home.root.is_absolute()
    assert (tmp_path / "aap-data" / "archive").is_dir()


def test_empty_aap_home_means_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    home = Home.resolve(env={"AAP_HOME": "  "})
    assert home.root == (tmp_path / "aap-data").resolve()


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    url = "postgresql+psycopg://aap@db.example/registre"
    home = Home.resolve(tmp_path / "h", env={"AAP_DATABASE_URL": url})
    assert home.database_url == url
    assert not (home.root / "registre.sqlite3").exists()


def test_resolve_twice_keeps_what_is_there(tmp_path: Path) -> None:
    first = Home.resolve(tmp_path / "h", env={})
    (first.inbox / "appel" / "dossier").mkdir(parents=True)
    second = Home.resolve(tmp_path / "h", env={})
    assert second == first
    assert (second.inbox / "appel" / "dossier").is_dir()


def test_a_file_in_the_way_is_a_french_error(tmp_path: Path) -> None:
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "calls").write_text("pas un dossier", encoding="utf-8")
    with pytest.raises(HomeError) as raised:
        Home.resolve(tmp_path / "h", env={})
    assert "n'est pas un dossier" in raised.value.message
    assert "--home" in raised.value.hint


def test_rules_file_and_known_calls(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "h", env={})
    assert home.known_calls() == []
    for name in ("zeta.json", "alpha.json", ".cache.json", "notes.txt", "~verrou.json"):
        (home.calls / name).write_text("{}", encoding="utf-8")
    (home.calls / "sous-dossier.json").mkdir()
    assert home.known_calls() == ["alpha", "zeta"]
    assert home.rules_file("alpha") == home.calls / "alpha.json"
    assert home.rules_file("inconnu") == home.calls / "inconnu.json"


@pytest.mark.parametrize("call_id", ["", ".", "..", "../secret", "a/b", "a\\b"])
def test_rules_file_refuses_paths(tmp_path: Path, call_id: str) -> None:
    home = Home.resolve(tmp_path / "h", env={})
    with pytest.raises(HomeError):
        home.rules_file(call_id)


def test_helpers(tmp_path: Path) -> None:
    assert is_plain_name("aap-numerique-2025")
    assert not is_plain_name("x\x00y")
    assert sqlite_url(tmp_path / "r.db") == f"sqlite:///{(tmp_path / 'r.db').resolve()}"
    assert (
        Home.resolve(tmp_path / "h", env={}).prefect_home == (tmp_path / "h" / "prefect").resolve()
    )
