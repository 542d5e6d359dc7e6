"""Tests of code archive checks."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from ml_platform_server._archives import (
    ArchiveError,
    ArchiveLimits,
    check_archive,
    normalize_member_path,
    unpack_archive,
)


def write_tar(path: Path, members: list[tarfile.TarInfo], data: bytes = b"x") -> Path:
    with tarfile.open(path, "w") as archive:
        for member in members:
            if member.isreg():
                member.size = len(data)
                archive.addfile(member, io.BytesIO(data))
            else:
                archive.addfile(member)
    return path


def regular(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def test_check_returns_sorted_regular_files(tmp_path: Path) -> None:
    directory = tarfile.TarInfo("pkg")
    directory.type = tarfile.DIRTYPE
    path = write_tar(tmp_path / "a.tar", [regular("train.py"), directory, regular("./pkg/m.py")])

    assert check_archive(path, ArchiveLimits()) == ["pkg/m.py", "train.py"]


@pytest.mark.parametrize("name", ["../evil.py", "/etc/passwd", "a/../../b"])
def test_paths_leaving_the_tree_are_rejected(tmp_path: Path, name: str) -> None:
    path = write_tar(tmp_path / "a.tar", [regular(name)])

    with pytest.raises(ArchiveError) as raised:
        check_archive(path, ArchiveLimits())

    assert raised.value.member == name


@pytest.mark.parametrize(
    "kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE]
)
def test_links_and_devices_are_rejected(tmp_path: Path, kind: bytes) -> None:
    member = tarfile.TarInfo("link")
    member.type = kind
    member.linkname = "../../etc/passwd"
    path = write_tar(tmp_path / "a.tar", [member])

    with pytest.raises(ArchiveError, match="only regular files"):
        check_archive(path, ArchiveLimits())


def test_file_count_limit(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "a.tar", [regular(f"f{i}") for i in range(4)])

    with pytest.raises(ArchiveError, match="more than 3 files"):
        check_archive(path, ArchiveLimits(max_files=3))


def test_unpacked_size_limit(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "a.tar", [regular("big")], data=b"x" * 100)

    with pytest.raises(ArchiveError, match="more than 99 bytes"):
        check_archive(path, ArchiveLimits(max_unpacked_bytes=99))


def test_non_tar_body_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "a.tar"
    path.write_bytes(b"this is not a tar archive" * 40)

    with pytest.raises(ArchiveError, match="not an uncompressed tar"):
        check_archive(path, ArchiveLimits())


def test_unpack_writes_files(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "a.tar", [regular("src/train.py")], data=b"print(1)\n")

    unpack_archive(path, tmp_path / "work")

    assert (tmp_path / "work" / "src" / "train.py").read_bytes() == b"print(1)\n"


def test_normalize_member_path() -> None:
    assert normalize_member_path("./a//b.py") == "a/b.py"
    assert normalize_member_path("a/../b") is None
    assert normalize_member_path("/a") is None
