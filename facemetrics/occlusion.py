"""Is the jaw line or a fold of one photo covered (a hand, hair, a scarf, a mask)?

A cover over the jaw line or a fold leaves Face Mesh to guess the jaw under it and the fold measure to read
the cover's shading: the photo's jaw and fold values are then wrong, with status ``ok``.  The comparison of
two photos finds a cover by their difference (:mod:`facemetrics.compare.occlusion`); one photo alone has no
other photo, so this check asks whether each region the per-photo metrics read is the face's own skin, by
the same face's reference skin (its cheeks below the eyes and the nasal bridge, where a cover of the lower
face does not reach):

1. the photo is reduced to :data:`OCCLUSION_PHOTO_RES_MM` per pixel (never enlarged) and converted to
   CIELAB; each cell of :data:`OCCLUSION_PHOTO_CELL_MM` gets its mean (L*, a*, b*) and its texture, the RMS
   of L* about its own Gaussian blur of :data:`OCCLUSION_PHOTO_TEXTURE_MM` (hair, fur, fabric weave, coffee
   beans are rougher than skin);
2. the reference skin's median of each over the reference cells (:func:`reference_mask`);
3. a cell of a region is *not skin* when its colour lies more than :data:`OCCLUSION_PHOTO_MAX_CHROMA` a*b*
   units from the reference's, or its texture exceeds :data:`OCCLUSION_PHOTO_MAX_TEXTURE` times the
   reference's, or its lightness lies outside :data:`OCCLUSION_PHOTO_LIGHTNESS` times the reference's (a
   white or black cover; a fold's and the jaw's own shading stay inside);
4. a region (the band from :data:`OCCLUSION_PHOTO_JAW_EDGE_MM` to :data:`OCCLUSION_PHOTO_JAW_BAND_MM` inside the
   jaw contour, split into the subject's
   right jaw, the chin and the left jaw at :data:`OCCLUSION_PHOTO_CHIN_HALF_MM` either side of the chin;
   each fold's search band) is covered when its largest connected set of not-skin cells exceeds
   :data:`OCCLUSION_PHOTO_MIN_AREA_MM2`.

The limits were chosen on the tuning faces (London 12, Canada tuning split) with covers pasted from real
textures (``bench/bench_occlusion_photo.py``; docs/robustness.md 'A covered jaw or fold in one photo').  A
cover of the face's own colour and texture (a hand of the same skin held flat, a skin-coloured mask) is not
told from skin (another person's cheek pasted over the jaw: 3-13 % caught), nor, mostly, a tabby cat's fur
(11-14 %); a beard, stubble or heavy make-up that differs from the cheeks' skin beyond these limits would be
flagged as a cover (no beard or stubble of the 80 clean tuning and held-out photos checked was; stricter colour or
darkness limits flagged stubbled jaws).

The check reads only the image and the regions the metrics read; it never changes a value.  A covered
region's columns are named in :attr:`PhotoOcclusion.columns` (the ``covered_columns`` column of
``photos.csv``) and in a warning (:func:`occlusion_warnings`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .rounding import fixed, fixed_uncertainty
from .geometry import CHIN, GONION_LEFT, GONION_RIGHT, OUTER_LIPS, SKIN_REFERENCE

#: resolution the photo is reduced to before the check (never enlarged), mm/px
OCCLUSION_PHOTO_RES_MM = 0.5
#: side of a cell whose colour, lightness and texture are compared with the reference skin, mm
OCCLUSION_PHOTO_CELL_MM = 2.0
#: Gaussian SD of the blur the texture (RMS of L* about it) is read against, mm
OCCLUSION_PHOTO_TEXTURE_MM = 1.0
#: band inside the jaw contour read as the jaw line, mm
OCCLUSION_PHOTO_JAW_BAND_MM = 10.0
#: margin inside the jaw contour left out of the jaw band (the cells across the contour and the shadow under
#: the jaw), mm
OCCLUSION_PHOTO_JAW_EDGE_MM = 3.0
#: half-width of the chin region about the chin landmark (152), along the pupil line, mm
OCCLUSION_PHOTO_CHIN_HALF_MM = 15.0
#: radius of each reference-skin disc (cheeks below the eyes, nasal bridge), mm
OCCLUSION_PHOTO_REF_RADIUS_MM = 7.0
#: colour distance from the reference skin's median above which a cell is not skin, CIELAB a*b* units
OCCLUSION_PHOTO_MAX_CHROMA = 30.0
#: texture above this multiple of the reference skin's median texture: not skin
OCCLUSION_PHOTO_MAX_TEXTURE = 8.0
#: lightness (L*) range, as multiples of the reference skin's median L*, outside which a cell is not skin
OCCLUSION_PHOTO_LIGHTNESS = (0.0, 1.5)
#: connected not-skin area of a region above which the region is called covered, mm²
OCCLUSION_PHOTO_MIN_AREA_MM2 = 24.0
#: the 95 % uncertainty of a covered region's area (:func:`area_uncertainty_mm2`, the warning's ``±``), log units: the
#: 95th percentile of |log(area / the same region's area)| between a covered photo and the same photo re-saved, turned
#: or rescaled (the 8 light-free nuisances of ``simulate.NUISANCES``), 0.357 on 12 covered tuning photos (96 pairs),
#: rounded up; held out 122 of 128 within it (95.3 %; ``bench/occlusion_area_uncertainty.py``, the rule in its
#: docstring written before the runs; docs/robustness.md "The cover warning's area", stop 62)
OCCLUSION_PHOTO_AREA_REPEAT_LOG = 0.36
#: coarsest photo the check reads (a cell must hold at least 2 x 2 px), mm/px
OCCLUSION_PHOTO_MAX_MM_PER_PX = 1.0

#: the regions the check reads and the ``photos.csv`` columns each one's values come from
REGION_COLUMNS: dict[str, tuple[str, ...]] = {
    "jaw_right": ("jawline_height_mm", "jawline_height_right_mm", "jaw_width_mm", "lower_face_area_mm2",
                  "jowl_sag_right_mm", "jaw_angle_right_deg"),
    "chin": ("jawline_height_mm", "jawline_height_right_mm", "jawline_height_left_mm", "lower_face_area_mm2"),
    "jaw_left": ("jawline_height_mm", "jawline_height_left_mm", "jaw_width_mm", "lower_face_area_mm2",
                 "jowl_sag_left_mm", "jaw_angle_left_deg"),
    "fold_right": ("nlf_depth_right", "nlf_contrast_right_pct", "nlf_length_right_mm"),
    "fold_left": ("nlf_depth_left", "nlf_contrast_left_pct", "nlf_length_left_mm"),
}
#: the regions in words (the subject's own sides)
REGION_WORDS = {"jaw_right": "the subject's right jaw line", "chin": "the chin",
                "jaw_left": "the subject's left jaw line", "fold_right": "the subject's right nasolabial fold",
                "fold_left": "the subject's left nasolabial fold"}


@dataclass(frozen=True)
class PhotoOcclusion:
    """What :func:`photo_occlusion` found on one photo.

    Attributes
    ----------
    areas_mm2 : dict
        Region name (:data:`REGION_COLUMNS`) -> largest connected not-skin area in it, mm² (0.0 when none;
        NaN when the region could not be read).
    covered : tuple of str
        The regions whose area exceeds the limit, in :data:`REGION_COLUMNS` order.
    checked : bool
        False when the photo was too coarse (:data:`OCCLUSION_PHOTO_MAX_MM_PER_PX`) or no reference skin
        was found: nothing was read, nothing is flagged.
    """

    areas_mm2: dict
    covered: tuple = ()
    checked: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        """The ``photos.csv`` columns read from a covered region (and their ``_ipd`` ratios), in order."""
        out = []
        for r in self.covered:
            for c in REGION_COLUMNS[r]:
                out += [c, _ratio_name(c)]
        return tuple(dict.fromkeys(x for x in out if x))


def _ratio_name(col: str) -> str:
    """The ``_ipd`` / ``_ipd2`` ratio column of a mm / mm² column ("" for others)."""
    if col.endswith("_mm2"):
        return col[:-4] + "_ipd2"
    if col.endswith("_mm"):
        return col[:-3] + "_ipd"
    return ""


@dataclass(frozen=True, eq=False)
class CellFeatures:
    """Per-cell statistics of a photo (:func:`cell_features`).

    Attributes
    ----------
    lab : ndarray, shape (rows, cols, 3), float32
        Mean CIELAB (L* 0-100, a*, b*) of each cell.
    texture : ndarray, shape (rows, cols), float32
        RMS of L* about its Gaussian blur of :data:`OCCLUSION_PHOTO_TEXTURE_MM`, L* units.
    cell_px : float
        Side of a cell in px of the input photo.
    cell_mm : float
        Side of a cell, mm.
    """

    lab: np.ndarray
    texture: np.ndarray
    cell_px: float
    cell_mm: float


def cell_features(rgb: np.ndarray, mm_per_px: float, box: tuple[int, int, int, int] | None = None) -> CellFeatures:
    """Cell colour and texture of ``rgb`` (:class:`CellFeatures`).

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The photo, R, G, B.
    mm_per_px : float
        mm per px of ``rgb`` at the face.
    box : (x0, y0, x1, y1) or None
        Only this part of the photo (px); cell ``(0, 0)`` starts at ``(x0, y0)``.

    Returns
    -------
    CellFeatures
    """
    x0, y0, x1, y1 = box if box is not None else (0, 0, rgb.shape[1], rgb.shape[0])
    crop = rgb[y0:y1, x0:x1]
    f = min(1.0, mm_per_px / OCCLUSION_PHOTO_RES_MM)  # reduce to the check's resolution, never enlarge
    if f < 1.0:
        crop = cv2.resize(crop, (max(1, int(round(crop.shape[1] * f))), max(1, int(round(crop.shape[0] * f)))),
                          interpolation=cv2.INTER_AREA)
    res = mm_per_px / f
    lab = cv2.cvtColor(crop.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    s = OCCLUSION_PHOTO_TEXTURE_MM / res
    hp = lab[..., 0] - cv2.GaussianBlur(lab[..., 0], (0, 0), s)
    k = max(2, int(round(OCCLUSION_PHOTO_CELL_MM / res)))
    rows, cols = lab.shape[0] // k, lab.shape[1] // k
    size = (cols, rows)
    cl = cv2.resize(lab[:rows * k, :cols * k], size, interpolation=cv2.INTER_AREA)
    tex = np.sqrt(cv2.resize((hp * hp)[:rows * k, :cols * k], size, interpolation=cv2.INTER_AREA))
    return CellFeatures(cl.astype(np.float32), tex.astype(np.float32), k / f, k * res)


def not_skin(feat: CellFeatures, ref: np.ndarray, *, max_chroma: float = OCCLUSION_PHOTO_MAX_CHROMA,
             max_texture: float = OCCLUSION_PHOTO_MAX_TEXTURE,
             lightness: tuple[float, float] = OCCLUSION_PHOTO_LIGHTNESS) -> np.ndarray:
    """Cells that differ from the reference skin (cells ``ref``) in colour, texture or lightness.

    Parameters
    ----------
    feat : CellFeatures
    ref : ndarray, shape (rows, cols), bool
        The reference skin's cells.
    max_chroma, max_texture, lightness
        The limits (:data:`OCCLUSION_PHOTO_MAX_CHROMA`, :data:`OCCLUSION_PHOTO_MAX_TEXTURE`,
        :data:`OCCLUSION_PHOTO_LIGHTNESS`).

    Returns
    -------
    ndarray, shape (rows, cols), bool
    """
    lab = feat.lab
    m = np.median(lab[ref], axis=0)
    t = max(float(np.median(feat.texture[ref])), 0.2)
    chroma = np.hypot(lab[..., 1] - m[1], lab[..., 2] - m[2])
    light = lab[..., 0] / max(float(m[0]), 1.0)
    return (chroma > max_chroma) | (feat.texture > max_texture * t) | (light < lightness[0]) | (light > lightness[1])


def region_masks(points: np.ndarray, contour_px: np.ndarray, fold_regions: tuple, to_cell, shape: tuple[int, int],
                 cell_mm: float) -> dict[str, np.ndarray]:
    """The regions the per-photo metrics read, and the reference skin, as cell masks.

    Parameters
    ----------
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks, px.
    contour_px : ndarray, shape (K, 2)
        The jaw contour (:attr:`facemetrics.jaw.JawMetrics.contour_px`), px.
    fold_regions : (ndarray (M, 2) or None, ndarray (M, 2) or None)
        The subject's right and left fold search bands (:attr:`facemetrics.folds.FoldMetrics.region_px`), px.
    to_cell : callable
        Photo ``(x, y)`` px, shape (..., 2) -> cell ``(col, row)`` (cell centres at whole numbers).
    shape : (rows, cols)
        The cell grid's size.
    cell_mm : float
        Side of a cell, mm.

    Returns
    -------
    dict
        ``"reference"`` and each region of :data:`REGION_COLUMNS` present -> bool mask, shape ``shape``.
    """
    p = to_cell(np.asarray(points, np.float64)[:, :2])

    def fill(poly):
        m = np.zeros(shape, np.uint8)
        cv2.fillPoly(m, [np.round((poly + 0.5) * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
        return m

    out = {}
    ref = np.zeros(shape, np.uint8)
    rr = max(1, int(round(OCCLUSION_PHOTO_REF_RADIUS_MM / cell_mm)))
    for i in SKIN_REFERENCE:
        cv2.circle(ref, tuple(int(round(v)) for v in p[i]), rr, 1, -1)
    out["reference"] = ref.astype(bool)
    # the band inside the jaw contour (the filled contour less its erosion by the band's width, the margin
    # next to the contour left out; the grid's edge is no contour), below the higher gonion (the jaw line the
    # metrics read runs from gonion to gonion under the chin), lips left out
    inside = fill(to_cell(np.asarray(contour_px, np.float64)[:, :2]))
    r = max(1, int(round(OCCLUSION_PHOTO_JAW_BAND_MM / cell_mm)))
    padded = cv2.copyMakeBorder(inside, r, r, r, r, cv2.BORDER_REPLICATE)
    core = cv2.erode(padded, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))[r:-r, r:-r]
    lips = fill(p[list(OUTER_LIPS)]).astype(bool)
    e = max(1, int(round(OCCLUSION_PHOTO_JAW_EDGE_MM / cell_mm)))
    edge = cv2.erode(padded, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * e + 1, 2 * e + 1)))[r:-r, r:-r]
    band = edge.astype(bool) & ~core.astype(bool) & ~lips
    # levelled cell coordinates: along the pupil line (u, towards landmark 473) and down it (v)
    u_ax = p[473] - p[468]
    u_ax /= max(np.linalg.norm(u_ax), 1e-9)
    v_ax = np.array([-u_ax[1], u_ax[0]])
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    du = (xx - p[CHIN, 0]) * u_ax[0] + (yy - p[CHIN, 1]) * u_ax[1]
    dv = (xx - p[468, 0]) * v_ax[0] + (yy - p[468, 1]) * v_ax[1]
    top = min(float((p[g] - p[468]) @ v_ax) for g in (GONION_RIGHT, GONION_LEFT))
    band &= dv >= top
    half = OCCLUSION_PHOTO_CHIN_HALF_MM / cell_mm
    right_sign = np.sign((p[GONION_RIGHT] - p[CHIN]) @ u_ax) or -1.0  # the side landmark 172 lies on
    out["chin"] = band & (np.abs(du) <= half)
    out["jaw_right"] = band & (du * right_sign > half)
    out["jaw_left"] = band & (du * right_sign < -half)
    for side, poly in zip(("right", "left"), fold_regions):
        if poly is not None:
            out[f"fold_{side}"] = fill(to_cell(np.asarray(poly, np.float64)[:, :2])).astype(bool) & ~lips
    return out


def largest_area(mask: np.ndarray, cell_mm: float) -> float:
    """Area of the largest 8-connected set of ``mask``'s cells, mm²."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return float(stats[1:, cv2.CC_STAT_AREA].max() * cell_mm ** 2) if n > 1 else 0.0


