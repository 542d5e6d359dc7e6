"""Canonical packing of a working directory: determinism, exclusions and archive shape."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import time
from pathlib import Path

import pytest

from ml_platform import ValidationError
from ml_platform._upload import pack_directory


def make_tree(root: Path) -> Path:
    """Write a small project with a package, data and an executable helper."""
    (root / "pkg").mkdir(parents=True)
    (root / "train.py").write_text("print('train')\n", encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "model.py").write_text("WIDTH = 64\n", encoding="utf-8")
    (root / "run.sh").write_text("#!/bin/sh\necho run\n", encoding="utf-8")
    (root / "run.sh").chmod(0o755)
    (root / "empty").mkdir()
    return root


def members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return tar.getmembers()


def names(data: bytes) -> list[str]:
    return [member.name for member in members(data)]


def test_same_tree_gives_same_digest(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    first = pack_directory(root)
    second = pack_directory(root)

    assert first.digest == second.digest
    assert first.data == second.data
    assert first.digest == hashlib.sha256(first.data).hexdigest()


def test_copy_elsewhere_gives_same_digest(tmp_path: Path) -> None:
    original = make_tree(tmp_path / "a")
    copy = tmp_path / "elsewhere" / "b"
    shutil.copytree(original, copy)
    os.utime(copy / "train.py", (1_000_000, 1_000_000))

    assert pack_directory(copy).digest == pack_directory(original).digest


def test_touching_a_file_keeps_digest(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    before = pack_directory(root).digest
    later = time.time() + 3600
    os.utime(root / "pkg" / "model.py", (later, later))

    assert pack_directory(root).digest == before


def test_one_changed_byte_changes_digest(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    before = pack_directory(root).digest
    (root / "pkg" / "model.py").write_text("WIDTH = 65\n", encoding="utf-8")

    assert pack_directory(root).digest != before


def test_added_file_changes_digest(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    before = pack_directory(root).digest
    (root / "notes.txt").write_text("", encoding="utf-8")

    assert pack_directory(root).digest != before


def test_execute_bit_changes_digest(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    before = pack_directory(root).digest
    (root / "train.py").chmod(0o755)

    assert pack_directory(root).digest != before


def test_entries_sorted_with_posix_paths(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    (root / "B.txt").write_text("b", encoding="utf-8")

    assert names(pack_directory(root).data) == [
        "B.txt",
        "empty",
        "pkg",
        "pkg/__init__.py",
        "pkg/model.py",
        "run.sh",
        "train.py",
    ]


def test_members_have_canonical_metadata(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    (root / "train.py").chmod(0o600)

    by_name = {member.name: member for member in members(pack_directory(root).data)}
    for member in by_name.values():
        assert member.mtime == 0, member.name
        assert (member.uid, member.gid) == (0, 0), member.name
        assert (member.uname, member.gname) == ("", ""), member.name
        assert member.isfile() or member.isdir(), member.name
    assert by_name["train.py"].mode == 0o644
    assert by_name["run.sh"].mode == 0o755
    assert by_name["pkg"].mode == 0o755
    assert by_name["pkg"].isdir()
    assert by_name["empty"].isdir()


def test_archive_is_uncompressed_tar(tmp_path: Path) -> None:
    data = pack_directory(make_tree(tmp_path / "a")).data

    assert data[257:262] == b"ustar"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        extracted = tar.extractfile("pkg/model.py")
        assert extracted is not None
        assert extracted.read() == b"WIDTH = 64\n"


def test_builtin_exclusions(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    before = pack_directory(root).digest
    for directory in (".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".mypy_cache"):
        (root / directory).mkdir()
        (root / directory / "file").write_text("x", encoding="utf-8")
    (root / ".pytest_cache").mkdir()
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0")
    (root / "pkg" / "stale.pyc").write_bytes(b"\0")
    (root / "env-custom").mkdir()
    (root / "env-custom" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    (root / "env-custom" / "lib.py").write_text("", encoding="utf-8")

    archive = pack_directory(root)

    assert archive.digest == before
    assert not any(name.endswith(".pyc") for name in names(archive.data))


def test_mlpignore_patterns(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    (root / "data").mkdir()
    (root / "data" / "big.bin").write_bytes(b"0" * 100)
    (root / "checkpoints").mkdir()
    (root / "checkpoints" / "model.ckpt").write_bytes(b"0")
    (root / "keep.ckpt").write_bytes(b"1")
    (root / "other.ckpt").write_bytes(b"2")
    (root / "pkg" / "data").mkdir()
    (root / "pkg" / "data" / "table.csv").write_text("a,b\n", encoding="utf-8")
    (root / ".mlpignore").write_text(
        "# large inputs\n/data/\n\n*.ckpt\n!keep.ckpt\ncheckpoints/\n", encoding="utf-8"
    )

    packed = names(pack_directory(root).data)

    assert "data" not in packed
    assert "data/big.bin" not in packed
    assert "checkpoints" not in packed
    assert "other.ckpt" not in packed
    assert "keep.ckpt" in packed
    assert "pkg/data/table.csv" in packed
    assert ".mlpignore" in packed


def test_symlink_skipped_with_warning(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "a")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (root / "link.txt").symlink_to(outside)

    with pytest.warns(UserWarning, match=r"symbolic link.*link\.txt"):
        archive = pack_directory(root)

    assert "link.txt" not in names(archive.data)
    assert not archive.contains("link.txt")


def test_ignored_symlink_skipped_silently(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    root = make_tree(tmp_path / "a")
    (root / "link.txt").symlink_to(root / "train.py")
    (root / ".mlpignore").write_text("link.txt\n", encoding="utf-8")

    pack_directory(root)

    assert not [warning for warning in recwarn if "symbolic link" in str(warning.message)]


def test_contains_lists_regular_files(tmp_path: Path) -> None:
    archive = pack_directory(make_tree(tmp_path / "a"))

    assert archive.contains("train.py")
    assert archive.contains("pkg/model.py")
    assert not archive.contains("pkg")
    assert not archive.contains("missing.py")


def test_missing_workdir_raises_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        pack_directory(tmp_path / "nope")
    assert caught.value.field == "workdir"
    assert caught.value.status_code is None
