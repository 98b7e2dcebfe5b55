"""Is part of the lower face covered (or otherwise changed as no face changes) in one photo of a pair?

A hand, a scarf, a collar or a block over the chin or a jaw corner in one photo leaves Face Mesh to guess
the jaw under it, and the comparison read that guess as a change: a block from 5 mm above the chin of
Canada 003 read a jawline 'lift' of +4.0 mm, a skin-coloured ellipse over one jaw corner a jaw-width
'decrease' of 5.7 mm, all with status ``ok`` (audit F1, 2026-12-04).  No face change makes one photo's
lower face look different from the other's once the two are registered and their tones matched; a cover
does.

The rule (chosen on the tuning split, ``bench/bench_occlusion.py``; docs/compare.md 'A covered chin or jaw'):

1. the before grid image and the registered after image (the after grid image resampled onto the before
   grid's pixels by the registration's flow, :attr:`facemetrics.compare.measure._Pair.warped_after`: no
   second registration) are averaged over cells of :data:`OCCLUSION_CELL_MM`;
2. the after cells' tones are matched to the before's by a quadratic curve per channel fitted over the face
   above the nose base (:func:`facemetrics.compare.copies._tone_matched_difference`: exposure, gamma and
   white balance drop out; no lower-face cover reaches the fit), first on the cells whose raw grey
   difference lies within :data:`OCCLUSION_TONE_MAD` robust SDs of its median, then
   :data:`OCCLUSION_TONE_PASSES` times on the :data:`OCCLUSION_TONE_KEEP` of them it matched best (covered
   eyes or glasses must not bend it), and the grey difference is taken; and the colour difference: the
   distance between the before cells' and the tone-matched after cells' CIELAB (a*, b*)
   (:func:`chroma_difference`, lightness left out: a cover of the skin's grey but another colour);
3. their absolute values are averaged over patches of :data:`OCCLUSION_PATCH_MM` (:func:`difference_map`), read
   over the lower face (the mesh below the nose base, and a band of :data:`OCCLUSION_NECK_BAND_MM` outside
   the jaw contour, where a cover under the chin shows), the lips and a margin of
   :data:`OCCLUSION_MOUTH_MARGIN_MM` left out (a smile changes them);
4. every connected set of cells above :data:`OCCLUSION_MIN_DIFFERENCE` grey levels or above
   :data:`OCCLUSION_MIN_CHROMA` a*b* units of colour difference larger than
   :data:`OCCLUSION_MIN_AREA_MM2` is a covered area (:func:`covered_areas`), named by the lower face's
   landmarks within :data:`OCCLUSION_REACH_MM` of it (the chin, a jaw corner, a jowl, a cheek);
5. the rows it reaches read ``uncertain``: every jaw row (:data:`JAW_ROWS`) when it reaches a landmark of
   the jaw contour (Face Mesh fits the whole jaw to its guess), a side's mouth-corner, cheek, jawline or
   jowl rows when it reaches that side's landmark or region, a side's fold rows when it reaches its fold
   band; one message per area (:func:`covered_messages`, beginning with :data:`MSG_COVERED`).

The comparison looks for covered areas only where its gate reads the lower face
(:func:`facemetrics.compare.gate.lower_face_unread_reasons` empty, not refused): elsewhere every row they
could reach is ``uncertain`` already, and the registered after image is not the same skin (the debruine
pose selfies, rough matches of 0.9-1.7 mm, read changed areas up to 857 mm², a 60 -> 15 cm camera change
589 mm², a London smile whose lips changed shape 215 mm²).  Which photo is covered is not told: the
difference is symmetric.  A cover close to what it hides in both grey and colour is missed (a near-black
block on a dark-skinned face, a skin-coloured square on skin); docs/compare.md gives what the colour
evidence (2026-12-04) caught that the grey difference alone did not.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..filters import channel_mean, dilate_disc
from ..geometry import (
    CHEEK_LEFT, CHEEK_RIGHT, CHIN, GONION_LEFT, GONION_RIGHT, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT,
    MOUTH_LEFT, MOUTH_RIGHT, OUTER_LIPS, SUBNASALE, resample_polyline,
)
from ..rounding import fixed, fixed_uncertainty
from .copies import _tone_matched_difference
from .regions import _RL, _fill, _strip

#: cell of the difference map, mm (the work grid averaged over cells this wide)
OCCLUSION_CELL_MM = 1.0
#: side of the square patch over which the cells' |difference| is averaged, mm
OCCLUSION_PATCH_MM = 3.0
#: band outside the jaw contour (the jaw-to-neck edge) that the check reads too, mm
OCCLUSION_NECK_BAND_MM = 14.0
#: margin around the lips left out of the check (a smile changes them), mm
OCCLUSION_MOUTH_MARGIN_MM = 3.0
#: patch difference above which a cell counts as changed, 8-bit grey levels
OCCLUSION_MIN_DIFFERENCE = 30.0
#: the tone curve's refits (:func:`difference_map`), each on this fraction of the fit's cells, those it
#: matched best
OCCLUSION_TONE_PASSES = 2
OCCLUSION_TONE_KEEP = 0.75
#: the tone curve's first fit takes the cells whose raw grey difference lies within this many robust SDs
#: (1.4826 MAD) of its median: a cover of the upper face (both eyes) is a fifth of its cells, SD
OCCLUSION_TONE_MAD = 3.0
#: connected changed area above which the lower face is called covered, mm2
OCCLUSION_MIN_AREA_MM2 = 100.0
#: the 95 % uncertainty of a covered area (:func:`area_uncertainty_mm2`, the message's ``±``), log units: the 95th
#: percentile of |log(largest area / the same pair's)| with the covered photo re-saved, turned or rescaled (the 8
#: light-free nuisances of ``simulate.NUISANCES``), 0.0517 on 22 covered tuning pairs (176), rounded up; held out 165
#: of 176 within it (93.8 %; ``bench/occlusion_pair_area_uncertainty.py``, the rule in its docstring written before
#: the runs; docs/robustness.md "The cover warning's area ...", stop 62)
OCCLUSION_AREA_REPEAT_LOG = 0.052
#: patch colour difference above which a cell counts as changed too (whatever its grey difference), CIELAB
#: a*b* units (Delta C: the distance between the tone-matched cells' (a*, b*), lightness left out)
OCCLUSION_MIN_CHROMA = 30.0


@dataclass(frozen=True, eq=False)
class DifferenceMap:
    """The tone-matched patch difference of the lower face (:func:`difference_map`).

    Attributes
    ----------
    patch : ndarray, shape (rows, cols), float32
        Mean |tone-matched grey difference| over a patch of :data:`OCCLUSION_PATCH_MM`, 8-bit levels,
        one cell per :data:`OCCLUSION_CELL_MM`.
    roi : ndarray, shape (rows, cols), bool
        The cells read: the lower face and the jaw-to-neck band, lips left out.
    cell_mm : float
        Size of a cell, mm.
    to_cells : ndarray, shape (2, 3)
        Work grid ``(col, row)`` -> cell ``(col, row)``.
    chroma : ndarray, shape (rows, cols), float32, or None
        Mean tone-matched colour difference over the same patches, CIELAB a*b* units
        (:func:`chroma_difference`); None when not asked for.
    """

    patch: np.ndarray
    roi: np.ndarray
    cell_mm: float
    to_cells: np.ndarray
    chroma: np.ndarray | None = None

    def changed(self, min_difference: float, min_chroma: float | None) -> np.ndarray:
        """Cells of the ROI whose grey patch difference exceeds ``min_difference`` (8-bit levels) or whose
        colour difference exceeds ``min_chroma`` (CIELAB a*b* units; None or no colour map: grey alone),
        shape (rows, cols), bool."""
        m = self.patch > min_difference
        if min_chroma is not None and self.chroma is not None:
            m |= self.chroma > min_chroma
        return m & self.roi


def _cells(image: np.ndarray, k: int) -> np.ndarray:
    """``image`` averaged over ``k`` x ``k`` blocks of the work grid (float32)."""
    h, w = image.shape[:2]
    return cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA).astype(np.float32)


def lower_face_roi(uv: np.ndarray, grid) -> np.ndarray:
    """The lower face on the work grid: the mesh's hull below the subnasale, the band
    :data:`OCCLUSION_NECK_BAND_MM` outside the jaw contour (gonion to gonion), lips and a margin out.

    Parameters
    ----------
    uv : ndarray, shape (478, 2)
        The before landmarks, ``(u, v)`` mm in its levelled frame.
    grid : Grid
        The work grid.

    Returns
    -------
    ndarray, shape grid.shape, bool
    """
    shape, res_mm, g = grid.shape, grid.res_mm, grid.from_uv(uv)
    hull = _fill(shape, cv2.convexHull(g[:468].astype(np.float32))[:, 0])
    rows = np.arange(shape[0])[:, None] * np.ones((1, shape[1]))
    below = rows >= g[SUBNASALE, 1]
    roi = hull & below
    chain = list(JAW_CHAIN_RIGHT) + list(JAW_CHAIN_LEFT[1:])
    poly = resample_polyline(uv[chain], 0.5, "at_most")
    band = _strip(poly, uv[SUBNASALE], -OCCLUSION_NECK_BAND_MM, 0.0)
    roi |= _fill(shape, grid.from_uv(band))
    lips = np.zeros(shape, np.uint8)
    cv2.fillPoly(lips, [np.round(g[list(OUTER_LIPS)] * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
    r = max(1, int(round(OCCLUSION_MOUTH_MARGIN_MM / res_mm)))
    lips = dilate_disc(lips, r)
    return roi & ~lips.astype(bool)


def tone_curves(a: np.ndarray, b: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``b`` with each channel mapped by the quadratic tone curve fitted (least squares) to ``a`` over
    ``keep``: the curves :func:`facemetrics.compare.copies._tone_matched_difference` fits.

    Parameters
    ----------
    a, b : ndarray, shape (rows, cols, 3), float32
        RGB images (8-bit levels) on the same pixels.
    keep : ndarray, shape (rows, cols), bool
        The pixels the curves are fitted on.

    Returns
    -------
    ndarray, shape (rows, cols, 3), float32
        ``b`` tone-matched to ``a`` (8-bit levels, not clipped).
    """
    out = np.empty(b.shape, np.float32)
    for k in range(3):
        u, v = b[..., k], a[..., k]
        design = np.stack([u[keep] ** 2 / 255.0, u[keep], np.ones(int(keep.sum()), np.float32)], 1)
        coef = np.linalg.lstsq(design.astype(np.float64), v[keep].astype(np.float64), rcond=None)[0]
        out[..., k] = coef[0] * u ** 2 / 255.0 + coef[1] * u + coef[2]
    return out


