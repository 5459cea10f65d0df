"""Atomic file writes: write to a temporary file beside the target, then rename.

A rename within one folder is atomic on POSIX, so a crash or a Stop leaves either
the old file or the new one, never half of one. Everything the lab saves goes here.
"""

import json
import os
from pathlib import Path
from typing import Any


def write_bytes(path: Path, payload: bytes) -> None:
    """Write bytes to path atomically (fsync before the rename so it survives a power cut)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text to path atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj: Any) -> None:
    """Write obj as indented JSON to path atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
