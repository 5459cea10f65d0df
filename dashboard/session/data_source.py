"""Server-wide resources and per-session choices every page reads (data source, runs, jobs).

Nothing here imports TensorFlow: the first page must render in under 3 seconds, so
model code is imported inside the functions of the pages that need it.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from emnist_core import settings
from emnist_core.data import Dataset, load, write_synthetic
from emnist_core.data import stats as data_stats
from emnist_core.errors import EmnistError

SOURCE_OFFICIAL = "EMNIST Balanced (data folder)"
SOURCE_FOLDER = "Another local folder"
SOURCE_SYNTHETIC = "Synthetic demo set"
SOURCES = (SOURCE_OFFICIAL, SOURCE_FOLDER, SOURCE_SYNTHETIC)

HOW_TO_GET_DATA = """
**No data loaded yet.** Three ways to get going:
1. Press **Download EMNIST** in the sidebar (about 560 MB from NIST), or
2. download `gzip.zip` from https://www.nist.gov/itl/products-and-services/emnist-dataset
   by hand and place it (or the extracted `emnist-balanced-*` files) in `{folder}`, or
   point **Another local folder** in the sidebar at files you already have, or
3. choose **Synthetic demo set** in the sidebar to try everything right away on generated
   strokes (not real handwriting).
"""


@dataclass(frozen=True)
class DataChoice:
    """What the sidebar resolved: the folder, and the loaded data or why there is none."""

    kind: str
    folder: Path
    dataset: Dataset | None
    problem: str | None

    @property
    def key(self) -> str:
        """Jobs and caches are keyed by the folder, so two sources never share a job slot."""
        return str(self.folder.resolve())


def synthetic_dir() -> Path:
    """Where the demo set is generated (see emnist_core.settings.synthetic_dir)."""
    return settings.synthetic_dir()


def ensure_synthetic() -> Path:
    """Generate the demo set once (seeded, so every server makes the same one)."""
    folder = synthetic_dir()
    if not (folder / "SYNTHETIC.txt").exists():
        per_class, test_per_class = settings.demo_size()
        write_synthetic(folder, per_class=per_class, test_per_class=test_per_class)
    return folder


def _folder_stamp(folder: Path) -> float:
    """Newest modification time in the folder, so a finished download invalidates the cache."""
    try:
        return max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)
    except OSError:
        return 0.0


# cache_resource, not cache_data: the dataset is frozen and large (90 MB for Balanced);
# cache_data would unpickle a fresh copy on every rerun and slow each page switch.
@st.cache_resource(show_spinner="Loading the data...", max_entries=4)
def _load_cached(folder: str, stamp: float) -> Dataset:
    return load(folder)


def _summaries(dataset: Dataset) -> tuple[np.ndarray, dict, np.ndarray]:
    train = dataset.train
    means = data_stats.class_means(train.images, train.labels, dataset.num_classes)
    counts = data_stats.intensity_counts(train.images)
    means.flags.writeable = False  # one copy serves every session: nobody may change it
    histogram = counts[1:]
    histogram.flags.writeable = False
    return means, data_stats.intensity_stats(counts), histogram


@st.cache_resource(show_spinner=False, max_entries=4)
def _train_summaries(
    folder: str, stamp: float, _dataset: Dataset
) -> tuple[np.ndarray, dict, np.ndarray]:
    return _summaries(_dataset)


def train_summaries(dataset: Dataset) -> tuple[np.ndarray, dict, np.ndarray]:
    """Class means, pixel statistics and the ink histogram of the training split (Explore).

    Once per data folder for the whole server, not per session: 112,800 images take about
    0.4 s, and dashboard.serve computes them before the first visitor arrives. Keyed like
    the dataset itself, so a finished download recomputes them.
    """
    folder = dataset.source
    if folder is None:  # built in memory: no folder to key a shared cache by
        return _summaries(dataset)
    return _train_summaries(str(folder), _folder_stamp(folder), dataset)


def clear_data_caches() -> None:
    """Forget loaded datasets (after a download), leaving models and the job manager alone.

    st.cache_resource.clear() would also drop the server-wide JobManager, orphaning running
    jobs and lifting the one-job limit.
    """
    _load_cached.clear()
    _train_summaries.clear()


def load_choice(kind: str, folder: Path) -> DataChoice:
    """Load the chosen folder, turning any data problem into a message instead of a traceback."""
    try:
        dataset = _load_cached(str(folder), _folder_stamp(folder))
    except EmnistError as error:
        return DataChoice(kind, folder, None, str(error))
    return DataChoice(kind, folder, dataset, None)


# Widget keys whose values should survive a visit to another page. Streamlit forgets the
# state of widgets a rerun did not draw; writing a key back to itself on every rerun (from
# app.py, which always runs) keeps it. Buttons must not be listed: they cannot be set.
PERSISTENT_PREFIXES = (
    "train_family",
    "train_preset",
    "train_mlp_",
    "train_cnn_",
    "train_name_",
    "explore_class",
    "explore_count",
    "draw_stroke",
    "results_norm",
)


def keep_widget_values() -> None:
    """Carry the listed widgets' values across page switches (call once per rerun)."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(PERSISTENT_PREFIXES):
            st.session_state[key] = st.session_state[key]


def current_data() -> DataChoice | None:
    """The choice the sidebar made on this rerun (None before the sidebar ran)."""
    return st.session_state.get("data_choice")


def require_dataset() -> Dataset:
    """The loaded dataset, or stop the page with the explanation the sidebar already gave."""
    choice = current_data()
    if choice is None or choice.dataset is None:
        st.info(HOW_TO_GET_DATA.format(folder=settings.data_dir()))
        if choice is not None and choice.problem:
            st.caption(f"Why: {choice.problem}")
        st.stop()
    return choice.dataset


def data_badge(dataset: Dataset) -> None:
    """The one-line data label every page shows; synthetic data is flagged loudly."""
    if dataset.synthetic:
        st.warning(
            f"SYNTHETIC demo data - not real handwriting. {dataset.label}",
            icon=":material/warning:",
        )
    else:
        st.caption(
            f"Data: {dataset.label} - {len(dataset.train):,} train, {len(dataset.test):,} test"
        )


def show_error(error: Exception) -> None:
    """A library error as a red box with its message (which names the fix), never a traceback."""
    st.error(str(error))
