"""Benchmark: single-image prediction latency (preprocess + model call), as the Draw page does it.

Each call takes a 280x280 RGBA canvas (white strokes on a transparent background, the
Draw page's canvas), runs preprocess_image, then Predictor.predict_top (top 5). It is
measured for each model alone and for an MLP and a CNN together (one preprocess, two
model calls), p50 and p95 over --calls calls after --warmup calls. Latency does not
depend on the weights, so without RUN arguments it builds an untrained model of each
preset; with runs it loads their saved models.

    .venv/bin/python -m bench.bench_latency [RUN ...] [--runs-dir R] [--calls 300] [--rounds 1]

With --rounds N every measurement is repeated N times and the table gives the median
p50, the median p95 and the worst p95 over the rounds.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from bench import machine

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from emnist_core.inference.predictor import Predictor
from emnist_core.inference.preprocess import preprocess_image

CANVAS_SIDE, STROKE = 280, 20
NUM_CLASSES = 47


def canvases(count: int, seed: int = 0) -> list[np.ndarray]:
    """Random 2-4 stroke scribbles, drawn the way the canvas returns them (RGBA)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        alpha = Image.new("L", (CANVAS_SIDE, CANVAS_SIDE), 0)
        pen = ImageDraw.Draw(alpha)
        for _ in range(rng.integers(2, 5)):
            points = [tuple(p) for p in rng.integers(30, 250, size=(rng.integers(2, 5), 2))]
            pen.line(points, fill=255, width=STROKE, joint="curve")
        rgba = np.zeros((CANVAS_SIDE, CANVAS_SIDE, 4), dtype=np.uint8)
        rgba[..., :3] = 255
        rgba[..., 3] = np.asarray(alpha)
        out.append(rgba)
    return out


def percentiles(fn, drawings, calls: int, warmup: int) -> tuple[float, float, float]:
    """Wall-clock p50 and p95, and CPU p50, in milliseconds of fn(drawing).

    CPU time (all threads of this process) is what a call costs when it is not kept
    waiting; on a shared machine the gap between it and the wall clock is other
    people's work.
    """
    for i in range(warmup):
        fn(drawings[i % len(drawings)])
    wall, cpu = [], []
    for i in range(calls):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(drawings[i % len(drawings)])
        wall.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
    p50, p95 = np.percentile(wall, [50, 95])
    return float(p50), float(p95), float(np.median(cpu))


def preset_predictors() -> dict[str, Predictor]:
    """An untrained model of every family and preset (latency only depends on the shape),
    as training would save it: float32, an ensemble's members averaged."""
    from emnist_core.models.build import build_model, finished_model
    from emnist_core.models.presets import PRESET_NAMES, get_preset

    classes = [str(i) for i in range(NUM_CLASSES)]
    predictors = {}
    for family in ("mlp", "cnn"):
        for preset in PRESET_NAMES:
            config = get_preset(family, preset)
            model = finished_model(build_model(config, NUM_CLASSES), config, NUM_CLASSES)
            predictors[f"{family}-{preset}"] = Predictor(model, classes)
    return predictors


def run_predictors(run_ids: list[str], runs_dir: str | None) -> dict[str, Predictor]:
    from emnist_core.cli.evaluate import resolve_run

    predictors = {}
    for run_id in run_ids:
        run = resolve_run(run_id, runs_dir)
        predictors[f"{run.family}:{run.name}"] = Predictor.from_run(run)
    return predictors


def pairs(names: list[str]) -> list[tuple[str, str]]:
    """MLP/CNN pairs to time together: same preset where possible, else every MLP x CNN."""
    mlps = [n for n in names if n.startswith("mlp")]
    cnns = [n for n in names if n.startswith("cnn")]
    same = [(m, c) for m in mlps for c in cnns if m.split("-", 1)[-1] == c.split("-", 1)[-1]]
    return same or [(m, c) for m in mlps for c in cnns]


def workloads(predictors: dict[str, Predictor]) -> dict[str, object]:
    """What to time, by label: preprocessing alone, each model, and MLP + CNN pairs."""
    jobs: dict[str, object] = {"preprocess only": preprocess_image}
    for name, predictor in predictors.items():

        def one(drawing, predictor=predictor):
            predictor.predict_top(preprocess_image(drawing), 5)

        jobs[f"{name} ({predictor.model.count_params():,} params)"] = one
    for mlp, cnn in pairs(list(predictors)):

        def both(drawing, a=predictors[mlp], b=predictors[cnn]):
            pixels = preprocess_image(drawing)
            a.predict_top(pixels, 5)
            b.predict_top(pixels, 5)

        jobs[f"{mlp} + {cnn}"] = both
    return jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", metavar="RUN", help="run ids or folders")
    parser.add_argument("--runs-dir")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat everything; on a shared machine the spread is the story",
    )
    args = parser.parse_args()
    if args.calls < 200:
        parser.error("--calls must be at least 200 for a meaningful p95")
    predictors = run_predictors(args.runs, args.runs_dir) if args.runs else preset_predictors()
    drawings, jobs = canvases(25), workloads(predictors)
    results: dict[str, list[tuple[float, float, float]]] = {label: [] for label in jobs}
    for _ in range(args.rounds):
        for label, fn in jobs.items():
            results[label].append(percentiles(fn, drawings, args.calls, args.warmup))
    print(
        f"{args.rounds} round(s) of {args.calls} calls after {args.warmup} warm-up calls; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    print(machine.line())
    print(f"{'what':<40} {'p50 ms':>8} {'p95 ms':>8} {'worst p95':>10} {'CPU p50':>8}")
    for label, rows in results.items():
        p50, p95, cpu = (float(np.median([r[k] for r in rows])) for k in range(3))
        worst = max(r[1] for r in rows)
        print(f"{label:<40} {p50:8.2f} {p95:8.2f} {worst:10.2f} {cpu:8.2f}")


if __name__ == "__main__":
    main()
