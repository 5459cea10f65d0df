"""An external cluster from the README's own commands, on loopback: runs land with no shared folder.

The scheduler and the worker are started with the `dask scheduler` and `dask worker`
lines of the README's "Many machines" section (HOST and WORKER = 127.0.0.1); the worker
runs in its own temp folder with no data of its own, so the arrays travel by scatter
and the run comes back as bytes.
"""

import json
import os
import re
import shlex
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from emnist_core.jobs.cluster import dask_command
from emnist_core.training.runs import RunRegistry
from tests.browser.server import free_port

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    """The command lines of the README's "Many machines" code block."""
    text = (REPO / "README.md").read_text()
    section = text.split("### Many machines", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def _words(line: str, port: int) -> tuple[dict[str, str], list[str]]:
    """(environment prefix, argv) of a README line, with the placeholders filled in."""
    line = line.replace("HOST", "127.0.0.1").replace("PORT", str(port))
    line = line.replace("WORKER", "127.0.0.1")
    words = shlex.split(line)
    env = {}
    while "=" in words[0] and not words[0].startswith("-"):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    program = {"dask": dask_command(), "emnist-lab": [sys.executable, "-m", "emnist_core"]}
    return env, program[words[0]] + words[1:]


def _start(stack: ExitStack, argv, env, cwd: Path, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(argv, env=env, cwd=cwd, stderr=log.open("w"))

    def stop() -> None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    return process


def _wait_for_worker(address: str, timeout: float = 90.0) -> None:
    from distributed import Client

    with Client(address, timeout=timeout, set_as_default=False) as client:
        client.wait_for_workers(1, timeout=timeout)


def _env(tmp_path: Path, **extra) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2", **extra}
    for name in ("EMNIST_SCHEDULER", "EMNIST_DATA_DIR", "EMNIST_RUNS_DIR"):
        env.pop(name, None)
    env["EMNIST_DATA_DIR"] = env["EMNIST_SYNTHETIC_DIR"] = str(tmp_path / "no-data")
    return {**env, **extra}


def _cli(argv, env, cwd, timeout=400) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.timeout(900)
def test_the_readme_commands_run_a_job_whose_run_lands_in_the_clients_registry(
    tmp_path, synthetic_dir
):
    scheduler_line, worker_line, submit_line = readme_commands()
    port = free_port()
    worker_dir, client_dir = tmp_path / "worker-home", tmp_path / "client-home"
    worker_dir.mkdir(), client_dir.mkdir()
    runs = client_dir / "runs"
    with ExitStack() as stack:
        env, argv = _words(scheduler_line, port)
        _start(stack, argv, _env(tmp_path, **env), tmp_path, tmp_path / "scheduler.log")
        env, argv = _words(worker_line, port)
        _start(stack, argv, _env(tmp_path, **env), worker_dir, tmp_path / "worker.log")
        _wait_for_worker(f"tcp://127.0.0.1:{port}")
        client_env = _env(tmp_path, EMNIST_DATA_DIR=str(synthetic_dir), EMNIST_RUNS_DIR=str(runs))
        env, argv = _words(submit_line, port)
        done = _cli(argv, {**client_env, **env}, client_dir)
        assert done.returncode == 0, done.stderr[-3000:]
        job_id = done.stdout.splitlines()[0]
        landed = RunRegistry(runs).list()
        assert len(landed) == 1 and landed[0].name == "mlp-quick"
        assert landed[0].info["data"]["source"] == str(synthetic_dir)  # the scattered arrays
        assert not list(worker_dir.rglob("run.json"))  # nothing left on the worker's disk

        # Submitted without --wait, the run waits in the cluster until a `jobs` command
        # of the same registry collects it.
        address = ["--scheduler", f"tcp://127.0.0.1:{port}", "--runs-dir", str(runs)]
        cli = [sys.executable, "-m", "emnist_core", "jobs"]
        submit = [*cli, "submit", "--model", "mlp", "--preset", "quick", "--epochs", "1"]
        submit += ["--owner", "later"]
        done = _cli([*submit, *address], client_env, client_dir)
        assert done.returncode == 0, done.stderr[-3000:]
        later = done.stdout.strip()
        done = _cli([*cli, "watch", later, *address], client_env, client_dir)  # until it ends
        assert done.returncode == 0, done.stderr[-3000:]
        rows = _poll_finished(cli, address, client_env, client_dir, later)
        assert rows[job_id]["status"] == "finished" and rows[later]["host"]
        assert {run.run_id for run in RunRegistry(runs).list()} == {
            *rows[job_id]["run_ids"],
            *rows[later]["run_ids"],
        }


def _poll_finished(cli, address, env, cwd, job_id, timeout=600.0) -> dict[str, dict]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = _cli([*cli, "list", "--json", *address], env, cwd)
        assert done.returncode == 0, done.stderr[-3000:]
        rows = {row["job_id"]: row for row in json.loads(done.stdout)}
        if rows[job_id]["status"] == "finished":
            return rows
        time.sleep(1.0)
    raise AssertionError(f"job {job_id} did not finish within {timeout} s: {rows[job_id]}")
