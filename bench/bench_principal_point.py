"""Cropped or padded photos and the principal point of the 3-D pose correction.

``compare_photos`` corrects a head-pose or camera-distance change with a pinhole model of the before
photo (:mod:`facemetrics.pose3d`) whose principal point it must assume.  A crop or padding of the
before photo moves the image centre, not the camera's axis.  This bench compares the candidates of
:data:`CANDIDATES` (:func:`principal_point`; the library ships only ``c_image_term``:
``facemetrics.compare.measure._fit_pose`` fits at the image centre and repeats the fit at the face's
centre, and the bench puts each candidate's points in its place by wrapping ``pose3d.fit_pose``):

- ``a_image``: the image centre, no floor term (before 2026-12-03);
- ``b_face``: the landmark centre of the face (the mean of the 468 Face Mesh points), which no crop moves;
- ``c_image_term``: the image centre, and the fit repeated at the face centre: what that changes in each
  region goes into the lift floors (as the stretch term);
- ``d_face_term``: the face centre, and the fit repeated at the image centre, into the floors;
- ``e_auto``: the image centre, unless it lies more than :data:`PRINCIPAL_OFFSET_LIMIT_MM` from the
  face centre (a crop or padding, or a face framed far off-centre): the face centre then;
- ``f_auto_term``: as ``e_auto``, and where it took the face centre the fit repeated at the point
  :data:`PRINCIPAL_OFFSET_LIMIT_MM` from it towards the image centre, into the floors.

Splits, fixed before any result was seen: ``tuning`` = the 12 London neutral portraits (simulated pairs)
and the real debruine camera-distance pairs; ``heldout`` = the 40 Canada faces (simulated pairs).

Simulated pairs (the project's renderer, :func:`facemetrics.simulate.camera_distance` and
:func:`~facemetrics.simulate.head_pose`, with bench_pose3d's random depth and pivot errors): the
uncropped pair of every case of :data:`SIM_CASES`, and :data:`CROPS_PER_CASE` crops of it drawn in turn
from :data:`CROPS` (the held-out run: the cases of :data:`HELDOUT_CASES` only; a crop of the before photo, the after photo, or both; a cut stops
:data:`FACE_MARGIN_MM` outside the face mesh, below the chin :data:`CHIN_MARGIN_MM`).  Every pair is
compared once per candidate (the registration, which the candidates share, is computed once per pair).
A false verdict is ``lift`` or ``sag`` on any dense lift row (four regions, right / left / mean) of a
true-zero pair, after the gate; the other rows whose value uses the pose correction (:data:`OTHER_ROWS`:
the landmark lifts and the per-photo jaw, mouth-corner and cheek metrics) are recorded too, with the
principal-point term of each floor, and ``--summary`` counts their false verdicts (any verdict but
``within_noise`` / ``uncertain``), ``c_image_term``'s also without that term (2026-12-03;
docs/accuracy.md "Cropped photos and the principal point").  ``--candidates a_image,c_image_term``
compares only those.  The fold rows (:data:`FOLD_ROWS`) and the repeated fit's angles are recorded too, and
``--versus OLD NEW`` compares two runs of the same pairs (e.g. before and after a change of the floors) on
the rows whose floors take ``POSE_ROW_FLOORS`` (:data:`PER_PHOTO_ROWS`): false verdicts and the uncropped
floors' growth (2026-12-04).  Run::

    python bench/bench_principal_point.py --set tuning  -o /tmp/pp_tuning.csv
    python bench/bench_principal_point.py --set heldout -o /tmp/pp_heldout.csv [--part 0/2]
    python bench/bench_principal_point.py --summary /tmp/pp_tuning.csv /tmp/pp_heldout.csv
    python bench/bench_principal_point.py --versus /tmp/pp_before.csv /tmp/pp_after.csv
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "faces"
sys.path.insert(0, str(ROOT))

from _common import write_rows  # noqa: E402  (bench/ is the script's folder)

#: name -> (principal, term) of :func:`principal_point`
CANDIDATES = {"a_image": ("image", False), "b_face": ("face", False), "c_image_term": ("image", True),
              "d_face_term": ("face", True), "e_auto": ("auto", False), "f_auto_term": ("auto", True)}

#: the farthest the face's landmark centre lies from the image centre in a photo as the camera took it, mm
#: (levelled frame), for the candidates ``"auto"``: the largest distance over the tuning photos (the 12
#: London neutral portraits, 5-24 mm, and the real debruine camera-distance photos, 11-14 mm), rounded up;
#: farther, the photo was cropped or padded (or the face framed far off-centre) and the image centre is
#: taken for no estimate of the camera's axis.  Not shipped (the "auto" candidates lost to
#: ``c_image_term`` on the tuning split: docs/accuracy.md "Cropped photos and the principal point"), so
#: it lives here and not in facemetrics (formerly ``compare.measure.PRINCIPAL_OFFSET_LIMIT_MM``)
PRINCIPAL_OFFSET_LIMIT_MM = 25.0

#: (name, kind, parameters, true jawline lift?) as bench_pose3d's CASES
SIM_CASES = [
    ("camera350", "camera", 350.0, False),
    ("camera550", "camera", 550.0, False),
    ("pitch+3", "pose", dict(pitch_deg=3.0), False),
    ("pitch-3", "pose", dict(pitch_deg=-3.0), False),
    ("yaw+5", "pose", dict(yaw_deg=5.0), False),
    ("pitch+2_yaw-3", "pose", dict(pitch_deg=2.0, yaw_deg=-3.0), False),
    ("lift2_camera350", "camera", 350.0, True),
    ("lift2_pitch+3", "pose", dict(pitch_deg=3.0), True),
]

#: (name, which photo, edge, fraction): a cut of that fraction of the side at that edge, or "pad":
#: that fraction of the width added at that edge (the corner's colour)
CROPS = [
    ("before_bottom20", "before", "bottom", 0.20), ("before_bottom30", "before", "bottom", 0.30),
    ("before_top20", "before", "top", 0.20), ("before_left20", "before", "left", 0.20),
    ("before_right30", "before", "right", 0.30), ("before_padleft50", "before", "padleft", 0.50),
    ("after_bottom30", "after", "bottom", 0.30), ("both_bottom30", "both", "bottom", 0.30),
    ("both_left25", "both", "left", 0.25),
]
CROPS_PER_CASE = 3
FACE_MARGIN_MM = 12.0
CHIN_MARGIN_MM = 25.0

REGIONS = ("jawline", "jowl", "mouth_corner", "cheek")
CLAIMS = ("lift", "sag")

#: the other rows whose value uses the pose correction (``compare.measure._measure``: the after landmarks
#: carried into the before photo minus the pose change's displacement there): the landmark lifts, whose
#: floors take the dense rows' pose term (principal-point term included), and the per-photo metrics, whose
#: floors take ``floors.POSE_ROW_FLOORS`` (where listed) and, since 2026-12-03, the ``principal_row_floor``
#: term; ``(metric, sides)``
OTHER_ROWS = tuple((f"{r}_lift_landmarks_mm", ("right", "left", "mean")) for r in REGIONS) + (
    ("jawline_height_mm", ("right", "left", "mean")), ("jaw_width_mm", ("mean",)),
    ("lower_face_area_mm2", ("mean",)), ("jowl_sag_mm", ("right", "left")), ("jaw_angle_deg", ("right", "left")),
    ("mouth_corner_height_mm", ("right", "left")), ("cheek_height_mm", ("right", "left")))
#: the fold rows, recorded (not counted in ``--summary``'s other rows) for ``--versus``: their floors take
#: ``floors.POSE_ROW_FLOORS``'s model-error term as the per-photo rows' do; ``(metric, sides)``
FOLD_ROWS = (("nlf_depth", ("right", "left")), ("nlf_contrast_pct", ("right", "left")))
#: the rows whose floors take ``floors.POSE_ROW_FLOORS`` (``floors.pose_row_floor_terms``): the per-photo rows of
#: :data:`OTHER_ROWS` (not the landmark lifts) and the folds; what ``--versus`` compares between two runs
PER_PHOTO_ROWS = tuple(r for r in OTHER_ROWS if not r[0].endswith("_landmarks_mm")) + FOLD_ROWS
#: verdicts that make no claim
NO_CLAIM = ("within_noise", "uncertain")


def faces(which: str) -> list[Path]:
    if which == "tuning":
        return sorted((SHARED / "london_ccby").glob("*_neutral.jpg"))
    return sorted((SHARED / "canada_ccby").glob("*.jpg"))


def cut(rgb: np.ndarray, points: np.ndarray, mm_per_px: float, edge: str, frac: float) -> tuple[np.ndarray, float]:
    """The photo cut (or padded) at ``edge``; the fraction actually cut (the face kept)."""
    h, w = rgb.shape[:2]
    x0, y0 = points[:468, :2].min(0)
    x1, y1 = points[:468, :2].max(0)
    m, mc = FACE_MARGIN_MM / mm_per_px, CHIN_MARGIN_MM / mm_per_px
    if edge == "padleft":
        n = int(round(frac * w))
        out = np.empty((h, w + n, 3), np.uint8)
        out[:, :n] = rgb[:, :1].mean(axis=0).astype(np.uint8)
        out[:, n:] = rgb
        return out, -frac
    if edge == "bottom":
        k = int(min(frac * h, max(h - (y1 + mc), 0)))
        return np.ascontiguousarray(rgb[:h - k]), k / h
    if edge == "top":
        k = int(min(frac * h, max(y0 - m, 0)))
        return np.ascontiguousarray(rgb[k:]), k / h
    if edge == "left":
        k = int(min(frac * w, max(x0 - m, 0)))
        return np.ascontiguousarray(rgb[:, k:]), k / w
    k = int(min(frac * w, max(w - (x1 + m), 0)))
    return np.ascontiguousarray(rgb[:, :w - k]), k / w


def principal_point(image: np.ndarray, face: np.ndarray, how: str, term: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The principal point of the before photo (levelled mm) by ``how`` from its image centre ``image``
    and face centre ``face`` (``facemetrics.compare.measure.principal_points``), and with ``term`` the
    other point the fit is repeated at (else None): for ``"image"`` the face's centre, for ``"face"`` the
    image centre; for ``"auto"``, the image centre unless it lies more than
    :data:`PRINCIPAL_OFFSET_LIMIT_MM` from the face's centre, the face's centre then, and, when it took
    the face's centre, the point :data:`PRINCIPAL_OFFSET_LIMIT_MM` from it towards the image centre (the
    farthest a camera's axis lies from the face in the tuning photos), none when it took the image centre."""
    if how not in ("image", "face", "auto"):
        raise ValueError(f"principal point {how!r}: expected 'image', 'face' or 'auto'")
    if how in ("image", "face"):
        centre, other = (image, face) if how == "image" else (face, image)
        return centre, (other if term else None)
    off = np.asarray(image) - np.asarray(face)
    dist = float(np.hypot(*off))
    if dist <= PRINCIPAL_OFFSET_LIMIT_MM:
        return image, None
    return face, (face + off * (PRINCIPAL_OFFSET_LIMIT_MM / dist) if term else None)


