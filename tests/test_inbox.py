"""The watched inbox (issue 5): a real home in tmp_path, the fixture dossiers copied into
its inbox, the reviewed rules of the calls in `calls/`, real checks and real notes. The
only things faked are clocks (the scan's `now`, file dates) and, for the retry helper
alone, its sleep.

Whether a sweep read a dossier again is told by the registry's check rows: a check is
recorded for every dossier read, and only then."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from pipeline.home import Home
from pipeline.inbox import retry_failed, scan, sweep, with_retries
from pipeline.inbox.fingerprint import Fingerprint
from pipeline.inbox.job import is_transient
from pipeline.inbox.sweep import sweep_lock
from pipeline.store import Registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dossiers"
LOIRE, PDL, BFC = "loire-connect-2023", "pdl-innovation-numerique", "bfc-feder-e-gouvernement"
TODAY = dt.date(2024, 9, 20)
LONG_AGO = time.time() - 3600  # dates of files dropped "an hour ago": long stable


def call_id(folder: str) -> str:
    return json.loads((FIXTURES / folder / "rules.json").read_text(encoding="utf-8"))["call_id"]


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A fresh home with the three seed calls' reviewed rules in `calls/`."""
    home = Home.resolve(tmp_path / "home", env={})
    for folder in (LOIRE, PDL, BFC):
        shutil.copyfile(FIXTURES / folder / "rules.json", home.calls / f"{call_id(folder)}.json")
    return home


def drop(
    home: Home, folder: str, case: str, name: str | None = None, call: str | None = None
) -> Path:
    """Copy a fixture dossier's input into `inbox/<call_id>/`, dated an hour ago."""
    expected = json.loads((FIXTURES / folder / case / "expected.json").read_text(encoding="utf-8"))
    source = FIXTURES / folder / case / expected["input"]
    name = name or (case if source.is_dir() else case + source.suffix)
    target = home.inbox / (call or call_id(folder)) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    age(target)
    return target


def age(path: Path, when: float = LONG_AGO) -> None:
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        if item.is_file():
            os.utime(item, (when, when))


def key(folder: str, name: str) -> str:
    return f"{call_id(folder)}/{name}"


def check_rows(home: Home) -> dict[str, int]:
    with Registry(home.database_url) as registry:
        return {row.key: len(registry.checks(row.key)) for row in registry.dossiers()}


