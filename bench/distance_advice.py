"""The camera-distance advice's ± against a known truth (stop 65, k5; docs/validation.md section 27).

``capture_check`` reads the move (in % of the distance the phone is held at now) from the apparent
inter-pupillary distance over the image width of two photos.  This bench measures that reading's error::

    PYTHONPATH=. python bench/distance_advice.py --half tuning      # measure, cache, tune a and b
    PYTHONPATH=. python bench/distance_advice.py --half held_out    # read the held-out faces once
    PYTHONPATH=. python bench/distance_advice.py --half fresh       # section 27b: whitehouse_pd, debruine_cc0

Set A: each face re-rendered by ``simulate.camera_distance`` (``keep_size=False``) from 450 mm to 450 / k mm,
k in :data:`KS` (true move ``100 (k - 1)`` %); the baseline the photo with noise and a JPEG re-save, the new photo
the re-render with blur, noise and a JPEG re-save (other seeds).  Set B: GRID clips, frame 0 against frames 15,
30, 45, 60 (true move 0), upscaled 2 x (their faces are about 105 px wide).  Rows cached to ``/tmp/k5_<half>.csv``; the tuned ``a`` and ``b`` to ``/tmp/k5_tuned.json``.
``--half fresh`` (section 27b, stop 65, k6): set A on :data:`FRESH` only (cached to ``/tmp/k6_fresh.csv``), scored
for the shipped model (M0) and the share-only one (M1, ``a`` :data:`M1_SHARE`), by the baseline's ``ipd_px``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import CANADA, LONDON, SHARED_FACES, canada_split, london_split  # noqa: E402

import facemetrics as fm  # noqa: E402
from facemetrics import simulate  # noqa: E402

#: the camera's distance before over after (the new photo's apparent size over the baseline's)
KS = (0.8, 0.9, 1.0, 1.12, 1.25)
FROM_MM = 450.0
GRID_FRAMES = (15, 30, 45, 60)
#: the GRID frames' upscale (their faces are under the package's 150 px minimum)
GRID_UPSCALE = 2.0
#: section 27b's fresh faces (native ``ipd_px`` 88-332; the letterboxed copies of the 2012 portrait and
#: two_people.jpg left out)
FRESH = ("whitehouse_pd/biden_official_portrait", "whitehouse_pd/biden_standing",
         "whitehouse_pd/obama_official_portrait_2012", "whitehouse_pd/obama_speaking", "whitehouse_pd/obama_standing",
         *(f"debruine_cc0/debruine_camera_distance_{c}cm" for c in (15, 30, 45, 60)),
         *(f"debruine_cc0/debruine_pose_variation_{i}" for i in (1, 2, 3, 4)))
#: section 27b's candidates: (a, b in px, the ipd_px cap of the b term)
MODELS = {"M0 shipped": (0.0025, 0.95, 364.0), "M1 share only": (0.0040, 0.0, math.inf)}
M1_SHARE = MODELS["M1 share only"][0]


def _size(a) -> tuple[float, float]:
    """``(ipd_px, image_width_px)`` of a measured photo, NaNs when it failed."""
    if not a.ok:
        return math.nan, math.nan
    r = a.to_row()
    return float(r["ipd_px"]), float(r["image_width_px"])


def faces(half: str) -> list[Path]:
    if half == "fresh":
        return [SHARED_FACES / f"{n}.jpg" for n in FRESH]
    c_tune, c_held = canada_split(list(CANADA.glob("*.jpg")))
    l_tune, l_held = london_split(list(LONDON.glob("*_neutral.jpg")))
    return c_tune + l_tune if half == "tuning" else c_held + l_held


def clips(half: str) -> list[Path]:
    all_ = sorted((SHARED_FACES / "grid_video_ccby").glob("*.mpg"))
    return all_[0::2] if half == "tuning" else all_[1::2]


def set_a(half: str) -> list[dict]:
    rows = []
    for i, p in enumerate(faces(half)):
        a = fm.analyze_photo(p)
        if not a.ok:
            rows.append(dict(set="A", name=p.stem, k=math.nan, status="failed"))
            continue
        base = simulate.jpeg(simulate.noise(a, 2.0, seed=1000 + i).image, 90).image
        ipd_b, w_b = _size(fm.analyze_photo(base))
        for j, k in enumerate(KS):
            img = simulate.camera_distance(a, FROM_MM, FROM_MM / k, keep_size=False).image
            img = simulate.blur(img, 0.8).image
            img = simulate.jpeg(simulate.noise(img, 3.0, seed=2000 + 10 * i + j).image, 85).image
            ipd_n, w_n = _size(fm.analyze_photo(img))
            rows.append(dict(set="A", name=p.stem, k=k, truth=100 * (k - 1), ipd_b=ipd_b, w_b=w_b, ipd_n=ipd_n,
                             w_n=w_n, status="ok"))
        print(p.stem, file=sys.stderr, flush=True)
    return rows


def set_b(half: str) -> list[dict]:
    rows = []
    for clip in clips(half):
        cap = cv2.VideoCapture(str(clip))
        frames, i = {}, 0
        while True:
            ok, f = cap.read()
            if not ok or i > max(GRID_FRAMES):
                break
            if i == 0 or i in GRID_FRAMES:  # faces about 105 px wide, under MIN_FACE_WIDTH_PX: upscaled 2 x
                f = cv2.resize(f, None, fx=GRID_UPSCALE, fy=GRID_UPSCALE, interpolation=cv2.INTER_CUBIC)
                frames[i] = cv2.cvtColor(f, cv2.COLOR_BGR2RGB)
            i += 1
        cap.release()
        ipd_b, w_b = _size(fm.analyze_photo(frames[0]))
        for j in GRID_FRAMES:
            ipd_n, w_n = _size(fm.analyze_photo(frames[j])) if j in frames else (math.nan, math.nan)
            rows.append(dict(set="B", name=f"{clip.stem}_{j}", k=1.0, truth=0.0, ipd_b=ipd_b, w_b=w_b, ipd_n=ipd_n,
                             w_n=w_n, status="ok"))
    return rows


def debruine() -> pd.DataFrame:
    d = SHARED_FACES / "debruine_cc0"
    an = {k: _size(fm.analyze_photo(d / f"debruine_camera_distance_{k}cm.jpg")) for k in (15, 30, 45, 60)}
    return pd.DataFrame([dict(set="D", name=f"{x}->{y}", k=x / y, truth=100 * (x / y - 1), ipd_b=an[x][0],
                              w_b=an[x][1], ipd_n=an[y][0], w_n=an[y][1], status="ok")
                         for x in an for y in an if x != y and 30 <= x <= 60])


def stated(d: pd.DataFrame, a: float, b: float, cap: float = math.inf) -> pd.DataFrame:
    """``d`` with ``move`` (measured, %), ``err`` (move - truth) and ``u`` (the 95 % ± of section 27's model)."""
    d = d.copy()
    r = (d.ipd_n / d.w_n) / (d.ipd_b / d.w_b)
    d["move"] = 100 * (r - 1)
    d["err"] = d.move - d.truth
    s2 = sum(a ** 2 + (b / np.minimum(d[c], cap)) ** 2 for c in ("ipd_b", "ipd_n"))
    d["u"] = 1.96 * 100 * r * np.sqrt(s2)
    d["covers"] = d.err.abs() <= d.u
    return d


def tune(d: pd.DataFrame) -> tuple[float, float]:
    best = None
    for a in np.arange(0.0025, 0.0501, 0.0025):
        for b in np.arange(0.0, 2.001, 0.05):
            s = stated(d, a, b)
            if all(s[s.set == k].covers.mean() >= 0.95 for k in ("A", "B")):
                m = float(s[s.set == "A"].u.median())
                if best is None or m < best[0]:
                    best = (m, float(a), float(b))
    return best[1], best[2]


def wilson(k: int, n: int) -> str:
    """``k/n`` with its rate and Wilson 95 % interval (SciPy's ``binomtest``), as the validation sections quote it."""
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return f"{k}/{n} ({100 * k / n:.1f} %, 95 % CI {100 * ci.low:.1f}-{100 * ci.high:.1f} %)"


def summary(s: pd.DataFrame, limit: float = 10.0) -> None:
    for name, g in s.groupby("set"):
        print(f"set {name}: covered {wilson(int(g.covers.sum()), len(g))}; |err| median {g.err.abs().median():.2f},"
              f" 95th pct {g.err.abs().quantile(0.95):.2f}, max {g.err.abs().max():.2f} points of %; "
              f"u median {g.u.median():.2f} (range {g.u.min():.2f}-{g.u.max():.2f}); ipd_px {g.ipd_b.min():.0f}-"
              f"{g.ipd_b.max():.0f}")
        for k, h in g.groupby("k"):
            zero = h[h.truth == 0]
            pct = 100 * (1 / (1 + h.move / 100) - 1)  # capture_check's distance_pct
            told = int(((pct.abs() > limit) & (h.move.abs() > h.u)).sum())
            print(f"   k {k:.3g}: n {len(h)}, err mean {h.err.mean():+.2f} sd {h.err.std():.2f}, covered "
                  f"{int(h.covers.sum())}/{len(h)}" + (f", told to move {told}/{len(zero)}" if len(zero) else ""))


def fresh() -> None:
    """Section 27b: the fresh faces' set A, read once, scored for each of :data:`MODELS`."""
    cache = Path("/tmp/k6_fresh.csv")
    if cache.exists():
        d = pd.read_csv(cache)
    else:
        d = pd.DataFrame(set_a("fresh"))
        d.to_csv(cache, index=False)
    d = d[(d.status == "ok") & np.isfinite(d.ipd_b) & np.isfinite(d.ipd_n)]
    print(f"{d.name.nunique()} photos, {len(d)} pairs; ipd_px baseline {d.ipd_b.min():.0f}-{d.ipd_b.max():.0f}, "
          f"new {d.ipd_n.min():.0f}-{d.ipd_n.max():.0f}; pairs with both >= 400 px: "
          f"{int(((d.ipd_b >= 400) & (d.ipd_n >= 400)).sum())}")
    src = np.where(d.name.str.startswith("debruine"), "debruine", "whitehouse")
    size = pd.cut(d.ipd_b, [0, 150, 250, np.inf], labels=("<150", "150-250", ">250"))
    for label, (a, b, cap) in MODELS.items():
        s = stated(d, a, b, cap)
        print(f"== {label}: a {100 * a:.2f} %, b {b:.2f} px, cap {cap}")
        summary(s)
        for name, g in list(s.groupby(src)) + list(s.groupby(size, observed=True)):
            print(f"   {name}: covered {wilson(int(g.covers.sum()), len(g))}, u median {g.u.median():.2f}, "
                  f"|err| median {g.err.abs().median():.2f} max {g.err.abs().max():.2f}")
    sd = d.assign(r=(d.ipd_n / d.w_n) / (d.ipd_b / d.w_b))
    sd["sd"] = (100 * (sd.r - 1) - sd.truth) / (100 * sd.r) / math.sqrt(2)
    for name, g in sd.groupby(size, observed=True):
        print(f"per-photo SD {name}: {100 * g.sd.std():.2f} % (robust {100 * 1.4826 * (g.sd - g.sd.median()).abs().median():.2f} %),"
              f" n {len(g)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", choices=("tuning", "held_out", "fresh"), required=True)
    args = ap.parse_args()
    if args.half == "fresh":
        fresh()
        return
    cache = Path(f"/tmp/k5_{args.half}.csv")
    if cache.exists():
        d = pd.read_csv(cache)
        if not np.isfinite(d[d.set == "B"].ipd_b).any():  # the first run's GRID frames, not upscaled: too small
            d = pd.concat([d[d.set != "B"], pd.DataFrame(set_b(args.half))], ignore_index=True)
            d.to_csv(cache, index=False)
    else:
        d = pd.DataFrame(set_a(args.half) + set_b(args.half))
        if args.half == "tuning":
            d = pd.concat([d, debruine()], ignore_index=True)
        d.to_csv(cache, index=False)
    d = d[(d.status == "ok") & np.isfinite(d.ipd_b) & np.isfinite(d.ipd_n)]
    tuned = Path("/tmp/k5_tuned.json")
    if args.half == "tuning":
        a, b = tune(d[d.set != "D"])
        tuned.write_text(json.dumps(dict(a=a, b=b)))
    else:
        a, b = (json.loads(tuned.read_text())[k] for k in ("a", "b"))
    print(f"a {100 * a:.2f} % of the size, b {b:.2f} px")
    s = stated(d, a, b)
    summary(s)
    if (s.set == "D").any():
        print(s[s.set == "D"][["name", "truth", "move", "u", "ipd_b", "ipd_n"]].round(1).to_string(index=False))


if __name__ == "__main__":
    main()
