"""The Dask cluster jobs run on: a private one on 127.0.0.1, or an existing scheduler.

Both take one path: `dask scheduler` and `dask worker` run as subprocesses (a LocalCluster
with processes cannot start inside Streamlit, whose main module spawn refuses) and a
Client connects to the address. The holder is a plain object, not the Client, because a
Client is awaitable and st.cache_resource refuses awaitables.
"""

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue

from emnist_core import settings
from emnist_core.errors import EmnistError

LOOPBACK = "127.0.0.1"
TRAIN_RESOURCE = "train"
START_TIMEOUT = 90.0  # a worker imports nothing heavy at start, but shared CPUs are slow
# The private cluster's workers share the app's cores: training yields to the web server,
# so pages stay quick while jobs run (training is batch work; a page is someone waiting).
WORKER_NICENESS = 10
# A worker that dies mid-task fails its job at once instead of being retried elsewhere.
# Workers stay daemon processes (Dask's default), so a training draws its pen drawings in
# its own process (training/drawn.py) and leaves the other cores to the web server: with
# a pool on both of 2 cores, page switches while a CNN drew took up to 1.5 s instead of
# under 0.7 s (BENCHMARKS.md).
CLUSTER_ENV = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}


class ClusterError(EmnistError):
    """The cluster could not start or be reached; the message names the address and the fix."""


@dataclass
class ClusterHandle:
    """A connected Client, and the subprocesses this process started (none for an external one)."""

    client: object  # distributed.Client
    address: str
    embedded: bool
    processes: list[subprocess.Popen] = field(default_factory=list)
    workdir: Path | None = None
    closed: bool = False

    def slots(self) -> int:
        """Training slots the cluster's workers offer now (the sum of their train resources)."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        return int(sum(w.get("resources", {}).get(TRAIN_RESOURCE, 0) for w in workers))

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def close(self) -> None:
        """Close the Client; end the subprocesses this process started (gently, then firmly)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.client.close(timeout=5)
        except Exception:  # noqa: BLE001 - closing must go on to the subprocesses
            pass
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def dask_command() -> list[str]:
    """The `dask` command of this Python environment."""
    script = Path(sys.executable).parent / "dask"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dask"]


def scheduler_args(scheduler_file: Path) -> list[str]:
    """`dask scheduler` on a free loopback port, its HTTP server on loopback too."""
    return [
        *dask_command(),
        "scheduler",
        "--host",
        LOOPBACK,
        "--port",
        "0",
        "--dashboard-address",
        f"{LOOPBACK}:0",
        "--scheduler-file",
        str(scheduler_file),
    ]


def worker_args(address: str, slots: int, local_dir: Path) -> list[str]:
    """`dask worker` processes, one train slot each, every port on loopback.

    Two threads each: the train resource lets one of them train; the other serves jobs
    that need no slot (a download), so those never wait behind a training.
    """
    return [
        *dask_command(),
        "worker",
        address,
        "--host",
        LOOPBACK,
        "--dashboard-address",
        f"{LOOPBACK}:0",
        "--nworkers",
        str(slots),
        "--nthreads",
        "2",
        "--resources",
        f"{TRAIN_RESOURCE}=1",
        "--death-timeout",
        "30",  # the scheduler gone (its parent killed): the workers follow
        "--local-directory",
        str(local_dir),
    ]


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the spawning thread (a thread that never ends) dies."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _preexec(niceness: int):
    """What a child runs before exec: PDEATHSIG on Linux, then its niceness (if any)."""
    die = sys.platform.startswith("linux")
    if not die and not niceness:
        return None

    def preexec() -> None:
        if die:
            _die_with_parent()
        if niceness:
            os.nice(niceness)

    return preexec


class _Spawner:
    """Starts subprocesses from one daemon thread that lives as long as the process.

    Linux sends PDEATHSIG when the parent *thread* ends; Streamlit reruns pages in
    short-lived threads, so children are spawned here, and die only with the process.
    """

    def __init__(self) -> None:
        self.requests: SimpleQueue = SimpleQueue()
        threading.Thread(target=self._serve, name="emnist-cluster-spawner", daemon=True).start()

    def _serve(self) -> None:
        while True:
            args, kwargs, result = self.requests.get()
            try:
                preexec = _preexec(kwargs.pop("niceness", 0))
                result.set_result(subprocess.Popen(args, preexec_fn=preexec, **kwargs))
            except BaseException as error:  # noqa: BLE001 - handed back to the caller
                result.set_exception(error)

    def popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        result: Future = Future()
        self.requests.put((args, kwargs, result))
        return result.result(timeout=30)


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def spawn(args: list[str], niceness: int = 0, **kwargs) -> subprocess.Popen:
    """Popen that ends the child with this process (see _Spawner), at the given niceness."""
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
    return _spawner.popen(args, niceness=niceness, **kwargs)


def _wait_for_file(path: Path, process: subprocess.Popen, log: Path) -> dict:
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise ClusterError(f"`dask scheduler` exited with code {process.returncode}:\n{tail}")
        if path.exists():
            try:
                return json.loads(path.read_text())
            except ValueError:
                pass  # still being written
        time.sleep(0.05)
    raise ClusterError(f"`dask scheduler` did not start within {START_TIMEOUT:.0f} s; see {log}.")


def start_embedded(slots: int | None = None) -> ClusterHandle:
    """Start a private scheduler and `slots` worker processes on 127.0.0.1 and connect."""
    from distributed import Client

    slots = slots or settings.job_slots()
    workdir = Path(tempfile.mkdtemp(prefix="emnist-cluster-"))
    env = {**os.environ, **CLUSTER_ENV}
    processes: list[subprocess.Popen] = []
    handle = None
    try:
        log = workdir / "scheduler.log"
        processes.append(
            spawn(scheduler_args(workdir / "scheduler.json"), env=env, stderr=log.open("w"))
        )
        address = _wait_for_file(workdir / "scheduler.json", processes[0], log)["address"]
        worker_log = (workdir / "worker.log").open("w")
        processes.append(
            spawn(
                worker_args(address, slots, workdir),
                niceness=WORKER_NICENESS,
                env=env,
                stderr=worker_log,
                cwd=workdir,
            )
        )
        client = Client(address, timeout=START_TIMEOUT, set_as_default=False)
        handle = ClusterHandle(client, address, True, processes, workdir)
        client.wait_for_workers(slots, timeout=START_TIMEOUT)
        atexit.register(handle.close)  # PDEATHSIG is the backstop when exit is not clean
        return handle
    except BaseException:
        if handle is not None:
            handle.close()
        else:
            ClusterHandle(_NoClient(), "", True, processes, workdir).close()
        raise


class _NoClient:
    def close(self, timeout: float | None = None) -> None:
        pass


def connect(address: str) -> ClusterHandle:
    """A Client of an existing scheduler (EMNIST_SCHEDULER or --scheduler)."""
    from distributed import Client

    try:
        client = Client(address, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address} ({error}). Start it with "
            "`dask scheduler`, or unset EMNIST_SCHEDULER to use a private cluster."
        ) from None
    return ClusterHandle(client, address, False)


def open_cluster(scheduler: str | None = None, slots: int | None = None) -> ClusterHandle:
    """The scheduler the settings name (flag, then EMNIST_SCHEDULER), else a private cluster."""
    address = settings.scheduler(scheduler)
    return connect(address) if address else start_embedded(slots)
