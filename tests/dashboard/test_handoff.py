"""Results and Compare offer exports and the HTML report; Train can write TensorBoard logs."""

from dashboard.session import train_jobs
from emnist_core.training.runs import RunRegistry
from emnist_core.training.tensorboard import LOGS_FOLDER
from tests.fixtures import open_page


def _downloads(app) -> list[str]:
    return [button.label for button in app.get("download_button")]


def _run(app_env, name: str):
    return next(run for run in RunRegistry(app_env["runs"]).list() if run.name == name)


def test_results_exports_each_format_and_builds_a_report(app_env):
    app = open_page("results")
    run = _run(app_env, "tiny-cnn")
    app.selectbox(key="results_run").set_value(run.run_id).run()
    for fmt in ("zip", "onnx", "litert"):
        app.button(key=f"results_prepare_{fmt}").click().run()
        assert not app.exception, [e.message for e in app.exception]
    downloads = _downloads(app)
    for name in (".zip", ".onnx", ".tflite", ".labels.txt"):
        assert f"Download {run.run_id}{name}" in downloads, name
    app.button(key="results_report").click().run()
    assert not app.exception and "Download report (HTML)" in _downloads(app)


def test_compare_builds_a_report_of_the_chosen_runs(app_env):
    app = open_page("compare")
    assert "Download report (HTML)" not in _downloads(app)
    app.button(key="compare_report").click().run()
    assert not app.exception and "Download report (HTML)" in _downloads(app)


def test_train_checkbox_writes_tensorboard_logs_into_the_run(app_env):
    app = open_page("train")
    app.number_input(key="train_mlp_quick_epochs").set_value(1).run()
    app.text_input(key="train_mlp_quick_hidden_units").set_value("16").run()
    app.checkbox(key="train_tensorboard").check().run()
    before = {run.run_id for run in RunRegistry(app_env["runs"]).list()}
    app.button(key="train_start").click().run()
    job = train_jobs.job_tracker().get(app.session_state["train_job_id"])
    assert job.wait(300) and job.status == "finished", job.error
    (new,) = [run for run in RunRegistry(app_env["runs"]).list() if run.run_id not in before]
    # written by the worker beside its run, and sent back inside it
    assert list((new.run_dir / LOGS_FOLDER / "train").glob("events.out.tfevents.*"))