class _Shared:
    """Keeps the last registration (the candidates share it) and times the pose fit
    (``pose3d.fit_pose``, wrapped: compare's ``measure._fit_pose`` passes the image centre and the face's
    centre, which :meth:`install` replaces by a candidate's points)."""

    def __init__(self):
        from facemetrics import align, pose3d

        self.align, self.pose3d = align, pose3d
        self.register0, self.fit0 = align.register, pose3d.fit_pose
        self.key, self.value, self.fit_s = None, None, 0.0
        self.reuse = True

    def register(self, before, after, *args, **kw):
        key = (id(before), id(after))
        if not self.reuse or key != self.key:
            self.value, self.key = self.register0(before, after, *args, **kw), key
        return self.value

    def install(self, principal: str, term: bool):
        def fit(flow_mm, mask, depth, u0, v0, res_mm, principal_uv, *, alt_principal_uv=None, **kw):
            if alt_principal_uv is None:  # compare no longer passes (image centre, face centre)
                raise RuntimeError("measure._fit_pose passed no alt_principal_uv: the bench's wrapper is stale")
            centre, other = principal_point(principal_uv, alt_principal_uv, principal, term)
            t = time.perf_counter()
            out = self.fit0(flow_mm, mask, depth, u0, v0, res_mm, centre, alt_principal_uv=other, **kw)
            self.fit_s += time.perf_counter() - t
            return out
        self.align.register = self.register
        self.pose3d.fit_pose = fit


