"""Model side: typed configs, presets, the Keras builders, ensembles, numeric policy."""
