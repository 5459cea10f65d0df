"""Benchmark: train presets on the stand-in; record wall and CPU time, accuracy, images/s, memory.

Each preset trains in its own subprocess (so peak memory is per preset and one cannot
warm the other), on the unbalanced stand-in train split, scored on its balanced
4,700-image test split. Figures are on the stand-in, not the official Balanced test set.
Prints a markdown table and writes JSON under artifacts/bench/.

    .venv/bin/python -m bench.bench_presets [cnn:quick mlp:tuned ...] [--data-dir D] [--runs-dir R]
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from bench import machine

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "emnist-standin"
ALL = ["mlp:baseline", "mlp:quick", "mlp:tuned", "cnn:baseline", "cnn:quick", "cnn:tuned"]


def train_one(family: str, preset: str, data_dir: str, runs_dir: str) -> dict:
    """Train one preset in this process and return its figures (run inside a child)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from emnist_core.data import load
    from emnist_core.models.presets import get_preset
    from emnist_core.training.loop import train

    dataset = load(data_dir)
    config = get_preset(family, preset)
    cpu_before, started = time.process_time(), time.perf_counter()
    run = train(
        config,
        dataset,
        runs_dir=runs_dir,
        preset=preset,
        name=f"bench {family} {preset}",
        command=f"bench/bench_presets.py {family}:{preset} --data-dir {data_dir}",
    )
    timing = run.info["timing"]
    return {
        "family": family,
        "preset": preset,
        "run_id": run.run_id,
        "status": run.status,
        "test_accuracy": run.metrics["accuracy"],
        "macro_f1": run.metrics["macro_f1"],
        "train_seconds": timing["train_seconds"],
        "epochs_run": timing["epochs_run"],
        "images_per_second": timing["images_per_second"],
        "params": run.info["params"],
        "train_cpu_seconds": timing.get("train_cpu_seconds"),
        "precision": timing.get("precision", "float32"),
        "process_cpu_seconds": round(time.process_time() - cpu_before, 1),
        "total_wall_seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_after": os.getloadavg(),
        "train_images": run.info["data"]["sizes"]["train"],
        "synthetic": run.info["data"]["synthetic"],
    }


def run_child(spec: str, args: argparse.Namespace) -> dict:
    family, _, preset = spec.partition(":")
    load_before = os.getloadavg()
    figures = machine.run_child(
        "bench.bench_presets",
        spec,
        "--data-dir",
        str(args.data_dir),
        "--runs-dir",
        str(args.runs_dir),
    )
    figures["load_average_before"] = load_before
    return figures


def table(rows: list[dict]) -> str:
    lines = [
        "| preset | precision | test acc | macro F1 | train s (wall) | CPU s | epochs | "
        "images/s | params | peak RSS MiB | load before/after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['family']} {r['preset']} | {r['precision']} | {r['test_accuracy']:.2%} | "
            f"{r['macro_f1']:.3f} | {r['train_seconds']:.0f} | {r['process_cpu_seconds']:.0f} | "
            f"{r['epochs_run']} | "
            f"{r['images_per_second']:.0f} | {r['params']:,} | {r['peak_rss_mib']:.0f} | "
            f"{r['load_average_before'][0]:.1f} / {r['load_average_after'][0]:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=ALL, help="family:preset, e.g. cnn:quick")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs-dir", type=Path, default=ROOT / "artifacts" / "bench" / "runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        family, _, preset = args.child.partition(":")
        print(json.dumps(train_one(family, preset, str(args.data_dir), str(args.runs_dir))))
        return
    rows = []
    print(machine.line(), file=sys.stderr, flush=True)
    for spec in args.presets:
        print(f"training {spec} ...", file=sys.stderr, flush=True)
        rows.append(run_child(spec, args))
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    out_dir = ROOT / "artifacts" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"presets-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {"data_dir": str(args.data_dir), "machine": machine.describe(), "results": rows},
            indent=2,
        )
    )
    print(table(rows))
    print(f"\nwritten {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
