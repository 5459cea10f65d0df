"""A report to hand in: one self-contained HTML file about one or more saved runs."""

from pathlib import Path

from emnist_core.atomic import write_text
from emnist_core.errors import EmnistError

ROBUSTNESS_IMAGES = 1000  # a stratified sample keeps the robustness sweep to seconds


class ReportError(EmnistError):
    """A report could not be written."""


def build_report(runs: list, dataset, robustness_images: int = ROBUSTNESS_IMAGES) -> str:
    """The report's HTML: a section per run, then (for two or more) the comparison."""
    from emnist_core.evaluation.metrics import evaluate_run
    from emnist_core.report.html import FigureWriter, escape, page
    from emnist_core.report.sections import (
        comparison_section,
        generator_note,
        run_section,
        title_of,
    )

    if not runs:
        raise ReportError("a report needs at least one run, e.g. `report RUN --out report.html`")
    figure = FigureWriter()
    title = title_of(runs)
    parts = [f"<h1>{escape(title)}</h1>", generator_note(dataset)]
    for run in runs:
        parts.append(run_section(run, evaluate_run(run, dataset), dataset, figure))
    if len(runs) > 1:
        comparison, robustness = _comparison(runs, dataset, robustness_images)
        parts.append(comparison_section(runs, dataset, comparison, robustness, figure))
    return page(title, "".join(parts))


def _comparison(runs: list, dataset, robustness_images: int):
    from emnist_core.analysis.robustness import RobustnessConfig, robustness_curves
    from emnist_core.evaluation.compare import compare_runs

    comparison = compare_runs(runs, dataset, latency=False)
    named = dict(zip(comparison.table.index, runs, strict=True))
    limit = min(robustness_images, len(dataset.test))
    frame = robustness_curves(named, dataset.test, RobustnessConfig(limit=limit))
    frame.attrs["images"] = limit
    return comparison, frame


def write_report(
    runs: list,
    dataset,
    out: Path | str,
    *,
    force: bool = False,
    robustness_images: int = ROBUSTNESS_IMAGES,
) -> Path:
    """Build the report and write it to out atomically; refuses to overwrite without force."""
    out = Path(out)
    if out.exists() and not force:
        raise ReportError(f"{out} already exists; choose another --out or pass --force.")
    if not out.parent.is_dir():
        raise ReportError(f"folder {out.parent} does not exist; create it first.")
    write_text(out, build_report(runs, dataset, robustness_images))
    return out
