"""A server process is readied before its first visitor: every template compiled, the heap
it starts with set aside from the garbage collector, and threads waiting for the interpreter
handed it soon."""

import gc
import sys

from app import warm_up


def test_warm_up_compiles_every_template_and_freezes_the_start_up_heap(app):
    names = app.jinja_env.list_templates()
    assert "tasks/form.html" in names and "base.html" in names
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    try:
        warm_up(app)
        assert gc.get_freeze_count() > 0
        assert sys.getswitchinterval() < interval
    finally:
        # The other tests keep their collector and interpreter as they were.
        gc.unfreeze()
        gc.set_threshold(*threshold)
        sys.setswitchinterval(interval)
    cache = app.jinja_env.cache
    compiled = {name for (_loader, name) in cache.keys()} if cache is not None else set()
    assert set(names) <= compiled
