"""Job records in a small SQLite table beside the runs, so a restarted app re-attaches to its jobs.

The file is `.jobs.sqlite` in the runs folder (hidden, so the run registry skips it). The
cluster is the truth while a job lives; this table remembers which jobs belong to the
registry and how each ended.
"""

import json
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from emnist_core import settings

STORE_NAME = ".jobs.sqlite"
QUEUED, RUNNING, FINISHED, STOPPED, FAILED = "queued", "running", "finished", "stopped", "failed"
LIVE = (QUEUED, RUNNING)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, label TEXT NOT NULL, status TEXT NOT NULL,
    submitted REAL NOT NULL, round INTEGER NOT NULL DEFAULT 0, scheduler TEXT,
    started REAL, finished REAL, host TEXT, error TEXT, run_ids TEXT NOT NULL DEFAULT '[]'
)
"""


@dataclass
class JobRecord:
    """One job as the registry remembers it."""

    job_id: str
    owner: str
    label: str
    status: str
    submitted: float
    round: int = 0
    scheduler: str | None = None
    started: float | None = None
    finished: float | None = None
    host: str | None = None
    error: str | None = None
    run_ids: list[str] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.status in LIVE


class JobStore:
    """The jobs table of one runs folder."""

    def __init__(self, runs_dir: Path | str | None = None):
        self.path = settings.runs_dir(runs_dir) / STORE_NAME

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.row_factory = sqlite3.Row
        connection.execute(_SCHEMA)
        return connection

    def add(self, record: JobRecord) -> None:
        """Insert a record; one already there (added by another client) is kept."""
        row = asdict(record)
        row["run_ids"] = json.dumps(record.run_ids)
        names = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with closing(self._connect()) as db, db:
            db.execute(f"INSERT OR IGNORE INTO jobs ({names}) VALUES ({marks})", row)

    def update(self, job_id: str, **changes) -> None:
        """Change some fields of one job (run_ids as a list)."""
        if "run_ids" in changes:
            changes["run_ids"] = json.dumps(changes["run_ids"])
        allowed = {f.name for f in fields(JobRecord)}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown job fields {sorted(unknown)}")
        assignments = ", ".join(f"{name} = :{name}" for name in changes)
        with closing(self._connect()) as db, db:
            db.execute(
                f"UPDATE jobs SET {assignments} WHERE job_id = :job_id",
                {**changes, "job_id": job_id},
            )

    def get(self, job_id: str) -> JobRecord | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else _record(row)

    def all(self, limit: int = 200) -> list[JobRecord]:
        """Newest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY submitted DESC LIMIT ?", (limit,))
            return [_record(row) for row in rows.fetchall()]

    def live(self) -> list[JobRecord]:
        return [record for record in self.all() if record.live]


def _record(row: sqlite3.Row) -> JobRecord:
    values = dict(row)
    values["run_ids"] = json.loads(values["run_ids"] or "[]")
    return JobRecord(**values)
