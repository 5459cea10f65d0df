"""Benchmark: the dashboard as a user meets it, measured in Chromium against the server that
`./lab.sh app` starts (`python -m dashboard.serve`: `streamlit run`, warmed first).

1. First render: server process start -> first page content visible (and browser
   navigation -> content), with the stand-in data as the data folder.
2. Stroke -> displayed prediction on the Draw page: mouse up -> the page shows the new
   predictions of both models (p50/p95 over --strokes strokes).
3. Page switches while a CNN trains in the background (started from the Train page):
   sidebar click -> the new page's title visible, and -> the page's script finished.
   Then Stop, once the panel reports training batches (--stop-at switches: right after the
   switches, which can fall while the CNN still draws its training images): click ->
   "Stopping" shown, -> "Training stopped" shown (the worker left its training loop), ->
   the partial run saved ("was stopped").
4. Between 1 and 2, each analysis page's first visit: Results and Compare until all of
   them is drawn (their last button shown, every chart and image drawn), Why CNNs win
   until its first section shows.

Draw needs an MLP and a CNN run: those in --runs-dir (read from a temporary copy, so the
partial run Stop saves stays out of that folder), or without it the script trains the `quick`
architectures for one epoch on 5,000 stand-in images (latency depends on the
architecture, not on how well it is trained).

    .venv/bin/python -m bench.bench_dashboard [--data-dir ../shared/emnist-standin] [--strokes 20]
"""

import argparse
import dataclasses
import json
import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import machine

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

WAIT_MS = 120_000
QUIET_MS = 2_000  # before a first visit: the previous page's run ends (Streamlit shows its
# status widget only for runs longer than a moment, so a check alone can pass too early)
STOP_WAIT_MS = 900_000  # Stop acts after the current batch, which is slow on a loaded machine
PAGES = ("Train", "Results", "Compare", "Draw", "Runs", "Explore")
TITLES = {
    "Explore": "Explore the data",
    "Train": "Train a model",
    "Results": "Results",
    "Compare": "Compare runs",
    "Draw": "Draw a character",
    "Runs": "Saved runs",
    "Why CNNs win": "Why CNNs win",
}
# First visits, before anything is cached: until this text shows and every chart and image
# on screen is drawn. Results and Compare end with the report button, so they count as open
# only when all of them is on screen; Why CNNs win counts from its first section.
FIRST_VISITS = {
    "Results": "Build HTML report",
    "Compare": "Build HTML report",
    "Why CNNs win": "1 · Move it, turn it, smudge it",
}


def make_runs(data_dir: str, runs_dir: Path) -> None:
    """One-epoch MLP and CNN with the quick presets' architectures on 5,000 stand-in images."""
    from emnist_core.data import load
    from emnist_core.models.presets import get_preset
    from emnist_core.training.loop import train

    dataset = load(data_dir)
    pick = np.random.default_rng(0).choice(len(dataset.train), 5000, replace=False)
    small = dataclasses.replace(dataset, train=dataset.train.subset(pick))
    for family in ("mlp", "cnn"):
        config = get_preset(family, "quick").replace(epochs=1, early_stopping=False)
        train(config, small, runs_dir=runs_dir, name=f"bench-{family}")


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "n": len(values),
        "p50_s": round(statistics.median(values), 3),
        "p95_s": round(p95, 3),
        "max_s": round(max(values), 3),
    }


def script_done(page, timeout_ms: int = WAIT_MS) -> None:
    """Wait until Streamlit's 'running' indicator is gone (the page's script finished)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )


def title_shown(page, text: str) -> None:
    """Wait until a page title (h1) with this text is on screen, checked every frame.

    Playwright's locator.wait_for retries after 0, 20, 50, 100, 100, then every 500 ms, so
    a title that appears between retries was timed up to half a second late; a function
    polled on each animation frame sees it within ~16 ms.
    """
    page.wait_for_function(
        """(text) => [...document.querySelectorAll('h1')]
             .some(h => h.textContent.trim() === text && h.getClientRects().length > 0)""",
        arg=text,
        polling="raf",
        timeout=WAIT_MS,
    )


def drawn(page, text: str) -> None:
    """Wait until `text` is on screen and every chart and image shown so far is drawn (an
    image counts once it has loaded with pixels: a broken one would never count).

    Checked every 20 ms in the page, not by Playwright's retries (up to 500 ms apart). The
    status widget is no end marker: Streamlit shows it only for runs longer than a moment,
    so a check for its absence can pass before a short run has drawn anything.
    """
    page.wait_for_function(
        """(text) => document.body.innerText.includes(text)
             && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                  .every(chart => chart.querySelector('.main-svg'))
             && [...document.images].every(image => image.complete && image.naturalWidth > 0)""",
        arg=text,
        polling=20,
        timeout=WAIT_MS,
    )


def go(page, title: str, until: str | None = None) -> tuple[float, float]:
    """Click a page in the sidebar: seconds until its title shows, and until its script
    ends (or, given `until`, until that text shows with every chart and image drawn)."""
    started = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    title_shown(page, TITLES[title])
    shown = time.perf_counter() - started
    if until is None:
        page.wait_for_timeout(150)  # the status widget appears a moment after the click
        script_done(page)
    else:
        drawn(page, until)
    return shown, time.perf_counter() - started


def first_render(page, url: str, server_started: float) -> dict:
    started = time.perf_counter()
    page.goto(url)
    title_shown(page, "Explore the data")
    title = time.perf_counter()
    page.get_by_text("Class counts").wait_for(timeout=WAIT_MS)
    content = time.perf_counter()
    return {
        "server_start_to_title_s": round(title - server_started, 3),
        "navigation_to_title_s": round(title - started, 3),
        "navigation_to_data_content_s": round(content - started, 3),
    }


def quiet(page) -> None:
    """Let the page on screen finish its run, as a reader would before clicking on: a click
    during a run waits for that run to stop, which is the switch figure's business."""
    page.wait_for_timeout(QUIET_MS)
    script_done(page)


