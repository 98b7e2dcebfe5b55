"""Narrowing of the lower face: is a true narrowing read in proportion by ``jaw_width_mm``, and by two image reads?

    nice -n 5 python bench/narrowing.py -o /tmp/g5_tune.csv               # tuning faces (the deciding read)
    nice -n 5 python bench/narrowing.py --heldout -o /tmp/g5_held.csv     # held-out faces, read once
    python bench/narrowing.py --summary /tmp/g5_tune.csv                  # the tables (ratios, CIs, verdicts)
    python bench/narrowing.py --summary /tmp/g5_held.csv --floors-from /tmp/g5_tune.csv
    nice -n 5 python bench/narrowing.py --nuisance-floor -o /tmp/g5_floor.csv  # the flow read's floor (325 pairs)
    nice -n 5 python bench/narrowing.py --clean-only -o /tmp/g5_clean.csv     # the oval alone, no nuisance
    python bench/narrowing.py --real                                         # DeBruine distance / pose pairs
(the last three were added after the rule below was committed; docs/accuracy.md "Narrowing of the lower face")

Exits 2 when ``/work/wt/shared/faces`` (``../shared/faces`` from the project) is absent; no photo is copied.

Why (docs/robustness.md, 'The jaw floors under a side light', session 60): ``compare_photos`` read a smooth
horizontal squeeze of the lower face at 54-75 % of its size (medians) at the mouth's height, even under the same
light, so a true 4 mm narrowing mostly reads below the 3.1 mm ``jaw_width_mm`` floor.  Nobody measured the
width's read/truth across sizes and faces, nor which rows it touches.

Written and committed before any run (2026-12-07, session 61, g5)
-----------------------------------------------------------------
Faces.  Tuning: the first 20 Canada faces by sorted file name + the first 6 London neutral faces by sorted name
(``small_lifts.faces``).  Held out: the other 20 Canada and 6 London neutral faces, read once, after the tuning
read and any choice are final.  A face Face Mesh does not measure, or with no ``.tem``, is skipped and counted.
One draw per face (time: 2 cores shared by 7 sessions); no subsampling of faces.

The narrowing (this bench's own: not the method's masks, not ``audit_light_jaw_floor``'s squeeze).  A
horizontal image displacement towards the midline ``dx = A * w(x, y) * env(x, y)`` px.  ``w`` is a
Nadaraya-Watson interpolation (Gaussian kernel, sigma :data:`SIGMA_MM`, ``w = sum k_i s_i / (sum k_i +
k(2 sigma))``) of signed values given to the photo's HAND-PLACED ``.tem`` points (:data:`TEM_DX`: the jaw
126-132 1 (the two points next to the chin 0.7, the chin 129 0), the jaw's ends 125/133 0.7, the outline at
about the mouth's height 111/114 0.5, the outline at the cheekbones 110/113 and above 109/112, the cheekbones
164-169 and the pupils 0, the mouth corners 87/93 0.2), each signed towards the midline (the pupils'
midpoint).  ``env`` falls LINEARLY from 1 to 0 over :data:`OUTSIDE_MM` of distance outside the hand-placed
outline polygon (109-111, 125-133, 114-112): neck, background and forehead stay.  Applied by backward warp
(``bench_coverage.apply_field``).  ``A`` is scaled per face so that the truth is exactly the size: narrowings
of 0, 1, 2, 4, 6 mm.

Truth.  The hand-placed outline chain (109-111, 125-133, 114-112) moved by the field at its points, in the
ORIGINAL photo's levelled frame: ``jaw_width`` = the u distance between its two halves (split at the chin 129)
at the height of the original photo's Face Mesh mouth corners (61/291), as ``jaw_metrics`` reads the oval;
``lower_face_area`` = the chain's area below the original photo's subnasale (2), as ``jaw_metrics``.  Truth =
moved minus original (negative: narrower).  Jaw angles and the other per-photo oval rows have no truth here:
their median change is reported to see whether they respond.

Nuisance: ``small_lifts``' capture jitter (roll +-1.4 deg, scale +-1 %, shift +-10 px, brightness +-3 %, noise
SD 2, JPEG 90) on the before photo and on the after photo (one after nuisance per face, the same for every
size: paired), Face Mesh re-run on each.

Reads per pair (``compare_photos(before, after)``):
- ``row``: the ``jaw_width_mm`` row (change, floor, verdict) and ``lower_face_area_mm2``, ``jaw_angle_deg``
  (right, left), ``jawline_height_mm``, ``jowl_sag_mm`` (right, left) rows;
- ``flow``: the comparison's pose-corrected residual flow (``Comparison.flow_mm``): median ``du`` over the points
  2, 4, 6, 8 mm inside the before photo's Face Mesh oval at the mouth's height and 4, 2, 0 mm above and below
  it, per side; read = left minus right (subject's sides; u grows to the subject's left);
- ``refined``: the refined contour (``jaw_metrics(..., image)``'s ``contour_px``) of each photo, the after one
  mapped by the comparison's alignment (after px -> before px), its width at the before mouth's height
  (``jaw_metrics``' method: halves split at the contour's lowest point);
- ``clean_oval``: no nuisance, the original photo against its warped copy (PNG), each analysed alone:
  ``jaw_width_mm`` of the warped minus the original's (the Face Mesh oval's own response, no comparison).

Summary per read and size: the median read and truth, read/truth = sum(read) / sum(truth) over the faces, 95 %
bootstrap CI over faces (2000 resamples, ``small_lifts._boot_ratio``); verdict rates: the row with its own floor
(``decrease`` on a narrowing; ``increase``/``decrease`` at 0 mm are false), and every read with a bench floor
of 1.25 x the largest |read| of the TUNING 0-mm pairs rounded up to 2 significant digits (the project's
floor rule on this bench's nuisance-only pairs; for the held-out faces the tuning floor).

Rule (decided now).
- A candidate (``flow``, ``refined``) PASSES on tuning when its read/truth lies inside [0.85, 1.15] at each of
  2, 4, 6 mm (point estimate) and, with its bench floor, it reads no more false verdicts at 0 mm than the row
  with its bench floor; its ``decrease`` rate at 4 mm is reported against the row's.
- If one passes, it lands only after, too: its floor measured as the ``jaw_width_mm`` floor was (1.25 x the
  largest |change| over ``bench/bench_compare.py --noise-floors``' 325 nuisance-only pairs), and
  ``facemetrics demo -o DIR --workers 1`` changing at most one verdict row; the held-out faces are then read
  once and reported whatever they show.  If the time of session 61 does not allow those, nothing lands: the
  bench, the figures and a test pinning the measured property do.
- The row (``jaw_width_mm``): its read/truth with CI at each size on tuning and held out is the answer to
  "54-75 %"; ``clean_oval`` against ``row`` says whether the shortfall is the Face Mesh oval's (same ratio with
  no comparison and no nuisance) or the comparison's.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SHARED = ROOT.parent / "shared" / "faces"
SIZES_MM = (0.0, 1.0, 2.0, 4.0, 6.0)
#: kernel of the field's interpolation between the hand-placed points, mm
SIGMA_MM = 12.0
#: the envelope's linear fall-off outside the hand-placed outline, mm
OUTSIDE_MM = 10.0
#: the hand-placed outline: right side down (109-111, 125-128), chin 129, left side up (130-133, 114-112)
CHAIN = (109, 110, 111, 125, 126, 127, 128, 129, 130, 131, 132, 133, 114, 113, 112)
CHIN_TEM = 129
#: .tem point -> the field's value there (towards the midline)
TEM_DX = {126: 1.0, 127: 1.0, 128: 0.7, 129: 0.0, 130: 0.7, 131: 1.0, 132: 1.0, 125: 0.7, 133: 0.7,
          111: 0.5, 114: 0.5, 110: 0.0, 113: 0.0, 109: 0.0, 112: 0.0, **{i: 0.0 for i in range(164, 170)},
          0: 0.0, 1: 0.0, 87: 0.2, 93: 0.2}
#: the flow read's points: mm inside the oval, and mm above/below the mouth's height
FLOW_INSIDE_MM = (2.0, 4.0, 6.0, 8.0)
FLOW_DV_MM = (-4.0, -2.0, 0.0, 2.0, 4.0)
ROWS = (("jaw_width_mm", "mean"), ("lower_face_area_mm2", "mean"), ("jaw_angle_deg", "right"),
        ("jaw_angle_deg", "left"), ("jawline_height_mm", "mean"), ("jowl_sag_mm", "right"), ("jowl_sag_mm", "left"))
FIELDS = ["set", "face", "size_mm", "read", "truth", "value", "floor", "verdict", "status"]


def field(a, tem: np.ndarray) -> np.ndarray:
    """``w * env`` (H, W) float32 of the module docstring: signed, + = image-right, per px of ``A``."""
    return field_from(a, [(tem[i], v) for i, v in TEM_DX.items()], tem[list(CHAIN)], 0.5 * (tem[0, 0] + tem[1, 0]))


def field_from(a, anchors: list, outline_px: np.ndarray, x_mid: float) -> np.ndarray:
    """A horizontal narrowing field on ``a``'s photo, per px of amplitude, shape (H, W) float32 (+ = image-right).

    ``anchors``: ``((x, y) px, value)`` pairs, each value signed towards ``x_mid`` (px) and interpolated by a
    Nadaraya-Watson Gaussian kernel of sigma :data:`SIGMA_MM` (falling to 0 two sigmas from every anchor);
    times a linear fall-off from 1 to 0 over :data:`OUTSIDE_MM` outside the polygon ``outline_px`` ((K, 2)
    ``(x, y)`` px)."""
    import cv2

    h, w = a.photo.rgb.shape[:2]
    k = a.frame.mm_per_px
    step = 4
    ys, xs = np.mgrid[0:h:step, 0:w:step].astype(np.float32)
    num = np.zeros_like(xs)
    den = np.full_like(xs, np.exp(-2.0))
    for (x, y), val in anchors:
        g = np.exp(-0.5 * ((xs - x) ** 2 + (ys - y) ** 2) * (k / SIGMA_MM) ** 2)
        num += val * np.sign(x_mid - x) * g
        den += g
    wgt = cv2.resize(num / den, (w, h), interpolation=cv2.INTER_LINEAR)
    inside = np.zeros((h, w), np.uint8)
    cv2.fillPoly(inside, [np.round(outline_px).astype(np.int32)], 1)
    dist = cv2.distanceTransform((1 - inside).astype(np.uint8), cv2.DIST_L2, 5) * k
    env = np.clip(1.0 - dist / OUTSIDE_MM, 0.0, 1.0)
    out = (wgt * env).astype(np.float32)
    out[np.abs(out) < 1e-4] = 0.0
    return out


def oval_narrowing(a, mm: float) -> tuple[np.ndarray, float]:
    """A narrowing of ``mm`` at the mouth's height on a photo with no hand-placed points (the tests' sample):
    :func:`field_from` anchored on ``a``'s own Face Mesh lower oval (value 1, the chin 0; the malar points and
    the irises 0), the oval as the outline.  Returns the warped RGB image and the truth (mm, negative): the
    change of the u distance between the oval's two sides at the mouth corners' height, each side moved by the
    field there (the same reading of the oval as ``jaw_metrics``; the field, not the method, gives the truth)."""
    from bench_coverage import apply_field

    dx, width = oval_field(a, mm)
    return apply_field(a.photo.rgb, dx, np.zeros_like(dx)), width


def oval_field(a, mm: float) -> tuple[np.ndarray, float]:
    """:func:`oval_narrowing`'s displacement ``dx`` ((H, W) float32 px, + = image-right) and its truth (mm)."""
    from facemetrics.geometry import (CHEEK_LEFT, CHEEK_RIGHT, CHIN, LEFT_IRIS, LOWER_OVAL, MOUTH_LEFT,
                                      MOUTH_RIGHT, RIGHT_IRIS)
    from facemetrics.jaw import _u_at_height

    p = np.asarray(a.points, np.float64)[:, :2]
    anchors = [(p[i], 0.0 if i == CHIN else 1.0) for i in LOWER_OVAL]
    anchors += [(p[i], 0.0) for i in (CHEEK_RIGHT, CHEEK_LEFT, RIGHT_IRIS, LEFT_IRIS)]
    unit = field_from(a, anchors, p[list(LOWER_OVAL)], 0.5 * (p[RIGHT_IRIS, 0] + p[LEFT_IRIS, 0]))
    uv = a.frame.to_mm(p)
    v = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    half_r, half_l = _oval_halves(uv)
    edges = a.frame.to_px(np.array([[_u_at_height(half_r, v), v], [_u_at_height(half_l, v), v]]))

    def width_change(dx):
        from scipy.ndimage import map_coordinates

        moved = edges.copy()
        moved[:, 0] += map_coordinates(dx, [edges[:, 1], edges[:, 0]], order=1, mode="nearest")
        m, e = a.frame.to_mm(moved), a.frame.to_mm(edges)
        return float((m[1, 0] - m[0, 0]) - (e[1, 0] - e[0, 0]))

    dx = (unit * (mm / -width_change(unit)))
    return dx, width_change(dx)


