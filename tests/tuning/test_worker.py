"""Tuning: a study end to end through the CLI, pruning, resuming, stopping, and every bad input."""

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

from emnist_core.cli import main
from emnist_core.models.config import MLPConfig, config_from_dict
from emnist_core.training.runs import RunRegistry, load_run
from emnist_core.tuning.reports import (
    best_config,
    list_studies,
    save_preset,
    study_figures,
    study_view,
    trials_frame,
)
from emnist_core.tuning.space_files import space_from_dict
from emnist_core.tuning.storage import StudyError
from emnist_core.tuning.worker import TuneSettings, open_study, run_study, selection_score
from tests.fixtures import lab_args, lab_command

REPO = Path(__file__).resolve().parents[2]
# Tiny models so a trial takes a few seconds on the synthetic set.
TINY = {
    "hidden_units": [16],
    "batch_size": 64,
    "batch_norm": False,
    "dropout": 0.0,
    "lr_schedule": "constant",
}
LR = {"low": 1e-3, "high": 1e-2}


def tiny_space(**params) -> dict:
    return {"family": "mlp", "base": "quick", "params": {**TINY, **params}}


def write_space(folder: Path, **params) -> Path:
    path = folder / "space.json"
    path.write_text(json.dumps(tiny_space(**params)))
    return path


def sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'optuna.db'}"


def trials_of(name: str, url: str) -> list:
    return optuna.load_study(study_name=name, storage=url).get_trials()


def test_a_three_trial_study_end_to_end(synthetic_dir, tmp_path, capsys):
    space = write_space(
        tmp_path, learning_rate={**LR, "log": True}, hidden_units={"choice": [[16], [32]]}
    )
    runs, url = tmp_path / "runs", sqlite(tmp_path)
    code = main(
        lab_args(
            "tune",
            model="mlp",
            space=space,
            trials="3",
            epochs="1",
            study="e2e",
            storage=url,
            data_dir=synthetic_dir,
            runs_dir=runs,
            seed="1",
        )
    )
    assert code == 0
    out, err = capsys.readouterr()
    assert "trial 1 of 3 (#0)" in err and "trial 3 of 3 (#2)" in err and "best so far" in err
    trials = trials_of("e2e", url)
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3
    best = max(trials, key=lambda t: t.value)
    assert f"best trial #{best.number} (chosen on validation accuracy {best.value:.4f})" in out
    assert "test metrics of that run" in out and "accuracy" in out
    for trial in trials:  # each trial is an ordinary saved run, tagged with its study and trial
        run = load_run(Path(trial.user_attrs["run_dir"]))
        assert run.info["tags"]["study"] == "e2e" and run.info["tags"]["trial"] == trial.number
        assert run.config.epochs == 1 and run.config.hidden_units in ((16,), (32,))
        assert run.config.learning_rate == pytest.approx(trial.params["learning_rate"])
        assert trial.value == pytest.approx(run.history["val_accuracy"][-1])  # validation, not test
        assert trial.user_attrs["test_metrics"]["accuracy"] == run.metrics["accuracy"]
    assert len(RunRegistry(runs).list()) == 3
    # the dashboard's views read the same storage
    assert list(list_studies(url)["study"]) == ["e2e"]
    view = study_view("e2e", url)
    assert view["states"] == {"COMPLETE": 3} and view["best"]["number"] == best.number
    assert list(view["trials"]["trial"]) == [0, 1, 2] and view["trials"]["run_id"].notna().all()
    assert set(study_figures(view["study"])) == {
        "optimisation history",
        "parallel coordinates",
        "parameter importances",
    }
    preset = save_preset(best_config(view["study"]), "from e2e", tmp_path / "presets")
    assert config_from_dict(
        json.loads(preset.read_text())["config"]
    ).learning_rate == pytest.approx(best.params["learning_rate"])


