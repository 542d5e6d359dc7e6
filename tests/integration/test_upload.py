"""Code uploads: content addressing, digest checks, unsafe archives and the size limit."""

from __future__ import annotations

import io
import secrets
import socket
import tarfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from ml_platform_client import AuthenticatedClient
from ml_platform_client.api.code import code_exists, upload_code
from ml_platform_client.models import CodeArchive
from ml_platform_client.types import File

from tests.integration._api import make_client, raw_client, upload
from tests.integration._archive import RawEntry, build_archive, build_raw_archive, sha256_hex
from tests.integration._problems import assert_problem, assert_request_id
from tests.integration._server import ServerFactory, ServerOptions, ServerProcess

pytestmark = pytest.mark.timeout(60)

OCTET_STREAM = {"Content-Type": "application/octet-stream"}
# Python writes tar archives in 10240-byte records, so the smallest archive is 10240 bytes.
UPLOAD_LIMIT = 16384


def _unique_files() -> dict[str, str | bytes]:
    return {"main.py": f"print({secrets.token_hex(8)!r})\n", "data/weights.bin": b"\x00\x01" * 64}


def test_unchanged_directory_uploads_nothing_twice(user_client: AuthenticatedClient) -> None:
    files = _unique_files()
    first = build_archive(files)
    again = build_archive(files)

    assert again.digest == first.digest
    assert upload(user_client, first) is True
    assert code_exists.sync_detailed(first.digest, client=user_client).status_code == 200
    assert upload(user_client, again) is False


def test_repeated_put_answers_200_with_same_archive(user_client: AuthenticatedClient) -> None:
    archive = build_archive(_unique_files())

    created = upload_code.sync_detailed(
        archive.digest, client=user_client, body=File(payload=io.BytesIO(archive.data))
    )
    repeated = upload_code.sync_detailed(
        archive.digest, client=user_client, body=File(payload=io.BytesIO(archive.data))
    )

    assert created.status_code == 201
    assert repeated.status_code == 200
    assert isinstance(created.parsed, CodeArchive)
    assert isinstance(repeated.parsed, CodeArchive)
    assert created.parsed.digest == archive.digest
    assert created.parsed.size == len(archive.data)
    assert repeated.parsed.digest == archive.digest
    assert created.parsed.files == 2


def test_changed_byte_uploads_once(user_client: AuthenticatedClient) -> None:
    files = _unique_files()
    original = build_archive(files)
    files["data/weights.bin"] = b"\x00\x02" + b"\x00\x01" * 63
    changed = build_archive(files)

    assert changed.digest != original.digest
    assert upload(user_client, original) is True
    assert code_exists.sync_detailed(changed.digest, client=user_client).status_code == 404
    assert upload(user_client, changed) is True
    assert upload(user_client, changed) is False


def test_archives_are_stored_per_user(
    shared_server: ServerProcess, new_user_key: Callable[..., str]
) -> None:
    archive = build_archive(_unique_files())

    with make_client(shared_server, new_user_key()) as owner:
        assert upload(owner, archive) is True
    with make_client(shared_server, new_user_key()) as stranger:
        assert code_exists.sync_detailed(archive.digest, client=stranger).status_code == 404


def test_digest_mismatch_rejected(raw_api: httpx.Client, api_client: AuthenticatedClient) -> None:
    archive = build_archive(_unique_files())
    claimed = sha256_hex(archive.data + b"tampered")

    response = raw_api.put(f"/code/{claimed}", content=archive.data, headers=OCTET_STREAM)

    problem = assert_problem(response, status=400, problem_type="validation")
    assert claimed in problem["detail"] or archive.digest in problem["detail"], (
        f"the problem detail {problem['detail']!r} names neither the claimed nor the actual digest"
    )
    assert code_exists.sync_detailed(claimed, client=api_client).status_code == 404
    assert code_exists.sync_detailed(archive.digest, client=api_client).status_code == 404


UNSAFE_ARCHIVES = {
    "parent-directory": [RawEntry(name="../escaped-{token}.txt", content=b"x")],
    "nested-parent-directory": [RawEntry(name="src/../../escaped-{token}.txt", content=b"x")],
    "absolute-path": [RawEntry(name="/tmp/escaped-{token}.txt", content=b"x")],
    "symlink-out": [RawEntry(name="link-{token}", kind=tarfile.SYMTYPE, linkname="../../..")],
    "symlink-absolute": [
        RawEntry(name="passwd-{token}", kind=tarfile.SYMTYPE, linkname="/etc/passwd")
    ],
    "hardlink-out": [
        RawEntry(name="hard-{token}", kind=tarfile.LNKTYPE, linkname="../escaped-{token}.txt")
    ],
    "character-device": [RawEntry(name="device-{token}", kind=tarfile.CHRTYPE)],
}


