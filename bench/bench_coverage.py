"""Do ``compare_photos``' noise floors and verdicts hold on real faces, against a truth the method does not assume?

Three sets of before/after pairs, every one through the public :func:`facemetrics.compare_photos`::

    python bench/bench_coverage.py -o /tmp/coverage.csv            # all sets (~10 min on 2 cores)
    python bench/bench_coverage.py --quick -o /tmp/coverage_q.csv  # 2 faces, a smoke run
    python bench/bench_coverage.py --summary /tmp/coverage.csv      # the tables (markdown)

Skips with a message (exit status 0) when ``../shared/faces`` is absent.  No photo is copied into
the project: the after photos live in memory and are handed over as JPEG / PNG bytes.

1. ``synthetic`` -- real faces (the 12 London neutral portraits, on which the default floors were
   measured, and the first 12 Canada faces in name order, which they were not), each the *before*
   photo as it is, and *after* photos with a known lift of a shape of this script's own (not
   :func:`facemetrics.simulate.lift`'s), then hand-held nuisances.

   The lift ("oblique bump"), fixed before any result was looked at:

   - per side, a compactly supported Wendland C2 bump ``phi(r) = (1 - r/R)^4 (4 r/R + 1)`` for
     ``r < R``, ``R = 45 mm``, centred halfway between the mouth corner (61 / 291) and the gonion
     (172 / 397) of the before photo's landmarks (the lateral lower cheek, not the jaw contour);
   - a 2-D displacement, not a vertical one: up and *outward* at 30 deg from the vertical (the
     "superolateral vector" of a surgical lift), so the skin also moves sideways by
     ``tan 30 = 0.58 x`` its rise; the peak *vertical* displacement is ``A`` mm;
   - the background does not move: the field is multiplied by a linear fade from 1 on the convex
     hull of the 468 mesh points to 0 at 8 mm outside it;
   - applied by backward warping (fixed-point inverse of the forward field, 10 iterations, bicubic);
   - ``A`` = 0 (three nuisance draws), 0.25, 0.5, 1, 2, 3 mm on both sides, and 1 and 3 mm on the
     subject's left only (right amplitude 0).

   **Truth** per region and side: the 20 % trimmed mean (the comparison's own definition of a
   region lift) of the true upward displacement over the regions rasterised by
   :func:`facemetrics.simulate.truth_regions` (independent code, 0.25 mm samples), placed with the
   before photo's landmarks; ``mean`` = average of right and left.  The pose rows' truth: pitch,
   yaw, camera distance 0; roll = the nuisance's in-plane rotation (clockwise positive).

   Nuisances on every after photo (seed = face index x 100 + case index): roll U(-1.5, 1.5) deg and
   scale U(0.97, 1.03) about the face centre, shift U(-15, 15) px in x and y (bicubic, edges
   replicated), brightness x U(0.92, 1.08), Gaussian sensor noise SD 2 grey levels, then a JPEG
   re-encode at quality randint(75, 95).

1b. ``repeats`` -- the same faces and bump at A = 0, 1, 2 mm, each comparison given one more
   nuisance draw of the before and of the after state (``before_repeats`` / ``after_repeats``), so
   its floors are ``t(0.975, 2) x RMS`` of the two repeat changes, which the docs call a 95 %
   two-sided bound (seed = 50 000 + face index x 100 + case index).

2. ``debruine`` -- the CC0 person at camera distances 15 / 30 / 45 / 60 cm and in four poses, every
   ordered pair within each group (true lift 0; pose and distance change for real).

3. ``grid`` -- GRID talking-head clips (360 x 288; the faces are 105-120 px wide, which
   ``analyze_photo`` refuses as too small, so each frame is upscaled x 2, bicubic, and handed over as
   PNG): frames (f, f+1) and (f, f+5) for f = 0, 25, 50 of every clip.  The skin is not lifted,
   but the speaker talks: the mouth and jaw do move between frames.

Every comparison's table is also checked for defects: a row without a unit, a finite change with
a missing floor, a verdict that contradicts its own change and floor (a row reading ``uncertain``
is no verdict: it is only checked to sit in a comparison whose status is not ``ok``).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "faces"
sys.path.insert(0, str(ROOT))

# ---- the synthetic truth's parameters (fixed before any run) ----
BUMP_RADIUS_MM = 45.0
BUMP_ANGLE_DEG = 30.0  # from the vertical, outward
FADE_OUTSIDE_MM = 8.0
INVERT_ITERATIONS = 10
LEVELS_BOTH_MM = (0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0)
LEVELS_LEFT_MM = (1.0, 3.0)
ROLL_DEG, SCALE, SHIFT_PX, BRIGHT, NOISE_SD, JPEG_Q = 1.5, 0.03, 15.0, 0.08, 2.0, (75, 95)
N_LONDON, N_CANADA = 12, 12
REPEAT_LEVELS_MM = (0.0, 1.0, 2.0)  # the "repeats" set

REGIONS = ("jawline", "jowl", "mouth_corner", "cheek")
SIDES = ("right", "left", "mean")
POSE = ("head_pitch_change_deg", "head_yaw_change_deg", "head_roll_change_deg", "camera_distance_change_pct")


def _wendland(r: np.ndarray) -> np.ndarray:
    t = np.clip(r / BUMP_RADIUS_MM, 0.0, 1.0)
    return (1.0 - t) ** 4 * (4.0 * t + 1.0)


def bump_field(a, amp_right: float, amp_left: float):
    """The forward displacement of the before photo's skin, ``(dx, dy)`` px, on the whole image,
    and ``dv_mm`` (its levelled vertical component, mm, v down), all float32 (H, W)."""
    from facemetrics.geometry import GONION_LEFT, GONION_RIGHT, MOUTH_LEFT, MOUTH_RIGHT

    fr = a.frame
    h, w = a.photo.rgb.shape[:2]
    uv_pts = fr.to_mm(a.points[:, :2])
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    u = ((xs - fr.origin[0]) * fr.u_axis[0] + (ys - fr.origin[1]) * fr.u_axis[1]) * fr.mm_per_px
    v = ((xs - fr.origin[0]) * fr.v_axis[0] + (ys - fr.origin[1]) * fr.v_axis[1]) * fr.mm_per_px
    s, c = np.sin(np.radians(BUMP_ANGLE_DEG)), np.cos(np.radians(BUMP_ANGLE_DEG))
    du = np.zeros((h, w), np.float32)
    dv = np.zeros((h, w), np.float32)
    for amp, mc, gon, out in ((amp_right, MOUTH_RIGHT, GONION_RIGHT, -1.0), (amp_left, MOUTH_LEFT, GONION_LEFT, 1.0)):
        if amp == 0:
            continue
        cu, cv_ = 0.5 * (uv_pts[mc] + uv_pts[gon])
        phi = _wendland(np.hypot(u - cu, v - cv_)).astype(np.float32)
        a_vec = amp / c  # so that the vertical peak is amp
        du += np.float32(out * s * a_vec) * phi
        dv += np.float32(-c * a_vec) * phi  # up = -v
    hull = cv2.convexHull(a.points[:468, :2].astype(np.float32))
    outside = np.ones((h, w), np.uint8)
    cv2.fillConvexPoly(outside, np.round(hull[:, 0]).astype(np.int32), 0)
    dist_mm = cv2.distanceTransform(outside, cv2.DIST_L2, 5) * fr.mm_per_px
    fade = np.clip(1.0 - dist_mm / FADE_OUTSIDE_MM, 0.0, 1.0).astype(np.float32)
    du *= fade
    dv *= fade
    k = 1.0 / fr.mm_per_px
    dx = (du * fr.u_axis[0] + dv * fr.v_axis[0]) * k
    dy = (du * fr.u_axis[1] + dv * fr.v_axis[1]) * k
    return dx.astype(np.float32), dy.astype(np.float32), dv


def apply_field(img: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """The after image: the skin at p moves to p + d(p) (backward warp, fixed-point inverse).

    The inverse is iterated in float64 with exact bilinear sampling (``scipy.ndimage``; OpenCV's
    ``remap`` rounds coordinates to 1/32 px, which left 0.05 px of error), on the box where the field
    is not zero (plus its largest displacement); only the final resampling of the image is OpenCV's
    bicubic ``remap``.
    """
    from scipy.ndimage import map_coordinates

    moving = np.hypot(dx, dy) > 0
    if not moving.any():
        return img.copy()
    pad = int(np.ceil(np.hypot(dx, dy).max())) + 2
    r_, c_ = np.nonzero(moving)
    h, w = img.shape[:2]
    y0, y1 = max(r_.min() - pad, 0), min(r_.max() + pad + 1, h)
    x0, x1 = max(c_.min() - pad, 0), min(c_.max() + pad + 1, w)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    px, py = xs.copy(), ys.copy()
    for _ in range(INVERT_ITERATIONS):
        at = [py, px]
        px, py = (xs - map_coordinates(dx, at, order=1, mode="nearest"),
                  ys - map_coordinates(dy, at, order=1, mode="nearest"))
    out = img.copy()
    out[y0:y1, x0:x1] = cv2.remap(img, px.astype(np.float32), py.astype(np.float32), cv2.INTER_CUBIC,
                                  borderMode=cv2.BORDER_REPLICATE)
    return out


def truth_of(a, dv_mm: np.ndarray) -> dict:
    """``{(region, side): true lift mm}``: the trimmed mean of -dv over simulate.truth_regions."""
    from facemetrics.compare import TRIM
    from facemetrics.simulate import truth_regions

    samples, masks = truth_regions(a.frame.to_mm(a.points[:, :2]))
    from scipy.ndimage import map_coordinates

    xy = a.frame.to_px(samples)
    up = -map_coordinates(dv_mm, [xy[:, 1], xy[:, 0]], order=1, mode="nearest")

    def trimmed(x):
        x = np.sort(x)
        k = int(TRIM * x.size)
        return float(x[k:x.size - k].mean()) if x.size else float("nan")

    out = {}
    for r in REGIONS:
        rr, ll = (trimmed(up[masks[(r, s)]]) for s in ("right", "left"))
        out[(r, "right")], out[(r, "left")], out[(r, "mean")] = rr, ll, 0.5 * (rr + ll)
    return out


def nuisance(img: np.ndarray, a, rng: np.random.Generator) -> tuple[bytes, dict]:
    """Roll, scale, shift, brightness, sensor noise and a JPEG re-encode; returns the JPEG bytes."""
    from facemetrics.geometry import CHIN

    p = dict(roll=float(rng.uniform(-ROLL_DEG, ROLL_DEG)), scale=float(rng.uniform(1 - SCALE, 1 + SCALE)),
             sx=float(rng.uniform(-SHIFT_PX, SHIFT_PX)), sy=float(rng.uniform(-SHIFT_PX, SHIFT_PX)),
             bright=float(rng.uniform(1 - BRIGHT, 1 + BRIGHT)), q=int(rng.integers(JPEG_Q[0], JPEG_Q[1] + 1)))
    c = 0.5 * (a.frame.origin + a.points[CHIN, :2])
    m = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), p["roll"], p["scale"])  # + = counter-clockwise
    m[:, 2] += (p["sx"], p["sy"])
    h, w = img.shape[:2]
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    out = out * p["bright"] + rng.normal(0.0, NOISE_SD, out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).round().astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, p["q"]])
    return buf.tobytes(), p


def defects(c) -> list[str]:
    """Rows of a comparison that break the table's own contract.

    A row whose verdict is ``uncertain`` makes no claim (the pair's own checks say its change cannot
    be read: a rough upper-face match, a cut face, the lips' shape or the camera beyond the checked
    range, ...; any kind of row, the camera-distance row of a pair whose lips changed shape included,
    docs/compare.md 'Camera distance under a change of expression'): it is not a verdict to hold
    against its change and floor.  It must still have a unit and a floor, and the comparison must
    say why (status ``warning``, not ``ok``)."""
    from facemetrics.compare import METRICS, UNCERTAIN, verdict

    kind = {m.metric: m.kind for m in METRICS}
    out = []
    for r in c.changes:
        if not r.unit:
            out.append(f"{r.metric}/{r.side}: no unit")
        if c.status == "refused":
            if r.verdict != "refused":
                out.append(f"{r.metric}/{r.side}: refused comparison but verdict {r.verdict!r}")
            continue
        if not np.isfinite(r.change):
            out.append(f"{r.metric}/{r.side}: change {r.change} (verdict {r.verdict!r})")
            continue
        if not (np.isfinite(r.noise_floor) and r.noise_floor > 0):
            out.append(f"{r.metric}/{r.side}: change {r.change:.3g} with floor {r.noise_floor}")
        if r.verdict == UNCERTAIN:  # not a verdict: no claim to check against the change and floor
            if c.status == "ok":
                out.append(f"{r.metric}/{r.side}: verdict 'uncertain' in a comparison of status 'ok' (no message "
                           "says why)")
            continue
        want = verdict(kind[r.metric], r.change, r.noise_floor)
        if r.verdict != want:
            out.append(f"{r.metric}/{r.side}: change {r.change:+.3g}, floor {r.noise_floor:.3g}, verdict {r.verdict!r}"
                       f" (expected {want!r})")
    return out


def row_of(c, set_, face, case, truth: dict, extra: dict) -> dict:
    d = dict(set=set_, face=face, case=case, status=c.status,
             residual_mm=(c.alignment.residual_mm if c.alignment is not None else float("nan")),
             messages=" | ".join(c.messages), defects=" | ".join(defects(c)), **extra)
    for r in REGIONS:
        for s in SIDES:
            ch = c.get(f"{r}_lift_mm", s)
            d[f"{r}_{s}_truth"] = truth.get((r, s), 0.0)
            d[f"{r}_{s}_got"] = ch.change
            d[f"{r}_{s}_floor"] = ch.noise_floor
            d[f"{r}_{s}_verdict"] = ch.verdict
    for m in POSE:
        ch = c.get(m, "mean")
        d[f"{m}_got"], d[f"{m}_floor"], d[f"{m}_verdict"] = ch.change, ch.noise_floor, ch.verdict
    for s in ("right", "left"):
        ch = c.get("nlf_depth", s)
        d[f"nlf_depth_{s}_got"], d[f"nlf_depth_{s}_floor"], d[f"nlf_depth_{s}_verdict"] = (
            ch.change, ch.noise_floor, ch.verdict)
    # every other row's verdict (false alarms on true-zero pairs)
    d["other_verdicts"] = ";".join(f"{ch.metric}/{ch.side}={ch.verdict}" for ch in c.changes
                                   if ch.verdict not in ("within_noise", "refused", "")
                                   and not ch.metric.endswith("_lift_mm") and ch.metric not in POSE
                                   and ch.metric != "nlf_depth")
    return d


def _faces(quick: bool) -> list[tuple[str, Path]]:
    """The real faces of the synthetic and repeat sets: ``(set, path)``, London first."""
    london = sorted((SHARED / "london_ccby").glob("*_neutral.jpg"))[:N_LONDON]
    canada = sorted((SHARED / "canada_ccby").glob("*.jpg"))[:N_CANADA]
    faces = [("london", p) for p in london] + [("canada", p) for p in canada]
    return [faces[0], faces[N_LONDON]] if quick else faces


def _lifted(a, amp_r: float, amp_l: float) -> tuple[np.ndarray, dict]:
    """The analysed photo ``a`` with the bench's bump of ``amp_r`` / ``amp_l`` mm, and its truth."""
    if not (amp_r or amp_l):
        return a.photo.rgb, {}
    dx, dy, dv = bump_field(a, amp_r, amp_l)
    return apply_field(a.photo.rgb, dx, dy), truth_of(a, dv)


