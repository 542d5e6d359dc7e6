"""Pack a working directory into a canonical tar archive and upload it once.

The archive is an uncompressed POSIX (pax) tar whose bytes depend only on the names, contents
and executable bits of the files, so the same tree always has the same SHA-256 digest:

* entries are sorted by name, depth first, with POSIX paths relative to the directory;
* every entry has mtime 0, uid and gid 0 and empty user and group names;
* files get mode 0o644, or 0o755 when any execute bit is set; directories get 0o755;
* only regular files and directories are packed. Symbolic links are skipped with a warning,
  because following them could pack files from outside the directory and the server rejects
  links. Sockets, FIFOs and device files are skipped silently.

Left out: ``.git``, ``.hg``, ``.svn``, virtual environments (``.venv``, ``venv`` and any
directory containing ``pyvenv.cfg``), ``__pycache__``, ``*.pyc``, ``.mypy_cache``,
``.pytest_cache``, and whatever the directory's ``.mlpignore`` lists, one gitignore-style
pattern per line (``#`` starts a comment, ``!`` re-includes, a trailing ``/`` matches only
directories).

Touching a file changes nothing; changing one byte, adding or removing a file, or changing an
execute bit gives a new digest.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ml_platform import _calls
from ml_platform._exceptions import ValidationError
from ml_platform._logging import logger

if TYPE_CHECKING:
    import pathspec

    from ml_platform._async_session import AsyncSession
    from ml_platform._session import Session

__all__ = [
    "EXCLUDED_DIRECTORIES",
    "IGNORE_FILE",
    "MAX_ARCHIVE_BYTES",
    "CodeArchive",
    "pack_directory",
    "upload_archive",
    "upload_archive_async",
]

IGNORE_FILE = ".mlpignore"
EXCLUDED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache"}
)
EXCLUDED_SUFFIXES = (".pyc",)
MAX_ARCHIVE_BYTES = 1024**3
"""The maximum total file size, in bytes, that the SDK packs in memory.

