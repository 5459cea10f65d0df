"""Benchmark: a class of 30 on one machine, every job through the Dask engine.

Starts a cluster with --slots worker slots on 127.0.0.1 and the dashboard pointed at it
(EMNIST_SCHEDULER), on a synthetic data set. --students students each submit one tiny
training job through the job API the pages call (JobClient.submit, owner = the student);
while the queue is full, --browsers real Chromium sessions switch pages. Reports:

- whether every run landed intact (its folder loads and its model opens);
- each student's wait for a slot, the longest, and the fair-share bound
  (ceil(students / slots) rounds of the longest job);
- page-switch p50/p95 in the Chromium sessions (goal: p95 under 1 s);
- the dashboard server's CPU seconds and peak memory while the jobs ran (goal: training
  adds nothing to the server process).

    .venv/bin/python -m bench.bench_classroom [--students 30] [--slots 2] [--browsers 5]
"""

import argparse
import json
import math
import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench import machine
from bench.bench_dashboard import go, summary, title_shown

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402
from tests.fixtures import tiny_job  # noqa: E402

PAGES = ("Train", "Runs", "Explore", "Results")


def submit_class(jobs, dataset, students: int) -> list:
    """One tiny job per student, submitted as fast as the API takes them."""
    hints = (str(dataset.source),)
    return [
        jobs.submit(tiny_job(f"student-{i:02d}", epochs=2), dataset, f"student-{i:02d}", hints)
        for i in range(students)
    ]


def server_process() -> psutil.Process:
    """The dashboard server child of this process (`python -m dashboard.serve`)."""
    for child in psutil.Process().children(recursive=True):
        if "dashboard.serve" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("no streamlit server among this process's children")


class ServerMeter:
    """CPU seconds and peak RSS of the server process (children excluded) while it runs."""

    def __init__(self, process: psutil.Process):
        self.process, self.peak_rss, self.done = process, 0, threading.Event()
        self.cpu_start = sum(process.cpu_times()[:2])
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(0.2):
            self.peak_rss = max(self.peak_rss, self.process.memory_info().rss)

    def stop(self, seconds: float) -> dict:
        self.done.set()
        self.thread.join()
        cpu = sum(self.process.cpu_times()[:2]) - self.cpu_start
        return {
            "cpu_seconds": round(cpu, 2),
            "cpu_share_of_one_core": round(cpu / max(seconds, 1e-9), 3),
            "peak_rss_mib": round(self.peak_rss / 2**20, 1),
        }


def switch_pages(browser, url: str, sessions: int, still_running) -> dict:
    """Round-robin page switches across `sessions` browser sessions until the jobs end."""
    pages = []
    for _ in range(sessions):
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(url)
        title_shown(page, "Explore the data")
        pages.append(page)
    shown, index = [], 0
    while still_running() or index < len(PAGES) * sessions:
        page = pages[index % sessions]
        title = PAGES[(index // sessions) % len(PAGES)]
        shown.append(go(page, title)[0])
        index += 1
    return summary(shown)


def waits(records, slots: int) -> dict:
    waited = {r.owner: round(r.started - r.submitted, 2) for r in records if r.started}
    durations = [r.finished - r.started for r in records if r.started and r.finished]
    bound = math.ceil(len(records) / slots) * max(durations, default=0.0)
    return {
        "longest_wait_s": max(waited.values(), default=None),
        "fair_share_bound_s": round(bound, 2),
        "longest_job_s": round(max(durations, default=0.0), 2),
        "per_student_wait_s": waited,
    }


def intact(runs_dir: Path, records) -> dict:
    from emnist_core.training.runs import RunRegistry

    registry, good = RunRegistry(runs_dir), 0
    for record in records:
        for run_id in record.run_ids:
            run = registry.get(run_id)
            run.load_model()
            good += run.status == "complete"
    return {"jobs": len(records), "runs_landed_intact": good}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--browsers", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from emnist_core.data import load, write_synthetic
    from emnist_core.jobs.client import JobClient
    from emnist_core.jobs.cluster import start_embedded

    with tempfile.TemporaryDirectory() as tmp:
        data = write_synthetic(Path(tmp) / "data", per_class=20, test_per_class=5)
        runs_dir, dataset = Path(tmp) / "runs", load(data)
        cluster = start_embedded(args.slots)
        jobs = JobClient(cluster, runs_dir)
        env = {
            "EMNIST_DATA_DIR": str(data),
            "EMNIST_RUNS_DIR": str(runs_dir),
            "EMNIST_SCHEDULER": cluster.address,
        }
        try:
            with streamlit_server(env, Path(tmp) / "streamlit.log") as url, sync_playwright() as p:
                meter = ServerMeter(server_process())
                started = time.perf_counter()
                records = submit_class(jobs, dataset, args.students)
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                still = lambda: any(r.live for r in jobs.refresh())  # noqa: E731
                switches = switch_pages(browser, url, args.browsers, still)
                ended = [jobs.wait(r.job_id, timeout=3600) for r in records]
                server = meter.stop(time.perf_counter() - started)
                browser.close()
        finally:
            cluster.close()
        results = {
            "students": args.students,
            "slots": args.slots,
            "browsers": args.browsers,
            "landed": intact(runs_dir, ended),
            "waits": waits(ended, args.slots),
            "page_switch_title_visible": switches,
            "server_process_while_jobs_ran": server,
            "seconds_total": round(time.perf_counter() - started, 1),
            "machine": machine.describe(),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
