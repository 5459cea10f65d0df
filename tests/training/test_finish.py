"""End of training: temperature fitted on validation only, results saved with the run."""

import numpy as np
import pytest

from emnist_core.errors import RunError
from emnist_core.evaluation.run_results import load_results, split_fingerprint
from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.models.head import temperature
from emnist_core.training.loop import train

TINY_MLP = MLPConfig(hidden_units=(16,), epochs=1, batch_size=64, early_stopping=False)


def test_metrics_hold_calibration_and_results_match_the_saved_model(synthetic_dataset, tmp_path):
    config = CNNConfig(
        conv_filters=(4,),
        dense_units=(8,),
        epochs=1,
        batch_size=64,
        ensemble=2,
        label_smoothing=0.1,
        early_stopping=False,
    )
    run = train(config, synthetic_dataset, runs_dir=tmp_path)
    metrics = run.metrics
    for key in ("ece", "nll", "temperature", "ece_before", "nll_before"):
        assert np.isfinite(metrics[key])
    assert metrics["temperature_fitted_on"] == "validation"
    model = run.load_model()
    assert temperature(model) == pytest.approx(metrics["temperature"])
    assert "ce" in run.history and "val_ce" in run.history
    results = load_results(run.run_dir)
    assert results is not None and results.matches(synthetic_dataset.test)
    test = synthetic_dataset.test
    np.testing.assert_allclose(
        results.probabilities[:20], np.asarray(model(test.images[:20].astype("float32"))), atol=1e-5
    )
    evaluation = results.evaluation(list(synthetic_dataset.classes))
    assert evaluation.accuracy == pytest.approx(metrics["accuracy"])
    assert evaluation.ece == pytest.approx(metrics["ece"])
    assert results.confusion.sum() == len(test)
    assert results.embedding.shape[0] == len(results.sample_indices) > 0
    report = run.calibration
    assert report.fitted_on == "validation"
    assert report.temperature == pytest.approx(metrics["temperature"])
    assert report.ece_before == pytest.approx(metrics["ece_before"])
    assert run.latency_ms == pytest.approx(metrics["latency_ms"]) and run.latency_ms > 0


def test_without_a_validation_split_temperature_stays_one(synthetic_dataset, tmp_path):
    run = train(TINY_MLP, synthetic_dataset, runs_dir=tmp_path, val_fraction=0.0)
    assert run.metrics["temperature"] == 1.0
    assert run.metrics["temperature_fitted_on"] is None
    assert run.metrics["ece"] == pytest.approx(run.metrics["ece_before"], abs=1e-6)
    assert run.calibration is None


def test_a_damaged_model_file_is_named_without_loading_keras(synthetic_dataset, tmp_path):
    run = train(TINY_MLP, synthetic_dataset, runs_dir=tmp_path)
    run.check_model_file()  # a whole archive passes
    run.model_path.write_bytes(b"garbage")
    with pytest.raises(RunError, match="missing or corrupt"):
        run.check_model_file()
    run.model_path.unlink()
    with pytest.raises(RunError, match=str(run.run_id)):
        run.check_model_file()


def test_results_of_other_data_or_a_damaged_file_are_not_used(synthetic_dataset, tmp_path):
    run = train(TINY_MLP, synthetic_dataset, runs_dir=tmp_path)
    results = load_results(run.run_dir)
    other = synthetic_dataset.test.subset(np.arange(10))
    assert not results.matches(other)
    assert split_fingerprint(other) != results.fingerprint
    (run.run_dir / "results.npz").write_bytes(b"not a zip")
    assert load_results(run.run_dir) is None
