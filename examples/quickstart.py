"""Quickstart: the lab's public API in six stages, keras-io style.

    python examples/quickstart.py --data-dir PATH/TO/EMNIST      # real EMNIST files
    python examples/quickstart.py --synthetic --epochs 1         # offline, generated strokes

Each stage is a few lines over `emnist_core`; the dashboard and the CLI call the same
functions.
"""

import argparse
import tempfile

# --- 1. Setup -------------------------------------------------------------------------
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data-dir", help="EMNIST folder (default: the lab's data setting)")
parser.add_argument("--synthetic", action="store_true", help="use a small generated set")
parser.add_argument("--epochs", type=int, default=None, help="override the preset's epochs")
parser.add_argument("--runs-dir", help="where the run is saved (default: ./artifacts/runs)")
args = parser.parse_args()

# --- 2. Data --------------------------------------------------------------------------
from emnist_core.data import load, write_synthetic  # noqa: E402

if args.synthetic:  # 47 classes of pen-stroke glyphs, written in the official file format
    data_dir = write_synthetic(tempfile.mkdtemp(prefix="emnist-demo-"), per_class=30)
else:
    data_dir = args.data_dir
dataset = load(data_dir)  # images upright, uint8 (N, 28, 28); labels index dataset.classes
print(f"{dataset.label}: {len(dataset.train):,} train, {len(dataset.test):,} test images")

# --- 3. Model -------------------------------------------------------------------------
from emnist_core.models.presets import get_preset  # noqa: E402

config = get_preset("cnn", "quick")  # a typed, validated CNNConfig
if args.epochs is not None:
    config = config.replace(epochs=args.epochs)  # validated again; typos are errors
print(f"training a {config.family.upper()} with {config.conv_filters} filters per block")

# --- 4. Train -------------------------------------------------------------------------
from emnist_core.training.loop import train  # noqa: E402


def report(progress) -> None:  # a Progress after every batch and epoch
    if progress.event == "epoch":
        print(f"epoch {progress.epoch}/{progress.epochs}: val accuracy {progress.val_accuracy:.3f}")


run = train(config, dataset, progress=report, runs_dir=args.runs_dir, name="quickstart")
print(f"saved run {run.run_id} in {run.run_dir} ({run.params:,} parameters)")

# --- 5. Evaluate ----------------------------------------------------------------------
from emnist_core.evaluation.metrics import evaluate_run  # noqa: E402

evaluation = evaluate_run(run, dataset)  # test split only
print(f"test accuracy {evaluation.accuracy:.4f}, macro F1 {evaluation.macro_f1:.4f}")
print(evaluation.confused_pairs(top=3, combine_directions=True).to_string(index=False))

# --- 6. Predict -----------------------------------------------------------------------
from emnist_core.inference.predictor import Predictor  # noqa: E402

predictor = Predictor.from_run(run)
image, label = dataset.test.images[0], dataset.test.labels[0]
top = predictor.predict_top(image, k=3)  # [(character, probability), ...]
print(f"true {dataset.classes[label]!r}; predicted " + ", ".join(f"{c} {p:.0%}" for c, p in top))
