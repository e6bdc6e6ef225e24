"""Dossier intake: folders, zips (hostile ones included), temp files, names and order.

Every archive is built here, in tmp_path: the ordinary ones with zipfile, the hostile
ones byte by byte (`raw_zip`), since zipfile refuses to write them."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from extractors.dossier.intake import (
    ArchiveRefused,
    Intake,
    Limits,
    collect,
    copy_capped,
    decode_legacy_name,
    natural_key,
)

# --- builders -----------------------------------------------------------------------


@dataclass
class Raw:
    """A member written by hand: raw name bytes, flags, attributes, sizes that may lie."""

    name: bytes
    data: bytes = b""
    flags: int = 0
    deflate: bool = True
    declared_size: int | None = None
    external_attr: int = 0
    create_system: int = 0


def raw_zip(members: list[Raw]) -> bytes:
    """A zip archive (local headers, central directory, end record) exactly as given."""
    out = io.BytesIO()
    central = []
    for m in members:
        if m.deflate:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            payload = packer.compress(m.data) + packer.flush()
        else:
            payload = m.data
        crc = zlib.crc32(m.data)
        size = len(m.data) if m.declared_size is None else m.declared_size
        method = 8 if m.deflate else 0
        offset = out.tell()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                m.flags,
                method,
                0,
                33,
                crc,
                len(payload),
                size,
                len(m.name),
                0,
            )  # fmt: skip
        )
        out.write(m.name + payload)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                (m.create_system << 8) | 20,
                20,
                m.flags,
                method,
                0,
                33,
                crc,
                len(payload),
                size,
                len(m.name),
                0,
                0,
                0,
                0,
                m.external_attr,
                offset,
            )  # fmt: skip
            + m.name
        )
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), size, start, 0)
    )
    return out.getvalue()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def write(path: Path, data: bytes = b"%PDF-1.4 test") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every entry under root: content hash (or link target) and mtime."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                state[rel] = ("->" + os.readlink(path), 0)
            elif path.is_file():
                state[rel] = (
                    hashlib.sha256(path.read_bytes()).hexdigest(),
                    path.stat().st_mtime_ns,
                )
            else:
                state[rel] = ("dir", 0)
    return state


def names(intake: Intake) -> list[str]:
    return [f.name for f in intake.files]


def codes(intake: Intake) -> list[str]:
    return [p.code for p in intake.problems]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return tmp_path / "work"


# --- folders ------------------------------------------------------------------------


def test_nested_folders_natural_order_and_names(tmp_path: Path, work: Path) -> None:
    dossier = tmp_path / "Dossier Mairie"
    write(dossier / "pièce 10.pdf")
    write(dossier / "pièce 2.pdf")
    write(dossier / "Pièce 1.pdf")
    write(dossier / "Pièces" / "Délibération 2023-061.pdf", b"deliberation")
    write(dossier / "Pièces" / "Devis" / "devis B.pdf")
    intake = collect(dossier, work)
    assert names(intake) == [
        "Pièce 1.pdf",
        "pièce 2.pdf",
        "pièce 10.pdf",
        "Pièces/Délibération 2023-061.pdf",
        "Pièces/Devis/devis B.pdf",
    ]
    deliberation = intake.files[3]
    assert deliberation.path == dossier / "Pièces" / "Délibération 2023-061.pdf"
    assert deliberation.size == len(b"deliberation")
    assert deliberation.sha256 == hashlib.sha256(b"deliberation").hexdigest()
    assert intake.problems == [] and intake.ignored == []
    assert not work.exists(), "no archive, nothing to extract"


def test_natural_key() -> None:
    ordered = ["annexe 1.pdf", "Annexe 2.pdf", "annexe 10.pdf", "Écrit.pdf", "zèbre.pdf"]
    assert sorted(reversed(ordered), key=natural_key) == ordered
    assert natural_key("a/b 9") < natural_key("a/b 10") < natural_key("a b/c")


def test_temp_system_and_correction_files_ignored(tmp_path: Path, work: Path) -> None:
    dossier = tmp_path / "d"
    write(dossier / "formulaire.pdf")
    skipped = [
        "~$rmulaire.docx",
        ".~lock.budget.ods#",
        "devis.pdf.part",
        "note.pdf.crdownload",
        "~WRL0001.tmp",
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
        ".cache",
        "corrections.yaml",
        "Corrections.JSON",
        "sous/corrections.yml",
    ]
    for name in skipped:
        write(dossier / name)
    write(dossier / "__MACOSX" / "._formulaire.pdf")
    write(dossier / ".git" / "config")
    intake = collect(dossier, work)
    assert names(intake) == ["formulaire.pdf"]
    assert set(intake.ignored) == set(skipped) | {"__MACOSX/", ".git/"}
    assert intake.problems == []


def test_empty_folder_and_only_ignored(tmp_path: Path, work: Path) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    intake = collect(empty, work)
    assert intake.files == [] and codes(intake) == ["empty_dossier"]
    assert "ne contient aucune pièce" in intake.problems[0].message

    only_temp = tmp_path / "temp"
    write(only_temp / "~$note.docx")
    write(only_temp / "Thumbs.db")
    intake = collect(only_temp, work)
    assert codes(intake) == ["empty_dossier"]
    assert "fichiers temporaires" in intake.problems[0].message
    assert intake.ignored == ["Thumbs.db", "~$note.docx"]


def test_symlinks_not_followed(tmp_path: Path, work: Path) -> None:
    outside = write(tmp_path / "secret" / "hors-dossier.pdf")
    dossier = tmp_path / "d"
    write(dossier / "note.pdf")
    os.symlink(outside, dossier / "lien.pdf")
    os.symlink(outside.parent, dossier / "lien-dossier")
    intake = collect(dossier, work)
    assert names(intake) == ["note.pdf"]
    assert [(p.name, p.code) for p in intake.problems] == [
        ("lien-dossier", "link"),
        ("lien.pdf", "link"),
    ]
    assert all("lien symbolique" in p.message for p in intake.problems)


def test_single_file_and_missing_path(tmp_path: Path, work: Path) -> None:
    merged = write(tmp_path / "Dossier complet.pdf")
    intake = collect(merged, work)
    assert names(intake) == ["Dossier complet.pdf"] and intake.files[0].path == merged
    missing = collect(tmp_path / "absent", work)
    assert codes(missing) == ["not_found"] and "introuvable" in missing.problems[0].message


def test_workdir_inside_the_dossier_is_refused(tmp_path: Path) -> None:
    dossier = tmp_path / "d"
    write(dossier / "a.pdf")
    with pytest.raises(ValueError, match="jamais être modifié"):
        collect(dossier, dossier / "travail")


# --- ordinary zips ------------------------------------------------------------------


def test_zip_inside_folder(tmp_path: Path, work: Path) -> None:
    dossier = tmp_path / "d"
    write(dossier / "formulaire.pdf", b"form")
    make_zip(dossier / "Pièces.zip", {"annexes/devis 2.pdf": b"d2", "annexes/devis 10.pdf": b"d10"})
    before = tree_state(dossier)
    intake = collect(dossier, work)
    assert names(intake) == [
        "formulaire.pdf",
        "Pièces.zip/annexes/devis 2.pdf",
        "Pièces.zip/annexes/devis 10.pdf",
    ]
    extracted = intake.files[2]
    assert extracted.path.read_bytes() == b"d10"
    assert work.resolve() in extracted.path.resolve().parents
    assert extracted.sha256 == hashlib.sha256(b"d10").hexdigest() and extracted.size == 3
    assert tree_state(dossier) == before, "the dossier must not change"


def test_a_name_twice_in_a_zip_keeps_both_copies(tmp_path: Path, work: Path) -> None:
    """Zip tools let a member be added twice: both are read, the second renamed, and the
    instructeur is told (the archive is not refused for it)."""
    path = tmp_path / "dossier.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Devis/devis.pdf", b"first")
        with pytest.warns(UserWarning):  # zipfile itself warns about the duplicate name
            archive.writestr("Devis/devis.pdf", b"second")
    intake = collect(path, work)
    assert not intake.problems
    content = {f.name: f.path.read_bytes() for f in intake.files}
    assert content == {"Devis/devis.pdf": b"first", "Devis/devis (2).pdf": b"second"}
    assert any("devis (2).pdf" in note for note in intake.notes)


def test_zip_as_input_and_nested_zip(tmp_path: Path, work: Path) -> None:
    inner = make_zip(tmp_path / "src" / "annexes.zip", {"plan.pdf": b"plan"})
    outer = tmp_path / "Dossier.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("Formulaire.pdf", b"form")
        archive.writestr("sous/", b"")  # a directory entry
        archive.write(inner, "sous/annexes.zip")
        archive.writestr("__MACOSX/._Formulaire.pdf", b"apple")
        archive.writestr(".DS_Store", b"")
    intake = collect(outer, work)
    assert names(intake) == ["Formulaire.pdf", "sous/annexes.zip/plan.pdf"]
    assert intake.files[1].path.read_bytes() == b"plan"
    assert intake.ignored == [".DS_Store", "__MACOSX/"]
    assert intake.problems == []


def test_nesting_deeper_than_the_limit_is_refused(tmp_path: Path, work: Path) -> None:
    level3 = make_zip(tmp_path / "src" / "n3.zip", {"profond.pdf": b"x"})
    level2 = tmp_path / "src" / "n2.zip"
    with zipfile.ZipFile(level2, "w") as archive:
        archive.write(level3, "n3.zip")
        archive.writestr("milieu.pdf", b"m")
    dossier = tmp_path / "d"
    with zipfile.ZipFile(write(dossier / "n1.zip", b""), "w") as archive:
        archive.write(level2, "n2.zip")
        archive.writestr("haut.pdf", b"h")
    intake = collect(dossier, work)
    assert names(intake) == ["n1.zip/haut.pdf", "n1.zip/n2.zip/milieu.pdf"]
    assert [(p.name, p.code) for p in intake.problems] == [("n1.zip/n2.zip/n3.zip", "zip_nested")]
    assert intake.problems[0].message.startswith("L'archive « n1.zip/n2.zip/n3.zip » a été refusée")


def test_windows_cp437_cp850_and_utf8_without_flag(tmp_path: Path, work: Path) -> None:
    archive = tmp_path / "windows.zip"
    archive.write_bytes(
        raw_zip(
            [
                Raw("Délibération.pdf".encode("cp437"), b"1"),
                Raw("Pièces/Reçu élève.pdf".encode(), b"2"),  # UTF-8, flag not set
                Raw("À signer.pdf".encode("cp850"), b"3"),  # French Windows' OEM page
                Raw("Été.pdf".encode(), b"4", flags=0x800),
            ]
        )
    )
    intake = collect(archive, work)
    assert names(intake) == ["À signer.pdf", "Délibération.pdf", "Été.pdf", "Pièces/Reçu élève.pdf"]


def test_decode_legacy_name() -> None:
    assert decode_legacy_name("Délibération".encode("cp437")) == "Délibération"
    assert decode_legacy_name("Délibération".encode()) == "Délibération"
    assert decode_legacy_name("Être à l'heure".encode("cp850")) == "Être à l'heure"
    assert decode_legacy_name(b"plain.pdf") == "plain.pdf"


def test_macos_decomposed_names_are_nfc(tmp_path: Path, work: Path) -> None:
    decomposed = "De\u0301libe\u0301ration.pdf"
    make_zip(tmp_path / "mac.zip", {decomposed: b"x"})
    assert names(collect(tmp_path / "mac.zip", work)) == ["Délibération.pdf"]


def test_deterministic(tmp_path: Path) -> None:
    dossier = tmp_path / "d"
    for n in (3, 1, 20, 2):
        write(dossier / f"annexe {n}.pdf", str(n).encode())
    make_zip(dossier / "z.zip", {"b.pdf": b"b", "a.pdf": b"a"})
    first = collect(dossier, tmp_path / "w1")
    second = collect(dossier, tmp_path / "w2")
    assert (
        names(first)
        == names(second)
        == [
            "annexe 1.pdf",
            "annexe 2.pdf",
            "annexe 3.pdf",
            "annexe 20.pdf",
            "z.zip/a.pdf",
            "z.zip/b.pdf",
        ]
    )
    assert [f.sha256 for f in first.files] == [f.sha256 for f in second.files]


# --- hostile zips -------------------------------------------------------------------


def _refused_alone(tmp_path: Path, work: Path, archive_bytes: bytes, limits: Limits = Limits()):  # noqa: B008
    """Put the archive beside a good piece; the archive must be refused, the piece kept,
    and nothing written outside the work dir."""
    dossier = tmp_path / "d"
    write(dossier / "bon.pdf", b"good")
    write(dossier / "piege.zip", archive_bytes)
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(work)}
    intake = collect(dossier, work, limits)
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(work)}
    assert after == before, "nothing may be written outside the work dir"
    assert names(intake) == ["bon.pdf"]
    assert len(intake.problems) == 1 and intake.problems[0].name == "piege.zip"
    message = intake.problems[0].message
    assert message.startswith("L'archive « piege.zip » a été refusée : ")
    assert "Que faire : " in message
    if work.exists():
        leftovers = [p for p in work.rglob("*") if p.is_file()]
        assert leftovers == [], "a refused archive leaves no file behind"
    return intake.problems[0]


@pytest.mark.parametrize(
    "evil",
    [b"../../etc/x.pdf", b"/abs/x.pdf", b"C:\\Windows\\x.pdf", b"c:x.pdf", b"a/../../x.pdf"],
)
def test_path_traversal_refused(tmp_path: Path, work: Path, evil: bytes) -> None:
    archive = raw_zip([Raw(b"ok.pdf", b"ok"), Raw(evil, b"evil")])
    problem = _refused_alone(tmp_path, work, archive)
    assert problem.code == "zip_traversal"
    assert evil.decode() in problem.message
    assert not (tmp_path / "etc").exists() and not Path("/abs/x.pdf").exists()


def test_symlink_member_refused(tmp_path: Path, work: Path) -> None:
    link = Raw(
        b"passwd.pdf",
        b"/etc/passwd",
        deflate=False,
        external_attr=(0o120777 << 16),
        create_system=3,
    )
    problem = _refused_alone(tmp_path, work, raw_zip([Raw(b"ok.pdf", b"ok"), link]))
    assert problem.code == "zip_link"


def test_encrypted_member_refused(tmp_path: Path, work: Path) -> None:
    # The encryption flag alone decides; the bytes behind it do not matter.
    locked = Raw(b"rib.pdf", os.urandom(64), deflate=False, flags=0x1)
    problem = _refused_alone(tmp_path, work, raw_zip([Raw(b"ok.pdf", b"ok"), locked]))
    assert problem.code == "zip_encrypted"
    assert "mot de passe" in problem.message


def test_damaged_archives(tmp_path: Path, work: Path) -> None:
    good = make_zip(tmp_path / "src.zip", {"a.pdf": os.urandom(5000)}).read_bytes()
    problem = _refused_alone(tmp_path, work, good[: len(good) // 2])
    assert problem.code == "zip_damaged"
    corrupted = bytearray(good)
    corrupted[100] ^= 0xFF  # inside the member's data: CRC or inflate error
    (tmp_path / "d" / "piege.zip").unlink()
    problem = _refused_alone(tmp_path, work, bytes(corrupted))
    assert problem.code == "zip_damaged"
    assert "somme de contrôle fausse" in problem.message, "zipfile's English stays out"


def test_not_a_zip_at_all(tmp_path: Path, work: Path) -> None:
    problem = _refused_alone(tmp_path, work, b"ceci n'est pas une archive")
    assert problem.code == "zip_damaged"


def test_too_many_members(tmp_path: Path, work: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(1001):
            archive.writestr(f"f{n}.txt", b"")
    problem = _refused_alone(tmp_path, work, buffer.getvalue())
    assert problem.code == "too_many_files" and "1001" in problem.message


def test_too_large_for_the_budget(tmp_path: Path, work: Path) -> None:
    archive = make_zip(tmp_path / "src.zip", {"scan.pdf": os.urandom(3000)}).read_bytes()
    problem = _refused_alone(tmp_path, work, archive, Limits(max_total_bytes=2000))
    assert problem.code == "too_large"


def test_budget_is_shared_by_the_archives_of_a_dossier(tmp_path: Path, work: Path) -> None:
    dossier = tmp_path / "d"
    make_zip(dossier / "a.zip", {"a.pdf": os.urandom(1500)})
    make_zip(dossier / "b.zip", {"b.pdf": os.urandom(1500)})
    intake = collect(dossier, work, Limits(max_total_bytes=2000))
    assert names(intake) == ["a.zip/a.pdf"]
    assert [(p.name, p.code) for p in intake.problems] == [("b.zip", "too_large")]


def test_name_too_long_refused(tmp_path: Path, work: Path) -> None:
    problem = _refused_alone(tmp_path, work, raw_zip([Raw(b"x" * 256 + b".pdf", b"x")]))
    assert problem.code == "zip_name"


def test_ratio_bomb_refused_from_the_central_directory(tmp_path: Path, work: Path) -> None:
    # 20 MB of zeros deflate to ~20 KB: ratio ~1000.
    problem = _refused_alone(tmp_path, work, raw_zip([Raw(b"zeros.pdf", bytes(20 * 1000 * 1000))]))
    assert problem.code == "zip_bomb"


def test_small_members_may_compress_well(tmp_path: Path, work: Path) -> None:
    # 500 KB of spaces (ratio ~500) is under the floor: a harmless file, not a bomb.
    archive = make_zip(tmp_path / "d" / "notes.zip", {"vide.txt": b" " * 500_000})
    intake = collect(archive, work)
    assert names(intake) == ["vide.txt"] and intake.problems == []


def test_lying_header_is_stopped_while_streaming(tmp_path: Path, work: Path) -> None:
    # The headers say 1 000 bytes; the data inflates to 5 MB. The central directory looks
    # harmless (ratio < 1), so only the count of bytes actually written can catch it.
    liar = Raw(b"petit.pdf", bytes(5 * 1000 * 1000), declared_size=1000)
    problem = _refused_alone(tmp_path, work, raw_zip([Raw(b"ok.pdf", b"ok"), liar]))
    assert problem.code == "zip_bomb"
    assert "petit.pdf" in problem.message


@pytest.mark.slow
def test_one_gigabyte_bomb(tmp_path: Path, work: Path) -> None:
    dossier = tmp_path / "d"
    write(dossier / "bon.pdf", b"good")
    info = zipfile.ZipInfo("zeros.bin")
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(dossier / "bombe.zip", "w") as archive,
        archive.open(info, "w", force_zip64=True) as member,
    ):
        for _ in range(1024):  # 1 GiB streamed, never held in memory
            member.write(chunk)
    assert (dossier / "bombe.zip").stat().st_size < 2 * 1000 * 1000
    intake = collect(dossier, work)
    assert names(intake) == ["bon.pdf"]
    assert codes(intake) == ["zip_bomb"]
    written = sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) if work.exists() else 0
    assert written == 0


def test_copy_capped_stops_at_the_limits() -> None:
    limits = Limits(ratio_floor_bytes=10, max_ratio=100)
    out = io.BytesIO()
    assert (
        copy_capped(
            io.BytesIO(b"a" * 100),
            out,
            name="x",
            declared=100,
            compressed=50,
            budget=1000,
            limits=limits,
        )
        == 100
    )
    # More than declared: refused, and not one byte past the declared size is written.
    source = io.BytesIO(bytes(300_000))
    out = io.BytesIO()
    with pytest.raises(ArchiveRefused) as refused:
        copy_capped(
            source, out, name="x", declared=70_000, compressed=300_000, budget=10**9, limits=limits
        )
    assert refused.value.code == "zip_bomb" and len(out.getvalue()) <= 70_000
    # Past the byte budget.
    with pytest.raises(ArchiveRefused) as refused:
        copy_capped(
            io.BytesIO(bytes(200_000)),
            io.BytesIO(),
            name="x",
            declared=200_000,
            compressed=200_000,
            budget=100_000,
            limits=limits,
        )
    assert refused.value.code == "too_large"
    # Past the ratio, whatever was declared.
    with pytest.raises(ArchiveRefused) as refused:
        copy_capped(
            io.BytesIO(bytes(200_000)),
            io.BytesIO(),
            name="x",
            declared=200_000,
            compressed=100,
            budget=10**9,
            limits=limits,
        )
    assert refused.value.code == "zip_bomb"
