"""The runs an instructor published as class references: published.json beside the runs."""

import json
from pathlib import Path

from emnist_core.atomic import write_json

FILE_NAME = "published.json"  # a file, so RunRegistry (which reads folders) never lists it


def published_path(runs_dir: Path) -> Path:
    return Path(runs_dir) / FILE_NAME


def published_ids(runs_dir: Path) -> set[str]:
    """The published run ids; an absent or unreadable file means none."""
    try:
        data = json.loads(published_path(runs_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(run_id) for run_id in data.get("published", [])}


def set_published(runs_dir: Path, run_id: str, published: bool) -> None:
    """Add or drop one id, rewriting the file atomically."""
    ids = published_ids(runs_dir)
    ids = ids | {run_id} if published else ids - {run_id}
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    write_json(published_path(runs_dir), {"published": sorted(ids)})