def synthetic(quick: bool):
    import facemetrics as fm

    faces = _faces(quick)
    cases = [(f"both_{A:g}_{k}", A, A) for k, A in enumerate(LEVELS_BOTH_MM)]
    cases += [(f"left_{A:g}", 0.0, A) for A in LEVELS_LEFT_MM]
    for fi, (set_, path) in enumerate(faces):
        a = fm.analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status} {a.error}", flush=True)
            continue
        for ci, (name, amp_r, amp_l) in enumerate(cases):
            rng = np.random.default_rng(fi * 100 + ci)
            img, truth = _lifted(a, amp_r, amp_l)
            data, p = nuisance(img, a, rng)
            c = fm.compare_photos(a, data)
            extra = dict(amp_right=amp_r, amp_left=amp_l, roll_truth_deg=-p["roll"], **{f"nz_{k}": v for k, v in p.items()})
            yield row_of(c, f"synthetic_{set_}", path.stem, name, truth, extra)
        print(f"done {path.name}", flush=True)


def repeats(quick: bool):
    """The floors from repeat photos (``before_repeats`` / ``after_repeats``), claimed to be a 95 %
    two-sided bound: the same faces, A = 0, 1, 2 mm both sides, one extra nuisance draw of each
    state (n = 2 repeat pairs, t = 4.30)."""
    import facemetrics as fm

    faces = _faces(quick)
    for fi, (set_, path) in enumerate(faces):
        a = fm.analyze_photo(path)
        if not a.ok:
            continue
        for ci, amp in enumerate(REPEAT_LEVELS_MM):
            rng = np.random.default_rng(50_000 + fi * 100 + ci)
            img, truth = _lifted(a, amp, amp)
            after, p = nuisance(img, a, rng)
            after2, _ = nuisance(img, a, rng)
            before2, _ = nuisance(a.photo.rgb, a, rng)
            c = fm.compare_photos(a, after, before_repeats=[before2], after_repeats=[after2])
            extra = dict(amp_right=amp, amp_left=amp, roll_truth_deg=-p["roll"], noise_source=c.noise_source,
                         **{f"nz_{k}": v for k, v in p.items()})
            yield row_of(c, f"repeats_{set_}", path.stem, f"repeats_{amp:g}", truth, extra)
        print(f"repeats done {path.name}", flush=True)


