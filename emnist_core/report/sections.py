"""The report's sections: one per run (provenance, curves, confusion, scores, errors) and,
for two or more runs, the comparison (McNemar's test, robustness curves)."""

import platform
from typing import Any

from emnist_core.report.html import (
    FigureWriter,
    escape,
    frame_table,
    image_tiles,
    table,
)

SAMPLE_ERRORS = 32  # the most confident mistakes shown per run


def versions_row(info: dict) -> str:
    versions = info.get("versions") or {}
    return ", ".join(f"{name} {version}" for name, version in versions.items()) or "not recorded"


def _or_unknown(value, fmt: str = "{}") -> str:
    return "?" if value is None else fmt.format(value)


def provenance(run) -> str:
    """Data source, command, versions and config of one run, from its typed Run view."""
    sizes = run.data.get("sizes") or {}
    rows = [
        ("run id", run.run_id),
        ("family / preset", f"{run.family} / {run.preset or 'custom'}"),
        ("status", run.status),
        ("created", _or_unknown(run.created)),
        ("data source", f"{run.data_label} ({run.data.get('format', '?')})"),
        ("data folder", run.data.get("source", "?")),
        ("images", ", ".join(f"{k} {v}" for k, v in sizes.items())),
        ("parameters", _or_unknown(run.params, "{:,}")),
        ("training time", _or_unknown(run.train_seconds, "{:.1f} s")),
        ("epochs", _or_unknown(run.epochs_run)),
        ("versions", versions_row(run.info)),
    ]
    command = f"<h3>Command</h3><pre>{escape(run.info.get('command', 'not recorded'))}</pre>"
    fields = list(run.config.to_dict().items())
    third = -(-len(fields) // 3)  # three short tables side by side, not one long one
    config = "".join(table(fields[i : i + third]) for i in range(0, len(fields), third))
    return f"{table(rows)}{command}<h3>Config</h3><div class='columns'>{config}</div>"


def _in_thirds(frame) -> str:
    """A long per-class table as three short ones side by side (47 rows fit one page)."""
    third = -(-len(frame) // 3)
    return "".join(frame_table(frame.iloc[i : i + third]) for i in range(0, len(frame), third))


def run_section(run, evaluation, dataset, figure: FigureWriter) -> str:
    """Everything about one run: provenance, curves, scores, confusion matrix, errors."""
    from emnist_core.evaluation.metrics import per_class_frame
    from emnist_core.plots.evaluation import confusion_heatmap, per_class_bars
    from emnist_core.plots.training import has_curves, training_curves

    s = evaluation.summary()
    headline = (
        f"<p class='note'>Test accuracy <b>{s['accuracy']:.2%}</b>, top-3 "
        f"{s['top3_accuracy']:.2%}, macro precision {s['macro_precision']:.3f}, recall "
        f"{s['macro_recall']:.3f}, F1 {s['macro_f1']:.3f}, on {len(evaluation.y_true)} test "
        f"images of {escape(dataset.label)}.</p>"
    )
    curves = (
        figure(training_curves(run.history, title="Training curves"), height=360)
        if has_curves(run.history)
        else "<p>No per-epoch history (stopped in its first epoch).</p>"
    )
    scores = per_class_frame(evaluation)
    wrong = evaluation.misclassified().head(SAMPLE_ERRORS)
    captions = [f"{r.predicted} (is {r.true}) {r.confidence:.0%}" for r in wrong.itertuples()]
    errors = (
        image_tiles(dataset.test.images[wrong["index"].to_numpy()], captions)
        if len(wrong)
        else "<p>No mistakes.</p>"
    )
    side = len(evaluation.classes) * 14 + 160
    return (
        f"<section class='run'><h2>{escape(run.name)}</h2>{headline}{provenance(run)}"
        f"<h3>Curves</h3>{curves}"
        f"<h3>Confusion matrix</h3>"
        f"{figure(confusion_heatmap(evaluation.confusion, evaluation.classes), height=side)}"
        f"<h3>Per-class scores</h3>{figure(per_class_bars(scores), height=320)}"
        f"<div class='columns'>{_in_thirds(scores)}</div>"
        f"<h3>Sample errors</h3><p>The {len(wrong)} most confident mistakes of "
        f"{len(evaluation.misclassified_indices)}: predicted (is true) confidence.</p>{errors}"
        "</section>"
    )


def comparison_section(runs: list, dataset, comparison, robustness, figure: FigureWriter) -> str:
    """The runs side by side, McNemar's test for each against the first, robustness curves."""
    from emnist_core.plots.analysis import robustness_figure
    from emnist_core.plots.evaluation import comparison_bars, f1_difference_bars
    from emnist_core.plots.training import overlaid_curves

    table_frame = comparison.table.reset_index().dropna(axis=1, how="all")  # latency: not timed
    pairs = "".join(
        f"<h3>{escape(p.name_b)} against {escape(p.name_a)}</h3><p class='note'>"
        f"{escape(p.sentence)}</p><p>McNemar's test ({escape(p.mcnemar.method)}): "
        f"{p.mcnemar.only_a} images only {escape(p.name_a)} gets right, {p.mcnemar.only_b} "
        f"only {escape(p.name_b)} gets right; p = {p.mcnemar.p_value:.3g}.</p>"
        f"{figure(f1_difference_bars(p.f1_differences, p.name_a, p.name_b), height=320)}"
        for p in comparison.pairs
    )
    names = list(comparison.table.index)
    histories = {name: run.history for name, run in zip(names, runs, strict=True)}
    families = {name: run.family for name, run in zip(names, runs, strict=True)}
    return (
        "<section class='comparison'><h2>Comparison</h2>"
        f"<p>All runs on the {len(dataset.test)} test images of {escape(dataset.label)}; "
        f"the first, {escape(names[0])}, is the reference.</p>{frame_table(table_frame, 4)}"
        f"{figure(comparison_bars(comparison.table), height=340)}"
        f"{figure(overlaid_curves(histories), height=340)}{pairs}"
        f"<h3>Robustness</h3><p>Accuracy on {robustness.attrs.get('images', '?')} test images "
        "shifted, rotated, scaled, thinned or thickened, and noised.</p>"
        f"{figure(robustness_figure(robustness, families), height=420)}</section>"
    )


def generator_note(dataset) -> str:
    import emnist_core

    warning = (
        "<p class='warning'>SYNTHETIC demo data: these figures say nothing about real "
        "handwriting.</p>"
        if dataset.synthetic
        else ""
    )
    return (
        f"{warning}<p>Made by emnist_core {emnist_core.__version__} on Python "
        f"{platform.python_version()}; evaluated on {escape(dataset.label)} "
        f"({escape(dataset.source)}).</p>"
    )


def title_of(runs: list[Any]) -> str:
    return "EMNIST report: " + ", ".join(run.name for run in runs)
