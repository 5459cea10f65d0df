"""Search spaces: loading from YAML/JSON, validation before training, sampling into configs."""

import json

import optuna
import pytest

from emnist_core.errors import ConfigError
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.tuning.space import Choice, Fixed, Range, SearchSpace
from emnist_core.tuning.space_files import (
    default_space,
    load_space,
    parse_space,
    space_from_dict,
    space_to_json,
    space_to_yaml,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _sample(space: SearchSpace, count: int, seed: int = 0):
    """Configs from `count` random trials, with the trials' params."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(count):
        trial = study.ask()
        out.append((space.suggest(trial), dict(trial.params)))
    return out


@pytest.mark.parametrize("family", ["mlp", "cnn"])
def test_default_spaces_ask_the_classic_questions_and_round_trip(family):
    space = default_space(family)
    for question in ("optimizer", "lr_schedule", "learning_rate", "dropout", "l2", "batch_norm"):
        assert question in space.searched
    assert set(space.params["optimizer"].values) == {"sgd", "adam", "adagrad"}
    assert parse_space(space_to_json(space)) == space
    assert parse_space(space_to_yaml(space)) == space


@pytest.mark.parametrize("family", ["mlp", "cnn"])
def test_suggested_configs_are_valid_and_rebuild_from_params(family):
    space = default_space(family)
    configs = _sample(space, 12)
    for config, params in configs:
        assert config.family == family
        assert space.config_from_params(params) == config
        assert config.learning_rate == params["learning_rate"]
    assert len({c.optimizer for c, _ in configs}) > 1  # the space really varies


def test_yaml_file_with_every_kind_of_entry(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text(
        "family: mlp\nbase: baseline\nparams:\n"
        "  learning_rate: {low: 1e-4, high: 1e-1, log: true}\n"  # 1e-4 must read as a float
        "  hidden_units: {choice: [[64], [128, 64]]}\n"
        "  batch_size: {low: 32, high: 128, step: 32}\n"
        "  epochs: 2\n"
        "  l2: {value: 1e-5}\n"
    )
    space = load_space(path)
    assert space.base == "baseline"
    assert space.params["learning_rate"] == Range(1e-4, 1e-1, log=True)
    assert space.params["hidden_units"] == Choice(((64,), (128, 64)))
    assert space.params["epochs"] == Fixed(2) and space.params["l2"] == Fixed(1e-5)
    assert sorted(space.searched) == ["batch_size", "hidden_units", "learning_rate"]
    for config, _ in _sample(space, 8):
        assert isinstance(config, MLPConfig)
        assert config.epochs == 2 and config.l2 == 1e-5
        assert config.batch_size in (32, 64, 96, 128)
        assert 1e-4 <= config.learning_rate <= 1e-1
        assert config.hidden_units in ((64,), (128, 64))


def test_json_file_loads(tmp_path):
    path = tmp_path / "space.json"
    path.write_text(json.dumps({"family": "cnn", "params": {"dropout": {"low": 0.1, "high": 0.2}}}))
    assert load_space(path).params["dropout"] == Range(0.1, 0.2)


def test_a_range_on_a_layer_list_sets_the_first_width_and_keeps_ratios():
    space = space_from_dict(
        {
            "family": "cnn",
            "base": "quick",
            "params": {"conv_filters": {"low": 16, "high": 64, "step": 16}},
        }
    )
    seen = set()
    for config, params in _sample(space, 20):
        assert isinstance(config, CNNConfig)
        assert config.conv_filters == (params["conv_filters"], 2 * params["conv_filters"])
        seen.add(config.conv_filters)
    assert (64, 128) in seen or (16, 32) in seen


def test_unknown_field_is_refused_with_the_known_fields():
    with pytest.raises(ConfigError, match=r"'hidden_unitz' is not a mlp config field.*units"):
        space_from_dict({"family": "mlp", "params": {"hidden_unitz": {"choice": [[8]]}}})


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"low": 0.5, "high": 0.1}, r"'dropout' has an empty range: low=0.5 > high=0.1"),
        ({"choice": []}, r"'dropout' has an empty choice"),
        ({"low": 0.0, "high": 0.5, "log": True}, r"log range needs low > 0"),
        ({"low": 0.0, "high": 1.5}, r"'dropout'.*dropout must be in \[0, 1\)"),
        ({"choice": [0.1, -0.2]}, r"'dropout'.*-0.2"),
        ({"low": "a", "high": 1}, r"must be numbers"),
        ({"min": 0, "max": 1}, r"must be \{choice"),
    ],
)
def test_bad_entries_name_the_field_and_the_fix(entry, message):
    with pytest.raises(ConfigError, match=message):
        space_from_dict({"family": "mlp", "params": {"dropout": entry}})


def test_ranges_must_suit_the_field_type():
    with pytest.raises(ConfigError, match=r"'optimizer' is not numeric"):
        space_from_dict({"family": "mlp", "params": {"optimizer": {"low": 0, "high": 1}}})
    with pytest.raises(ConfigError, match=r"'batch_size' takes whole numbers"):
        space_from_dict({"family": "mlp", "params": {"batch_size": {"low": 32.5, "high": 64}}})
    with pytest.raises(ConfigError, match=r"cannot be combined with log"):
        space_from_dict(
            {
                "family": "mlp",
                "params": {"learning_rate": {"low": 0.001, "high": 0.1, "log": True, "step": 0.01}},
            }
        )


def test_values_are_checked_against_the_fixed_ones():
    # nesterov alone is refused with the base's adam, but allowed once sgd+momentum are fixed
    with pytest.raises(ConfigError, match=r"'nesterov'.*optimizer='sgd'"):
        space_from_dict({"family": "mlp", "params": {"nesterov": {"choice": [False, True]}}})
    space = space_from_dict(
        {
            "family": "mlp",
            "params": {"optimizer": "sgd", "momentum": 0.9, "nesterov": {"choice": [False, True]}},
        }
    )
    assert {c.nesterov for c, _ in _sample(space, 10)} == {False, True}
    with pytest.raises(ConfigError, match=r"fixed values do not fit together"):
        space_from_dict({"family": "mlp", "params": {"optimizer": "adam", "nesterov": True}})


def test_a_combination_only_fails_when_sampled():
    # each value is fine alone; kernel 13 with 'valid' padding cannot fit the second block
    space = space_from_dict(
        {
            "family": "cnn",
            "params": {"kernel_size": {"choice": [13]}, "padding": {"choice": ["valid"]}},
        }
    )
    study = optuna.create_study()
    with pytest.raises(ConfigError, match=r"kernel_size=13 is larger than"):
        space.suggest(study.ask())


@pytest.mark.parametrize(
    "data, message",
    [
        ({"params": {}}, r"needs a 'family' key"),
        ({"family": "rnn", "params": {}}, r"family must be one of mlp, cnn"),
        ({"family": "mlp", "base": "best", "params": {}}, r"base must be one of baseline, quick"),
        ({"family": "mlp", "params": [1, 2]}, r"'params' must be a mapping"),
        ({"family": "mlp", "params": {}, "trials": 3}, r"unknown search space key\(s\): trials"),
    ],
)
def test_bad_space_documents(data, message):
    with pytest.raises(ConfigError, match=message):
        space_from_dict(data)


def test_unreadable_files_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read search space file"):
        load_space(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match=r"not valid YAML/JSON"):
        parse_space("family: [mlp\n")


def test_with_fixed_and_to_dict_detect_different_spaces():
    space = default_space("mlp")
    short = space.with_fixed(epochs=2)
    assert short.params["epochs"] == Fixed(2)
    assert short.to_dict() != space.to_dict()
    assert short.to_dict() == default_space("mlp").with_fixed(epochs=2).to_dict()
    with pytest.raises(ConfigError, match=r"epochs"):
        space.with_fixed(epochs=0)
