"""Train page: form from the config fields, library validation messages, cluster job, Stop."""

import threading
import time

from dashboard.session import train_jobs
from emnist_core.models.config import MLPConfig
from emnist_core.models.fields import field_spec
from emnist_core.training.runs import RunRegistry
from tests.fixtures import open_page, texts


def _params(app) -> str:
    return next(m.value for m in app.metric if m.label.startswith("Trainable"))


def test_form_shows_every_config_field_with_help(app_env):
    import dataclasses

    from emnist_core.models.config import MLPConfig

    app = open_page("train")
    labels = {
        w.label: w
        for group in (app.number_input, app.checkbox, app.selectbox, app.text_input)
        for w in group
    }
    for field in dataclasses.fields(MLPConfig):
        widget = labels[field.name.replace("_", " ")]
        assert widget.help and "default" in widget.help, field.name
    from emnist_core.models.presets import get_preset

    quick = get_preset("mlp", "quick")
    assert labels["hidden units"].value == ", ".join(map(str, quick.hidden_units))
    assert labels["epochs"].value == quick.epochs


def test_family_switch_changes_the_model_summary(app_env):
    app = open_page("train")
    mlp_params = _params(app)
    app.radio(key="train_family").set_value("cnn").run()
    assert not app.exception
    assert _params(app) != mlp_params
    assert "conv filters" in [w.label for w in app.text_input]


def test_impossible_value_shows_the_library_message_and_blocks_start(app_env):
    app = open_page("train")
    app.number_input(key="train_mlp_quick_dropout").set_value(1.5).run()
    assert any("dropout=1.5 is not allowed" in text for text in texts(app.error))
    assert app.button(key="train_start").disabled
    app.number_input(key="train_mlp_quick_dropout").set_value(0.1).run()
    app.text_input(key="train_mlp_quick_hidden_units").set_value("64, abc").run()
    assert any("hidden_units" in text and "whole numbers" in text for text in texts(app.error))


def test_start_trains_in_the_background_and_saves_a_run(app_env):
    app = open_page("train")
    app.number_input(key="train_mlp_quick_epochs").set_value(1).run()
    app.text_input(key="train_mlp_quick_hidden_units").set_value("16").run()
    app.text_input(key="train_name_mlp_quick").set_value("from-the-page").run()
    before = {run.run_id for run in RunRegistry(app_env["runs"]).list()}
    app.button(key="train_start").click().run()
    assert not app.exception
    job = train_jobs.job_tracker().get(app.session_state["train_job_id"])
    assert job is not None and job.label == "from-the-page"
    assert job.owner.startswith("session-")  # the browser session owns it in the fair queue
    assert not [t for t in threading.enumerate() if "train" in t.name]  # no server thread
    assert job.wait(300) and job.status == "finished", job.error
    assert job.host  # the worker that trained it
    app.run()
    assert any("finished" in text for text in texts(app.success))
    new = [run for run in RunRegistry(app_env["runs"]).list() if run.run_id not in before]
    assert [run.name for run in new] == ["from-the-page"]
    assert new[0].config.hidden_units == (16,) and new[0].config.epochs == 1


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.time() + timeout
    while not condition() and time.time() < deadline:
        time.sleep(0.1)
    return condition()


def test_a_second_start_waits_in_the_queue_and_stop_ends_both(app_env):
    app = open_page("train")
    app.number_input(key="train_mlp_quick_epochs").set_value(500).run()
    app.text_input(key="train_mlp_quick_hidden_units").set_value("16").run()
    app.text_input(key="train_name_mlp_quick").set_value("a long MLP").run()
    app.button(key="train_start").click().run()
    tracker = train_jobs.job_tracker()
    first = tracker.get(app.session_state["train_job_id"])
    try:
        assert _wait_until(lambda: first.snapshot()["progress"].get("epoch"), 240), first.error
        app.run()
        assert any(
            "Training 'a long MLP'" in p.text and "ETA" in p.text for p in app.get("progress")
        )
        app.button(key="train_start").click().run()  # one slot, held by the first job
        second = tracker.get(app.session_state["train_job_id"])
        assert second is not first
        assert _wait_until(lambda: second.snapshot()["position"] == 1, 10)
        app.run()
        assert any("waits for a training slot: number 1" in p.text for p in app.get("progress"))
        app.button(key="train_job_stop").click().run()  # a waiting job is cancelled at once
        assert second.wait(30) and second.status == "stopped"
        first.stop()
        assert first.wait(120) and first.status == "stopped", first.error
        app.run()
        assert any("was stopped" in text for text in texts(app.warning))
    finally:
        for job in (first, tracker.get(app.session_state["train_job_id"])):
            job.stop()
            job.wait(120)


def test_form_choices_survive_a_visit_to_another_page(app_env):
    app = open_page("train")
    app.radio(key="train_family").set_value("cnn").run()
    app.number_input(key="train_cnn_quick_epochs").set_value(2).run()
    app.switch_page("views/runs.py").run()
    app.switch_page("views/train.py").run()
    assert app.radio(key="train_family").value == "cnn"
    assert app.number_input(key="train_cnn_quick_epochs").value == 2


def test_train_form_bounds_come_from_the_spec(app_env):
    app = open_page("train")
    epochs = app.number_input(key="train_mlp_quick_epochs")
    spec = field_spec(MLPConfig, "epochs")
    assert (epochs.min, epochs.max) == (spec.low, spec.high)
    assert spec.help in epochs.help
    dropout = app.number_input(key="train_mlp_quick_dropout")
    assert dropout.min == 0 and dropout.max is None  # the open end is left to validation
    optimizer = app.selectbox(key="train_mlp_quick_optimizer")
    assert tuple(optimizer.options) == field_spec(MLPConfig, "optimizer").choices
