"""The fold contrast row on simulated deepened folds, glasses-free (docs/robustness.md 'The fold contrast row read
'shallower' on deepened folds').

Pairs per face (``bench_glasses_rows.faces``: tuning = London 12 neutral + the Canada tuning split; heldout = the
Canada held-out split, the DeBruine photos left out): the face against its no-change copy ('nuisance':
``bench_glasses_rows.nuisances``, a 1 deg roll, 0.97 scale, 1.05 brightness) and against
``simulate.deepen_fold(0.25, "both")`` of it with the same nuisances ('deepen').  For each side it records the shipped
rows (``nlf_contrast_pct``, ``nlf_depth``: change and verdict), the change of the contrast's two 4 mm skin references
(``folds.contrast_side_levels``, the before photo along its found line, the after photo tone-matched along that line
carried by the flow: what ``gate.fold_contrast_side_rows`` reads), and, on the deepened pairs, the mechanism: how far
the residual flow moved the carried line against the no-change pair's (the same geometry; mm along the line's
lateral normal) and where the simulated valley lies from the carried line (the offset, within +-6 mm, of the lowest
after / before ratio, median over the span rows).

The shipped verdicts are read with the reference check off (``compare.fold_contrast_side_rows`` returns nothing):
``--table`` applies it at each candidate ``X`` of the rule.

    python bench/bench_fold_contrast.py --measure tuning /tmp/contrast_tuning.csv     # 2026-12-05, ~6 min
    python bench/bench_fold_contrast.py --measure heldout /tmp/contrast_heldout.csv   # once, after choosing
    python bench/bench_fold_contrast.py --table /tmp/contrast_tuning.csv [/tmp/contrast_heldout.csv]

h4 (docs/robustness.md 'The fold line carried off a new darkening'): ``--candidates SET CSV`` reads every pair
above plus the same face deepened at sigma 1 and 3 mm, darkened along the Face Mesh fold chain, and warped along the
fold lines' normal (no darkening), each with every carrier of :data:`CARRIERS` (the shipped residual flow and the
rule's candidates); ``--candidates-table CSV`` prints the rule's (a)-(e) per carrier.  The ``--measure`` rows now
read the lines carried as the comparison carries them (``measure.fold_carry`` since h4).

    python bench/bench_fold_contrast.py --candidates tuning /tmp/h4/cand_tuning.csv    # 2026-12-05, ~10 min
    python bench/bench_fold_contrast.py --candidates-table /tmp/h4/cand_tuning.csv

Needs ``../shared/faces``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_glasses_rows import faces, nuisances  # noqa: E402

import facemetrics.compare as fcompare  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import folds as ff  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.compare import measure as fm  # noqa: E402
from facemetrics.compare.table import verdict  # noqa: E402
from facemetrics.geometry import NLF_PATH_LEFT, NLF_PATH_RIGHT, OUTER_LIPS, resample_polyline  # noqa: E402

#: the rule's candidates (docs/robustness.md), largest first
CANDIDATES = (12.0, 8.0, 5.0, 3.0)
FINE = ("within_noise", "uncertain")


def cross_profile(image, points, frame, side, line_px) -> tuple[np.ndarray, np.ndarray]:
    """The luminance across a fold line as the contrast samples it: offsets (mm, negative = medial, shape (n,)) and
    the smoothed samples of the landmark span's rows, shape (rows, n)."""
    if image.ndim == 3:
        image = image[..., 1]
    idx = NLF_PATH_RIGHT if side == "right" else NLF_PATH_LEFT
    uv_lm = frame.to_mm(np.asarray(points, np.float64)[list(idx), :2])
    centre = resample_polyline(frame.to_mm(np.asarray(line_px, np.float64)[:, :2]), ff.RESOLUTION_MM, "exact")
    offsets = ff._score_columns(ff.RESOLUTION_MM, ff.SKIN_MEDIAL_MM, ff.SKIN_LATERAL_MM)[0]
    band = ff._along(ff._sample(image, frame, ff._fan(centre, offsets, ff._normals(centre, side)))[0])
    return offsets, band[ff._span_rows(centre, uv_lm)].astype(np.float64)


