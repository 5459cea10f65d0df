"""Presets saved from a tuning study are offered wherever built-in presets are."""

import pytest

from emnist_core.cli import build_parser
from emnist_core.cli.training import resolve_config
from emnist_core.errors import ConfigError
from emnist_core.models.presets import get_preset, saved_presets
from emnist_core.tuning.reports import save_preset


def test_saved_preset_round_trip(tmp_path):
    config = get_preset("mlp", "quick").replace(dropout=0.35, hidden_units=(64,))
    save_preset(config, "night study", tmp_path)
    (tmp_path / "mlp-broken.json").write_text("{not json")
    assert saved_presets("mlp", tmp_path) == {"night study": config}
    assert saved_presets("cnn", tmp_path) == {}
    assert get_preset("mlp", "night study", tmp_path) == config
    assert (tmp_path / "mlp-broken.json").exists(), "a damaged preset is left alone"
    with pytest.raises(ConfigError, match="night study"):
        get_preset("mlp", "nope", tmp_path)


def test_cli_and_train_page_offer_saved_presets(tmp_path, monkeypatch, app_env):
    monkeypatch.setenv("EMNIST_PRESETS_DIR", str(tmp_path))
    config = get_preset("cnn", "quick").replace(conv_filters=(8, 16))
    save_preset(config, "best trial", tmp_path)

    parser_args = build_parser().parse_args(
        ["train", "--model", "cnn", "--preset", "best trial", "--epochs", "2"]
    )
    assert resolve_config(parser_args) == config.replace(epochs=2)

    from tests.fixtures import open_page

    app = open_page("train")
    app.radio(key="train_family").set_value("cnn").run()
    preset = app.radio(key="train_preset_cnn")
    assert "best trial" in preset.options
    preset.set_value("best trial").run()
    assert not app.exception
    filters = [w for w in app.text_input if w.label.startswith("conv filters")]
    assert filters and filters[0].value.replace(" ", "") in ("8,16", "[8,16]", "(8,16)")