def first_visits(page) -> dict:
    """Each analysis page's first visit, right after the first render (nothing cached):
    click -> title shown, and -> open (see FIRST_VISITS)."""
    seen = {}
    for title, marker in FIRST_VISITS.items():
        quiet(page)
        title_s, open_s = go(page, title, until=marker)
        seen[title] = {"title_s": round(title_s, 3), "open_s": round(open_s, 3)}
    return seen


def stroke_latency(page, strokes: int) -> dict:
    """Mouse up -> the 'Model time' caption changes (new predictions of both models shown)."""
    go(page, "Draw")
    canvas = page.locator("canvas").last
    box = canvas.bounding_box()
    caption = page.get_by_text("Model time:")
    times = []
    for index in range(strokes + 2):  # the first two warm up the browser path
        before = caption.inner_text() if caption.count() else ""
        x = box["x"] + box["width"] * (0.25 + 0.5 * (index % 5) / 4)
        page.mouse.move(x, box["y"] + box["height"] * 0.2)
        page.mouse.down()
        page.mouse.move(x + 10, box["y"] + box["height"] * 0.8, steps=8)
        started = time.perf_counter()
        page.mouse.up()
        page.wait_for_function(
            """(before) => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                 .some(e => e.innerText.startsWith('Model time:') && e.innerText !== before)""",
            arg=before,
            timeout=WAIT_MS,
        )
        if index >= 2:
            times.append(time.perf_counter() - started)
        script_done(page)
    page.get_by_role("button", name="Reset canvas & history").click()
    return summary(times)


def start_cnn_training(page) -> None:
    go(page, "Train")
    page.get_by_text("CNN (convolutions)").click()
    page.get_by_label("conv filters", exact=True).wait_for(timeout=WAIT_MS)
    script_done(page)
    page.get_by_label("Run name", exact=True).fill("bench-background-cnn")
    page.get_by_label("Run name", exact=True).press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start training").click()
    page.locator(".st-key-train_job_stop button").wait_for(timeout=WAIT_MS)


def switches_while_training(page, rounds: int, stop_at: str = "batches") -> dict:
    for title in PAGES:  # visit once first, so model loading and evaluation are cached
        go(page, title)
    start_cnn_training(page)
    shown, done, per_page = [], [], {title: [] for title in PAGES}
    for _ in range(rounds):
        for title in PAGES:
            title_s, done_s = go(page, title)
            shown.append(title_s)
            done.append(done_s)
            per_page[title].append(round(title_s, 2))
    go(page, "Train")
    if stop_at == "batches":  # Stop a CNN that is visibly training, past its pen drawings
        page.get_by_text(re.compile(r"step \d+/\d+")).first.wait_for(timeout=STOP_WAIT_MS)
    return {
        "title_visible": summary(shown),
        "script_finished": summary(done),
        "title_visible_per_page_s": per_page,  # which page makes the tail
        "stop_clicked": "after the first batches" if stop_at == "batches" else "after the switches",
        **stop_timings(page),
    }


def stop_timings(page) -> dict:
    """Stop click -> 'Stopping' shown, -> 'Training stopped' shown, -> the run saved."""
    marks = {
        "stop_click_to_stopping_s": re.compile("Stopping at the end|Training stopped"),
        "stop_click_to_training_stopped_s": re.compile("Training stopped|was stopped"),
        "stop_click_to_stopped_s": re.compile("was stopped"),  # the partial run saved
    }
    started, seen = time.perf_counter(), {}
    page.locator(".st-key-train_job_stop button").click()
    for name, text in marks.items():
        try:
            page.get_by_text(text).first.wait_for(timeout=STOP_WAIT_MS)
        except Exception:  # noqa: BLE001 - report the rest even if Stop outlasts the wait
            seen[name] = None
            continue
        seen[name] = round(time.perf_counter() - started, 3)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT / ".." / "shared" / "emnist-standin"))
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--strokes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--stop-at",
        choices=("batches", "switches"),
        default="batches",
        help="click Stop once the panel reports training batches (default), or right after "
        "the page switches, which can fall while the CNN still draws its training images",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        runs_dir = Path(tmp) / "runs"
        if args.runs_dir is None:
            make_runs(args.data_dir, runs_dir)
        else:  # a copy: the Stop below saves a partial run, which must not land in yours
            shutil.copytree(args.runs_dir, runs_dir)
        env = {
            "EMNIST_DATA_DIR": str(Path(args.data_dir).resolve()),
            "EMNIST_RUNS_DIR": str(runs_dir),
        }
        server_started = time.perf_counter()
        with streamlit_server(env, Path(tmp) / "streamlit.log") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            results = {"first_render": first_render(page, url, server_started)}
            results["first_visits"] = first_visits(page)
            if args.strokes:
                results["stroke_to_prediction"] = stroke_latency(page, args.strokes)
            results["page_switch_while_cnn_trains"] = switches_while_training(
                page, args.rounds, args.stop_at
            )
            browser.close()
    results["load_average_1min"] = os.getloadavg()[0]
    results["machine"] = machine.describe()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
