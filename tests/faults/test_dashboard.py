"""One bad run never takes a page down; a run deleted in another session is reported."""

import io
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from emnist_core.errors import DataError
from emnist_core.training.runs import RunRegistry
from tests.faults.conftest import snapshot
from tests.fixtures import open_page, texts, train_tiny_pair


@pytest.fixture(scope="session")
def pair_dir(synthetic_dataset, tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("pair")
    train_tiny_pair(synthetic_dataset, runs_dir)
    return runs_dir


@pytest.fixture
def pair_env(pair_dir, synthetic_dir, tmp_path, monkeypatch):
    runs_dir = Path(shutil.copytree(pair_dir, tmp_path / "runs"))
    monkeypatch.setenv("EMNIST_DATA_DIR", str(synthetic_dir))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(runs_dir))
    monkeypatch.setenv("EMNIST_SYNTHETIC_DIR", str(tmp_path / "demo"))
    runs = {run.family: run for run in RunRegistry(runs_dir).list()}
    return runs_dir, runs


def _stroke(stroke_width: int, key: str) -> np.ndarray:
    image = np.zeros((280, 280, 4), dtype=np.uint8)
    image[..., 3] = 255
    image[50:230, 130:150, :3] = 255
    return image


def _malicious_model(path: Path) -> None:
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Lambda(lambda x: x * 1.0),  # would run arbitrary code when loaded
            keras.layers.Flatten(),
            keras.layers.Dense(47, activation="softmax"),
        ]
    )
    model.save(path)


@pytest.mark.parametrize("damage", ["corrupt", "malicious"])
def test_bad_model_in_focus_on_draw_shows_its_error_and_the_other_model_works(
    pair_env, monkeypatch, damage
):
    runs_dir, runs = pair_env
    cnn = runs["cnn"]
    if damage == "corrupt":
        cnn.model_path.write_bytes(b"PK\x03\x04 not really a zip")
    else:
        _malicious_model(cnn.model_path)
    before = snapshot(runs_dir)
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", _stroke)
    app = open_page("draw")
    assert not app.exception, [e.message for e in app.exception]
    errors = texts(app.error)
    expected = "corrupt" if damage == "corrupt" else "Lambda layer (Python code), which Keras safe"
    assert any("**CNN**" in text and expected in text for text in errors), errors
    headers = [text for text in texts(app.markdown) if text.startswith("**MLP**")]
    assert headers, "the MLP's predictions went with the broken CNN"
    assert len(app.get("progress")) == 5  # the MLP's top 5
    assert snapshot(runs_dir) == before  # nothing deleted or rewritten


def test_broken_model_on_compare_and_why_keeps_the_page(pair_env):
    runs_dir, runs = pair_env
    runs["cnn"].model_path.write_bytes(b"garbage")
    app = open_page("compare")
    assert not app.exception
    assert any("corrupt" in text for text in texts(app.error))
    app = open_page("why_cnns")
    assert not app.exception
    assert any("corrupt" in text for text in texts(app.error))
    assert any("Accuracy for the weights" in text for text in texts(app.header))


@pytest.mark.parametrize("page,key", [("results", "results_run"), ("compare", "compare_runs")])
def test_run_deleted_in_another_session_is_reported(pair_env, page, key):
    runs_dir, runs = pair_env
    shown = open_page(page)
    victim = runs["mlp"].run_id
    value = shown.session_state[key]
    assert victim in (value if isinstance(value, list) else [value])
    other = open_page("runs")  # the second session deletes it through the library
    RunRegistry(runs_dir).delete(victim)
    assert other is not shown
    shown.run()
    assert not shown.exception
    warnings = texts(shown.warning)
    assert any(victim in text and "deleted" in text for text in warnings), warnings
    assert runs["cnn"].run_dir.is_dir()


class _Upload(io.BytesIO):
    """What st.file_uploader returns, as far as the page uses it: bytes, a name and a size."""

    def __init__(self, payload: bytes, name: str):
        super().__init__(payload)
        self.name, self.size = name, len(payload)

    def __repr__(self) -> str:
        return "UploadedFile(file_id='internal', _file_urls=...)"