def keep_fold_changes() -> tuple[dict, object]:
    """``measure._fold_changes`` replaced by a wrapper that keeps its last call's arguments in the dict returned
    (``"args"``: the registration, the before state, the after photo, the warped image) and calls the original, also
    returned (to read the same registration again with another carrier: ``bench/fold_carry_floors.py``)."""
    seen: dict = {}
    fold_changes = fm._fold_changes

    def kept(reg, st, b, warped=None, **kw):
        seen["args"] = (reg, st, b, warped)
        return fold_changes(reg, st, b, warped, **kw)

    fm._fold_changes = kept
    return seen, fold_changes


def _capture() -> dict:
    """Keep the last call's arguments of ``measure._fold_changes`` (:func:`keep_fold_changes`); the reference check
    off."""
    seen, _ = keep_fold_changes()
    fcompare.fold_contrast_side_rows = lambda changes, skip=(): ((), [])
    return seen


def measure(which: str, out: Path, only_faces: tuple[str, ...] = ()) -> None:
    """The pairs of the module docstring, one CSV row per (face, kind, side), written after each face."""
    seen = _capture()
    rows = []
    for p in faces(which):
        if "debruine" in str(p) or (only_faces and p.name not in only_faces):
            continue
        a = analyze_photo(p)
        if not a.ok:
            continue
        carried_nuisance = {}
        for kind, rgb in (("nuisance", nuisances(a.photo.rgb)),
                          ("deepen", nuisances(sim.deepen_fold(a, 0.25, "both").image))):
            b = analyze_photo(rgb, name=f"{p.stem}-{kind}.png")
            if not b.ok:
                continue
            seen.clear()
            c = compare_photos(a, b)
            if "args" not in seen:
                continue
            reg, st, bb, warped = seen["args"]
            matched = fm.match_tones(reg.after_grid, reg.before_grid, st.skin, aligned=warped)
            moved = st.pts_g + fm._at(reg.flow, st.pts_g)
            lips = list(OUTER_LIPS)
            moved[lips] = fm.al.apply(fm.al.invert(reg.grid_to_after), bb.points[lips, :2])
            sides = c.cues.get("fold_contrast_sides_change_pct", {})
            carry = fm.fold_carry(reg, st)  # what the comparison carries the lines by (the residual flow before h4)
            for side, (line, _) in zip(("right", "left"), st.fold_lines):
                carried = line + carry(line, side)
                r = {x.metric: x for x in c.changes if x.side == side}
                med, lat = sides.get(side, (np.nan, np.nan))
                d = dict(face=p.name, kind=kind, side=side, status=c.status,
                         contrast=r["nlf_contrast_pct"].change, contrast_floor=r["nlf_contrast_pct"].noise_floor,
                         contrast_v=r["nlf_contrast_pct"].verdict, depth=r["nlf_depth"].change,
                         depth_v=r["nlf_depth"].verdict, med_pct=med, lat_pct=lat)
                if kind == "nuisance":
                    carried_nuisance[side] = carried
                elif side in carried_nuisance:
                    g = st.gframe
                    normal = ff._normals(g.to_mm(line), side)
                    d["flow_shift_mm"] = float(np.median(np.sum((g.to_mm(carried) - g.to_mm(carried_nuisance[side]))
                                                                * normal, axis=1)))
                    o, pa = cross_profile(st.prepared.before_grid, st.pts_g, g, side, line)
                    _, pb = cross_profile(matched, moved, g, side, carried)
                    n, near = min(len(pa), len(pb)), np.abs(o) <= 6.0
                    at = o[near][np.argmin(pb[:n, near] / np.maximum(pa[:n, near], 1.0), axis=1)]
                    d["valley_offset_mm"] = float(np.median(at))
                rows.append(d)
        print(f"{p.name} done", flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)


