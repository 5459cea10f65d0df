"""Start the dashboard warm: `python -m dashboard.serve [streamlit run options]`.

Streamlit runs the app's script only when a browser connects, so without this the first
visitor after a start paid for every import of the sidebar and the first page and for
loading the data: about 1.4 s of script time (0.6 s sidebar, 0.8 s page) where every
later visitor's script takes under 0.1 s (measured on 2 cores, BENCHMARKS.md "Dashboard").
Here the same process imports what the app and its pages import at their top, loads the
configured data into the caches the sidebar and the first page read, then hands over to
`streamlit run`. The server answers about a second later, and nobody who opens it waits
for a cold start.
"""

import ast
import logging
import sys
import time
from contextlib import contextmanager
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parent
APP = DASHBOARD / "app.py"
# Streamlit's warnings that no server runs yet: true, and expected, while warming.
BARE_MODE_LOGGERS = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


def top_level_imports(script: Path) -> list[str]:
    """The modules a script imports at its top level (not inside functions), in order.

    Pages import TensorFlow inside their functions so that opening them stays fast; those
    imports are left for the pages that need them.
    """
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return list(dict.fromkeys(names))


def scripts() -> list[Path]:
    """The app and every page it can show."""
    return [APP, *sorted((DASHBOARD / "views").glob("*.py"))]


@contextmanager
def _bare_mode_quiet():
    """Hide the 'No runtime found' and 'missing ScriptRunContext' warnings, then restore."""
    loggers = [logging.getLogger(name) for name in BARE_MODE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def warm() -> dict[str, float]:
    """Import every module the app and its pages import at their top, load the data folder
    the sidebar opens by default into its cache with the first page's summaries of it, and
    build one plotly figure. Seconds spent on each step.

    A failure here only means a cold first visit, never a server that does not start:
    the page itself will meet the same problem and show it properly.
    """
    import importlib

    spent = {}
    started = time.perf_counter()
    for script in scripts():
        for name in top_level_imports(script):
            try:
                importlib.import_module(name)
            except Exception as error:  # noqa: BLE001 - the page will report it itself
                print(f"dashboard.serve: could not import {name} ahead: {error}", file=sys.stderr)
    spent["imports"] = time.perf_counter() - started
    started = time.perf_counter()
    from dashboard.session import data_source
    from emnist_core import settings

    # The sidebar's default choice, through the same cached function and arguments, so
    # the first session finds it loaded. A missing or broken folder is left to the page.
    choice = data_source.load_choice(data_source.SOURCE_OFFICIAL, settings.data_dir())
    if choice.dataset is not None:
        data_source.train_summaries(choice.dataset)  # what the first page shows of it
    spent["data"] = time.perf_counter() - started
    started = time.perf_counter()
    import plotly.express as px

    px.bar(x=[0], y=[0])  # plotly builds a figure's validators on first use: 0.2 s
    spent["plotly"] = time.perf_counter() - started
    return spent


def main(argv: list[str] | None = None) -> int:
    from streamlit.web import cli as streamlit_cli

    with _bare_mode_quiet():
        spent = warm()
    print(
        "dashboard.serve: warmed in "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in spent.items()),
        file=sys.stderr,
    )
    args = sys.argv[1:] if argv is None else argv
    sys.argv = ["streamlit", "run", str(APP), *args]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main())
