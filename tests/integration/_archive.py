"""Build code archives the way the upload contract describes them.

The server accepts an uncompressed POSIX tar archive addressed by the SHA-256
digest of its exact bytes. The builders here pack entries canonically (sorted
names, fixed timestamps, modes and owners) so that the same files always give
the same bytes and the same digest.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

JOB_SCRIPTS_DIR = Path(__file__).resolve().parent / "job_scripts"


@dataclass(frozen=True, kw_only=True)
class Archive:
    """The bytes of a code archive and their SHA-256 digest."""

    data: bytes
    digest: str


@dataclass(frozen=True, kw_only=True)
class RawEntry:
    """One tar member, including the kinds a safe server must reject."""

    name: str
    kind: bytes = tarfile.REGTYPE
    content: bytes = b""
    linkname: str = ""


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hexadecimal SHA-256 digest of `data`."""
    return hashlib.sha256(data).hexdigest()


def build_archive(files: Mapping[str, str | bytes]) -> Archive:
    """Pack `files` (relative POSIX path to text or bytes) into a canonical tar archive.

    Example:
        >>> build_archive({"main.py": "print('hi')"}).digest == build_archive(
        ...     {"main.py": "print('hi')"}
        ... ).digest
        True
    """
    entries = [
        RawEntry(name=name, content=value.encode() if isinstance(value, str) else value)
        for name, value in sorted(files.items())
    ]
    return build_raw_archive(entries)


def build_raw_archive(entries: list[RawEntry]) -> Archive:
    """Pack `entries` in the given order without checking their names or kinds."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.type = entry.kind
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.linkname = entry.linkname
            if entry.kind == tarfile.REGTYPE:
                info.mode = 0o644
                info.size = len(entry.content)
                archive.addfile(info, io.BytesIO(entry.content))
            else:
                info.mode = 0o777 if entry.kind == tarfile.SYMTYPE else 0o644
                archive.addfile(info)
    data = buffer.getvalue()
    return Archive(data=data, digest=sha256_hex(data))


def read_job_script(name: str) -> str:
    """Return the source of the job script `name` from the `job_scripts` folder."""
    return (JOB_SCRIPTS_DIR / name).read_text(encoding="utf-8")


def job_archive(script: str, *, extra: Mapping[str, str | bytes] | None = None) -> Archive:
    """Pack the job script `script` as `main.py`, plus any `extra` files."""
    files: dict[str, str | bytes] = {"main.py": read_job_script(script)}
    files.update(extra or {})
    return build_archive(files)
