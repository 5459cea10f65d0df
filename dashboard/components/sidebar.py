"""The shared sidebar, drawn once by app.py: choose the data source and the runs in focus."""

from pathlib import Path

import streamlit as st

from dashboard.session import data_source, downloads, saved_runs
from emnist_core import settings
from emnist_core.errors import EmnistError


def data_source_ui() -> data_source.DataChoice:
    """Sidebar widgets for the data source; returns what they resolved to."""
    kind = st.sidebar.radio(
        "Data source",
        data_source.SOURCES,
        key="sidebar_source",
        help="EMNIST Balanced: 47 classes of real handwriting. The synthetic set is generated "
        "strokes for trying the lab offline; its accuracy means nothing about EMNIST.",
    )
    if kind == data_source.SOURCE_FOLDER:
        text = st.sidebar.text_input(
            "Folder with EMNIST files",
            key="sidebar_folder",
            help="Official gzip IDX files, the gzip.zip archive, or the Kaggle CSV files.",
        )
        if not text.strip():
            return data_source.DataChoice(
                kind, Path("."), None, "Type the path of a folder with EMNIST files."
            )
        return data_source.load_choice(kind, Path(text.strip()).expanduser())
    if kind == data_source.SOURCE_SYNTHETIC:
        try:
            with st.spinner("Generating the synthetic demo set (first time only)..."):
                folder = data_source.ensure_synthetic()
        except (EmnistError, OSError) as error:
            return data_source.DataChoice(kind, data_source.synthetic_dir(), None, str(error))
        return data_source.load_choice(kind, folder)
    return data_source.load_choice(kind, settings.data_dir())


def download_ui(folder: Path) -> None:
    """The Download button: starts the official download as a job on the cluster, which
    outlives clicks and page switches, and shows its progress bar while it runs."""
    if not downloads.allowed():
        st.sidebar.caption("Ask your instructor to download EMNIST for the class.")
    elif st.sidebar.button("Download EMNIST", key="sidebar_download"):
        try:
            downloads.start(folder)
        except EmnistError as error:
            st.sidebar.error(str(error))
    if downloads.latest(folder) is not None:
        with st.sidebar:  # a fragment draws only inside its own container
            download_progress(folder)


@st.fragment(run_every=1.0)
def download_progress(folder: Path) -> None:
    """The running download's bar, refreshed every second; a finished one reloads the data."""
    snapshot = downloads.latest(folder).snapshot()
    progress = snapshot["progress"]
    done, total = progress.get("done", 0), progress.get("total", 0)
    if snapshot["status"] == "running":
        fraction = min(done / total, 1.0) if total else 0.0
        if snapshot.get("position"):
            text = f"Waiting for a slot: number {snapshot['position']} in the queue"
        elif total:
            text = f"Downloaded {done / 1e6:,.0f} of {total / 1e6:,.0f} MB"
        else:
            text = "Connecting..."
        st.progress(fraction, text=text)
    elif snapshot["error"]:
        st.error(snapshot["error"])
    elif st.session_state.get("sidebar_download_done") != snapshot["finished"]:
        st.session_state["sidebar_download_done"] = snapshot["finished"]  # reload once, not a loop
        data_source.clear_data_caches()  # only the data caches: the job manager must survive
        st.rerun()


def no_data_ui(choice: data_source.DataChoice) -> None:
    """Explain in the main area why there is no data and how to get some."""
    # The first line names the folder; the page shows the full message with the fix.
    st.sidebar.error((choice.problem or "No data.").splitlines()[0])
    if choice.kind == data_source.SOURCE_OFFICIAL:
        download_ui(choice.folder)


def sidebar() -> data_source.DataChoice:
    """Draw the shared sidebar and remember the data choice for the pages of this rerun."""
    choice = data_source_ui()
    st.session_state["data_choice"] = choice
    if choice.dataset is None:
        no_data_ui(choice)
    elif choice.dataset.synthetic:
        st.sidebar.warning("SYNTHETIC demo data: generated strokes, not real handwriting.")
    else:
        st.sidebar.caption(
            f"{len(choice.dataset.train):,} train / {len(choice.dataset.test):,} test images"
        )
    saved_runs.focus_ui()
    return choice