def table(csv: Path) -> float | None:
    """The shipped rows and the rule's (a)-(b) at each candidate ``X`` (docs/robustness.md); returns the largest
    ``X`` meeting them (None: none)."""
    df = pd.read_csv(csv)
    df["side_max"] = np.maximum(df.med_pct.abs(), df.lat_pct.abs())
    # the verdicts before the check: a row the check made uncertain (a run with it on) read from its change and
    # floor (the glasses-free pairs have no other reason for an uncertain fold row)
    unc = df.contrast_v == "uncertain"
    df.loc[unc, "contrast_v"] = [verdict("fold", c, f) for c, f in zip(df.contrast[unc], df.contrast_floor[unc])]
    de, nz = df[df.kind == "deepen"], df[df.kind == "nuisance"]
    print(f"\n{csv}: {df.face.nunique()} faces; deepened sides {len(de)}, no-change sides {len(nz)}")
    print(f"  shipped: deepened contrast {de.contrast_v.value_counts().to_dict()}, depth "
          f"{de.depth_v.value_counts().to_dict()}; no-change contrast {nz.contrast_v.value_counts().to_dict()}")
    bad = de[de.contrast_v == "shallower"]
    print("  deepened sides whose contrast reads 'shallower' (flow shift of the carried line against the no-change "
          "pair's, valley offset from the carried line, references' change):")
    for r in bad.itertuples():
        print(f"    {r.face:40s} {r.side:5s} {r.contrast:+7.2f} / {r.contrast_floor:.2f}; shift {r.flow_shift_mm:+.1f} mm, "
              f"valley {r.valley_offset_mm:+.1f} mm; medial {r.med_pct:+.1f} %, lateral {r.lat_pct:+.1f} %")
    far = de.flow_shift_mm.abs() >= 2.0
    print(f"  deepened sides with the carried line moved >= 2 mm by the flow: {int(far.sum())} of {len(de)} "
          f"(contrast {de[far].contrast_v.value_counts().to_dict()}); the others: "
          f"{de[~far].contrast_v.value_counts().to_dict()}")
    print(f"  no-change sides: largest reference change {nz.side_max.max():.2f} % (median {nz.side_max.median():.2f})")
    print("| X (%) | deepened contrast 'shallower' | 'deeper' kept | deepened contrast uncertain | no-change contrast "
          "rows made uncertain | meets (a)-(b) |")
    print("|---|---|---|---|---|---|")
    chosen = None
    for x in CANDIDATES:
        g_de, g_nz = de.side_max > x, nz.side_max > x
        shallow = int(((de.contrast_v == "shallower") & ~g_de).sum())
        deeper = int(((de.contrast_v == "deeper") & ~g_de).sum())
        new_false = int((~nz.contrast_v.isin(FINE) & ~g_nz).sum()) - int((~nz.contrast_v.isin(FINE)).sum())
        ok = shallow <= 1 and int(g_nz.sum()) <= 0.1 * len(nz) and new_false <= 0
        chosen = x if ok and chosen is None else chosen
        print(f"| {x:g} | {shallow} of {len(de)} | {deeper} of {int((de.contrast_v == 'deeper').sum())} | "
              f"{int(g_de.sum())} | {int(g_nz.sum())} of {len(nz)} | {'yes' if ok else 'no'} |")
    print(f"  the largest X meeting the rule on this set: {chosen}")
    return chosen


# --- h4: the fold line carried off a new darkening (docs/robustness.md 'The fold line carried off a new darkening')

#: the rule's candidates: name -> (kind, parameter); "shipped" is the residual flow itself (the carrying shipped
#: before h4; "D" is what ``measure.fold_carry`` does since)
CARRIERS = {"shipped": ("flow", None), "A5": ("across", 5.0), "A6": ("across", 6.0), "A7": ("across", 7.0),
            "B0.75": ("box", 0.75), "B1.0": ("box", 1.0), "B2.5": ("box", 2.5),
            "C1.0": ("correct", 1.0), "C0.75": ("correct", 0.75), "D": ("smooth", 1.0)}
#: the warp of rule (d): its amplitude cycles over the faces, mm (positive = lateral); its Gaussian width, mm
WARP_AMPLITUDES_MM = (1.0, -2.0, 3.0, -1.0, 2.0, -3.0)
WARP_SIGMA_MM = 5.0
#: the box of a candidate B flow: the fold band's box grown by this, mm
BOX_MARGIN_MM = 10.0


