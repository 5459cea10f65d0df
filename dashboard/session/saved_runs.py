"""Saved runs as pages see them: listing, labels, the runs in focus, cached models and evaluations.

emnist_core.training.runs is imported inside functions (it may pull in Keras), and models are
loaded only by pages that predict or evaluate.
"""

from typing import Any

import streamlit as st

from emnist_core import settings
from emnist_core.errors import EmnistError


def registry():
    """The run registry of $EMNIST_RUNS_DIR, else the repository's artifacts/runs."""
    from emnist_core.training.runs import RunRegistry

    return RunRegistry()


def runs_dir_key() -> str:
    """Caches are keyed by the runs folder too, so tests with their own folder never collide."""
    return str(settings.runs_dir())


def family(run: Any) -> str:
    config = run.config
    return getattr(config, "family", None) or (
        config.get("family", "?") if isinstance(config, dict) else "?"
    )


def status(run: Any) -> str:
    return str(run.info.get("status", "complete"))


def accuracy(run: Any) -> float | None:
    """Test accuracy from the run's metrics, or None if it has none (a stopped run may not)."""
    metrics = run.metrics or {}
    for key in ("accuracy", "test_accuracy"):
        if metrics.get(key) is not None:
            return float(metrics[key])
    return None


def run_name(run: Any) -> str:
    return str(run.info.get("name") or run.run_id)


def label(run: Any) -> str:
    """'cnn-quick · CNN · 87.1% · 20250101-120000-ab12' for select boxes."""
    acc = accuracy(run)
    score = f"{acc:.1%}" if acc is not None else status(run)
    synthetic = " · SYNTHETIC data" if run.info.get("data", {}).get("synthetic") else ""
    return f"{run_name(run)} · {family(run).upper()} · {score}{synthetic} · {run.run_id}"


def list_runs() -> list[Any]:
    """Every listed run, newest first as the registry gives them; errors become an empty list."""
    try:
        return list(registry().list())
    except EmnistError as error:
        st.warning(str(error))
        return []


def usable(runs: list[Any]) -> list[Any]:
    """Runs with a model that can be evaluated or drawn on (complete, or stopped with weights)."""
    return [run for run in runs if status(run) in ("complete", "stopped")]


def best_of(runs: list[Any], wanted: str) -> Any | None:
    """The most accurate run of one family (ties: the newest, as listed first)."""
    candidates = [run for run in runs if family(run) == wanted]
    if not candidates:
        return None
    return max(candidates, key=lambda run: accuracy(run) if accuracy(run) is not None else -1.0)


def default_focus(runs: list[Any]) -> list[str]:
    """Best MLP and best CNN: what Compare and Draw show unless the user picks others."""
    return [run.run_id for run in (best_of(runs, "mlp"), best_of(runs, "cnn")) if run is not None]


def focus_ui() -> list[Any]:
    """Sidebar multiselect of the runs in focus; returns the chosen Run objects."""
    runs = usable(list_runs())
    if not runs:
        st.sidebar.caption("No saved runs yet: train one on the Train page.")
        st.session_state["focus_runs"] = []
        return []
    by_id = {run.run_id: run for run in runs}
    chosen = st.sidebar.multiselect(
        "Runs in focus",
        list(by_id),
        default=default_focus(runs),
        format_func=lambda rid: label(by_id[rid]),
        key="sidebar_runs_" + "_".join(sorted(by_id))[-200:],
        help="Results, Compare and Draw use these; the default is the best MLP and the best CNN.",
    )
    focus = [by_id[rid] for rid in chosen]
    st.session_state["focus_runs"] = focus
    return focus


def focus_runs() -> list[Any]:
    return list(st.session_state.get("focus_runs", []))


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def load_model(runs_dir: str, run_id: str):
    """The Keras model of a run, loaded once per server (runs_dir keys the cache)."""
    return registry().get(run_id).load_model()


@st.cache_resource(show_spinner="Preparing the model for live prediction...", max_entries=8)
def predictor(runs_dir: str, run_id: str):
    """A warmed-up Predictor (direct model call, a few ms per image) for a run."""
    from emnist_core.inference.predictor import Predictor, run_classes

    run = registry().get(run_id)
    return Predictor(load_model(runs_dir, run_id), run_classes(run))


@st.cache_data(show_spinner=False, max_entries=4)
def test_fingerprint(data_key: str, _dataset: Any) -> str:
    from emnist_core.evaluation.run_results import split_fingerprint

    return split_fingerprint(_dataset.test)


@st.cache_data(show_spinner=False, max_entries=16)
def saved_results(runs_dir: str, run_id: str, data_key: str, _dataset: Any):
    """The test results the run saved when it finished, if they are of this data's test split
    (else None: older runs, or another data source, are computed)."""
    from emnist_core.evaluation.run_results import load_results

    results = load_results(registry().get(run_id).run_dir)
    if results is None or results.fingerprint != test_fingerprint(data_key, _dataset):
        return None
    return results


@st.cache_data(show_spinner="Evaluating on the test set...", max_entries=16)
def evaluation(runs_dir: str, run_id: str, data_key: str, _dataset: Any):
    """The run's Evaluation on the current data's test split (the test split only, never train):
    from its saved results when it has them, else by running the model."""
    from emnist_core.evaluation.metrics import evaluate

    saved = saved_results(runs_dir, run_id, data_key, _dataset)
    if saved is not None:
        return saved.evaluation(list(_dataset.classes))
    return evaluate(load_model(runs_dir, run_id), _dataset.test, _dataset.classes)
