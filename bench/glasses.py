"""A sunglasses simulator that does not share the registration's lens ellipse (``align.lens_mask``).

``bench_eyes.sunglasses`` paints a uniform ellipse about each pupil, the shape ``align.lens_mask`` leaves out of
the rigid mask: a bench with it cannot find what a real pair of sunglasses does that an ellipse does not.  Here the
glasses are built from the photo's own landmarks (pupils, eye corners, brows, nose, face contour) and from real
frame sizes, not from ``align``'s constants:

- lenses of three shapes: ``wayfarer`` (a rounded trapezoid, wider at the top), ``aviator`` (a teardrop whose
  lower part reaches below the eye onto the cheek, towards the nose) and ``round`` (a small circle);
- a lens half-width ``size`` x IPD (0.35-0.55 in the benches), the lenses' inner edges a bridge apart
  (real frames: lens width + bridge > IPD, so the lens centres sit a little outside the pupils);
- a dark frame rim ``rim_mm`` (1-3 mm) round each lens, a bridge over the nose (an aviator also has a top bar),
  temple arms from the lenses' outer top corners to the face contour towards the ears;
- a lens that transmits a little of the face behind it (category 3-4 lenses: 3-18 %; the benches 2-6 %; a
  gradient lens: darker at the top), with a soft reflection;
- a soft shadow of the frame on the cheek (light from above: the frame's outline moved down and blurred);
- ``seat``: the whole pair moved by ``(dx, dy)`` mm and tilted ``tilt`` degrees, for glasses taken off and put
  back on between two photos.

Coordinates: image ``(x, y)`` px, ``y`` down; the subject's right eye is on the image's left.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from facemetrics.geometry import LEFT_IRIS, RIGHT_IRIS

STYLES = ("wayfarer", "aviator", "round")
#: Face Mesh points used: eye corners (outer, inner) per eye, brows' upper middle, the face contour at the temples
_OUTER = {RIGHT_IRIS: 33, LEFT_IRIS: 263}
_CONTOUR = {RIGHT_IRIS: (127, 234), LEFT_IRIS: (356, 454)}
_NOSE_TOP = 168


@dataclass(frozen=True)
class Glasses:
    """One pair of sunglasses, sizes relative to the photo's IPD unless ``_mm``.

    Attributes
    ----------
    style : str
        One of :data:`STYLES`.
    size : float
        Lens half-width in units of the pupil distance (0.35-0.55).
    rim_mm : float
        Frame rim thickness, mm (0 for rimless).
    bridge_mm : float
        Gap between the lenses' inner edges at the nose, mm (real frames: 14-22).
    transmission : float
        Fraction of the face behind the lens that shows through (top of the lens for a gradient lens).
    gradient : bool
        Lens lighter towards its bottom (transmission up to 3x at the bottom edge).
    shadow : float
        Depth of the frame's shadow on the skin (0: none, 0.3: the skin 30 % darker under the rim).
    seat : tuple of float
        ``(dx_mm, dy_mm, tilt_deg)``: the whole pair moved (x right, y down on the image) and tilted.
    """

    style: str = "wayfarer"
    size: float = 0.45
    rim_mm: float = 2.0
    bridge_mm: float = 18.0
    transmission: float = 0.10
    gradient: bool = False
    shadow: float = 0.25
    seat: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def reseated(self, dx_mm: float, dy_mm: float, tilt_deg: float) -> "Glasses":
        """The same pair put back on, moved by ``(dx_mm, dy_mm)`` and tilted by ``tilt_deg``."""
        s = self.seat
        return Glasses(self.style, self.size, self.rim_mm, self.bridge_mm, self.transmission, self.gradient,
                       self.shadow, (s[0] + dx_mm, s[1] + dy_mm, s[2] + tilt_deg))


def _outline(style: str, n: int = 96) -> np.ndarray:
    """Lens outline in lens units: ``u`` from -1 (nose side) to +1 (temple side), ``v`` down, shape (n, 2)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    c, s = np.cos(t), np.sin(t)  # s > 0: lower half
    if style == "round":
        return np.stack([c, s], 1)
    if style == "wayfarer":
        # superellipse (n = 4): nearly rectangular, 0.72 as high as wide, the bottom 15 % narrower, the
        # temple-side top corner raised
        e = 0.5
        u = np.sign(c) * np.abs(c) ** e
        v = 0.72 * np.sign(s) * np.abs(s) ** e
        u = u * (1 - 0.15 * (v / 0.72 + 1) / 2)
        v = v - 0.10 * np.clip(u, 0, None) * (v < 0)
        return np.stack([u, v], 1)
    if style == "aviator":
        # flat-ish top, the lower half deep (1.15 half-widths below the centre) and drawn towards the nose
        u = c - 0.28 * np.clip(s, 0, None) ** 1.5 * (1 + c) / 2
        v = np.where(s < 0, 0.62 * s, 1.15 * s)
        return np.stack([u, v], 1)
    raise ValueError(f"unknown style {style!r}: one of {STYLES}")


