"""Saved runs: atomic saving, a registry that skips half-written folders, rename and delete."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emnist_core.errors import RunError
from emnist_core.models.config import MLPConfig
from emnist_core.training.loop import train
from emnist_core.training.runs import RUN_FILES, RunRegistry, save_run

TINY = MLPConfig(hidden_units=(8,), epochs=1, batch_size=64)


@pytest.fixture(scope="module")
def saved_run(synthetic_dataset, tmp_path_factory):
    """One finished tiny run, copied per test so tests may damage it."""
    return train(TINY, synthetic_dataset, runs_dir=tmp_path_factory.mktemp("runs"), name="tiny")


@pytest.fixture
def runs_dir(saved_run, tmp_path):
    shutil.copytree(saved_run.run_dir, tmp_path / saved_run.run_id)
    return tmp_path


def test_run_folder_holds_every_file(saved_run):
    names = sorted(p.name for p in saved_run.run_dir.iterdir())
    assert names == sorted(RUN_FILES + ("results.npz",))  # results: optional, for the pages
    assert json.loads((saved_run.run_dir / "config.json").read_text()) == TINY.to_dict()
    info = json.loads((saved_run.run_dir / "run.json").read_text())
    assert info["status"] == "complete" and info["family"] == "mlp"
    assert set(info["versions"]) >= {"python", "tensorflow", "keras", "numpy"}
    assert {
        "train_seconds",
        "train_cpu_seconds",
        "epochs_run",
        "seconds_per_epoch",
        "images_per_second",
    } <= set(info["timing"])
    assert info["timing"]["train_cpu_seconds"] > 0
    assert not [p for p in saved_run.run_dir.parent.iterdir() if p.name.startswith(".")]


def test_registry_get_and_list(runs_dir, saved_run):
    registry = RunRegistry(runs_dir)
    run = registry.get(saved_run.run_id)
    assert run.config == TINY and run.metrics == saved_run.metrics
    assert run.history == saved_run.history
    assert [r.run_id for r in registry.list()] == [saved_run.run_id]


def test_list_is_newest_first(runs_dir, saved_run):
    older = runs_dir / "20000101-000000-mlp-old000"
    shutil.copytree(saved_run.run_dir, older)
    info = json.loads((older / "run.json").read_text())
    (older / "run.json").write_text(json.dumps(dict(info, created="2000-01-01T00:00:00+00:00")))
    assert [r.run_id for r in RunRegistry(runs_dir).list()] == [saved_run.run_id, older.name]


@pytest.mark.parametrize("damage", ["no_run_json", "bad_json", "no_model", "bad_status", "tmp"])
def test_half_written_or_broken_folders_are_skipped_not_deleted(runs_dir, saved_run, damage):
    broken = runs_dir / ("x" if damage != "tmp" else ".tmp-x")
    shutil.copytree(saved_run.run_dir, broken)
    if damage == "no_run_json":
        (broken / "run.json").unlink()
    elif damage == "bad_json":
        (broken / "metrics.json").write_text("{ half")
    elif damage == "no_model":
        (broken / "model.keras").unlink()
    elif damage == "bad_status":
        (broken / "run.json").write_text(json.dumps({"status": "running"}))
    registry = RunRegistry(runs_dir)
    assert [r.run_id for r in registry.list()] == [saved_run.run_id]
    assert broken.exists()
    if damage != "tmp":
        with pytest.raises(RunError, match=f"{broken}.*(delete|train)"):
            registry.get("x")


def test_missing_run_error_names_folder_and_fix(tmp_path):
    with pytest.raises(RunError, match=r"no run folder at .*nope.*runs list"):
        RunRegistry(tmp_path).get("nope")
    with pytest.raises(RunError, match="not a run id"):
        RunRegistry(tmp_path).get("../escape")
    assert RunRegistry(tmp_path / "absent").list() == []


def test_crash_while_saving_leaves_nothing_listed(
    runs_dir, saved_run, monkeypatch, tmp_path_factory
):
    monkeypatch.setenv("EMNIST_RECOVERY_DIR", str(tmp_path_factory.mktemp("recovery")))

    class ExplodingModel:
        def save(self, path):
            Path(path).write_bytes(b"half a model")
            raise OSError("disk full")

    with pytest.raises(RunError, match="disk full.*recovery folder.*lost"):
        save_run(
            runs_dir,
            "crashy",
            model=ExplodingModel(),
            config=TINY,
            history={},
            metrics={},
            info={"status": "complete"},
        )
    assert sorted(p.name for p in runs_dir.iterdir()) == [saved_run.run_id]


def test_killed_save_leaves_only_a_hidden_folder(runs_dir, saved_run):
    # a process killed (SIGKILL) half-way through writing: nothing is cleaned up, nothing listed
    script = textwrap.dedent(f"""
        import os, signal
        from emnist_core.models.config import MLPConfig
        from emnist_core.training.runs import save_run
        class Model:
            def save(self, path):
                open(path, "wb").write(b"partial")
                os.kill(os.getpid(), signal.SIGKILL)
        save_run({str(runs_dir)!r}, "killed", model=Model(), config=MLPConfig(), history={{}},
                 metrics={{}}, info={{"status": "complete"}})
    """)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    result = subprocess.run([sys.executable, "-c", script], env=env, timeout=60)
    assert result.returncode == -9
    assert (runs_dir / ".tmp-killed").is_dir() and not (runs_dir / "killed").exists()
    assert [r.run_id for r in RunRegistry(runs_dir).list()] == [saved_run.run_id]


def test_rename_rewrites_only_the_name(runs_dir, saved_run):
    registry = RunRegistry(runs_dir)
    renamed = registry.rename(saved_run.run_id, "  my best MLP ")
    assert renamed.name == "my best MLP" and renamed.run_id == saved_run.run_id
    assert registry.get(saved_run.run_id).info == dict(saved_run.info, name="my best MLP")
    with pytest.raises(RunError, match="empty"):
        registry.rename(saved_run.run_id, " ")


def test_one_folder_named_two_ways_is_one_data_label(saved_run, tmp_path, monkeypatch):
    """Runs saved before sources were recorded absolute: the CLI's '../emnist' and the app's
    full path to the same folder must group together on Why CNNs win, and other folders not."""
    import dataclasses

    monkeypatch.chdir(tmp_path)

    def trained_on(source):
        data = dict(saved_run.info["data"], source=source, label=f"EMNIST balanced from {source}")
        return dataclasses.replace(saved_run, info=dict(saved_run.info, data=data))

    full = trained_on(str(tmp_path.parent / "emnist")).data_label
    assert trained_on("../emnist").data_label == full
    assert trained_on(f"{tmp_path}/../emnist").data_label == full
    assert full == f"EMNIST balanced from {tmp_path.parent / 'emnist'}"
    assert trained_on("../other").data_label != full
    assert trained_on("../emnist").data_folder == str(tmp_path.parent / "emnist")


def test_delete_removes_the_folder(runs_dir, saved_run):
    registry = RunRegistry(runs_dir)
    registry.delete(saved_run.run_id)
    assert registry.list() == [] and list(runs_dir.iterdir()) == []
    with pytest.raises(RunError, match="nothing to delete"):
        registry.delete(saved_run.run_id)


def test_corrupt_model_file_gives_run_error(runs_dir, saved_run):
    run = RunRegistry(runs_dir).get(saved_run.run_id)
    run.model_path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RunError, match=r"model.keras.*corrupt.*runs delete"):
        run.load_model()