@pytest.mark.parametrize("case", sorted(UNSAFE_ARCHIVES))
def test_unsafe_archive_rejected(
    case: str, raw_api: httpx.Client, api_client: AuthenticatedClient, shared_server: ServerProcess
) -> None:
    token = secrets.token_hex(6)
    entries = [
        RawEntry(name="main.py", content=b"print('x')\n"),
        *(
            RawEntry(
                name=entry.name.format(token=token),
                kind=entry.kind,
                content=entry.content,
                linkname=entry.linkname.format(token=token),
            )
            for entry in UNSAFE_ARCHIVES[case]
        ),
    ]
    archive = build_raw_archive(entries)
    offending = entries[-1].name

    response = raw_api.put(f"/code/{archive.digest}", content=archive.data, headers=OCTET_STREAM)

    assert_problem(response, status=400, problem_type="validation", mentions=[offending])
    assert code_exists.sync_detailed(archive.digest, client=api_client).status_code == 404
    server_root = shared_server.data_dir.parent.parent
    escaped = [path for path in server_root.rglob(f"*{token}*") if path.is_file()]
    escaped += [path for path in [Path(f"/tmp/escaped-{token}.txt")] if path.exists()]
    assert escaped == [], f"an unsafe member was written to disk: {escaped}"


def test_not_a_tar_archive_rejected(raw_api: httpx.Client) -> None:
    data = b"this is not a tar archive " + secrets.token_bytes(16)
    digest = sha256_hex(data)

    response = raw_api.put(f"/code/{digest}", content=data, headers=OCTET_STREAM)

    assert_problem(response, status=400, problem_type="validation")


@pytest.mark.parametrize("digest", ["NOTHEX", "A" * 64, "a" * 63, "g" * 64])
def test_malformed_digest_rejected(raw_api: httpx.Client, digest: str) -> None:
    archive = build_archive(_unique_files())

    put = raw_api.put(f"/code/{digest}", content=archive.data, headers=OCTET_STREAM)
    head = raw_api.head(f"/code/{digest}")

    assert_problem(put, status=400, problem_type="validation", mentions=[digest])
    assert head.status_code == 400
    assert head.content == b""
    assert_request_id(head)


def test_upload_with_json_content_type_rejected(raw_api: httpx.Client) -> None:
    archive = build_archive(_unique_files())

    response = raw_api.put(
        f"/code/{archive.digest}",
        content=archive.data,
        headers={"Content-Type": "application/json"},
    )

    assert_problem(
        response, status=(400, 415), problem_type=("validation", "unsupported-media-type")
    )


@pytest.fixture
def small_upload_server(server_factory: ServerFactory) -> ServerProcess:
    """A server that accepts uploads of at most `UPLOAD_LIMIT` bytes."""
    return server_factory.start(ServerOptions(max_upload_bytes=UPLOAD_LIMIT))


def test_oversize_upload_names_limit(small_upload_server: ServerProcess) -> None:
    archive = build_archive(
        {"main.py": "print('x')\n", "blob.bin": secrets.token_bytes(3 * UPLOAD_LIMIT)}
    )

    with raw_client(small_upload_server) as client:
        response = client.put(f"/code/{archive.digest}", content=archive.data, headers=OCTET_STREAM)
        head = client.head(f"/code/{archive.digest}")

    problem = assert_problem(
        response, status=413, problem_type="payload-too-large", mentions=[str(UPLOAD_LIMIT)]
    )
    assert problem.get("limit") == UPLOAD_LIMIT
    assert head.status_code == 404


def test_upload_within_limit_accepted(small_upload_server: ServerProcess) -> None:
    archive = build_archive({"main.py": "print('x')\n"})
    assert len(archive.data) <= UPLOAD_LIMIT

    with make_client(small_upload_server) as client:
        assert upload(client, archive) is True


def test_oversize_chunked_upload_rejected(small_upload_server: ServerProcess) -> None:
    archive = build_archive({"main.py": "print('x')\n", "blob.bin": secrets.token_bytes(60_000)})
    chunks = [archive.data[start : start + 8192] for start in range(0, len(archive.data), 8192)]

    with raw_client(small_upload_server) as client:
        response = client.put(f"/code/{archive.digest}", content=iter(chunks), headers=OCTET_STREAM)

    assert "Content-Length" not in response.request.headers
    assert_problem(
        response, status=413, problem_type="payload-too-large", mentions=[str(UPLOAD_LIMIT)]
    )


def test_oversize_declared_length_rejected_before_body(small_upload_server: ServerProcess) -> None:
    digest = "0" * 64
    request = (
        f"PUT /api/v1/code/{digest} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{small_upload_server.port}\r\n"
        f"Authorization: Bearer {small_upload_server.api_key}\r\n"
        "Content-Type: application/octet-stream\r\n"
        f"Content-Length: {10**9}\r\n"
        "\r\n"
    ).encode()

    # No body is ever sent: a server that buffers before checking the size would wait here.
    head = b""
    with socket.create_connection(("127.0.0.1", small_upload_server.port), timeout=10) as sock:
        sock.sendall(request)
        try:
            while b"\r\n" not in head:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                head += chunk
        except TimeoutError:
            pass

    status_line = head.split(b"\r\n", 1)[0].decode("ascii", errors="replace")
    assert status_line.startswith("HTTP/1.1 413"), (
        f"a PUT declaring 10**9 bytes got {status_line!r} before any body was sent; expected 413"
    )
