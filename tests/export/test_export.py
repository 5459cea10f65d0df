"""Exported models agree with the Keras model in their own runtimes; the zip and the CLI."""

import contextlib
import io
import json
import os
import zipfile

import numpy as np
import pytest

from emnist_core.cli import main
from emnist_core.data.strokes import generate
from emnist_core.export import ExportError, export_run
from tests.fixtures import CLASSES


@pytest.fixture(scope="module")
def images():
    """1,000 synthetic test images, raw 0-255 pixels, upright, (N, 28, 28) float32."""
    pixels, _ = generate(CLASSES, per_class=22, seed=7)
    return pixels[:1000].astype(np.float32)


def keras_probabilities(run, images):
    return np.asarray(run.load_model().predict(images, verbose=0))


def onnx_probabilities(path, images):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (pixels,) = session.get_inputs()
    assert pixels.shape[1:] == [28, 28]  # the same (N, 28, 28) input as model.keras
    return session.run(None, {pixels.name: images})[0]


def litert_probabilities(path, images):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    (pixels,) = interpreter.get_input_details()
    assert list(pixels["shape_signature"][1:]) == [28, 28]
    interpreter.resize_tensor_input(pixels["index"], images.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(pixels["index"], images)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def assert_agrees(expected, got):
    assert got.shape == expected.shape == (1000, len(CLASSES))
    same_top1 = np.mean(np.argmax(got, axis=1) == np.argmax(expected, axis=1))
    assert same_top1 >= 0.995, same_top1
    assert np.max(np.abs(got - expected)) <= 1e-3


@pytest.mark.parametrize("family", ["mlp", "cnn"])
def test_onnx_matches_keras_in_onnxruntime(tiny_runs, images, tmp_path, family):
    import onnx

    run = tiny_runs[family]
    (path,) = export_run(run, "onnx", tmp_path / "model.onnx")
    assert_agrees(keras_probabilities(run, images), onnx_probabilities(path, images))
    props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert json.loads(props["classes"]) == list(CLASSES) and props["run_id"] == run.run_id


@pytest.mark.parametrize("family", ["mlp", "cnn"])
def test_litert_matches_keras_in_the_tflite_interpreter(tiny_runs, images, tmp_path, family):
    run = tiny_runs[family]
    path, labels = export_run(run, "litert", tmp_path / "model.tflite")
    assert labels.name == "model.labels.txt"
    assert labels.read_text().splitlines() == list(CLASSES)
    assert_agrees(keras_probabilities(run, images), litert_probabilities(path, images))


def test_zip_holds_the_run_and_a_readme_whose_code_works(tiny_runs, images, tmp_path):
    run = tiny_runs["mlp"]
    (path,) = export_run(run, "zip", tmp_path / "run.zip")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "unzipped")
    for name in ("run.json", "config.json", "history.json", "metrics.json", "model.keras"):
        assert f"{run.run_id}/{name}" in names
    folder = tmp_path / "unzipped" / run.run_id
    readme = (folder / "README.md").read_text()
    code = "\n".join(line[4:] for line in readme.splitlines() if line.startswith("    "))
    scope = {"images": images[:3]}
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            exec(code, scope)  # the README's own lines, run as a reader would
    finally:
        os.chdir(cwd)
    expected = CLASSES[int(np.argmax(keras_probabilities(run, images[:1])[0]))]
    assert printed.getvalue().strip() == expected


def test_cli_refuses_to_overwrite_without_force(tiny_runs, tmp_path, capsys):
    run = tiny_runs["mlp"]
    out = tmp_path / "run.zip"
    out.write_bytes(b"precious")
    args = ["export", str(run.run_dir), "--format", "zip", "--out", str(out)]
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"precious"
    assert main([*args, "--force"]) == 0
    assert zipfile.is_zipfile(out) and "wrote" in capsys.readouterr().out


def test_litert_refuses_when_only_the_class_list_exists(tiny_runs, tmp_path):
    (tmp_path / "m.labels.txt").write_text("mine")
    with pytest.raises(ExportError, match="m.labels.txt already exists"):
        export_run(tiny_runs["mlp"], "litert", tmp_path / "m.tflite")
    assert not (tmp_path / "m.tflite").exists()


def test_unknown_format_and_missing_folder_are_clear_errors(tiny_runs, tmp_path):
    with pytest.raises(ExportError, match="use one of zip, onnx, litert"):
        export_run(tiny_runs["mlp"], "pickle", tmp_path / "x")
    with pytest.raises(ExportError, match="does not exist"):
        export_run(tiny_runs["mlp"], "zip", tmp_path / "nowhere" / "x.zip")
    run_dir = tiny_runs["mlp"].run_dir
    before = sorted(path.name for path in run_dir.iterdir())
    with pytest.raises(ExportError, match="inside the run folder"):
        export_run(tiny_runs["mlp"], "zip", run_dir / "self.zip")
    assert sorted(path.name for path in run_dir.iterdir()) == before
