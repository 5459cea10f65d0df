"""EMNIST character-recognition lab: data, models, training, evaluation and tuning.

In a notebook: `import emnist_core as el`, then el.load(), el.train("cnn"), el.evaluate(run),
el.compare(a, b), el.predict(run, image) and figures such as el.curves(run). They are
imported on first use, so `import emnist_core` stays fast (no TensorFlow).
"""

__version__ = "0.1.0"

_LAZY = {
    **dict.fromkeys(
        ("load", "train", "evaluate", "compare", "predict"), "emnist_core.notebook.api"
    ),
    **dict.fromkeys(
        ("curves", "overlaid", "scores", "per_class", "confusion", "samples", "mistakes"),
        "emnist_core.notebook.figures",
    ),
    "comparison": "emnist_core.notebook.figures",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'emnist_core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
