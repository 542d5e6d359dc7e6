"""Schemathesis against a running server: every operation, then the stateful link sequence.

Settings, and every check that is excluded or relaxed with its reason, live in
`tests/schemathesis.toml`. The file is loaded explicitly because Schemathesis
only discovers a `schemathesis.toml` in the working directory and its parents.

Generated job submissions cannot know a real archive, so before each request
`point_at_real_archives` swaps any well-formed `code_digest` for the digest of
an archive uploaded before the run and, in positive cases, sets `script` to
the file that archive holds. It also turns each well-formed upload into a real
tar archive whose path digest matches its body. Malformed values are left
alone, so negative cases stay negative.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pytest
import schemathesis
import yaml
from schemathesis.core.result import Ok
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.transport.serialization import Binary

from tests.integration._api import make_client, upload
from tests.integration._archive import Archive, build_archive, job_archive
from tests.integration._server import ServerOptions, ServerProcess, start_server

# A generated request for any operation of the schema.
Case: TypeAlias = schemathesis.Case[Any]

TESTS_DIR = Path(__file__).resolve().parents[1]
CONFIG = schemathesis.Config.from_path(TESTS_DIR / "schemathesis.toml")
schema = schemathesis.openapi.from_path(TESTS_DIR.parent / "openapi.yaml", config=CONFIG)

ARCHIVE = job_archive("brief.py")
# Stateful scenarios run jobs that outlive the test, so a cancel always finds its job running.
IDLE_ARCHIVE = job_archive("idle.py")
DIGEST = re.compile(r"[0-9a-f]{64}")
LINKS = ("GetJob", "GetJobLogs", "GetJobMetrics", "CancelJob")
# Small pools, so that generated submits meet full pools and queues, and a 1-second long-poll bound.
SCHEMATHESIS_SERVER = ServerOptions(
    pools={"t4": 1, "v100": 1}, cpu=8, memory="32Gi", max_wait=1, grace_period=1
)
# Hypothesis requires that the same choices lead to the same draws, and a stateful scenario's
# next step depends on the responses it got. So the stateful server has room for every job, and
# its jobs never end by themselves: each response then depends on the requests alone.
STATEFUL_SERVER = ServerOptions(
    pools={"t4": 4096, "v100": 4096},
    cpu=1_000_000,
    memory="9999999Ti",
    max_wait=1,
    grace_period=1,
)


@dataclass(frozen=True, kw_only=True)
class Target:
    """Where generated requests go and the headers they carry."""

    api_url: str
    headers: dict[str, str]
    archive: Archive

    def call_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments for `Case.call` and `Case.call_and_validate`."""
        return {"base_url": self.api_url, "headers": dict(self.headers)}


def _serve(
    tmp_path_factory: pytest.TempPathFactory, options: ServerOptions, archive: Archive, name: str
) -> Iterator[Target]:
    data_dir = tmp_path_factory.mktemp(name) / "data"
    server: ServerProcess = start_server(data_dir, options, name=name)
    try:
        with make_client(server) as client:
            upload(client, archive)
        yield Target(
            api_url=server.api_url,
            headers={"Authorization": f"Bearer {server.api_key}"},
            archive=archive,
        )
    finally:
        server.close()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A server of its own with the job archive uploaded, so generated jobs stay out of others'."""
    yield from _serve(tmp_path_factory, SCHEMATHESIS_SERVER, ARCHIVE, "schemathesis")


@pytest.fixture(scope="module")
def stateful_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A server whose responses depend on the requests alone, for the stateful phase."""
    yield from _serve(tmp_path_factory, STATEFUL_SERVER, IDLE_ARCHIVE, "schemathesis-stateful")


def point_at_real_archives(case: Case, archive: Archive) -> None:
    """Point well-formed digests at real archives; leave malformed values for negative tests."""
    label = case.operation.label
    if label == "POST /jobs" and isinstance(case.body, dict):
        if DIGEST.fullmatch(str(case.body.get("code_digest", ""))):
            case.body["code_digest"] = archive.digest
        if case.meta is not None and case.meta.generation.mode.is_positive:
            case.body["script"] = "main.py"
        return
    if label == "PUT /code/{digest}" and isinstance(case.body, Binary):
        path_parameters = case.path_parameters or {}
        if DIGEST.fullmatch(str(path_parameters.get("digest", ""))):
            files: dict[str, str | bytes] = {
                "main.py": "print('generated')\n",
                "blob.bin": case.body.data,
            }
            archive = build_archive(files)
            case.body = Binary(archive.data)
            path_parameters["digest"] = archive.digest


# Fields whose rules OpenAPI 3.0 cannot express, by operation. `schemathesis.toml` lets
# `positive_data_acceptance` pass a 400 on these operations; this check narrows that back to
# a 400 whose problem names one of these fields.
CONTRACT_ONLY_FIELDS = {
    "GET /jobs": ("cursor", "status"),
    "GET /jobs/{job_id}": ("status",),
    "GET /jobs/{job_id}/logs": ("cursor",),
    "POST /jobs": ("environment",),
}


def valid_data_rejected_only_by_contract_rules(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Fail when schema-valid data gets a 400 for a field whose rules the schema does describe."""
    allowed = CONTRACT_ONLY_FIELDS.get(case.operation.label)
    if allowed is None or response.status_code != 400:
        return None
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    try:
        field = str(response.json().get("field", ""))
    except ValueError:
        field = ""
    if not any(field == name or field.startswith((f"{name}.", f"{name}[")) for name in allowed):
        message = (
            f"{case.operation.label} rejected schema-valid data with 400 for field {field!r}; "
            f"only {list(allowed)} have rules beyond the schema"
        )
        raise AssertionError(message)
    return None


