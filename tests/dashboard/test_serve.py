"""dashboard.serve: the first visitor after a start finds the imports done and the data loaded.

(The browser tests start every server through it, so its hand-over to `streamlit run` is
exercised there.)
"""

import pytest

from dashboard import serve
from dashboard.session import data_source
from tests.fixtures import make_app


@pytest.fixture
def fresh_caches():
    data_source.clear_data_caches()
    yield
    data_source.clear_data_caches()


def test_top_level_imports_leave_the_imports_inside_functions_to_the_page(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(
        "import json, math\n"
        "from os import path\n"
        "from . import sibling\n"
        "import json\n"
        "\n"
        "def predict():\n"
        "    import tensorflow\n"
    )
    assert serve.top_level_imports(script) == ["json", "math", "os"]


def test_warm_covers_the_app_and_every_page():
    names = {script.name for script in serve.scripts()}
    assert {"app.py", "explore.py", "draw.py", "results.py", "compare.py"} <= names


def test_after_warm_the_first_session_loads_nothing_again(
    app_env, fresh_caches, monkeypatch, capsys
):
    loads, summaries = [], []
    real_load, real_means = data_source.load, data_source.data_stats.class_means
    monkeypatch.setattr(
        data_source, "load", lambda folder: loads.append(folder) or real_load(folder)
    )
    monkeypatch.setattr(
        data_source.data_stats,
        "class_means",
        lambda *args: summaries.append(1) or real_means(*args),
    )
    spent = serve.warm()
    assert set(spent) == {"imports", "data", "plotly"}
    assert "could not import" not in capsys.readouterr().err  # every page imports in plain Python
    assert loads == [str(app_env["data"])] and summaries == [1]

    app = make_app()
    app.run()  # the first session, on the first page (Explore), which shows the class means
    assert not app.exception
    assert [title.value for title in app.title] == ["Explore the data"]
    assert any(sub.value == "Mean image per class" for sub in app.subheader)
    assert loads == [str(app_env["data"])] and summaries == [1]  # both found in the caches


def test_warm_with_no_data_leaves_the_explanation_to_the_page(monkeypatch, tmp_path, fresh_caches):
    monkeypatch.setenv("EMNIST_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "runs"))
    spent = serve.warm()  # no exception: a server without data must still start
    assert spent["data"] >= 0
    assert not (tmp_path / "empty").exists()  # warming created nothing


def test_summaries_of_a_dataset_without_a_folder_are_its_own(synthetic_dataset, fresh_caches):
    """Two in-memory datasets must not share one cache entry keyed by a missing folder."""
    import dataclasses

    import numpy as np

    from emnist_core.data import Split

    first = dataclasses.replace(synthetic_dataset, source=None)
    train = first.train
    second = dataclasses.replace(first, train=Split(255 - train.images, train.labels))
    means_one, _, _ = data_source.train_summaries(first)
    means_two, _, _ = data_source.train_summaries(second)
    assert not np.allclose(means_one, means_two)
    assert not means_one.flags.writeable  # shared with every session: read-only
