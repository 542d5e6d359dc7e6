from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.log_page import LogPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    cursor: str | Unset = UNSET,
    tail: int | Unset = UNSET,
    wait: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["tail"] = tail

    params["wait"] = wait

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/jobs/{job_id}/logs".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> LogPage | Problem | None:
    if response.status_code == 200:
        response_200 = LogPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[LogPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    tail: int | Unset = UNSET,
    wait: int | Unset = 0,
) -> Response[LogPage | Problem]:
    """Read or follow a job's output

     Returns at most 1000 lines per response, oldest first. `seq` is the
    stored line number, so a cursor stays valid across server restarts.
    Without `cursor` or `tail`, reading starts at the first line. With
    `tail=N`, the last N lines are returned. To follow, pass the
    previous `next_cursor` and a `wait`: the request is held until new
    lines arrive, the job ends or `wait` seconds pass. `complete` is
    true only when the job has ended and every line of its output is
    stored and has been returned; a follower stops then. Following a
    PENDING job waits rather than ending.

    Args:
        job_id (str):
        cursor (str | Unset):
        tail (int | Unset):
        wait (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LogPage | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        cursor=cursor,
        tail=tail,
        wait=wait,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    tail: int | Unset = UNSET,
    wait: int | Unset = 0,
) -> LogPage | Problem | None:
    """Read or follow a job's output

     Returns at most 1000 lines per response, oldest first. `seq` is the
    stored line number, so a cursor stays valid across server restarts.
    Without `cursor` or `tail`, reading starts at the first line. With
    `tail=N`, the last N lines are returned. To follow, pass the
    previous `next_cursor` and a `wait`: the request is held until new
    lines arrive, the job ends or `wait` seconds pass. `complete` is
    true only when the job has ended and every line of its output is
    stored and has been returned; a follower stops then. Following a
    PENDING job waits rather than ending.

    Args:
        job_id (str):
        cursor (str | Unset):
        tail (int | Unset):
        wait (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LogPage | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        cursor=cursor,
        tail=tail,
        wait=wait,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    tail: int | Unset = UNSET,
    wait: int | Unset = 0,
) -> Response[LogPage | Problem]:
    """Read or follow a job's output

     Returns at most 1000 lines per response, oldest first. `seq` is the
    stored line number, so a cursor stays valid across server restarts.
    Without `cursor` or `tail`, reading starts at the first line. With
    `tail=N`, the last N lines are returned. To follow, pass the
    previous `next_cursor` and a `wait`: the request is held until new
    lines arrive, the job ends or `wait` seconds pass. `complete` is
    true only when the job has ended and every line of its output is
    stored and has been returned; a follower stops then. Following a
    PENDING job waits rather than ending.

    Args:
        job_id (str):
        cursor (str | Unset):
        tail (int | Unset):
        wait (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LogPage | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        cursor=cursor,
        tail=tail,
        wait=wait,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    tail: int | Unset = UNSET,
    wait: int | Unset = 0,
) -> LogPage | Problem | None:
    """Read or follow a job's output

     Returns at most 1000 lines per response, oldest first. `seq` is the
    stored line number, so a cursor stays valid across server restarts.
    Without `cursor` or `tail`, reading starts at the first line. With
    `tail=N`, the last N lines are returned. To follow, pass the
    previous `next_cursor` and a `wait`: the request is held until new
    lines arrive, the job ends or `wait` seconds pass. `complete` is
    true only when the job has ended and every line of its output is
    stored and has been returned; a follower stops then. Following a
    PENDING job waits rather than ending.

    Args:
        job_id (str):
        cursor (str | Unset):
        tail (int | Unset):
        wait (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LogPage | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            cursor=cursor,
            tail=tail,
            wait=wait,
        )
    ).parsed