def test_uploads_are_bounded_and_named_without_the_upload_object(tmp_path):
    import tomllib

    from bench.bench_image_memory import write_png
    from dashboard.components.drawing import open_upload

    bomb = write_png(tmp_path / "bomb.png", 20_000, 20_000, rgba=False, bit_depth=1)
    uploads = {
        "bomb.png": _Upload(bomb.read_bytes(), "bomb.png"),
        "notes.png": _Upload(b"hello", "notes.png"),
    }
    for name, upload in uploads.items():
        with pytest.raises(DataError) as caught:
            open_upload(upload)
        assert str(caught.value).startswith(name) and "UploadedFile" not in str(caught.value)
    config_file = Path(__file__).parents[2] / ".streamlit" / "config.toml"
    config = tomllib.loads(config_file.read_text()) if config_file.exists() else {}
    limit_mb = config.get("server", {}).get("maxUploadSize")
    assert limit_mb is not None, "no server.maxUploadSize: Streamlit's default 200 MB applies"
    with pytest.raises(DataError, match="^huge.png"):  # the widget's own check, under the limit
        open_upload(_Upload(b"\0" * (limit_mb * 2**20 + 1), "huge.png"))


def test_a_finished_download_in_the_sidebar_keeps_the_running_training_job(
    tmp_path, monkeypatch, served_archive, synthetic_dataset
):
    import time

    from dashboard.session import downloads, train_jobs
    from tests.fixtures import tiny_job

    url, sha, _ = served_archive
    monkeypatch.setitem(downloads.SOURCE, "urls", (url,))
    monkeypatch.setitem(downloads.SOURCE, "sha256", sha)
    monkeypatch.setenv("EMNIST_DATA_DIR", str(tmp_path / "data"))  # no data: Download is offered
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "runs"))
    app = open_page("explore")
    tracker = train_jobs.job_tracker()
    long_job = tiny_job("held training", epochs=1000, early_stopping=False)
    held = tracker.submit(long_job, synthetic_dataset, "someone", (str(synthetic_dataset.source),))
    app.sidebar.button(key="sidebar_download").click().run()
    deadline = time.time() + 120
    while not any("train /" in text for text in texts(app.sidebar.caption)):  # data loaded
        if train_jobs.job_tracker() is not tracker or time.time() > deadline:
            break
        time.sleep(0.2)
        app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert train_jobs.job_tracker() is tracker, "the download cleared the job tracker"
    assert tracker.get(held.job_id) is held and held.running  # still known, still training
    assert any("train /" in text for text in texts(app.sidebar.caption)), "no data shown"
    held.stop()
    assert held.wait(120) and held.status == "stopped", held.error


def test_download_runs_as_a_job_that_survives_a_page_switch(tmp_path, monkeypatch, served_archive):
    import time

    from dashboard.session import downloads
    from tests.data.test_download import _Handler

    url, sha, _ = served_archive
    monkeypatch.setitem(downloads.SOURCE, "urls", (url,))
    monkeypatch.setitem(downloads.SOURCE, "sha256", sha)
    release = threading.Event()
    monkeypatch.setattr(_Handler, "hold", release)  # the server holds the bytes until released
    data = tmp_path / "data"
    monkeypatch.setenv("EMNIST_DATA_DIR", str(data))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "runs"))
    app = open_page("explore")
    app.sidebar.button(key="sidebar_download").click().run(timeout=20)  # returns while it runs
    assert not app.exception, [e.message for e in app.exception]
    app.switch_page("views/train.py").run()  # a page switch must not abort it
    bars = [bar.proto.text for bar in app.sidebar.get("progress")]
    assert any(("Connecting" in t or "Waiting for a slot" in t) for t in bars), bars
    job = downloads.latest(data)
    assert job.running and job.label.endswith(str(data.resolve()))
    release.set()
    deadline = time.time() + 120
    while not any("train /" in text for text in texts(app.sidebar.caption)):
        assert time.time() < deadline, texts(app.sidebar.error)
        time.sleep(0.5)
        app.run()
    assert not app.exception
    assert job.host  # fetched by a worker of the cluster, not by this server
    assert sorted(p.name for p in data.glob("*.gz"))  # the files are in place


def test_runs_page_lists_a_broken_run_and_deletes_it(pair_env):
    runs_dir, runs = pair_env
    broken = runs_dir / "20260101-000000-cnn-broken"
    broken.mkdir()
    (broken / "run.json").write_text("{ half")
    app = open_page("runs")
    assert any(broken.name in text and "incomplete" in text for text in texts(app.error))
    app.button(key=f"runs_broken_{broken.name}").click().run()
    assert not broken.exists() and all(run.run_dir.is_dir() for run in runs.values())
    assert any("Deleted broken run" in text for text in texts(app.success))