def carrier(kind: str, param, reg, st):
    """``carry(points, side)`` for ``measure._fold_changes``: grid px displacements, shape (n, 2)."""
    flow = fm.flow_carry(reg, st)
    if kind == "flow":
        return flow
    if kind == "across":
        def across(cr, side):
            if side is None:
                return flow(cr, side)
            off = ff._normals(st.gframe.to_mm(cr), side) * (param / st.grid.res_mm)
            return 0.5 * (fm._at(reg.flow, cr + off) + fm._at(reg.flow, cr - off))
        return across
    # C: the images are the before grid image and the after grid image warped by the residual flow
    after = fm._warped_by_flow(reg) if kind == "correct" else reg.after_grid
    boxes = {}
    for side, (_, band) in zip(("right", "left"), st.fold_lines):
        m = BOX_MARGIN_MM / st.grid.res_mm
        lo = np.maximum(np.floor(band.min(0) - m).astype(int), 0)
        hi = np.minimum(np.ceil(band.max(0) + m).astype(int), (st.grid.shape[1], st.grid.shape[0]))
        c0, r0 = lo
        c1, r1 = hi
        k = fm.al.FLOW_REDUCTION
        sig = param / (k * st.grid.res_mm)
        bi = fm.al.normalise(fm.al.reduce_half(reg.before_grid[r0:r1, c0:c1], k), sig)
        ai = fm.al.normalise(fm.al.reduce_half(after[r0:r1, c0:c1], k), sig)
        f = fm.al.expand_flow(fm.al.dense_flow(bi, ai, 0), (r1 - r0, c1 - c0), factor=k)
        boxes[side] = (f, np.array([c0, r0], np.float64))

    def boxed(cr, side):
        if side is None:
            return flow(cr, side)
        f, o = boxes[side]
        d = fm._at(f, cr - o)
        if kind == "correct":
            return d + fm._at(reg.flow, cr + d)
        if kind == "smooth":
            arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(cr, axis=0), axis=1))]) * st.grid.res_mm
            w = np.exp(-0.5 * ((arc[:, None] - arc[None, :]) / 4.0) ** 2)
            return (w @ d) / w.sum(1, keepdims=True)
        return d
    return boxed


