"""The gate's iris-scale checks: a photo whose mm scale was read with no iris visible (:func:`scale_messages`)
and two photos whose iris scales disagree against the alignment (:func:`iris_scale_ratio`,
:func:`iris_scale_rows`).  Moved unchanged from :mod:`facemetrics.compare.gate`, which re-exports the names
cited as ``gate.X``.
"""

from __future__ import annotations

import numpy as np

from ..analyze import PhotoAnalysis
from ..geometry import iris_plausibility
from ..rounding import fixed
from .table import METRICS, UNCERTAIN, verdict


#: the two photos' iris scales against the alignment (:func:`iris_scale_ratio` ``q``): the larger of ``q`` and
#: ``1 / q`` beyond this -> a warning (:data:`MSG_IRIS_SCALE`), and the mm rows whose verdict a scale error of
#: that size could change read ``uncertain`` (:func:`iris_scale_rows`).  Rule fixed before measuring:
#: 1.1 x the largest ``|ln q|`` of the tuning pairs (12 London neutral -> smiling, 24 Canada tuning photos ->
#: a resized, shifted, re-saved copy): 0.069 -> 0.076, ``exp`` 1.079 (docs/compare.md 'Iris scales')
MAX_IRIS_SCALE_RATIO = 1.079
#: how the message of a pair whose iris scales disagree begins (:func:`iris_scale_messages`)
MSG_IRIS_SCALE = "the two photos' iris scales disagree"


def irises_hidden(x: PhotoAnalysis) -> bool:
    """Was the photo's mm scale read from the irises with neither iris visible (eyes closed, covered,
    outside the picture: :func:`facemetrics.eyes.iris_visibility`)?  The analysis' own check, which
    flags the photo (``quality_flags``: "irises not visible ... the mm scale is unreliable"); a scale
    the user gave (``--mm-per-px``, ``--ipd-mm``) is not one."""
    eyes = x.extra.get("eyes") if x.extra else None
    return bool(x.calibration is not None and x.calibration.source == "iris" and eyes is not None
                and not eyes.any_visible)


def scale_messages(a: PhotoAnalysis, b: PhotoAnalysis) -> list[str]:
    """A message per photo whose mm scale was read with neither iris visible (:func:`irises_hidden`),
    naming the photo.  The analysis flagged it, but the comparison said nothing (status ``ok``).

    Only the before photo's scale enters the changes (the work grid is its frame; the alignment
    absorbs the after photo's scale, which only widens the floors of a coarse pair,
    :func:`facemetrics.compare.floors.pair_mm_per_px`): its error multiplies every mm change by one
    factor and never flips a change's sign; covering both irises of 32 real faces (12
    London, 20 Canada) moved their scale by a median 6 % and at most 24 %.  So the rows keep their
    verdicts and the message says how far they may be off; for the after photo it says the changes do
    not use its scale."""
    out = []
    what = ("irises not visible in the {} photo (eyes closed, covered or outside the picture): its mm scale is "
            "unreliable")
    if irises_hidden(a):
        out.append(what.format("before") + ", and every millimetre of this comparison is read in it (covering both "
                   "irises of 32 faces moved their scale by a median 6 %, at most 24 %): the mm changes may be "
                   "that much too large or too small, a change near its noise floor may read beyond it or within "
                   "it, though no change reads in the wrong direction; retake the before photo with open, "
                   "uncovered eyes (on the command line: --mm-per-px or --ipd-mm)")
    if irises_hidden(b):
        out.append(what.format("after") + "; the changes here are read in the before photo's millimetres (only "
                   "the check of a coarse photo's resolution uses this one's), but this photo's own mm values "
                   "(photos.csv, or as a before photo) do: use a photo with open, uncovered eyes")
    # the before photo's iris scale puts the pupils an implausible distance apart (the analysis' own
    # calibration warning, geometry.IPD_RANGE_MM); compare said nothing (review, 2026-12-03)
    check = a.extra.get("iris_check") if a.extra else None
    if (a.calibration is not None and a.calibration.source == "iris" and check is not None
            and not check.plausible and not irises_hidden(a)):
        # both irises erring alike (a circle lens, glare): the analysis' own warning (geometry.iris_plausibility)
        out.append(f"the before photo's mm scale is doubtful: its irises read implausibly "
                   f"{'large' if check.ratio > check.limits[1] else 'small'} for the face (iris width / eye width "
                   f"{fixed(check.ratio, 3)}, limits {fixed(check.limits[0], 3)}-{fixed(check.limits[1], 3)}), so every millimetre of "
                   f"this comparison may be {fixed(abs(check.scale_error_pct), 0)} % off (the changes keep their "
                   "direction): a dark-rimmed ('circle') contact lens or glare; on the command line give the scale "
                   "(--ipd-mm or --mm-per-px)")
    cal = a.calibration
    if cal is not None and cal.source == "iris" and cal.warning and not irises_hidden(a):
        out.append(f"the before photo's mm scale is doubtful: its {cal.warning.split(': calibration')[0]}, and "
                   "every millimetre of this comparison is read in that scale (the changes keep their direction); "
                   "on the command line give the scale (--ipd-mm or --mm-per-px)")
    return out


