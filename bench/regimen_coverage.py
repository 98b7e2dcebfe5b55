"""Do the regimen's 95 % CIs hold the truth in a one-subject study with few pre-session days? (stop 62, h5)

    PYTHONPATH=. python bench/regimen_coverage.py [--seeds 40] [--cache /tmp/h5_cov]   # tuning studies, seeds 0-39
    PYTHONPATH=. python bench/regimen_coverage.py --seed-start 40 --seeds 30          # the held-out ones

docs/validation.md §12 Round 23 has the rule (written before this ran) and the result.  Each study: the sample photo
(``sample_images/astronaut_before.jpg`` at 800 px) as a day-0 before photo and pre-session photos on days 7, 14, ...,
42, each lifted by the true build-up (0.4 mm a week, ``simulate.lift`` via ``study._lift``) and taken at its own
hand-held pose and distance (``study.DEFAULT_POSE``) with ``simulate.DEFAULT_JITTER`` (the photos of
``bench/user_story.py``); each later photo compared with day 0's (``compare_photos``, ``batch.long_rows``, cached
per seed in ``--cache``), then ``analyze_regimen`` (``n_boot`` 400, seed 0) on the 3-day design (days 7-21) and
the 6-day design (days 7-42).  Prints, per design and metric, how often the 95 % CI of ``slope_per_week`` and of
``change_day_n`` holds the truth, with Wilson 95 % intervals, and the studies without a fit.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
WEEK_MM = 0.4
DAYS = (0, 7, 14, 21, 28, 35, 42)
#: measured / true lift of the sample's mouth corners (sample_images/PROVENANCE.md: 1.431 of 1.5 mm)
RECOVERY = {"jawline_lift_mm": 1.0, "mouth_corner_lift_mm": 1.431 / 1.5}
DESIGNS = {"3 days (7-21)": (0, 7, 14, 21), "6 days (7-42)": DAYS}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of k successes in n (fractions)."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return c - h, c + h


def study_rows(seed: int, cache: Path) -> pd.DataFrame:
    """The long rows of one study's later photos against day 0 (cached)."""
    path = cache / f"seed{seed}.csv"
    if path.exists():
        return pd.read_csv(path)
    from facemetrics import analyze_photo, compare_photos
    from facemetrics.batch.tables import long_rows
    from facemetrics.simulate import encode_png
    from user_story import _Maker
    mk = _Maker(1000 + seed)
    ana = [analyze_photo(encode_png(mk.image(WEEK_MM * d / 7)[0]), name=f"s{seed}_d{d}.png") for d in DAYS]
    rows = []
    for d, a in zip(DAYS[1:], ana[1:]):
        cmp = compare_photos(ana[0], a)
        rows += long_rows(cmp, subject=f"s{seed}", treatment="rf", hours_since_treatment=24.0 * d,
                          photo=f"s{seed}_d{d}.png")
    df = pd.DataFrame(rows)
    cache.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    return df


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40, help="how many studies")
    ap.add_argument("--seed-start", type=int, default=0, help="the first study's seed (40: the held-out studies)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/h5_cov"))
    a = ap.parse_args(argv)
    from facemetrics.decay import analyze_regimen
    tally: dict = {}
    for seed in range(a.seed_start, a.seed_start + a.seeds):
        df = study_rows(seed, a.cache)
        df = df[df["metric"].isin(list(RECOVERY)) & df["side"].isin(["mean"])]
        for design, days in DESIGNS.items():
            sub = df[np.isin(np.round(df["hours_since_treatment"] / 24.0), days)]
            reg = analyze_regimen(sub, n_boot=400, seed=0)
            for _, r in reg.iterrows():
                t = tally.setdefault((design, r["metric"]), dict(n=0, slope=0, change=0, nofit=0, width=[]))
                true_w = 7 * WEEK_MM / 7 * RECOVERY[r["metric"]]
                if not np.isfinite(r["slope_per_week_ci_low"]):
                    t["nofit"] += 1
                    continue
                t["n"] += 1
                t["slope"] += r["slope_per_week_ci_low"] <= true_w <= r["slope_per_week_ci_high"]
                true_c = true_w * r["day_n"] / 7
                t["change"] += r["change_day_n_ci_low"] <= true_c <= r["change_day_n_ci_high"]
                t["width"].append(r["slope_per_week_ci_high"] - r["slope_per_week_ci_low"])
        print(f"seed {seed} done", file=sys.stderr, flush=True)
    print(f"{'design':<16} {'metric':<22} {'fits':>4} {'no fit':>6}  slope CI holds truth [Wilson 95 %]   "
          f"change CI holds truth   median slope CI width mm/week")
    for (design, metric), t in sorted(tally.items()):
        n = t["n"]
        s_lo, s_hi = wilson(t["slope"], n)
        c_lo, c_hi = wilson(t["change"], n)
        print(f"{design:<16} {metric:<22} {n:>4} {t['nofit']:>6}  {t['slope']:>2}/{n} = {t['slope'] / max(n, 1):.0%} "
              f"[{s_lo:.0%}, {s_hi:.0%}]   {t['change']:>2}/{n} = {t['change'] / max(n, 1):.0%} [{c_lo:.0%}, "
              f"{c_hi:.0%}]   {np.median(t['width']) if t['width'] else float('nan'):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