def tree(root: Path) -> dict[str, tuple[str, float]]:
    """Every file under `root`: digest and modification time (what "untouched" means)."""
    return {
        p.relative_to(root).as_posix(): (sha256(p), p.stat().st_mtime)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def note_dir(home: Home, folder: str, label: str) -> Path:
    return home.reports / call_id(folder) / label


def run(home: Home, **options: object) -> object:
    options.setdefault("quiet_seconds", 5)
    options.setdefault("now", time.time())
    return sweep(home, today=TODAY, **options)  # type: ignore[arg-type]


# --- one note per dossier, then nothing ---------------------------------------------


def test_sweep_checks_each_dossier_once(home: Home) -> None:
    drop(home, LOIRE, "pieces-manquantes")  # folder, with Thumbs.db, .DS_Store, ~$ lock
    drop(home, LOIRE, "plan-desequilibre")  # folder with sub-folders
    drop(home, PDL, "beneficiaire-non-eligible")  # zip
    drop(home, PDL, "hors-plafond")  # single merged PDF
    inbox_before = tree(home.inbox)

    first = run(home)

    keys = {
        key(LOIRE, "pieces-manquantes"),
        key(LOIRE, "plan-desequilibre"),
        key(PDL, "beneficiaire-non-eligible.zip"),
        key(PDL, "hors-plafond.pdf"),
    }
    assert set(first.checked) == keys and not first.failed
    assert check_rows(home) == dict.fromkeys(keys, 1)
    for folder, label in [
        (LOIRE, "pieces-manquantes"),
        (LOIRE, "plan-desequilibre"),
        (PDL, "beneficiaire-non-eligible"),
        (PDL, "hors-plafond"),
    ]:
        notes = note_dir(home, folder, label)
        assert (notes / "note-instruction.docx").stat().st_size > 0
        assert json.loads((notes / "resultat.json").read_text(encoding="utf-8"))["summary"]
    # The incomplete one also gets its letter asking for the missing pieces.
    assert (note_dir(home, LOIRE, "pieces-manquantes") / "demande-pieces.docx").is_file()

    # Every original is archived under its digest; the inbox is untouched.
    for path in home.inbox.rglob("*"):
        if path.is_file() and not path.name.startswith((".", "~")) and path.name != "Thumbs.db":
            assert (home.archive / sha256(path)).read_bytes() == path.read_bytes()
    assert tree(home.inbox) == inbox_before
    with Registry(home.database_url) as registry:
        ledger = {row.path: row for row in registry.files()}
        ignored = [row.path for row in ledger.values() if row.state == "ignored"]
        states = {row.state for row in ledger.values() if row.state != "ignored"}
    assert states == {"done"}
    assert sorted(Path(p).name for p in ignored) == [
        ".DS_Store",
        "Thumbs.db",
        "~$Plan de financement.docx",
    ]

    second = run(home, now=time.time() + 60)

    assert second.checked == [] and sorted(second.unchanged) == sorted(keys)
    assert check_rows(home) == dict.fromkeys(keys, 1)  # nothing read again
    with Registry(home.database_url) as registry:
        assert len(registry.events(kind="ignored")) == 3  # recorded once, not at every pass
    assert tree(home.inbox) == inbox_before


def test_duplicate_is_recorded_not_checked_twice(home: Home) -> None:
    drop(home, PDL, "beneficiaire-non-eligible", name="Dossier A.zip")
    age(drop(home, PDL, "beneficiaire-non-eligible", name="Dossier A (copie).zip"), LONG_AGO + 60)
    drop(home, LOIRE, "pieces-manquantes", name="Mairie")
    drop(home, LOIRE, "pieces-manquantes", name="Mairie - renvoi")  # same folder, renamed

    report = run(home)

    original, copy = key(PDL, "Dossier A.zip"), key(PDL, "Dossier A (copie).zip")
    folder_original, folder_copy = key(LOIRE, "Mairie"), key(LOIRE, "Mairie - renvoi")
    assert sorted(report.checked) == sorted([original, folder_original])
    assert report.duplicates == {copy: original, folder_copy: folder_original}
    assert check_rows(home) == {original: 1, folder_original: 1}
    with Registry(home.database_url) as registry:
        row = registry.file_state(f"inbox/{copy}")
        assert row is not None and row.state == "duplicate" and original in (row.detail or "")
        assert len(registry.events(copy, kind="duplicate")) == 1

    again = run(home, now=time.time() + 60)

    assert again.duplicates == report.duplicates and again.checked == []
    with Registry(home.database_url) as registry:
        assert len(registry.events(copy, kind="duplicate")) == 1  # said once


def test_same_content_under_another_call_is_checked_for_that_call(home: Home) -> None:
    drop(home, PDL, "hors-plafond")
    drop(home, PDL, "hors-plafond", call=call_id(BFC))

    report = run(home)

    assert sorted(report.checked) == sorted(
        [key(PDL, "hors-plafond.pdf"), key(BFC, "hors-plafond.pdf")]
    )
    assert report.duplicates == {}


# --- failures -----------------------------------------------------------------------


def test_corrupt_pdf_fails_alone_with_its_error_and_its_original_intact(home: Home) -> None:
    drop(home, LOIRE, "plan-desequilibre")
    broken = home.inbox / call_id(LOIRE) / "Dossier abîmé.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\ngarbage\n%%EOF")
    age(broken)
    before = sha256(broken)

    report = run(home)

    bad = key(LOIRE, "Dossier abîmé.pdf")
    assert report.checked == [key(LOIRE, "plan-desequilibre")]
    assert report.failed == {bad: "dossier_illisible"}
    error = json.loads(
        (home.failed / call_id(LOIRE) / "Dossier abîmé" / "error.json").read_text(encoding="utf-8")
    )
    assert error["stage"] == "verification" and error["code"] == "dossier_illisible"
    assert "PDF endommagé" in error["message"] and "Dossier abîmé.pdf" in error["message"]
    assert error["hint"] and "Traceback" in error["traceback"]
    assert sha256(broken) == before and (home.archive / before).read_bytes() == broken.read_bytes()
    assert not (home.reports / call_id(LOIRE) / "Dossier abîmé").exists()
    with Registry(home.database_url) as registry:
        row = registry.dossier(bad)
        assert (
            row is not None and row.state == "failed" and row.error["code"] == "dossier_illisible"
        )
        assert registry.file_state(f"inbox/{bad}").state == "failed"  # type: ignore[union-attr]

    # Unchanged, it is not tried again at every pass…
    assert run(home, now=time.time() + 60).held == [bad]
    # …until `retry` says so (it fails the same way, and says it again).
    assert retry_failed(home) == [bad]
    assert run(home, now=time.time() + 120).failed == {bad: "dossier_illisible"}
    # Replaced by a readable file, it is checked without being asked, and its error cleared.
    shutil.copyfile(
        FIXTURES / PDL / "hors-plafond" / "Dossier Région - dématérialisation.pdf", broken
    )
    age(broken)
    assert bad in run(home, now=time.time() + 180).waiting  # changed since the last pass
    fixed = run(home, now=time.time() + 240)
    assert fixed.checked == [bad]
    assert not (home.failed / call_id(LOIRE) / "Dossier abîmé").exists()
    assert (home.reports / call_id(LOIRE) / "Dossier abîmé" / "note-instruction.docx").is_file()
    assert check_rows(home)[bad] == 1


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Plan de financement.pdf", b"\0" * (5 * 1000 * 1000))
    return path


