"""A skin-coloured hand over one jaw side and a jaw on a background of skin's colour (stop 40, h2).

Used by ``bench/bench_jaw_covers.py --h2``.  The simulator draws from the clean photo's Face Mesh landmarks and
iris mm scale and from ANOTHER face of the same split (the donor: its cheek colour and skin texture); it does
not read the per-photo check's cells, the jaw refinement or the lower-face features below.

- ``hand_skin``: a hand over one jaw side: four fingers (capsules 15-18 mm wide, 60-80 mm long, 0.3-1.0 mm
  apart) pointing up towards the ear (5-35 deg from vertical) from a base 0-12 mm below the Face Mesh jaw line
  between the gonion and the jowl, a palm (an ellipse) below them over the neck; each finger shaded as a
  cylinder (x (1 - 0.22 u²) across it), two knuckle creases, a lighting ramp of +-10 % across the hand in a
  random direction; the donor's cheek colour x 0.92-1.08 and its skin texture (its L* less its 2 mm blur,
  resampled to this photo's mm/px); a contact shadow (25 %, 2 mm) on the face around the hand and in the gaps.
- ``bg_skin``: the studio background (flood-filled from the image's top corners and side edges, within 20 grey
  levels a channel of the seed, below the pupil line, never within 5 mm inside the Face Mesh oval) painted the
  face's own cheek colour x 0.95-1.0 with +-4 % low-frequency shading and mild noise: the jaw edge against a
  background of skin's colour, up to the real silhouette (stop 39's ``bg_neck`` stopped 3 mm outside the oval).

Per-photo features (:func:`lower_face_features`), per subject side, read at 0.5 mm/px:

- ``tex{T}_{side}``: the fraction of the side's lower-cheek region whose L* gradient (Sobel after a 0.5 mm
  Gaussian) exceeds T L*/mm, T in :data:`TEX_LIMITS`; the region: the Face Mesh face oval eroded by 3 mm, below
  the subnasale (2), outward of the side's mouth corner by 3 mm;
- ``oval_{side}``: the mean distance (mm) of the refined jaw contour from the Face Mesh lower oval, over the
  contour points below the higher gonion on that side of the chin.
"""

from __future__ import annotations

import cv2
import numpy as np

from facemetrics.geometry import CHIN, FACE_OVAL, GONION_LEFT, GONION_RIGHT, JAW_CHAIN_LEFT, JAW_CHAIN_RIGHT, \
    LOWER_OVAL, MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE

#: gradient limits of the texture features, L* per mm
TEX_LIMITS = (2.0, 4.0, 8.0)
#: resolution the features are read at, mm/px
FEATURE_MM = 0.5
SIDES = ("right", "left")


# ----------------------------------------------------------------------------------------- donor skin
def donor_skin(x) -> dict:
    """The donor's cheek colour (RGB, median within 5 mm of the malar points) and its skin texture: L* less its
    2 mm blur over a 14 mm square at the subject's right cheek, in L* units, with its mm/px."""
    p, mmpp = x.points[:, :2], x.mm_per_px
    rgb = x.photo.rgb
    r = int(max(2, 5 / mmpp))
    px = [rgb[int(p[k, 1]) - r:int(p[k, 1]) + r, int(p[k, 0]) - r:int(p[k, 0]) + r].reshape(-1, 3) for k in (50, 280)]
    colour = np.median(np.concatenate(px), axis=0).astype(np.float32)
    h = int(7 / mmpp)
    cx, cy = int(p[50, 0]), int(p[50, 1])
    patch = rgb[max(0, cy - h):cy + h, max(0, cx - h):cx + h]
    lab = cv2.cvtColor(patch, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100 / 255)
    hp = lab - cv2.GaussianBlur(lab, (0, 0), 2 / mmpp)
    return {"colour": colour, "texture": hp, "mmpp": float(mmpp)}


