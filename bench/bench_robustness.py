"""Benchmark: the full robustness sweep of two saved runs on the stand-in test split, timed.

Picks the most accurate MLP and CNN trained on real data in the runs folder (preferring
runs made with the `tuned` preset) unless run ids are given, measures every default
perturbation level on all 4,700 stand-in test images, and prints Markdown tables of
accuracy per level for BENCHMARKS.md, with the sweep's wall time (model loading excluded).

    .venv/bin/python -m bench.bench_robustness [RUN ...] [--data-dir ../shared/emnist-standin]
        [--runs-dir artifacts/runs] [--repeats 1] [--json OUT.json]
"""

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from bench import machine

ROOT = Path(__file__).resolve().parents[1]

from emnist_core.analysis.robustness import (
    PERTURBATIONS,
    RobustnessConfig,
    named_models,
    robustness_curves,
)
from emnist_core.data import load
from emnist_core.training.runs import RunRegistry

DEFAULT_DATA = ROOT.parent / "shared" / "emnist-standin"


def pick_runs(registry: RunRegistry, classes: list[str]) -> list:
    """Best MLP and best CNN on real data with these classes; tuned-preset runs come first."""
    runs = [
        run
        for run in registry.list()
        if not run.synthetic and run.classes == classes and run.accuracy
    ]
    chosen = []
    for family in ("mlp", "cnn"):
        own = [run for run in runs if run.family == family]
        if own:
            chosen.append(max(own, key=lambda r: (r.preset == "tuned", r.accuracy)))
    return chosen


def markdown(frame, names: list[str], perturbation: str) -> str:
    table = frame[frame["perturbation"] == perturbation].pivot(
        index="level", columns="run", values="accuracy"
    )
    lines = [
        f"| {perturbation} level | " + " | ".join(names) + " |",
        "|---:|" + "---:|" * len(names),
    ]
    for level, row in table.iterrows():
        lines.append(f"| {level:g} | " + " | ".join(f"{row[n] * 100:.1f}%" for n in names) + " |")
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", help="run ids (default: best MLP and CNN on real data)")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--repeats", type=int, default=1, help="time the sweep this many times")
    parser.add_argument("--json", help="also write the rows and timings to this file")
    return parser.parse_args()


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_sweeps(models: dict, dataset, repeats: int):
    """The curves frame, and the wall and CPU seconds of each of `repeats` full sweeps.

    CPU seconds say what the sweep costs whatever else the machine is doing: on an idle
    2-core machine the wall time approaches CPU seconds / 2.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        frame = robustness_curves(models, dataset.test, RobustnessConfig())
        wall.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - cpu_started)
    return frame, wall, cpu


def report(dataset, runs: list, names: list[str], frame, seconds: list[float], cpu: list[float]):
    print(f"data: {dataset.label} ({len(dataset.test)} test images); {machine.line()}")
    for run, name in zip(runs, names, strict=True):
        print(
            f"- {name}: {run.name}, preset {run.preset}, recorded test accuracy "
            f"{(run.accuracy or float('nan')) * 100:.2f}%, "
            f"{run.params:,} parameters"
        )
    print(
        f"sweep: {RobustnessConfig().steps} levels x {len(runs)} runs x {len(dataset.test)} "
        f"images; wall time median {statistics.median(seconds):.1f} s "
        f"(runs: {', '.join(f'{s:.1f}' for s in seconds)}); CPU time median "
        f"{statistics.median(cpu):.1f} s"
    )
    for perturbation in PERTURBATIONS:
        print()
        print(markdown(frame, names, perturbation))


def main() -> None:
    args = parse_args()
    dataset = load(args.data_dir)
    registry = RunRegistry(args.runs_dir)
    runs = [registry.get(run_id) for run_id in args.runs]
    runs = runs or pick_runs(registry, list(dataset.classes))
    if not runs:
        sys.exit(f"no runs trained on {dataset.label} in {registry.runs_dir}; train some first")
    names = [f"{run.family.upper()} {run.preset or 'custom'} ({run.run_id})" for run in runs]
    frame, seconds, cpu = timed_sweeps(
        named_models(dict(zip(names, runs, strict=True))), dataset, args.repeats
    )
    report(dataset, runs, names, frame, seconds, cpu)
    if args.json:
        payload = {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "names": names,
            "run_ids": [r.run_id for r in runs],
            "rows": frame.to_dict(orient="records"),
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
