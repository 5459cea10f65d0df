"""Runs page: every saved run, with rename, delete (after confirmation) and its full config."""

import json

import pandas as pd
import streamlit as st

from dashboard.session import saved_runs
from emnist_core.errors import EmnistError


def runs_table(runs: list) -> pd.DataFrame:
    rows = []
    for run in runs:
        rows.append(
            {
                "name": run.name,
                "family": run.family.upper(),
                "status": run.status,
                "test accuracy": run.accuracy,
                "parameters": run.params,
                "training s": run.train_seconds,
                "epochs": run.epochs_run,
                "data": "SYNTHETIC" if run.synthetic else run.data_folder,
                "created": run.created,
                "id": run.run_id,
            }
        )
    return pd.DataFrame(rows)


def rename_ui(run) -> None:
    left, right = st.columns([3, 1])
    new_name = left.text_input("New name", value=run.name, key=f"runs_name_{run.run_id}")
    right.write("")
    if right.button("Rename", key=f"runs_rename_{run.run_id}"):
        try:
            saved_runs.registry().rename(run.run_id, new_name)
        except EmnistError as error:
            st.error(str(error))
            return
        st.session_state["runs_message"] = f"Renamed to '{new_name.strip()}'."
        st.rerun()


def delete_ui(run) -> None:
    """Delete needs two clicks: the button, then an explicit confirmation."""
    pending = st.session_state.get("runs_confirm_delete") == run.run_id
    if not pending:
        if st.button("Delete this run...", key=f"runs_delete_{run.run_id}"):
            st.session_state["runs_confirm_delete"] = run.run_id
            st.rerun()
        return
    st.warning(f"Delete '{run.name}' ({run.run_id}) and its model file for good?")
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", type="primary", key=f"runs_confirm_{run.run_id}"):
        try:
            saved_runs.registry().delete(run.run_id)
        except EmnistError as error:
            st.error(str(error))
            return
        st.session_state.pop("runs_confirm_delete", None)
        st.session_state["runs_message"] = f"Deleted '{run.name}'."
        st.rerun()
    if no.button("Cancel", key=f"runs_cancel_{run.run_id}"):
        st.session_state.pop("runs_confirm_delete", None)
        st.rerun()


def broken_ui() -> None:
    """Run folders that cannot be read, each with why, and a button that deletes it."""
    registry = saved_runs.registry()
    for name in registry.cleaned:
        st.caption(f"Cleaned {name}, left by a killed save or delete.")
    for broken in registry.broken():
        st.error(f"Broken run {broken.run_id}: {broken.reason}")
        if st.button(f"Delete broken run {broken.run_id}", key=f"runs_broken_{broken.run_id}"):
            registry.delete(broken.run_id)
            st.session_state["runs_message"] = f"Deleted broken run {broken.run_id}."
            st.rerun()


def main() -> None:
    st.title("Saved runs")
    if "runs_message" in st.session_state:
        st.success(st.session_state.pop("runs_message"))
    broken_ui()
    runs = saved_runs.list_runs()
    if not runs:
        st.info("No saved runs yet. Train one on the Train page; it appears here when it finishes.")
        return
    st.dataframe(
        runs_table(runs),
        hide_index=True,
        key="runs_table",
        column_config={"test accuracy": st.column_config.NumberColumn(format="percent")},
    )
    by_id = {run.run_id: run for run in runs}
    chosen = st.selectbox(
        "Run", list(by_id), format_func=lambda rid: saved_runs.label(by_id[rid]), key="runs_pick"
    )
    run = by_id[chosen]
    rename_ui(run)
    delete_ui(run)
    st.subheader("Config")
    st.json(run.config.to_dict() if hasattr(run.config, "to_dict") else run.config)
    with st.expander("Everything recorded about this run (run.json)"):
        st.code(json.dumps(run.info, indent=2, default=str), language="json")


main()
