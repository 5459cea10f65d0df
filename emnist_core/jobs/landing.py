"""Commit what came back from a worker into a registry, atomically: runs and analysis files.

A run's tar bytes are unpacked into a hidden `.landing-*` folder, checked as a complete run,
then renamed into place in one step; an existing run of the same id is never overwritten.
Other results (an analysis) are files under the registry's hidden `.analysis/` folder.
"""

import io
import os
import secrets
import shutil
import tarfile
from pathlib import Path

from emnist_core import settings
from emnist_core.atomic import write_bytes
from emnist_core.errors import RunError
from emnist_core.training.runs import Run, load_run

ANALYSIS_FOLDER = ".analysis"  # hidden: the registry lists only run folders


def land_run(runs_dir: Path | str | None, run_id: str, payload: bytes) -> Run:
    """The run committed under runs_dir/run_id (or the one already there: landing is idempotent)."""
    root = settings.runs_dir(runs_dir)
    final = root / run_id
    if final.exists():
        return load_run(final)
    root.mkdir(parents=True, exist_ok=True)
    landing = root / f".landing-{run_id}-{secrets.token_hex(3)}"
    try:
        landing.mkdir()
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:") as archive:
            if {Path(name).parts[0] for name in archive.getnames()} != {run_id}:
                raise RunError(f"the run sent back for {run_id} holds other folders; not saved.")
            archive.extractall(landing, filter="data")
        load_run(landing / run_id)  # complete and readable before it becomes visible
        try:
            os.rename(landing / run_id, final)
        except OSError:
            if not final.is_dir():
                raise  # another client of the registry landed it meanwhile: keep theirs
    finally:
        shutil.rmtree(landing, ignore_errors=True)
    return load_run(final)


def save_files(runs_dir: Path | str | None, files: dict[str, bytes]) -> None:
    """Write a job's files under the analysis folder, each atomically (never a half file)."""
    root = (settings.runs_dir(runs_dir) / ANALYSIS_FOLDER).resolve()
    for relative, payload in files.items():
        path = (root / relative).resolve()
        if root not in path.parents:
            raise RunError(f"a job sent a file outside the analysis folder: {relative!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, payload)