def _centre_drop(style: str) -> float:
    """Lens centre below the pupil, lens half-widths (an aviator sits low, reaching onto the cheek)."""
    return {"wayfarer": 0.10, "aviator": 0.18, "round": 0.0}[style]


def geometry(pts: np.ndarray, mm_per_px: float, g: Glasses) -> dict:
    """The pair's outlines on the photo, px.

    Parameters
    ----------
    pts : ndarray, shape (478, >= 2)
        Face Mesh landmarks, image ``(x, y)`` px.
    mm_per_px : float
        Scale of the photo (the frame's mm are drawn with it).
    g : Glasses

    Returns
    -------
    dict
        ``lenses``: two (n, 2) float outlines (subject's right, left); ``bridges``: polylines over the nose;
        ``arms``: two polylines to the face contour; ``rim_px``: rim thickness, px.
    """
    p = np.asarray(pts, np.float64)[:, :2]
    pr, pl = p[RIGHT_IRIS], p[LEFT_IRIS]
    ipd = float(np.linalg.norm(pl - pr))
    ex = (pl - pr) / ipd                       # along the eyes, towards the subject's left (image right)
    ey = np.array([-ex[1], ex[0]])             # down the face
    mid = (pr + pl) / 2
    dx, dy, tilt = g.seat
    shift = np.array([dx, dy]) / mm_per_px
    th = np.deg2rad(tilt)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])

    def place(q):  # about the pair's middle, then moved
        return (q - mid) @ rot.T + mid + shift

    w = g.size * ipd
    half_bridge = 0.5 * g.bridge_mm / mm_per_px
    lenses, tops = [], []
    for sign, iris in ((-1, RIGHT_IRIS), (1, LEFT_IRIS)):
        # lens centre: its inner edge half a bridge from the middle, at the pupils' height (+ the style's drop)
        centre = mid + sign * (half_bridge + w) * ex + _centre_drop(g.style) * w * ey
        uv = _outline(g.style)
        xy = centre + (sign * uv[:, :1] * w) * ex + (uv[:, 1:] * w) * ey
        lenses.append(place(xy))
        top_v = uv[:, 1].min()
        tops.append((centre, top_v))
    # bridge: an arch from one lens's inner top third to the other's, over the nose top
    bridges = []
    (cr, vr), (cl, vl) = tops
    a = cr + (w * 0.95) * ex + (0.35 * vr * w) * ey
    b = cl - (w * 0.95) * ex + (0.35 * vl * w) * ey
    apex = (a + b) / 2 - 0.06 * ipd * ey
    bridges.append(place(np.array([a, apex, b])))
    if g.style == "aviator":  # the top bar
        a2 = cr + (w * 0.7) * ex + (vr * w * 0.98) * ey
        b2 = cl - (w * 0.7) * ex + (vl * w * 0.98) * ey
        bridges.append(place(np.array([a2, (a2 + b2) / 2, b2])))
    arms = []
    for (centre, top_v), iris, sign in zip(tops, (RIGHT_IRIS, LEFT_IRIS), (-1, 1)):
        start = centre + sign * 0.98 * w * ex + 0.7 * top_v * w * ey
        k1, k2 = _CONTOUR[iris]
        end = (p[k1] + p[k2]) / 2
        end = end + ((start - end) @ ey) * ey * 0.8  # towards the ear, about the hinge's height
        arms.append(place(np.array([start, end + sign * 0.08 * ipd * ex])))
    return dict(lenses=lenses, bridges=bridges, arms=arms, rim_px=g.rim_mm / mm_per_px, ipd=ipd, ey=ey)


