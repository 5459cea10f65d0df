"""`evaluate`, `compare` and `predict` sub-commands: score saved runs and read image files."""

import argparse
import json
from pathlib import Path
from typing import Any

from emnist_core.errors import EmnistError, RunError

RUNS_DIR_HELP = "runs folder (default: $EMNIST_RUNS_DIR or artifacts/runs)"


def register(subparsers) -> None:
    evaluate = subparsers.add_parser("evaluate", help="test metrics of a saved run")
    evaluate.add_argument("run", metavar="RUN", help="run id (see `runs list`) or run folder")
    _data_options(evaluate)
    evaluate.set_defaults(handler=evaluate_command)

    compare = subparsers.add_parser("compare", help="compare saved runs, with McNemar's test")
    compare.add_argument(
        "runs", metavar="RUN", nargs="+", help="two or more run ids; the first is the reference"
    )
    _data_options(compare)
    compare.set_defaults(handler=compare_command)

    predict = subparsers.add_parser("predict", help="top classes for image files")
    predict.add_argument("run", metavar="RUN", help="run id (see `runs list`) or run folder")
    predict.add_argument("images", metavar="IMAGE", nargs="+", help="image files, any size")
    predict.add_argument("--top", type=int, default=5, help="how many classes to list (default 5)")
    predict.add_argument(
        "--invert",
        choices=("auto", "yes", "no"),
        default="auto",
        help="dark ink on light paper? auto decides from the border",
    )
    predict.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    predict.add_argument("--json", action="store_true", help="print JSON instead of text")
    predict.set_defaults(handler=predict_command)


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data folder (default: the one the run was trained on)")
    parser.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def resolve_run(run_arg: str, runs_dir: str | None):
    """A run by id in the runs folder, or by the path of its folder."""
    from emnist_core.training.runs import RunRegistry, load_run

    path = Path(run_arg)
    if path.is_dir() and (path / "run.json").is_file():
        return load_run(path)
    return RunRegistry(runs_dir).get(run_arg)


def dataset_for(run, data_dir: str | None):
    """The data to evaluate on: --data-dir, else the folder the run was trained on."""
    from emnist_core.data import load

    data = run.data
    split = data.get("split", "balanced")
    if data_dir is not None:
        return load(data_dir, split)
    source = data.get("source")
    if source and source != "None" and not Path(source).is_dir():
        raise RunError(
            f"run {run.run_id} was trained on data in {source}, which no longer exists; "
            "pass --data-dir with the data to evaluate on"
        )
    return load(source if source and source != "None" else None, split)


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, default=str))


def evaluate_command(args: argparse.Namespace) -> int:
    from emnist_core.evaluation.metrics import evaluate_run
    from emnist_core.evaluation.run_results import calibration_summary

    run = resolve_run(args.run, args.runs_dir)
    dataset = dataset_for(run, args.data_dir)
    model = run.load_model()
    result = evaluate_run(run, dataset, model=model)
    calibration = calibration_summary(model, dataset.test, result)
    pairs = result.confused_pairs(top=10, combine_directions=True)
    if args.json:
        payload = {
            "run_id": run.run_id,
            "name": run.name,
            "data": dataset.label,
            "synthetic": dataset.synthetic,
            **result.summary(),
            **calibration,
            "test_images": int(len(result.y_true)),
            "misclassified": int(len(result.misclassified_indices)),
            "confused_pairs": pairs.to_dict(orient="records"),
            **{
                k: v
                for k, v in result.to_dict(include_predictions=False).items()
                if k in ("classes", "per_class", "confusion")
            },
        }
        _print_json(payload)
        return 0
    _print_evaluation(run, dataset, result, pairs)
    print(_calibration_line(calibration))
    return 0


def _calibration_line(calibration: dict[str, Any]) -> str:
    line = (
        f"calibration: ECE {calibration['ece']:.4f}   NLL {calibration['nll']:.4f}   "
        f"temperature {calibration['temperature']:.3f}"
    )
    if calibration["ece_before"] is None:
        return line + " (saved before temperature scaling)"
    return line + (
        f" (at T = 1: ECE {calibration['ece_before']:.4f}, NLL {calibration['nll_before']:.4f})"
    )


