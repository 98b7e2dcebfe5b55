"""Re-saved copies against separate captures: the picture difference of
:func:`facemetrics.compare.copies.picture_difference` (``docs/compare.md``, 'The same picture').

    python bench/bench_near_copies.py                   # needs ../shared/faces
    python bench/bench_near_copies.py --csv /tmp/nc.csv # and every pair's row
    python bench/bench_near_copies.py --from-csv /tmp/nc.csv  # the report of a CSV it wrote

(a) Lossy copies of one picture: each source photo re-saved as JPEG at quality 50-100 (Pillow
and OpenCV), twice at 75, with 4:4:4 and 4:2:0 chroma, resized to 50 / 70 / 90 % or enlarged to
150 % and re-saved, brightened (x1.1 + 5), "auto-enhanced" (gamma 0.9, contrast x1.08), and with
8 rows cropped off.  Sources: the 12 London neutral portraits, the 8 debruine_cc0 photos, the
bundled astronaut_before.jpg and frame 10 of each GRID clip.
(b) Separate captures: consecutive GRID frames (1, 2 and 5 frames apart: 40-200 ms, same camera
and light), the London neutral against smiling photo of each person, the debruine_cc0 poses and
camera distances of one adult, the bundled before / after samples.
(d) Re-framed copies (2026-12-04, kind ``reframed``): each source of (a) padded white and edge-replicated
to 1.25-2.5 x, cut to 0.8 and 0.7 of each side, padded 2 x and reduced back, cut to 0.8 and enlarged back
(:func:`reframed_of`), each saved as JPEG 90.  Every pair is also measured with the landmark residual exit off
(``*_no_exit`` columns, and ``landmark_residual``), from which the report reads the residual limit the rule of
:func:`choose_landmark_limit` gives (the tuning part: the London copies) and what it catches.
(c) Reported apart: the project's simulated hand-held jitter (``simulate.photo_jitter`` with
``DEFAULT_JITTER``: a copy rotated by up to 0.5 deg, rescaled by up to 1 %, 3 % brighter and
with sensor noise of SD 2 levels), and the test suite's repeat photo (rolled 1 deg, JPEG 80).

GRID frames (360 x 288, faces ~105 px wide, below analyze_photo's 150 px) are enlarged x2
(bicubic) before they are analysed, copies of them made from the enlarged frame.

The threshold is chosen on the tuning part: the London copies, and the pairs of the first five
GRID clips (sorted by name) and the London neutral / smiling pairs: the largest round value
(0.05 levels) at most 0.9 x the smallest difference of a separate capture there.  False
positives / negatives are reported on the rest (held out).  The cost is reported as a ratio to
``compare_photos`` of the same pair in the same run.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _common import median_ms  # noqa: E402
from facemetrics import analyze_photo, compare_photos  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.align import fit_similarity  # noqa: E402
from facemetrics.compare import copies  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402
from facemetrics.threads import single_blas_thread  # noqa: E402

FACES = HERE.parent.parent / "shared" / "faces"
SAMPLES = HERE.parent / "sample_images"
N_TUNE_CLIPS = 5


def _jpeg(rgb: np.ndarray, quality: int, subsampling: int | None = None) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, **({} if subsampling is None else
                                                               {"subsampling": subsampling}))
    return np.array(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def _cv_jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _resize(rgb: np.ndarray, f: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)


def _enhance(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32) / 255.0
    return (255 * np.clip(1.08 * x ** 0.9 - 0.02, 0, 1)).round().astype(np.uint8)


def copies_of(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Every lossy copy of (a) of one picture, by name."""
    out = {f"pil_q{q}": _jpeg(rgb, q) for q in (50, 70, 90, 100)}
    out.update({f"cv_q{q}": _cv_jpeg(rgb, q) for q in (50, 90)})
    out["pil_q85_444"], out["pil_q85_420"] = _jpeg(rgb, 85, 0), _jpeg(rgb, 85, 2)
    out["jpeg_twice_q75"] = _jpeg(_jpeg(rgb, 75), 75)
    out.update({f"resize{int(f * 100)}_q85": _jpeg(_resize(rgb, f), 85) for f in (0.5, 0.7, 0.9)})
    out["up150_q90"] = _jpeg(_resize(rgb, 1.5), 90)
    out["bright_q90"] = _jpeg(np.clip(rgb * 1.1 + 5, 0, 255).astype(np.uint8), 90)
    out["enhance_q90"] = _jpeg(_enhance(rgb), 90)
    out["crop8_q90"] = _jpeg(rgb[8:], 90)
    return out


