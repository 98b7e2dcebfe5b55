"""Images with a known change, made from real photos: the ground truth that
the measurements are tested against.

Every function returns a :class:`Simulated` with the new image and the truth
(millimetres, fractions) so that tests assert against numbers.

- :func:`lift`: the lower face moved up by a given number of mm (both sides
  or one side), a smooth displacement field placed with the photo's own
  landmarks and iris calibration; truth per region of
  :data:`facemetrics.compare.REGIONS`; :func:`lifted_image`: its image alone
  (the same pixels, without the truth's rasterisation, most of its time).
- :func:`deepen_fold`: a nasolabial valley darkened by a given fraction.
- :func:`narrow`: the lower face made narrower by a given number of mm at the
  mouth's height (a smooth horizontal field of its own; truth: the width change).
- Nuisances with no real change (truth: zero lift, zero darkening):
  :func:`roll`, :func:`rescale`, :func:`shift`, :func:`brightness`,
  :func:`gamma`, :func:`white_balance`, :func:`jpeg`, :func:`noise`,
  :func:`blur`; :data:`NUISANCES` is the set the tests and the noise-floor
  validation use.
- :func:`photo_jitter` (:data:`DEFAULT_JITTER`): the small random roll,
  scale, brightness and noise of every photo of a simulated study;
  :func:`encode_png` turns a simulated image into the bytes the analyser reads.
- Whole simulated studies (folders of dated photos) are :mod:`facemetrics.study`,
  which builds on this module (never the other way round).

Images are ``(H, W, 3)`` uint8 RGB; points are ``(x, y)`` px; the levelled
frame's ``v`` points down the face, so a lift is a negative ``v`` change.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from .analyze import PhotoAnalysis
from .threads import single_blas_thread


@dataclass(frozen=True, eq=False)
class Simulated:
    """A simulated photo and what was done to it.

    Attributes
    ----------
    image : ndarray, shape (H, W, 3), uint8 RGB
    truth : dict
        The known change, e.g. ``{"nlf_darkening_right": 0.2}``.
    """

    image: np.ndarray
    truth: dict = field(default_factory=dict)


def _measured(analysis, what: str) -> None:
    """Raise ValueError unless ``analysis`` is a measured :class:`PhotoAnalysis` (``status == "ok"``):
    a simulation starts from the landmarks and scale of a measured photo."""
    if not isinstance(analysis, PhotoAnalysis):
        raise TypeError(f"{what} takes a PhotoAnalysis (facemetrics.analyze_photo), not {type(analysis).__name__}")
    if not analysis.ok:
        raise ValueError(f"{what} needs a measured photo; {analysis.name} has status {analysis.status!r} "
                         f"({analysis.error})")


def _finite(name: str, value, lo: float | None = None, hi: float | None = None) -> float:
    """``value`` as a finite float within [lo, hi]; ValueError naming ``name`` otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f" in [{lo:g}, {hi:g}]" if lo is not None and hi is not None else ""
        raise ValueError(f"{name} must be a finite number{rng}, got {value!r}")
    return v


def deepen_fold(analysis: PhotoAnalysis, fraction: float, side: str = "right",
                width_mm: float = 1.5) -> Simulated:
    """Darken a nasolabial valley along the measured fold line.

    The luminance is multiplied by ``1 - fraction * exp(-d^2 / (2 w^2))``
    where ``d`` is the distance (mm) to the fold line found by
    :func:`facemetrics.folds.fold_metrics` on the photo and ``w`` is
    ``width_mm``: a valley ``fraction`` darker at its centre, fading out
    over a few mm, along the line's whole length.

    Parameters
    ----------
    analysis : PhotoAnalysis
        A measured photo (``status == "ok"``).
    fraction : float
        Darkening at the valley centre, 0-1 (0.2 = 20 % darker).
    side : {"right", "left", "both"}
        The subject's side(s) to deepen.
    width_mm : float
        Gaussian width (sigma) of the valley profile, mm.

    Returns
    -------
    Simulated
        ``truth`` has ``nlf_darkening_right`` and ``nlf_darkening_left``.

    Raises
    ------
    ValueError
        ``analysis`` not measured, ``fraction`` outside 0-1, ``width_mm`` not > 0, or another ``side``.
    """
    _measured(analysis, "deepen_fold")
    if side not in ("right", "left", "both"):  # "up" darkened the left fold with a truth of 0 (audit)
        raise ValueError(f"side must be 'right', 'left' or 'both', not {side!r}")
    fraction = _finite("fraction", fraction, 0.0, 1.0)
    if _finite("width_mm", width_mm) <= 0:
        raise ValueError(f"width_mm must be > 0, got {width_mm!r}")
    img = analysis.photo.rgb
    mm_per_px = analysis.calibration.mm_per_px
    sides = ("right", "left") if side == "both" else (side,)
    dist = np.full(img.shape[:2], np.inf, dtype=np.float32)
    for s in sides:
        fm = analysis.nlf_right if s == "right" else analysis.nlf_left
        mask = np.full(img.shape[:2], 255, np.uint8)
        cv2.polylines(mask, [np.round(fm.line_px).astype(np.int32)], False, 0, 1, cv2.LINE_8)
        d = cv2.distanceTransform(mask, cv2.DIST_L2, 5) * mm_per_px
        dist = np.minimum(dist, d)
    gain = 1.0 - fraction * np.exp(-0.5 * (dist / width_mm) ** 2)
    out = np.clip(img.astype(np.float32) * gain[..., None], 0, 255).round().astype(np.uint8)
    truth = {f"nlf_darkening_{s}": (fraction if s in sides else 0.0) for s in ("right", "left")}
    return Simulated(out, truth)


# -----------------------------------------------------------------------------
# lift: a smooth upward displacement of the lower face
# -----------------------------------------------------------------------------

#: the field fades from full at the jaw contour to zero this far below it, mm
LIFT_FADE_BELOW_MM = 15.0
#: outside the face's lateral edge (at mouth-to-gonion level) the field fades to zero over this, mm
LIFT_FADE_LATERAL_MM = 10.0
#: one-sided lifts fade across the facial midline over +- this, mm
LIFT_FADE_MIDLINE_MM = 5.0
#: ``shape="jowl"``: Gaussian bumps of this sigma, mm, centred this far above the jaw contour
#: below each mouth corner
JOWL_SIGMA_MM = 12.0
JOWL_CENTRE_ABOVE_JAW_MM = 7.0
#: fixed-point iterations inverting the forward displacement for backward warping
_INVERT_ITERATIONS = 8


