"""Results, Compare and Why CNNs win read what a run saved when it finished; older runs compute."""

import pytest

from emnist_core.training.runs import RunRegistry
from tests.fixtures import open_page, texts


def _no_model(*args, **kwargs):
    raise AssertionError("a page loaded a model although the run saved its results")


def test_results_and_compare_open_without_loading_any_model(app_env, monkeypatch):
    monkeypatch.setattr("dashboard.session.saved_runs.load_model", _no_model)
    app = open_page("results")
    assert any("Confusion matrix" in text for text in texts(app.subheader))
    assert any("confidence be trusted" in text for text in texts(app.subheader))
    assert any("Temperature T =" in text for text in texts(app.caption))
    app.switch_page("views/compare.py").run()
    assert not app.exception, [e.message for e in app.exception]
    table = next(frame.value for frame in app.dataframe if "accuracy" in frame.value)
    assert {"test cross-entropy", "test ECE"} <= set(table.columns)
    runs = RunRegistry(app_env["runs"]).list()
    by_name = {run.name: run for run in runs}
    assert table.loc["tiny-cnn", "test ECE"] == pytest.approx(by_name["tiny-cnn"].metrics["ece"])


def test_runs_without_saved_results_are_evaluated_by_their_model(app_env, monkeypatch):
    from dashboard.session import saved_runs

    calls = []
    real = saved_runs._model  # what every evaluation path loads through (cached per server)

    def counting(runs_dir, run_id):
        calls.append(run_id)
        return real(runs_dir, run_id)

    for run in RunRegistry(app_env["runs"]).list():
        (run.run_dir / "results.npz").unlink()  # as a run saved by an older version
    monkeypatch.setattr("dashboard.session.saved_runs._model", counting)
    app = open_page("results")
    assert any("Confusion matrix" in text for text in texts(app.subheader))
    assert calls  # fell back to running the model over the test split


def test_why_page_embeds_from_the_saved_sample(app_env, monkeypatch):
    def no_embedding(*args, **kwargs):
        raise AssertionError("embedded again although the run saved its embedding")

    monkeypatch.setattr("emnist_core.analysis.representations.embed", no_embedding)
    app = open_page("why_cnns")
    assert any("last hidden layer" in text for text in texts(app.header))
    app.select_slider(key="why_per_class").set_value(5).run()
    assert not app.exception, [e.message for e in app.exception]