def _row(c, base: dict) -> dict:
    row = dict(base, status=c.status)
    if c.status == "refused" or not c.lifts:
        return row
    for region in REGIONS:
        for side in ("right", "left", "mean"):
            ch = c.get(f"{region}_lift_mm", side)
            row[f"{region}_{side}_mm"] = ch.change
            row[f"{region}_{side}_floor_mm"] = ch.noise_floor
            row[f"{region}_{side}_verdict"] = ch.verdict
    for metric, sides in OTHER_ROWS:
        for side in sides:
            ch = c.get(metric, side)
            row[f"{metric}:{side}"] = ch.change
            row[f"{metric}:{side}_floor"] = ch.noise_floor
            row[f"{metric}:{side}_verdict"] = ch.verdict
            # the principal-point term in this floor (compare.floors.pose_adjusted_floors: the larger side's
            # for a side row), so the summary can read the verdict without it (the floor a hypot of its parts)
            t = c.cues.get("principal_row_floor", {}).get(metric, {})
            row[f"{metric}:{side}_pterm"] = t.get(side, 0.0) if side == "mean" else max(t.get("right", 0.0),
                                                                                       t.get("left", 0.0))
    for metric, sides in FOLD_ROWS:
        for side in sides:
            ch = c.get(metric, side)
            row[f"{metric}:{side}"] = ch.change
            row[f"{metric}:{side}_floor"] = ch.noise_floor
            row[f"{metric}:{side}_verdict"] = ch.verdict
    # the fit repeated at the other principal point: its angles (NaN where it was not repeated, or before
    # compare's cues carried them)
    row.update(pitch_est=c.cues["pose_pitch_deg"], yaw_est=c.cues["pose_yaw_deg"],
               camera_pct_est=c.cues["camera_distance_change_pct"],
               pitch_alt_est=c.cues.get("principal_pitch_deg", float("nan")),
               yaw_alt_est=c.cues.get("principal_yaw_deg", float("nan")))
    return row