def _smoothstep(t):
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class LiftField:
    """Weight ``w(u, v)`` in [0, 1] of a simulated lift, in a photo's levelled frame (mm).

    ``w`` is the product of
    - a vertical profile: 0 above the subnasale (landmark 2), rising smoothly
      (smoothstep) to 1 at the level of the mouth corners (61, 291), 1 down to
      the jaw contour (Face Mesh face oval from gonion 172 through the chin
      152 to gonion 397, interpolated in ``u`` and held constant beyond the
      gonions), then falling smoothly to 0 at :data:`LIFT_FADE_BELOW_MM`
      below it;
    - a lateral profile: 1 between the face's edges at mouth-to-gonion level,
      falling smoothly to 0 :data:`LIFT_FADE_LATERAL_MM` outside them (the
      background does not move);
    - for one-sided lifts, a smoothstep across the facial midline (the ``u``
      of the subnasale and chin) over +-:data:`LIFT_FADE_MIDLINE_MM`.
    """

    v_top: float
    v_full: float
    jaw_u: np.ndarray
    jaw_v: np.ndarray
    u_right_edge: float
    u_left_edge: float
    u_mid: float
    side: str
    shape: str = "full"
    jowl_uv: tuple = ()

    @classmethod
    def from_analysis(cls, analysis: PhotoAnalysis, side: str = "both", shape: str = "full") -> "LiftField":
        from .geometry import GONION_LEFT, GONION_RIGHT, LOWER_OVAL, MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE, CHIN

        uv = analysis.frame.to_mm(analysis.points[:, :2])
        v_top = float(uv[SUBNASALE, 1])
        v_full = float(0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1]))
        chain = LOWER_OVAL[LOWER_OVAL.index(GONION_RIGHT):LOWER_OVAL.index(GONION_LEFT) + 1]
        jaw = uv[list(chain)]
        order = np.argsort(jaw[:, 0])
        oval = uv[list(LOWER_OVAL)]
        v_gon = max(uv[GONION_RIGHT, 1], uv[GONION_LEFT, 1])
        side_pts = oval[(oval[:, 1] >= v_top - 5.0) & (oval[:, 1] <= v_gon)]
        ju, jv = jaw[order, 0], jaw[order, 1]
        # jowl centres: on the jaw contour below each mouth corner, raised by half the jaw band
        jowl = tuple((float(uv[m, 0]), float(np.interp(uv[m, 0], ju, jv)) - JOWL_CENTRE_ABOVE_JAW_MM)
                     for m in (MOUTH_RIGHT, MOUTH_LEFT))
        return cls(v_top, v_full, ju, jv, float(side_pts[:, 0].min()),
                   float(side_pts[:, 0].max()), float(0.5 * (uv[SUBNASALE, 0] + uv[CHIN, 0])), side, shape, jowl)

    def weight(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``w`` at levelled ``(u, v)`` mm (arrays of one shape)."""
        v_jaw = np.interp(u, self.jaw_u, self.jaw_v)
        if self.shape == "taper":
            # linear from nothing at the nose base to full at the jaw contour (no plateau)
            w = np.clip((v - self.v_top) / np.maximum(v_jaw - self.v_top, 1e-6), 0.0, 1.0)
        elif self.shape == "jowl":
            w = np.zeros(np.broadcast(u, v).shape, dtype=np.float64)
            for ju, jv in self.jowl_uv:
                w = np.maximum(w, np.exp(-0.5 * ((u - ju) ** 2 + (v - jv) ** 2) / JOWL_SIGMA_MM ** 2))
        else:
            w = _smoothstep((v - self.v_top) / max(self.v_full - self.v_top, 1e-6))
        w = w * (1.0 - _smoothstep((v - v_jaw) / LIFT_FADE_BELOW_MM))
        w = w * (1.0 - _smoothstep((self.u_right_edge - u) / LIFT_FADE_LATERAL_MM))
        w = w * (1.0 - _smoothstep((u - self.u_left_edge) / LIFT_FADE_LATERAL_MM))
        if self.side in ("left", "right"):
            t = (u - self.u_mid + LIFT_FADE_MIDLINE_MM) / (2 * LIFT_FADE_MIDLINE_MM)
            s = _smoothstep(t)  # 0 on the subject's right (negative u), 1 on the left
            w = w * (s if self.side == "left" else 1.0 - s)
        return w


#: spacing of the (u, v) sample points the lift truth is averaged over, mm
TRUTH_STEP_MM = 0.25


def _segment_distance(p: np.ndarray, chain: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance from points to a polyline, with where its nearest point lies.

    ``p`` (N, 2) and ``chain`` (K, 2) in mm.  Returns ``(distance, nearest,
    interior)``: the distance (N,), the nearest point on the polyline (N, 2),
    and whether that point is not one of the polyline's two ends (N,).
    """
    best = np.full(len(p), np.inf)
    nearest = np.zeros_like(p)
    interior = np.zeros(len(p), bool)
    last = len(chain) - 2
    for k in range(len(chain) - 1):
        a, b = chain[k], chain[k + 1]
        ab = b - a
        t_raw = ((p - a) @ ab) / max(float(ab @ ab), 1e-12)
        t = np.clip(t_raw, 0.0, 1.0)
        q = a + t[:, None] * ab
        d = np.hypot(*(p - q).T)
        closer = d < best
        best[closer], nearest[closer] = d[closer], q[closer]
        at_end = ((k == 0) & (t_raw <= 0.0)) | ((k == last) & (t_raw >= 1.0))
        interior[closer] = ~at_end[closer]
    return best, nearest, interior


def _inside_polygon(p: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd ray casting: which points ``p`` (N, 2) lie inside the closed polygon ``poly`` (K, 2)."""
    inside = np.zeros(len(p), bool)
    x, y = p[:, 0], p[:, 1]
    for (x0, y0), (x1, y1) in zip(poly, np.roll(poly, -1, axis=0)):
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < x_cross)
    return inside


#: landmark sets whose :func:`truth_regions` are kept per process (a face's lifts of several sizes, sides or shapes
#: rasterise the same regions: they read the landmarks only); about 3 MB each
TRUTH_CACHE_SIZE = 4


def truth_regions(points_uv: np.ndarray, step_mm: float = TRUTH_STEP_MM) -> tuple[np.ndarray, dict]:
    """The comparison's lift regions rasterised independently of :mod:`facemetrics.compare`.

    A pure function of the landmarks' values and ``step_mm``: the last :data:`TRUTH_CACHE_SIZE` are kept
    (keyed on the landmarks' bytes), their arrays read-only, the dict a new one each call.

    The same anatomical description as :func:`facemetrics.compare.region_masks`
    (and ``docs/compare.md``), with its sizes, but its own code: sample points
    every ``step_mm`` in the levelled frame (not the comparison's work grid),
    exact point-to-segment distances to the raw landmark chain (no resampled
    polyline, no offset polygons, no raster fill), a ray-casting test for the
    mouth opening and a Delaunay test for the face's convex hull.  So a region
    misplaced by the comparison (wrong chain, side, normal or landmark) makes
    its measured lift differ from this truth.

    - jawline: points inside the face (above the jaw contour, ``v`` less than
      the chain's at that ``u``) whose distance to the jaw chain
      (:data:`facemetrics.geometry.JAW_CHAIN_RIGHT` / ``_LEFT``) is within
      :data:`facemetrics.compare.JAW_BAND_MM`, and whose nearest chain point is
      not one of its ends (the band ends square at the gonion and the chin);
    - jowl: those jawline points whose nearest chain point lies within
      :data:`facemetrics.compare.JOWL_HALF_WIDTH_MM` (in ``u``) of the mouth corner;
    - mouth_corner / cheek: discs of :data:`facemetrics.compare.MOUTH_CORNER_RADIUS_MM`
      / :data:`facemetrics.compare.CHEEK_RADIUS_MM` around 61 / 291 and 50 / 280;
    - every region leaves out the mouth opening (:data:`facemetrics.geometry.INNER_LIPS`)
      and what lies outside the convex hull of the 468 mesh points.

    Parameters
    ----------
    points_uv : ndarray, shape (478, 2)
        Landmarks in the levelled frame, ``(u, v)`` mm.
    step_mm : float
        Sample spacing, mm.

    Returns
    -------
    (samples, masks)
        ``samples`` (N, 2) ``(u, v)`` mm; ``masks`` ``{(region, side): bool (N,)}``
        for the regions of :data:`facemetrics.compare.REGIONS`.
    """
    uv = np.ascontiguousarray(np.asarray(points_uv, dtype=np.float64)[:, :2])
    samples, masks = _truth_regions_kept(uv.tobytes(), uv.shape, float(step_mm))
    return samples, dict(masks)


@functools.lru_cache(maxsize=TRUTH_CACHE_SIZE)
def _truth_regions_kept(uv_bytes: bytes, shape: tuple[int, int], step_mm: float) -> tuple[np.ndarray, dict]:
    """:func:`_truth_regions` of the landmarks held in ``uv_bytes`` (float64, ``shape``), its arrays read-only."""
    samples, masks = _truth_regions(np.frombuffer(uv_bytes, dtype=np.float64).reshape(shape), step_mm)
    for x in (samples, *masks.values()):
        x.setflags(write=False)
    return samples, masks


def _truth_regions(points_uv: np.ndarray, step_mm: float) -> tuple[np.ndarray, dict]:
    """:func:`truth_regions`, made (not kept)."""
    from scipy.spatial import Delaunay

    from .compare import CHEEK_RADIUS_MM, JAW_BAND_MM, JOWL_HALF_WIDTH_MM, MOUTH_CORNER_RADIUS_MM
    from .geometry import (
        CHEEK_LEFT, CHEEK_RIGHT, INNER_LIPS, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT, MOUTH_LEFT, MOUTH_RIGHT,
    )

    uv = np.asarray(points_uv, dtype=np.float64)[:, :2]
    mesh = uv[:468]
    jaw = uv[list(JAW_CHAIN_RIGHT) + list(JAW_CHAIN_LEFT[1:])]
    # every region lies within the box of the jaw chains and the discs (and within the mesh)
    cheeks, mouth = uv[[CHEEK_RIGHT, CHEEK_LEFT]], uv[[MOUTH_RIGHT, MOUTH_LEFT]]
    lo = np.min([jaw.min(0), cheeks.min(0) - CHEEK_RADIUS_MM, mouth.min(0) - MOUTH_CORNER_RADIUS_MM], axis=0)
    hi = np.max([jaw.max(0), cheeks.max(0) + CHEEK_RADIUS_MM, mouth.max(0) + MOUTH_CORNER_RADIUS_MM], axis=0)
    lo, hi = np.maximum(mesh.min(0), lo - 1.0), np.minimum(mesh.max(0), hi + 1.0)
    us = np.arange(lo[0], hi[0] + step_mm, step_mm)
    vs = np.arange(lo[1], hi[1] + step_mm, step_mm)
    p = np.stack(np.meshgrid(us, vs), axis=-1).reshape(-1, 2)
    with single_blas_thread():  # the Delaunay's barycentric transforms (LAPACK): see _rerender
        in_hull = Delaunay(mesh).find_simplex(p) >= 0
    keep = in_hull & ~_inside_polygon(p, uv[list(INNER_LIPS)])
    order = np.argsort(jaw[:, 0])
    above_jaw = p[:, 1] < np.interp(p[:, 0], jaw[order, 0], jaw[order, 1])
    masks = {}
    for side, chain, mc, ck in (("right", JAW_CHAIN_RIGHT, MOUTH_RIGHT, CHEEK_RIGHT),
                                ("left", JAW_CHAIN_LEFT, MOUTH_LEFT, CHEEK_LEFT)):
        c = uv[list(chain)]
        near_chain = keep & above_jaw & np.all((p >= c.min(0) - JAW_BAND_MM[1]) & (p <= c.max(0) + JAW_BAND_MM[1]), axis=1)
        idx = np.flatnonzero(near_chain)
        d, nearest, interior = _segment_distance(p[idx], c)
        in_band = interior & (d >= JAW_BAND_MM[0]) & (d <= JAW_BAND_MM[1])
        band = np.zeros(len(p), bool)
        band[idx[in_band]] = True
        jowl = np.zeros(len(p), bool)
        jowl[idx[in_band & (np.abs(nearest[:, 0] - uv[mc, 0]) <= JOWL_HALF_WIDTH_MM)]] = True
        masks[("jawline", side)] = band
        masks[("jowl", side)] = jowl
        masks[("mouth_corner", side)] = keep & (np.hypot(*(p - uv[mc]).T) <= MOUTH_CORNER_RADIUS_MM)
        masks[("cheek", side)] = keep & (np.hypot(*(p - uv[ck]).T) <= CHEEK_RADIUS_MM)
    return p, masks


def _lift_truth(analysis: PhotoAnalysis, fld: LiftField, mm: float) -> dict:
    """Truth per region: the trimmed mean (the comparison's robust mean: :data:`facemetrics.compare.TRIM`
    of the values cut from each end, as ``scipy.stats.trim_mean``) of the true upward
    displacement ``mm * w(u, v)`` over the regions of :func:`truth_regions`, rasterised
    without the comparison's code (so its region placement is tested, not assumed)."""
    from .compare import REGIONS, TRIM

    samples, masks = truth_regions(analysis.frame.to_mm(analysis.points[:, :2]))
    lift = mm * fld.weight(samples[:, 0], samples[:, 1])

    def trimmed(values: np.ndarray) -> float:
        values = np.sort(values)
        k = int(TRIM * values.size)
        return float(values[k:values.size - k].mean()) if values.size else float("nan")

    truth = {}
    for region in REGIONS:
        r, l_ = (trimmed(lift[masks[(region, s)]]) for s in ("right", "left"))
        truth[f"{region}_lift_right_mm"] = r
        truth[f"{region}_lift_left_mm"] = l_
        truth[f"{region}_lift_mm"] = 0.5 * (r + l_)
    return truth


def _zero_truth() -> dict:
    from .compare import REGIONS

    truth = {}
    for region in REGIONS:
        truth.update({f"{region}_lift_right_mm": 0.0, f"{region}_lift_left_mm": 0.0, f"{region}_lift_mm": 0.0})
    truth.update(nlf_darkening_right=0.0, nlf_darkening_left=0.0)
    return truth


def lift(analysis: PhotoAnalysis, mm: float, side: str = "both", shape: str = "full") -> Simulated:
    """Move the lower face up by ``mm`` millimetres: a smooth displacement field.

    The skin at levelled position ``(u, v)`` moves to ``(u, v - mm * w(u, v))``
    (up, towards the eyes), ``w`` from :class:`LiftField`: full between the
    mouth corners' level and the jaw contour, fading to zero above the nose
    base and 15 mm below the jaw, and outside the face.  The field is placed
    with the photo's own landmarks and iris calibration (``analysis.frame``)
    and applied by backward warping (``cv2.remap``, bicubic) with the exact
    inverse of the forward field (fixed-point iteration; the field moves
    along ``v`` only, so the inverse is one-dimensional).

    Parameters
    ----------
    analysis : PhotoAnalysis
        A measured photo (``status == "ok"``).
    mm : float
        Upward displacement where the field is full, mm (negative = sag).
    side : {"both", "left", "right"}
        The subject's side(s); one-sided lifts fade across the midline.
    shape : {"full", "taper", "jowl"}
        ``full``: the field above (full from the mouth corners' level to the
        jaw).  ``taper``: rising linearly from nothing at the nose base to
        full at the jaw contour, with no plateau (as a device's lift that
        fades upwards would; every region then reads its own fraction).
        ``jowl``: a Gaussian bump (sigma :data:`JOWL_SIGMA_MM`) at each jowl.

    Returns
    -------
    Simulated
        ``image`` of the same size as ``analysis.photo.rgb``; ``truth`` has,
        for every region of :data:`facemetrics.compare.REGIONS`,
        ``{region}_lift_right_mm``, ``{region}_lift_left_mm`` and
        ``{region}_lift_mm`` (their mean): the robust mean of the true
        displacement over each region, rasterised by :func:`truth_regions`
        with code of its own (not the comparison's masks).
        The jawline band lies where the field is full, so for ``side="both"``
        ``jawline_lift_mm == mm``; the cheek (above the nose base) is 0.
        Also ``lift_mm`` (= ``mm``) and ``side``.
    """
    out, fld = _lifted(analysis, mm, side, shape)
    if fld is None:
        return Simulated(out, dict(_zero_truth(), lift_mm=float(mm), side=side))
    truth = _zero_truth()
    truth.update(_lift_truth(analysis, fld, mm))
    truth.update(lift_mm=float(mm), side=side, shape=shape)
    return Simulated(out, truth)


def lifted_image(analysis: PhotoAnalysis, mm: float, side: str = "both", shape: str = "full") -> np.ndarray:
    """The image of :func:`lift` alone, without its truth (the same pixels; a third of the time).

    :func:`lift`'s truth, the region means over :func:`truth_regions`' rasterisation, is most of its
    time; a caller that keeps only the image (:func:`facemetrics.study.study`, whose truth is the
    design's ``true_lift_mm``) need not compute it.

    Parameters
    ----------
    analysis, mm, side, shape
        As :func:`lift`.

    Returns
    -------
    ndarray, shape (H, W, 3), uint8 RGB
        ``lift(analysis, mm, side, shape).image``, bit for bit.
    """
    return _lifted(analysis, mm, side, shape)[0]


def _lifted(analysis: PhotoAnalysis, mm: float, side: str, shape: str) -> tuple[np.ndarray, LiftField | None]:
    """:func:`lift`'s warped image and its field (None when the field's box misses the image)."""
    _measured(analysis, "lift")
    _finite("mm", mm)  # nan or inf returned the photo unchanged with a truth of 0 (audit)
    if side not in ("both", "left", "right"):
        raise ValueError(f"side must be 'both', 'left' or 'right', not {side!r}")
    if shape not in ("full", "taper", "jowl"):
        raise ValueError(f"shape must be 'full', 'taper' or 'jowl', not {shape!r}")
    fld = LiftField.from_analysis(analysis, side, shape)
    img = analysis.photo.rgb
    frame = analysis.frame
    h, w = img.shape[:2]
    # the field is zero outside this levelled box (plus the displacement itself): warp only inside
    u0 = fld.u_right_edge - LIFT_FADE_LATERAL_MM - 1.0
    u1 = fld.u_left_edge + LIFT_FADE_LATERAL_MM + 1.0
    v0 = fld.v_top - abs(mm) - 1.0
    v1 = float(fld.jaw_v.max()) + LIFT_FADE_BELOW_MM + abs(mm) + 1.0
    corners = frame.to_px(np.array([[u0, v0], [u1, v0], [u0, v1], [u1, v1]]))
    x0, y0 = np.clip(np.floor(corners.min(0)).astype(int), 0, (w, h))
    x1, y1 = np.clip(np.ceil(corners.max(0)).astype(int) + 1, 0, (w, h))
    out = img.copy()
    if x1 <= x0 or y1 <= y0:
        return out, None
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d_x, d_y = xs - frame.origin[0], ys - frame.origin[1]
    k = np.float32(frame.mm_per_px)
    u = (d_x * frame.u_axis[0] + d_y * frame.u_axis[1]) * k
    v_q = (d_x * frame.v_axis[0] + d_y * frame.v_axis[1]) * k
    # the skin found at v_q in the new image came from v_p with v_p - mm * w(u, v_p) = v_q
    v_p = v_q.copy()
    for _ in range(_INVERT_ITERATIONS):
        v_p = v_q + np.float32(mm) * fld.weight(u, v_p).astype(np.float32)
    dv_px = (v_p - v_q) / k
    map_x = (xs + dv_px * np.float32(frame.v_axis[0])).astype(np.float32)
    map_y = (ys + dv_px * np.float32(frame.v_axis[1])).astype(np.float32)
    out[y0:y1, x0:x1] = cv2.remap(img, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return out, fld


#: the simulated narrowing's (:func:`narrow`) field: its horizontal weight ``tanh(|u| / NARROW_RAMP_MM)`` rises from
#: 0 at the midline to 1 at the jaw's sides (0.96 at 30 mm, above 0.999 from 60 mm), and its vertical weight is a
#: Gaussian of SD :data:`NARROW_SIGMA_MM` about the mouth corners' height (0.01 at the eyes, 65 mm above it), so the
#: upper face the comparison aligns on stays
NARROW_RAMP_MM = 15.0
NARROW_SIGMA_MM = 20.0


def narrow(analysis: PhotoAnalysis, mm: float) -> Simulated:
    """The lower face made ``mm`` narrower at the mouth corners' height: a smooth horizontal displacement towards
    the midline, ``mm / 2`` on each side at full weight, of this module's own shape (a tanh across the face times a
    Gaussian down it, :data:`NARROW_RAMP_MM`, :data:`NARROW_SIGMA_MM`; not the comparison's read band, not
    ``bench/narrowing.py``'s field on the hand-placed outline).  ``mm`` < 0 widens.

    Parameters
    ----------
    analysis : PhotoAnalysis
        A measured photo (its levelled frame and mouth corners place the field).
    mm : float
        The narrowing, mm (finite).

    Returns
    -------
    Simulated
        ``image`` (H, W, 3) uint8 RGB; ``truth`` ``{"jaw_width_change_mm": -mm * w}``, ``w`` the field's horizontal
        weight at half the photo's ``jaw_width_mm`` (the Face Mesh oval's width at the mouth corners' height: the
        width change a reader of that band should find; about ``-mm``, 1.0 of it without a jaw measured).
    """
    from .geometry import MOUTH_LEFT, MOUTH_RIGHT

    _measured(analysis, "narrow")
    mm = _finite("mm", mm)
    frame, img = analysis.frame, analysis.photo.rgb
    v_mouth = float(frame.to_mm(analysis.points[[MOUTH_RIGHT, MOUTH_LEFT], :2])[:, 1].mean())
    h, w = img.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    uv = frame.to_mm(np.stack([xs, ys], axis=-1))
    u_q, v = uv[..., 0], uv[..., 1]
    g = np.exp(-0.5 * ((v - v_mouth) / NARROW_SIGMA_MM) ** 2)
    # the skin found at u_q in the new image came from u_p with u_p - (mm / 2) tanh(u_p / ramp) g = u_q
    u_p = u_q.copy()
    for _ in range(_INVERT_ITERATIONS):
        u_p = u_q + 0.5 * mm * np.tanh(u_p / NARROW_RAMP_MM) * g
    du_px = (u_p - u_q) / frame.mm_per_px
    map_x = (xs + du_px * frame.u_axis[0]).astype(np.float32)
    map_y = (ys + du_px * frame.u_axis[1]).astype(np.float32)
    out = cv2.remap(img, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    half = 0.5 * float(analysis.jaw.jaw_width_mm) if analysis.jaw is not None else math.inf
    return Simulated(out, {"jaw_width_change_mm": -mm * float(np.tanh(half / NARROW_RAMP_MM))})


# -----------------------------------------------------------------------------
# nuisances: no real change (truth: zero lift, zero fold darkening)
# -----------------------------------------------------------------------------


def _image_and_centre(x) -> tuple[np.ndarray, np.ndarray]:
    """RGB image and a centre (face centre: pupil midpoint, or the image centre)."""
    if isinstance(x, PhotoAnalysis):
        img = x.photo.rgb
        if x.frame is not None:
            # halfway between the pupils and the chin: the middle of the face
            from .geometry import CHIN
            return img, 0.5 * (x.frame.origin + x.points[CHIN, :2])
        return img, np.array([img.shape[1] / 2.0, img.shape[0] / 2.0])
    img = np.asarray(x)
    return img, np.array([img.shape[1] / 2.0, img.shape[0] / 2.0])


def _nuisance(img: np.ndarray, **params) -> Simulated:
    truth = _zero_truth()
    truth.update(params)
    return Simulated(np.ascontiguousarray(img), truth)


def _warp(img: np.ndarray, m: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def roll(x, deg: float) -> Simulated:
    """Rotate the photo in-plane by ``deg`` degrees about the face centre (same canvas).

    Parameters
    ----------
    x : PhotoAnalysis or ndarray, shape (H, W, 3) uint8
    deg : float
        Positive = counter-clockwise as seen in the image (``cv2.getRotationMatrix2D``).
    """
    img, c = _image_and_centre(x)
    m = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), float(deg), 1.0)
    return _nuisance(_warp(img, m), roll_deg=float(deg))


def rescale(x, factor: float) -> Simulated:
    """Scale the face by ``factor`` about its centre on the same canvas (camera distance).

    Edges are replicated where the scaled photo does not fill the canvas.
    """
    img, c = _image_and_centre(x)
    m = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), 0.0, float(factor))
    return _nuisance(_warp(img, m), scale=float(factor))


def shift(x, dx: float, dy: float) -> Simulated:
    """Translate the photo by ``(dx, dy)`` px (same canvas, edges replicated)."""
    img, _ = _image_and_centre(x)
    m = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
    return _nuisance(_warp(img, m), shift_px=(float(dx), float(dy)))


def brightness(x, factor: float) -> Simulated:
    """Multiply every channel by ``factor`` (1.15 = 15 % brighter), clipped to 0-255."""
    img, _ = _image_and_centre(x)
    out = np.clip(img.astype(np.float32) * factor, 0, 255).round().astype(np.uint8)
    return _nuisance(out, brightness=float(factor))


def gamma(x, g: float) -> Simulated:
    """Tone curve ``255 * (I / 255) ** g``."""
    img, _ = _image_and_centre(x)
    lut = np.clip(255.0 * (np.arange(256) / 255.0) ** g, 0, 255).round().astype(np.uint8)
    return _nuisance(lut[img], gamma=float(g))


def white_balance(x, gains=(1.08, 1.0, 0.92)) -> Simulated:
    """Multiply the R, G, B channels by ``gains`` (a colour-temperature shift), clipped."""
    img, _ = _image_and_centre(x)
    out = np.clip(img.astype(np.float32) * np.asarray(gains, np.float32), 0, 255).round().astype(np.uint8)
    return _nuisance(out, white_balance=tuple(float(v) for v in gains))


def jpeg(x, quality: int = 70) -> Simulated:
    """Re-encode as JPEG at ``quality`` (4:2:0 chroma, as cameras do) and decode."""
    img, _ = _image_and_centre(x)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    out = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return _nuisance(out, jpeg_quality=int(quality))


def noise(x, sigma: float = 4.0, seed: int = 0) -> Simulated:
    """Add Gaussian sensor noise of ``sigma`` grey levels (independent per pixel and channel)."""
    img, _ = _image_and_centre(x)
    rng = np.random.default_rng(seed)
    out = np.clip(img.astype(np.float32) + rng.normal(0.0, sigma, img.shape).astype(np.float32), 0, 255)
    return _nuisance(out.round().astype(np.uint8), noise_sigma=float(sigma), seed=int(seed))


def blur(x, sigma_px: float = 1.0) -> Simulated:
    """Gaussian blur of ``sigma_px`` pixels (slight defocus / motion)."""
    img, _ = _image_and_centre(x)
    return _nuisance(cv2.GaussianBlur(img, (0, 0), float(sigma_px)), blur_sigma_px=float(sigma_px))


#: the nuisance set used by the tests and by ``bench/bench_compare.py --noise-floors``:
#: name -> function of a PhotoAnalysis
NUISANCES = {
    "roll_+3": lambda a: roll(a, 3.0),
    "roll_-3": lambda a: roll(a, -3.0),
    "scale_0.85": lambda a: rescale(a, 0.85),
    "scale_1.15": lambda a: rescale(a, 1.15),
    "shift": lambda a: shift(a, 37.0, -23.0),
    "bright_+15": lambda a: brightness(a, 1.15),
    "bright_-15": lambda a: brightness(a, 0.85),
    "gamma_0.8": lambda a: gamma(a, 0.8),
    "gamma_1.25": lambda a: gamma(a, 1.25),
    "white_balance": lambda a: white_balance(a, (1.08, 1.0, 0.92)),
    "jpeg_70": lambda a: jpeg(a, 70),
    "noise": lambda a: noise(a, 4.0, seed=1),
    "blur": lambda a: blur(a, 1.0),
    "identity": lambda a: _nuisance(a.photo.rgb, identity=True),
}


#: the small hand-held variation of every photo of a simulated study (:func:`photo_jitter`):
#: uniform in ±roll_deg, ±scale (fraction), ±brightness (fraction); Gaussian sensor noise
#: (SD, 8-bit levels); JPEG quality of the written file
DEFAULT_JITTER = dict(roll_deg=0.5, scale=0.01, brightness=0.03, noise=2.0, jpeg_quality=92)

#: a jittered photo's roll is at least this far from the original's, deg (when ``roll_deg`` exceeds it):
#: the jitter is one picture moved, re-lit and given new noise, with none of the small changes of the
#: face itself that make two separate captures two pictures, so a draw turned by less than 0.05 deg
#: was a re-saved copy to :func:`facemetrics.compare.copies.picture_difference` (7 of 63 draws; its
#: turn limit, ``NEAR_COPY_MAX_ROTATION_DEG``, 0.05 deg), and a simulated study left the zero-change
#: comparisons among them out of its fits: the fits saw only the photos that had changed.  Twice that
#: limit; a draw within it is moved out by it (the other draws, and the generator's stream, unchanged)
JITTER_MIN_ROLL_DEG = 0.1


def photo_jitter(rgb: np.ndarray, rng: np.random.Generator, ranges: dict) -> tuple[np.ndarray, dict]:
    """Small random roll, scale, brightness and sensor noise (no real change), as in :data:`DEFAULT_JITTER`.

    The roll is at least :data:`JITTER_MIN_ROLL_DEG` from 0 (a draw within it is moved out by it), so
    that a jittered photo is never a re-saved copy of its source to the comparison's check.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8 RGB
    rng : numpy.random.Generator
        Every draw comes from it (roll, scale, brightness, then the noise).
    ranges : dict
        ``roll_deg`` (deg), ``scale`` and ``brightness`` (fractions): uniform in
        ± that; ``noise``: Gaussian SD in 8-bit levels.  Missing keys: 0.

    Returns
    -------
    (ndarray, dict)
        The image (same shape, uint8) and what was drawn:
        ``jitter_roll_deg``, ``jitter_scale``, ``jitter_brightness``.
    """
    h, w = rgb.shape[:2]
    roll = float(rng.uniform(-1, 1) * ranges.get("roll_deg", 0.0))
    if ranges.get("roll_deg", 0.0) > JITTER_MIN_ROLL_DEG and abs(roll) < JITTER_MIN_ROLL_DEG:
        roll = math.copysign(JITTER_MIN_ROLL_DEG + abs(roll), roll)  # never the same picture (above)
    scale = 1.0 + float(rng.uniform(-1, 1) * ranges.get("scale", 0.0))
    bright = 1.0 + float(rng.uniform(-1, 1) * ranges.get("brightness", 0.0))
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), roll, scale)
    out = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    out = out.astype(np.float32) * bright
    sigma = float(ranges.get("noise", 0.0))
    if sigma > 0:
        out += rng.normal(0.0, sigma, out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).round().astype(np.uint8)
    return out, {"jitter_roll_deg": roll, "jitter_scale": scale, "jitter_brightness": bright}


def encode_png(rgb: np.ndarray) -> bytes:
    """A simulated ``(H, W, 3)`` uint8 RGB image as lossless PNG bytes (what :func:`facemetrics.analyze_photo` reads)."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return buf.tobytes()


# -----------------------------------------------------------------------------
# 3D re-rendering: the head turned or tilted, the camera moved
# -----------------------------------------------------------------------------
#
# Assumptions (each a parameter; the tests vary them to show the measurement
# does not hinge on them, docs/compare.md "3-D re-rendering"):
#
# - Depth.  Face Mesh gives a relative depth ``z`` per landmark, in the same
#   scale as ``x`` (px).  The skin at landmark ``i`` lies ``depth_scale *
#   (z_i - z_ref) * mm_per_px`` mm behind the plane of the irises.
# - Camera.  A pinhole at ``camera_mm`` from the iris plane, principal point
#   at the image centre, focal length ``camera_mm / mm_per_px`` px (so the
#   iris plane keeps the photo's own iris calibration).
# - Pivot.  The head turns about a point ``pivot_mm`` = (right, down, back)
#   from the pupil midpoint, in the face's levelled frame: by default the
#   upper neck (the atlanto-occipital joint lies about at the level of the
#   ear canals, some 9-10 cm behind the eyes).
# - Beyond the mesh.  The 468 mesh vertices move as the 3-D model says; two
#   rings of points around the face (12 and 35 mm outside the face oval,
#   :data:`RENDER_RING_MM`) move like the head at the oval's depth plus
#   :data:`RENDER_RING_DEPTH_MM` (ears, hair and neck sides lie further
#   back); the image border stays fixed (the background does not move).
#   The image is warped piecewise-affinely on a Delaunay triangulation of
#   those points (not per pixel through a depth map, unlike the comparison's
#   correction, :mod:`facemetrics.pose3d`).

#: assumed camera distance of a photo being re-rendered (iris plane), mm
RENDER_CAMERA_MM = 450.0
#: default head pivot from the pupil midpoint (levelled frame: right, down, back), mm
RENDER_PIVOT_MM = (0.0, 45.0, 95.0)
#: rings of warp points outside the face oval, mm
RENDER_RING_MM = (12.0, 35.0)
#: extra depth of the ring points beyond the depth of the nearest oval point, mm
RENDER_RING_DEPTH_MM = (10.0, 25.0)
#: the piecewise-affine map is evaluated every this many px and interpolated between
_RENDER_STEP_PX = 4



def _rotation(pitch_deg: float, yaw_deg: float, roll_deg: float) -> np.ndarray:
    """Head rotation in camera axes (x right, y down, z away from the camera).

    Signs follow :func:`facemetrics.geometry.head_pose`: pitch > 0 raises the
    chin, yaw > 0 turns the face towards the image right (the subject's
    left), roll > 0 tilts the head clockwise in the image.
    """
    a, b, c = np.radians([-pitch_deg, -yaw_deg, roll_deg])
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


def _depth_factor(analysis: PhotoAnalysis, xy: np.ndarray, depth_scale: float, lower_depth_scale: float) -> np.ndarray:
    """Depth multiplier at image points: ``depth_scale`` down to the nose base, times
    ``lower_depth_scale`` from the mouth corners' level down (smoothstep in between)."""
    from .geometry import MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE

    v = analysis.frame.to_mm(xy)[:, 1]
    uv = analysis.frame.to_mm(analysis.points[:, :2])
    v0 = uv[SUBNASALE, 1]
    v1 = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    w = _smoothstep((v - v0) / max(v1 - v0, 1e-6))
    return depth_scale * (1.0 + (lower_depth_scale - 1.0) * w)


def _render_points(analysis: PhotoAnalysis, depth_scale: float,
                   lower_depth_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Warp points ``(x, y)`` px of the photo and their depth behind the iris plane (mm).

    The 468 mesh vertices, then the rings outside the face oval.
    """
    pts = analysis.points
    k = analysis.calibration.mm_per_px
    z = pts[:, 2] * k
    z_ref = 0.5 * (z[468] + z[473])
    xy = pts[:468, :2]
    fac = _depth_factor(analysis, pts[:, :2], depth_scale, lower_depth_scale)
    depth = fac[:468] * (z[:468] - z_ref)
    from .geometry import FACE_OVAL

    oval = np.array(FACE_OVAL)
    centre = pts[oval, :2].mean(0)
    ring_xy, ring_d = [], []
    for dist, extra in zip(RENDER_RING_MM, RENDER_RING_DEPTH_MM):
        for i in oval:
            d = pts[i, :2] - centre
            d /= max(np.linalg.norm(d), 1e-9)
            ring_xy.append(pts[i, :2] + d * dist / k)
            ring_d.append(fac[i] * (z[i] - z_ref) + extra)
    return np.vstack([xy, np.array(ring_xy)]), np.concatenate([depth, np.array(ring_d)])


def _rerender(image: np.ndarray, new_xy: np.ndarray, src_xy: np.ndarray) -> np.ndarray:
    """Piecewise-affine warp moving ``src_xy`` to ``new_xy`` (border fixed); backward-mapped."""
    from scipy.interpolate import LinearNDInterpolator

    h, w = image.shape[:2]
    bx = np.linspace(0, w - 1, 9)
    by = np.linspace(0, h - 1, 9)
    border = np.array([(x, y) for x in bx for y in (0, h - 1)] + [(x, y) for y in by[1:-1] for x in (0, w - 1)],
                      dtype=np.float64)
    dst = np.vstack([new_xy, border])
    src = np.vstack([src_xy, border])
    s = _RENDER_STEP_PX
    gx = np.arange(0, w + s, s, dtype=np.float64)
    gy = np.arange(0, h + s, s, dtype=np.float64)
    mx, my = np.meshgrid(gx, gy)
    # the interpolator's barycentric transforms are ~1000 tiny LAPACK solves: with OpenBLAS's threads
    # they took 0.2-0.4 s of CPU per photo on a loaded 2-core machine, with one ~3 ms, the same digits
    # (facemetrics.threads; bench/bench_study_lift.py)
    with single_blas_thread():
        m = LinearNDInterpolator(dst, src)(mx, my)
    m[..., 0] = np.where(np.isfinite(m[..., 0]), m[..., 0], mx)
    m[..., 1] = np.where(np.isfinite(m[..., 1]), m[..., 1], my)
    # the coarse map samples the piecewise-affine map at multiples of s: upsample linearly
    full_x = cv2.resize(m[..., 0].astype(np.float32), (len(gx) * s, len(gy) * s), interpolation=cv2.INTER_LINEAR)
    full_y = cv2.resize(m[..., 1].astype(np.float32), (len(gx) * s, len(gy) * s), interpolation=cv2.INTER_LINEAR)
    # cv2.resize puts coarse sample j at (j + 0.5) * s - 0.5: shift by (s - 1) / 2 px
    off = int(round((s - 1) / 2.0))
    map_x = np.ascontiguousarray(full_x[off:off + h, off:off + w])
    map_y = np.ascontiguousarray(full_y[off:off + h, off:off + w])
    return cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _project_setup(analysis: PhotoAnalysis, camera_mm: float, depth_scale: float, lower_depth_scale: float = 1.0):
    img = analysis.photo.rgb
    h, w = img.shape[:2]
    k = analysis.calibration.mm_per_px
    f = camera_mm / k
    c = np.array([w / 2.0, h / 2.0])
    xy, depth = _render_points(analysis, depth_scale, lower_depth_scale)
    zc = camera_mm + depth
    # levelled camera axes: x along the pupil line, y down the face (the pinhole is symmetric about its axis)
    fr = analysis.frame
    rot2 = np.column_stack([fr.u_axis, fr.v_axis])  # levelled -> image axes
    d = (xy - c) @ rot2  # levelled px offsets from the principal point
    p3 = np.column_stack([d[:, 0] * zc / f, d[:, 1] * zc / f, zc])
    return xy, p3, f, c, rot2


def _project(p3: np.ndarray, f: float, c: np.ndarray, rot2: np.ndarray) -> np.ndarray:
    d = np.column_stack([f * p3[:, 0] / p3[:, 2], f * p3[:, 1] / p3[:, 2]])
    return c + d @ rot2.T


def _base_image(analysis: PhotoAnalysis, image) -> tuple[np.ndarray, dict]:
    if image is None:
        return analysis.photo.rgb, _zero_truth()
    if isinstance(image, Simulated):
        truth = _zero_truth()
        truth.update(image.truth)
        return image.image, truth
    return np.asarray(image), _zero_truth()


def head_pose(analysis: PhotoAnalysis, pitch_deg: float = 0.0, yaw_deg: float = 0.0, roll_deg: float = 0.0, *,
              image=None, camera_mm: float = RENDER_CAMERA_MM, pivot_mm=RENDER_PIVOT_MM,
              depth_scale: float = 1.0, lower_depth_scale: float = 1.0,
              camera_to_mm: float | None = None) -> Simulated:
    """Re-render the photo with the head rotated in 3-D (the skin itself unchanged).

    The Face Mesh points are un-projected with their depth (pinhole camera at
    ``camera_mm``), rotated about the neck pivot, projected again, and the
    image is warped piecewise-affinely between the old and new positions (see
    the assumptions above this function in the source, and
    ``docs/compare.md``).

    Parameters
    ----------
    analysis : PhotoAnalysis
        The measured photo whose mesh gives the 3-D shape.
    pitch_deg, yaw_deg, roll_deg : float
        Head rotation, degrees; pitch > 0 raises the chin, yaw > 0 turns the
        face towards the image right (the subject's left), roll > 0 tilts it
        clockwise in the image (signs of :func:`facemetrics.geometry.head_pose`).
    image : ndarray (H, W, 3) uint8 or Simulated, optional
        The image to re-render instead of ``analysis.photo.rgb`` (same size),
        e.g. ``lift(analysis, 2.0)``: its truth is carried over, so a lift
        photographed with the head tilted has the lift's truth.
    camera_mm : float
        Assumed camera distance to the iris plane, mm.
    pivot_mm : (3,) float
        Pivot from the pupil midpoint (right, down, back) in the face's
        levelled frame, mm.
    depth_scale : float
        Multiplier of the Face Mesh depth (the true face deeper or flatter
        than the mesh says).
    lower_depth_scale : float
        A further multiplier of the depth from the mouth corners' level down
        (fading in from the nose base): the lower face's depth wrong by a
        different amount than the upper face's, which no measurement that
        only sees the upper face can know.
    camera_to_mm : float, optional
        Also move the camera to this distance after the rotation, keeping the
        iris plane's scale (as :func:`camera_distance`): a hand-held photo
        taken at another pose *and* distance in one rendering.

    Returns
    -------
    Simulated
        ``truth`` has zero lifts (or the carried-over ones) and
        ``pitch_deg``, ``yaw_deg``, ``roll_deg``, ``camera_mm``,
        ``pivot_mm``, ``depth_scale``, ``lower_depth_scale`` and
        ``camera_distance_change_pct``.
    """
    _measured(analysis, "head_pose")
    for name, v in (("pitch_deg", pitch_deg), ("yaw_deg", yaw_deg), ("roll_deg", roll_deg)):
        _finite(name, v, -60.0, 60.0)  # beyond, the face's far side is not in the photo to re-render
    base, truth = _base_image(analysis, image)
    xy, p3, f, c, rot2 = _project_setup(analysis, camera_mm, depth_scale, lower_depth_scale)
    # pupil midpoint in 3-D (levelled camera axes)
    k = analysis.calibration.mm_per_px
    o = (analysis.frame.origin - c) @ rot2
    pupil = np.array([o[0] * k, o[1] * k, camera_mm])
    pivot = pupil + np.asarray(pivot_mm, dtype=np.float64)
    r = _rotation(pitch_deg, yaw_deg, roll_deg)
    moved = (p3 - pivot) @ r.T + pivot
    to = camera_mm if camera_to_mm is None else float(camera_to_mm)
    moved[:, 2] += to - camera_mm
    new_xy = _project(moved, f * to / camera_mm, c, rot2)
    out = _rerender(base, new_xy, xy)
    truth.update(camera_distance_change_pct=float(100.0 * (to / camera_mm - 1.0)), pitch_deg=float(pitch_deg), yaw_deg=float(yaw_deg), roll_deg=float(roll_deg),
                 camera_mm=float(camera_mm), pivot_mm=tuple(float(v) for v in pivot_mm),
                 depth_scale=float(depth_scale), lower_depth_scale=float(lower_depth_scale))
    return Simulated(out, truth)


def camera_distance(analysis: PhotoAnalysis, from_mm: float = RENDER_CAMERA_MM, to_mm: float = 350.0, *,
                    image=None, keep_size: bool = True, depth_scale: float = 1.0,
                    lower_depth_scale: float = 1.0) -> Simulated:
    """Re-render the photo as taken from another camera distance (perspective change).

    The camera moves along its axis from ``from_mm`` to ``to_mm`` from the
    iris plane.  With ``keep_size`` the focal length changes with it
    (``f' = f to / from``), so the iris plane keeps its scale and only the
    perspective changes: parts in front of the irises (the nose) grow, parts
    behind them (the jaw's sides, the ears) shrink as the camera comes
    closer.  Same model and assumptions as :func:`head_pose`.

    Returns
    -------
    Simulated
        ``truth`` has zero lifts (or the carried-over ones), ``camera_from_mm``,
        ``camera_to_mm`` and ``camera_distance_change_pct``
        (``100 (to / from - 1)``).
    """
    _measured(analysis, "camera_distance")
    if _finite("from_mm", from_mm) <= 0 or _finite("to_mm", to_mm) <= 0:
        raise ValueError(f"camera distances must be > 0 mm, got from_mm={from_mm!r}, to_mm={to_mm!r}")
    base, truth = _base_image(analysis, image)
    xy, p3, f, c, rot2 = _project_setup(analysis, from_mm, depth_scale, lower_depth_scale)
    moved = p3 + np.array([0.0, 0.0, to_mm - from_mm])
    f2 = f * (to_mm / from_mm) if keep_size else f
    new_xy = _project(moved, f2, c, rot2)
    out = _rerender(base, new_xy, xy)
    truth.update(camera_from_mm=float(from_mm), camera_to_mm=float(to_mm),
                 camera_distance_change_pct=float(100.0 * (to_mm / from_mm - 1.0)), depth_scale=float(depth_scale),
                 lower_depth_scale=float(lower_depth_scale))
    return Simulated(out, truth)


def _light_vector(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit vector towards a light at ``azimuth_deg`` (0 = from the camera, > 0 from the image's right, the
    subject's left) and ``elevation_deg`` (> 0 from above), in image ``(x right, y down, z towards the camera)``."""
    az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
    return np.array([math.sin(az) * math.cos(el), -math.sin(el), math.cos(az) * math.cos(el)])


def _face_height_px(analysis: PhotoAnalysis, shape: tuple[int, int]) -> np.ndarray:
    """A smooth face surface: height towards the camera (px) on every pixel, the least-squares quadratic in
    ``(x, y)`` through Face Mesh's 3-D landmarks (``-z``: Face Mesh's z grows away from the camera), a cap like an
    ellipsoid head's front; it holds no fold, no nose and no lips."""
    p = np.asarray(analysis.points, dtype=np.float64)[:468]
    c, s = p[:, :2].mean(0), p[:, :2].std(0).mean()
    x, y = (p[:, 0] - c[0]) / s, (p[:, 1] - c[1]) / s
    design = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)
    coef, *_ = np.linalg.lstsq(design, -p[:, 2], rcond=None)
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    xx, yy = (xx - c[0]) / s, (yy - c[1]) / s
    return (coef[0] + coef[1] * xx + coef[2] * yy + coef[3] * xx * xx + coef[4] * xx * yy
            + coef[5] * yy * yy).astype(np.float32)


def _groove_height_px(grooves, shape: tuple[int, int], mm_per_px: float, depth_mm: float,
                      width_mm: float) -> np.ndarray:
    """Grooves along the polylines ``grooves`` (each ``(n, 2)`` px): a Gaussian valley ``depth_mm`` deep whose
    full width at half depth is ``width_mm``, as a height (px, negative in the groove) on every pixel."""
    line = np.full(shape, 255, np.uint8)
    for g in grooves:
        cv2.polylines(line, [np.round(np.asarray(g, dtype=np.float64) * 16).astype(np.int32)], False, 0, 1,
                      cv2.LINE_AA, shift=4)
    dist_mm = np.minimum(cv2.distanceTransform(line, cv2.DIST_L2, 5) * mm_per_px, 50.0)
    sigma = width_mm / 2.3548
    return (-depth_mm / mm_per_px * np.exp(-0.5 * (dist_mm / sigma) ** 2)).astype(np.float32)


def _lambert(height: np.ndarray, light: np.ndarray, ambient: float) -> np.ndarray:
    """Lambertian shading (``ambient`` + the rest times the clipped cosine) of the surface ``height`` (px)."""
    gy, gx = np.gradient(height)
    n = np.stack([-gx, -gy, np.ones_like(gx)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    return ambient + (1.0 - ambient) * np.clip(n @ light.astype(np.float32), 0.0, None)


def relit(analysis: PhotoAnalysis, azimuth_deg: float, elevation_deg: float = 15.0, *,
          from_azimuth_deg: float = 0.0, from_elevation_deg: float = 15.0, ambient: float = 0.35, grooves=(),
          groove_depth_mm: float = 1.5, groove_width_mm: float = 4.5, feather_mm: float = 10.0,
          surface: str = "mesh", specular: float = 0.0, shininess: float = 20.0,
          nose_shadow: bool = False) -> Simulated:
    """The photo lit from another direction, its folds unchanged: the light-direction change of a before selfie
    in one room and an after selfie by a window (docs/robustness.md "Light from another side").

    Each pixel of the face (linear light, sRGB gamma 2.2) is multiplied by the ratio of two Lambertian renderings
    of one surface, under the new light (``azimuth_deg``, ``elevation_deg``) over the old (``from_azimuth_deg``,
    ``from_elevation_deg``): the smooth face of :func:`_face_height_px` (fitted to the 3-D landmarks) plus, along
    each polyline of ``grooves`` (px; e.g. the hand-placed smile lines of a ``.tem``, not the method's own fold
    line), a valley ``groove_depth_mm`` deep and ``groove_width_mm`` wide, whose near side brightens and far side
    darkens under a side light.  The ratio reaches ``feather_mm`` beyond the landmarks' hull (forehead, ears) and
    fades to 1 over about as much again outside (a seam-free change of the head's light), and is
    scaled so that the face's mean luminance stays (the gate's luminance check does not fire on it).

    Parameters
    ----------
    analysis : PhotoAnalysis
        A measured photo (``status == "ok"``).
    azimuth_deg, elevation_deg : float
        The new light: azimuth from the camera axis, > 0 from the image's right (the subject's left); elevation,
        > 0 from above (degrees).
    from_azimuth_deg, from_elevation_deg : float
        The light the photo was taken in (degrees; default slightly above the camera).
    ambient : float
        The share of light from everywhere (0-1).
    surface : {"mesh", "generic"}
        ``"mesh"``: the surface above, fitted to Face Mesh's 3-D landmarks.  ``"generic"``: a surface the light
        check does not share (:func:`_generic_head_mm`): an ellipsoid head with a nose ridge, eye sockets and
        cheek bulges, placed and sized from the two iris centres alone (their line, midpoint and distance; no other
        landmark, no 3-D point), the ratio applied inside the ellipsoid's outline (fading at its rim) rather than
        the landmarks' hull; computed on a 0.5 mm grid and resized to the photo.
    specular, shininess : float
        A Blinn-Phong highlight (viewer on the camera axis) of strength ``specular`` (0: none, Lambertian; e.g.
        0.3) and exponent ``shininess`` added to each rendering: skin's sheen, which moves with the light.
    nose_shadow : bool
        ``surface="generic"`` only: the direct light is blocked where the surface (the nose above all) lies
        between a point and the light, a cast shadow softened over about 1.5 mm (a light from the side throws the
        nose's shadow across the cheek and the fold).

    Returns
    -------
    Simulated
        The image; truth: zero lift and zero darkening, and the two light directions.
    """
    _measured(analysis, "relit")
    if surface not in ("mesh", "generic"):
        raise ValueError(f"surface must be 'mesh' or 'generic', not {surface!r}")
    if nose_shadow and surface != "generic":
        raise ValueError("nose_shadow needs surface='generic' (the mesh surface holds no nose)")
    _finite("specular", specular, 0.0, 1.0)
    if surface == "generic":
        return _relit_generic(analysis, azimuth_deg, elevation_deg, from_azimuth_deg, from_elevation_deg, ambient,
                              grooves, groove_depth_mm, groove_width_mm, specular, shininess, nose_shadow)
    img = analysis.photo.rgb
    shape, mm = img.shape[:2], float(analysis.frame.mm_per_px)
    height = _face_height_px(analysis, shape)
    if len(grooves):
        height = height + _groove_height_px(grooves, shape, mm, groove_depth_mm, groove_width_mm)
    ratio = (_shade(height, _light_vector(azimuth_deg, elevation_deg), ambient, specular, shininess)
             / _shade(height, _light_vector(from_azimuth_deg, from_elevation_deg), ambient, specular, shininess))
    hull = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.round(analysis.points[:468, :2]).astype(np.int32)), 1)
    k = max(int(round(feather_mm / mm)), 1)
    weight = cv2.dilate(hull, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    weight = cv2.GaussianBlur(weight.astype(np.float32), (0, 0), k / 2.0)
    linear = (img.astype(np.float32) / 255.0) ** 2.2
    grey = linear @ np.array([0.299, 0.587, 0.114], np.float32)
    inside = hull > 0
    ratio *= float(grey[inside].mean() / (grey * ratio)[inside].mean())
    ratio = 1.0 + weight * (ratio - 1.0)
    out = np.clip(linear * ratio[..., None], 0.0, 1.0) ** (1.0 / 2.2)
    truth = dict(_zero_truth(), azimuth_deg=float(azimuth_deg), elevation_deg=float(elevation_deg),
                 from_azimuth_deg=float(from_azimuth_deg), from_elevation_deg=float(from_elevation_deg))
    return Simulated(np.round(out * 255.0).astype(np.uint8), truth)


def _shade(height: np.ndarray, light: np.ndarray, ambient: float, specular: float = 0.0, shininess: float = 20.0,
           lit: np.ndarray | None = None) -> np.ndarray:
    """:func:`_lambert`, plus a Blinn-Phong highlight ``specular (n . h)^shininess`` (``h`` halfway between the
    light and the camera axis) where the light reaches the surface; ``lit`` (0-1, optional) scales the direct
    light and the highlight (a cast shadow)."""
    if specular == 0.0 and lit is None:
        return _lambert(height, light, ambient)
    gy, gx = np.gradient(height)
    n = np.stack([-gx, -gy, np.ones_like(gx)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    cos = n @ light.astype(np.float32)
    half = light + np.array([0.0, 0.0, 1.0])
    half /= np.linalg.norm(half)
    spec = np.where(cos > 0, np.clip(n @ half.astype(np.float32), 0.0, None) ** shininess, 0.0)
    direct = (1.0 - ambient) * np.clip(cos, 0.0, None) + specular * spec
    return ambient + direct * (1.0 if lit is None else lit)


#: the generic head of :func:`_generic_head_mm`, mm, for irises 63 mm apart (scaled by the photo's own iris
#: distance): the ellipsoid's half width, half height and depth, and its centre's drop below the eye line
GENERIC_HEAD_MM = (72.0, 105.0, 90.0, 25.0)
#: the generic face whose mean luminance :func:`relit` keeps on the generic head: an oval (centre's offset along and
#: below the eye line, half width, half height; mm for irises 63 mm apart) from the brows to the chin
GENERIC_FACE_MM = (0.0, 35.0, 60.0, 65.0)
#: the grid the generic surface is computed on, mm
GENERIC_GRID_MM = 0.5


def _generic_head_mm(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A generic head's height towards the camera (mm) at ``(u, v)`` mm from the eye midpoint (``u`` along the
    iris line, ``v`` down across it), for irises 63 mm apart, and its outline's radius (< 1 inside the ellipsoid).

    An ellipsoid (:data:`GENERIC_HEAD_MM`), plus a nose ridge on the midline rising from 6 mm at its root (5 mm
    below the eye line) to 20 mm at its tip (45 mm below), 7 mm wide (SD) and falling off below the tip over 6 mm;
    eye sockets 6 mm deep (SD 10 mm) at the irises; cheek bulges 5 mm high (SD 14 mm) 38 mm either side, 32 mm
    below the eye line.  Symmetric in ``u``: the mirror image of a photo gets the mirror image of the surface."""
    a, b, c, drop = GENERIC_HEAD_MM
    rho = (u / a) ** 2 + ((v - drop) / b) ** 2
    z = c * np.sqrt(np.clip(1.0 - rho, 0.0, None))
    ridge = np.where(v < 5.0, 6.0 * np.exp(-0.5 * ((v - 5.0) / 8.0) ** 2),
                     np.where(v <= 45.0, 6.0 + 14.0 * (v - 5.0) / 40.0, 20.0 * np.exp(-0.5 * ((v - 45.0) / 6.0) ** 2)))
    z = z + ridge * np.exp(-0.5 * (u / 7.0) ** 2)
    for su in (-31.5, 31.5):
        z = z - 6.0 * np.exp(-0.5 * (((u - su) / 10.0) ** 2 + (v / 10.0) ** 2))
    for su in (-38.0, 38.0):
        z = z + 5.0 * np.exp(-0.5 * (((u - su) / 14.0) ** 2 + ((v - 32.0) / 14.0) ** 2))
    return z, np.sqrt(rho)


def _cast_lit(height: np.ndarray, light: np.ndarray, step: float, reach: float, soft: float) -> np.ndarray:
    """1 where the light reaches each point of the height field ``height`` (grid units), 0 where the field rises
    above the ray towards ``light`` within ``reach`` grid units, softened by a Gaussian of ``soft`` grid units."""
    r = float(np.hypot(light[0], light[1]))
    if r < 1e-6:
        return np.ones_like(height)
    dx, dy, rise = light[0] / r, light[1] / r, light[2] / r
    h, w = height.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shadow = np.zeros(height.shape, bool)
    s = step
    while s <= reach:
        ahead = cv2.remap(height, xx + np.float32(s * dx), yy + np.float32(s * dy), cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
        shadow |= ahead > height + s * rise + 0.5
        s += step
    lit = 1.0 - shadow.astype(np.float32)
    return cv2.GaussianBlur(lit, (0, 0), soft) if soft > 0 else lit


def _relit_generic(analysis, azimuth_deg, elevation_deg, from_azimuth_deg, from_elevation_deg, ambient, grooves,
                   groove_depth_mm, groove_width_mm, specular, shininess, nose_shadow) -> Simulated:
    """:func:`relit` on the generic head (``surface="generic"``)."""
    img = analysis.photo.rgb
    shape, mm = img.shape[:2], float(analysis.frame.mm_per_px)
    p = np.asarray(analysis.points, dtype=np.float64)
    right, left = p[468, :2], p[473, :2]  # the iris centres: the only landmarks the surface is placed from
    mid, axis = (right + left) / 2.0, left - right
    ipd_px = float(np.linalg.norm(axis))
    if not ipd_px > 0:
        raise ValueError("relit: the two iris centres coincide")
    eu = axis / ipd_px
    ev = np.array([-eu[1], eu[0]])  # down across the iris line (the image's y grows downwards)
    if ev[1] < 0:
        ev = -ev
    k = 63.0 / (ipd_px * mm)  # generic mm per real mm: the head scaled to this face's iris distance
    g = GENERIC_GRID_MM
    f = mm / g  # grid cells per photo pixel
    gh, gw = max(int(round(shape[0] * f)), 8), max(int(round(shape[1] * f)), 8)
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float64)
    dx, dy = (xx + 0.5) / f - 0.5 - mid[0], (yy + 0.5) / f - 0.5 - mid[1]  # photo px from the eye midpoint
    u, v = (dx * eu[0] + dy * eu[1]) * mm * k, (dx * ev[0] + dy * ev[1]) * mm * k
    z_mm, rho = _generic_head_mm(u, v)
    height = (z_mm / k / g).astype(np.float32)  # grid cells
    if len(grooves):
        scaled = [np.asarray(gr, dtype=np.float64) * f for gr in grooves]
        height = height + _groove_height_px(scaled, (gh, gw), g, groove_depth_mm, groove_width_mm)
    new, old = _light_vector(azimuth_deg, elevation_deg), _light_vector(from_azimuth_deg, from_elevation_deg)
    lit_new = lit_old = None
    if nose_shadow:
        reach, soft = 60.0 / g, 1.5 / g
        lit_new, lit_old = (_cast_lit(height, lv, 1.0, reach, soft) for lv in (new, old))
    ratio = (_shade(height, new, ambient, specular, shininess, lit_new)
             / _shade(height, old, ambient, specular, shininess, lit_old)).astype(np.float32)
    # inside the ellipsoid's outline, fading over its outer tenth (its rim is a cliff in the height field)
    weight = np.clip((1.0 - rho) / 0.1, 0.0, 1.0).astype(np.float32)
    ratio = cv2.resize(ratio, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    weight = cv2.resize(weight, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    linear = (img.astype(np.float32) / 255.0) ** 2.2
    grey = linear @ np.array([0.299, 0.587, 0.114], np.float32)
    # scaled so that the mean luminance of the generic face (:data:`GENERIC_FACE_MM`, an oval from the brows to
    # the chin placed like the head) stays: the gate's luminance check does not fire on it; the background
    # (weight 0) is left as it is.  Feathered, the ratio is 1 + w (c r - 1): c keeps the face's mean
    fu, fv, fa, fb = GENERIC_FACE_MM
    face = cv2.resize((((u - fu) / fa) ** 2 + ((v - fv) / fb) ** 2 < 1.0).astype(np.uint8), (shape[1], shape[0]),
                      interpolation=cv2.INTER_NEAREST) > 0
    gw_ = (grey * weight)[face]
    c = float(gw_.sum() / max(float((gw_ * ratio[face]).sum()), 1e-12)) if face.any() else 1.0
    ratio = 1.0 + weight * (ratio * c - 1.0)
    out = np.clip(linear * ratio[..., None], 0.0, 1.0) ** (1.0 / 2.2)
    truth = dict(_zero_truth(), azimuth_deg=float(azimuth_deg), elevation_deg=float(elevation_deg),
                 from_azimuth_deg=float(from_azimuth_deg), from_elevation_deg=float(from_elevation_deg),
                 surface="generic", specular=float(specular), nose_shadow=bool(nose_shadow))
    return Simulated(np.round(out * 255.0).astype(np.uint8), truth)
