"""Results, Compare and Runs pages on two tiny saved runs; quick-training offers with no runs."""

import pytest

from emnist_core.training.runs import RunRegistry
from tests.fixtures import open_page, texts


def _runs(app_env):
    return {run.name: run for run in RunRegistry(app_env["runs"]).list()}


def test_results_headline_matches_the_saved_test_metrics(app_env):
    app = open_page("results")
    run = _runs(app_env)["tiny-cnn"]
    app.selectbox(key="results_run").set_value(run.run_id).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Test accuracy"] == f"{run.metrics['accuracy']:.2%}"
    assert metrics["Parameters"] == f"{run.info['params']:,}"
    for name in ("Confusion matrix", "Most confused pairs", "Sample predictions", "Downloads"):
        assert any(name in text for text in texts(app.subheader)), name
    labels = [button.label for button in app.get("download_button")]
    assert labels == ["Metrics (CSV)", "Model file (.keras)"]


def test_run_choices_name_each_run_once(app_env):
    import dataclasses

    from dashboard.session.saved_runs import label

    run = _runs(app_env)["tiny-cnn"]
    assert label(run).startswith("tiny-cnn · CNN · ") and label(run).endswith(f" · {run.run_id}")
    unnamed = dataclasses.replace(run, info={k: v for k, v in run.info.items() if k != "name"})
    assert unnamed.name == run.run_id and label(unnamed).count(run.run_id) == 1


def test_results_cell_choice_shows_the_images_behind_it(app_env):
    from emnist_core.data import load
    from emnist_core.evaluation.metrics import evaluate

    app = open_page("results")
    run = _runs(app_env)["tiny-mlp"]
    app.selectbox(key="results_run").set_value(run.run_id).run()
    app.radio(key="results_norm").set_value("row-normalised").run()
    assert not app.exception
    dataset = load(app_env["data"])
    evaluation = evaluate(run.load_model(), dataset.test, dataset.classes)
    true_label = dataset.classes.index("A")
    pred_label = int(evaluation.predicted[evaluation.y_true == true_label][0])
    app.selectbox(key="results_true_None").set_value(true_label).run()
    app.selectbox(key="results_pred_None").set_value(pred_label).run()
    expected = int(evaluation.confusion[true_label, pred_label])
    assert expected >= 1
    assert any(
        f"**{expected} test image(s)** of **A** predicted as **{dataset.classes[pred_label]}**"
        in text
        for text in texts(app.markdown)
    )


def test_compare_shows_table_mcnemar_and_disagreements(app_env):
    app = open_page("compare")
    assert not app.exception
    tables = [frame.value for frame in app.dataframe]
    assert any(
        set(table.index) == {"tiny-mlp", "tiny-cnn"} and "accuracy" in table for table in tables
    )
    assert texts(app.info) + texts(app.success), "the plain-words McNemar verdict is missing"
    assert any(
        text.startswith("McNemar's test (") and "only tiny-cnn gets right" in text
        for text in texts(app.caption)
    )
    assert any("tiny-cnn against tiny-mlp" in text for text in texts(app.subheader))
    assert any(" right, " in text and " wrong** (" in text for text in texts(app.markdown))


def test_compare_needs_two_runs(app_env):
    app = open_page("compare")
    runs = _runs(app_env)
    app.multiselect(key="compare_runs").set_value([runs["tiny-mlp"].run_id]).run()
    assert any("at least two runs" in text for text in texts(app.info))


def test_runs_page_renames_and_deletes_after_confirmation(app_env):
    app = open_page("runs")
    run = _runs(app_env)["tiny-mlp"]
    app.selectbox(key="runs_pick").set_value(run.run_id).run()
    app.text_input(key=f"runs_name_{run.run_id}").set_value("renamed-mlp").run()
    app.button(key=f"runs_rename_{run.run_id}").click().run()
    assert not app.exception
    assert "renamed-mlp" in _runs(app_env)
    app.button(key=f"runs_delete_{run.run_id}").click().run()
    assert any("for good" in text for text in texts(app.warning))
    assert run.run_id in {r.run_id for r in RunRegistry(app_env["runs"]).list()}
    app.button(key=f"runs_cancel_{run.run_id}").click().run()
    assert run.run_id in {r.run_id for r in RunRegistry(app_env["runs"]).list()}
    app.button(key=f"runs_delete_{run.run_id}").click().run()
    app.button(key=f"runs_confirm_{run.run_id}").click().run()
    assert not app.exception
    assert run.run_id not in {r.run_id for r in RunRegistry(app_env["runs"]).list()}
    assert any("Deleted" in text for text in texts(app.success))


def test_runs_page_shows_the_config(app_env):
    app = open_page("runs")
    run = _runs(app_env)["tiny-cnn"]
    app.selectbox(key="runs_pick").set_value(run.run_id).run()
    shown = app.get("json")[0].proto.body
    assert '"conv_filters"' in shown and '"family": "cnn"' in shown


@pytest.mark.parametrize("page", ["results", "compare", "draw"])
def test_pages_without_runs_offer_quick_training(app_env, page, monkeypatch, tmp_path):
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "no-runs"))
    app = open_page(page)
    assert any("quick" in text and "BENCHMARKS.md" in text for text in texts(app.info))
    assert any(button.label.startswith("Train quick") for button in app.button)


def test_a_run_stopped_before_its_first_batch_opens_everywhere(app_env, synthetic_dataset):
    """A Stop during the pen drawings saves a run with no epochs: every page still reads it."""
    import threading

    from emnist_core.models.config import CNNConfig
    from emnist_core.training.loop import train

    stop = threading.Event()
    stop.set()
    run = train(
        CNNConfig(conv_filters=(4,), dense_units=(), epochs=2, batch_size=64, drawn_share=0.1),
        synthetic_dataset,
        stop_event=stop,
        runs_dir=app_env["runs"],
        name="stopped-at-once",
    )
    assert run.status == "stopped" and not run.history.get("loss")
    app = open_page("results")
    app.selectbox(key="results_run").set_value(run.run_id).run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("no per-epoch history" in text for text in texts(app.info))
    compare = open_page("compare")
    compare.multiselect(key="compare_runs").set_value(
        [run.run_id, _runs(app_env)["tiny-mlp"].run_id]
    ).run()
    assert not compare.exception, [e.message for e in compare.exception]
    assert not open_page("runs").exception