def test_pruning_stops_a_hopeless_trial(synthetic_dataset, tmp_path):
    space = space_from_dict(
        tiny_space(
            epochs=3, learning_rate={"choice": [0.003, 10.0]}, optimizer={"choice": ["adam", "sgd"]}
        )
    )
    settings = TuneSettings(trials=3, seed=0, pruner_startup_trials=2)
    study = open_study(space, name="prune", storage=sqlite(tmp_path), settings=settings)
    sound, hopeless = (
        {"learning_rate": 0.003, "optimizer": "adam"},
        {"learning_rate": 10.0, "optimizer": "sgd"},
    )
    for params in (sound, sound, hopeless):
        study.enqueue_trial(params)
    events = []
    result = run_study(
        study,
        synthetic_dataset,
        settings=settings,
        runs_dir=tmp_path / "runs",
        on_event=events.append,
    )
    good, _, bad = study.get_trials()
    assert good.state == TrialState.COMPLETE and good.value > 0.1
    assert bad.state == TrialState.PRUNED
    assert list(bad.intermediate_values) == [1]  # judged after epoch 1 of 3
    run = load_run(Path(bad.user_attrs["run_dir"]))
    assert run.status == "stopped" and len(run.history["loss"]) < 3
    ends = [e for e in events if e.get("kind") == "trial" and e["phase"] == "end"]
    assert [e["state"] for e in ends] == ["COMPLETE", "COMPLETE", "PRUNED"]
    assert result.states == {"COMPLETE": 2, "PRUNED": 1} and result.trials_run == 3
    assert list(trials_frame(study)["note"])[2] == "pruned after epoch 1"


def test_resume_continues_a_study_with_its_stored_space(synthetic_dir, tmp_path, capsys):
    space, url = write_space(tmp_path, epochs=1, learning_rate=LR), sqlite(tmp_path)
    common = [
        "--model",
        "mlp",
        "--study",
        "long",
        "--storage",
        url,
        "--data-dir",
        str(synthetic_dir),
        "--runs-dir",
        str(tmp_path / "runs"),
    ]
    assert main(["tune", *common, "--space", str(space), "--trials", "2"]) == 0
    assert main(["tune", *common, "--trials", "3", "--resume"]) == 0  # no --space: the stored one
    out, _ = capsys.readouterr()
    assert "this worker ran 1 trial(s)" in out
    trials = trials_of("long", url)
    assert [t.number for t in trials] == [0, 1, 2]
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert all(t.user_attrs["config"]["epochs"] == 1 for t in trials)
    # a study already at its budget runs nothing more
    assert main(["tune", *common, "--trials", "3", "--resume"]) == 0
    assert "this worker ran 0 trial(s)" in capsys.readouterr().out


def test_resuming_a_missing_study_says_so(tmp_path, capsys):
    code = main(
        lab_args(
            "tune",
            model="mlp",
            study="nope",
            storage=sqlite(tmp_path),
            resume=True,
            data_dir=tmp_path / "no-data",
        )
    )
    assert code == 2
    assert "there is no study 'nope' to resume" in capsys.readouterr().err


def test_a_name_clash_with_a_different_space_is_refused_before_training(tmp_path, capsys):
    url = sqlite(tmp_path)
    narrow = space_from_dict(tiny_space(dropout={"low": 0.0, "high": 0.3}))
    open_study(narrow, name="clash", storage=url)
    wide = space_from_dict(tiny_space(dropout={"low": 0.0, "high": 0.5}))
    with pytest.raises(StudyError, match=r"'clash'.*already exists with a different search space"):
        open_study(wide, name="clash", storage=url)
    # through the CLI: the clash is reported before the (missing) data folder is even read
    code = main(
        lab_args(
            "tune",
            model="mlp",
            study="clash",
            storage=url,
            data_dir=tmp_path / "no-data",
            runs_dir=tmp_path / "runs",
        )
    )
    assert code == 2
    assert "different search space" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
    # the same space joins the study instead (how several workers share one)
    assert open_study(narrow, name="clash", storage=url).study_name == "clash"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_database_is_a_clear_error_before_training(tmp_path, capsys):
    url = f"postgresql://lab:s3cret@127.0.0.1:{_closed_port()}/studies"
    started = time.monotonic()
    code = main(
        lab_args(
            "tune",
            model="mlp",
            storage=url,
            data_dir=tmp_path / "no-data",
            runs_dir=tmp_path / "runs",
        )
    )
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - started < 15
    assert "cannot open the study storage postgresql://lab:***@127.0.0.1" in err
    assert "s3cret" not in err and "server is running and reachable" in err
    assert not (tmp_path / "runs").exists()
    with pytest.raises(StudyError, match=r"cannot open the study storage"):
        open_study(None, name="x", storage="nosuchdb://host/db")


