"""'Why CNNs win' page and the Draw page's inside-the-model panel, on tiny synthetic runs."""

from pathlib import Path

import numpy as np
import pytest

from tests.fixtures import make_app, open_page, texts


def charts(app) -> list:
    return app.get("plotly_chart")


@pytest.fixture
def measured(app_env, synthetic_dataset, tmp_path):
    """The page's default pair measured on the default 1,000-image sample, as the job would
    (RobustnessSpec.run) but in this process, and saved where the page looks."""
    from emnist_core.jobs.analyses import robustness_spec
    from emnist_core.jobs.landing import save_files
    from emnist_core.training.runs import RunRegistry

    runs = {
        f"{run.family.upper()} · {run.name}": run for run in RunRegistry(app_env["runs"]).list()
    }
    pair = dict(sorted(runs.items(), key=lambda item: item[1].family != "mlp"))
    spec = robustness_spec(pair, str(Path(app_env["data"]).resolve()), 1000)
    save_files(app_env["runs"], spec.run(synthetic_dataset, lambda event: None, None, tmp_path))
    return app_env


def test_page_is_in_the_navigation_and_shows_its_three_sections(app_env, measured):
    app = open_page("why_cnns")
    assert [h for h in texts(app.title)] == ["Why CNNs win"]
    headers = texts(app.header)
    assert len(headers) == 3 and headers[0].startswith("1 ·") and headers[2].startswith("3 ·")
    assert len(charts(app)) == 4  # robustness, efficiency x2 (tabs), embeddings
    said = [text for text in texts(app.markdown) if "font-size" in text]
    assert len(said) == 3
    assert "pixels" in said[0] and "%" in said[0]  # written from the measured curves
    assert "parameters" in said[1] and "silhouette" in said[2]
    assert any("SYNTHETIC" in text for text in texts(app.warning))


def test_explanations_quote_the_runs_measured_numbers(app_env, measured):
    from emnist_core.training.runs import RunRegistry

    app = open_page("why_cnns")
    said = [text for text in texts(app.markdown) if "font-size" in text]
    cnn = next(run for run in RunRegistry(app_env["runs"]).list() if run.family == "cnn")
    assert f"{cnn.metrics['accuracy'] * 100:.1f}%" in said[1]
    assert f"{cnn.info['params'] / 1e3:,.0f} thousand" in said[1]


def test_controls_rerun_without_errors(app_env, measured):
    app = open_page("why_cnns")
    app.radio(key="why_method").set_value("tsne").run()
    assert not app.exception, [e.message for e in app.exception]
    app.select_slider(key="why_per_class").set_value(5).run()
    assert not app.exception and len(charts(app)) == 4
    app.radio(key="why_sample").set_value("every test image").run()  # a sample not measured
    assert not app.exception, [e.message for e in app.exception]
    assert any("Not measured yet" in text for text in texts(app.info)) and len(charts(app)) == 3


def test_robustness_is_measured_as_a_cluster_job_and_kept(app_env):
    from dashboard.session import train_jobs

    app = open_page("why_cnns")
    assert any("Not measured yet" in text for text in texts(app.info))
    assert len(charts(app)) == 3  # efficiency x2 and embeddings do not wait for it
    app.button(key="why_measure").click().run()
    assert not app.exception, [e.message for e in app.exception]
    job = train_jobs.job_tracker().get(app.session_state["why_robustness_job"])
    assert job is not None and job.label.startswith("robustness: MLP")
    assert job.wait(300) and job.status == "finished", job.error
    assert job.host  # measured in a worker, not in this process
    again = open_page("why_cnns")  # a new session reads the kept result
    assert len(charts(again)) == 4 and not any("Not measured" in t for t in texts(again.info))
    said = [text for text in texts(again.markdown) if "font-size" in text]
    assert "pixels" in said[0] and "%" in said[0]


def test_without_a_cnn_run_the_page_offers_quick_training(app_env):
    import shutil

    from emnist_core.training.runs import RunRegistry

    for run in RunRegistry(app_env["runs"]).list():
        if run.family == "cnn":
            shutil.rmtree(run.run_dir)
    app = open_page("why_cnns")
    assert any("No saved CNN run" in text for text in texts(app.info))
    assert not charts(app)


def _stroke() -> np.ndarray:
    image = np.zeros((280, 280, 4), dtype=np.uint8)
    image[..., 3] = 255
    image[50:230, 130:150, :3] = 255
    return image


def test_draw_page_inside_the_model_panel(app_env, monkeypatch):
    monkeypatch.setattr(
        "dashboard.components.canvas.draw_canvas", lambda stroke_width, key: _stroke()
    )
    app = open_page("draw")
    assert any("Inside the models" in text for text in texts(app.subheader))
    captions_before = texts(app.caption)
    app.slider(key="inside_shift_x").set_value(5).run()
    assert not app.exception, [e.message for e in app.exception]
    app.slider(key="inside_rotate").set_value(-25).run()
    assert not app.exception, [e.message for e in app.exception]
    moved = [text for text in texts(app.markdown) if "moved" in text.lower()]
    assert moved and "5 px right" in moved[0] and "25°" in moved[0]
    assert len(charts(app)) >= 3  # feature maps, Grad-CAM, saliency of each model
    assert captions_before  # the panel explained what it shows
    app.radio(key="inside_cnn_view").set_value("First-layer filters").run()
    assert not app.exception, [e.message for e in app.exception]


def test_draw_page_without_a_drawing_has_no_panel(app_env, monkeypatch):
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", lambda stroke_width, key: None)
    app = make_app()
    app.run()
    app.switch_page("views/draw.py").run()
    assert not any("Inside the models" in text for text in texts(app.subheader))


def test_runs_trained_on_other_data_are_not_compared_for_efficiency(app_env, measured):
    import json

    from emnist_core.training.runs import RunRegistry

    mlp = next(run for run in RunRegistry(app_env["runs"]).list() if run.family == "mlp")
    info = json.loads((mlp.run_dir / "run.json").read_text())
    info["data"]["label"] = "some other data"
    (mlp.run_dir / "run.json").write_text(json.dumps(info))
    app = open_page("why_cnns")
    assert any("trained on other data" in text for text in texts(app.info))
    said = [text for text in texts(app.markdown) if "font-size" in text]
    assert len(said) == 2  # robustness and representations still explained


def test_without_data_the_page_explains_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("EMNIST_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EMNIST_SYNTHETIC_DIR", str(tmp_path / "demo"))
    app = open_page("why_cnns")
    assert any("No data loaded yet" in text for text in texts(app.info))
    assert not charts(app)