def test_every_operation_is_generated() -> None:
    spec = yaml.safe_load((TESTS_DIR.parent / "openapi.yaml").read_text(encoding="utf-8"))
    declared = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch", "head", "options")
    }

    results = list(schema.get_all_operations())
    generated = {result.ok().label for result in results if isinstance(result, Ok)}

    assert all(isinstance(result, Ok) for result in results), "an operation failed to load"
    assert generated == declared
    assert {"HEAD /code/{digest}", "PUT /code/{digest}"} <= generated


@schema.parametrize()
@pytest.mark.timeout(300)
def test_operation_conforms(case: Case, target: Target) -> None:
    point_at_real_archives(case, target.archive)
    case.call_and_validate(
        **target.call_kwargs(), additional_checks=[valid_data_rejected_only_by_contract_rules]
    )


@dataclass(frozen=True, kw_only=True)
class Step:
    """One request of a stateful scenario: the link that led to it, if any, and its outcome."""

    link: str | None
    operation: str
    status: int
    job_id: str | None
    created_id: str | None


def _link_name(input: StepInput) -> str | None:
    if input.transition is None or not input.is_applied:
        return None
    # Transition ids read `POST /jobs -> [201] GetJob -> GET /jobs/{job_id}`. Links that
    # Schemathesis infers itself, such as ones from GET /jobs, start elsewhere.
    for name in LINKS:
        if input.transition.id.startswith(f"POST /jobs -> [201] {name} -> "):
            return name
    return "other"


def _summary(steps: list[Step]) -> str:
    lines = [f"stateful phase: {len(steps)} requests"]
    for name in (*LINKS, "other", None):
        statuses = Counter(step.status for step in steps if step.link == name)
        counts = ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
        if statuses:
            lines.append(f"  {name or 'scenario start'}: {statuses.total()} ({counts})")
    return "\n".join(lines)


@pytest.mark.timeout(300)
def test_stateful_links(stateful_target: Target) -> None:
    target = stateful_target
    steps: list[Step] = []

    class LinkedCalls(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Case) -> None:
            point_at_real_archives(case, target.archive)
            if case.operation.label == "POST /jobs" and isinstance(case.body, dict):
                # Default resources keep every submit within the budget, whatever ran before;
                # the stateless test covers generated resources.
                case.body.pop("resources", None)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return target.call_kwargs()

        def validate_response(
            self,
            response: schemathesis.Response,
            case: Case,
            additional_checks: list[schemathesis.CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            checks = [*(additional_checks or []), valid_data_rejected_only_by_contract_rules]
            super().validate_response(response, case, additional_checks=checks, **kwargs)

        def step(self, input: StepInput) -> StepOutput:
            output: StepOutput = super().step(input)
            response = output.response
            created = None
            if input.case.operation.label == "POST /jobs" and response.status_code == 201:
                created = response.json().get("id")
            steps.append(
                Step(
                    link=_link_name(input),
                    operation=input.case.operation.label,
                    status=response.status_code,
                    job_id=(input.case.path_parameters or {}).get("job_id"),
                    created_id=created,
                )
            )
            return output

    LinkedCalls.run(settings=schema.config.get_hypothesis_settings(phase="stateful"))
    print(_summary(steps))

    created_ids = {step.created_id for step in steps if step.created_id is not None}
    assert created_ids, f"no generated submit succeeded: {[s.status for s in steps][:40]}"
    for name in LINKS:
        followed = [step for step in steps if step.link == name]
        assert followed, f"the stateful phase never followed the {name} link"
        assert any(step.job_id in created_ids for step in followed), (
            f"the {name} link never carried the id of a job created in the same run"
        )
        assert any(200 <= step.status < 300 for step in followed), (
            f"every request through the {name} link failed: {[s.status for s in followed]}"
        )
