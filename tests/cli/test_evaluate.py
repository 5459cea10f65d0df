"""CLI round trip on tiny saved runs: evaluate, compare and predict, as text and JSON."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emnist_core.cli import main
from tests.fixtures import train_tiny_pair

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runs(synthetic_dataset, tmp_path_factory):
    """A tiny MLP and a tiny CNN, one epoch each on the synthetic set, saved as real runs."""
    runs_dir = tmp_path_factory.mktemp("runs")
    mlp, cnn = train_tiny_pair(synthetic_dataset, runs_dir)
    return runs_dir, mlp, cnn


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_json_reproduces_training_metrics(runs, capsys):
    runs_dir, mlp, _ = runs
    code, out, _ = run_cli(capsys, "evaluate", mlp.run_id, "--runs-dir", runs_dir, "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["run_id"] == mlp.run_id and payload["synthetic"] is True
    for key in ("accuracy", "loss", "top3_accuracy", "macro_f1"):
        assert payload[key] == pytest.approx(mlp.metrics[key], rel=1e-5)
    confusion = np.array(payload["confusion"])
    assert confusion.shape == (47, 47) and confusion.sum() == payload["test_images"]
    assert payload["misclassified"] == payload["test_images"] - np.trace(confusion)


def test_evaluate_json_reports_calibration_with_the_saved_temperature(runs, capsys):
    runs_dir, _, cnn = runs
    code, out, _ = run_cli(capsys, "evaluate", cnn.run_id, "--runs-dir", runs_dir, "--json")
    assert code == 0
    payload = json.loads(out)
    for key in ("ece", "nll", "temperature", "ece_before", "nll_before"):
        assert payload[key] == pytest.approx(cnn.metrics[key], rel=1e-4, abs=1e-6)
    assert 0.0 <= payload["ece"] <= 1.0 and payload["nll"] == pytest.approx(payload["loss"])
    assert payload["temperature"] != 1.0  # fitted on the validation split, not left at 1


def test_evaluate_text_with_run_folder_and_data_dir(runs, synthetic_dir, capsys):
    _, _, cnn = runs
    code, out, _ = run_cli(capsys, "evaluate", cnn.run_dir, "--data-dir", synthetic_dir)
    assert code == 0
    assert "SYNTHETIC" in out and f"run {cnn.run_id}" in out
    assert f"accuracy {cnn.metrics['accuracy']:.4f}" in out
    assert "most confused pairs" in out


def test_compare_json_and_text(runs, capsys):
    runs_dir, mlp, cnn = runs
    code, out, _ = run_cli(
        capsys, "compare", mlp.run_id, cnn.run_id, "--runs-dir", runs_dir, "--json"
    )
    assert code == 0
    payload = json.loads(out)
    assert [row["name"] for row in payload["table"]] == ["tiny MLP", "tiny CNN"]
    assert payload["table"][1]["params"] == cnn.info["params"]
    assert payload["table"][0]["latency_ms"] > 0
    mcnemar = payload["pairs"][0]["mcnemar"]
    assert np.sum(mcnemar["table"]) == 235  # 47 classes x 5 test images
    assert 0.0 <= mcnemar["p_value"] <= 1.0
    assert len(payload["pairs"][0]["f1_differences"]) == 47
    sentence = payload["pairs"][0]["sentence"]  # one run per family: spoken as MLP and CNN
    assert sentence.startswith(("The CNN is right", "The MLP is right", "The MLP and the CNN"))
    code, out, _ = run_cli(capsys, "compare", mlp.run_id, cnn.run_id, "--runs-dir", runs_dir)
    assert code == 0 and "tiny CNN" in out and "per-class F1 gains" in out


def _glyph_files(folder: Path, image: np.ndarray) -> list[Path]:
    """The same test image drawn large, light-on-dark and dark-on-light."""
    big = np.asarray(Image.fromarray(image).resize((140, 140), Image.Resampling.BICUBIC))
    light, dark = folder / "light.png", folder / "dark.jpg"
    Image.fromarray(big).save(light)
    Image.fromarray(255 - big).convert("RGB").save(dark, quality=95)
    return [light, dark]


def test_predict_json_both_polarities(runs, synthetic_dataset, tmp_path, capsys):
    runs_dir, _, cnn = runs
    light, dark = _glyph_files(tmp_path, synthetic_dataset.test.images[0])
    code, out, _ = run_cli(
        capsys, "predict", cnn.run_id, light, dark, "--runs-dir", runs_dir, "--json"
    )
    assert code == 0
    results = json.loads(out)
    assert [r["image"] for r in results] == [str(light), str(dark)]
    for item in results:
        probs = [t["probability"] for t in item["top"]]
        assert len(probs) == 5 and probs == sorted(probs, reverse=True) and sum(probs) <= 1.0001
        assert all(t["class"] in synthetic_dataset.classes for t in item["top"])
    assert results[0]["top"][0]["class"] == results[1]["top"][0]["class"]


def test_predict_reports_bad_files_and_runs(runs, tmp_path, capsys):
    runs_dir, mlp, _ = runs
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    code, out, _ = run_cli(
        capsys, "predict", mlp.run_id, blank, tmp_path / "nope.png", "--runs-dir", runs_dir
    )
    assert code == 2
    assert "canvas is empty" in out and "no image file" in out
    code, _, err = run_cli(capsys, "evaluate", "no-such-run", "--runs-dir", runs_dir)
    assert code == 2 and "error:" in err and "no-such-run" in err


def test_predict_as_a_subprocess(runs, tmp_path):
    """The real command line, as a user types it."""
    runs_dir, mlp, _ = runs
    image = np.zeros((90, 60), dtype=np.uint8)
    image[10:80, 25:35] = 255
    path = tmp_path / "one.png"
    Image.fromarray(image).save(path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "emnist_core",
            "predict",
            mlp.run_id,
            str(path),
            "--runs-dir",
            str(runs_dir),
            "--top",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{path}: ") and done.stdout.count("%") == 3
