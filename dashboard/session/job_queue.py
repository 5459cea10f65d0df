"""The training queue as tables: a session's view of everyone's jobs, and the instructor's.

Both read the JobTracker's records (the registry's job table) and its live mirrors for
queue places, hosts and progress. In classroom mode a student sees other students' jobs
only as "another student"; the instructor sees every owner and can stop any job.
"""

import streamlit as st

from dashboard.session import class_limits, identity
from dashboard.session import train_jobs as jobs
from emnist_core.errors import EmnistError

REFRESH_SECONDS = 2.0  # the instructor's table refreshes itself while any job lives


def _live_fields(tracker, record) -> dict:
    """Place in queue, host, progress text and fraction of one job from its mirror."""
    mirror = tracker.get(record.job_id)
    snap = mirror.snapshot() if mirror is not None else {}
    progress = snap.get("progress", {})
    running = record.live and not snap.get("position")
    return {
        "status": "waiting" if snap.get("position") else record.status,
        "place in queue": snap.get("position"),
        "worker host": snap.get("host") or record.host,
        "ETA": jobs.format_seconds(progress.get("eta")) if running and mirror else "",
        "progress": jobs.progress_fraction(progress) if running and progress else None,
    }


def queue_rows(owner: str, limit: int = 12) -> list[dict]:
    """Recent jobs for this session's table; other owners' names and runs hidden in class."""
    tracker, classroom = jobs.job_tracker(), identity.classroom_mode()
    rows = []
    for record in tracker.records()[:limit]:
        mine = record.owner == owner
        shown = mine or not classroom
        live = _live_fields(tracker, record)
        live.pop("progress")
        rows.append(
            {
                "job": record.label if shown else "(not yours)",
                "whose": "you" if mine else "another student",
                **live,
                "runs": ", ".join(record.run_ids) if shown else "",
            }
        )
    return rows


def _limits_text() -> str:
    limits = class_limits.student_limits() if identity.classroom_mode() else None
    if limits is None:
        return "each session may have 1 running and 2 waiting jobs"
    return (
        f"you may have {limits.jobs_running} running and {limits.jobs_queued} waiting jobs, "
        f"of at most {limits.max_epochs} epochs and {limits.max_params:,} parameters"
    )


def queue_ui() -> None:
    """The registry's recent jobs on the cluster: who, where in the queue, on which host."""
    if not jobs.cluster_started():
        return
    with st.expander("Training queue (all sessions)"):
        tracker = jobs.job_tracker()
        cluster = tracker.client.cluster
        where = "a private cluster on this machine" if cluster.embedded else cluster.address
        st.caption(
            f"Jobs run on {where}, {cluster.slots()} slot(s); {_limits_text()}, and free "
            "slots go to each in turn."
        )
        if tracker.last_error:
            st.warning(f"The cluster did not answer the last check: {tracker.last_error}")
        rows = queue_rows(jobs.session_owner())
        if rows:
            st.dataframe(rows, hide_index=True)
        else:
            st.caption("No jobs yet.")


def class_rows(limit: int = 30) -> list[dict]:
    """Every owner's recent jobs with progress, for the instructor (live ones first)."""
    tracker = jobs.job_tracker()
    records = sorted(tracker.records()[:limit], key=lambda record: not record.live)
    return [
        {
            "job_id": record.job_id,
            "owner": record.owner,
            "job": record.label,
            **_live_fields(tracker, record),
            "runs": ", ".join(record.run_ids),
        }
        for record in records
    ]


def class_jobs_ui() -> None:
    """The instructor's queue: owners, places, hosts and progress, with Stop on live jobs."""
    if not jobs.cluster_started():
        st.caption("No jobs yet: the training cluster starts with the first one.")
        return
    rows = class_rows()
    any_live = any(row["status"] in ("queued", "waiting", "running") for row in rows)

    @st.fragment(run_every=REFRESH_SECONDS if any_live else None)
    def table() -> None:
        fresh = class_rows()
        if not fresh:
            st.caption("No jobs yet.")
            return
        st.dataframe(
            fresh,
            hide_index=True,
            key="instructor_jobs",
            column_config={"progress": st.column_config.ProgressColumn(min_value=0, max_value=1)},
        )

    table()
    live = [row["job_id"] for row in rows if row["status"] in ("queued", "waiting", "running")]
    if live:
        stop_ui(live, {row["job_id"]: row for row in rows})


def stop_ui(live: list[str], by_id: dict[str, dict]) -> None:
    left, right = st.columns([4, 1])
    job_id = left.selectbox(
        "Job to stop",
        live,
        format_func=lambda jid: f"{by_id[jid]['owner']} · '{by_id[jid]['job']}' · {jid}",
        key="instructor_stop_pick",
    )
    if right.button("Stop", key="instructor_stop"):
        try:
            class_limits.stop_id(jobs.job_tracker(), job_id)
        except EmnistError as error:
            st.error(str(error))
            return
        st.rerun()