def _compare_all(shared: _Shared, a, b, base: dict, rows: list) -> None:
    """Every candidate on one pair: the first with its own registration (its full time recorded), the
    others reusing it (their pose fit's time recorded)."""
    import facemetrics as fm

    for i, (name, (principal, term)) in enumerate((n, CANDIDATES[n]) for n in RUN_CANDIDATES):
        shared.install(principal, term)
        shared.fit_s = 0.0
        shared.key = None if i == 0 else shared.key
        t = time.perf_counter()
        c = fm.compare_photos(a, b)
        dt = time.perf_counter() - t
        rows.append(_row(c, dict(base, candidate=name, seconds=round(dt, 4), fit_seconds=round(shared.fit_s, 4),
                                 full=int(i == 0))))


#: the candidates a run compares (``--candidates``; all of :data:`CANDIDATES` by default)
RUN_CANDIDATES = list(CANDIDATES)


#: the cases of the held-out run (the machine's time: half of :data:`SIM_CASES`, one of each kind)
HELDOUT_CASES = ("camera350", "pitch-3", "yaw+5", "lift2_camera350")


def run_sim(which: str, out: Path, part: tuple[int, int] = (0, 1)) -> None:
    import facemetrics as fm
    from facemetrics import simulate

    shared = _Shared()
    rows = []
    paths = faces(which)
    for fi, path in enumerate(paths):
        if fi % part[1] != part[0]:
            continue
        a = fm.analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.status}", flush=True)
            continue
        k = a.calibration.mm_per_px
        rgb = a.photo.rgb
        rng = np.random.default_rng(sum(path.name.encode()))
        cache = {}

        def analysed(key, img):
            if key not in cache:
                cache[key] = fm.analyze_photo(img, name=f"{path.stem}_{key}.png")
            return cache[key]

        for ci, (case, kind, kw, lifted) in enumerate(SIM_CASES):
            if which == "heldout" and case not in HELDOUT_CASES:
                rng.uniform(size=4)  # the same draws for the cases run as in a full run
                continue
            pert = dict(depth_scale=float(rng.uniform(0.85, 1.2)), lower_depth_scale=float(rng.uniform(0.8, 1.25)))
            pivot = np.array(simulate.RENDER_PIVOT_MM) + np.r_[0.0, rng.uniform(-30, 30, 2)]
            image = simulate.lift(a, 2.0) if lifted else None
            truth = image.truth["jawline_lift_mm"] if lifted else 0.0
            if kind == "pose":
                s = simulate.head_pose(a, image=image, pivot_mm=tuple(pivot), **kw, **pert)
            else:
                s = simulate.camera_distance(a, 450.0, float(kw), image=image, **pert)
            after = fm.analyze_photo(s.image, name=f"{path.stem}_{case}.png")
            chosen = [CROPS[(fi * len(SIM_CASES) * CROPS_PER_CASE + ci * CROPS_PER_CASE + j) % len(CROPS)]
                      for j in range(CROPS_PER_CASE)]
            for crop in [None] + chosen:
                base = dict(face=path.name, case=case, truth_mm=truth, crop="none" if crop is None else crop[0],
                            cut=0.0)
                bb, aa = a, after
                if crop is not None:
                    _, where, edge, frac = crop
                    if where in ("before", "both"):
                        img, base["cut"] = cut(rgb, a.points, k, edge, frac)
                        bb = analysed(crop[0], img)
                    if where in ("after", "both"):
                        img, cf = cut(s.image, after.points if after.ok else a.points, k, edge, frac)
                        base["cut"] = base["cut"] or cf
                        aa = fm.analyze_photo(img, name=f"{path.stem}_{case}_{crop[0]}.png")
                if not (bb.ok and aa.ok):
                    rows.append(dict(base, candidate="-", status="not analysed"))
                    continue
                _compare_all(shared, bb, aa, base, rows)
                r = rows[-len(RUN_CANDIDATES):]
                print(f"{path.name[:12]} {case:15s} {base['crop']:17s} jaw " + " ".join(
                    f"{x.get('jawline_mean_mm', float('nan')) - truth:+.2f}/{x.get('jawline_mean_floor_mm', float('nan')):.2f}"
                    for x in r), flush=True)
    write_rows(rows, out)


