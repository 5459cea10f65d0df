"""Scoring saved models: test metrics, and comparisons with McNemar's test."""