def _tiled(tex: np.ndarray, tex_mmpp: float, mmpp: float, shape) -> np.ndarray:
    """The texture resampled to ``mmpp`` and mirror-tiled to ``shape``."""
    f = tex_mmpp / mmpp
    t = cv2.resize(tex, (max(4, int(tex.shape[1] * f)), max(4, int(tex.shape[0] * f))), interpolation=cv2.INTER_LINEAR)
    t = np.concatenate([t, t[::-1]], 0)
    t = np.concatenate([t, t[:, ::-1]], 1)
    reps = (shape[0] // t.shape[0] + 1, shape[1] // t.shape[1] + 1)
    return np.tile(t, reps)[:shape[0], :shape[1]]


def _capsule(mask, p0, p1, r):
    cv2.line(mask, tuple(int(v) for v in p0), tuple(int(v) for v in p1), 1, max(1, int(2 * r)), cv2.LINE_8)
    cv2.circle(mask, tuple(int(v) for v in p1), int(r), 1, -1)


def layer_hand_skin(a, rng, donor: dict):
    """(opacity (H, W), colour (H, W, 3) float, description) of a donor-skinned hand over one jaw side of ``a``."""
    h, w = a.photo.rgb.shape[:2]
    mmpp = a.mm_per_px
    p = a.points[:, :2]
    side = "right" if rng.random() < 0.5 else "left"
    g = p[GONION_RIGHT if side == "right" else GONION_LEFT]
    chain = list(JAW_CHAIN_RIGHT if side == "right" else JAW_CHAIN_LEFT)
    mx = p[MOUTH_RIGHT if side == "right" else MOUTH_LEFT, 0]
    jowl = p[chain[int(np.argmin(np.abs(p[chain, 0] - mx)))]]
    outward = -1.0 if g[0] < p[CHIN, 0] else 1.0  # image x direction away from the chin on this side
    t = rng.uniform(0.2, 0.6)
    base = g + t * (jowl - g) + (0, rng.uniform(0, 12) / mmpp)
    tilt = np.deg2rad(rng.uniform(5, 35))
    d = np.array([outward * np.sin(tilt), -np.cos(tilt)])  # along the fingers (up, towards the ear)
    n = np.array([-d[1], d[0]])  # across the fingers
    widths = rng.uniform(15, 18, 4) / mmpp
    gaps = rng.uniform(0.3, 1.0, 3) / mmpp
    L = rng.uniform(60, 80) / mmpp
    lengths = L * np.array([0.85, 1.0, 0.95, 0.78])
    total = widths.sum() + gaps.sum()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rel = np.stack([xx - base[0], yy - base[1]], -1)
    along = rel @ d.astype(np.float32)
    across = rel @ n.astype(np.float32)
    hand = np.zeros((h, w), np.uint8)
    shade = np.ones((h, w), np.float32)
    pos = -total / 2
    for k in range(4):
        c = pos + widths[k] / 2
        r = widths[k] / 2
        m = np.zeros((h, w), np.uint8)
        _capsule(m, base + n * c, base + n * c + d * (lengths[k] - r), r)
        fm = m.astype(bool)
        u = np.clip((across - c) / r, -1, 1)
        sh = 1 - 0.22 * u ** 2
        for q in (0.35, 0.65):  # knuckle creases
            sh = sh - 0.18 * np.exp(-0.5 * ((along - q * lengths[k]) / (0.5 / mmpp)) ** 2) * (np.abs(u) < 0.8)
        shade = np.where(fm, sh, shade)
        hand |= m
        pos += widths[k] + (gaps[k] if k < 3 else 0)
    palm = np.zeros((h, w), np.uint8)
    pc = base - d * (35 / mmpp)
    ang = float(np.degrees(np.arctan2(n[1], n[0])))
    cv2.ellipse(palm, (int(pc[0]), int(pc[1])), (int(total / 2 * 1.05), int(45 / mmpp)), ang, 0, 360, 1, -1)
    pm = palm.astype(bool) & ~hand.astype(bool)
    ru = np.clip(across / (total / 2), -1, 1)
    shade = np.where(pm, 1 - 0.15 * ru ** 2, shade)
    hand |= palm
    ramp_dir = rng.uniform(0, 2 * np.pi)
    ramp = 1 + 0.10 * ((rel @ np.float32([np.cos(ramp_dir), np.sin(ramp_dir)])) / (60 / mmpp))
    shade = shade * np.clip(ramp, 0.85, 1.15)
    tone = rng.uniform(0.92, 1.08) * (1 + rng.uniform(-0.03, 0.03, 3))
    colour = donor["colour"] * tone
    tex = _tiled(donor["texture"], donor["mmpp"], mmpp, (h, w))
    col = colour[None, None, :] * shade[..., None] + (tex * 2.55)[..., None] + rng.normal(0, 1.5, (h, w, 3))
    s = max(0.5 / mmpp / 2.0, 0.5)
    al_hand = np.clip(cv2.GaussianBlur(hand.astype(np.float32), (0, 0), s), 0, 1)
    # contact shadow: 25 % darker within ~2 mm around the hand (and in the finger gaps)
    near = cv2.GaussianBlur(hand.astype(np.float32), (0, 0), 1.0 / mmpp)
    sh_al = 0.25 * np.clip(near * 2, 0, 1) * (1 - al_hand)
    al = al_hand + sh_al
    colr = (al_hand[..., None] * col) / np.maximum(al, 1e-6)[..., None]  # the shadow is black at sh_al
    desc = f"{side} tilt={np.degrees(tilt):.0f} L={L * mmpp:.0f}"
    return np.clip(al, 0, 1).astype(np.float32), np.clip(colr, 0, 255).astype(np.float32), desc


def layer_bg_skin(a, rng):
    """(opacity, colour, description): the studio background below the pupil line painted the cheek's colour."""
    h, w = a.photo.rgb.shape[:2]
    mmpp = a.mm_per_px
    p = a.points[:, :2]
    rgb = np.ascontiguousarray(a.photo.rgb)
    bg = np.zeros((h + 2, w + 2), np.uint8)
    seeds = [(0, 0), (w - 1, 0)] + [(x, int(y)) for x in (0, w - 1) for y in np.linspace(0, h - 1, 8)]
    for sx, sy in seeds:
        if bg[sy + 1, sx + 1]:
            continue
        cv2.floodFill(rgb.copy(), bg, (sx, sy), (0, 0, 0), (20, 20, 20), (20, 20, 20),
                      4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8))
    m = bg[1:-1, 1:-1].astype(bool)
    face = np.zeros((h, w), np.uint8)
    cv2.fillPoly(face, [np.round(p[list(FACE_OVAL)]).astype(np.int32)], 1)
    r = max(1, int(round(5.0 / mmpp)))
    inner = cv2.erode(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    yy = np.arange(h)[:, None]
    pupil_y = 0.5 * (p[468, 1] + p[473, 1])
    m = m & (yy > pupil_y) & ~inner.astype(bool)
    r2 = int(max(2, 5 / mmpp))
    px = [a.photo.rgb[int(p[k, 1]) - r2:int(p[k, 1]) + r2, int(p[k, 0]) - r2:int(p[k, 0]) + r2].reshape(-1, 3)
          for k in (50, 280)]
    base = np.median(np.concatenate(px), axis=0).astype(np.float32) * rng.uniform(0.95, 1.0)
    hs, ws = max(2, int(h * mmpp / 20) + 2), max(2, int(w * mmpp / 20) + 2)
    nz = cv2.resize(rng.normal(0, 1, (hs, ws)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    nz = nz / max(float(nz.std()), 1e-6)
    col = base[None, None, :] * (1 + 0.04 * nz)[..., None] + rng.normal(0, 2, (h, w, 3))
    s = max(0.5 / mmpp / 2.0, 0.5)
    al = np.clip(cv2.GaussianBlur(m.astype(np.float32), (0, 0), s), 0, 1)
    return al, np.clip(col, 0, 255).astype(np.float32), f"skin {m.mean() * 100:.0f}% painted"


# ----------------------------------------------------------------------------------------- per-photo features
def _region_masks(points: np.ndarray, shape, mmpp: float) -> dict:
    p = points[:, :2]
    h, w = shape
    face = np.zeros((h, w), np.uint8)
    cv2.fillPoly(face, [np.round(p[list(FACE_OVAL)]).astype(np.int32)], 1)
    r = max(1, int(round(3.0 / mmpp)))
    face = cv2.erode(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))).astype(bool)
    yy, xx = np.mgrid[0:h, 0:w]
    below = yy > p[SUBNASALE, 1]
    out = {}
    for side, mouth in (("right", MOUTH_RIGHT), ("left", MOUTH_LEFT)):
        o = 1.0 if p[mouth, 0] > p[CHIN, 0] else -1.0
        outside = (xx - p[mouth, 0]) * o > 3.0 / mmpp
        out[side] = face & below & outside
    return out


def lower_face_features(x) -> dict:
    """The per-side features of the module docstring (NaN when the photo was not analysed)."""
    nan = {f"tex{int(t)}_{s}": float("nan") for t in TEX_LIMITS for s in SIDES}
    nan.update({f"oval_{s}": float("nan") for s in SIDES})
    if not getattr(x, "ok", False):
        return nan
    mmpp = float(x.mm_per_px)
    f = min(1.0, mmpp / FEATURE_MM)
    rgb = x.photo.rgb if f == 1.0 else cv2.resize(x.photo.rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    pts = np.asarray(x.points, np.float64)[:, :2] * f
    mm = mmpp / f
    L = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100 / 255)
    Lb = cv2.GaussianBlur(L, (0, 0), 0.5 / mm)
    gx = cv2.Sobel(Lb, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(Lb, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    g = np.hypot(gx, gy) / mm  # L* per mm
    out = dict(nan)
    for s, m in _region_masks(pts, L.shape, mm).items():
        if m.sum() < 20:
            continue
        for t in TEX_LIMITS:
            out[f"tex{int(t)}_{s}"] = float((g[m] > t).mean())
    jaw = getattr(x, "jaw", None)
    if jaw is not None and jaw.oval_px is not None:
        c = np.asarray(jaw.contour_px, np.float64)[:, :2]
        ov = np.asarray(jaw.oval_px, np.float64)[:, :2]
        # the oval densified to ~0.5 mm steps
        seg = np.linalg.norm(np.diff(ov, axis=0), axis=1)
        tt = np.concatenate([[0], np.cumsum(seg)])
        k = np.linspace(0, tt[-1], max(2, int(tt[-1] * mmpp / 0.5)))
        dense = np.stack([np.interp(k, tt, ov[:, 0]), np.interp(k, tt, ov[:, 1])], 1)
        p = np.asarray(x.points, np.float64)[:, :2]
        top = min(p[GONION_RIGHT, 1], p[GONION_LEFT, 1])
        dist = np.min(np.linalg.norm(c[:, None, :] - dense[None, :, :], axis=2), axis=1) * mmpp
        for s, gi in (("right", GONION_RIGHT), ("left", GONION_LEFT)):
            o = 1.0 if p[gi, 0] > p[CHIN, 0] else -1.0
            sel = (c[:, 1] >= top) & ((c[:, 0] - p[CHIN, 0]) * o > 0)
            if sel.sum() >= 3:
                out[f"oval_{s}"] = float(dist[sel].mean())
    return out


#: long-edge feature: hysteresis limits on the L* gradient (L* per mm), the Canny Gaussian (mm), the shortest edge
#: counted (mm)
LONG_LOW, LONG_HIGH, LONG_SIGMA_MM, LONG_MIN_MM = 2.0, 4.0, 1.0, 15.0


def long_edges(x) -> dict:
    """``long_right``, ``long_left``: total length (mm) of Canny edges (L* at :data:`FEATURE_MM` per px, Gaussian
    :data:`LONG_SIGMA_MM`, hysteresis :data:`LONG_LOW` / :data:`LONG_HIGH` L*/mm) in connected pieces of at least
    :data:`LONG_MIN_MM` inside each side's lower-cheek region (as :func:`lower_face_features`); NaN when not read."""
    from skimage.feature import canny

    out = {"long_right": float("nan"), "long_left": float("nan")}
    if not getattr(x, "ok", False):
        return out
    mmpp = float(x.mm_per_px)
    f = min(1.0, mmpp / FEATURE_MM)
    rgb = x.photo.rgb if f == 1.0 else cv2.resize(x.photo.rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    pts = np.asarray(x.points, np.float64)[:, :2] * f
    mm = mmpp / f
    L = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100 / 255) / mm  # L* per mm per px step
    e = canny(L, sigma=LONG_SIGMA_MM / mm, low_threshold=8 * LONG_LOW, high_threshold=8 * LONG_HIGH)
    for s, m in _region_masks(pts, L.shape, mm).items():
        if m.sum() < 20:
            continue
        n, lab, stats, _ = cv2.connectedComponentsWithStats((e & m).astype(np.uint8), connectivity=8)
        lengths = stats[1:, cv2.CC_STAT_AREA] * mm
        out[f"long_{s}"] = float(lengths[lengths >= LONG_MIN_MM].sum())
    return out


__all__ = ["long_edges", "donor_skin", "layer_hand_skin", "layer_bg_skin", "lower_face_features", "TEX_LIMITS", "LOWER_OVAL"]
