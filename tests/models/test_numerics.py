"""Training precision: 'auto' follows the processor, bfloat16 reaches the layers, and
saved models are float32."""

import math

import keras
import numpy as np
import pytest

from emnist_core.errors import ConfigError
from emnist_core.models.build import build_model, float32_copy
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.models.numerics import cpu_flags, is_mixed, resolve_precision
from emnist_core.training.loop import train

TINY_CNN = CNNConfig(
    conv_filters=(4,), dense_units=(8,), epochs=1, batch_size=64, early_stopping=False
)


def test_cpu_flags_reads_the_first_processor(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nflags\t\t: fpu avx2 amx_bf16\n\nprocessor\t: 1\nflags\t\t: fpu\n"
    )
    assert cpu_flags(cpuinfo) == frozenset({"fpu", "avx2", "amx_bf16"})
    assert cpu_flags(tmp_path / "missing") == frozenset()


@pytest.mark.parametrize(
    "flags, expected",
    [
        ({"avx2", "amx_bf16", "amx_tile"}, "mixed_bfloat16"),
        ({"avx512f", "avx512_bf16"}, "mixed_bfloat16"),
        ({"avx2", "avx512f"}, "float32"),
        (set(), "float32"),
    ],
)
def test_auto_precision_follows_the_processor(flags, expected):
    assert resolve_precision("auto", frozenset(flags)) == expected


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_explicit_precision_ignores_the_processor(precision):
    for flags in (frozenset(), frozenset({"amx_bf16"})):
        assert resolve_precision(precision, flags) == precision


def test_unknown_precision_is_rejected():
    with pytest.raises(ConfigError, match=r"precision='float16'.*float32, mixed_bfloat16, auto"):
        MLPConfig(precision="float16")


@pytest.mark.parametrize("config", [TINY_CNN, MLPConfig(hidden_units=(8,))])
def test_bfloat16_reaches_the_layers_and_the_output_stays_float32(config):
    model = build_model(config.replace(precision="mixed_bfloat16"), 5)
    assert is_mixed(model)
    hidden = model.get_layer("conv1_1" if config.family == "cnn" else "dense1")
    assert (hidden.compute_dtype, hidden.variable_dtype) == ("bfloat16", "float32")
    assert model.get_layer("probabilities").compute_dtype == "float32"
    assert model(np.zeros((1, 28, 28), "float32")).dtype == "float32"
    # the policy was scoped to the build: the next model is float32 again
    assert keras.config.dtype_policy().name == "float32"
    assert not is_mixed(build_model(config, 5))


def test_float32_copy_keeps_the_weights_and_the_predictions():
    mixed = build_model(TINY_CNN.replace(precision="mixed_bfloat16"), 5)
    copy = float32_copy(mixed, TINY_CNN, 5)
    assert not is_mixed(copy)
    for ours, theirs in zip(mixed.get_weights(), copy.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    images = np.random.default_rng(0).integers(0, 256, (16, 28, 28)).astype("float32")
    # bfloat16 keeps about 3 significant digits: the two agree to that, not exactly
    np.testing.assert_allclose(mixed(images), copy(images), atol=0.02)
    plain = build_model(TINY_CNN, 5)
    assert float32_copy(plain, TINY_CNN, 5) is plain


def test_bfloat16_run_saves_a_float32_model_and_records_the_precision(synthetic_dataset, tmp_path):
    run = train(TINY_CNN.replace(precision="mixed_bfloat16"), synthetic_dataset, runs_dir=tmp_path)
    assert run.info["timing"]["precision"] == "mixed_bfloat16"
    assert run.config.precision == "mixed_bfloat16"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. a mismatched optimizer state
        model = keras.saving.load_model(run.model_path)
    assert not is_mixed(model)
    steps = math.ceil(run.info["data"]["sizes"]["train"] / TINY_CNN.batch_size)
    assert int(model.optimizer.iterations) == steps * run.info["timing"]["epochs_run"]
    assert 0.0 <= run.metrics["accuracy"] <= 1.0


def test_precision_note_warns_only_where_bfloat16_is_missing():
    from emnist_core.models.numerics import precision_note

    amx, plain = frozenset({"amx_bf16"}), frozenset({"avx2"})
    assert precision_note("auto", 5, amx) is None
    assert precision_note("mixed_bfloat16", 1, amx) is None
    assert precision_note("float32", 1, plain) is None
    assert "trains in float32" in precision_note("auto", 5, plain)
    assert "5 members" in precision_note("auto", 5, plain)
    assert "auto would pick float32" in precision_note("mixed_bfloat16", 1, plain)
