"""Keep the garbage collections Streamlit runs after every script run cheap.

After every run, fragment runs included, Streamlit calls gc.collect(2)
(`runner.postScriptGC`) and, once keras is imported, keras.backend.clear_session(),
which collects again. A full collection walks every object the process holds: about
118,000 with the dashboard's libraries (65 ms) and 407,000 once TensorFlow is loaded
(0.2 s; AMD EPYC, 2026-12-05). It holds the GIL throughout, so the server cannot send
what the run already computed: each stroke on Draw waited about 0.4 s for its answer
after the models had answered, and the training panel, refreshed every second, froze the
server for 0.4 s of each.

gc.freeze() is CPython's tool for such long-lived heaps: it moves every object alive now
into a permanent generation that collections skip, so they walk only what was made since.
The imported libraries are nearly all of the heap and live as long as the process, so the
heap is frozen again whenever many modules have been imported since the last freeze.
"""

import gc
import sys
import threading

# Freeze again once this many modules arrived since the last freeze: TensorFlow brings
# about 3,300, the dashboard's first page about 500; one freeze costs one full collection.
NEW_MODULES_PER_FREEZE = 200

_lock = threading.Lock()
# Counted from the server's first run: the libraries its pages import trigger the first freeze.
_modules_at_freeze = len(sys.modules)


def freeze_long_lived(new_modules: int = NEW_MODULES_PER_FREEZE) -> bool:
    """Freeze the heap if at least `new_modules` modules were imported since the last freeze.

    Returns whether it froze. Each freeze first unfreezes and collects everything, so an
    object frozen earlier that has since become garbage is freed then: frozen memory never
    outlives the next freeze, and freezes are rare (a few per server process).
    """
    global _modules_at_freeze
    with _lock:  # two sessions starting together must not both pay the collection
        if len(sys.modules) - _modules_at_freeze < new_modules:
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _modules_at_freeze = len(sys.modules)
        return True
