from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.job import Job
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_id: str,
    *,
    wait: int | Unset = 0,
    status: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["wait"] = wait

    params["status"] = status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/jobs/{job_id}".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Job | Problem | None:
    if response.status_code == 200:
        response_200 = Job.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Job | Problem]:
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
    wait: int | Unset = 0,
    status: str | Unset = UNSET,
) -> Response[Job | Problem]:
    """Get a job, optionally waiting for its status to change

     With `wait`, the request is held until the job's status differs
    from `status` (the status the caller last saw) or `wait` seconds
    have passed, whichever comes first. Without `status`, the job's
    current status is taken as the one last seen. Waiting is bounded at
    30 seconds; a server may lower that bound and answers early when it
    shuts down.

    Args:
        job_id (str):
        wait (int | Unset):  Default: 0.
        status (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        wait=wait,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    wait: int | Unset = 0,
    status: str | Unset = UNSET,
) -> Job | Problem | None:
    """Get a job, optionally waiting for its status to change

     With `wait`, the request is held until the job's status differs
    from `status` (the status the caller last saw) or `wait` seconds
    have passed, whichever comes first. Without `status`, the job's
    current status is taken as the one last seen. Waiting is bounded at
    30 seconds; a server may lower that bound and answers early when it
    shuts down.

    Args:
        job_id (str):
        wait (int | Unset):  Default: 0.
        status (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        wait=wait,
        status=status,
    ).parsed


async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    wait: int | Unset = 0,
    status: str | Unset = UNSET,
) -> Response[Job | Problem]:
    """Get a job, optionally waiting for its status to change

     With `wait`, the request is held until the job's status differs
    from `status` (the status the caller last saw) or `wait` seconds
    have passed, whichever comes first. Without `status`, the job's
    current status is taken as the one last seen. Waiting is bounded at
    30 seconds; a server may lower that bound and answers early when it
    shuts down.

    Args:
        job_id (str):
        wait (int | Unset):  Default: 0.
        status (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Job | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        wait=wait,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient | Client,
    wait: int | Unset = 0,
    status: str | Unset = UNSET,
) -> Job | Problem | None:
    """Get a job, optionally waiting for its status to change

     With `wait`, the request is held until the job's status differs
    from `status` (the status the caller last saw) or `wait` seconds
    have passed, whichever comes first. Without `status`, the job's
    current status is taken as the one last seen. Waiting is bounded at
    30 seconds; a server may lower that bound and answers early when it
    shuts down.

    Args:
        job_id (str):
        wait (int | Unset):  Default: 0.
        status (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Job | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            wait=wait,
            status=status,
        )
    ).parsed
