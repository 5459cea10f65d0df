"""Config validation, JSON round trips, `--set` overrides and presets (no TensorFlow needed)."""

import json

import pytest

from emnist_core.errors import ConfigError
from emnist_core.models.config import (
    CNNConfig,
    MLPConfig,
    config_from_dict,
    feature_map_sides,
)
from emnist_core.models.overrides import apply_overrides, parse_overrides
from emnist_core.models.presets import PRESET_NAMES, PRESETS, get_preset


@pytest.mark.parametrize(
    ("cls", "changes", "field", "allowed"),
    [
        (MLPConfig, {"dropout": -0.1}, "dropout", "[0, 1)"),
        (MLPConfig, {"dropout": 1.0}, "dropout", "[0, 1)"),
        (MLPConfig, {"hidden_units": (0, 10)}, "hidden_units", "[1, 8192]"),
        (MLPConfig, {"hidden_units": ()}, "hidden_units", "non-empty"),
        (MLPConfig, {"optimizer": "rmsprop"}, "optimizer", "sgd, adam, adagrad"),
        (MLPConfig, {"learning_rate": 0.0}, "learning_rate", "(0, 10]"),
        (MLPConfig, {"batch_size": 0}, "batch_size", "[1, 65536]"),
        (MLPConfig, {"epochs": 0}, "epochs", "[1, 1000]"),
        (MLPConfig, {"momentum": 1.5}, "momentum", "[0, 1)"),
        (MLPConfig, {"nesterov": True}, "nesterov", "optimizer='sgd'"),
        (MLPConfig, {"lr_schedule": "step"}, "lr_schedule", "exponential"),
        (MLPConfig, {"monitor": "loss"}, "monitor", "val_loss"),
        (MLPConfig, {"class_weighting": "auto"}, "class_weighting", "balanced"),
        (MLPConfig, {"l2": -1e-4}, "l2", "[0, 1]"),
        (MLPConfig, {"activation": "relu6x"}, "activation", "relu"),
        (MLPConfig, {"epochs": 2.5}, "epochs", "int"),
        (MLPConfig, {"batch_norm": "yes"}, "batch_norm", "true/false"),
        (CNNConfig, {"conv_filters": (32, -1)}, "conv_filters", "[1, 1024]"),
        (CNNConfig, {"kernel_size": 0}, "kernel_size", "[1, 28]"),
        (CNNConfig, {"pooling": "median"}, "pooling", "max, avg, none"),
        (CNNConfig, {"conv_dropout": 2.0}, "conv_dropout", "[0, 1)"),
        (CNNConfig, {"dense_units": (0,)}, "dense_units", "[1, 8192]"),
    ],
)
def test_impossible_values_name_field_and_range(cls, changes, field, allowed):
    with pytest.raises(ConfigError) as caught:
        cls(**changes)
    message = str(caught.value)
    assert field in message and allowed in message


def test_kernel_larger_than_feature_map_is_rejected_before_training():
    # 28 -> pool 14 -> pool 7 -> pool 3: a 5x5 kernel cannot fit the 3x3 map of block 4
    with pytest.raises(ConfigError, match=r"kernel_size=5 is larger than the 3x3 feature map"):
        CNNConfig(conv_filters=(8, 8, 8, 8), kernel_size=5)
    with pytest.raises(ConfigError, match="kernel_size"):
        CNNConfig(conv_filters=(8, 8), kernel_size=15, padding="valid")


def test_feature_map_sides_follow_strides_padding_and_pooling():
    assert feature_map_sides(CNNConfig(conv_filters=(8, 8, 8))) == [28, 14, 7]
    assert feature_map_sides(CNNConfig(conv_filters=(8, 8), first_stride=2)) == [28, 7]
    assert feature_map_sides(
        CNNConfig(conv_filters=(8, 8), padding="valid", kernel_size=5, pooling="none")
    ) == [28, 24]


def test_valid_boundary_values_are_accepted():
    assert MLPConfig(dropout=0.0, hidden_units=(1,)).hidden_units == (1,)
    config = MLPConfig(optimizer="sgd", momentum=0.9, nesterov=True)
    assert config.nesterov is True
    assert CNNConfig(conv_filters=(4,), kernel_size=28, pooling="none").kernel_size == 28


@pytest.mark.parametrize("config", [MLPConfig(), CNNConfig(conv_filters=(8, 16), augment=True)])
def test_json_round_trip(config):
    data = json.loads(json.dumps(config.to_dict()))
    assert data["family"] == config.family
    assert config_from_dict(data) == config


def test_config_from_dict_rejects_unknown_and_missing_family():
    data = MLPConfig().to_dict()
    data["hiden_units"] = [5]
    with pytest.raises(ConfigError, match="unknown mlp config field.*hiden_units"):
        config_from_dict(data)
    with pytest.raises(ConfigError, match="'family'"):
        config_from_dict({"epochs": 3})
    with pytest.raises(ConfigError, match="family='rnn'"):
        config_from_dict({"family": "rnn"})


def test_replace_validates_and_rejects_unknown_fields():
    base = CNNConfig()
    assert base.replace(epochs=3).epochs == 3 and base.epochs == 10
    with pytest.raises(ConfigError, match="dropout"):
        base.replace(dropout=-0.5)
    with pytest.raises(ConfigError, match="unknown cnn config field.*hidden_units"):
        base.replace(hidden_units=(3,))


def test_overrides_convert_strings_to_field_types():
    config = apply_overrides(
        CNNConfig(),
        [
            "dropout=0.25",
            "epochs=4",
            "batch_norm=true",
            "conv_filters=8,16,32",
            "dense_units=none",
            "optimizer=sgd",
            "momentum=0.9",
            "nesterov=yes",
        ],
    )
    assert config.dropout == 0.25 and config.epochs == 4 and config.batch_norm is True
    assert config.conv_filters == (8, 16, 32) and config.dense_units == ()
    assert config.optimizer == "sgd" and config.nesterov is True


@pytest.mark.parametrize(
    ("assignment", "match"),
    [
        ("epochs=three", "epochs expects an integer"),
        ("batch_norm=maybe", "true or false"),
        ("hidden_units=a,b", "comma-separated integers"),
        ("dropout", "field=value"),
        ("droput=0.1", "unknown mlp config field"),
    ],
)
def test_bad_overrides_are_clear(assignment, match):
    with pytest.raises(ConfigError, match=match):
        parse_overrides(MLPConfig, [assignment])


def test_override_that_breaks_a_rule_names_the_rule():
    with pytest.raises(ConfigError, match=r"dropout=1.5 is not allowed.*\[0, 1\)"):
        apply_overrides(MLPConfig(), ["dropout=1.5"])


def test_every_family_has_every_preset_and_they_validate():
    for family in ("mlp", "cnn"):
        assert set(PRESETS[family]) == set(PRESET_NAMES)
        for name in PRESET_NAMES:
            config = get_preset(family, name)
            assert config.family == family
            assert config_from_dict(config.to_dict()) == config


def test_unknown_preset_or_family_lists_choices():
    with pytest.raises(ConfigError, match="baseline, quick, tuned"):
        get_preset("cnn", "huge")
    with pytest.raises(ConfigError, match="mlp, cnn"):
        get_preset("rnn", "quick")
