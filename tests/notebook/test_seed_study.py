"""examples/seed_study.ipynb runs from top to bottom on synthetic data with one epoch per model."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from emnist_core.training.runs import RunRegistry

PLOTLY = "application/vnd.plotly.v1+json"
FIGURE_CALLS = (
    *(f"el.{name}(" for name in ("curves", "overlaid", "samples", "per_class", "confusion")),
    *("el.mistakes(", "el.comparison(", "px."),
)
NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "seed_study.ipynb"


@pytest.mark.slow
def test_seed_study_notebook_runs_without_a_cell_error(synthetic_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("EMNIST_DATA_DIR", str(synthetic_dir))  # the kernel inherits these
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("EMNIST_STUDY_EPOCHS", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error

    runs = RunRegistry(tmp_path / "runs").list()
    assert len(runs) == 12 and all(run.config.epochs == 1 for run in runs)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    drawing = [cell for cell in code if cell.source.splitlines()[-1].startswith(FIGURE_CALLS)]
    assert len(drawing) >= 10
    for cell in drawing:  # a cell ending in a figure call shows a plotly figure
        assert any(PLOTLY in out.get("data", {}) for out in cell.outputs), cell.source
    outputs = [out for cell in code for out in cell.outputs]
    text = "".join(out.get("text", "") for out in outputs)
    assert "by chance" in text  # the verdict sentence was printed
