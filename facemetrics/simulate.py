"""Images with a known change, made from real photos: the ground truth that
the measurements are tested against.

Every function returns a :class:`Simulated` with the new image and the truth
(millimetres, fractions) so that tests assert against numbers.

- :func:`lift`: the lower face moved up by a given number of mm (both sides
  or one side), a smooth displacement field placed with the photo's own
  landmarks and iris calibration; truth per region of
  :data:`facemetrics.compare.REGIONS`.
- :func:`deepen_fold`: a nasolabial valley darkened by a given fraction.
- Nuisances with no real change (truth: zero lift, zero darkening):
  :func:`roll`, :func:`rescale`, :func:`shift`, :func:`brightness`,
  :func:`gamma`, :func:`white_balance`, :func:`jpeg`, :func:`noise`,
  :func:`blur`; :data:`NUISANCES` is the set the tests and the noise-floor
  validation use.

Images are ``(H, W, 3)`` uint8 RGB; points are ``(x, y)`` px; the levelled
frame's ``v`` points down the face, so a lift is a negative ``v`` change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .analyze import PhotoAnalysis


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
    """
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

    @classmethod
    def from_analysis(cls, analysis: PhotoAnalysis, side: str = "both") -> "LiftField":
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
        return cls(v_top, v_full, jaw[order, 0], jaw[order, 1], float(side_pts[:, 0].min()),
                   float(side_pts[:, 0].max()), float(0.5 * (uv[SUBNASALE, 0] + uv[CHIN, 0])), side)

    def weight(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``w`` at levelled ``(u, v)`` mm (arrays of one shape)."""
        v_jaw = np.interp(u, self.jaw_u, self.jaw_v)
        w = _smoothstep((v - self.v_top) / max(self.v_full - self.v_top, 1e-6))
        w = w * (1.0 - _smoothstep((v - v_jaw) / LIFT_FADE_BELOW_MM))
        w = w * (1.0 - _smoothstep((self.u_right_edge - u) / LIFT_FADE_LATERAL_MM))
        w = w * (1.0 - _smoothstep((u - self.u_left_edge) / LIFT_FADE_LATERAL_MM))
        if self.side in ("left", "right"):
            t = (u - self.u_mid + LIFT_FADE_MIDLINE_MM) / (2 * LIFT_FADE_MIDLINE_MM)
            s = _smoothstep(t)  # 0 on the subject's right (negative u), 1 on the left
            w = w * (s if self.side == "left" else 1.0 - s)
        return w


def _lift_truth(analysis: PhotoAnalysis, fld: LiftField, mm: float) -> dict:
    """Truth per region: the robust mean of the true upward displacement over the
    region masks that :func:`facemetrics.compare.compare_photos` measures."""
    from .align import make_grid
    from .compare import REGIONS, region_lifts, region_masks

    grid = make_grid(analysis.points, analysis.frame)
    u, v = grid.uv_maps()
    lift = (mm * fld.weight(u, v)).astype(np.float32)
    masks = region_masks(analysis.frame.to_mm(analysis.points[:, :2]), grid)
    lifts = region_lifts(lift, masks)
    truth = {}
    for region in REGIONS:
        truth[f"{region}_lift_right_mm"] = lifts[region]["right"]
        truth[f"{region}_lift_left_mm"] = lifts[region]["left"]
        truth[f"{region}_lift_mm"] = lifts[region]["mean"]
    return truth


def _zero_truth() -> dict:
    from .compare import REGIONS

    truth = {}
    for region in REGIONS:
        truth.update({f"{region}_lift_right_mm": 0.0, f"{region}_lift_left_mm": 0.0, f"{region}_lift_mm": 0.0})
    truth.update(nlf_darkening_right=0.0, nlf_darkening_left=0.0)
    return truth


def lift(analysis: PhotoAnalysis, mm: float, side: str = "both") -> Simulated:
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

    Returns
    -------
    Simulated
        ``image`` of the same size as ``analysis.photo.rgb``; ``truth`` has,
        for every region of :data:`facemetrics.compare.REGIONS`,
        ``{region}_lift_right_mm``, ``{region}_lift_left_mm`` and
        ``{region}_lift_mm`` (their mean): the same robust mean of the true
        displacement over the same region masks that the comparison uses.
        The jawline band lies where the field is full, so for ``side="both"``
        ``jawline_lift_mm == mm``; the cheek (above the nose base) is 0.
        Also ``lift_mm`` (= ``mm``) and ``side``.
    """
    if side not in ("both", "left", "right"):
        raise ValueError(f"side must be 'both', 'left' or 'right', not {side!r}")
    fld = LiftField.from_analysis(analysis, side)
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
        return Simulated(out, dict(_zero_truth(), lift_mm=float(mm), side=side))
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
    truth = _zero_truth()
    truth.update(_lift_truth(analysis, fld, mm))
    truth.update(lift_mm=float(mm), side=side)
    return Simulated(out, truth)


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


def __getattr__(name: str):
    """``simulate.study`` and its design constants live in :mod:`facemetrics.study`
    (imported lazily: study itself builds on :func:`lift`)."""
    if name in ("study", "true_change", "DEFAULT_DESIGN", "DEFAULT_JITTER"):
        from . import study as _study

        return getattr(_study, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
