"""The jaw-contour designs of issue 10 that were tried and not shipped (not part of the package).

``refine_jaw_edge_design`` is :func:`facemetrics.jaw.refine_jaw_edge` with the keywords of
every design measured in docs/accuracy.md ("Jaw contour", third to eighth rounds), built
from the package's own steps (``_jaw_profiles``, ``_smooth_path``, ``_jaw_weight``,
``_smoothed_contour``).  With every keyword at its default it is the shipped design bit for
bit (``tests/test_jaw_designs.py``), so ``bench/accuracy.py`` reproduces each round's tables
with the package's code.  Keeping these here keeps the package's function to the design
it ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from facemetrics.filters import gaussian_filter1d  # noqa: E402
from facemetrics.geometry import Frame  # noqa: E402
from facemetrics.jaw import (  # noqa: E402
    JAW_EDGE_OFFSET_MM, JAW_FALLBACK_SMOOTH_MM, JAW_PRIOR_PER_MM, JAW_RESOLUTION_MM, JAW_RIVAL_GAP_MM,
    JAW_RIVAL_RATIO, JAW_SEARCH_MM, JAW_SLOPE_PENALTY, JAW_STEP_MM, _jaw_profiles, _jaw_weight, _smooth_path,
    _smoothed_contour,
)

#: chin valley evidence (issue 10, sixth round; NOT shipped): ``refine_jaw_edge_design`` keywords of the
#: tuning winner.  At the chin the hand-placed jaw points lie on the darkest line of the shadow under
#: the chin (a luminance valley, where the step evidence is near 0); with these a valley counts as
#: edge evidence (6 x 1 mm x max(0, L'') at the scale 1 mm, % of the bright skin per mm, weighted by a
#: raised cosine from 0 at the gonions to 1 at the chin).  It passed the tuning rule and the held-out
#: check (p90 3.04 -> 2.44 mm) but moves the contour onto the dark foot of a sharp step at the chin
#: (1.25 mm outside it), so it is not shipped (docs/accuracy.md "Jaw contour, sixth round")
JAW_VALLEY_TUNING_WINNER = {"valley_weight": 6.0, "valley_scale_mm": 1.0}


def fallback_offsets(uv_contour: np.ndarray, span: tuple[int, int],
                     fallback_mm: tuple[float, float] | None) -> np.ndarray:
    """Fallback offset outside the oval per contour point, mm, shape (K,).

    ``fallback_mm = (gonion, chin)``: a raised cosine over the arc length of the jaw
    chain, ``chin`` at its lowest point (largest ``v``), ``gonion`` at the span's ends and
    beyond them; ``None``: :data:`~facemetrics.jaw.JAW_EDGE_OFFSET_MM` everywhere.
    """
    k = len(uv_contour)
    if fallback_mm is None:
        return np.full(k, JAW_EDGE_OFFSET_MM)
    a, b = span
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(uv_contour, axis=0), axis=1))])
    c = a + int(np.argmax(uv_contour[a:b + 1, 1]))
    t = np.where(arc <= arc[c], (arc[c] - arc) / max(arc[c] - arc[a], 1e-6),
                 (arc - arc[c]) / max(arc[b] - arc[c], 1e-6))
    bump = 0.5 + 0.5 * np.cos(np.pi * np.clip(t, 0.0, 1.0))
    return fallback_mm[0] + (fallback_mm[1] - fallback_mm[0]) * bump


def _two_sided_depth(band: np.ndarray, reach_mm: float) -> np.ndarray:
    """How far each sample lies below the *lower* of the brightest samples within ``reach_mm``
    on its inner and on its outer side (profiles along axis 1, every ``JAW_RESOLUTION_MM``;
    ends padded with their edge value).  0 on a monotone profile, the valley's depth at its
    bottom.  Same units as ``band``; shape of ``band``."""
    n = max(int(round(reach_mm / JAW_RESOLUTION_MM)), 1)
    # running maxima (grey dilation, ends replicated) over the n + 1 samples ending (inner) or
    # starting (outer) at each sample: OpenCV's dilate, anchored at the window's last / first sample
    kernel = np.ones((1, n + 1), np.uint8)
    inner = cv2.dilate(band, kernel, anchor=(n, 0), borderType=cv2.BORDER_REPLICATE)
    outer = cv2.dilate(band, kernel, anchor=(0, 0), borderType=cv2.BORDER_REPLICATE)
    return np.minimum(inner, outer) - band


def _valley_fallback(band: np.ndarray, ref: np.ndarray, score_prior: np.ndarray, offsets: np.ndarray,
                     valley_fallback: tuple[float, float, float], extent: np.ndarray | None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Eighth round's fallback target (``valley_fallback=``): the path of a two-sided valley and
    how much it is to be trusted.

    Parameters
    ----------
    band : ndarray, shape (R, N)
        Luminance profiles along the normals (rows = the jaw chain), every ``JAW_RESOLUTION_MM``.
    ref : ndarray, shape (R, 1)
        Each profile's bright-skin level (grey).
    score_prior : ndarray, shape (R, N)
        What the step path's score subtracts from its evidence (the anatomical prior, and
        ``1e9`` beyond a row's search window).
    offsets : ndarray, shape (N,)
        The profiles' offsets outside the oval, mm.
    valley_fallback : (float, float, float)
        ``(reach_mm, weak, strong)``: the valley's reach (mm) and the strength ramp (%/mm).
    extent : ndarray, shape (R,) or None
        Weight of the valley per row (the raised cosine, 0 at the gonions, 1 at the chin);
        None = 1 everywhere.

    Returns
    -------
    valley_mm : ndarray, shape (R,)
        The valley path's offsets outside the oval, mm.
    weight : ndarray, shape (R,)
        The valley's weight in [0, 1].
    """
    reach, weak, strong = valley_fallback
    if not (reach > 0 and strong > weak):
        raise ValueError(f"valley_fallback=(reach_mm, weak, strong) needs reach_mm > 0 and strong > weak, "
                         f"got {valley_fallback!r}")
    valley = _two_sided_depth(band, reach) / ref * 100.0 / reach  # % of the bright skin per mm
    col = _smooth_path(valley - score_prior, JAW_SLOPE_PENALTY)
    strength = gaussian_filter1d(valley[np.arange(len(col)), col], JAW_FALLBACK_SMOOTH_MM / JAW_STEP_MM)
    weight = np.clip((strength - weak) / (strong - weak), 0.0, 1.0)
    return offsets[col], weight if extent is None else weight * extent


