"""The heap freeze that keeps Streamlit's after-every-run collections cheap (session/heap.py)."""

import gc
import weakref

import pytest

from dashboard.session import heap
from tests.fixtures import open_page


@pytest.fixture
def fresh_heap(monkeypatch):
    """As in a new server process: nothing frozen yet; unfrozen again afterwards."""
    gc.unfreeze()
    monkeypatch.setattr(heap, "_modules_at_freeze", 0)
    yield
    gc.unfreeze()


class Node:
    """A container object the collector tracks."""


def test_freezes_once_enough_modules_arrived(fresh_heap):
    assert heap.freeze_long_lived(new_modules=1)
    assert gc.get_freeze_count() > 1000  # the imported libraries, at least
    assert not heap.freeze_long_lived(new_modules=1)  # nothing imported since


def test_collections_skip_frozen_objects_until_the_next_freeze_frees_them(fresh_heap):
    node = Node()
    node.self = node  # a cycle: only the collector can free it
    alive = weakref.ref(node)
    heap.freeze_long_lived(new_modules=1)
    del node
    gc.collect()
    assert alive() is not None  # frozen: the collection did not walk it (why it is cheap)
    heap.freeze_long_lived(new_modules=0)
    assert alive() is None  # the next freeze collects what died since the last one


def test_the_app_and_a_model_load_both_freeze(app_env, monkeypatch):
    """app.py freezes at the end of each run; loading a model does too, since Draw's strokes
    rerun only a fragment and never reach app.py."""
    from dashboard.session import saved_runs

    calls = []
    monkeypatch.setattr(heap, "freeze_long_lived", lambda: calls.append("freeze") or False)
    saved_runs._model.clear()
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", lambda stroke_width, key: None)
    open_page("draw")
    # two app runs (start, page switch) and one load per model in focus (an MLP and a CNN)
    assert len(calls) == 4
