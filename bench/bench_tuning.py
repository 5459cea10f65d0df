"""Benchmark: a real Optuna study on the stand-in, and the speed-up of two workers over one.

Part 1 runs the built-in search space for a family (TPE, median pruning, a short epoch
budget) in this process and reports the best trial's validation accuracy (what chose it)
and its test accuracy (reported only), with wall time. --train-tuned also trains the
`tuned` preset on the same data for comparison.
Part 2 times the same fixed-cost study (only the learning rate varies, no pruning, so
every trial costs the same) with one `tune` worker process, then with two at once
sharing a SQLite storage.

    .venv/bin/python -m bench.bench_tuning [--data-dir ../shared/emnist-standin] [--model mlp]
        [--trials 20] [--epochs 2] [--speedup-trials 6] [--train-limit N] [--train-tuned]
        [--skip-study] [--skip-speedup] [--pinned-threads] [--json OUT]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from emnist_core.data import idx, load
from emnist_core.data.metadata import idx_name, idx_names


def subset_copy(source: Path, target: Path, limit: int, seed: int = 0) -> Path:
    """The stand-in with its train split cut to `limit` random images (test unchanged)."""
    import shutil

    for name in idx_names("balanced"):
        shutil.copy(source / name, target / name)
    shutil.copy(source / "emnist-balanced-mapping.txt", target)
    images = idx.read_images(source / idx_name("balanced", "train", "images"))
    labels = idx.read_labels(source / idx_name("balanced", "train", "labels"))
    keep = np.sort(np.random.default_rng(seed).permutation(len(labels))[:limit])
    idx.write_gzip_idx(
        target / idx_name("balanced", "train", "images"), idx.encode_images(images[keep])
    )
    idx.write_gzip_idx(
        target / idx_name("balanced", "train", "labels"), idx.encode_labels(labels[keep])
    )
    return target


def run_real_study(dataset, model: str, trials: int, epochs: int, work: Path) -> dict:
    """Part 1: the built-in space, TPE and the median pruner, in this process."""
    from emnist_core.tuning.space_files import default_space
    from emnist_core.tuning.worker import TuneSettings, open_study, run_study

    space = default_space(model).with_fixed(epochs=epochs)
    settings = TuneSettings(trials=trials, seed=0)
    study = open_study(
        space, name=f"bench-{model}", storage=f"sqlite:///{work / 'study.db'}", settings=settings
    )

    def show(event: dict) -> None:
        if event.get("kind") == "trial" and event["event"] == "end":
            value = "-" if event["value"] is None else f"{event['value']:.4f}"
            print(
                f"  trial #{event['trial']}: {event['state'].lower()} {value} after "
                f"{event['epochs']} epoch(s) in {event['seconds'] or 0:.0f} s",
                flush=True,
            )

    started = time.perf_counter()
    result = run_study(study, dataset, settings=settings, runs_dir=work / "runs", on_event=show)
    wall = time.perf_counter() - started
    best = result.best
    return {
        "model": model,
        "trials": trials,
        "epochs_per_trial": epochs,
        "wall_seconds": round(wall, 1),
        "states": result.states,
        "best_trial": best["number"],
        "best_val_accuracy": round(best["val_accuracy"], 4),
        "best_test_accuracy": round(best["test_metrics"]["accuracy"], 4),
        "best_params": best["params"],
    }


def train_tuned(dataset, model: str, work: Path) -> dict:
    from emnist_core.models.presets import get_preset
    from emnist_core.training.loop import train

    run = train(get_preset(model, "tuned"), dataset, runs_dir=work / "runs", preset="tuned")
    return {
        "val_accuracy": round(run.history["val_accuracy"][-1], 4),
        "test_accuracy": round(run.metrics["accuracy"], 4),
        "train_seconds": run.info["timing"]["train_seconds"],
    }


def _worker(
    data_dir: Path,
    space: Path,
    storage: str,
    study: str,
    trials: int,
    runs: Path,
    threads: int | None = None,
):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if threads:  # TensorFlow's own thread pools, so two workers do not oversubscribe the cores
        env.update(TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS="1")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emnist_core",
            "tune",
            "--model",
            "mlp",
            "--space",
            str(space),
            "--trials",
            str(trials),
            "--study",
            study,
            "--storage",
            storage,
            "--no-prune",
            "--sampler",
            "random",
            "--data-dir",
            str(data_dir),
            "--runs-dir",
            str(runs),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def time_workers(
    count: int, data_dir: Path, trials: int, epochs: int, work: Path, threads: int | None = None
) -> float:
    """Wall seconds for `count` worker processes to finish a study of `trials` equal-cost trials."""
    space = work / "fixed-cost.json"
    space.write_text(
        json.dumps(
            {
                "family": "mlp",
                "base": "quick",
                "params": {
                    "epochs": epochs,
                    "learning_rate": {"low": 1e-3, "high": 1e-2, "log": True},
                },
            }
        )
    )
    tag = f"{count}-{threads or 'all'}"
    storage = f"sqlite:///{work / f'speedup-{tag}.db'}"
    started = time.perf_counter()
    workers = [
        _worker(data_dir, space, storage, f"speed-{tag}", trials, work / f"runs-{tag}-{i}", threads)
        for i in range(count)
    ]
    for worker in workers:
        _, err = worker.communicate()
        if worker.returncode != 0:
            raise RuntimeError(f"a worker failed: {err[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "emnist-standin"))
    parser.add_argument("--model", default="mlp", choices=("mlp", "cnn"))
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--speedup-trials", type=int, default=6)
    parser.add_argument("--train-limit", type=int, help="use only this many training images")
    parser.add_argument("--train-tuned", action="store_true")
    parser.add_argument("--skip-study", action="store_true")
    parser.add_argument("--skip-speedup", action="store_true")
    parser.add_argument(
        "--pinned-threads",
        action="store_true",
        help="also time two workers with one TensorFlow thread pool each",
    )
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    report: dict = {"command": " ".join(sys.argv), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-tuning-") as tmp:
        work, data_dir = Path(tmp), Path(args.data_dir)
        if args.train_limit:
            data_dir = subset_copy(data_dir, Path(tempfile.mkdtemp(dir=tmp)), args.train_limit)
        dataset = load(data_dir)
        report["data"] = {
            "label": dataset.label,
            "train": len(dataset.train),
            "test": len(dataset.test),
        }
        print(f"data: {dataset.label}, {len(dataset.train)} train images", flush=True)
        if not args.skip_study:
            print(f"part 1: {args.trials} {args.model} trials x {args.epochs} epochs", flush=True)
            report["study"] = run_real_study(dataset, args.model, args.trials, args.epochs, work)
            print(json.dumps(report["study"], indent=2), flush=True)
            if args.train_tuned:
                report["tuned_preset"] = train_tuned(dataset, args.model, work)
                print(json.dumps(report["tuned_preset"], indent=2), flush=True)
        if not args.skip_speedup:
            seconds = {
                n: time_workers(n, data_dir, args.speedup_trials, args.epochs, work) for n in (1, 2)
            }
            report["speedup"] = {
                "trials": args.speedup_trials,
                "epochs_per_trial": args.epochs,
                "one_worker_s": round(seconds[1], 1),
                "two_workers_s": round(seconds[2], 1),
                "speedup": round(seconds[1] / seconds[2], 2),
            }
            if args.pinned_threads:
                pinned = time_workers(
                    2, data_dir, args.speedup_trials, args.epochs, work, threads=1
                )
                report["speedup"]["two_workers_1_thread_s"] = round(pinned, 1)
                report["speedup"]["speedup_1_thread"] = round(seconds[1] / pinned, 2)
            print(json.dumps(report["speedup"], indent=2), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