def run_real(out: Path) -> None:
    """The real debruine camera-distance pairs (one person, no treatment: every verdict is false), uncropped
    and with the crops of :data:`CROPS` (the cuts as fractions of the photo: the face is small in them)."""
    import facemetrics as fm

    shared = _Shared()
    d = SHARED / "debruine_cc0"
    names = {cm: d / f"debruine_camera_distance_{cm}cm.jpg" for cm in (30, 45, 60)}
    an = {cm: fm.analyze_photo(p) for cm, p in names.items()}
    rows = []
    for x, y in ((60, 45), (45, 60), (45, 30), (30, 45), (60, 30), (30, 60)):
        a, b = an[x], an[y]
        for crop in [None] + CROPS:
            base = dict(face="debruine", case=f"{x}->{y}cm", truth_mm=0.0, crop="none" if crop is None else crop[0],
                        cut=0.0)
            bb, aa = a, b
            if crop is not None:
                _, where, edge, frac = crop
                if where in ("before", "both"):
                    img, base["cut"] = cut(a.photo.rgb, a.points, a.calibration.mm_per_px, edge, frac)
                    bb = fm.analyze_photo(img, name=f"b_{crop[0]}.png")
                if where in ("after", "both"):
                    img, cf = cut(b.photo.rgb, b.points, b.calibration.mm_per_px, edge, frac)
                    base["cut"] = base["cut"] or cf
                    aa = fm.analyze_photo(img, name=f"a_{crop[0]}.png")
            if not (bb.ok and aa.ok):
                rows.append(dict(base, candidate="-", status="not analysed"))
                continue
            _compare_all(shared, bb, aa, base, rows)
            r = rows[-len(RUN_CANDIDATES):]
            print(f"{base['case']:9s} {base['crop']:17s} jaw " + " ".join(
                f"{x_.get('jawline_mean_mm', float('nan')):+.2f}/{x_.get('jawline_mean_floor_mm', float('nan')):.2f}"
                f"({str(x_.get('jawline_mean_verdict', '-'))[:4]})" for x_ in r), flush=True)
    write_rows(rows, out)


