"""The training queue: a table of everyone's jobs for a session, and the instructor's rows.

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


def _class_records(limit: int = 30) -> list:
    """Every owner's recent jobs, live ones first (the records are newest first)."""
    return sorted(jobs.job_tracker().records()[:limit], key=lambda record: not record.live)


def class_jobs_ui() -> None:
    """The instructor's queue: owner, place in queue, host and progress, Stop on live jobs."""
    if not jobs.cluster_started():
        st.caption("No jobs yet: the training cluster starts with the first one.")
        return
    any_live = any(record.live for record in _class_records())

    @st.fragment(run_every=REFRESH_SECONDS if any_live else None)
    def table() -> None:
        records = _class_records()
        if not records:
            st.caption("No jobs yet.")
        for number, record in enumerate(records, start=1):
            job_row(number, record)

    table()


def _row_text(tracker, record) -> str:
    mirror = tracker.get(record.job_id)
    snap = mirror.snapshot() if mirror is not None else None
    if not record.live or snap is None:
        return record.status + (f" · runs {', '.join(record.run_ids)}" if record.run_ids else "")
    if snap.get("position"):
        return f"waiting: number {snap['position']} in the queue"
    return jobs.progress_text(snap)


def job_row(number: int, record) -> None:
    """One job: owner, label, queue place or progress (with host); Stop while it lives."""
    tracker = jobs.job_tracker()
    left, right = st.columns([6, 1])
    left.markdown(f"**{number}. {record.owner}** · '{record.label}' · {_row_text(tracker, record)}")
    if not record.live:
        return
    fields = _live_fields(tracker, record)
    if fields["progress"] is not None:
        left.progress(fields["progress"])
    if right.button("Stop", key=f"instructor_stop_{record.job_id}"):
        try:
            class_limits.stop_id(tracker, record.job_id)
        except EmnistError as error:
            st.error(str(error))
            return
        st.rerun()