def refine_jaw_edge_design(image: np.ndarray, uv_contour: np.ndarray, centre: np.ndarray, frame: Frame,
                           span: tuple[int, int], *, prior_inward_per_mm: float | None = None,
                           rival_gap_mm: float | None = JAW_RIVAL_GAP_MM,
                           rival_ratio: tuple[float, float] = JAW_RIVAL_RATIO,
                           fallback_mm: tuple[float, float] | None = None,
                           search_outer_mm: tuple[float, float] | None = None,
                           valley_weight: float | None = None, valley_scale_mm: float = 1.0,
                           valley_everywhere: bool = False,
                           valley_reach_mm: float | None = None,
                           valley_fallback: tuple[float, float, float] | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`facemetrics.jaw.refine_jaw_edge` with the not-shipped designs of issue 10 (all off by default).

    Parameters and returns as :func:`~facemetrics.jaw.refine_jaw_edge` (``rival_gap_mm``,
    ``rival_ratio`` are the shipped design's), plus:

    prior_inward_per_mm : float, optional
        The anatomical prior's penalty per mm *inside* the oval + ``JAW_EDGE_OFFSET_MM``
        (outside it stays ``JAW_PRIOR_PER_MM``); ``None`` = symmetric (docs/accuracy.md,
        "Jaw contour").
    fallback_mm : (float, float) or None
        ``(gonion, chin)`` offsets (mm) of the fallback and of the prior's centre
        (:func:`fallback_offsets`); None = the flat ``JAW_EDGE_OFFSET_MM``.  The chin-weighted
        profile chosen on the tuning faces, (1.0, 2.5), lost on the held-out faces (fifth round).
    search_outer_mm : (float, float) or None
        Sixth round: the search window's outer end (mm outside the oval) as a ``(gonion, chin)``
        raised cosine; beyond a row's end the evidence is 0 and the path cannot go.
    valley_weight : float or None
        Sixth round's chin valley evidence (:data:`JAW_VALLEY_TUNING_WINNER`): a dark *valley*
        also counts as edge evidence, ``valley_weight * valley_scale_mm * max(0, L'')`` (the
        luminance's second derivative across the contour at scale ``valley_scale_mm``, in % of
        the bright skin per mm) where it exceeds the step evidence, weighted by a raised cosine
        from 0 at the gonions to 1 at the chin (everywhere with ``valley_everywhere``).
        ``max(0, L'')`` also responds on the dark side of a plain step, so a sharp chin step is
        found about 1 mm (the scale) outside its true place.
    valley_scale_mm : float
        Scale of the valley's second derivative, mm.
    valley_everywhere : bool
        The valley evidence (or the valley fallback) at full weight along the whole chain.
    valley_reach_mm : float or None
        Seventh round: with ``valley_weight``, a *two-sided* valley replaces ``max(0, L'')``:
        :func:`_two_sided_depth` with reach ``valley_reach_mm``, in % of the bright skin,
        divided by the reach (%/mm) and multiplied by ``valley_weight``.  A plain step gives
        about 0.
    valley_fallback : (float, float, float) or None
        Eighth round: ``(reach_mm, weak, strong)``.  The step path, its weight ``w_s`` and the
        rival logic are kept; only where ``w_s < 1`` a two-sided valley (:func:`_valley_fallback`)
        replaces the oval + offset as the fallback target: offset = base + ``w_s`` (step - base)
        + (1 - ``w_s``) ``w_v`` (valley - base), and the weight returned is
        ``w_s + (1 - w_s) w_v``.  Not with ``valley_weight``.
    """
    if valley_fallback is not None and valley_weight is not None:
        raise ValueError("refine_jaw_edge_design: valley_fallback and valley_weight are alternative designs; "
                         "give one")
    outer = JAW_SEARCH_MM[1] if search_outer_mm is None else max(search_outer_mm)
    normal, offsets, band, ref, evidence = _jaw_profiles(image, uv_contour, centre, frame, span, outer)
    a, b = span
    if valley_weight is not None and valley_reach_mm is not None:
        valley = valley_weight * _two_sided_depth(band, valley_reach_mm) / ref * 100.0 / valley_reach_mm  # % per mm
    elif valley_weight is not None:
        curv = gaussian_filter1d(band, valley_scale_mm / JAW_RESOLUTION_MM, axis=1, order=2) / JAW_RESOLUTION_MM ** 2
        valley = valley_weight * valley_scale_mm * np.maximum(curv, 0.0) / ref * 100.0  # % per mm
    if valley_weight is not None:
        if not valley_everywhere:
            valley *= fallback_offsets(uv_contour, span, (0.0, 1.0))[a:b + 1, None]
        evidence = np.maximum(evidence, valley)
    base = fallback_offsets(uv_contour, span, fallback_mm)
    dev = offsets[None, :] - base[a:b + 1, None]
    prior = JAW_PRIOR_PER_MM * np.abs(dev)
    if prior_inward_per_mm is not None:
        prior = np.where(dev < 0, -prior_inward_per_mm * dev, prior)
    score = evidence - prior
    if search_outer_mm is not None:
        beyond = offsets[None, :] > fallback_offsets(uv_contour, span, search_outer_mm)[a:b + 1, None] + 1e-9
        evidence = np.where(beyond, 0.0, evidence)
        score = np.where(beyond, -1e9, score)
    col = _smooth_path(score, JAW_SLOPE_PENALTY)
    weight = np.zeros(len(uv_contour))
    weight[a:b + 1] = _jaw_weight(evidence, col, offsets, rival_gap_mm, rival_ratio)
    offset = base.copy()
    offset[a:b + 1] += weight[a:b + 1] * (offsets[col] - base[a:b + 1])
    if valley_fallback is not None:
        extent = None if valley_everywhere else fallback_offsets(uv_contour, span, (0.0, 1.0))[a:b + 1]
        v_prior = prior if search_outer_mm is None else np.where(beyond, 1e9, prior)
        v_mm, w_v = _valley_fallback(band, ref, v_prior, offsets, valley_fallback, extent)
        offset[a:b + 1] += (1.0 - weight[a:b + 1]) * w_v * (v_mm - base[a:b + 1])
        weight[a:b + 1] += (1.0 - weight[a:b + 1]) * w_v
    return _smoothed_contour(uv_contour, normal, offset), weight