def chroma_difference(a: np.ndarray, b: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Colour difference of ``b`` against ``a`` once ``b``'s tones are matched to ``a``'s over ``keep``
    (:func:`tone_curves`; a global colour cast, exposure and gamma drop out): the distance between the two
    images' CIELAB (a*, b*) at each pixel, lightness left out (the grey difference reads it).

    Parameters
    ----------
    a, b : ndarray, shape (rows, cols, 3), float32
        sRGB images (8-bit levels) on the same pixels.
    keep : ndarray, shape (rows, cols), bool
        The pixels the tone curves are fitted on (no cover reaches them).

    Returns
    -------
    ndarray, shape (rows, cols), float32
        Delta C, CIELAB a*b* units (D65; OpenCV's float conversion, within 0.3 units of scikit-image's
        ``rgb2lab`` and a tenth of its time).
    """
    la = cv2.cvtColor(np.clip(a / 255.0, 0, 1).astype(np.float32), cv2.COLOR_RGB2Lab)
    lb = cv2.cvtColor(np.clip(tone_curves(a, b, keep) / 255.0, 0, 1).astype(np.float32), cv2.COLOR_RGB2Lab)
    return np.hypot(la[..., 1] - lb[..., 1], la[..., 2] - lb[..., 2]).astype(np.float32)


def _before_cells(before_grid: np.ndarray, uv: np.ndarray, grid) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`difference_map` reads of the before photo alone: the cell size ``k`` (grid px), the before grid
    image in cells, the cells the tone curve is fitted on (the face above the nose: no occluder reaches it) and the
    lower face's cells (:func:`lower_face_roi`); the arrays read-only."""
    res_mm, g = grid.res_mm, grid.from_uv(uv)
    k = max(1, int(round(OCCLUSION_CELL_MM / res_mm)))
    shape = before_grid.shape[:2]
    roi = lower_face_roi(uv, grid)
    hull = _fill(shape, cv2.convexHull(g[:468].astype(np.float32))[:, 0])
    rows = np.arange(shape[0])[:, None] * np.ones((1, shape[1]))
    fit = hull & (rows < g[SUBNASALE, 1])
    a = _cells(before_grid, k)
    fit_c = _cells(fit.astype(np.uint8) * 255, k) > 127
    roi_c = _cells(roi.astype(np.uint8) * 255, k) > 127
    for arr in (a, fit_c, roi_c):
        arr.flags.writeable = False
    return k, a, fit_c, roi_c


def difference_map(before_grid: np.ndarray, warped_after: np.ndarray, uv: np.ndarray, grid, *,
                   colour: bool = True) -> DifferenceMap:
    """The tone-matched patch difference of the registered after image against the before image.

    Parameters
    ----------
    before_grid, warped_after : ndarray, shape (rows, cols, 3), uint8
        The before grid image and the after grid image registered onto it (work grid pixels).
    uv : ndarray, shape (478, 2)
        The before landmarks, ``(u, v)`` mm in its levelled frame.
    grid : Grid
        The work grid.
    colour : bool
        Also the colour difference (:attr:`DifferenceMap.chroma`, :func:`chroma_difference`, on the tone
        curves' last fitting cells).

    Returns
    -------
    DifferenceMap
    """
    from .measure import BEFORE_CACHE_SIZE, _kept

    res_mm = grid.res_mm
    # the before photo's part, kept for the before state's read-only arrays (one before photo compared with several
    # after photos: compare.measure._before_state); writeable ones could change under the same objects
    kept = not (before_grid.flags.writeable or uv.flags.writeable)
    k, a, fit_c, roi_c = _kept("occlusion_before", BEFORE_CACHE_SIZE if kept else 0, (before_grid, uv, grid),
                               lambda: _before_cells(before_grid, uv, grid))
    b = _cells(warped_after, k)
    raw = channel_mean(a) - channel_mean(b)  # a.mean(2) - b.mean(2), the same bits (filters.channel_mean)
    med = np.median(raw[fit_c])
    sd = 1.4826 * np.median(np.abs(raw[fit_c] - med))
    first = fit_c & (np.abs(raw - med) <= OCCLUSION_TONE_MAD * max(sd, 1.0))
    d, _ = _tone_matched_difference(a, b, first if first.sum() >= fit_c.sum() // 4 else fit_c)
    # fitted again on the cells the curve matches best (covered eyes, glasses, hair over the brow must not
    # tilt the curve the lower face is read with: eyes hidden by dark ellipses read the whole lower face
    # 32 levels off)
    keep = fit_c
    for _ in range(OCCLUSION_TONE_PASSES):
        r = np.abs(d)
        d, keep = _tone_matched_difference(a, b, fit_c & (r <= np.quantile(r[fit_c], OCCLUSION_TONE_KEEP)))
    n = max(1, int(round(OCCLUSION_PATCH_MM / (k * res_mm))))
    patch = cv2.blur(np.abs(d), (n, n))
    chroma = cv2.blur(chroma_difference(a, b, keep), (n, n)) if colour else None
    to_cells = np.array([[1.0 / k, 0, 0], [0, 1.0 / k, 0]])
    return DifferenceMap(patch, roi_c, k * res_mm, to_cells, chroma)


def largest_area_mm2(dm: DifferenceMap, threshold: float,
                     min_chroma: float | None = None) -> tuple[float, np.ndarray]:
    """Area of the largest connected set of ROI cells above ``threshold`` (grey levels) or above
    ``min_chroma`` (CIELAB a*b* units; None: grey alone), mm2, and its mask."""
    m = dm.changed(threshold, min_chroma).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return 0.0, np.zeros_like(m, bool)
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return float(stats[i, cv2.CC_STAT_AREA] * dm.cell_mm ** 2), lab == i


#: how far around a changed area the rows it reaches are looked for (landmarks, region masks), mm
OCCLUSION_REACH_MM = 3.0

#: the per-photo rows read from the jaw contour (every landmark of the jaw chains): all of them, both sides,
#: when a changed area reaches the contour (Face Mesh fits the whole jaw to what it guesses under a cover)
JAW_ROWS = (*((m, s) for m in ("jawline_height_mm",) for s in ("right", "left", "mean")),
            ("jaw_width_mm", "mean"), ("jaw_width_flow_mm", "mean"), ("lower_face_area_mm2", "mean"),
            *((m, s) for m in ("jowl_sag_mm", "jaw_angle_deg") for s in _RL),
            *((f"{r}_lift{k}", s) for r in ("jawline", "jowl") for k in ("_mm", "_landmarks_mm")
              for s in ("right", "left", "mean")))


@dataclass(frozen=True)
class CoveredArea:
    """One connected area of the lower face that differs between the photos as no face change does.

    Attributes
    ----------
    name : str
        Where it lies, in words ("the chin", "the subject's right jaw corner and right jowl", ...).
    area_mm2 : float
        Its size, mm² (cells above :data:`OCCLUSION_MIN_DIFFERENCE` or :data:`OCCLUSION_MIN_CHROMA`).
    rows : tuple of (str, str)
        The ``(metric, side)`` rows whose landmarks or pixels it reaches (:data:`OCCLUSION_REACH_MM`).
    """

    name: str
    area_mm2: float
    rows: tuple


@dataclass(frozen=True)
class Covered:
    """What :func:`covered_areas` found: the areas (largest first) and every row they reach."""

    areas: tuple = ()

    @property
    def rows(self) -> frozenset:
        """Every ``(metric, side)`` row the areas reach."""
        return frozenset(r for x in self.areas for r in x.rows)


def _anchors(uv: np.ndarray) -> dict[str, int]:
    """Named landmarks of the lower face (the names of :class:`CoveredArea`)."""
    out = {"the chin": CHIN, "the subject's right jaw corner": GONION_RIGHT,
           "the subject's left jaw corner": GONION_LEFT}
    for side, chain, mc in (("right", JAW_CHAIN_RIGHT, MOUTH_RIGHT), ("left", JAW_CHAIN_LEFT, MOUTH_LEFT)):
        chain = list(chain)
        out[f"the subject's {side} jowl"] = chain[int(np.argmin(np.abs(uv[chain, 0] - uv[mc, 0])))]
    out["the subject's right cheek"], out["the subject's left cheek"] = 205, 425  # below the malar point
    return out


def _rows_reached(reach: np.ndarray, at, masks: dict, fold_bands, to_cells) -> list:
    """The ``(metric, side)`` rows whose landmarks (``at(i)``: landmark ``i`` in cells, int (col, row)) or
    region / fold-band pixels lie in ``reach`` (cells, bool)."""
    hit = lambda idx: any(reach[r, c] for c, r in (at(i) for i in idx))  # noqa: E731
    rows = list(JAW_ROWS) if hit(list(JAW_CHAIN_RIGHT) + list(JAW_CHAIN_LEFT)) else []
    for side, mc, ck in (("right", MOUTH_RIGHT, CHEEK_RIGHT), ("left", MOUTH_LEFT, CHEEK_LEFT)):
        for region, idx, height in (("mouth_corner", mc, "mouth_corner_height_mm"), ("cheek", ck, "cheek_height_mm")):
            if hit([idx]) or (to_cells(masks[(region, side)]) & reach).any():
                rows += [(f"{region}_lift{k}", s) for k in ("_mm", "_landmarks_mm") for s in (side, "mean")]
                rows.append((height, side))
        for region in ("jawline", "jowl"):  # a side's band reached off the contour (inside the face)
            if (to_cells(masks[(region, side)]) & reach).any():
                rows += [(f"{region}_lift{k}", s) for k in ("_mm", "_landmarks_mm") for s in (side, "mean")]
    for side, band in zip(_RL, fold_bands):
        if (band & reach).any():
            rows += [(m, side) for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")]
    return list(dict.fromkeys(rows))


def covered_areas(before, pair, *, min_difference: float = OCCLUSION_MIN_DIFFERENCE,
                  min_area_mm2: float = OCCLUSION_MIN_AREA_MM2,
                  min_chroma: float | None = OCCLUSION_MIN_CHROMA) -> Covered:
    """The areas of the lower face that look covered or changed in one photo of a compared pair.

    Parameters
    ----------
    before : PhotoAnalysis
        The pair's before photo.
    pair : compare.measure._Pair
        The pair as measured (its before grid image and registered after image,
        :attr:`~facemetrics.compare.measure._Pair.warped_after`).
    min_difference : float
        Patch difference (8-bit grey levels) above which a cell counts as changed.
    min_area_mm2 : float
        Connected changed area (mm²) above which it is reported.
    min_chroma : float or None
        Patch colour difference (CIELAB a*b* units) above which a cell counts as changed too; None: the grey
        difference alone (the rule before 2026-12-04's colour evidence; no colour map is computed).

    Returns
    -------
    Covered
        Empty when nothing is found or the pair carries no registered after image.
    """
    if pair.warped_after is None:
        return Covered()
    from .measure import _before_state  # the before photo's part of the pair, kept by measure

    st = _before_state(before)
    dm = difference_map(pair.before_grid, pair.warped_after, st.uv_a, st.grid, colour=min_chroma is not None)
    m = dm.changed(min_difference, min_chroma).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    k = int(round(1.0 / dm.to_cells[0, 0]))
    shape = dm.patch.shape

    def to_cells(mask):
        return cv2.resize(mask.astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_AREA) > 0 \
            if mask.shape != shape else mask

    g = st.grid.from_uv(st.uv_a)
    cells = np.clip(np.round((g - (k - 1) / 2.0) / k).astype(int), 0, [shape[1] - 1, shape[0] - 1])
    at = lambda i: cells[i]  # noqa: E731
    bands = [to_cells(_fill(st.grid.shape[:2], region)) for _, region in st.fold_lines]
    r = max(1, int(round(OCCLUSION_REACH_MM / dm.cell_mm)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    anchors = _anchors(st.uv_a)
    out = []
    for i in range(1, n):
        area = float(stats[i, cv2.CC_STAT_AREA] * dm.cell_mm ** 2)
        if area <= min_area_mm2:
            continue
        reach = cv2.dilate((lab == i).astype(np.uint8), disc).astype(bool)
        names = [w for w, j in anchors.items() if reach[cells[j, 1], cells[j, 0]]]
        if not names:
            cy, cx = np.argwhere(lab == i).mean(0)
            names = [min(anchors, key=lambda w: np.hypot(*(cells[anchors[w]] - (cx, cy))))]
        name = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        out.append(CoveredArea(name, area, tuple(_rows_reached(reach, at, st.masks, bands, to_cells))))
    return Covered(tuple(sorted(out, key=lambda x: -x.area_mm2)))


#: how the message on a pair with a covered lower face begins (:func:`covered_messages`)
MSG_COVERED = "the lower face looks covered or changed in one photo"

#: the rows' names in the message, by the first part of their metric name
_ROW_WORDS = (("jaw", ("jawline", "jaw_", "lower_face", "jowl")), ("mouth-corner", ("mouth_corner",)),
              ("cheek", ("cheek",)), ("fold", ("nlf_",)))


#: said in :func:`covered_messages` when the light-direction check fired on the same pair: a side light changes the
#: jaw's shading too (Round 18 of docs/validation.md section 12: London 107 against its copy relit from 40 deg and
#: lifted 1 mm read "about 10 cm² there differs ... as a hand, a scarf, a collar or hair over the jaw would"), so
#: the cover is then one of two causes, and the remedy names both
MSG_COVERED_OR_LIGHT = ("The light also comes from another side in the two photos (its own message says by how much), "
                        "and a light from one side changes the jaw's shading as well")


def area_uncertainty_mm2(area_mm2: float) -> float:
    """The 95 % uncertainty of a covered area ``area_mm2`` (mm², a scalar; :attr:`CoveredArea.area_mm2`), mm²: the
    upper half of ``area exp(+-OCCLUSION_AREA_REPEAT_LOG)``, ``area (exp(F) - 1)``: what re-saving, turning or
    rescaling the covered photo moves it.  Not the area's bias against the cover's true size."""
    return float(area_mm2 * np.expm1(OCCLUSION_AREA_REPEAT_LOG))


def covered_messages(found: Covered, side_light: bool = False) -> list[str]:
    """One message per area of ``found`` (:func:`covered_areas`), beginning with :data:`MSG_COVERED`,
    naming where it lies and the rows it takes the verdict from.  ``side_light``: the light-direction check fired
    on the pair too (:func:`facemetrics.compare.light.light_moved`): the message says the light may be the cause
    (:data:`MSG_COVERED_OR_LIGHT`) and the remedy asks for the same light."""
    out = []
    for x in found.areas:
        words = [w for w, starts in _ROW_WORDS if any(m.startswith(starts) for m, _ in x.rows)]
        what = (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) if words else ""
        rows = (f": the {what} rows are not read (shown without a verdict, 'uncertain')" if what else
                ": no row is read from there")
        # the area with its 95 % uncertainty ("about 12 cm²" had none: stop 62, h12)
        area = (f"{fixed(x.area_mm2 / 100, 0)} ± {fixed_uncertainty(area_uncertainty_mm2(x.area_mm2) / 100, 0)} "
                "cm²")
        out.append(f"{MSG_COVERED} near {x.name}{rows}. After alignment and tone matching {area} "
                   "there differs from the other photo as a hand, a scarf, a collar or "
                   "hair over the jaw would, and as no change of the face did in the pairs measured (lifts of 1-3 mm, "
                   "light, JPEG and scale changes, video frames, smiles that kept the lips' shape); Face Mesh "
                   "guesses the jaw under a cover. "
                   + (f"{MSG_COVERED_OR_LIGHT}. Retake the photos facing the same light, with the chin and jaw "
                      "uncovered" if side_light else "Retake the photos with the chin and jaw uncovered"))
    return out


#: how the message on a pair one of whose photos alone has a covered region by the per-photo check begins
#: (:func:`one_photo_covered`)
MSG_PHOTO_COVERED = "a region looks covered in one photo by its own check"

#: the comparison rows read from each region of the per-photo check (:data:`facemetrics.occlusion.REGION_COLUMNS`):
#: every jaw row for a jaw or chin region (Face Mesh fits the whole jaw to its guess), a side's fold rows
PHOTO_REGION_ROWS = {
    **{r: JAW_ROWS for r in ("jaw_right", "chin", "jaw_left")},
    **{f"fold_{s}": tuple((m, s) for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")) for s in _RL},
}


#: how the message on a pair whose photos both have the same region covered by the per-photo check begins
#: (:func:`one_photo_covered`)
MSG_BOTH_COVERED = "a region looks covered in both photos by its own check"


#: the per-photo check's fold regions (:func:`one_photo_covered` words them, never takes their rows)
FOLD_REGIONS = ("fold_right", "fold_left")


def _side_lifts(*sides: str) -> tuple:
    """The cheek and mouth-corner lift rows (dense flow and landmarks) of ``sides`` and their mean."""
    return tuple((f"{r}_lift{k}", x) for s in sides for r in ("mouth_corner", "cheek") for k in ("_mm", "_landmarks_mm")
                 for x in (s, "mean"))


#: the comparison rows read from a region the per-photo check flags in BOTH photos (:func:`one_photo_covered`):
#: a jaw or chin region's jaw rows and the cheek and mouth-corner lift rows of its side (the chin: both), a fold
#: band's side's cheek and mouth-corner lift rows (its fold rows keep their verdicts); chosen on the tuning faces
#: of ``bench/bench_jaw_covers.py`` (candidate C3; docs/robustness.md 'What covers the jaw')
BOTH_REGION_ROWS = {
    "jaw_right": JAW_ROWS + _side_lifts("right"), "jaw_left": JAW_ROWS + _side_lifts("left"),
    "chin": JAW_ROWS + _side_lifts("right", "left"),
    "fold_right": _side_lifts("right"), "fold_left": _side_lifts("left"),
}


def _joined(words: list[str]) -> str:
    """``"a, b and c"``."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def one_photo_covered(before, after) -> tuple[tuple, list[str]]:
    """The rows and messages of regions the per-photo check (:attr:`PhotoAnalysis.occlusion`,
    :func:`facemetrics.occlusion.photo_occlusion`) finds covered in one photo of the pair and not in the other.

    A region flagged in both photos makes :data:`BOTH_REGION_ROWS` ``uncertain`` (a jaw or chin region: the jaw
    rows and its side's cheek and mouth-corner lift rows; a fold band: that side's cheek and mouth-corner lift
    rows, its fold rows keep their verdicts), with one message beginning :data:`MSG_BOTH_COVERED`: hair or a
    plaster over the jaw or cheek in both photos, moved a few mm between them, is followed by the dense flow and
    reads as lift or sag, and the pairwise difference misses it (the same cover in both photos differs little).
    Measured with ``bench/bench_jaw_covers.py`` (docs/robustness.md 'What covers the jaw': held out, 78 of the 172
    false rows of such pairs removed, no clean pair touched); a beard or stubble flagged in every photo of a face
    loses these rows too (no clean photo of the cover benches was flagged).  A region
    flagged in one photo alone is a cover there (or a shave): a jaw or chin region's rows read ``uncertain``,
    even where the pairwise difference missed it (a skin-coloured hand, a cover under 100 mm²).  A fold region
    flagged in one photo alone gets a message only, its rows keep their verdicts: the check reads colour and
    lightness against the cheek, which a deeper fold moves too (the sample's right fold, darkened by 30 % with
    ``simulate.deepen_fold``, read 28 mm² against the 24 mm² limit and lost its 'deeper'; none of the 12 London
    tuning faces' folds was flagged at 10-30 %, 2026-12-04), so it cannot tell a cover there from the very
    change the fold rows measure.

    Returns
    -------
    rows : tuple of (str, str)
        ``(metric, side)`` rows.
    messages : list of str
        One per photo with such jaw regions and one per photo with such fold regions, beginning with
        :data:`MSG_PHOTO_COVERED`, and one for the regions covered in both photos, beginning with
        :data:`MSG_BOTH_COVERED`.
    """
    from ..occlusion import REGION_WORDS

    found = [x.occlusion.covered if getattr(x, "occlusion", None) is not None else () for x in (before, after)]
    rows, msgs = [], []
    for label, mine, other in (("before", found[0], found[1]), ("after", found[1], found[0])):
        only = [r for r in mine if r not in other]
        jaw = [r for r in only if r not in FOLD_REGIONS]
        folds = [r for r in only if r in FOLD_REGIONS]
        if jaw:
            for r in jaw:
                rows += PHOTO_REGION_ROWS[r]
            where = _joined([REGION_WORDS[r] for r in jaw])
            what = _joined([w for w, starts in _ROW_WORDS
                            if any(m.startswith(starts) for r in jaw for m, _ in PHOTO_REGION_ROWS[r])])
            msgs.append(f"{MSG_PHOTO_COVERED}: in the {label} photo {where} differ from the face's own cheek skin as "
                        f"a hand, hair, a scarf or a mask would, and not in the other photo: the {what} rows are not "
                        "read (shown without a verdict, 'uncertain'). Retake the photo with the jaw uncovered")
        if folds:  # the check's cue (colour and lightness against the cheek) is what a deeper fold moves too
            msgs.append(f"{MSG_PHOTO_COVERED}: in the {label} photo {_joined([REGION_WORDS[r] for r in folds])} "
                        "differ from the face's own cheek skin as a hand or hair would, and not in the other "
                        "photo; a much deeper fold shadow reads alike, so the fold rows keep their verdicts: look at "
                        "the overlays, and retake the photo if something covers the fold")
    both = [r for r in found[0] if r in found[1]]
    if both:
        for r in both:
            rows += BOTH_REGION_ROWS[r]
        what = "jaw rows and the cheek and mouth-corner lift" if any(r not in FOLD_REGIONS for r in both) else \
            "cheek and mouth-corner lift"
        msgs.append(f"{MSG_BOTH_COVERED}: in both photos {_joined([REGION_WORDS[r] for r in both])} differ from the "
                    "face's own cheek skin as hair, a plaster, a hand, a collar or a scarf would: a cover that moved "
                    f"a few mm between the photos reads as lift or sag, so the {what} rows there are not read (shown "
                    "without a verdict, 'uncertain'); a dense beard in both photos reads so too. Retake the photos "
                    "with the jaw and cheeks uncovered")
    return tuple(dict.fromkeys(rows)), msgs
