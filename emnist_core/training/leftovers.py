"""What saving and deleting can leave behind in a runs folder, and how the registry tidies it.

A kill while saving leaves a hidden `.tmp-<id>` folder; a delete cut short leaves
`.deleting-<id>-<x>`; a kill while a job's run lands or TensorBoard logs are staged leaves
`.landing-*` or `.tensorboard-*`. None is a run, so each is removed once they are older than
an hour (younger ones may belong to a save or delete still in progress). A folder that
looks like a run but cannot be read is a BrokenRun: listed with its reason, deletable.
"""

import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from emnist_core.errors import RunError

LEFTOVER_PREFIXES = (".tmp-", ".deleting-", ".landing-", ".tensorboard-")
MAX_LEFTOVER_AGE_SECONDS = 3600


@dataclass(frozen=True)
class BrokenRun:
    """A run folder that cannot be read; reason is the loader's message (names the fix)."""

    run_id: str
    run_dir: Path
    reason: str

    status = "broken"


def remove_tree(path: Path) -> None:
    """Delete a folder, or only the link when it is a symlink (never the run it points to)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def clean_leftovers(runs_dir: Path, max_age: float = MAX_LEFTOVER_AGE_SECONDS) -> list[str]:
    """Remove LEFTOVER_PREFIXES entries older than max_age seconds; their names."""
    if not runs_dir.is_dir():
        return []
    cutoff, cleaned = time.time() - max_age, []
    for entry in sorted(runs_dir.iterdir()):
        if not entry.name.startswith(LEFTOVER_PREFIXES):
            continue
        try:
            if entry.lstat().st_mtime > cutoff:
                continue
        except OSError:
            continue
        remove_tree(entry)
        if not entry.exists() and not entry.is_symlink():
            cleaned.append(entry.name)
    return cleaned


def check_display_name(name: str) -> str:
    """The stripped name, or RunError when it is empty or holds control or escape characters.

    Names are printed in terminals and shown in pages; an ESC sequence in one could
    rewrite the terminal, so every control and format character is refused.
    """
    if not name or not name.strip():
        raise RunError("a run's new name must not be empty.")
    bad = sorted({repr(ch) for ch in name if unicodedata.category(ch).startswith("C")})
    if bad:
        raise RunError(
            f"a run's name may not contain control characters or terminal escape codes "
            f"(found {', '.join(bad)}); use letters, digits, spaces and punctuation."
        )
    return name.strip()


def printable(name: str) -> str:
    """name with control and format characters shown escaped (names saved before the check)."""
    return "".join(
        ch.encode("unicode_escape").decode() if unicodedata.category(ch).startswith("C") else ch
        for ch in name
    )
