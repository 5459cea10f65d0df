"""Named configs per family: `baseline` (textbook), `quick` (live demo), `tuned` (our best).

quick and tuned are designed for accuracy per CPU-second on a 2-core machine with the
unbalanced stand-in train set (see BENCHMARKS.md for what each measured); baseline
is the plain model a course would start from.
"""

import json
from pathlib import Path

from emnist_core import settings
from emnist_core.errors import ConfigError
from emnist_core.models.config import CNNConfig, MLPConfig, TrainingConfig, config_from_dict

PRESET_NAMES = ("baseline", "quick", "tuned")

PRESETS: dict[str, dict[str, TrainingConfig]] = {
    "mlp": {
        # The textbook MLP: two ReLU layers, Adam at a constant rate, early stopping.
        "baseline": MLPConfig(hidden_units=(512, 256), epochs=10, batch_size=128),
        # Batch norm and a cosine schedule converge in few epochs; balanced class weights
        # match the balanced test set (+1.5 points over softened weights at equal cost).
        "quick": MLPConfig(
            hidden_units=(512, 256),
            batch_norm=True,
            dropout=0.2,
            batch_size=256,
            epochs=8,
            learning_rate=2e-3,
            lr_schedule="cosine",
            class_weighting="balanced",
            early_stopping=False,
        ),
        "tuned": MLPConfig(
            hidden_units=(1024, 512),
            batch_norm=True,
            dropout=0.3,
            batch_size=256,
            epochs=12,
            learning_rate=2e-3,
            lr_schedule="cosine",
            class_weighting="balanced",
            early_stopping=False,
        ),
    },
    "cnn": {
        # The textbook CNN (Keras's mnist_convnet): two conv/pool blocks, dropout 0.5, Adam.
        "baseline": CNNConfig(
            conv_filters=(32, 64), dense_units=(128,), dropout=0.5, epochs=6, batch_size=128
        ),
        # Few filters at 28x28 keep multiply-adds low (about 20 CPU-seconds an epoch on the
        # stand-in); no batch norm, which doubles the cost of a conv layer on CPU. The
        # logit-adjusted loss beat balanced (-0.5 points) and sqrt (-1.1) class weights here.
        # A fifth of its training images are pen drawings, as for the tuned CNN: the quick
        # CNN is the one a class trains with one click before drawing. The drawings took it
        # past 90 s in float32 on an Intel Xeon with AMX (97 and 99 s); precision="auto"
        # (bfloat16 where the processor has it, as for the tuned CNN) gave 63 and 66 s there.
        "quick": CNNConfig(
            conv_filters=(16, 32),
            dense_units=(256,),
            dropout=0.3,
            batch_size=256,
            epochs=5,
            learning_rate=2e-3,
            lr_schedule="cosine",
            logit_adjustment=1.0,
            early_stopping=False,
            precision="auto",
            drawn_share=0.2,
        ),
        # Five small CNNs averaged: single CNNs of every shape tried stopped short of what
        # averaging independently trained members reached (BENCHMARKS.md has the figures).
        # Each member folds 2x2 pixel patches into channels (space_to_depth) and runs two
        # convs per block at 14x14 and 7x7, which keeps five members affordable. Label
        # smoothing 0.1 and batch 128 are kept from the single CNN before it.
        # precision="auto" trains in bfloat16 where the processor has AMX or AVX512-BF16
        # and in float32 elsewhere, which is several times slower (BENCHMARKS.md).
        # A fifth of the training images are redrawn as canvas pen drawings, so drawings on
        # the Draw page read nearly as well as test images (bench_canvas in BENCHMARKS.md).
        # Nine epochs, not ten: with the drawings, ten took 599 and 612 s on the AMD kind
        # with AVX-512 BF16, at the 600 s limit; nine gave 89.19% in 545 s (BENCHMARKS.md).
        "tuned": CNNConfig(
            space_to_depth=True,
            conv_filters=(32, 64),
            convs_per_block=2,
            dense_units=(256,),
            dropout=0.4,
            batch_size=128,
            epochs=9,
            learning_rate=2e-3,
            lr_schedule="cosine",
            logit_adjustment=1.0,
            label_smoothing=0.1,
            early_stopping=False,
            ensemble=5,
            precision="auto",
            drawn_share=0.2,
        ),
    },
}


def saved_presets(family: str, presets_dir: Path | str | None = None) -> dict[str, TrainingConfig]:
    """Presets saved from the Tune page or `studies.save_preset`, by name, for one family.

    A file that no longer parses as a valid config is left on disk but not offered.
    """
    folder = settings.presets_dir(presets_dir)
    found: dict[str, TrainingConfig] = {}
    for path in sorted(folder.glob(f"{family}-*.json")):
        try:
            record = json.loads(path.read_text())
            config = config_from_dict(record["config"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if config.family == family:
            found[str(record.get("name") or path.stem)] = config
    return found


def get_preset(
    family: str, name: str = "baseline", presets_dir: Path | str | None = None
) -> TrainingConfig:
    """A built-in or saved preset of a family; ConfigError listing what exists if unknown."""
    if family not in PRESETS:
        raise ConfigError(f"family={family!r} is not allowed: use one of {', '.join(PRESETS)}.")
    if name in PRESETS[family]:
        return PRESETS[family][name]
    saved = saved_presets(family, presets_dir)
    if name not in saved:
        known = ", ".join([*PRESETS[family], *saved])
        raise ConfigError(f"preset={name!r} is not allowed for {family}: use one of {known}.")
    return saved[name]