Servers usually accept far less: the reference server's default upload limit is 100 MiB.
"""

_DIRECTORY_MODE = 0o755
_FILE_MODE = 0o644
_EXECUTABLE_MODE = 0o755
_SHOWN_LINKS = 5


@dataclass(frozen=True)
class CodeArchive:
    """A packed working directory.

    Attributes:
        data: The tar archive.
        digest: The SHA-256 digest of ``data`` in lowercase hexadecimal.
        files: The POSIX relative paths of the regular files it contains, in archive order.
    """

    data: bytes
    digest: str
    files: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"CodeArchive(digest={self.digest!r}, size={len(self.data)}, files={len(self.files)})"
        )

    def contains(self, path: str) -> bool:
        """Return whether the archive contains a regular file at the POSIX relative ``path``."""
        return path in self.files


@dataclass(frozen=True)
class _Entry:
    relative: str
    path: Path
    is_directory: bool
    executable: bool = False
    size: int = 0


def pack_directory(workdir: str | os.PathLike[str]) -> CodeArchive:
    """Pack ``workdir`` into a canonical tar archive.

    Args:
        workdir: The directory to pack.

    Returns:
        The archive, its digest and the files it contains.

    Raises:
        ValidationError: ``workdir`` is not a readable directory, its ``.mlpignore`` cannot be
            read, or its files add up to more than `MAX_ARCHIVE_BYTES`.
    """
    root = Path(workdir)
    if not root.is_dir():
        raise ValidationError(
            f"workdir {str(root)!r} is not a directory; pass the directory that contains "
            "the training script.",
            field="workdir",
        )

    ignore = _load_ignore_file(root)
    entries: list[_Entry] = []
    links: list[str] = []
    _collect(root, "", ignore, entries, links)
    if links:
        _warn_about_links(root, links)
    _check_total_size(root, entries)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
        for entry in entries:
            _add_entry(tar, entry)
    data = buffer.getvalue()

    files = tuple(entry.relative for entry in entries if not entry.is_directory)
    archive = CodeArchive(data=data, digest=hashlib.sha256(data).hexdigest(), files=files)
    logger.debug(
        "packed %s: %d files, %d bytes, sha256 %s", root, len(files), len(data), archive.digest
    )
    return archive


def upload_archive(session: Session, archive: CodeArchive) -> bool:
    """Upload ``archive`` unless the server already stores it for this API key.

    Returns:
        True when the archive was uploaded, False when the server already had it.

    Raises:
        APIStatusError: The server rejected the upload (for example 413 when it is too large).
        APIConnectionError: The server could not be reached.
    """
    if session.call_status(_calls.code_exists(archive.digest)) == 200:
        return _already_stored(archive)
    session.put_bytes(_upload_path(archive), archive.data)
    return _uploaded(archive)


async def upload_archive_async(session: AsyncSession, archive: CodeArchive) -> bool:
    """Upload ``archive`` like `upload_archive`, with the async session."""
    if await session.call_status(_calls.code_exists(archive.digest)) == 200:
        return _already_stored(archive)
    await session.put_bytes(_upload_path(archive), archive.data)
    return _uploaded(archive)


def _upload_path(archive: CodeArchive) -> str:
    # The upload bypasses the generated upload_code, because it streams its payload without
    # Content-Length and a stream cannot be re-sent on a retry. The sessions send the same
    # request from memory.
    return f"/code/{archive.digest}"


def _already_stored(archive: CodeArchive) -> bool:
    logger.debug("code archive %s is already stored", archive.digest)
    return False


def _uploaded(archive: CodeArchive) -> bool:
    logger.debug("uploaded code archive %s (%d bytes)", archive.digest, len(archive.data))
    return True


def _load_ignore_file(root: Path) -> pathspec.GitIgnoreSpec | None:
    path = root / IGNORE_FILE
    if not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(
            f"Could not read {path} ({error}); make it a readable UTF-8 text file with one "
            "pattern per line.",
            field="workdir",
        ) from error

    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _is_excluded_directory(path: Path, name: str) -> bool:
    return name in EXCLUDED_DIRECTORIES or (path / "pyvenv.cfg").is_file()


def _collect(
    root: Path,
    relative_dir: str,
    ignore: pathspec.GitIgnoreSpec | None,
    entries: list[_Entry],
    links: list[str],
) -> None:
    """Append the entries under ``relative_dir`` to ``entries``, depth first in name order."""
    directory = root / relative_dir if relative_dir else root
    with os.scandir(directory) as scan:
        children = sorted(scan, key=lambda child: child.name)

    for child in children:
        relative = f"{relative_dir}/{child.name}" if relative_dir else child.name
        path = Path(child.path)
        is_directory = child.is_dir(follow_symlinks=False)
        if ignore is not None and ignore.match_file(relative + "/" if is_directory else relative):
            continue
        if child.is_symlink():
            links.append(relative)
            continue

        if is_directory:
            if _is_excluded_directory(path, child.name):
                continue
            entries.append(_Entry(relative=relative, path=path, is_directory=True))
            _collect(root, relative, ignore, entries, links)
            continue

        if not child.is_file(follow_symlinks=False):
            continue
        if child.name.endswith(EXCLUDED_SUFFIXES):
            continue
        status = child.stat(follow_symlinks=False)
        executable = bool(status.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))
        entries.append(
            _Entry(
                relative=relative,
                path=path,
                is_directory=False,
                executable=executable,
                size=status.st_size,
            )
        )


def _add_entry(tar: tarfile.TarFile, entry: _Entry) -> None:
    info = tarfile.TarInfo(entry.relative)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if entry.is_directory:
        info.type = tarfile.DIRTYPE
        info.mode = _DIRECTORY_MODE
        tar.addfile(info)
        return

    # Read the whole file first so that the header's size matches the bytes written even if
    # the file changes while it is packed.
    content = entry.path.read_bytes()
    info.type = tarfile.REGTYPE
    info.mode = _EXECUTABLE_MODE if entry.executable else _FILE_MODE
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))


def _check_total_size(root: Path, entries: list[_Entry]) -> None:
    total = sum(entry.size for entry in entries)
    if total <= MAX_ARCHIVE_BYTES:
        return
    largest = sorted(entries, key=lambda entry: entry.size, reverse=True)[:3]
    names = ", ".join(f"{entry.relative} ({entry.size / 1024**2:.0f} MiB)" for entry in largest)
    raise ValidationError(
        f"workdir {str(root)!r} contains {total / 1024**2:.0f} MiB of files, more than the "
        f"{MAX_ARCHIVE_BYTES / 1024**2:.0f} MiB the SDK packs; list data, checkpoints and "
        f"outputs in {IGNORE_FILE} (largest: {names}).",
        field="workdir",
    )


def _warn_about_links(root: Path, links: list[str]) -> None:
    shown = ", ".join(links[:_SHOWN_LINKS])
    more = f" and {len(links) - _SHOWN_LINKS} more" if len(links) > _SHOWN_LINKS else ""
    warnings.warn(
        f"Skipped {len(links)} symbolic link(s) in {root} ({shown}{more}): the code archive "
        f"holds only regular files and directories; copy the targets in or list the links "
        f"in {IGNORE_FILE}.",
        UserWarning,
        stacklevel=4,
    )
