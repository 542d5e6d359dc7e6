"""Code archives: safety checks, storage paths and unpacking.

An archive is an uncompressed POSIX tar of a job's working directory. Only
regular files and directories with relative paths inside the tree are
accepted, within limits on the number of files and the unpacked size.
"""

from __future__ import annotations

import posixpath
import tarfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024**2
DEFAULT_MAX_UNPACKED_BYTES = 1024**3
DEFAULT_MAX_FILES = 10_000


class ArchiveError(ValueError):
    """An archive that is not a tar or breaks a rule, naming the offending member."""

    def __init__(self, message: str, *, member: str | None = None) -> None:
        super().__init__(message)
        self.member = member


@dataclass(frozen=True)
class ArchiveLimits:
    """How many regular files and unpacked bytes an archive may hold."""

    max_files: int = DEFAULT_MAX_FILES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES


def normalize_member_path(name: str) -> str | None:
    """Return the normalized relative path of a member, or ``None`` when it leaves the tree."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return None
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None
    return posixpath.join(*parts) if parts else "."


def check_archive(path: Path, limits: ArchiveLimits) -> list[str]:
    """Check an archive and return the paths of its regular files, sorted.

    Raises:
        ArchiveError: The file is not an uncompressed tar, or a member is unsafe or
            over the limits.
    """
    files: set[str] = set()
    unpacked = 0
    try:
        with tarfile.open(path, mode="r:") as archive:
            for member in archive:
                normalized = normalize_member_path(member.name)
                if normalized is None:
                    raise ArchiveError(
                        f"archive member {member.name!r} has an absolute path or a '..' "
                        "component; pack paths relative to the working directory",
                        member=member.name,
                    )
                if member.isdir():
                    continue
                if not member.isreg():
                    raise ArchiveError(
                        f"archive member {member.name!r} is a {_kind(member)}, but only regular "
                        "files and directories are accepted; leave it out or copy its target",
                        member=member.name,
                    )
                files.add(normalized)
                unpacked += member.size
                if len(files) > limits.max_files:
                    raise ArchiveError(
                        f"archive has more than {limits.max_files} files (at member "
                        f"{member.name!r}); upload fewer files or list them in .mlpignore",
                        member=member.name,
                    )
                if unpacked > limits.max_unpacked_bytes:
                    raise ArchiveError(
                        f"archive unpacks to more than {limits.max_unpacked_bytes} bytes (at "
                        f"member {member.name!r}); leave out large files such as data sets",
                        member=member.name,
                    )
    except tarfile.TarError as err:
        raise ArchiveError(
            f"the body is not an uncompressed tar archive ({err}); "
            "upload the bytes of a POSIX tar file"
        ) from err
    return sorted(files)


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "symbolic link"
    if member.islnk():
        return "hard link"
    if member.ischr() or member.isblk():
        return "device file"
    if member.isfifo():
        return "FIFO"
    return "special file"


def archive_path(data_dir: Path, user: str, digest: str) -> Path:
    """Return where a user's archive is stored."""
    return data_dir / "code" / user / f"{digest}.tar"


def unpack_archive(path: Path, destination: Path) -> None:
    """Unpack a checked archive into ``destination`` with the ``data`` extraction filter.

    The filter rejects links, devices and paths outside ``destination`` once more
    and drops set-user-id bits, so a file swapped on disk cannot escape either.
    """
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode="r:") as archive:
        archive.extractall(destination, filter="data")
