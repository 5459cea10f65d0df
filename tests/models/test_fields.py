"""Each config field's help, range and choices live in its spec, and every reader uses it."""

import dataclasses
import subprocess
import sys

import pytest

from emnist_core.errors import ConfigError
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.models.fields import FieldSpec, describe_fields, field_spec


@pytest.mark.parametrize("cls", [MLPConfig, CNNConfig])
def test_every_field_has_a_spec_with_help(cls):
    for field in dataclasses.fields(cls):
        spec = field.metadata.get("spec")
        assert isinstance(spec, FieldSpec) and len(spec.help) > 10, field.name
        if spec.choices:
            assert field.default in spec.choices, field.name
        elif spec.low is not None and not isinstance(field.default, tuple):
            assert spec.accepts(field.default), field.name


def test_range_text_follows_open_and_closed_ends():
    assert FieldSpec("x", low=0, high=1, open_high=True).range_text() == "in [0, 1)"
    assert FieldSpec("x", low=0, high=10, open_low=True).range_text() == "in (0, 10]"
    assert FieldSpec("x", choices=("a", "b")).range_text() == "one of a, b"
    assert FieldSpec("x", low=0, high=1, open_low=True).widget_bounds() == (None, 1)


@pytest.mark.parametrize("name", ["dropout", "label_smoothing", "learning_rate", "ensemble"])
def test_validation_message_quotes_the_spec(name):
    spec = field_spec(MLPConfig, name)
    bad = spec.high + 1
    with pytest.raises(ConfigError) as error:
        MLPConfig(**{name: type(getattr(MLPConfig(), name))(bad)})
    assert spec.allowed() in str(error.value)


def test_train_help_lists_every_field_with_its_range():
    done = subprocess.run(
        [sys.executable, "-m", "emnist_core", "train", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for cls in (MLPConfig, CNNConfig):
        for field in dataclasses.fields(cls):
            assert f"  {field.name} (" in done.stdout, field.name
    assert field_spec(MLPConfig, "label_smoothing").allowed() in done.stdout
    assert describe_fields(MLPConfig).count("\n") == len(dataclasses.fields(MLPConfig)) - 1
