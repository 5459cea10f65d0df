"""The training objective named for what it is."""

from emnist_core.models.config import CNNConfig, MLPConfig
from emnist_core.models.objective import objective_label


def test_plain_and_modified_objectives_are_named():
    assert objective_label(MLPConfig()) == "training objective (cross-entropy)"
    label = objective_label(CNNConfig(label_smoothing=0.1, logit_adjustment=1.0, ensemble=5))
    assert "label smoothing 0.1" in label and "logit adjustment 1" in label
    assert "mean over 5 members" in label
