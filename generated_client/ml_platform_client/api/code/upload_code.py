from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.code_archive import CodeArchive
from ...models.problem import Problem
from ...types import File, Response


def _get_kwargs(
    digest: str,
    *,
    body: File,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/code/{digest}".format(
            digest=quote(str(digest), safe=""),
        ),
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CodeArchive | Problem | None:
    if response.status_code == 200:
        response_200 = CodeArchive.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = CodeArchive.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CodeArchive | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    digest: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> Response[CodeArchive | Problem]:
    """Upload a code archive

     The body is an uncompressed POSIX tar archive of the job's working
    directory. The server recomputes the SHA-256 digest of the body and
    rejects a mismatch, rejects bodies over its size limit before
    buffering them, and rejects archives with absolute paths, `..`
    components, links, device files, or more files or unpacked bytes
    than its limits allow. Uploading an archive that is already stored
    answers 200 and stores nothing.

    Args:
        digest (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CodeArchive | Problem]
    """

    kwargs = _get_kwargs(
        digest=digest,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    digest: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> CodeArchive | Problem | None:
    """Upload a code archive

     The body is an uncompressed POSIX tar archive of the job's working
    directory. The server recomputes the SHA-256 digest of the body and
    rejects a mismatch, rejects bodies over its size limit before
    buffering them, and rejects archives with absolute paths, `..`
    components, links, device files, or more files or unpacked bytes
    than its limits allow. Uploading an archive that is already stored
    answers 200 and stores nothing.

    Args:
        digest (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CodeArchive | Problem
    """

    return sync_detailed(
        digest=digest,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    digest: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> Response[CodeArchive | Problem]:
    """Upload a code archive

     The body is an uncompressed POSIX tar archive of the job's working
    directory. The server recomputes the SHA-256 digest of the body and
    rejects a mismatch, rejects bodies over its size limit before
    buffering them, and rejects archives with absolute paths, `..`
    components, links, device files, or more files or unpacked bytes
    than its limits allow. Uploading an archive that is already stored
    answers 200 and stores nothing.

    Args:
        digest (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CodeArchive | Problem]
    """

    kwargs = _get_kwargs(
        digest=digest,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    digest: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> CodeArchive | Problem | None:
    """Upload a code archive

     The body is an uncompressed POSIX tar archive of the job's working
    directory. The server recomputes the SHA-256 digest of the body and
    rejects a mismatch, rejects bodies over its size limit before
    buffering them, and rejects archives with absolute paths, `..`
    components, links, device files, or more files or unpacked bytes
    than its limits allow. Uploading an archive that is already stored
    answers 200 and stores nothing.

    Args:
        digest (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CodeArchive | Problem
    """

    return (
        await asyncio_detailed(
            digest=digest,
            client=client,
            body=body,
        )
    ).parsed