def test_stop_ends_the_trial_and_the_worker(synthetic_dataset, tmp_path):
    space = space_from_dict(tiny_space(epochs=3, learning_rate=LR))
    settings = TuneSettings(trials=5, seed=0)
    study = open_study(space, name="stop", storage=sqlite(tmp_path), settings=settings)
    stop = threading.Event()

    def on_event(event: dict) -> None:
        if event.get("event") == "batch" and event["step"] == 2:
            stop.set()

    result = run_study(
        study,
        synthetic_dataset,
        settings=settings,
        runs_dir=tmp_path / "runs",
        on_event=on_event,
        stop_event=stop,
    )
    assert result.stopped and result.trials_run == 1
    (trial,) = study.get_trials()
    assert trial.state == TrialState.PRUNED and trial.user_attrs["stopped"] == "by the user"
    assert load_run(Path(trial.user_attrs["run_dir"])).status == "stopped"


def test_a_space_whose_trials_all_fail_gives_up_with_the_reason(synthetic_dataset, tmp_path):
    space = space_from_dict(
        {
            "family": "cnn",
            "params": {"kernel_size": {"choice": [13]}, "padding": {"choice": ["valid"]}},
        }
    )
    settings = TuneSettings(trials=10)
    study = open_study(space, name="broken", storage=sqlite(tmp_path), settings=settings)
    with pytest.raises(StudyError, match=r"3 trials in a row failed.*kernel_size=13 is larger"):
        run_study(study, synthetic_dataset, settings=settings, runs_dir=tmp_path / "runs")
    assert [t.state for t in study.get_trials()] == [TrialState.FAIL] * 3
    assert all("kernel_size=13" in note for note in trials_frame(study)["note"])
    assert study_figures(study) == {}  # nothing completed: no figure to draw yet
    assert not (tmp_path / "runs").exists()


def test_workers_must_share_the_data(synthetic_dataset, tmp_path):
    space = space_from_dict(tiny_space(epochs=1))
    settings = TuneSettings(trials=1)
    study = open_study(space, name="data", storage=sqlite(tmp_path), settings=settings)
    stopped = threading.Event()
    stopped.set()  # the first worker records its data, then stops before any trial
    result = run_study(study, synthetic_dataset, settings=settings, stop_event=stopped)
    assert result.trials_run == 0
    train = synthetic_dataset.train.subset(np.arange(200))
    smaller = dataclasses.replace(synthetic_dataset, train=train)
    with pytest.raises(StudyError, match=r"was run on .* but this worker has"):
        run_study(study, smaller, settings=TuneSettings(trials=2), runs_dir=tmp_path / "runs")


