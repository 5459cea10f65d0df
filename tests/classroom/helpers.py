"""Saved-run folders written by hand (no training), each with an owner, for permission tests."""

import json
from pathlib import Path

from emnist_core.models.config import MLPConfig


def fake_run(runs_dir: Path, run_id: str, owner: str | None, accuracy: float = 0.5) -> str:
    """A complete-looking run folder; model.keras is a placeholder (never loaded here)."""
    folder = Path(runs_dir) / run_id
    folder.mkdir(parents=True)
    info = {
        "run_id": run_id,
        "name": f"name-of-{run_id}",
        "status": "complete",
        "owner": owner,
        "created": run_id,
        "params": 1000,
        "timing": {"train_seconds": 1.5},
    }
    (folder / "run.json").write_text(json.dumps(info))
    (folder / "config.json").write_text(json.dumps(MLPConfig().to_dict()))
    (folder / "history.json").write_text("{}")
    (folder / "metrics.json").write_text(json.dumps({"accuracy": accuracy}))
    (folder / "model.keras").write_bytes(b"placeholder")
    return run_id
