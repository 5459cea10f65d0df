"""Keep TensorFlow's compiled models across script runs: Streamlit's per-run Keras cleanup, off.

After every script run, fragment runs included, Streamlit calls
`keras.backend.clear_session()` (`script_runner._clean_problem_modules`), for apps that
build Keras models on every run. That call also clears TensorFlow's kernel cache, which
holds each loaded model's optimised graph. Every stroke on the Draw page then had
TensorFlow optimise both models' graphs again (Grappler, oneDNN's layout pass) before
they answered: 35 to 90 ms for the tuned MLP and 90 to 160 ms for the tuned CNN, against
1 to 6 ms for a second call right after, with the graph cached (Intel Xeon with AMX, 2026-12-06,
BENCHMARKS.md "Dashboard"). The same happened to every page that predicts.

This app builds few Keras models in the server (the Train page's model summary, cached
per config; the Draw page's "inside the models" panel), and Keras's global state keeps
little for each (name counters), so nothing piles up without the call. Streamlit's other
cleanup there, closing matplotlib's figures, is kept.
"""

import logging
import sys

logger = logging.getLogger(__name__)
_PATCHED = "_emnist_keeps_tensorflow_kernels"


def _close_figures() -> None:
    """What Streamlit cleans after a run, less the Keras session: matplotlib's figures."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close("all")
        except Exception:  # noqa: BLE001 - as Streamlit: never fail a run for this
            logger.debug("could not close matplotlib's figures", exc_info=True)


def keep_tensorflow_kernels() -> bool:
    """Replace Streamlit's per-run cleanup in this process (idempotent, cheap to repeat).

    Streamlit's own stays reachable as the replacement's __wrapped__. Returns whether the
    cleanup is now the one that keeps the kernels; False, with a warning, where Streamlit
    no longer has the function (a newer Streamlit: check whether it still clears the
    Keras session after each run).
    """
    from streamlit.runtime.scriptrunner import script_runner

    current = getattr(script_runner, "_clean_problem_modules", None)
    if current is None:
        logger.warning(
            "streamlit's script_runner has no _clean_problem_modules; pages that predict "
            "may recompile their models on every run"
        )
        return False
    if not getattr(current, _PATCHED, False):

        def clean_problem_modules_but_keras() -> None:
            _close_figures()

        clean_problem_modules_but_keras.__wrapped__ = current  # type: ignore[attr-defined]
        setattr(clean_problem_modules_but_keras, _PATCHED, True)
        script_runner._clean_problem_modules = clean_problem_modules_but_keras
    return True