def test_a_killed_worker_leaves_its_trial_failed_and_the_study_usable(
    synthetic_dir, synthetic_dataset, tmp_path
):
    # The worker's trial is far too long to finish before the kill (a 1-epoch trial on tiny
    # data can complete between two polls on a fast machine); the resumed study trains 1 epoch.
    space, url = write_space(tmp_path, epochs=500, learning_rate=LR), sqlite(tmp_path)
    worker = subprocess.Popen(
        lab_command(
            "tune",
            model="mlp",
            space=space,
            trials=2,
            study="killed",
            storage=url,
            data_dir=synthetic_dir,
            runs_dir=tmp_path / "runs",
            heartbeat=1,
        ),
        cwd=REPO,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until the worker is inside its first trial
            if "killed" in optuna.get_all_study_names(storage=url) and trials_of("killed", url):
                break
            assert worker.poll() is None, "the worker ended before starting a trial"
            time.sleep(0.2)
        worker.kill()
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert trials_of("killed", url)[0].state == TrialState.RUNNING  # what a dead worker leaves
    time.sleep(4)  # longer than the grace period (3 heartbeats of 1 s)
    settings = TuneSettings(trials=2, heartbeat_seconds=1)
    study = open_study(None, name="killed", storage=url, settings=settings, resume=True)
    short = space_from_dict(tiny_space(epochs=1, learning_rate=LR))
    result = run_study(
        study, synthetic_dataset, space=short, settings=settings, runs_dir=tmp_path / "runs"
    )
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    assert result.trials_run == 2


def test_selection_uses_the_validation_accuracy_of_the_kept_model():
    history = {"val_loss": [1.0, 0.5, 0.7], "val_accuracy": [0.3, 0.6, 0.65]}
    restoring = MLPConfig(early_stopping=True, restore_best_weights=True, monitor="val_loss")
    assert selection_score(restoring, history) == 0.6  # the best val_loss epoch was restored
    assert selection_score(restoring.replace(restore_best_weights=False), history) == 0.65
    assert selection_score(MLPConfig(early_stopping=False), history) == 0.65
    by_acc = restoring.replace(monitor="val_accuracy")
    assert selection_score(by_acc, {"val_accuracy": [0.3, 0.7, 0.5]}) == 0.7
    nan_first = {"val_loss": [float("nan"), 0.9], "val_accuracy": [0.1, 0.2]}
    assert selection_score(restoring, nan_first) == 0.2
    with pytest.raises(StudyError, match=r"no validation accuracy"):
        selection_score(restoring, {"loss": [1.0]})


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"trials": 0}, r"trials=0 is not allowed"),
        ({"trials": None}, r"a trial budget or a time budget"),
        ({"timeout": -1.0}, r"timeout=-1.0"),
        ({"sampler": "grid"}, r"sampler must be one of tpe, random"),
        ({"val_fraction": 0.0}, r"selected on the validation hold-out"),
        ({"prune_from_epoch": 0}, r"prune_from_epoch"),
    ],
)
def test_bad_settings_are_refused(changes, message):
    with pytest.raises(Exception, match=message):
        TuneSettings(**changes)


def test_the_cli_offers_every_sampler_without_importing_optuna():
    from emnist_core.cli import tune as tune_cli
    from emnist_core.tuning.worker import SAMPLERS

    assert tune_cli.SAMPLERS == SAMPLERS
    code = (
        "import sys; import emnist_core.cli as cli; cli.build_parser(); "
        "print('optuna' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_check_refuses_sampled_configs_before_they_train(synthetic_dataset, tmp_path):
    """A classroom's limits reach each trial: a refused config fails with the limit's message."""
    from emnist_core.classroom.config import Limits
    from emnist_core.classroom.limits import check_training

    space = space_from_dict(tiny_space(hidden_units={"choice": [[512]]}))
    settings = TuneSettings(trials=5)
    study = open_study(space, name="limited", storage=sqlite(tmp_path), settings=settings)
    tight = Limits(max_params=5_000)
    with pytest.raises(StudyError, match=r"3 trials in a row failed.*'maximum parameters'"):
        run_study(
            study,
            synthetic_dataset,
            settings=settings,
            runs_dir=tmp_path / "runs",
            check=lambda config: check_training(tight, config, synthetic_dataset.num_classes),
        )
    assert all("at most 5,000 allowed" in note for note in trials_frame(study)["note"])
    assert not (tmp_path / "runs").exists()  # nothing trained
