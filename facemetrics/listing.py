"""The one rule of a list of names in a sentence: ``"a, b and c"`` (:func:`join_words`) and ``"a, b, c and 2
others"`` (:func:`join_few`, :data:`NAMED_FEW`).

A base module (it imports nothing from facemetrics, nor pandas), so that every layer that lists names for a user uses
the one rule: the statistics layer's ``reason`` sentences (:mod:`facemetrics.decay.wording` re-exports both),
report.md and the figures' legends, and ``batch``'s console (:mod:`facemetrics.batch.console`), which must not import
the decay package and pandas with it (tests/test_cli.py ``test_batch_command_never_imports_pandas``; it kept a
copy of :func:`join_few` until stop 60).  Pure string functions.
"""

from __future__ import annotations

__all__ = ["join_words", "join_few", "NAMED_FEW"]


def join_words(items) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``; ``["a"]`` -> ``"a"``; ``[]`` -> ``""``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


#: the most items :func:`join_few` names, past it "and N others": the odd before photos a §21b row's reason and
#: the timeline figure's legend name (docs/validation.md §21b), each a path of about 20-35 characters, so three keep
#: the list within the 200 characters report.md's lists quote of a message
#: (``batch.timeline.uncertain_notes``' ``max_chars``) and within 3-4 lines of the phone figure's 40-character
#: legend lines; each before photo to retake is listed whole elsewhere (report.md's ``## Before photos to retake``);
#: ``batch``'s line naming the comparisons the fits will keep with a warning names as many
NAMED_FEW = 3


def join_few(items, limit: int = NAMED_FEW) -> str:
    """:func:`join_words` of the first ``limit`` of ``items``, then "and N others": ``["a", "b", "c", "d", "e"]``
    -> ``"a, b, c and 2 others"``."""
    items = list(items)
    rest = len(items) - limit
    return join_words(items[:limit] + ([f"{rest} other{'s' * (rest > 1)}"] if rest > 0 else []))
