"""Install the built wheels into a fresh virtual environment and run one job end to end.

Everything runs from a temporary folder, with the repository's folders removed from PATH
and no PYTHONPATH, so only the installed wheels are used. The test covers the imports,
`mlp --version`, an `mlp-server` started from the server wheel, and
`mlp job create ... --follow`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _release_commands import note, run, shown, step
from _release_project import SDK, Project, ReleaseError

VENV_TIMEOUT_SECONDS = 180
INSTALL_TIMEOUT_SECONDS = 900
COMMAND_TIMEOUT_SECONDS = 60
SERVER_START_TIMEOUT_SECONDS = 60
JOB_TIMEOUT_SECONDS = 300
SERVER_STOP_TIMEOUT_SECONDS = 30
LOG_TAIL_LINES = 40

SMOKE_LINE = "release smoke test: the job ran"
SMOKE_SCRIPT = f"import ml_platform\n\nprint({SMOKE_LINE!r}, flush=True)\n"
# API keys are `mlp_` and 40 URL-safe characters; shorter matches such as `mlp_cli` stay.
KEY = re.compile(r"mlp_[A-Za-z0-9_-]{20,}")
# Prints where each package was imported from and the import path, for the check that
# nothing comes from the repository.
IMPORT_PROBE = """
import json, sys
import ml_platform, ml_platform_client, ml_platform_server
print(json.dumps({
    "modules": [m.__file__ for m in (ml_platform, ml_platform_client, ml_platform_server)],
    "sys_path": sys.path,
}))
"""


def smoke_commands(project: Project) -> list[str]:
    """Describe the smoke test's commands, for a dry run."""
    wheels = " ".join(str(path) for path in project.artifact_paths() if path.suffix == ".whl")
    return [
        "python -m venv TMP/venv",
        f"TMP/venv/bin/python -m pip install -c {project.constraints} {wheels}",
        "TMP/venv/bin/python -I -c 'import ml_platform, ml_platform_client, ml_platform_server'",
        "TMP/venv/bin/mlp --version",
        "TMP/venv/bin/mlp-server --data-dir TMP/data --port 0 --dev",
        "TMP/venv/bin/mlp job create smoke --script smoke.py --workdir TMP/work --follow",
        "kill -TERM <mlp-server pid>",
    ]


def smoke_test(project: Project, wheels: list[Path]) -> None:
    """Run the smoke test in a new temporary folder, removed again when it passes.

    Raises:
        ReleaseError: A step fails; the folder is kept and named for inspection.
    """
    tmp = Path(tempfile.mkdtemp(prefix="mlp-release-smoke-"))
    passed = False
    try:
        _Smoke(project, wheels, tmp).run()
        passed = True
    finally:
        if passed:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            note(f"kept {tmp} for inspection (server log: {tmp / 'server.log'})")


