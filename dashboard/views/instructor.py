"""Instructor page: the class at a glance, its jobs, a leaderboard, class references and limits."""

import dataclasses

import pandas as pd
import streamlit as st

from dashboard.session import identity, job_queue, saved_runs
from emnist_core import settings
from emnist_core.classroom import config as classroom_config
from emnist_core.classroom import permissions
from emnist_core.classroom.config import Limits
from emnist_core.classroom.leaderboard import leaderboard
from emnist_core.errors import EmnistError

LIMIT_HELP = {
    "jobs_running": "training jobs one student may run at the same time",
    "jobs_queued": "jobs one student may have waiting in the queue",
    "max_epochs": "epochs of one training run",
    "max_params": "parameters of one model",
    "upload_mb": "size of one uploaded image, in MB",
}


def signed_in_ui(config) -> None:
    st.subheader("Signed in")
    seen = identity.presence().active(config.idle_timeout_minutes * 60)
    if not seen:
        st.caption("Nobody else is signed in.")
        return
    st.dataframe(
        pd.DataFrame([{"user": s.user_id, "role": s.role} for s in seen]),
        hide_index=True,
        key="instructor_signed_in",
    )


def jobs_ui() -> None:
    st.subheader("Jobs")
    st.caption("The training queue: owners, places in the queue, hosts and progress.")
    job_queue.class_jobs_ui()


def leaderboard_ui() -> None:
    st.subheader("Leaderboard: each student's best run")
    entries = leaderboard(saved_runs.list_runs())
    if not entries:
        st.caption("No student has a saved run yet.")
        return
    table = pd.DataFrame([dataclasses.asdict(entry) for entry in entries])
    picked = st.dataframe(
        table,
        hide_index=True,
        key="instructor_leaderboard",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"accuracy": st.column_config.NumberColumn(format="percent")},
    )
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.session_state["results_run"] = table.iloc[rows[0]]["run_id"]
        st.switch_page("views/results.py")
    st.caption("Click a row to open that run on Results.")


def publish_ui(who) -> None:
    st.subheader("Class references")
    st.caption("A published run shows on every student's Compare and Draw pages.")
    workspace = saved_runs.registry()
    runs = workspace.list()
    if not runs or not permissions.can_publish(who):
        return
    published = workspace.published()
    by_id = {run.run_id: run for run in runs}
    run_id = st.selectbox(
        "Run",
        list(by_id),
        format_func=lambda rid: ("★ " if rid in published else "") + saved_runs.label(by_id[rid]),
        key="instructor_publish_pick",
    )
    is_published = run_id in published
    if st.button("Unpublish" if is_published else "Publish to the class", key="instructor_publish"):
        try:
            workspace.publish(run_id, not is_published)
        except EmnistError as error:
            st.error(str(error))
            return
        st.rerun()


def limits_ui(config) -> None:
    st.subheader("Per-student limits")
    with st.form("instructor_limits"):
        values = {
            spec.name: st.number_input(
                spec.name.replace("_", " "),
                min_value=0 if spec.name == "jobs_queued" else 1,
                value=getattr(config.limits, spec.name),
                step=1,
                help=LIMIT_HELP[spec.name],
                key=f"instructor_limit_{spec.name}",
            )
            for spec in dataclasses.fields(Limits)
        }
        if not st.form_submit_button("Save limits"):
            return
    try:
        limits = Limits(**{name: int(value) for name, value in values.items()})
        path = settings.classroom_file()
        classroom_config.save(
            path, classroom_config.with_limits(classroom_config.load(path), limits)
        )
    except EmnistError as error:
        st.error(str(error))
        return
    st.success("Limits saved to the classroom file; they apply from the next action.")


def main() -> None:
    st.title("Instructor")
    who, config = identity.principal(), identity.classroom()
    if who is None or config is None or not permissions.can_edit_class(who):
        st.error("This page is for the class's instructors.")
        st.stop()
    signed_in_ui(config)
    jobs_ui()
    leaderboard_ui()
    publish_ui(who)
    limits_ui(config)


main()
