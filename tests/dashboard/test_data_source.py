"""Sidebar data sources and the Explore page: no data, synthetic demo, bad folder, sample grid."""

import time

import pytest

from tests.fixtures import image_grids, make_app, open_page, texts

PAGES = ("explore", "train", "results", "compare", "draw", "runs")


@pytest.fixture
def no_data(monkeypatch, tmp_path):
    monkeypatch.setenv("EMNIST_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EMNIST_SYNTHETIC_DIR", str(tmp_path / "demo"))
    monkeypatch.setenv("EMNIST_DEMO_PER_CLASS", "3")
    monkeypatch.setenv("EMNIST_DEMO_TEST_PER_CLASS", "1")
    return tmp_path


def test_no_data_explains_how_to_get_it_on_every_data_page(no_data):
    app = make_app()
    app.run()
    assert not app.exception
    assert any("No complete EMNIST" in text for text in texts(app.sidebar.error))
    assert "Download EMNIST" in [button.label for button in app.sidebar.button]
    for page in ("explore", "train", "results", "compare"):
        app.switch_page(f"views/{page}.py").run()
        assert not app.exception, page
        info = " ".join(texts(app.info))
        assert "No data loaded yet" in info and "Synthetic demo set" in info, page
        assert str(no_data / "empty") in info


def test_download_offline_shows_the_library_message(no_data, monkeypatch):
    from dashboard.session import downloads
    from tests.browser.server import free_port

    nowhere = f"http://127.0.0.1:{free_port()}/gzip.zip"  # nothing listens: offline
    monkeypatch.setitem(downloads.SOURCE, "urls", (nowhere,))
    app = make_app()
    app.run()
    app.sidebar.button(key="sidebar_download").click().run()
    for _ in range(300):  # a job on the cluster: its error shows on a later rerun
        assert not app.exception
        if any("Could not download" in text for text in texts(app.sidebar.error)):
            break
        time.sleep(0.2)
        app.run()
    errors = " ".join(texts(app.sidebar.error))
    assert "Could not download the EMNIST archive" in errors and nowhere in errors
    assert "copy it" in errors  # the fix: place the archive by hand


def test_synthetic_demo_is_generated_and_labelled(no_data):
    app = make_app()
    app.run()
    app.sidebar.radio(key="sidebar_source").set_value("Synthetic demo set").run()
    assert not app.exception
    assert (no_data / "demo" / "SYNTHETIC.txt").exists()
    assert any("SYNTHETIC" in text for text in texts(app.warning))
    assert any("SYNTHETIC" in text for text in texts(app.sidebar.warning))
    assert "Samples" in texts(app.subheader)


def test_bad_local_folder_gives_a_message_not_a_traceback(no_data):
    app = make_app()
    app.run()
    app.sidebar.radio(key="sidebar_source").set_value("Another local folder").run()
    assert any("Type the path" in text for text in texts(app.sidebar.error))
    app.sidebar.text_input(key="sidebar_folder").set_value(str(no_data / "nowhere")).run()
    assert not app.exception
    assert any(
        "No complete EMNIST" in text and "nowhere" in text for text in texts(app.sidebar.error)
    )


def test_local_folder_loads_its_data(no_data, synthetic_dir):
    app = make_app()
    app.run()
    app.sidebar.radio(key="sidebar_source").set_value("Another local folder").run()
    app.sidebar.text_input(key="sidebar_folder").set_value(str(synthetic_dir)).run()
    assert not app.exception
    assert not app.sidebar.error
    assert any(str(synthetic_dir) in text for text in texts(app.warning))


def test_explore_class_filter_and_redraw(app_env):
    app = open_page("explore")
    for name in (
        "Samples",
        "Class counts",
        "Mean image per class",
        "Pixel intensities",
        "Look-alike classes",
        "Augmentation preview",
    ):
        assert name in texts(app.subheader)
    app.selectbox(key="explore_class").set_value("A").run()
    assert not app.exception
    grid = image_grids(app)[0]
    assert {caption for _, caption in grid} == {"A"}
    app.button(key="explore_redraw").click().run()
    assert [source for source, _ in image_grids(app)[0]] != [source for source, _ in grid]


def test_explore_augmentation_preview_uses_the_model_layers(app_env):
    app = open_page("explore")
    app.button(key="explore_augment").click().run()
    assert not app.exception
    assert not any("unavailable" in text for text in texts(app.info))
    captions = [caption for _, caption in image_grids(app)[-1]]
    assert captions[0] == "original" and len(captions) == 6