def _halves_width(uv: np.ndarray, chin: int, v: float) -> float:
    """u distance (mm) between the two halves of a chain (split at index ``chin``) at height ``v``."""
    from facemetrics.jaw import _u_at_height

    return _u_at_height(uv[chin:], v) - _u_at_height(uv[:chin + 1], v)


def _area_below(uv: np.ndarray, chin: int, v0: float) -> float:
    """Area (mm²) of the chain below height ``v0``, closed by the level line (``jaw_metrics``' method)."""
    from facemetrics.jaw import _u_at_height

    low = uv[uv[:, 1] >= v0]
    ur, ul = _u_at_height(uv[:chin + 1], v0), _u_at_height(uv[chin:], v0)
    poly = np.vstack([[ur, v0], low, [ul, v0]])
    return float(0.5 * abs(np.dot(poly[:, 0], np.roll(poly[:, 1], 1)) - np.dot(poly[:, 1], np.roll(poly[:, 0], 1))))


def truth(a, tem: np.ndarray, dx: np.ndarray) -> tuple[float, float]:
    """(width change mm, area change mm²) of the hand-placed chain moved by ``dx`` (px), original frame."""
    from scipy.ndimage import map_coordinates

    from facemetrics.geometry import MOUTH_LEFT, MOUTH_RIGHT, SUBNASALE

    ch = tem[list(CHAIN)].astype(np.float64)
    moved = ch.copy()
    moved[:, 0] += map_coordinates(dx, [ch[:, 1], ch[:, 0]], order=1, mode="nearest")
    uv0, uv1 = a.frame.to_mm(ch), a.frame.to_mm(moved)
    p = a.frame.to_mm(a.points[:, :2])
    v_mouth = 0.5 * (p[MOUTH_RIGHT, 1] + p[MOUTH_LEFT, 1])
    c = CHAIN.index(CHIN_TEM)
    return (_halves_width(uv1, c, v_mouth) - _halves_width(uv0, c, v_mouth),
            _area_below(uv1, c, p[SUBNASALE, 1]) - _area_below(uv0, c, p[SUBNASALE, 1]))