def warp_fold(a, amplitude_mm: float, sigma_mm: float = WARP_SIGMA_MM) -> np.ndarray:
    """Rule (d)'s motion without darkening: both fold lines (``a.nlf_*.line_px``) and the skin around them moved by
    ``amplitude_mm * n * exp(-d^2 / 2 sigma^2)`` (``n`` the line's lateral unit normal at the nearest line point,
    ``d`` the distance to it, mm); the inverse map by fixed-point iteration.  Returns the RGB image."""
    from scipy.spatial import cKDTree
    img = a.photo.rgb
    h, w = img.shape[:2]
    mmpx = a.calibration.mm_per_px
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    pts, nrm = [], []
    for side, f in (("right", a.nlf_right), ("left", a.nlf_left)):
        line = resample_polyline(np.asarray(f.line_px, np.float64)[:, :2], 0.5, "exact")
        n_mm = ff._normals(a.frame.to_mm(line), side)
        n_px = a.frame.to_px(a.frame.to_mm(line) + n_mm) - line  # the mm normal as a px direction
        pts.append(line)
        nrm.append(n_px / np.linalg.norm(n_px, axis=1, keepdims=True))
    pts, nrm = np.concatenate(pts), np.concatenate(nrm)
    d, i = cKDTree(pts).query(np.column_stack([gx.ravel(), gy.ravel()]))
    wgt = (amplitude_mm / mmpx) * np.exp(-0.5 * (d * mmpx / sigma_mm) ** 2)
    ux = (wgt * nrm[i, 0]).reshape(h, w).astype(np.float32)
    uy = (wgt * nrm[i, 1]).reshape(h, w).astype(np.float32)
    # out(q) = img(p) with p + u(p) = q: p = q - u(p), iterated
    px, py = gx.copy(), gy.copy()
    for _ in range(8):
        px = gx - cv2.remap(ux, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        py = gy - cv2.remap(uy, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return cv2.remap(img, px, py, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def darken_chain(a, fraction: float = 0.25, width_mm: float = 1.5) -> tuple[np.ndarray, dict]:
    """Rule (e): a valley like ``simulate.deepen_fold``'s along the Face Mesh fold chain (203-206-216 /
    423-426-436) instead of the found line; returns the image and, per side, the chain's median distance from the
    found line (mm)."""
    from scipy.spatial import cKDTree
    img = a.photo.rgb
    mmpx = a.calibration.mm_per_px
    dist = np.full(img.shape[:2], np.inf, np.float32)
    apart = {}
    for side, idx, f in (("right", NLF_PATH_RIGHT, a.nlf_right), ("left", NLF_PATH_LEFT, a.nlf_left)):
        chain = resample_polyline(np.asarray(a.points, np.float64)[list(idx), :2], 0.5, "exact")
        mask = np.full(img.shape[:2], 255, np.uint8)
        cv2.polylines(mask, [np.round(chain).astype(np.int32)], False, 0, 1, cv2.LINE_8)
        dist = np.minimum(dist, cv2.distanceTransform(mask, cv2.DIST_L2, 5) * mmpx)
        line = resample_polyline(np.asarray(f.line_px, np.float64)[:, :2], 0.5, "exact")
        apart[side] = float(np.median(cKDTree(line).query(chain)[0]) * mmpx)
    gain = 1.0 - fraction * np.exp(-0.5 * (dist / width_mm) ** 2)
    return np.clip(img.astype(np.float32) * gain[..., None], 0, 255).round().astype(np.uint8), apart


def measure_candidates(which: str, out: Path, only_faces: tuple[str, ...] = ()) -> None:
    """Rule (a)-(e) of the h4 section: per face the no-change pair, the deepened pair (sigma 1.5, 1, 3 mm), the
    chain darkening and the warp, each read with every carrier of :data:`CARRIERS` (the 12 % gate off); one CSV row
    per (face, kind, side, carrier)."""
    seen = _capture()
    rows = []
    for fi, p in enumerate(x for x in faces(which) if "debruine" not in str(x)
                           and (not only_faces or x.name in only_faces)):
        a = analyze_photo(p)
        if not a.ok:
            continue
        amp = WARP_AMPLITUDES_MM[fi % len(WARP_AMPLITUDES_MM)]
        chain_img, apart = darken_chain(a)
        pairs = (("nuisance", a.photo.rgb), ("deepen", sim.deepen_fold(a, 0.25, "both").image),
                 ("deepen_w1", sim.deepen_fold(a, 0.25, "both", width_mm=1.0).image),
                 ("deepen_w3", sim.deepen_fold(a, 0.25, "both", width_mm=3.0).image),
                 ("chain", chain_img), ("warp", warp_fold(a, amp)))
        nuisance_lines = {}
        for kind, rgb in pairs:
            b = analyze_photo(nuisances(rgb), name=f"{p.stem}-{kind}.png")
            if not b.ok:
                continue
            seen.clear()
            c = compare_photos(a, b)
            if "args" not in seen:
                continue
            reg, st, bb, warped = seen["args"]
            shipped = {(x.metric, x.side): x for x in c.changes}
            g = st.gframe
            for name, (ck, param) in CARRIERS.items():
                carry = carrier(ck, param, reg, st)
                values = fm._fold_changes(reg, st, bb, warped, carry=carry)[0]
                for side, (line, _) in zip(("right", "left"), st.fold_lines):
                    carried = line + carry(line, side)
                    d = dict(face=p.name, kind=kind, side=side, carrier=name, status=c.status,
                             warp_mm=amp if kind == "warp" else np.nan,
                             chain_apart_mm=apart[side] if kind == "chain" else np.nan)
                    for metric in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm"):
                        x = shipped[(metric, side)]
                        ch = values[(metric, side)][2]
                        v = "uncertain" if x.verdict == "uncertain" else verdict("fold", ch, x.noise_floor)
                        d.update({metric: ch, f"{metric}_floor": x.noise_floor, f"{metric}_v": v,
                                  f"{metric}_shipped": x.change})
                    if kind == "nuisance":
                        nuisance_lines[(name, side)] = carried
                    elif (name, side) in nuisance_lines:
                        normal = ff._normals(g.to_mm(line), side)
                        d["offset_mm"] = float(np.median(np.sum((g.to_mm(carried) - g.to_mm(nuisance_lines[(name, side)]))
                                                                * normal, axis=1)))
                    rows.append(d)
        print(f"{p.name} done", flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)


def _q95(x) -> float:
    return float(np.nanpercentile(np.abs(x), 95)) if len(x) else float("nan")


def table_candidates(csv: Path) -> None:
    """Rule (a)-(e) per carrier (docs/robustness.md, h4)."""
    df = pd.read_csv(csv)
    print(f"\n{csv}: {df.face.nunique()} faces")
    base = df[(df.carrier == "shipped") & (df.kind == "nuisance")]
    q_base = {m: _q95(base[m]) for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm")}
    false_base = set(map(tuple, base[~base.nlf_depth_v.isin(FINE) | ~base.nlf_contrast_pct_v.isin(FINE)
                                     | ~base.nlf_length_mm_v.isin(FINE)][["face", "side"]].values))
    print("| carrier | (a) deepened offset median / max (mm) | (b) contrast 'shallower' / depth 'deeper' | "
          "(c) new no-change rows; 95th pct depth / contrast / length (x shipped) | (d) warp |offset - A| median / max "
          "(mm) | (e) offset median / max: w1, w3, chain; 'shallower' w1+w3 (depth, contrast) | meets |")
    print("|---|---|---|---|---|---|---|")
    for name in CARRIERS:
        x = df[df.carrier == name]
        de, nz = x[x.kind == "deepen"], x[x.kind == "nuisance"]
        off = de.offset_mm.abs()
        a_ok = off.median() < 1.0 and off.max() < 2.0
        shallow = int((de.nlf_contrast_pct_v == "shallower").sum())
        deeper = int((de.nlf_depth_v == "deeper").sum())
        b_ok = shallow == 0 and deeper == len(de)
        nonfine = nz[~nz.nlf_depth_v.isin(FINE) | ~nz.nlf_contrast_pct_v.isin(FINE) | ~nz.nlf_length_mm_v.isin(FINE)]
        new = len(set(map(tuple, nonfine[["face", "side"]].values)) - false_base)
        ratios = [(_q95(nz[m]) / q_base[m]) for m in q_base]
        c_ok = new == 0 and max(ratios) <= 1.10
        wp = x[x.kind == "warp"]
        err = (wp.offset_mm - wp.warp_mm).abs()
        d_ok = err.median() <= 0.5
        e_parts, e_ok = [], True
        for k in ("deepen_w1", "deepen_w3", "chain"):
            o = x[x.kind == k].offset_mm.abs()
            e_parts.append(f"{o.median():.2f} / {o.max():.2f}")
            e_ok &= bool(o.median() < 1.0 and o.max() < 2.0)
        ww = x[x.kind.isin(("deepen_w1", "deepen_w3"))]
        sh = (int((ww.nlf_depth_v == "shallower").sum()), int((ww.nlf_contrast_pct_v == "shallower").sum()))
        e_ok &= sh == (0, 0)
        print(f"| {name} | {off.median():.2f} / {off.max():.2f} | {shallow} of {len(de)} / {deeper} | {new}; "
              f"{' / '.join(f'{r:.2f}' for r in ratios)} | {err.median():.2f} / {err.max():.2f} | "
              f"{', '.join(e_parts)}; {sh[0]}, {sh[1]} | {'yes' if a_ok and b_ok and c_ok and d_ok and e_ok else 'no'} "
              f"({''.join(t for t, ok in zip('abcde', (a_ok, b_ok, c_ok, d_ok, e_ok)) if not ok) or '-'}) |")
    ch = df[(df.kind == "chain") & (df.carrier == "shipped")]
    print(f"  chain darkening: median distance of the chain from the found line {ch.chain_apart_mm.median():.2f} mm "
          f"(quartiles {ch.chain_apart_mm.quantile(0.25):.2f}-{ch.chain_apart_mm.quantile(0.75):.2f}); verdicts per "
          "carrier (depth, contrast):")
    for name in CARRIERS:
        y = df[(df.kind == "chain") & (df.carrier == name)]
        print(f"    {name}: depth {y.nlf_depth_v.value_counts().to_dict()}, contrast "
              f"{y.nlf_contrast_pct_v.value_counts().to_dict()}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--faces", nargs="*", default=())
    ap.add_argument("--table", nargs="+", metavar="CSV")
    ap.add_argument("--candidates", nargs=2, metavar=("SET", "CSV"))
    ap.add_argument("--candidates-table", nargs="+", metavar="CSV")
    args = ap.parse_args()
    if args.measure:
        measure(args.measure[0], Path(args.measure[1]), tuple(args.faces))
    if args.candidates:
        measure_candidates(args.candidates[0], Path(args.candidates[1]), tuple(args.faces))
    for csv in args.candidates_table or ():
        table_candidates(Path(csv))
    for csv in args.table or ():
        table(Path(csv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