def _traversal(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("../../calls/piege.pdf"), b"%PDF-1.4 piege")
    return path


def test_zip_bomb_and_path_traversal_are_refused(home: Home) -> None:
    """Decision: a dossier that *is* a refused archive fails (no piece, no note) with the
    intake's code and message; a refused archive *inside* a folder is a reserve of the
    note, the rest of the folder being checked."""
    folder = home.inbox / call_id(LOIRE)
    folder.mkdir(parents=True)
    bomb, traversal = _bomb(folder / "bombe.zip"), _traversal(folder / "evasion.zip")
    drop(home, LOIRE, "plan-desequilibre", name="Mairie avec archive piégée")
    _bomb(folder / "Mairie avec archive piégée" / "annexes.zip")
    for path in (bomb, traversal, folder / "Mairie avec archive piégée"):
        age(path)

    report = run(home)

    assert report.failed == {
        key(LOIRE, "bombe.zip"): "zip_bomb",
        key(LOIRE, "evasion.zip"): "zip_traversal",
    }
    for label, words in (("bombe", "bombe de décompression"), ("evasion", "sort de l'archive")):
        error = json.loads(
            (home.failed / call_id(LOIRE) / label / "error.json").read_text(encoding="utf-8")
        )
        assert words in error["message"] and "refusée" in error["message"]
    assert (
        not (home.calls / "piege.pdf").exists() and not (home.root / "calls" / "piege.pdf").exists()
    )
    assert report.checked == [key(LOIRE, "Mairie avec archive piégée")]
    result = json.loads(
        (note_dir(home, LOIRE, "Mairie avec archive piégée") / "resultat.json").read_text(
            encoding="utf-8"
        )
    )
    assert any("annexes.zip" in w and "bombe de décompression" in w for w in result["warnings"])


def test_unknown_call_is_recorded_with_the_known_ones(home: Home) -> None:
    drop(home, LOIRE, "plan-desequilibre", call="loire-connect")  # mistyped folder name

    report = run(home)

    wrong = "loire-connect/plan-desequilibre"
    assert report.unknown_call == [wrong] and report.checked == []
    with Registry(home.database_url) as registry:
        row = registry.dossier(wrong)
        assert row is not None and row.state == "failed" and row.error["code"] == "appel_inconnu"
        message = row.error["message"]
    for folder in (LOIRE, PDL, BFC):
        assert f"« {call_id(folder)}.json »" in message
    assert (home.failed / "loire-connect" / "plan-desequilibre" / "error.json").is_file()
    run(home, now=time.time() + 60)
    with Registry(home.database_url) as registry:
        assert len(registry.events(wrong, kind="failed")) == 1  # said once

    # The rules file arrives under that name: the dossier is checked at the next pass.
    rules = json.loads((FIXTURES / LOIRE / "rules.json").read_text(encoding="utf-8"))
    rules["call_id"] = "loire-connect"
    (home.calls / "loire-connect.json").write_text(json.dumps(rules), encoding="utf-8")
    assert run(home, now=time.time() + 120).checked == [wrong]


