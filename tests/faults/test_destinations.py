"""Destinations are checked before the work; a failed save keeps the run; writers never clobber."""

import os
import subprocess
import sys
import textwrap

import pytest

from emnist_core.cli import main
from emnist_core.data import load, write_synthetic
from emnist_core.errors import EmnistError, RunError
from emnist_core.models.config import MLPConfig
from emnist_core.training.runs import RunRegistry
from tests.faults.conftest import snapshot
from tests.fixtures import write_idx_folder

TINY = MLPConfig(hidden_units=(8,), epochs=2, batch_size=64)


def test_runs_dir_that_is_a_file_fails_before_epoch_1(synthetic_dataset, tmp_path):
    from emnist_core.training.loop import train

    blocker = tmp_path / "runs"
    blocker.write_text("my notes")
    epochs = []
    with pytest.raises(EmnistError, match=f"{blocker} is a file, not a folder"):
        train(TINY, synthetic_dataset, runs_dir=blocker, progress=epochs.append)
    assert epochs == [], "training started although the runs folder was unusable"
    assert blocker.read_text() == "my notes"


def test_save_that_fails_keeps_the_run_in_the_recovery_folder(synthetic_dataset, tmp_path):
    from emnist_core.training.loop import train

    runs = tmp_path / "runs"

    def break_the_folder(progress):  # the folder vanishes during the last epoch
        if progress.event == "epoch" and progress.epoch == progress.epochs:
            runs.rmdir()
            runs.write_text("now a file")

    with pytest.raises(RunError, match="could not save run .* is kept in (\\S+); fix") as caught:
        train(TINY, synthetic_dataset, runs_dir=runs, progress=break_the_folder)
    kept = os.environ["EMNIST_RECOVERY_DIR"]
    recovered = RunRegistry(kept).list()
    assert len(recovered) == 1 and str(recovered[0].run_dir) in str(caught.value)
    assert recovered[0].load_model() is not None


def test_full_disk_efbig_is_refused_before_training(synthetic_dir, runs_dir):
    # A small RLIMIT_FSIZE makes writes fail with EFBIG, as a full disk fails them.
    before = snapshot(runs_dir)
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        from emnist_core.cli import main
        sys.exit(main(["train", "--model", "mlp", "--epochs", "1", "--no-progress",
                       "--data-dir", {str(synthetic_dir)!r}, "--runs-dir", {str(runs_dir)!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "ulimit -f" in done.stderr and "nothing was written" in done.stderr
    assert snapshot(runs_dir) == before


def test_efbig_while_writing_data_keeps_the_old_files(tmp_path):
    out = write_synthetic(tmp_path / "synth", per_class=2, test_per_class=1)
    before = snapshot(out)
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_FSIZE, (3_000, 3_000))
        from emnist_core.data import write_synthetic
        write_synthetic({str(out)!r}, per_class=20, test_per_class=5)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode != 0 and "File too large" in done.stderr
    assert snapshot(out) == before  # atomic writes: old files whole, no temporary left


def test_synth_refuses_to_replace_real_data(tmp_path, capsys):
    real = tmp_path / "emnist"
    write_idx_folder(real)
    before = snapshot(real)
    assert main(["data", "synth", "--out", str(real), "--per-class", "1"]) == 2
    assert "did not make" in capsys.readouterr().err
    assert snapshot(real) == before and not load(real).synthetic
    assert main(["data", "synth", "--out", str(real), "--per-class", "1", "--force"]) == 0
    assert load(real).synthetic


def test_synth_into_a_file_is_refused(tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("keep me")
    assert main(["data", "synth", "--out", str(blocker)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert blocker.read_text() == "keep me"


def test_synth_over_its_own_set_needs_no_force(tmp_path):
    out = write_synthetic(tmp_path / "demo", per_class=1, test_per_class=1)
    assert main(["data", "synth", "--out", str(out), "--per-class", "2"]) == 0


def test_preset_export_never_replaces_a_foreign_file(tmp_path):
    from emnist_core.tuning.reports import save_preset
    from emnist_core.tuning.storage import StudyError

    foreign = tmp_path / "mlp-best.json"
    foreign.write_text("my own notes, not a preset")
    with pytest.raises(StudyError, match="not a preset saved by the lab; nothing was written"):
        save_preset(TINY, "best", tmp_path)
    assert foreign.read_text() == "my own notes, not a preset"
    assert save_preset(TINY, "best", tmp_path, force=True) == foreign
    assert save_preset(TINY.replace(epochs=3), "best", tmp_path) == foreign  # its own: replaced


def test_full_disk_efbig_refuses_a_download_before_the_first_byte(tmp_path, served_archive):
    url, sha, _ = served_archive
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.txt").write_text("the user's own file")
    before = snapshot(data)
    # As the CLI does: an EmnistError is a message and exit code 2, anything else a traceback.
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000, 1_000))
        from emnist_core.data.download import download
        from emnist_core.errors import EmnistError
        try:
            download({str(data)!r}, urls=[{url!r}], sha256={sha!r}, progress=False)
        except EmnistError as error:
            sys.exit(f"error: {{error}}")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "ulimit -f" in done.stderr and "nothing was written" in done.stderr
    assert snapshot(data) == before  # no partial archive, no half-extracted file
