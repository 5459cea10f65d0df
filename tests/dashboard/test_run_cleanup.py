"""Streamlit's per-run cleanup must not clear TensorFlow's kernel cache in this app."""

import sys

import pytest

from dashboard.session import run_cleanup


@pytest.fixture
def kernel_cache_clears(monkeypatch):
    """Counts calls of TensorFlow's clear_kernel_cache; Streamlit's own cleanup restored after."""
    import keras  # noqa: F401 - Streamlit cleans Keras only once it is imported
    from streamlit.runtime.scriptrunner import script_runner
    from tensorflow.python.eager import context

    calls = []
    monkeypatch.setattr(context.Context, "clear_kernel_cache", lambda self: calls.append(1))
    # Streamlit's own cleanup, even where an earlier test ran the app and so replaced it;
    # whatever is installed now is put back after the test.
    current = script_runner._clean_problem_modules
    monkeypatch.setattr(script_runner, "_clean_problem_modules", current)
    script_runner._clean_problem_modules = getattr(current, "__wrapped__", current)
    return calls


def test_streamlit_itself_clears_the_kernel_cache_after_a_run(kernel_cache_clears):
    """The reason for the patch: if this fails, Streamlit stopped doing it and the patch can go."""
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules()
    assert kernel_cache_clears == [1]


def test_after_the_patch_a_run_keeps_the_kernels_and_still_closes_figures(
    kernel_cache_clears, monkeypatch
):
    from streamlit.runtime.scriptrunner import script_runner

    closed = []

    class FakePyplot:
        @staticmethod
        def close(which):
            closed.append(which)

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", FakePyplot)
    assert run_cleanup.keep_tensorflow_kernels()
    assert run_cleanup.keep_tensorflow_kernels()  # a second call (every run) changes nothing
    script_runner._clean_problem_modules()
    assert kernel_cache_clears == []
    assert closed == ["all"]


def test_a_predictor_answers_from_its_compiled_graph_across_runs(kernel_cache_clears):
    """End to end on a tiny model: a Streamlit run's cleanup leaves its graph in place."""
    import numpy as np
    from streamlit.runtime.scriptrunner import script_runner

    from emnist_core.inference.predictor import Predictor
    from emnist_core.models.build import build_model
    from emnist_core.models.config import MLPConfig

    model = build_model(MLPConfig(hidden_units=(8,)), num_classes=3)
    predictor = Predictor(model, ["a", "b", "c"])
    run_cleanup.keep_tensorflow_kernels()
    before = predictor.probabilities(np.zeros((28, 28), np.uint8))
    script_runner._clean_problem_modules()
    assert np.allclose(predictor.probabilities(np.zeros((28, 28), np.uint8)), before)
    assert kernel_cache_clears == []


def test_a_streamlit_without_the_cleanup_function_is_reported_not_fatal(monkeypatch, caplog):
    from streamlit.runtime.scriptrunner import script_runner

    monkeypatch.delattr(script_runner, "_clean_problem_modules")
    assert run_cleanup.keep_tensorflow_kernels() is False
    assert "_clean_problem_modules" in caplog.text
