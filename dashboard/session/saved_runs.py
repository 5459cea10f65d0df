"""Saved runs as pages see them: listing, labels, the runs in focus, cached models and evaluations.

Runs are read through emnist_core.training.runs.Run (no Keras until a model is loaded);
models are loaded only by pages that predict or evaluate.
"""

import streamlit as st

from dashboard.session import heap, identity
from emnist_core import settings
from emnist_core.classroom.workspace import ClassroomRuns, workspace
from emnist_core.data import Dataset
from emnist_core.errors import EmnistError
from emnist_core.training.runs import Run, RunRegistry


def registry() -> RunRegistry | ClassroomRuns:
    """The runs of the runs folder setting, as this session may see them.

    Personal mode: every run. Classroom mode: the signed-in principal's permission-aware view,
    so every page's list, get, rename and delete is checked on the server.
    """
    return workspace(identity.principal())


def check_access(run_id: str) -> None:
    """Raise unless this session may open run_id; called before any server-wide cache."""
    registry().get(run_id)


def runs_dir_key() -> str:
    """Caches are keyed by the runs folder too, so tests with their own folder never collide."""
    return str(settings.runs_dir())


def label(run: Run) -> str:
    """'cnn-quick · CNN · 87.1% · 20250101-120000-ab12' for select boxes; the id is left out
    where the run's name is its id (a run never named), rather than shown twice."""
    score = f"{run.accuracy:.1%}" if run.accuracy is not None else run.status
    synthetic = " · SYNTHETIC data" if run.synthetic else ""
    owner = f" · by {run.owner}" if run.owner else ""
    run_id = "" if run.name == run.run_id else f" · {run.run_id}"
    return f"{run.name} · {run.family.upper()} · {score}{synthetic}{owner}{run_id}"


def list_runs() -> list[Run]:
    """Every listed run, newest first as the registry gives them; errors become an empty list."""
    try:
        return list(registry().list())
    except EmnistError as error:
        st.warning(str(error))
        return []


def usable(runs: list[Run]) -> list[Run]:
    """Runs with a model that can be evaluated or drawn on (complete, or stopped with weights)."""
    return [run for run in runs if run.status in ("complete", "stopped")]


def best_of(runs: list[Run], wanted: str) -> Run | None:
    """The most accurate run of one family (ties: the newest, as listed first)."""
    candidates = [run for run in runs if run.family == wanted]
    if not candidates:
        return None
    return max(candidates, key=lambda run: run.accuracy if run.accuracy is not None else -1.0)


def default_focus(runs: list[Run]) -> list[str]:
    """Best MLP and best CNN: what Compare and Draw show unless the user picks others."""
    return [run.run_id for run in (best_of(runs, "mlp"), best_of(runs, "cnn")) if run is not None]


def focus_ui() -> list[Run]:
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


def report_deleted(page: str, ids: list[str], showing: list[str] | None = None) -> None:
    """Warn about runs this page showed last time that are gone (deleted in another session).

    Without this the page's picker silently falls back to another run, and the user reads
    figures of a run they did not choose. Call with showing=None before the picker, then
    with the ids the page now shows, to remember them.
    """
    record = f"{page}_shown_runs"
    if showing is not None:
        st.session_state[record] = list(showing)
        return
    gone = [run_id for run_id in st.session_state.get(record, []) if run_id not in ids]
    for run_id in gone:
        st.warning(
            f"Run {run_id} was deleted (in another session or on the Runs page), so it is "
            "no longer shown."
        )
    if gone:
        st.session_state[record] = [run_id for run_id in st.session_state[record] if run_id in ids]


def run_error(run: Run, error: Exception) -> None:
    """One run's load or evaluation error, in its own box, so the other runs keep working."""
    st.error(f"**{run.family.upper()}** · {run.name}: {error}")


def focus_runs() -> list[Run]:
    return list(st.session_state.get("focus_runs", []))


# The caches below are shared by every session of the server, so each public function checks
# this session's access first: a cached model is never handed to a session that may not see it.


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def _model(runs_dir: str, run_id: str):
    model = RunRegistry(runs_dir).get(run_id).load_model()
    # The first model brings TensorFlow, and Draw's strokes rerun only a fragment, never
    # app.py's freeze: without this each stroke would wait for two 0.2 s collections.
    heap.freeze_long_lived()
    return model


def load_model(runs_dir: str, run_id: str):
    """The Keras model of a run, loaded once per server (runs_dir keys the cache)."""
    check_access(run_id)
    return _model(runs_dir, run_id)


@st.cache_resource(show_spinner="Preparing the model for live prediction...", max_entries=8)
def _predictor(runs_dir: str, run_id: str):
    from emnist_core.inference.predictor import Predictor, run_classes

    run = RunRegistry(runs_dir).get(run_id)
    return Predictor(_model(runs_dir, run_id), run_classes(run))


def predictor(runs_dir: str, run_id: str):
    """A warmed-up Predictor (direct model call, a few ms per image) for a run."""
    check_access(run_id)
    return _predictor(runs_dir, run_id)


@st.cache_data(show_spinner=False, max_entries=4)
def test_fingerprint(data_key: str, _dataset: Dataset) -> str:
    from emnist_core.evaluation.run_results import split_fingerprint

    return split_fingerprint(_dataset.test)


@st.cache_data(show_spinner=False, max_entries=16)
def _saved_results(runs_dir: str, run_id: str, data_key: str, _dataset: Dataset):
    from emnist_core.evaluation.run_results import load_results

    run = RunRegistry(runs_dir).get(run_id)
    run.check_model_file()  # a damaged model shows its error box here too, as on other pages
    results = load_results(run.run_dir)
    if results is None or results.fingerprint != test_fingerprint(data_key, _dataset):
        return None
    return results


def saved_results(runs_dir: str, run_id: str, data_key: str, _dataset: Dataset):
    """The test results the run saved when it finished, if they are of this data's test split
    (else None: older runs, or another data source, are computed)."""
    check_access(run_id)
    return _saved_results(runs_dir, run_id, data_key, _dataset)


@st.cache_data(show_spinner="Evaluating on the test set...", max_entries=16)
def _evaluation(runs_dir: str, run_id: str, data_key: str, _dataset: Dataset):
    from emnist_core.evaluation.metrics import evaluate

    saved = _saved_results(runs_dir, run_id, data_key, _dataset)
    if saved is not None:
        return saved.evaluation(list(_dataset.classes))
    return evaluate(_model(runs_dir, run_id), _dataset.test, _dataset.classes)


def evaluation(runs_dir: str, run_id: str, data_key: str, _dataset: Dataset):
    """The run's Evaluation on the current data's test split (the test split only, never train):
    from its saved results when it has them, else by running the model."""
    check_access(run_id)
    return _evaluation(runs_dir, run_id, data_key, _dataset)