def _pad(rgb: np.ndarray, k: float, border: int = cv2.BORDER_CONSTANT) -> np.ndarray:
    """``rgb`` centred in a canvas ``k`` times its size (white, or its edge replicated)."""
    h, w = rgb.shape[:2]
    ph, pw = round(h * (k - 1) / 2), round(w * (k - 1) / 2)
    return cv2.copyMakeBorder(rgb, ph, ph, pw, pw, border, value=(255, 255, 255))


def _cut(rgb: np.ndarray, k: float) -> np.ndarray:
    """``rgb`` cut to ``k`` of each side about its centre."""
    h, w = rgb.shape[:2]
    ch, cw = round(h * k), round(w * k)
    return np.ascontiguousarray(rgb[(h - ch) // 2:(h - ch) // 2 + ch, (w - cw) // 2:(w - cw) // 2 + cw])


def reframed_of(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Every re-framed copy of one picture, by name, each saved as JPEG 90: padded white and edge-replicated
    to 1.25-2.5 x, cut to 0.8 and 0.7 of each side, padded 2 x and reduced back to the picture's size, cut to
    0.8 and enlarged back (2026-12-04)."""
    h, w = rgb.shape[:2]
    out = {f"pad_white{k:g}": _pad(rgb, k) for k in (1.25, 1.5, 2.0, 2.5)}
    out.update({f"pad_edge{k:g}": _pad(rgb, k, cv2.BORDER_REPLICATE) for k in (1.25, 1.5, 2.0, 2.5)})
    out.update({f"cut{k:g}": _cut(rgb, k) for k in (0.8, 0.7)})
    out["pad2_reduced"] = cv2.resize(_pad(rgb, 2.0), (w, h), interpolation=cv2.INTER_AREA)
    out["cut0.8_enlarged"] = cv2.resize(_cut(rgb, 0.8), (w, h), interpolation=cv2.INTER_CUBIC)
    return {f"{k}_q90": _jpeg(v, 90) for k, v in out.items()}


def landmark_residual(x, y) -> float:
    """The landmark residual :func:`~facemetrics.compare.copies.picture_difference`'s cheap exit reads (RMS after
    the similarity fit, fraction of the before face's landmark box)."""
    pb, pa = np.asarray(x.points, float)[:, :2], np.asarray(y.points, float)[:, :2]
    fit = fit_similarity(pa, pb)
    return math.sqrt(float(np.mean(np.sum((pa @ fit[:, :2].T + fit[:, 2] - pb) ** 2, 1)))) / float(np.ptp(pb, 0).max())


def _analysed(rgb: np.ndarray, name: str):
    a = analyze_photo(rgb, name=name)
    return a if a.ok else None


def _row(group: str, kind: str, split: str, src: str, var: str, x, y) -> dict | None:
    if x is None or y is None:
        return None
    t = time.perf_counter()
    r = copies.picture_difference(x, y)
    ms = (time.perf_counter() - t) * 1000
    pb = np.asarray(x.points, float)[:, :2]
    fit = fit_similarity(np.asarray(y.points, float)[:, :2], pb)
    coarse, after = copies._difference_on_grid(x, y, pb, fit, copies.NEAR_COPY_COARSE_CELLS, refine=True)
    # the same with the landmark residual exit off (the rotation exits stay): what a looser residual limit reads
    saved, copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL = copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL, math.inf
    try:
        t = time.perf_counter()
        r_off = copies.picture_difference(x, y)
        ms_off = (time.perf_counter() - t) * 1000
    finally:
        copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL = saved
    return dict(coarse_difference=coarse, coarse_rotation_deg=copies._turn(after), group=group, kind=kind,
                split=split, src=src, var=var, difference=r.difference,
                landmark_rotation_deg=math.degrees(math.atan2(fit[1, 0], fit[0, 0])),
                landmark_residual=landmark_residual(x, y), difference_no_exit=r_off.difference,
                rotation_deg_no_exit=r_off.rotation_deg, reason_no_exit=r_off.reason, ms_no_exit=ms_off,
                rotation_deg=r.rotation_deg, scale=r.scale, reason=r.reason, near_copy=r.near_copy, ms=ms)


def grid_frames(clip: Path) -> list[np.ndarray]:
    cap, out = cv2.VideoCapture(str(clip)), []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        out.append(cv2.resize(cv2.cvtColor(f, cv2.COLOR_BGR2RGB), None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    cap.release()
    return out


def grid_rows() -> list[dict]:
    rows = []
    for i, clip in enumerate(sorted((FACES / "grid_video_ccby").glob("*.mpg"))):
        split = "tune" if i < N_TUNE_CLIPS else "held"
        frames = [_analysed(f, f"{clip.stem}_{k}") for k, f in enumerate(grid_frames(clip))]
        for k in range(len(frames)):
            for gap in (1, 2, 5):
                if k + gap < len(frames):
                    rows.append(_row("grid", "separate", split, clip.stem, f"frames {k},{k + gap} (gap {gap})",
                                     frames[k], frames[k + gap]))
        base = frames[10]
        for name, rgb in copies_of(base.photo.rgb).items():
            rows.append(_row("grid", "copy", "held", clip.stem, name, base, _analysed(rgb, name)))
        for name, rgb in reframed_of(base.photo.rgb).items():
            rows.append(_row("grid", "reframed", "held", clip.stem, name, base, _analysed(rgb, name)))
        print(f"{clip.stem}: {len(rows)} rows", flush=True)
    return [r for r in rows if r]


def photo_rows() -> list[dict]:
    rows = []
    srcs = [("london", p) for p in sorted((FACES / "london_ccby").glob("*_neutral.jpg"))]
    srcs += [("debruine", p) for p in sorted((FACES / "debruine_cc0").glob("*.jpg"))]
    srcs += [("sample", SAMPLES / "astronaut_before.jpg")]
    origs = {}
    for group, p in srcs:
        rgb = load_photo(p).rgb
        x = origs[p.stem] = _analysed(rgb, p.name)
        split = "tune" if group == "london" else "held"
        for name, c in copies_of(rgb).items():
            rows.append(_row(group, "copy", split, p.stem, name, x, _analysed(c, name)))
        for name, c in reframed_of(rgb).items():
            rows.append(_row(group, "reframed", split, p.stem, name, x, _analysed(c, name)))
        rng = np.random.default_rng(0)
        for s in range(3):
            rows.append(_row(group, "jitter", "held", p.stem, f"photo_jitter draw {s}", x,
                             _analysed(sim.photo_jitter(rgb, rng, sim.DEFAULT_JITTER)[0], "jitter")))
        rows.append(_row(group, "test_repeat", "held", p.stem, "roll 1 deg, JPEG 80", x,
                         _analysed(sim.jpeg(sim.roll(x, 1.0).image, 80).image, "repeat")))
        print(f"{p.stem}: {len(rows)} rows", flush=True)
    for p in sorted((FACES / "london_ccby").glob("*_smiling.jpg")):
        neutral = origs.get(p.stem.replace("smiling", "neutral"))
        rows.append(_row("london", "separate", "tune", p.stem, "neutral vs smiling", neutral,
                         _analysed(load_photo(p).rgb, p.name)))
    deb = sorted(k for k in origs if k.startswith("debruine"))
    for i, a in enumerate(deb):
        for b in deb[i + 1:]:
            if a.rsplit("_", 1)[0] == b.rsplit("_", 1)[0]:
                rows.append(_row("debruine", "separate", "held", a, b, origs[a], origs[b]))
    after = _analysed(load_photo(SAMPLES / "astronaut_after.jpg").rgb, "astronaut_after.jpg")
    rows.append(_row("sample", "separate", "held", "astronaut_before", "astronaut_after", origs["astronaut_before"],
                     after))
    return [r for r in rows if r]


def choose(df: pd.DataFrame) -> float:
    """The threshold (0.05 levels, rounded down) at 0.9 x the closest separate capture of the tuning part."""
    tune = df[(df.split == "tune") & (df.kind == "separate")]
    return math.floor(0.9 * tune.difference.min() / 0.05) * 0.05


def choose_landmark_limit(df: pd.DataFrame) -> float:
    """The landmark residual limit (:data:`~facemetrics.compare.copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL`) by the
    rule written before the run of 2026-12-04: 1.5 x the largest landmark residual of the tuning part's
    re-framed copies, rounded up to 0.005, never below 0.01."""
    tune = df[(df.split == "tune") & (df.kind == "reframed")]
    return max(0.01, math.ceil(1.5 * tune.landmark_residual.max() / 0.005 - 1e-9) * 0.005)


def at_landmark_limit(df: pd.DataFrame, lm_limit: float) -> pd.DataFrame:
    """``df`` as :func:`~facemetrics.compare.copies.picture_difference` reads it with the landmark residual limit
    ``lm_limit`` (from the run's columns with the exit off): ``difference``, ``rotation_deg`` and ``reason``."""
    off = df.landmark_residual <= lm_limit
    return df.assign(difference=df.difference_no_exit.where(off, math.inf),
                     rotation_deg=df.rotation_deg_no_exit.where(off, df.landmark_rotation_deg),
                     reason=df.reason_no_exit.where(off, "landmarks"), ms=df.ms_no_exit.where(off, df.ms))


def report_reframed(df: pd.DataFrame, limit: float) -> None:
    """The re-framed copies and the landmark residual limit (2026-12-04)."""
    lm_limit = choose_landmark_limit(df)
    rf, sep = df[df.kind == "reframed"], df[df.kind == "separate"]
    print(f"\nre-framed copies' landmark residual: tuning at most {rf[rf.split == 'tune'].landmark_residual.max():.4f}, "
          f"held out at most {rf[rf.split == 'held'].landmark_residual.max():.4f} (copies of (a) at most "
          f"{df[df.kind == 'copy'].landmark_residual.max():.4f}); the limit by the rule: {lm_limit:.3f} (the package: "
          f"{copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL})")
    for label, lim in (("as the package", copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL), ("at the rule's limit", lm_limit)):
        d = at_landmark_limit(df, lim)
        d = d.assign(caught=(d.difference < limit) & (d.rotation_deg.abs() <= copies.NEAR_COPY_MAX_ROTATION_DEG))
        for split in ("tune", "held"):
            s = d[d.split == split]
            r, sp, cp = s[s.kind == "reframed"], s[s.kind == "separate"], s[s.kind == "copy"]
            print(f"{label} ({lim:.3f}), {split}: re-framed copies caught {int(r.caught.sum())}/{len(r)}, copies "
                  f"{int(cp.caught.sum())}/{len(cp)}, separate captures caught {int(sp.caught.sum())}/{len(sp)}")
        for kind in ("jitter", "test_repeat"):
            k = d[d.kind == kind]
            print(f"  {kind}: caught {int(k.caught.sum())}/{len(k)}")
        s = d[d.kind == "separate"]
        print(f"  separate captures: settled by the landmarks {int((s.reason == 'landmarks').sum())}, the coarse pass "
              f"{int((s.reason == 'coarse').sum())}, the full pass {int((s.reason == '').sum())}; closest "
              f"{s.difference.min():.3f} levels; cost per pair (this run, not one thread) median "
              f"{s.ms.median():.1f} ms, mean {s.ms.mean():.1f} ms")
        r = d[d.kind == "reframed"]
        print(r.groupby("var").agg(caught=("caught", "sum"), n=("caught", "size"),
                                   max_difference=("difference", "max"),
                                   max_residual=("landmark_residual", "max")).round(4).to_string())
        print("  missed re-framed copies by group:", r[~r.caught].groupby(["group", "reason"]).size().to_dict())
    newly = sep[(sep.landmark_residual > copies.NEAR_COPY_MAX_LANDMARK_RESIDUAL) & (sep.landmark_residual <= lm_limit)]
    print(f"separate captures the looser limit sends to the pixels: {len(newly)}; their smallest difference "
          f"{newly.difference_no_exit.min():.3f} levels; by group {newly.groupby('group').size().to_dict()}")


def report(df: pd.DataFrame, limit: float) -> None:
    if "landmark_residual" in df and (df.kind == "reframed").any():
        report_reframed(df, limit)
    caught = (df.difference < limit) & (df.rotation_deg.abs() <= copies.NEAR_COPY_MAX_ROTATION_DEG)
    df = df.assign(caught=caught)
    sep = df[df.kind == "separate"].sort_values("difference")
    cp = df[df.kind == "copy"]
    print(f"\nthreshold chosen on the tuning part: {limit:.2f} grey levels (the package: "
          f"{copies.NEAR_COPY_MAX_DIFFERENCE})")
    for split in ("tune", "held"):
        s, c = sep[sep.split == split], cp[cp.split == split]
        print(f"{split}: separate captures caught {int(s.caught.sum())}/{len(s)}; copies missed "
              f"{int((~c.caught).sum())}/{len(c)}")
    print("\ncopies: caught / total and the largest difference, by kind of copy")
    print(cp.groupby("var").agg(caught=("caught", "sum"), n=("caught", "size"),
                                max_difference=("difference", "max")).round(2).to_string())
    print("\ncopies missed by group:", cp[~cp.caught].groupby("group").size().to_dict())
    print("\nthe closest separate captures:")
    print(sep.head(8)[["group", "split", "src", "var", "difference", "rotation_deg"]].round(3).to_string(index=False))
    g1 = sep[(sep.group == "grid") & sep["var"].str.endswith("(gap 1)")]
    finite = cp[np.isfinite(cp.difference)].difference
    closest = sep.difference.min()
    print(f"\nconsecutive GRID frames: smallest {g1.difference.min():.3f}, "
          f"2nd {g1.difference.nsmallest(2).iloc[-1]:.3f}, "
          f"5th percentile {g1.difference.quantile(0.05):.3f}; loosest copy {finite.max():.3f}, 90th percentile of "
          f"the copies {finite.quantile(0.9):.3f} (closest separate capture / loosest copy: {closest / finite.max():.2f}; "
          f"copies below the closest separate capture: {int((cp.difference < closest).sum())}/{len(cp)})")
    for kind in ("jitter", "test_repeat"):
        k = df[df.kind == kind]
        print(f"{kind}: caught {int(k.caught.sum())}/{len(k)}; difference {k.difference.min():.2f}-"
              f"{k.difference.max():.2f}; |rotation| {k.rotation_deg.abs().min():.3f}-{k.rotation_deg.abs().max():.3f} deg")
    print(f"copies' |rotation| at most {cp.rotation_deg.abs().max():.4f} deg (limit "
          f"{copies.NEAR_COPY_MAX_ROTATION_DEG}); of their landmark fit {cp.landmark_rotation_deg.abs().max():.3f} deg "
          f"(limit {copies.NEAR_COPY_LANDMARK_ROTATION_DEG}); copies settled by a cheap exit: "
          f"{cp.reason.replace('', 'full').value_counts().to_dict()}; in the coarse pass at most "
          f"{cp.coarse_difference.max():.2f} levels (exit beyond "
          f"{copies.NEAR_COPY_COARSE_FACTOR * copies.NEAR_COPY_MAX_DIFFERENCE:.2f}) and "
          f"{cp.coarse_rotation_deg.abs().max():.3f} deg (exit beyond {copies.NEAR_COPY_COARSE_ROTATION_DEG})")
    print("cheap exits among separate captures:", sep.reason.replace("", "full").value_counts().to_dict())


def timing() -> None:
    """picture_difference's cost as a ratio to compare_photos of the same pair (same run, one thread)."""
    pairs = [("sample", SAMPLES / "astronaut_before.jpg"), ("london", FACES / "london_ccby" /
                                                            "london_140_m42_white_neutral.jpg")]
    for name, p in pairs:
        x = analyze_photo(p)
        copy = analyze_photo(_jpeg(x.photo.rgb, 90))
        other = analyze_photo(sim.jpeg(sim.roll(x, 1.0).image, 80).image)
        with single_blas_thread():
            for label, y in (("copy", copy), ("separate", other)):
                t_pd = median_ms(lambda: copies.picture_difference(x, y), 5)
                t_cmp = median_ms(lambda: compare_photos(x, y), 3)
                print(f"cost {name} {label}: picture_difference {t_pd:.1f} ms, compare_photos {t_cmp:.0f} ms "
                      f"(ratio {t_pd / t_cmp:.3f}; compare includes it)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", help="write every pair's row here")
    ap.add_argument("--from-csv", help="report a CSV this script wrote (no measuring, no timing)")
    args = ap.parse_args()
    if args.from_csv:
        df = pd.read_csv(args.from_csv, keep_default_na=False, na_values=["nan", ""])
        df["reason"] = df.reason.fillna("")
        df["reason_no_exit"] = df.reason_no_exit.fillna("")
        report(df, choose(df))
        return
    if not FACES.is_dir():
        sys.exit(f"{FACES} is absent")
    df = pd.DataFrame(photo_rows() + grid_rows())
    if args.csv:
        df.to_csv(args.csv, index=False)
    report(df, choose(df))
    timing()


if __name__ == "__main__":
    main()