def masks(shape: tuple[int, int], geo: dict) -> tuple[np.ndarray, np.ndarray]:
    """``(lens, frame)`` float masks (0-1, anti-aliased) of :func:`geometry`'s outlines on an image of ``shape``."""
    h, w = shape
    lens = np.zeros((h, w), np.uint8)
    frame = np.zeros((h, w), np.uint8)
    s = 16
    for poly in geo["lenses"]:
        q = np.round(poly * s).astype(np.int32)
        cv2.fillPoly(lens, [q], 255, cv2.LINE_AA, shift=4)
    rim = max(int(round(geo["rim_px"])), 0)
    if rim > 0:
        for poly in geo["lenses"]:
            q = np.round(poly * s).astype(np.int32)
            cv2.polylines(frame, [q], True, 255, rim, cv2.LINE_AA, shift=4)
    bar = max(int(round(max(geo["rim_px"], 1.5 * geo["rim_px"], 2.0))), 1)
    for line in geo["bridges"] + geo["arms"]:
        q = np.round(line * s).astype(np.int32)
        cv2.polylines(frame, [q], False, 255, bar, cv2.LINE_AA, shift=4)
    return lens / 255.0, frame / 255.0


def wear(rgb: np.ndarray, pts: np.ndarray, mm_per_px: float, g: Glasses) -> np.ndarray:
    """``rgb`` (H, W, 3) uint8 with the pair ``g`` on the face of landmarks ``pts`` (px); same shape and dtype."""
    geo = geometry(pts, mm_per_px, g)
    lens, frame = masks(rgb.shape[:2], geo)
    img = rgb.astype(np.float32)
    # the frame's shadow: its outline (lens rims, bridge, arms) and the lens edge moved down ~3 mm, blurred ~2 mm
    if g.shadow > 0:
        edge = np.clip(frame + cv2.morphologyEx(lens, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)), 0, 1)
        d = 3.0 / mm_per_px
        m = np.float32([[1, 0, d * geo["ey"][0]], [0, 1, d * geo["ey"][1]]])
        sh = cv2.warpAffine(edge.astype(np.float32), m, (rgb.shape[1], rgb.shape[0]))
        sh = cv2.GaussianBlur(sh, (0, 0), max(2.0 / mm_per_px, 0.8))
        sh = np.clip(sh / max(sh.max(), 1e-6), 0, 1) * (1 - lens)
        img *= (1 - g.shadow * sh)[..., None]
    # the lens: a little of the face through a dark grey-green tint, a soft reflection from the upper left
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.full((h, w), g.transmission, np.float32)
    if g.gradient:
        ys = np.concatenate([poly[:, 1] for poly in geo["lenses"]])
        y0, y1 = ys.min(), ys.max()
        t = g.transmission * (1 + 2 * np.clip((yy - y0) / max(y1 - y0, 1), 0, 1))
    tint = np.array([22, 26, 24], np.float32)
    refl = 10 * np.clip(1 - ((xx - xx.mean()) * 0.3 + (yy - geo["lenses"][0][:, 1].min())) / max(geo["ipd"], 1), 0, 1)
    through = img * t[..., None] + tint * (1 - t[..., None]) + refl[..., None]
    img = img * (1 - lens[..., None]) + through * lens[..., None]
    # the frame: near-black acetate / metal with a faint highlight
    img = img * (1 - frame[..., None]) + np.array([18, 16, 15], np.float32) * frame[..., None]
    return img.clip(0, 255).astype(np.uint8)


def pair_for(i: int) -> tuple[Glasses, tuple[float, float, float]]:
    """The glasses of the ``i``-th bench face and how they are re-seated in its after photo (fixed by ``i``).

    Cycles the styles; size 0.35-0.55 IPD, rim 1-3 mm, transmission 2-6 % (the aviators: gradient lenses);
    re-seated by 1.5-3 mm down or up, up to 1.5 mm sideways and 1-2 deg of tilt.
    """
    rng = np.random.default_rng(1000 + i)
    style = STYLES[i % 3]
    size = {"round": rng.uniform(0.35, 0.42), "wayfarer": rng.uniform(0.40, 0.50),
            "aviator": rng.uniform(0.45, 0.55)}[style]
    g = Glasses(style=style, size=float(size), rim_mm=float(rng.uniform(1.0, 3.0)), bridge_mm=float(rng.uniform(14, 22)),
                transmission=float(rng.uniform(0.02, 0.06)), gradient=style == "aviator",
                shadow=float(rng.uniform(0.15, 0.35)))
    dy = float(rng.choice([-1, 1]) * rng.uniform(1.5, 3.0))
    seat = (float(rng.uniform(-1.5, 1.5)), dy, float(rng.choice([-1, 1]) * rng.uniform(1.0, 2.0)))
    return g, seat
