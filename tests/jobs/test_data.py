"""A worker's own copy of the data: found by fingerprint, named as the submitter names it."""

import shutil

import pytest

from emnist_core.data import load, write_synthetic
from emnist_core.errors import DataError
from emnist_core.jobs.data import data_ref, require_local


@pytest.fixture(autouse=True)
def no_default_folders(tmp_path, monkeypatch):
    """Only the hinted folders hold data, as on a worker with nothing set up."""
    monkeypatch.setenv("EMNIST_DATA_DIR", str(tmp_path / "no-data"))
    monkeypatch.setenv("EMNIST_SYNTHETIC_DIR", str(tmp_path / "no-demo"))


def test_a_workers_copy_is_named_by_the_submitters_folder(tmp_path, synthetic_dir):
    copy = shutil.copytree(synthetic_dir, tmp_path / "worker-copy")
    submitted = load(synthetic_dir)
    found = require_local(data_ref(submitted, hints=(str(copy),)))

    assert found.source == submitted.source != copy  # so its runs compare with the app's
    assert found.label == submitted.label
    assert any(str(copy) in note for note in found.notes)  # where it was read, kept
    assert (found.train.labels == submitted.train.labels).all()


def test_the_submitters_own_folder_is_returned_unchanged(synthetic_dir):
    submitted = load(synthetic_dir)
    found = require_local(data_ref(submitted, hints=(str(synthetic_dir),)))
    assert found.source == submitted.source
    assert not any("worker's copy" in note for note in found.notes)


def test_other_data_in_the_hinted_folder_is_not_taken_for_it(tmp_path, synthetic_dir):
    other = write_synthetic(tmp_path / "other", per_class=3, test_per_class=2)
    with pytest.raises(DataError, match="has no copy"):
        require_local(data_ref(load(synthetic_dir), hints=(str(other),)))


def test_the_run_record_names_the_copy_it_was_read_from(tmp_path, synthetic_dir):
    from emnist_core.models.build import build_model
    from emnist_core.models.config import MLPConfig
    from emnist_core.training.runs import run_info

    copy = shutil.copytree(synthetic_dir, tmp_path / "worker-copy")
    found = require_local(data_ref(load(synthetic_dir), hints=(str(copy),)))
    config = MLPConfig(hidden_units=(4,), epochs=1)
    record = run_info(
        run_id="r",
        config=config,
        dataset=found,
        model=build_model(config, found.num_classes),
        name=None,
        command=None,
        preset=None,
        stopped_at=None,
        train_seconds=1.0,
        train_cpu_seconds=1.0,
        history={"loss": [1.0]},
        sizes={"train": len(found.train)},
    )
    assert record["data"]["source"] == str(synthetic_dir)
    assert any(str(copy) in note for note in record["data"]["notes"])