# --- stability ----------------------------------------------------------------------


def test_a_file_within_the_quiet_period_is_not_taken(home: Home) -> None:
    dossier = drop(home, LOIRE, "plan-desequilibre")
    now = time.time()
    recent = dossier / "RIB mairie.pdf"
    os.utime(recent, (now - 1, now - 1))

    first = run(home, quiet_seconds=5, now=now)

    dossier_key = key(LOIRE, "plan-desequilibre")
    assert first.waiting == {dossier_key: ["RIB mairie.pdf"]} and first.checked == []
    assert check_rows(home) == {}
    assert sha256(recent) not in {p.name for p in home.archive.iterdir()}  # not even archived

    # Rewritten meanwhile by a tool that restores an old date: the ledger saw another size.
    recent.write_bytes(recent.read_bytes() + b"\n% appended\n")
    os.utime(recent, (LONG_AGO, LONG_AGO))
    assert run(home, quiet_seconds=5, now=now + 10).waiting == {dossier_key: ["RIB mairie.pdf"]}

    assert run(home, quiet_seconds=5, now=now + 20).checked == [dossier_key]


def test_a_file_written_slowly_is_taken_only_once_complete(home: Home) -> None:
    source = (
        FIXTURES / PDL / "hors-plafond" / "Dossier Région - dématérialisation.pdf"
    ).read_bytes()
    target = home.inbox / call_id(PDL) / "envoi lent.pdf"
    target.parent.mkdir(parents=True)
    chunks = [
        source[i : i + len(source) // 8 + 1] for i in range(0, len(source), len(source) // 8 + 1)
    ]

    def write_slowly() -> None:
        with target.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
                out.flush()
                time.sleep(0.25)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    passes = 0
    while writer.is_alive():
        report = sweep(home, today=TODAY, quiet_seconds=1)
        assert report.checked == [] and check_rows(home) == {}
        passes += 1
        time.sleep(0.1)
    writer.join()
    assert passes >= 3
    time.sleep(1.1)

    report = sweep(home, today=TODAY, quiet_seconds=1)

    assert report.checked == [key(PDL, "envoi lent.pdf")]
    with Registry(home.database_url) as registry:
        last = registry.last_check(key(PDL, "envoi lent.pdf"))
    assert last is not None
    digests = {d["sha256"] for d in json.loads(last.result_json)["documents"]}
    assert digests == {hashlib.sha256(source).hexdigest()}


# --- new versions -------------------------------------------------------------------


def test_piece_added_later_gives_v2_and_keeps_v1(home: Home) -> None:
    dossier = drop(home, LOIRE, "pieces-manquantes")
    run(home)
    notes = note_dir(home, LOIRE, "pieces-manquantes")
    v1_docx = (notes / "note-instruction.docx").read_bytes()
    v1 = json.loads((notes / "resultat.json").read_text(encoding="utf-8"))
    assert "rib" in v1["summary"]["missing_pieces"]

    shutil.copyfile(
        FIXTURES / LOIRE / "plan-desequilibre" / "dossier" / "RIB mairie.pdf",
        dossier / "RIB mairie.pdf",
    )
    age(dossier / "RIB mairie.pdf")
    report = run(home, now=time.time() + 60)

    dossier_key = key(LOIRE, "pieces-manquantes")
    assert report.checked == [dossier_key]
    assert (notes / "note-instruction-v1.docx").read_bytes() == v1_docx
    assert json.loads((notes / "resultat-v1.json").read_text(encoding="utf-8")) == v1
    assert (notes / "note-instruction-v1.md").is_file()
    note = (notes / "note-instruction.md").read_text(encoding="utf-8")
    assert "Nouvelle version de la note (v2)" in note
    assert "pièce ajoutée « RIB mairie.pdf » — Relevé d'identité bancaire (RIB)" in note
    assert "ne manque plus : Relevé d'identité bancaire (RIB)" in note
    with Registry(home.database_url) as registry:
        checks = registry.checks(dossier_key)
    assert [c.note_version for c in checks] == [1, 2]
    assert checks[0].fingerprint != checks[1].fingerprint
    # The stored result is the check's own, without the note's "what changed" paragraph.
    assert not any("Nouvelle version" in w for w in json.loads(checks[1].result_json)["warnings"])

    # A corrections file added by the instructeur: a third check, and the note says why.
    (dossier / "corrections.yaml").write_text("requested_aid_eur: 5000\n", encoding="utf-8")
    age(dossier / "corrections.yaml")
    assert run(home, now=time.time() + 120).checked == [dossier_key]
    note = (notes / "note-instruction.md").read_text(encoding="utf-8")
    assert "Nouvelle version de la note (v3)" in note and "fichier de corrections ajouté" in note
    assert (notes / "note-instruction-v2.docx").is_file()
    before, after = (
        Fingerprint.parse(c.fingerprint) for c in registry_checks(home, dossier_key)[1:]
    )
    assert (
        before
        and after
        and before.pieces == after.pieces
        and before.corrections != after.corrections
    )


def registry_checks(home: Home, dossier_key: str) -> list:  # type: ignore[type-arg]
    with Registry(home.database_url) as registry:
        return registry.checks(dossier_key)


# --- resuming after a kill -----------------------------------------------------------

_SWEEP_SCRIPT = """
import datetime, sys, time
from pathlib import Path
from pipeline.home import Home
from pipeline.inbox import sweep
home = Home.resolve(Path(sys.argv[1]), env={})
sweep(home, today=datetime.date(2024, 9, 20), quiet_seconds=5, now=time.time())
"""


@pytest.mark.parametrize("notes_before_kill", [1, 3])
def test_a_killed_sweep_resumes_without_loss_or_double_processing(
    home: Home, notes_before_kill: int
) -> None:
    """Killed as soon as the first note appears (its check not recorded yet, as it turns
    out), or after the third (two checks recorded, the third maybe): either way, after a
    restart, one check per dossier and one note each."""
    cases = [
        (LOIRE, "pieces-manquantes"),
        (LOIRE, "plan-desequilibre"),
        (LOIRE, "projet-commence"),
        (PDL, "beneficiaire-non-eligible"),
        (BFC, "hors-territoire"),
        (BFC, "depenses-non-eligibles"),
    ]
    for folder, case in cases:
        drop(home, folder, case)
    env = {k: v for k, v in os.environ.items() if k not in ("AAP_HOME", "AAP_DATABASE_URL")}
    child = subprocess.Popen([sys.executable, "-c", _SWEEP_SCRIPT, str(home.root)], env=env)
    deadline = time.time() + 120
    while len(list(home.reports.rglob("note-instruction.docx"))) < notes_before_kill:
        assert child.poll() is None, "the sweep ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    done_before = sum(check_rows(home).values())
    assert notes_before_kill - 1 <= done_before < len(cases)  # really killed half-way

    report = run(home, now=time.time() + 60)

    rows = check_rows(home)
    assert len(rows) == len(cases) and set(rows.values()) == {1}
    assert len(report.checked) == len(cases) - done_before
    for folder, case in cases:
        notes = note_dir(home, folder, case)
        assert (notes / "note-instruction.docx").is_file()
        assert not list(notes.glob("*-v*"))  # no version set aside: nothing checked twice
    with Registry(home.database_url) as registry:
        assert {row.state for row in registry.dossiers()} == {"checked"}
        assert {row.state for row in registry.files() if row.state != "ignored"} == {"done"}
    # Only archived originals, named by their digest; no temporary copy left behind.
    assert list((home.archive / ".travail").iterdir()) == []
    names = [p.name for p in home.archive.iterdir() if p.name != ".travail"]
    assert names and all(len(n) == 64 and (home.archive / n).is_file() for n in names)


# --- workers, lock, retries ---------------------------------------------------------


def test_two_worker_processes(home: Home) -> None:
    drop(home, LOIRE, "plan-desequilibre")
    drop(home, PDL, "hors-plafond")
    drop(home, BFC, "hors-territoire")

    report = run(home, workers=2)

    assert len(report.checked) == 3 and not report.failed
    assert set(check_rows(home).values()) == {1}
    assert run(home, workers=2, now=time.time() + 60).checked == []


def test_a_second_sweep_at_the_same_time_does_nothing(home: Home) -> None:
    drop(home, LOIRE, "plan-desequilibre")
    with sweep_lock(home) as acquired:
        assert acquired
        report = run(home)
    assert report.busy and report.checked == [] and check_rows(home) == {}
    assert run(home).checked == [key(LOIRE, "plan-desequilibre")]


def test_transient_errors_are_retried_with_backoff() -> None:
    pauses: list[float] = []
    attempts = iter([BlockingIOError(11, "busy"), PermissionError(13, "locked"), "ok"])

    def flaky() -> str:
        outcome = next(attempts)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert with_retries(flaky, delay=0.5, sleep=pauses.append) == "ok"
    assert pauses == [0.5, 1.0]

    pauses.clear()
    with pytest.raises(PermissionError):
        with_retries(lambda: (_ for _ in ()).throw(PermissionError(13, "x")), sleep=pauses.append)
    assert len(pauses) == 2  # three tries in all

    with pytest.raises(ValueError):
        with_retries(lambda: (_ for _ in ()).throw(ValueError("bug")), sleep=pauses.append)
    assert len(pauses) == 2  # a bug is not retried

    wrapped = RuntimeError("lecture impossible")
    wrapped.__cause__ = BlockingIOError(11, "busy")
    assert is_transient(wrapped) and not is_transient(ValueError("x"))


def test_scan_lists_dossiers_without_reading_them(home: Home) -> None:
    drop(home, PDL, "beneficiaire-non-eligible")
    drop(home, LOIRE, "pieces-manquantes")
    (home.inbox / call_id(LOIRE) / "lisez-moi.txt").write_text("note", encoding="utf-8")

    candidates = scan(home, now=time.time(), quiet_seconds=5)

    by_key = {c.key: c for c in candidates}
    zipped = by_key[key(PDL, "beneficiaire-non-eligible.zip")]
    assert (
        zipped.kind == "zip" and zipped.stable and [f.name for f in zipped.files] == [zipped.name]
    )
    folder = by_key[key(LOIRE, "pieces-manquantes")]
    assert folder.kind == "folder" and folder.label == "pieces-manquantes"
    assert {f.name for f in folder.files} == {
        "Courrier demande subvention Loire Connect.docx",
        "Devis formation.pdf",
        "Devis reconditionnement.pdf",
        "PLAN FINANCEMENT v3 def.docx",
    }
    assert len(candidates) == 2  # the stray text file is not a dossier
    with Registry(home.database_url) as registry:
        stray = registry.file_state(f"inbox/{call_id(LOIRE)}/lisez-moi.txt")
    assert stray is not None and stray.state == "ignored"
    assert list(home.archive.iterdir()) == []


def test_a_broken_corrections_file_fails_with_its_message_until_fixed(home: Home) -> None:
    dossier = drop(home, LOIRE, "plan-desequilibre")
    (dossier / "corrections.yaml").write_text("requested_aid_eur: [5000\n", encoding="utf-8")
    age(dossier / "corrections.yaml")

    report = run(home)

    dossier_key = key(LOIRE, "plan-desequilibre")
    assert report.failed == {dossier_key: "corrections_invalides"}
    error = json.loads(
        (home.failed / call_id(LOIRE) / "plan-desequilibre" / "error.json").read_text(
            encoding="utf-8"
        )
    )
    assert "n'est pas un YAML valide" in error["message"]
    assert f"inbox/{dossier_key}/corrections.yaml" in error["message"]  # not a work path
    assert ".travail" not in error["message"]

    (dossier / "corrections.yaml").write_text("requested_aid_eur: 5000\n", encoding="utf-8")
    age(dossier / "corrections.yaml", LONG_AGO + 10)
    assert dossier_key in run(home, now=time.time() + 60).waiting
    assert run(home, now=time.time() + 120).checked == [dossier_key]
    result = json.loads(
        (note_dir(home, LOIRE, "plan-desequilibre") / "resultat.json").read_text("utf-8")
    )
    assert result["facts"]["requested_aid_eur"]["value"] == 5000
    assert result["facts"]["requested_aid_eur"]["source"] == "manual"
