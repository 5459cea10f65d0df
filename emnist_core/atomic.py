"""Atomic file writes, and the destination checks every long job makes before it starts.

A rename within one folder is atomic on POSIX, so a crash or a Stop leaves either
the old file or the new one, never half of one. Everything the lab saves goes here.
The checks run before the work (epoch 1, the first downloaded byte), so a folder that
is a file, read-only or too small fails in a second instead of after an hour.
"""

import json
import os
import resource
import shutil
import tempfile
from pathlib import Path
from typing import Any

from emnist_core.errors import DestinationError

MARGIN = 1.2  # estimates are rough; ask for a fifth more than the estimate


def write_bytes(path: Path, payload: bytes) -> None:
    """Write bytes to path atomically (fsync before the rename so it survives a power cut).

    The temporary name comes from mkstemp in the target folder: unique per thread and
    process, so the dashboard's threads never write into each other's temporary file.
    """
    path = Path(path)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; saved files are as readable as before
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to path atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj: Any) -> None:
    """Write obj as indented JSON to path atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")


def _existing_parent(folder: Path) -> Path:
    """The nearest part of folder that exists (what disk_usage can measure before mkdir)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def check_destination(folder: Path, need_bytes: int, what: str, biggest_file: int = 0) -> Path:
    """Make sure folder is a writable folder with room for need_bytes; returns it, created.

    what names the destination in the message ("runs folder", "data folder");
    biggest_file is checked against the process's file-size limit (ulimit -f), which
    fails a write with EFBIG just as a full disk fails it with ENOSPC.
    """
    folder = Path(folder).expanduser()
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise DestinationError(
            f"the {what} {folder} cannot be used: {blocker} is a file, not a folder. "
            "Choose another folder (or move the file away); nothing was written."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise DestinationError(
            f"the {what} {folder} is not writable ({error.strerror}). Choose a folder you "
            "can write to; nothing was written."
        ) from None
    _check_room(folder, need_bytes, what, biggest_file)
    return folder


def _check_room(folder: Path, need_bytes: int, what: str, biggest_file: int) -> None:
    need = int(need_bytes * MARGIN)
    free = shutil.disk_usage(_existing_parent(folder)).free
    if free < need:
        raise DestinationError(
            f"the {what} {folder} has {free / 1e6:,.0f} MB free but this job writes about "
            f"{need / 1e6:,.0f} MB. Free some space or choose a folder on another disk; "
            "nothing was written."
        )
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit != resource.RLIM_INFINITY and limit < int(biggest_file * MARGIN):
        raise DestinationError(
            f"this process may write files of at most {limit / 1e6:,.1f} MB (ulimit -f) but "
            f"the {what} needs one of about {biggest_file * MARGIN / 1e6:,.1f} MB. Raise the "
            "limit (ulimit -f unlimited) and start again; nothing was written."
        )
