"""`jobs submit|list|watch|stop`: training jobs on the Dask cluster, the API the pages use.

With --scheduler (or EMNIST_SCHEDULER) the jobs run on that cluster and outlive the
command; without one, `submit` starts a private cluster that ends with the command, so
it waits for the run to land. Every command collects the finished runs of its registry.
"""

import argparse
import json
import sys
import time
from types import SimpleNamespace

from emnist_core import settings
from emnist_core.cli.training import TqdmProgress, resolve_config, train_command
from emnist_core.models.presets import PRESET_NAMES


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scheduler", help="tcp://HOST:PORT of a dask scheduler (EMNIST_SCHEDULER)"
    )
    parser.add_argument("--runs-dir", help="the registry runs land in (default: artifacts/runs)")


def register(subparsers) -> None:
    """Add `jobs` and its four actions to the top-level parser."""
    jobs = subparsers.add_parser("jobs", help="training jobs on a Dask cluster")
    actions = jobs.add_subparsers(dest="jobs_command", required=True)
    submit = actions.add_parser("submit", help="queue a training job; prints its id")
    submit.add_argument("--model", required=True, choices=("mlp", "cnn"), help="model family")
    submit.add_argument("--preset", default="baseline", help=", ".join(PRESET_NAMES))
    submit.add_argument("--epochs", type=int, help="override the preset's epochs")
    submit.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE"
    )
    submit.add_argument("--data-dir", help="EMNIST folder (default: the lab's data folder)")
    submit.add_argument("--owner", default="cli", help="whose job it is (fair-queue share)")
    submit.add_argument("--wait", action="store_true", help="show progress until the run lands")
    _common(submit)
    submit.set_defaults(handler=run_submit)
    listing = actions.add_parser("list", help="jobs of this registry, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _common(listing)
    listing.set_defaults(handler=run_list)
    for name, handler, text in (
        ("watch", run_watch, "show a job's progress until it ends"),
        ("stop", run_stop, "stop a job after its current batch"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("job_id")
        _common(action)
        action.set_defaults(handler=handler)


def _client(args: argparse.Namespace, need_cluster: bool):
    """A JobClient on the configured cluster, or a private one when need_cluster; else None."""
    from emnist_core.jobs.client import JobClient
    from emnist_core.jobs.cluster import open_cluster

    if settings.scheduler(args.scheduler) is None and not need_cluster:
        return None
    return JobClient(open_cluster(args.scheduler), args.runs_dir)


def _records(args: argparse.Namespace) -> list:
    """The registry's records, refreshed (finished runs collected) when a cluster is configured."""
    from emnist_core.jobs.store import JobStore

    jobs = _client(args, need_cluster=False)
    if jobs is None:
        return JobStore(args.runs_dir).all()
    try:
        return jobs.refresh()
    finally:
        jobs.cluster.close()


class _Bar:
    """Progress events (dicts from the worker) onto the `train` command's tqdm bar."""

    def __init__(self) -> None:
        self.bar = TqdmProgress()

    def __call__(self, event: dict) -> None:
        if event.get("kind") == "start":
            print(f"running on {event.get('host')} ({event.get('worker')})", file=sys.stderr)
        elif event.get("event") in ("drawing", "batch", "epoch"):
            self.bar(SimpleNamespace(**event))


def _follow(jobs, job_id: str) -> int:
    """Watch a job to its end; 0 when its run landed (finished or stopped), 1 when it failed."""
    bar = _Bar()
    try:
        record = jobs.wait(job_id, on_event=bar)
    finally:
        bar.bar.close()
    if record.status == "failed":
        print(f"job {job_id} failed: {record.error}", file=sys.stderr)
        return 1
    print(
        f"job {job_id} {record.status}; runs landed in {jobs.runs_dir}: {', '.join(record.run_ids)}"
    )
    return 0


def run_submit(args: argparse.Namespace) -> int:
    config = resolve_config(args)
    from emnist_core.data import load
    from emnist_core.jobs.tasks import JobSpec, ModelSpec

    dataset = load(args.data_dir)
    name = f"{config.family}-{args.preset}"
    args.name, args.val_fraction = None, 0.1  # what train_command records
    spec = JobSpec(
        (ModelSpec(config.to_dict(), name, args.preset),), name, command=train_command(args)
    )
    jobs = _client(args, need_cluster=True)
    try:
        record = jobs.submit(spec, dataset, args.owner, hints=(str(dataset.source),))
        print(record.job_id, flush=True)
        if not jobs.cluster.embedded and not args.wait:
            return 0
        if jobs.cluster.embedded and not args.wait:
            print(
                "no scheduler set: the private cluster ends with this command, so it waits",
                file=sys.stderr,
            )
        return _follow(jobs, record.job_id)
    finally:
        jobs.cluster.close()


def _row(record) -> dict:
    row = dict(vars(record))
    row["waited_seconds"] = round((record.started or time.time()) - record.submitted, 1)
    return row


def run_list(args: argparse.Namespace) -> int:
    rows = [_row(record) for record in _records(args)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no jobs")
        return 0
    print(f"{'job id':22s} {'status':9s} {'owner':12s} {'host':12s} label / runs")
    for row in rows:
        detail = ", ".join(row["run_ids"]) or row["error"] or ""
        print(
            f"{row['job_id']:22s} {row['status']:9s} {row['owner'][:12]:12s} "
            f"{(row['host'] or '-')[:12]:12s} {row['label']} {detail}"
        )
    return 0


def run_watch(args: argparse.Namespace) -> int:
    jobs = _client(args, need_cluster=False)
    if jobs is None:
        return _report_stored(args)
    try:
        jobs.refresh()
        return _follow(jobs, args.job_id)
    finally:
        jobs.cluster.close()


def _report_stored(args: argparse.Namespace) -> int:
    from emnist_core.jobs.store import JobStore

    record = JobStore(args.runs_dir).get(args.job_id)
    if record is None:
        print(
            f"error: no job {args.job_id!r}; list jobs with `emnist-lab jobs list`.",
            file=sys.stderr,
        )
        return 2
    print(f"job {record.job_id} {record.status} {record.error or ''} {' '.join(record.run_ids)}")
    return 1 if record.status == "failed" else 0


def run_stop(args: argparse.Namespace) -> int:
    jobs = _client(args, need_cluster=False)
    if jobs is None:
        print(
            "error: no scheduler set (--scheduler or EMNIST_SCHEDULER): nothing to stop.",
            file=sys.stderr,
        )
        return 2
    try:
        jobs.refresh()
        jobs.stop(args.job_id)
        print(f"stop sent to {args.job_id}: it ends after its current batch")
        return 0
    finally:
        jobs.cluster.close()
