"""Work shared between the steps of one call, dropped when it ends (docs/speed.md 'Stop 40').

:func:`facemetrics.compare.compare_photos` runs inside :func:`one_call`: a step that needs what another
step of the same comparison made already (the face matching's registration of the face then measured, a
photo's face box reduced to grey for two image checks) asks :func:`once` for it, keyed on the objects it
is made from (matched by identity, and held until the call ends, so that no id is reused meanwhile) and on
plain values.  Nothing is kept between calls, so nothing made from one photo can reach another call.
Outside :func:`one_call` every request is made afresh (the functions' results are the same either way:
``tests/test_compare_work.py``).
"""

from __future__ import annotations

import contextlib
import threading

_call = threading.local()


@contextlib.contextmanager
def one_call():
    """Share work between the steps run inside it (:func:`once`); nested, the outer call's is shared."""
    if getattr(_call, "memo", None) is not None:
        yield
        return
    _call.memo = {}
    try:
        yield
    finally:
        _call.memo = None


def once(kind: str, objs: tuple, make, values: tuple = ()):
    """``make()``, made once per ``kind``, ``objs`` (by identity) and ``values`` (hashable, by equality)
    inside :func:`one_call`; outside it, made every time.  An exception raised by ``make`` is not kept."""
    memo = getattr(_call, "memo", None)
    if memo is None:
        return make()
    key = (kind, *map(id, objs), *values)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = (objs, make())
    return hit[1]


def made(kind: str, objs: tuple, values: tuple = ()):
    """What :func:`once` made for ``kind``, ``objs`` and ``values`` in this call, or None."""
    hit = (getattr(_call, "memo", None) or {}).get((kind, *map(id, objs), *values))
    return None if hit is None else hit[1]


def active() -> bool:
    """Is a :func:`one_call` running in this thread?"""
    return getattr(_call, "memo", None) is not None