def _false(d):
    cols = [f"{r}_{s}_verdict" for r in REGIONS for s in ("right", "left", "mean")]
    return d[cols].isin(CLAIMS).any(axis=1)


def _other_cols(d, metric=None) -> list[str]:
    return [f"{m}:{s}_verdict" for m, sides in OTHER_ROWS for s in sides
            if (metric is None or m == metric) and f"{m}:{s}_verdict" in d]


def _false_other(d, metric=None, without_term=False):
    """A claim (a verdict other than ``within_noise`` / ``uncertain``) on any of :data:`OTHER_ROWS`
    (or ``metric``'s rows) of a pair; False where a run did not record them.  ``without_term``: the
    verdicts the per-photo rows would have had without their principal-point term (``*_pterm``, recorded
    since 2026-12-03): a claim where |change| > sqrt(floor² - term²) and the verdict was no ``uncertain``."""
    cols = _other_cols(d, metric)
    if not cols:
        return d.index.to_series().map(lambda _: False)
    claims = ~d[cols].isin(NO_CLAIM) & d[cols].notna()
    if without_term:
        for c in cols:
            base = c[:-len("_verdict")]
            if base + "_pterm" not in d:
                continue
            floor = np.sqrt(np.maximum(d[base + "_floor"] ** 2 - d[base + "_pterm"].fillna(0.0) ** 2, 0.0))
            claims[c] = d[c].notna() & (d[c] != "uncertain") & (d[base].abs() > floor)
    return claims.any(axis=1)


def summary_other(d) -> None:
    """False verdicts on the true-zero pairs per row of :data:`OTHER_ROWS` (cropped / uncropped), per
    candidate, with the largest |change| / floor of each."""
    import pandas as pd

    z = d[(d.truth_mm == 0) & (d.status != "refused")].copy()
    names = [n for n in CANDIDATES if (z.candidate == n).any()]
    if any(c.endswith("_pterm") for c in z) and "c_image_term" in names:  # the term's effect, the same run
        z = pd.concat([z, z[z.candidate == "c_image_term"].assign(candidate="c_no_row_term")])
        names.append("c_no_row_term")
    print("\nfalse verdicts on the other pose-corrected rows (true-zero pairs): cropped (of which the uncropped "
          "pair of the same face and case made none) / uncropped, per candidate; c_no_row_term: c_image_term's "
          "verdicts without the per-photo rows' principal-point term, read from the same run; "
          + ", ".join(names))
    print("| row | " + " | ".join(names) + " | largest \\|change\\|/floor, cropped (" + ", ".join(names) + ") |")
    print("|---|" + "---|" * (len(names) + 1))
    for metric, sides in [(None, ())] + list(OTHER_ROWS):
        cells, ratios = [], []
        for n in names:
            g = z[z.candidate == n]
            f = _false_other(g, metric, without_term=n == "c_no_row_term")
            zc = g.crop != "none"
            # ... of which the uncropped pair of the same face and case made no claim on these rows
            clean = g[~zc].assign(f=f[~zc]).groupby(["face", "case"]).f.any()
            ok = [not clean.get((fa, ca), True) for fa, ca in zip(g.face, g.case)]
            new = f[zc & np.array(ok)]
            cells.append(f"{int(f[zc].sum())} of {int(zc.sum())} ({int(new.sum())}) / "
                         f"{int(f[~zc].sum())} of {int((~zc).sum())}")
            if metric is not None:
                r = pd.concat([(g[f"{metric}:{s}"].abs() / g[f"{metric}:{s}_floor"])[zc] for s in sides])
                ratios.append(f"{r.max():.2f}" if len(r.dropna()) else "-")
        print(f"| {metric or 'any'} | " + " | ".join(cells) + " | " + (", ".join(ratios) or "") + " |")
    for n in names:
        g = z[z.candidate == n]
        if n == "c_no_row_term":
            continue
        f = _false_other(g) & (g.crop != "none")
        for _, row in g[f].iterrows():
            bad = [c[:-8] for c in _other_cols(g) if row[c] not in NO_CLAIM and isinstance(row[c], str)]
            print(f"  {n}: {row.face[:14]} {row.case} {row.crop}: " + ", ".join(
                f"{b} {row[b]:+.2f}/{row[b + '_floor']:.2f} {row[b + '_verdict']}" for b in bad))