def debruine():
    import facemetrics as fm

    d = SHARED / "debruine_cc0"
    groups = [[f"camera_distance_{k}cm" for k in (15, 30, 45, 60)], [f"pose_variation_{k}" for k in (1, 2, 3, 4)]]
    an = {n: fm.analyze_photo(d / f"debruine_{n}.jpg") for g in groups for n in g}
    for g in groups:
        for x in g:
            for y in g:
                if x == y:
                    continue
                if not (an[x].ok and an[y].ok):
                    yield dict(set="debruine", face="debruine", case=f"{x}->{y}", status="not measured",
                               messages=f"{an[x].status} {an[x].error} / {an[y].status} {an[y].error}")
                    continue
                c = fm.compare_photos(an[x], an[y])
                yield row_of(c, "debruine", "debruine", f"{x}->{y}", {}, {})


def _frames(clip: Path, want: set[int]) -> dict[int, bytes]:
    cap = cv2.VideoCapture(str(clip))
    out, i = {}, 0
    while True:
        ok, f = cap.read()
        if not ok or i > max(want):
            break
        if i in want:
            big = cv2.resize(f, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
            out[i] = cv2.imencode(".png", big)[1].tobytes()
        i += 1
    cap.release()
    return out


def grid(quick: bool):
    import facemetrics as fm

    starts = (0, 25, 50)
    clips = sorted((SHARED / "grid_video_ccby").glob("*.mpg"))
    if quick:
        clips = clips[:2]
    for clip in clips:
        fr = _frames(clip, {f + k for f in starts for k in (0, 1, 5)})
        an = {i: fm.analyze_photo(b, name=f"{clip.stem}_{i}") for i, b in fr.items()}
        for f in starts:
            for k in (1, 5):
                x, y = an.get(f), an.get(f + k)
                case = f"{f}->{f + k}"
                if x is None or y is None or not (x.ok and y.ok):
                    yield dict(set="grid", face=clip.stem, case=case, status="not measured",
                               messages=" / ".join(f"{z.status} {z.error}" for z in (x, y) if z is not None))
                    continue
                c = fm.compare_photos(x, y)
                yield row_of(c, "grid", clip.stem, case, {}, dict(mm_per_px=x.mm_per_px))


def run(out: Path, quick: bool, sets: list[str]) -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is absent (the real faces are not shipped with the project)")
        return
    gens = {"synthetic": lambda: synthetic(quick), "repeats": lambda: repeats(quick), "debruine": debruine,
            "grid": lambda: grid(quick)}
    rows = []
    for s in sets:
        rows.extend(gens[s]())
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


def summary(paths: list[Path]) -> None:
    import pandas as pd

    df = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    n_def = df["defects"].fillna("").astype(str).str.len().gt(0)
    print(f"comparisons: {len(df)}; with a table defect: {int(n_def.sum())}")
    for _, r in df[n_def].head(10).iterrows():
        print(f"  DEFECT {r['set']} {r['face']} {r['case']}: {r['defects']}")
    print("\nstatus by set:")
    print(df.groupby(["set", "status"]).size().to_string())
    for prefix in ("synthetic", "repeats"):
        _synthetic_summary(df[df["set"].str.startswith(prefix)], prefix)
    _zero_summary(df)


def _synthetic_summary(syn, prefix: str) -> None:
    import pandas as pd

    if len(syn):
        print(f"\n### {prefix}: oblique bump, recovered vs true lift (rows not refused; verdict 'uncertain' kept)")
        print("| set | region | side | n | truth range mm | slope | bias at 0 mm | RMSE mm | |err| 95th pct mm | "
              "|err| <= floor | median floor mm | err/floor 95th pct |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        ok = syn[syn["status"] != "refused"]
        for set_, g in ok.groupby("set"):
            for r in REGIONS:
                for s in SIDES:
                    t, y, fl = g[f"{r}_{s}_truth"], g[f"{r}_{s}_got"], g[f"{r}_{s}_floor"]
                    e = y - t
                    slope, icpt = np.polyfit(t, y, 1)
                    print(f"| {set_} | {r} | {s} | {len(g)} | {t.min():.2f}-{t.max():.2f} | {slope:.3f} | {icpt:+.3f} | "
                          f"{np.sqrt(np.mean(e ** 2)):.3f} | {np.percentile(np.abs(e), 95):.3f} | "
                          f"{100 * np.mean(np.abs(e) <= fl):.0f} % | {np.median(fl):.3f} | "
                          f"{np.percentile(np.abs(e) / fl, 95):.2f} |")
        print(f"\n### {prefix}: verdicts against the truth (every region and side)")
        tab = []
        for r in REGIONS:
            for s in SIDES:
                t, y, fl, v = ok[f"{r}_{s}_truth"], ok[f"{r}_{s}_got"], ok[f"{r}_{s}_floor"], ok[f"{r}_{s}_verdict"]
                for _, (tt, yy, ff, vv, st) in enumerate(zip(t, y, fl, v, ok["set"])):
                    tab.append(dict(region=r, side=s, set=st, truth=tt, got=yy, floor=ff, verdict=vv))
        tb = pd.DataFrame(tab)
        zero = tb[tb["truth"].abs() < 1e-9]
        print(f"true 0 (exactly, {len(zero)} rows): verdict lift/sag {int(zero['verdict'].isin(['lift', 'sag']).sum())},"
              f" uncertain {int((zero['verdict'] == 'uncertain').sum())}")
        small = tb[(tb["truth"].abs() > 1e-9) & (tb["truth"].abs() < tb["floor"])]
        print(f"0 < |truth| < floor ({len(small)} rows): lift/sag {int(small['verdict'].isin(['lift', 'sag']).sum())}")
        big = tb[tb["truth"].abs() >= 3 * tb["floor"]]
        wrong = big[((big["truth"] > 0) & (big["verdict"] == "sag")) | ((big["truth"] < 0) & (big["verdict"] == "lift"))]
        print(f"|truth| >= 3 floors ({len(big)} rows): within_noise {int((big['verdict'] == 'within_noise').sum())}, "
              f"wrong sign {len(wrong)}, uncertain {int((big['verdict'] == 'uncertain').sum())}")
        mid = tb[(tb["truth"].abs() >= tb["floor"]) & (tb["truth"].abs() < 3 * tb["floor"])]
        print(f"1-3 floors ({len(mid)} rows): within_noise {int((mid['verdict'] == 'within_noise').sum())}, "
              f"right direction {int((((mid['truth'] > 0) & (mid['verdict'] == 'lift')) | ((mid['truth'] < 0) & (mid['verdict'] == 'sag'))).sum())}")
        print("\nper region, rows with |err| > floor (set: n):")
        for (st, r), g in tb.groupby(["set", "region"]):
            bad = g[(g["got"] - g["truth"]).abs() > g["floor"]]
            print(f"  {st} {r}: {len(bad)} of {len(g)}; largest |err|/floor {((g['got'] - g['truth']).abs() / g['floor']).max():.2f}")
        print("\npose rows on the synthetic pairs (truth: pitch/yaw/camera 0, roll = the nuisance):")
        for m in POSE:
            truth = ok["roll_truth_deg"] if m == "head_roll_change_deg" else 0.0
            e = ok[f"{m}_got"] - truth
            print(f"  {m}: |err| median {np.median(np.abs(e)):.3g}, max {np.abs(e).max():.3g}; within floor "
                  f"{100 * np.mean(np.abs(e) <= ok[f'{m}_floor']):.0f} %; median floor {np.median(ok[f'{m}_floor']):.3g};"
                  f" verdict != within_noise {int((ok[f'{m}_verdict'] != 'within_noise').sum())}")
        z = ok[(ok["amp_right"] == 0) & (ok["amp_left"] == 0)]
        print(f"\nzero-lift synthetic pairs ({len(z)}): nlf_depth deeper/shallower "
              f"{int(z[['nlf_depth_right_verdict', 'nlf_depth_left_verdict']].isin(['deeper', 'shallower']).sum().sum())}"
              f" of {2 * len(z)}; other rows with a verdict: "
              f"{int(z['other_verdicts'].fillna('').astype(str).str.len().gt(0).sum())}")


def _zero_summary(df) -> None:
    for set_ in ("debruine", "grid"):
        g = df[df["set"] == set_]
        if not len(g):
            continue
        m = g[g["status"].isin(["ok", "warning"])]
        print(f"\n### {set_}: true lift 0 ({len(g)} pairs, {len(m)} measured: ok {int((m['status'] == 'ok').sum())}, "
              f"warning {int((m['status'] == 'warning').sum())}; refused {int((g['status'] == 'refused').sum())}, "
              f"not measured {int((g['status'] == 'not measured').sum())})")
        print("| region | side | lift/sag verdicts | uncertain | |value| median mm | max mm | |value| <= floor | median floor mm |")
        print("|---|---|---|---|---|---|---|---|")
        for r in REGIONS:
            for s in SIDES:
                v, fl, y = m[f"{r}_{s}_verdict"], m[f"{r}_{s}_floor"], m[f"{r}_{s}_got"]
                print(f"| {r} | {s} | {int(v.isin(['lift', 'sag']).sum())} | {int((v == 'uncertain').sum())} | "
                      f"{np.median(np.abs(y)):.2f} | {np.abs(y).max():.2f} | {100 * np.mean(np.abs(y) <= fl):.0f} % | "
                      f"{np.median(fl):.2f} |")
        claim = m[[f"{r}_{s}_verdict" for r in REGIONS for s in SIDES]].isin(["lift", "sag"]).any(axis=1)
        print(f"pairs with any lift/sag verdict: {int(claim.sum())} of {len(m)} "
              f"(status ok: {int((claim & (m['status'] == 'ok')).sum())})")
        for _, r in m[claim].head(8).iterrows():
            words = [f"{rg}/{s} {r[f'{rg}_{s}_got']:+.2f}±{r[f'{rg}_{s}_floor']:.2f} {r[f'{rg}_{s}_verdict']}"
                     for rg in REGIONS for s in SIDES if r[f'{rg}_{s}_verdict'] in ('lift', 'sag')]
            print(f"  {r['face']} {r['case']} [{r['status']}, residual {r['residual_mm']:.2f} mm]: {'; '.join(words[:4])}"
                  f"  -- {str(r['messages'])[:160]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--out", type=Path, default=Path("/tmp/bench_coverage.csv"))
    ap.add_argument("--quick", action="store_true", help="2 faces and 2 clips")
    ap.add_argument("--sets", nargs="+", default=["synthetic", "repeats", "debruine", "grid"],
                    choices=["synthetic", "repeats", "debruine", "grid"])
    ap.add_argument("--summary", nargs="+", type=Path)
    a = ap.parse_args()
    if a.summary:
        summary(a.summary)
    else:
        run(a.out, a.quick, a.sets)


if __name__ == "__main__":
    main()
