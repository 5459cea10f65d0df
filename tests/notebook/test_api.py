"""The notebook API: lazy import, train with any Keras callback and a tqdm bar, evaluate, compare,
predict, and plotly figures."""

import subprocess
import sys

import keras
import numpy as np
import plotly.graph_objects as go
import pytest

import emnist_core as el

TINY = {"hidden_units": (16,), "batch_size": 64}


def test_importing_emnist_core_does_not_import_tensorflow():
    code = (
        "import sys, emnist_core as el; el.load; el.curves; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'loaded TF'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        el.trian  # noqa: B018 - a typo is an AttributeError, not a silent None
    assert {"load", "train", "evaluate", "compare", "predict"} <= set(dir(el))


@pytest.fixture(scope="module")
def two_runs(synthetic_dir, tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("runs")
    data = el.load(synthetic_dir)
    mlp = el.train("mlp", data=data, epochs=1, runs_dir=runs_dir, progress=False, **TINY)
    cnn = el.train(
        "cnn", data=data, epochs=1, runs_dir=runs_dir, progress=False, conv_filters=(4,),
        dense_units=(), batch_size=64,
    )  # fmt: skip
    return mlp, cnn, runs_dir


def test_train_returns_the_saved_run_with_overrides_callbacks_and_a_bar(
    synthetic_dir, tmp_path, capsys
):
    log = tmp_path / "log.csv"
    run = el.train(
        "mlp",
        preset="quick",
        data=synthetic_dir,  # a folder works as well as a Dataset
        epochs=2,
        runs_dir=tmp_path / "runs",
        callbacks=[keras.callbacks.CSVLogger(str(log))],
        dropout=0.25,
        **TINY,
    )
    assert run.run_dir.parent == tmp_path / "runs" and run.status == "complete"
    assert (
        run.config.epochs == 2 and run.config.dropout == 0.25 and run.config.hidden_units == (16,)
    )
    assert len(log.read_text().splitlines()) == 3  # header + one row per epoch
    err = capsys.readouterr().err
    assert "mlp-quick" in err and "batch" in err and "100%" in err  # the tqdm bar, finished
    assert "emnist_core.train('mlp'" in run.info["command"]


def test_evaluate_compare_predict(two_runs):
    mlp, cnn, runs_dir = two_runs
    evaluation = el.evaluate(mlp)  # on the data the run was trained on
    assert evaluation.accuracy == pytest.approx(mlp.metrics["accuracy"])
    assert el.evaluate(mlp.run_dir).accuracy == evaluation.accuracy  # a folder works too
    result = el.compare(mlp, cnn)
    (pair,) = result.pairs
    assert pair.name_a != pair.name_b and 0 <= pair.mcnemar.p_value <= 1
    assert set(result.table.index) == {pair.name_a, pair.name_b}
    data = el.load(mlp.info["data"]["source"])
    image = data.test.images[0]
    top = el.predict(mlp, image)
    assert len(top) == 5 and top[0][1] >= top[-1][1]
    expected = np.asarray(mlp.load_model()(image[None].astype("float32")))[0]
    assert top[0] == (data.classes[int(np.argmax(expected))], pytest.approx(expected.max()))


def test_figures_are_plotly(two_runs):
    mlp, cnn, _ = two_runs
    evaluation = el.evaluate(cnn)
    data = el.load(cnn.info["data"]["source"])
    figures = [
        el.curves(mlp),
        el.overlaid([mlp, cnn]),
        el.per_class(evaluation),
        el.confusion(evaluation, normalize=True),
        el.samples(data, 8),
        el.mistakes(evaluation, data, 4),
        el.comparison(el.compare(mlp, cnn)),
    ]
    assert all(isinstance(figure, go.Figure) and figure.data for figure in figures)
    assert list(el.scores(evaluation).columns[:4]) == ["class", "precision", "recall", "f1"]
