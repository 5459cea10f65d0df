"""Hyperparameter search with Optuna: spaces, storage, the worker loop, reports."""
