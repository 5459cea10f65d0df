"""EMNIST character-recognition lab: data, models, training, evaluation and tuning."""

__version__ = "0.1.0"
