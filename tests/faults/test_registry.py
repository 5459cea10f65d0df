"""Registry hygiene: broken runs listed and deletable, symlinked runs, names, per-thread temps."""

import json
import os
import threading
import time

import pytest

from emnist_core.atomic import write_bytes
from emnist_core.cli import main
from emnist_core.errors import RunError
from emnist_core.training.runs import RunRegistry
from tests.faults.conftest import snapshot


def test_broken_run_is_listed_with_its_reason_and_deletable(runs_dir, capsys):
    good = next(runs_dir.iterdir()).name
    broken = runs_dir / "20260101-000000-cnn-broken"
    broken.mkdir()
    (broken / "run.json").write_text(json.dumps({"status": "complete"}))
    assert main(["runs", "list", "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    assert good in out
    assert f"{broken.name:28s} broken" in out and "incomplete (missing config.json" in out
    assert main(["runs", "list", "--runs-dir", str(runs_dir), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"run_id": broken.name, "status": "broken"}.items() <= rows[-1].items()
    assert main(["runs", "delete", broken.name, "--yes", "--runs-dir", str(runs_dir)]) == 0
    assert not broken.exists() and [r.run_id for r in RunRegistry(runs_dir).list()] == [good]


def test_deleting_a_symlinked_run_keeps_its_target_and_leaves_nothing(runs_dir, tmp_path):
    elsewhere = tmp_path / "kept-elsewhere"
    real = next(runs_dir.iterdir())
    real.rename(elsewhere)
    (runs_dir / real.name).symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(elsewhere)
    RunRegistry(runs_dir).delete(real.name)
    assert list(runs_dir.iterdir()) == []  # no .deleting-* left behind
    assert snapshot(elsewhere) == before


def test_old_leftovers_are_cleaned_when_runs_list_opens_the_registry(runs_dir, capsys):
    before = snapshot(runs_dir)
    old, young = runs_dir / ".deleting-x-ab12", runs_dir / ".tmp-saving-now"
    for folder in (old, young):
        folder.mkdir()
        (folder / "model.keras").write_bytes(b"x")
    stamp = time.time() - 7200
    os.utime(old, (stamp, stamp))
    assert main(["runs", "list", "--runs-dir", str(runs_dir)]) == 0
    assert "cleaned .deleting-x-ab12" in capsys.readouterr().err
    assert not old.exists()
    assert young.joinpath("model.keras").read_bytes() == b"x", "a save in progress was removed"
    young.joinpath("model.keras").unlink()
    young.rmdir()
    assert snapshot(runs_dir) == before


@pytest.mark.parametrize("name", ["\x1b[2J\x1b[Hpwned", "tab\there", "bell\x07", "rtl\u202eevil"])
def test_rename_refuses_control_and_escape_characters(runs_dir, name, capsys):
    run_id = next(runs_dir.iterdir()).name
    before = snapshot(runs_dir)
    assert main(["runs", "rename", run_id, name, "--runs-dir", str(runs_dir)]) == 2
    assert "control characters or terminal escape codes" in capsys.readouterr().err
    assert snapshot(runs_dir) == before
    with pytest.raises(RunError):
        RunRegistry(runs_dir).rename(run_id, name)


def test_atomic_writes_from_many_threads_never_collide(tmp_path):
    target, errors = tmp_path / "shared.json", []

    def writer(n: int) -> None:
        try:
            for _ in range(50):
                write_bytes(target, str(n).encode() * 1000)
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(target.read_bytes())) == 1  # one writer's whole payload, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


def test_runs_list_escapes_a_hand_edited_name(runs_dir, capsys):
    run_dir = next(runs_dir.iterdir())
    info = json.loads((run_dir / "run.json").read_text())
    (run_dir / "run.json").write_text(json.dumps(dict(info, name="\x1b[2Jgone")))
    assert main(["runs", "list", "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2Jgone" in out