class _Smoke:
    def __init__(self, project: Project, wheels: list[Path], tmp: Path) -> None:
        self.project = project
        self.wheels = wheels
        self.tmp = tmp
        self.venv = tmp / "venv"
        self.bin = self.venv / "bin"
        self.home = tmp / "home"
        self.home.mkdir()

    def run(self) -> None:
        step(f"Installing the wheels into a fresh virtual environment in {self.tmp}")
        run(
            [sys.executable, "-m", "venv", self.venv],
            action="creating the virtual environment",
            timeout=VENV_TIMEOUT_SECONDS,
            cwd=self.tmp,
            env=self._env(home=None),
        )
        install: list[str | Path] = [self.bin / "python", "-m", "pip", "install", "--quiet"]
        install += ["--disable-pip-version-check", "-c", self.project.constraints, *self.wheels]
        run(
            install,
            action="installing the wheels",
            timeout=INSTALL_TIMEOUT_SECONDS,
            cwd=self.tmp,
            env=self._env(home=None),
        )

        step("Smoke test: imports and mlp --version from the installed wheels")
        self._check_imports()
        self._check_version()

        step("Smoke test: one job end to end against mlp-server from the server wheel")
        self._run_job()

    def _env(self, *, home: Path | None) -> dict[str, str]:
        """Return an environment without the repository or the caller's platform settings."""
        root = str(self.project.root.resolve())
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("ML_PLATFORM_", "MLP_", "PYTHON"))
            and name not in ("VIRTUAL_ENV", "PIP_CONSTRAINT", "PIP_REQUIREMENT")
        }
        entries = [
            entry
            for entry in os.environ.get("PATH", os.defpath).split(os.pathsep)
            if entry and not os.path.realpath(entry).startswith(root)
        ]
        env["PATH"] = os.pathsep.join([str(self.bin), *entries])
        env["VIRTUAL_ENV"] = str(self.venv)
        if home is not None:
            env["HOME"] = str(home)
        return env

    def _check_imports(self) -> None:
        result = run(
            [self.bin / "python", "-I", "-c", IMPORT_PROBE],
            action="importing ml_platform, ml_platform_client and ml_platform_server",
            timeout=COMMAND_TIMEOUT_SECONDS,
            cwd=self.tmp,
            env=self._env(home=self.home),
            capture=True,
            display=f"{self.bin / 'python'} -I -c 'import ml_platform, ml_platform_client, "
            "ml_platform_server'",
        )
        probe = json.loads(result.stdout)
        root = str(self.project.root.resolve())
        leaks = [
            entry
            for entry in [*probe["modules"], *probe["sys_path"]]
            if entry and os.path.realpath(entry).startswith(root)
        ]
        if leaks:
            raise ReleaseError(
                f"the fresh environment imports from the repository ({', '.join(leaks)}): "
                "the smoke test must see only the installed wheels"
            )
        for module in probe["modules"]:
            note(f"imported {module}")

    def _check_version(self) -> None:
        result = run(
            [self.bin / "mlp", "--version"],
            action="mlp --version",
            timeout=COMMAND_TIMEOUT_SECONDS,
            cwd=self.tmp,
            env=self._env(home=self.home),
            capture=True,
        )
        output = (result.stdout + result.stderr).strip()
        version = next(dist.version for dist in self.project.distributions() if dist.name == SDK)
        for line in output.splitlines():
            note(f"mlp --version | {line}")
        if version not in output:
            raise ReleaseError(
                f"mlp --version printed {output!r}, which does not name the {SDK} version "
                f"{version}: check cli/mlp_cli"
            )

    def _run_job(self) -> None:
        work = self.tmp / "work"
        work.mkdir()
        (work / "smoke.py").write_text(SMOKE_SCRIPT, encoding="utf-8")
        log_path = self.tmp / "server.log"

        with log_path.open("w", encoding="utf-8") as log:
            command: list[str | Path] = [self.bin / "mlp-server", "--data-dir", self.tmp / "data"]
            command += ["--port", "0", "--dev"]
            note(f"$ {shown(command)}")
            server = subprocess.Popen(
                [str(part) for part in command],
                cwd=self.tmp,
                env=self._env(home=self.home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            key = ""
            try:
                key, url = _read_startup(server)
                note(f"mlp-server is listening on {url}")
                self._create_job(url, key, work)
            except ReleaseError:
                _print_log_tail(log_path, key)
                raise
            finally:
                code = _stop(server)
        if code != 0:
            _print_log_tail(log_path, key)
            raise ReleaseError(
                f"mlp-server exited with code {code} after SIGTERM instead of 0: see {log_path}"
            )
        note("mlp-server stopped on SIGTERM with exit code 0.")

    def _create_job(self, url: str, key: str, work: Path) -> None:
        env = self._env(home=self.home)
        env.update(ML_PLATFORM_URL=url, ML_PLATFORM_API_KEY=key)
        command: list[str | Path] = [self.bin / "mlp", "job", "create", "smoke"]
        command += ["--script", "smoke.py", "--workdir", work, "--follow"]
        note(f"$ {shown(command)}")
        try:
            result = subprocess.run(
                [str(part) for part in command],
                cwd=self.tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=JOB_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise ReleaseError(
                f"mlp job create --follow did not finish within {JOB_TIMEOUT_SECONDS} s"
            ) from err

        stdout, stderr = _redact(result.stdout, key), _redact(result.stderr, key)
        for line in stdout.splitlines():
            note(f"stdout | {line}")
        for line in stderr.splitlines():
            note(f"stderr | {line}")
        if result.returncode != 0:
            raise ReleaseError(
                f"mlp job create --follow exited with code {result.returncode} instead of 0"
            )
        if SMOKE_LINE not in stdout.splitlines():
            raise ReleaseError(
                f"the job's output line {SMOKE_LINE!r} is missing from the output of "
                "mlp job create --follow"
            )
        note("The smoke job succeeded and its output arrived.")


def _read_startup(server: subprocess.Popen[str]) -> tuple[str, str]:
    """Return the development key and the URL that mlp-server prints once it is bound."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    key = ""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            raise ReleaseError(
                f"mlp-server exited with code {server.wait()} before it printed "
                "'Listening on http://...'"
            )
        if match := re.match(r"Development API key: (\S+)", line):
            key = match.group(1)
        elif match := re.match(r"Listening on (http://\S+)", line):
            if not key:
                raise ReleaseError(
                    "mlp-server --dev printed no 'Development API key: ...' line before "
                    "'Listening on ...'"
                )
            return key, match.group(1)
    raise ReleaseError(
        f"mlp-server did not print 'Listening on http://...' within "
        f"{SERVER_START_TIMEOUT_SECONDS} s"
    )


def _stop(server: subprocess.Popen[str]) -> int:
    """Stop SERVER with SIGTERM, or SIGKILL when it does not exit in time; return its code."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            note(f"mlp-server did not stop within {SERVER_STOP_TIMEOUT_SECONDS} s; killing it")
            server.kill()
            server.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
    return server.returncode


def _redact(text: str, key: str) -> str:
    if key:
        text = text.replace(key, "mlp_***")
    return KEY.sub("mlp_***", text)


def _print_log_tail(log_path: Path, key: str) -> None:
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    note(f"last {LOG_TAIL_LINES} lines of {log_path}:")
    for line in lines[-LOG_TAIL_LINES:]:
        note(f"server | {_redact(line, key)}")