def region_cells(rgb: np.ndarray, points: np.ndarray, mm_per_px: float, contour_px: np.ndarray,
                 fold_regions: tuple, exclude: np.ndarray | None = None
                 ) -> tuple[CellFeatures, dict[str, np.ndarray]] | None:
    """The photo's cell features over the lower face and each region's (and the reference's) cells;
    None when the photo is too coarse or shows no reference skin.  ``exclude`` (H, W) bool, px: what is not skin
    whatever it looks like (dark glasses over the reference's cheeks and nasal bridge), left out of the
    reference.  See :func:`photo_occlusion`."""
    if not (np.isfinite(mm_per_px) and 0 < mm_per_px <= OCCLUSION_PHOTO_MAX_MM_PER_PX):
        return None
    h, w = rgb.shape[:2]
    pts = [np.asarray(points, np.float64)[:, :2], np.asarray(contour_px, np.float64)[:, :2]]
    pts += [np.asarray(x, np.float64)[:, :2] for x in fold_regions if x is not None]
    allp = np.concatenate(pts)
    m = (OCCLUSION_PHOTO_REF_RADIUS_MM + 3 * OCCLUSION_PHOTO_TEXTURE_MM) / mm_per_px
    x0, y0 = (int(max(0, np.floor(v - m))) for v in allp.min(0))
    x1, y1 = int(min(w, np.ceil(allp[:, 0].max() + m))), int(min(h, np.ceil(allp[:, 1].max() + m)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    feat = cell_features(rgb, mm_per_px, (x0, y0, x1, y1))
    if min(feat.texture.shape) < 2:
        return None
    cells = region_masks(points, contour_px, fold_regions,
                         lambda xy: (xy - (x0, y0)) / feat.cell_px - 0.5, feat.texture.shape, feat.cell_mm)
    if exclude is not None and np.any(exclude):
        rows, cols = feat.texture.shape
        sub = np.asarray(exclude, np.float32)[y0:y0 + int(round(rows * feat.cell_px)),
                                              x0:x0 + int(round(cols * feat.cell_px))]
        if sub.size:
            cells["reference"] = cells["reference"] & ~(cv2.resize(sub, (cols, rows), interpolation=cv2.INTER_AREA) > 0)
    if cells["reference"].sum() < 4:
        return None
    return feat, cells


def photo_occlusion(rgb: np.ndarray, points: np.ndarray, mm_per_px: float, contour_px: np.ndarray,
                    fold_regions: tuple = (None, None), *, max_chroma: float = OCCLUSION_PHOTO_MAX_CHROMA,
                    max_texture: float = OCCLUSION_PHOTO_MAX_TEXTURE,
                    lightness: tuple[float, float] = OCCLUSION_PHOTO_LIGHTNESS,
                    min_area_mm2: float = OCCLUSION_PHOTO_MIN_AREA_MM2,
                    exclude: np.ndarray | None = None) -> PhotoOcclusion:
    """Which of the regions the per-photo metrics read look covered (not the face's own skin).

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The analysed photo, R, G, B.
    points : ndarray, shape (478, 2+)
        Face Mesh landmarks ``(x, y)``, px of ``rgb``.
    mm_per_px : float
        mm per px of ``rgb`` at the face (the photo's calibration).
    contour_px : ndarray, shape (K, 2)
        The jaw contour, px (:attr:`facemetrics.jaw.JawMetrics.contour_px`).
    fold_regions : (ndarray (M, 2) or None, ndarray (M, 2) or None)
        The subject's right and left fold search bands, px (:attr:`facemetrics.folds.FoldMetrics.region_px`).
    max_chroma, max_texture, lightness, min_area_mm2
        The limits (module constants; keywords for the bench's sweep).
    exclude : ndarray, shape (H, W), bool, optional
        Pixels left out of the reference skin: dark glasses found over the cheeks or the nasal bridge
        (:func:`facemetrics.align.glasses_mask`; an aviator's lens, a wayfarer's rim and its shadow, the bridge's
        pads) would make the reference dark and every region 'not skin'.

    Returns
    -------
    PhotoOcclusion
        ``checked`` False (nothing flagged) when the photo is coarser than
        :data:`OCCLUSION_PHOTO_MAX_MM_PER_PX` or shows no reference skin.
    """
    got = region_cells(rgb, points, mm_per_px, contour_px, fold_regions, exclude)
    if got is None:
        return PhotoOcclusion({k: float("nan") for k in REGION_COLUMNS}, (), False)
    feat, cells = got
    bad = not_skin(feat, cells["reference"], max_chroma=max_chroma, max_texture=max_texture, lightness=lightness)
    areas = {k: (largest_area(bad & cells[k], feat.cell_mm) if k in cells else float("nan")) for k in REGION_COLUMNS}
    covered = tuple(k for k, a in areas.items() if a > min_area_mm2)
    return PhotoOcclusion(areas, covered, True)


#: how the per-photo warning of a covered region begins (:func:`occlusion_warnings`)
MSG_PHOTO_COVERED = "looks covered"


def area_uncertainty_mm2(area_mm2: float) -> float:
    """The 95 % uncertainty of a covered region's area ``area_mm2`` (mm², a scalar), mm²: the upper half of the
    interval ``area exp(+-OCCLUSION_PHOTO_AREA_REPEAT_LOG)``, ``area (exp(F) - 1)`` (as the lighting warning's
    ``compare.gate.luminance_uncertainty_pct``): what re-saving, turning or rescaling the same covered photo moves
    it.  Not the area's bias against the cover's true size (the cell grid, the margin inside the jaw line)."""
    return float(area_mm2 * np.expm1(OCCLUSION_PHOTO_AREA_REPEAT_LOG))


def occlusion_warnings(found: PhotoOcclusion) -> list[str]:
    """One warning per covered region of ``found``: where, how large (with its 95 % uncertainty,
    :func:`area_uncertainty_mm2`), and the columns it makes unreliable."""
    out = []
    for r in found.covered:
        cols = ", ".join(REGION_COLUMNS[r])
        # the area with its ± ("about 120 mm²" had none: stop 62, h12)
        area = found.areas_mm2[r]
        out.append(f"{REGION_WORDS[r]} {MSG_PHOTO_COVERED} ({fixed(area, 0)} ± "
                   f"{fixed_uncertainty(area_uncertainty_mm2(area), 0)} mm² there differ from "
                   f"the face's own cheek skin in colour, texture or lightness, as a hand, hair, a scarf or a mask "
                   f"would; so may a dense beard): {cols} may be read on the cover, not the face "
                   "(`covered_columns`); retake the photo with the jaw and folds uncovered")
    return out
