"""`robustness` sub-command: accuracy of saved runs under shifts, rotations, scaling and more."""

import argparse
import json
import time

from emnist_core.cli.evaluate import RUNS_DIR_HELP, dataset_for, resolve_run
from emnist_core.errors import RunError


def _levels(kind: type):
    def parse(text: str) -> tuple:
        try:
            return tuple(kind(part) for part in text.split(",") if part.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers, got {text!r}"
            ) from None

    return parse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "robustness",
        help="test accuracy of runs under shifts, rotations, scaling, strokes, noise",
        description="Accuracy of each run on its test split as the images are perturbed step by "
        "step. Levels are comma-separated; an empty value skips that perturbation.",
    )
    parser.add_argument(
        "runs", metavar="RUN", nargs="+", help="run ids (see `runs list`) or run folders"
    )
    parser.add_argument(
        "--data-dir", help="data folder (default: the one the first run was trained on)"
    )
    parser.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--limit", type=int, help="measure on a stratified sample of this many test images"
    )
    parser.add_argument("--shifts", type=_levels(int), help="pixels (default 0,1,2,3,4,5,6)")
    parser.add_argument("--rotations", type=_levels(float), help="degrees (default 0,5,...,30)")
    parser.add_argument("--scales", type=_levels(float), help="zoom factors (default 0.7,...,1.3)")
    parser.add_argument(
        "--strokes", type=_levels(int), help="thinner (-) / thicker (+) steps (default -2..2)"
    )
    parser.add_argument(
        "--noise", type=_levels(float), help="noise std in 0-255 units (default 0,25,...,100)"
    )
    parser.set_defaults(handler=robustness_command)


def _config(args: argparse.Namespace):
    from emnist_core.analysis.robustness import RobustnessConfig

    chosen = {
        name: getattr(args, name)
        for name in ("shifts", "rotations", "scales", "strokes", "noise")
        if getattr(args, name) is not None
    }
    return RobustnessConfig(limit=args.limit, **chosen)


def robustness_command(args: argparse.Namespace) -> int:
    from emnist_core.analysis.robustness import named_models, robustness_curves

    config = _config(args)
    runs = [resolve_run(run_id, args.runs_dir) for run_id in args.runs]
    dataset = dataset_for(runs[0], args.data_dir)
    _check_classes(runs, dataset)
    names = _names(runs)
    models = named_models(dict(zip(names, runs, strict=True)))
    started = time.perf_counter()
    frame = robustness_curves(models, dataset.test, config)
    seconds = time.perf_counter() - started
    if args.json:
        payload = {
            "data": dataset.label,
            "synthetic": dataset.synthetic,
            "test_images": min(len(dataset.test), config.limit or len(dataset.test)),
            "seconds": round(seconds, 2),
            "runs": {n: r.run_id for n, r in zip(names, runs, strict=True)},
            "rows": frame.to_dict(orient="records"),
        }
        print(json.dumps(payload, indent=2))
        return 0
    if dataset.synthetic:
        print("*** SYNTHETIC demo data: figures say nothing about real handwriting ***")
    print(
        f"data: {dataset.label}; sweep of {config.steps} levels x {len(runs)} runs "
        f"in {seconds:.1f} s"
    )
    table = frame.pivot_table(
        index=["perturbation", "level"], columns="run", values="accuracy", sort=False
    )
    print(table[names].to_string(float_format=lambda v: f"{v:.4f}"))
    return 0


def _names(runs: list) -> list[str]:
    """Display names, made unique with the run id where two runs share one."""
    names = [run.name for run in runs]
    return [
        name if names.count(name) == 1 else f"{name} ({run.run_id})"
        for name, run in zip(names, runs, strict=True)
    ]


def _check_classes(runs: list, dataset) -> None:
    """Refuse runs trained on other classes than the data's (they would score nonsense)."""
    for run in runs:
        classes = run.classes
        if classes and list(classes) != list(dataset.classes):
            raise RunError(
                f"run {run.run_id} was trained on {len(classes)} classes but {dataset.label} has "
                f"{dataset.num_classes}; measure runs on the data source they were trained on"
            )
