"""The official download as a cluster job: a worker fetches and extracts it, not the server.

The target is a folder of the app's machine, so the job is for the private cluster, whose
workers share this machine's disk; with an external cluster, download on the app's machine
with `emnist-lab data download`. The archive source travels in the spec (a mirror, or a
test's loopback server, is named by the submitter, never looked up in the worker).
"""

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from emnist_core.data.metadata import ARCHIVE_SHA256, ARCHIVE_URLS
from emnist_core.errors import DataError

REPORT_EVERY = 0.25  # seconds between byte-count events; the last one always goes


def download_label(folder: Path | str) -> str:
    """The job label pages find a folder's download by."""
    return f"Download EMNIST into {folder}"


@dataclass(frozen=True)
class DownloadSpec:
    """Download one split of the official archive into folder (an absolute path)."""

    folder: str
    split: str = "balanced"
    urls: tuple[str, ...] = ARCHIVE_URLS
    sha256: str = ARCHIVE_SHA256
    # Network and disk, not the cores: it runs on a worker's spare thread, so a download
    # never waits behind a training job for a slot.
    uses_train_slot: ClassVar[bool] = False

    @property
    def label(self) -> str:
        return download_label(self.folder)

    def run(self, dataset, report, stop: threading.Event, tmp: Path) -> None:
        """Fetch and extract; progress as {'kind': 'download', 'done', 'total'} byte counts."""
        from emnist_core.data.download import download

        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= REPORT_EVERY or (total and done >= total):
                last[0] = now
                report({"kind": "download", "done": done, "total": total})

        try:
            download(
                Path(self.folder),
                split=self.split,
                progress=progress,
                urls=list(self.urls),
                sha256=self.sha256,
            )
        except OSError as error:  # a disk error mid-way: say so, not "failed unexpectedly"
            raise DataError(f"the download into {self.folder} failed: {error}") from None