def _print_evaluation(run, dataset, result, pairs) -> None:
    from emnist_core.evaluation.metrics import per_class_frame

    if dataset.synthetic:
        print("*** SYNTHETIC demo data: figures say nothing about real handwriting ***")
    print(f"run {run.run_id} ({run.name}, {run.family}, {run.status})")
    print(f"data: {dataset.label}, {len(result.y_true)} test images")
    s = result.summary()
    print(f"accuracy {s['accuracy']:.4f}   loss {s['loss']:.4f}   top-3 {s['top3_accuracy']:.4f}")
    print(
        f"macro precision {s['macro_precision']:.4f}   recall {s['macro_recall']:.4f}"
        f"   F1 {s['macro_f1']:.4f}"
    )
    print(f"misclassified: {len(result.misclassified_indices)} images")
    print(
        "most confused pairs (both directions): "
        + ", ".join(f"{row.true}/{row.predicted} {row.count}" for row in pairs.itertuples())
    )
    weakest = per_class_frame(result).sort_values("f1").head(5)
    print(
        "weakest classes by F1: "
        + ", ".join(f"{row['class']} {row['f1']:.3f}" for _, row in weakest.iterrows())
    )


def compare_command(args: argparse.Namespace) -> int:
    from emnist_core.evaluation.compare import compare_runs

    if len(args.runs) < 2:
        raise RunError("compare needs at least two runs, e.g. `compare MLP_RUN CNN_RUN`")
    runs = [resolve_run(run_id, args.runs_dir) for run_id in args.runs]
    dataset = dataset_for(runs[0], args.data_dir)
    result = compare_runs(runs, dataset)
    if args.json:
        _print_json(_comparison_payload(result, dataset))
        return 0
    if dataset.synthetic:
        print("*** SYNTHETIC demo data: figures say nothing about real handwriting ***")
    print(f"data: {dataset.label}, {len(dataset.test)} test images")
    print(result.table.to_string(float_format=lambda v: f"{v:.4f}"))
    for pair in result.pairs:
        print()
        print(pair.sentence)
        diffs = pair.f1_differences
        print(f"largest per-class F1 gains of {pair.name_b}: " + _diff_list(diffs.head(5)))
        print(f"largest per-class F1 losses of {pair.name_b}: " + _diff_list(diffs.tail(5)[::-1]))
    return 0


def _diff_list(frame) -> str:
    return ", ".join(f"{row['class']} {row['difference']:+.3f}" for _, row in frame.iterrows())


def _comparison_payload(result, dataset) -> dict[str, Any]:
    table = result.table.reset_index().to_dict(orient="records")
    pairs = [
        {
            "a": p.name_a,
            "b": p.name_b,
            "sentence": p.sentence,
            "mcnemar": {
                "table": p.mcnemar.table.tolist(),
                "only_a_right": p.mcnemar.only_a,
                "only_b_right": p.mcnemar.only_b,
                "statistic": p.mcnemar.statistic,
                "p_value": p.mcnemar.p_value,
                "method": p.mcnemar.method,
                "significant": p.mcnemar.significant,
            },
            "f1_differences": p.f1_differences.to_dict(orient="records"),
        }
        for p in result.pairs
    ]
    return {"data": dataset.label, "synthetic": dataset.synthetic, "table": table, "pairs": pairs}


def _predict_one(predictor, path: str, top: int, invert) -> dict[str, Any]:
    from emnist_core.inference.preprocess import load_image_file

    try:
        _, ranked = predictor.predict_image(load_image_file(path), k=top, invert=invert)
    except EmnistError as exc:
        return {"image": path, "error": str(exc)}
    return {"image": path, "top": [{"class": c, "probability": p} for c, p in ranked]}


def predict_command(args: argparse.Namespace) -> int:
    from emnist_core.inference.predictor import Predictor

    if args.top < 1:
        raise RunError(f"--top must be at least 1; got {args.top}")
    invert = {"auto": "auto", "yes": True, "no": False}[args.invert]
    predictor = Predictor.from_run(resolve_run(args.run, args.runs_dir))
    results = [_predict_one(predictor, path, args.top, invert) for path in args.images]
    if args.json:
        _print_json(results)
    else:
        for item in results:
            if "error" in item:
                print(f"{item['image']}: error: {item['error']}")
                continue
            ranked = "  ".join(f"{t['class']} {t['probability']:.1%}" for t in item["top"])
            print(f"{item['image']}: {ranked}")
    return 2 if any("error" in item for item in results) else 0