def iris_scale_ratio(a: PhotoAnalysis, b: PhotoAnalysis, scale: float) -> float:
    """``q = mm_after / (scale * mm_before)``: the after photo's iris scale over the before photo's carried
    by the alignment (``scale``: before px per after px, :attr:`~facemetrics.compare.table.Alignment.scale`,
    fitted on the rigid upper face, so a change of camera distance is in it).  1 when the two iris scales
    agree with the faces' own size; below 1 when the after photo's irises read larger than the before
    photo's, for the same face.  NaN unless both scales are read from the irises (a scale the user gave
    is not checked) or a value is missing.  Dimensionless.
    """
    ca, cb = a.calibration, b.calibration
    if ca is None or cb is None or ca.source != "iris" or cb.source != "iris" or not scale > 0:
        return float("nan")
    return float(cb.mm_per_px / (scale * ca.mm_per_px))


def iris_scale_disagrees(q: float) -> bool:
    """Is ``q`` (:func:`iris_scale_ratio`) beyond :data:`MAX_IRIS_SCALE_RATIO` either way?  A NaN is not."""
    return bool(np.isfinite(q) and max(q, 1.0 / q) > MAX_IRIS_SCALE_RATIO)


def iris_scale_messages(a: PhotoAnalysis, b: PhotoAnalysis, q: float) -> list[str]:
    """The warning of a pair whose iris scales disagree (:func:`iris_scale_disagrees` of ``q``,
    :func:`iris_scale_ratio`), with both figures, each photo's iris / eye width
    (:func:`facemetrics.geometry.iris_plausibility`) and the limit; empty otherwise.

    Each photo's own checks compare its two eyes, which a lens on both eyes, or glare over both, leaves in
    agreement; the pair compares each photo's irises with the same face's size in the other photo.  The
    pair cannot tell which photo is off: the changes are read in the before photo's scale, so when it is
    the before photo every mm change is off by that factor (never in sign)."""
    if not iris_scale_disagrees(q):
        return []
    larger = 100.0 * (1.0 / q - 1.0)  # how much larger the after photo's irises read, for the same face
    ra, rb = (iris_plausibility(x.points).ratio for x in (a, b))
    off = 100.0 * (max(q, 1.0 / q) - 1.0)
    return [f"{MSG_IRIS_SCALE}: for the same face size (the upper faces' alignment, which takes in any change of "
            f"camera distance) the after photo's irises read {fixed(larger, 0, True)} % {'larger' if larger > 0 else 'smaller'} "
            f"than the before photo's (limit ±{fixed(100 * (MAX_IRIS_SCALE_RATIO - 1), 0)} %; two photos of one face read "
            f"within ±7 %). One of the two iris scales is off: a dark-rimmed ('circle' or limbal-ring) contact lens, "
            f"or glare over the irises, in one photo (iris width / eye width: before {fixed(ra, 3)}, after {fixed(rb, 3)}; "
            f"faces without them read 0.414-0.496). The changes are read in the before photo's mm scale: if that is "
            f"the one off, every mm change is up to {fixed(off, 0)} % too large or too small (none changes direction), so "
            "the mm rows whose verdict that could change are shown without one ('uncertain'); give the before "
            "photo's scale (--mm-per-px or --ipd-mm) or retake the photos without lenses"]


def iris_scale_rows(changes, q: float) -> tuple[tuple[str, str], ...]:
    """The ``(metric, side)`` rows a scale error of ``q`` (:func:`iris_scale_ratio`) could give another
    verdict: the mm rows (mm² with ``q**2``) whose verdict against their floor differs when their change
    is multiplied by ``q`` or by ``1 / q``; empty when the scales agree (:func:`iris_scale_disagrees`).

    Parameters
    ----------
    changes : sequence of :class:`~facemetrics.compare.table.Change`
        The pair's rows (change and noise floor in the row's unit).
    q : float
    """
    if not iris_scale_disagrees(q):
        return ()
    kinds = {spec.metric: spec.kind for spec in METRICS}
    out = []
    for c in changes:
        power = {"mm": 1, "mm2": 2}.get(c.unit)
        if power is None or not c.verdict or c.verdict == UNCERTAIN or c.metric not in kinds:
            continue
        words = {verdict(kinds[c.metric], c.change * f ** power, c.noise_floor) for f in (q, 1.0 / q)}
        if words != {c.verdict}:
            out.append((c.metric, c.side))
    return tuple(out)
