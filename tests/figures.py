"""A reader of the figures in a text a user sees, for the tests that check every figure carries a unit
and an uncertainty (``tests/test_units.py``, ``tests/test_app.py``).

:func:`bare_figures` lists the decimal numbers of a text that no unit follows; :func:`figures_without_uncertainty`
the sentences with a measured figure (a decimal with a unit of a change: mm, mm², index, pp, deg) and no
uncertainty beside it (a CI, a noise floor, a margin, a ±); :func:`values_without_uncertainty` the before → after
values that stand without their own ± ("depth 16.3 → 15.9 index": a value, not a change, so the change's floor
beside it is not its uncertainty).  Counts, ranks and whole numbers (``2 more
photos``, ``24 h``) are not read: only numbers with a decimal point are figures here.
"""

from __future__ import annotations

import re

#: the units a figure may carry, as the package writes them (longest first where one begins another)
UNITS = ("mm / week", "index / week", "mm²", "mm2", "mm/px", "mm", "index", "pp", "%", "deg", "°", "cm", "px", "h",
         "days", "day", "×", "x")  # x, ×: a factor ("1.25 x largest")

_NUM = r"[−+\-±]?\d+\.\d+"
#: a number, then (in its second group) the unit that follows it, after an interval's closing "]" too
_FIG = re.compile(rf"({_NUM})(?=(\]?\s*(?:{'|'.join(re.escape(u) for u in UNITS)})(?![A-Za-z]))?)")
#: an interval's first end, whose unit is given once after its second end: "−0.28 to 0.01 mm", "2.4-5.2 h",
#: "[1.68, 2.14] mm", "2.4–5.2 h"; or a value whose unit follows its uncertainty: "-0.01 ± 0.04 deg", "16.3 → 15.9 index"
_FIRST_END = re.compile(rf"{_NUM}(?=\s*(?:to|-|–|,|±|→)\s*{_NUM}\]?\s*(?:{'|'.join(re.escape(u) for u in UNITS)})(?![A-Za-z]))")

#: words that give a figure's uncertainty
UNCERTAINTY = ("CI", "floor", "margin", "±", "uncertain")

#: units of a measured change (a sentence with one of these needs an uncertainty)
CHANGE_UNITS = ("mm", "mm²", "mm2", "index", "pp")


def bare_figures(text: str) -> list[str]:
    """The decimal numbers of ``text`` that no unit follows (an interval's first end counts as given its
    unit when its second end has one: "90% CI −0.28 to 0.01 mm")."""
    firsts = {m.start() for m in _FIRST_END.finditer(text)}
    return [m.group(1) for m in _FIG.finditer(text) if m.group(2) is None and m.start() not in firsts]


def sentences(text: str) -> list[str]:
    """``text`` split into sentences (". " or a line break; decimals keep their point)."""
    return [s for s in re.split(r"(?<=[.:;])\s+(?=[A-Z(])|\n", text) if s.strip()]


def figures_without_uncertainty(text: str) -> list[str]:
    """The sentences of ``text`` with a decimal figure in a unit of a change (:data:`CHANGE_UNITS`) and none
    of :data:`UNCERTAINTY` words."""
    unit = "|".join(re.escape(u) for u in CHANGE_UNITS)
    has_fig = re.compile(rf"{_NUM}\s*(?:{unit})(?![A-Za-z])")
    return [s for s in sentences(text) if has_fig.search(s) and not any(w in s for w in UNCERTAINTY)]


_PM = re.compile(rf"({_NUM})\s*(?:{'|'.join(re.escape(u) for u in UNITS)})?\s*±\s*(\d+(?:\.\d+)?)")


def overprecise(text: str) -> list[str]:
    """The ``value ± uncertainty`` pairs of ``text`` whose value shows more decimals than its uncertainty
    ("1.3749 mm ± 0.4")."""
    def decimals(s: str) -> int:
        return len(s.split(".")[1]) if "." in s else 0

    return [m.group(0) for m in _PM.finditer(text) if decimals(m.group(1)) > decimals(m.group(2))]


#: a value and its optional ± (and unit) on either side of "→": "16.31 ± 0.59 index → 15.93 ± 0.59 index"
_ARROW = re.compile(rf"({_NUM})(\s*±\s*\d+(?:\.\d+)?)?\s*(?:{'|'.join(re.escape(u) for u in UNITS)})?(?![A-Za-z])"
                    rf"\s*→\s*({_NUM})(\s*±\s*\d+(?:\.\d+)?)?")


def values_without_uncertainty(text: str) -> list[str]:
    """The ``before → after`` pairs of decimal values in ``text`` of which either value has no ``± u`` of its
    own ("16.3 → 15.9 index"; "16.31 ± 0.59 index → 15.93 ± 0.59 index" passes)."""
    return [m.group(0) for m in _ARROW.finditer(text) if m.group(2) is None or m.group(4) is None]