def summary(paths: list[Path]) -> None:
    """Per file and candidate: (i) false verdicts on the true-zero pairs, cropped and uncropped; (ii) the
    uncropped pairs' jawline / jowl mean |error| (bench_pose3d's figures); (iii) the cropped 2 mm lifts read;
    the run time relative to ``a_image`` in the same run."""
    import pandas as pd

    for p in paths:
        d = pd.read_csv(p)
        d = d[d.candidate != "-"]
        present = [n for n in CANDIDATES if (d.candidate == n).any()]
        print(f"\n## {p.name}: {d.face.nunique()} faces, {d[d.candidate == 'a_image'].shape[0]} pairs, "
              f"{(d.status == 'refused').sum() // len(present)} refused")
        full = d[d.full == 1]
        t_full = full.seconds.mean()
        fit_a = d[d.candidate == "a_image"].fit_seconds.mean()
        print("| candidate | false verdicts, cropped true-zero pairs | ... of which before / after / both cropped | "
              "false verdicts, uncropped | uncropped jawline mean \\|error\\| median / p95 / max mm | "
              "uncropped jowl mean \\|error\\| median / p95 mm | cropped 2 mm lifts read `lift` | "
              "cropped lift jawline read median (min-max) mm | uncropped 2 mm lifts read `lift` | run time / a_image |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name in present:
            g = d[(d.candidate == name) & (d.status != "refused")]
            z = g[g.truth_mm == 0]
            zc, zu = z[z.crop != "none"], z[z.crop == "none"]
            fc = _false(zc)
            by = " / ".join(str(int(fc[zc.crop.str.startswith(w)].sum())) + f" of {int(zc.crop.str.startswith(w).sum())}"
                            for w in ("before", "after", "both"))
            u = g[g.crop == "none"]
            ej = (u.jawline_mean_mm - u.truth_mm).abs()
            ew = (u.jowl_mean_mm - u.truth_mm).abs()
            lc = g[(g.truth_mm != 0) & (g.crop != "none")]
            lu = g[(g.truth_mm != 0) & (g.crop == "none")]
            det = (lc.jawline_mean_verdict == "lift").sum()
            ratio = (t_full - fit_a + g.fit_seconds.mean()) / t_full
            lift_read = (f"{lc.jawline_mean_mm.median():.2f} ({lc.jawline_mean_mm.min():.2f}-{lc.jawline_mean_mm.max():.2f})"
                         if len(lc) else "-")
            print(f"| {name} | {int(fc.sum())} of {len(zc)} | {by} | {int(_false(zu).sum())} of {len(zu)} | "
                  f"{ej.median():.3f} / {ej.quantile(.95):.3f} / {ej.max():.3f} | {ew.median():.3f} / {ew.quantile(.95):.3f} | "
                  f"{det} of {len(lc)} | {lift_read} | {(lu.jawline_mean_verdict == 'lift').sum()} of {len(lu)} | {ratio:.2f} |")
        print("\nfalse verdicts per crop (cropped true-zero pairs), " + ", ".join(present))
        z = d[(d.truth_mm == 0) & (d.status != "refused")]
        for crop, g in z.groupby("crop"):
            print(f"  {crop:18s} " + "  ".join(f"{int(_false(g[g.candidate == n]).sum())}/{(g.candidate == n).sum()}"
                                              for n in present))
        if _other_cols(d):
            summary_other(d)


def _claims(verdicts):
    """A claim (a verdict other than ``within_noise`` / ``uncertain``) in any column of ``verdicts``, per pair."""
    return (~verdicts.isin(NO_CLAIM) & verdicts.notna()).any(axis=1)


def versus(old: Path, new: Path) -> None:
    """Two runs of the same pairs (``old``, ``new``: CSVs of this bench, e.g. before and after a change of
    the floors), per row of :data:`PER_PHOTO_ROWS` and candidate: false verdicts (any verdict but
    ``within_noise`` / ``uncertain``) on the true-zero pairs, cropped and uncropped, old -> new, and how
    much the uncropped pairs' floors grew (new / old - 1: median and largest, %, over the pairs of both
    runs that were not refused)."""
    import pandas as pd

    key = ["face", "case", "crop", "candidate"]
    d0, d1 = (pd.read_csv(p) for p in (old, new))
    d0, d1 = (d[(d.candidate != "-") & (d.status != "refused")] for d in (d0, d1))
    m = d0.merge(d1, on=key, suffixes=("_o", "_n"))
    z = m[m.truth_mm_o == 0]
    print(f"\n## {old.name} -> {new.name}: {len(m)} pairs in both ({m.face.nunique()} faces), "
          f"{len(z)} true-zero")
    print("| row | candidate | false verdicts, cropped: old -> new | uncropped: old -> new | "
          "uncropped floor growth median / max % |")
    print("|---|---|---|---|---|")
    for cand, g in z.groupby("candidate"):
        zc = g.crop != "none"
        for metric, sides in [(None, ())] + list(PER_PHOTO_ROWS):
            rows = PER_PHOTO_ROWS if metric is None else ((metric, sides),)
            cols = [f"{mt}:{s}" for mt, ss in rows for s in ss if f"{mt}:{s}_verdict_o" in g]
            if not cols:
                continue
            f0, f1 = (_claims(g[[f"{c}_verdict{x}" for c in cols]]) for x in ("_o", "_n"))
            gr = pd.concat([(g[c + "_floor_n"] / g[c + "_floor_o"] - 1.0)[~zc] for c in cols]).dropna() * 100.0
            print(f"| {metric or 'any'} | {cand} | {int(f0[zc].sum())} -> {int(f1[zc].sum())} of {int(zc.sum())} | "
                  f"{int(f0[~zc].sum())} -> {int(f1[~zc].sum())} of {int((~zc).sum())} | "
                  + (f"{gr.median():.2f} / {gr.max():.2f} |" if len(gr) else "- |"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=("tuning", "heldout"))
    ap.add_argument("--real", action="store_true", help="the real debruine pairs (part of the tuning split)")
    ap.add_argument("--part", default="0/1", help="k/n: every n-th face from the k-th (parallel runs)")
    ap.add_argument("-o", "--out", type=Path)
    ap.add_argument("--summary", nargs="+", type=Path)
    ap.add_argument("--versus", nargs=2, type=Path, metavar=("OLD", "NEW"),
                    help="two runs of the same pairs: the per-photo rows' false verdicts and floor growth")
    ap.add_argument("--candidates", default=",".join(CANDIDATES),
                    help="comma-separated names of CANDIDATES to compare (all by default)")
    a = ap.parse_args()
    names = [x for x in a.candidates.split(",") if x]
    unknown = sorted(set(names) - set(CANDIDATES))
    if unknown or not names:
        ap.error(f"--candidates: unknown {unknown}; expected some of {', '.join(CANDIDATES)}")
    RUN_CANDIDATES[:] = names
    if a.versus:
        versus(*a.versus)
    elif a.summary:
        summary(a.summary)
    elif a.real:
        run_real(a.out or Path("/tmp/pp_real.csv"))
    else:
        k, n = (int(x) for x in a.part.split("/"))
        run_sim(a.set, a.out or Path(f"/tmp/pp_{a.set}.csv"), (k, n))


if __name__ == "__main__":
    main()
