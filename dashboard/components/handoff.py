"""Take runs elsewhere from the dashboard: export downloads (zip, onnx, litert) and the report.

Exporting and building a report take seconds, so each is made on a button press and kept
in the session; its download button appears once it is ready.
"""

import tempfile
from pathlib import Path

import streamlit as st

from emnist_core.errors import EmnistError
from emnist_core.export import FORMATS, SUFFIXES

LABELS = {"zip": "Run folder (zip)", "onnx": "ONNX model", "litert": "LiteRT (.tflite)"}


def _export(run, fmt: str) -> dict[str, bytes]:
    """{file name: bytes} of one export of run (litert also writes its class list)."""
    from emnist_core.export import export_run

    with tempfile.TemporaryDirectory() as folder:
        written = export_run(run, fmt, Path(folder) / f"{run.run_id}{SUFFIXES[fmt]}")
        return {path.name: path.read_bytes() for path in written}


def export_ui(run, key: str) -> None:
    """One Prepare button per format; each export's files then download."""
    st.markdown("**Take the model elsewhere** (same input as model.keras: (N, 28, 28), 0-255)")
    for column, fmt in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
        state = f"{key}_export_{fmt}_{run.run_id}"
        if state not in st.session_state and column.button(
            f"Prepare {LABELS[fmt]}", key=f"{key}_prepare_{fmt}"
        ):
            try:
                with st.spinner(f"Exporting {LABELS[fmt]}..."):
                    st.session_state[state] = _export(run, fmt)
            except EmnistError as error:
                column.error(str(error))
        for name, payload in st.session_state.get(state, {}).items():
            column.download_button(
                f"Download {name}", payload, file_name=name, key=f"{key}_download_{name}"
            )


def report_ui(runs: list, dataset, key: str) -> None:
    """Build the self-contained HTML report of runs on dataset, then offer it for download."""
    from emnist_core.report import build_report

    state = f"{key}_report_" + "_".join(run.run_id for run in runs)
    if st.button("Build HTML report", key=f"{key}_report", help="Prints cleanly to PDF"):
        try:
            with st.spinner("Building the report (evaluations, robustness curves)..."):
                st.session_state[state] = build_report(runs, dataset)
        except EmnistError as error:
            st.error(str(error))
    if state in st.session_state:
        st.download_button(
            "Download report (HTML)",
            st.session_state[state],
            file_name="report.html",
            mime="text/html",
            key=f"{key}_report_download",
        )