def _oval_halves(uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from facemetrics.geometry import CHIN, LOWER_OVAL

    oval = uv[list(LOWER_OVAL)]
    i = LOWER_OVAL.index(CHIN)
    r, l_ = oval[:i + 1], oval[i:]
    return r[r[:, 1] > 0], l_[l_[:, 1] > 0]


def flow_read(before, c) -> float:
    """The ``flow`` read (module docstring), mm, from the comparison ``c`` of ``before`` with an after photo."""
    from facemetrics.compare.measure import _at
    from facemetrics.geometry import MOUTH_LEFT, MOUTH_RIGHT
    from facemetrics.jaw import _u_at_height

    uv = before.frame.to_mm(before.points[:, :2])
    v_mouth = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    half_r, half_l = _oval_halves(uv)
    med = {}
    for side, half, inward in (("right", half_r, 1.0), ("left", half_l, -1.0)):
        pts = []
        for dv in FLOW_DV_MM:
            u = _u_at_height(half, v_mouth + dv)
            pts += [(u + inward * d, v_mouth + dv) for d in FLOW_INSIDE_MM]
        cr = c.grid.from_uv(np.array(pts))
        med[side] = float(np.nanmedian(_at(c.flow_mm, cr)[:, 0]))
    return med["left"] - med["right"]


def contour_width(contour_px: np.ndarray, frame, v: float) -> float:
    """Width (mm) of a lower-face contour (px, ordered side to side) at height ``v`` of ``frame``."""
    uv = frame.to_mm(contour_px)
    return _halves_width(uv, int(np.argmax(uv[:, 1])), v)


def refined_read(before, after, c) -> float:
    """The ``refined`` read (module docstring), mm."""
    from facemetrics import align as al
    from facemetrics.geometry import MOUTH_LEFT, MOUTH_RIGHT
    from facemetrics.jaw import jaw_metrics

    uv = before.frame.to_mm(before.points[:, :2])
    v_mouth = 0.5 * (uv[MOUTH_RIGHT, 1] + uv[MOUTH_LEFT, 1])
    cb = jaw_metrics(before.points, before.frame, before.photo.rgb).contour_px
    ca = al.apply(c.alignment.matrix, jaw_metrics(after.points, after.frame, after.photo.rgb).contour_px)
    return contour_width(ca, before.frame, v_mouth) - contour_width(cb, before.frame, v_mouth)


def _clean_rows(wr, row: dict, a, img: np.ndarray, tw: float, base: float) -> None:
    """The ``clean_oval`` reads of the warped copy ``img`` of ``a``'s photo (PNG, no nuisance): ``clean_oval``
    each photo in its own frame (as committed: its iris scale re-read too), ``clean_oval_px`` the warped copy's
    oval in the original photo's frame (the same pixels: the oval's own response, no calibration change)."""
    import facemetrics as fm
    from facemetrics import simulate as sim
    from facemetrics.jaw import jaw_metrics

    clean = fm.analyze_photo(sim.encode_png(img), name=f"{row['face']}_c{row['size_mm']:g}.png")
    if clean.ok:
        v = jaw_metrics(clean.points, clean.frame).jaw_width_mm - base
        wr.writerow(dict(row, read="clean_oval", truth=tw, value=round(v, 5), status=clean.status))
        v = jaw_metrics(clean.points, a.frame).jaw_width_mm - jaw_metrics(a.points, a.frame).jaw_width_mm
        wr.writerow(dict(row, read="clean_oval_px", truth=tw, value=round(v, 5), status=clean.status))


def clean_only(heldout: bool, out_csv: Path) -> None:
    """The ``clean_oval`` reads alone (no comparison): the second clean read was added after the tuning run."""
    import facemetrics as fm
    from bench_coverage import apply_field
    from facemetrics.annotations import read_tem
    from facemetrics.jaw import jaw_metrics
    from small_lifts import faces

    with open(out_csv, "w", newline="") as fh:
        wr = csv.DictWriter(fh, FIELDS)
        wr.writeheader()
        for set_, path in faces(heldout):
            a = fm.analyze_photo(path)
            if not a.ok or not path.with_suffix(".tem").exists():
                continue
            tem = read_tem(path.with_suffix(".tem"))
            w = field(a, tem)
            unit = truth(a, tem, w / a.frame.mm_per_px)[0]
            base = jaw_metrics(a.points, a.frame).jaw_width_mm
            for mm in SIZES_MM:
                dx = (w * (mm / -unit) / a.frame.mm_per_px).astype(np.float32) if mm else np.zeros_like(w)
                img = apply_field(a.photo.rgb, dx, np.zeros_like(dx)) if mm else a.photo.rgb.copy()
                _clean_rows(wr, dict(set=set_, face=path.stem, size_mm=mm, status=""), a, img,
                            truth(a, tem, dx)[0] if mm else 0.0, base)
            fh.flush()
            print(f"clean {path.name}", flush=True)


def measure(heldout: bool, out_csv: Path, only: int | None = None) -> None:
    import facemetrics as fm
    from bench_coverage import apply_field
    from facemetrics.annotations import read_tem
    from facemetrics.jaw import jaw_metrics
    from small_lifts import draw_nuisance, faces, nuisance

    skipped = 0
    with open(out_csv, "w", newline="") as fh:
        wr = csv.DictWriter(fh, FIELDS)
        wr.writeheader()
        for fi, (set_, path) in enumerate(faces(heldout)[:only]):
            tem_path = path.with_suffix(".tem")
            a = fm.analyze_photo(path)
            if not a.ok or not tem_path.exists():
                print(f"skip {path.name}: {a.status} tem={tem_path.exists()}", flush=True)
                skipped += 1
                continue
            tem = read_tem(tem_path)
            w = field(a, tem)
            unit = truth(a, tem, w / a.frame.mm_per_px)[0]  # width change per mm of A
            rng = np.random.default_rng(7000 + fi + (500000 if heldout else 0))
            pb, pa = draw_nuisance(rng), draw_nuisance(rng)
            before = fm.analyze_photo(nuisance(a.photo.rgb, a, pb), name=f"{path.stem}_b.jpg")
            base = jaw_metrics(a.points, a.frame).jaw_width_mm
            for mm in SIZES_MM:
                dx = (w * (mm / -unit) / a.frame.mm_per_px).astype(np.float32) if mm else np.zeros_like(w)
                tw, ta = truth(a, tem, dx) if mm else (0.0, 0.0)
                img = apply_field(a.photo.rgb, dx, np.zeros_like(dx)) if mm else a.photo.rgb.copy()
                after = fm.analyze_photo(nuisance(img, a, pa), name=f"{path.stem}_a{mm:g}.jpg")
                c = fm.compare_photos(before, after)
                row = dict(set=set_, face=path.stem, size_mm=mm, status=c.status)
                ok = c.ok or c.status == "warning"
                for metric, side in ROWS:
                    ch = c.get(metric, side) if ok else None
                    t = tw if metric == "jaw_width_mm" else ta if metric == "lower_face_area_mm2" else ""
                    wr.writerow(dict(row, read=f"row:{metric}:{side}", truth=t,
                                     value="" if ch is None else round(ch.change, 5),
                                     floor="" if ch is None else round(ch.noise_floor, 5),
                                     verdict="" if ch is None else ch.verdict))
                for name, fn in (("flow", lambda: flow_read(before, c)),
                                 ("refined", lambda: refined_read(before, after, c))):
                    wr.writerow(dict(row, read=name, truth=tw, value=round(fn(), 5) if ok else ""))
                _clean_rows(wr, row, a, img, tw, base)
                fh.flush()
            print(f"done {path.name} (A per mm {-1 / unit:.3f})", flush=True)
    print(f"skipped {skipped}", flush=True)


def nuisance_floor(out_csv: Path) -> None:
    """The ``flow`` read and the ``jaw_width_mm`` row on ``bench/bench_compare.py --noise-floors``' nuisance-only
    pairs (the sample and the 24 London portraits, each nuisance of ``simulate.NUISANCES`` but the identity),
    and the floor of each by the package's rule (1.25 x the largest |change|, 2 significant digits)."""
    import cv2

    from bench_compare import nuisance_faces
    from facemetrics.compare import measure as me

    cv2.setNumThreads(1)
    vals = {"flow": [], "row": []}
    with open(out_csv, "w", newline="") as fh:
        wr = csv.DictWriter(fh, ["face", "nuisance", "flow", "row"])
        wr.writeheader()
        for path, a, afters in nuisance_faces():
            for name, b in afters:
                if not b.ok:
                    continue
                pair = me._measure(a, b)
                f, r = flow_read(a, pair), pair.values[("jaw_width_mm", "mean")][2]
                vals["flow"].append(f)
                vals["row"].append(r)
                wr.writerow(dict(face=path.name, nuisance=name, flow=round(f, 5), row=round(r, 5)))
            fh.flush()
            print(f"floor {path.name}", flush=True)
    for k, v in vals.items():
        i = int(np.argmax(np.abs(v)))
        print(f"{k}: {len(v)} pairs, largest |change| {abs(v[i]):.3f} mm, 95th pct {np.percentile(np.abs(v), 95):.3f},"
              f" floor {_floor(v):.2g} mm")


def real_pairs() -> None:
    """The ``flow`` read and the ``jaw_width_mm`` row on real photos of one unchanged face (no narrowing): the
    DeBruine camera distances (15-60 cm) and pose variations, every pair of each set (added after the tuning and
    held-out reads: what the flow width reads where the pose and the camera really change)."""
    import itertools

    import facemetrics as fm

    folder = SHARED / "debruine_cc0"
    for pattern in ("debruine_camera_distance_*.jpg", "debruine_pose_variation_*.jpg"):
        photos = [fm.analyze_photo(p) for p in sorted(folder.glob(pattern))]
        for a, b in itertools.combinations([x for x in photos if x.ok], 2):
            c = fm.compare_photos(a, b)
            ok = c.ok or c.status == "warning"
            row = c.get("jaw_width_mm") if ok else None
            print(f"{a.name} -> {b.name}: status {c.status}; row "
                  + (f"{row.change:+.2f} mm (floor {row.noise_floor:.2f}, {row.verdict})" if row else "-")
                  + (f"; flow {flow_read(a, c):+.2f} mm" if ok else ""), flush=True)


def _floor(values: list[float]) -> float:
    """1.25 x the largest |value|, rounded up to 2 significant digits."""
    x = 1.25 * max(abs(v) for v in values)
    if x <= 0:
        return 0.0
    e = 10.0 ** (np.floor(np.log10(x)) - 1)
    return float(np.ceil(x / e - 1e-9) * e)


def load(path: Path) -> list[dict]:
    with open(path) as fh:
        return [r for r in csv.DictReader(fh) if r["value"] != ""]


def bench_floors(rows: list[dict]) -> dict:
    """Per read: the bench floor from its 0-mm pairs."""
    out = {}
    for name in sorted({r["read"] for r in rows}):
        zero = [float(r["value"]) for r in rows if r["read"] == name and float(r["size_mm"]) == 0]
        if zero:
            out[name] = _floor(zero)
    return out


def summary(path: Path, floors_from: Path | None = None) -> None:
    from small_lifts import _boot_ratio

    rows = load(path)
    floors = bench_floors(load(floors_from) if floors_from else rows)
    rng = np.random.default_rng(0)
    print(f"{path}; bench floors from {floors_from or path}")
    print(f"{'read':34s} {'size':>4s} {'n':>3s} {'truth':>8s} {'read':>8s} {'ratio':>5s} {'95% CI':>11s} "
          f"{'floor':>7s} {'dec/inc':>7s} {'bench fl':>8s} {'dec/inc':>7s} {'unc':>3s}")
    for name in sorted({r["read"] for r in rows}):
        for mm in SIZES_MM:
            sel = [r for r in rows if r["read"] == name and float(r["size_mm"]) == mm]
            if not sel:
                continue
            val = np.array([float(r["value"]) for r in sel])
            has_truth = sel[0]["truth"] != ""
            tr = np.array([float(r["truth"]) for r in sel]) if has_truth else None
            rat = f"{'':5s} {'':11s}"
            if has_truth and mm > 0:
                reads, truths = {}, {}
                for r in sel:
                    reads.setdefault(r["face"], []).append(float(r["value"]))
                    truths.setdefault(r["face"], []).append(float(r["truth"]))
                lo, hi = _boot_ratio(reads, truths, rng)
                rat = f"{val.sum() / tr.sum():5.2f} {lo:5.2f}-{hi:<5.2f}"
            own = [r for r in sel if r["verdict"]]
            dec = sum(r["verdict"] == "decrease" for r in own)
            inc = sum(r["verdict"] == "increase" for r in own)
            unc = sum(r["verdict"] == "uncertain" for r in own)
            fl = np.median([float(r["floor"]) for r in own]) if own else float("nan")
            bf = floors.get(name, float("nan"))
            bd, bi = int(np.sum(val <= -bf)), int(np.sum(val >= bf))
            print(f"{name:34s} {mm:4g} {len(sel):3d} {np.median(tr) if has_truth else float('nan'):8.3f} "
                  f"{np.median(val):8.3f} {rat} {fl:7.3f} {f'{dec}/{inc}' if own else '':>7s} {bf:8.3f} "
                  f"{f'{bd}/{bi}':>7s} {unc:3d}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", type=Path, default=Path("/tmp/narrowing.csv"))
    ap.add_argument("--heldout", action="store_true")
    ap.add_argument("--only", type=int, default=None, help="the first N faces of the split (a timing run)")
    ap.add_argument("--summary", type=Path)
    ap.add_argument("--floors-from", type=Path)
    ap.add_argument("--real", action="store_true", help="the DeBruine distance and pose pairs (no narrowing)")
    ap.add_argument("--clean-only", action="store_true", help="the clean_oval reads alone (-o: their CSV)")
    ap.add_argument("--nuisance-floor", action="store_true",
                    help="the flow read's floor on bench_compare.py --noise-floors' pairs (-o: their CSV)")
    args = ap.parse_args(argv)
    if args.summary:
        summary(args.summary, args.floors_from)
        return 0
    if not SHARED.is_dir():
        print(f"no shared faces at {SHARED}", file=sys.stderr)
        return 2
    if args.nuisance_floor:
        nuisance_floor(args.out)
    elif args.real:
        real_pairs()
    elif args.clean_only:
        clean_only(args.heldout, args.out)
    else:
        measure(args.heldout, args.out, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
