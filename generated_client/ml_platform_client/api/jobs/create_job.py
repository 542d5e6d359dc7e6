from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dry_run_result import DryRunResult
from ...models.job import Job
from ...models.job_create import JobCreate
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: JobCreate,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/jobs",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DryRunResult | Job | Problem | None:
    if response.status_code == 200:
        response_200 = DryRunResult.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = Job.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[DryRunResult | Job | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: JobCreate,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> Response[DryRunResult | Job | Problem]:
    """Submit a training job

     GPUs come from the requested pool; CPU and memory come from a
    server-wide budget. A job that fits now starts at once. A job that
    does not fit now is rejected with a `capacity-unavailable` problem
    listing the alternatives, unless `wait_for_capacity` is true, in
    which case it queues as PENDING in first-in-first-out order per
    pool. A job that can never fit (more GPUs than the pool has, or an
    unknown GPU type) is always rejected with `capacity-infeasible`.

    With `dry_run=true` the request is validated and its feasibility
    checked, and nothing is created.

    An `Idempotency-Key` makes retries safe: a retry with the same key
    and the same body returns the job created by the first request; the
    same key with another body is an `idempotency-conflict`. Keys are
    scoped per user.

    Args:
        dry_run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (JobCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DryRunResult | Job | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: JobCreate,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> DryRunResult | Job | Problem | None:
    """Submit a training job

     GPUs come from the requested pool; CPU and memory come from a
    server-wide budget. A job that fits now starts at once. A job that
    does not fit now is rejected with a `capacity-unavailable` problem
    listing the alternatives, unless `wait_for_capacity` is true, in
    which case it queues as PENDING in first-in-first-out order per
    pool. A job that can never fit (more GPUs than the pool has, or an
    unknown GPU type) is always rejected with `capacity-infeasible`.

    With `dry_run=true` the request is validated and its feasibility
    checked, and nothing is created.

    An `Idempotency-Key` makes retries safe: a retry with the same key
    and the same body returns the job created by the first request; the
    same key with another body is an `idempotency-conflict`. Keys are
    scoped per user.

    Args:
        dry_run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (JobCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DryRunResult | Job | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: JobCreate,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> Response[DryRunResult | Job | Problem]:
    """Submit a training job

     GPUs come from the requested pool; CPU and memory come from a
    server-wide budget. A job that fits now starts at once. A job that
    does not fit now is rejected with a `capacity-unavailable` problem
    listing the alternatives, unless `wait_for_capacity` is true, in
    which case it queues as PENDING in first-in-first-out order per
    pool. A job that can never fit (more GPUs than the pool has, or an
    unknown GPU type) is always rejected with `capacity-infeasible`.

    With `dry_run=true` the request is validated and its feasibility
    checked, and nothing is created.

    An `Idempotency-Key` makes retries safe: a retry with the same key
    and the same body returns the job created by the first request; the
    same key with another body is an `idempotency-conflict`. Keys are
    scoped per user.

    Args:
        dry_run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (JobCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DryRunResult | Job | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: JobCreate,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> DryRunResult | Job | Problem | None:
    """Submit a training job

     GPUs come from the requested pool; CPU and memory come from a
    server-wide budget. A job that fits now starts at once. A job that
    does not fit now is rejected with a `capacity-unavailable` problem
    listing the alternatives, unless `wait_for_capacity` is true, in
    which case it queues as PENDING in first-in-first-out order per
    pool. A job that can never fit (more GPUs than the pool has, or an
    unknown GPU type) is always rejected with `capacity-infeasible`.

    With `dry_run=true` the request is validated and its feasibility
    checked, and nothing is created.

    An `Idempotency-Key` makes retries safe: a retry with the same key
    and the same body returns the job created by the first request; the
    same key with another body is an `idempotency-conflict`. Keys are
    scoped per user.

    Args:
        dry_run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (JobCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DryRunResult | Job | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    ).parsed
