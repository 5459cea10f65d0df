"""Benchmark: are the presets' confidences honest? ECE, NLL and accuracy before and after scaling.

For each of the four quick and tuned presets (or the saved runs given with --run), the
temperature stored in the model (fitted on the validation split when it trained) is
read back, the model's logits on the stand-in test split are scored at T = 1 and at the
fitted T, and a markdown table is printed (JSON under artifacts/bench/). The goal of
issue 17: test ECE at most 0.03 for every preset, accuracy unchanged by the scaling.

    .venv/bin/python -m bench.bench_calibration [mlp:quick cnn:tuned ...] [--data-dir D]
        [--runs-dir R] [--run RUN_ID ...] [--set FIELD=VALUE ...]

Presets train in this process one after another; --set overrides config fields (e.g.
--set epochs=1 for a smoke run). Figures are on the stand-in, not the official test set.
"""

import argparse
import json
import os
from pathlib import Path

import numpy as np

from bench import machine

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "emnist-standin"
PRESETS = ["mlp:quick", "mlp:tuned", "cnn:quick", "cnn:tuned"]
ECE_GOAL = 0.03


def trained_run(spec: str, dataset, runs_dir: Path, overrides: list[str]):
    """Train one family:preset on dataset (overrides as FIELD=VALUE) and return the saved run."""
    from emnist_core.models.config import apply_overrides
    from emnist_core.models.presets import get_preset
    from emnist_core.training.loop import train

    family, _, preset = spec.partition(":")
    config = apply_overrides(get_preset(family, preset), overrides)
    return train(
        config,
        dataset,
        runs_dir=runs_dir,
        preset=preset,
        name=f"calibration {spec}",
        command=f"bench/bench_calibration.py {spec}",
    )


def scores(run, dataset) -> dict:
    """Accuracy, ECE and NLL of a saved run's test logits at T = 1 and at its temperature."""
    from emnist_core.evaluation.calibration import calibration_report, scaled_probabilities
    from emnist_core.models.head import member_logits, temperature

    model = run.load_model()
    logits = member_logits(model, dataset.test.images)
    labels = dataset.test.labels
    fitted = temperature(model)
    report = calibration_report(labels, logits, fitted, run.metrics.get("temperature_fitted_on"))
    row = {"run": run.name, "run_id": run.run_id, **report.to_dict()}
    for suffix, value in (("_before", 1.0), ("", fitted)):
        predicted = scaled_probabilities(logits, value).argmax(axis=1)
        row[f"accuracy{suffix}"] = float(np.mean(predicted == labels))
    return row


HEADER = ("run", "T", "accuracy before / after", "ECE before / after", "NLL before / after")


def cells(r: dict) -> list[str]:
    """One table row: before / after temperature scaling, and whether ECE meets the goal."""
    return [
        r["run"],
        f"{r['temperature']:.3f}",
        f"{r['accuracy_before']:.2%} / {r['accuracy']:.2%}",
        f"{r['ece_before']:.4f} / {r['ece']:.4f}",
        f"{r['nll_before']:.4f} / {r['nll']:.4f}",
        "met" if r["ece"] <= ECE_GOAL else "NOT met",
    ]


def table(rows: list[dict]) -> str:
    head = [*HEADER, "goal"]
    lines = [head, ["---"] * len(head), *(cells(r) for r in rows)]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", help="family:preset (default: the four)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs-dir", type=Path, default=ROOT / "artifacts" / "bench" / "runs")
    parser.add_argument("--run", action="append", default=[], help="score a saved run instead")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench")
    args = parser.parse_args()
    from emnist_core.cli.evaluate import resolve_run
    from emnist_core.data import load

    dataset = load(args.data_dir)
    runs = [resolve_run(run_id, str(args.runs_dir)) for run_id in args.run]
    specs = args.presets or ([] if args.run else PRESETS)
    runs += [trained_run(spec, dataset, args.runs_dir, args.set) for spec in specs]
    rows = [scores(run, dataset) for run in runs]
    print(f"data: {dataset.label}; {machine.line()}")
    print(table(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "calibration.json"
    path.write_text(json.dumps({"machine": machine.describe(), "rows": rows}, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
