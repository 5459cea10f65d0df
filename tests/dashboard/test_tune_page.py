"""Tune page: space builder and its messages, a study started and watched, the best trial used."""

import json

import pytest

from dashboard.session import train_jobs
from emnist_core.training.runs import RunRegistry
from tests.fixtures import open_page, texts

TINY_YAML = """family: mlp
base: quick
params:
  hidden_units: [16]
  batch_size: 64
  batch_norm: false
  epochs: 1
  learning_rate: {low: 1e-3, high: 1e-2, log: true}
"""


@pytest.fixture
def tune_env(app_env, monkeypatch, tmp_path):
    """The app_env plus a private study storage and presets folder."""
    url = f"sqlite:///{tmp_path / 'optuna.db'}"
    monkeypatch.setenv("EMNIST_OPTUNA_STORAGE", url)
    monkeypatch.setenv("EMNIST_PRESETS_DIR", str(tmp_path / "presets"))
    return {**app_env, "storage": url, "presets": tmp_path / "presets"}


def _other_machine_study(env, synthetic_dataset) -> None:
    """A study run elsewhere (here: through the library) into the same storage."""
    from emnist_core.tuning.space_files import parse_space
    from emnist_core.tuning.worker import TuneSettings, open_study, run_study

    settings = TuneSettings(trials=1, seed=0)
    study = open_study(
        parse_space(TINY_YAML), name="from-elsewhere", storage=env["storage"], settings=settings
    )
    run_study(study, synthetic_dataset, settings=settings, runs_dir=env["runs"])


def test_page_shows_the_space_builder_and_an_empty_storage(tune_env):
    app = open_page("tune")
    assert any("Searching optimizer, learning_rate" in text for text in texts(app.caption))
    assert any("No study in this storage yet" in text for text in texts(app.info))
    assert not app.button(key="tune_start").disabled
    app.radio(key="tune_family").set_value("cnn").run()
    assert not app.exception
    assert any("conv_filters" in text for text in texts(app.caption))


def test_bad_spaces_show_the_library_message_and_block_start(tune_env):
    app = open_page("tune")
    app.number_input(key="tune_space_mlp_learning_rate_low").set_value(0.5).run()
    assert any("'learning_rate' has an empty range" in text for text in texts(app.error))
    assert app.button(key="tune_start").disabled
    app.number_input(key="tune_space_mlp_learning_rate_low").set_value(1e-4).run()
    app.multiselect(key="tune_space_mlp_optimizer").set_value([]).run()
    assert any("'optimizer' has an empty choice" in text for text in texts(app.error))
    app.radio(key="tune_space_mode").set_value("Load a file or edit YAML").run()
    unknown = "family: mlp\nparams: {hidden_unitz: 3}"
    app.text_area(key="tune_space_mlp_text").set_value(unknown).run()
    assert any("'hidden_unitz' is not a mlp config field" in text for text in texts(app.error))
    assert app.button(key="tune_start").disabled and not app.exception


def test_an_unreachable_storage_is_explained(tune_env):
    app = open_page("tune")
    app.text_input(key="tune_storage").set_value("postgresql://lab:pw@127.0.0.1:1/studies").run()
    assert not app.exception
    assert any(
        "cannot open the study storage postgresql://lab:***@127.0.0.1" in text
        for text in texts(app.error)
    )


def test_studies_from_elsewhere_show_up_and_a_clash_is_refused(tune_env, synthetic_dataset):
    _other_machine_study(tune_env, synthetic_dataset)
    app = open_page("tune")
    assert app.selectbox(key="tune_pick").value == "from-elsewhere"
    table = app.dataframe[0].value  # the trials table, read from the shared storage
    assert list(table["trial"]) == [0] and table["run_id"].notna().all()
    assert any(m.label.startswith("Best trial #0") for m in app.metric)
    # the default widget space differs from that study's: starting under its name is refused
    app.text_input(key="tune_name").set_value("from-elsewhere").run()
    app.button(key="tune_start").click().run()
    assert any("already exists with a different search space" in text for text in texts(app.error))
    assert "tune_job_id" not in app.session_state  # refused before anything was queued


def test_start_watch_and_use_the_best_trial(tune_env):
    app = open_page("tune")
    app.radio(key="tune_space_mode").set_value("Load a file or edit YAML").run()
    app.text_area(key="tune_space_mlp_text").set_value(TINY_YAML).run()
    app.text_input(key="tune_name").set_value("page-study").run()
    app.number_input(key="tune_trials").set_value(2).run()
    app.button(key="tune_start").click().run()
    assert not app.exception, [e.message for e in app.exception]
    tracker = train_jobs.job_tracker()
    job = tracker.get(app.session_state["tune_job_id"])
    assert job is not None and job.label == "study page-study" and job.owner.startswith("session")
    if job.running:  # while it runs: its queue place or trial count, and a Stop button
        app.run()
        progress = [element.proto.text for element in app.get("progress")]
        assert any(t.startswith(("Trial ", "'study page-study' waits")) for t in progress), progress
        assert app.button(key="tune_stop")
    assert job.wait(300) and job.status == "finished", job.error
    landed = RunRegistry(tune_env["runs"]).list()  # trial runs sent back by the worker
    assert sorted(r.name for r in landed if r.name.startswith("page-study")) == [
        "page-study #0",
        "page-study #1",
    ]
    app.run()
    assert app.selectbox(key="tune_pick").value == "page-study"
    assert [m.value for m in app.metric[:4]] == ["2", "0", "0", "0"]  # complete, pruned, ...
    assert len(app.get("plotly_chart")) >= 2
    app.button(key="tune_save_preset").click().run()
    saved = json.loads((tune_env["presets"] / "mlp-page-study-best.json").read_text())
    assert saved["source"]["study"] == "page-study" and saved["config"]["hidden_units"] == [16]
    app.number_input(key="tune_full_epochs").set_value(1).run()
    app.button(key="tune_train_full").click().run()
    assert any("started" in text for text in texts(app.success))
    training = tracker.get(app.session_state["train_job_id"])
    assert training.wait(300) and training.status == "finished", training.error
    names = [run.name for run in RunRegistry(tune_env["runs"]).list()]
    assert "page-study-best" in names
