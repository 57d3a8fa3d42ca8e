"""A server process is readied before its first visitor: every template compiled, and the heap
it starts with set aside from the garbage collector."""

import gc

from app import warm_up


def test_warm_up_compiles_every_template_and_freezes_the_start_up_heap(app):
    names = app.jinja_env.list_templates()
    assert "tasks/form.html" in names and "base.html" in names
    try:
        warm_up(app)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the other tests keep their collector as it was
    cache = app.jinja_env.cache
    compiled = {name for (_loader, name) in cache.keys()} if cache is not None else set()
    assert set(names) <= compiled
