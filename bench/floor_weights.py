"""Per-photo noise floors in the one-subject half-life interval: does weighting by them help? (stop 64, h4)

The residual design's ``half_life_h_ci_*`` is the profile-likelihood interval of the unweighted sum of squares
(:func:`facemetrics.decay.half_life_ci.profile_interval`), though each comparison row carries its own
``noise_floor``.  Here one subject, one session, the demo's 9 photo times after treatment, the model's own fade
(2 mm x amplitude ``1 + 0.2 z``, half-life 3 h x ``exp(0.3 z')``), ``bench/fade_shapes.py``'s noise (0.156 mm shared
by the session, 0.117 mm per photo), except that one photo (at random, never the first) has ``--factor`` (3) times
the per-photo SD; each row's floor is proportional to its photo's SD.  Candidates: the unweighted interval (today's)
and the interval of the sum of squares weighted by 1 / floor² (normalised to mean 1), both about the library's
unweighted fit.  Counted: coverage of the true half-life (Wilson 95 % intervals) and the median width ratio.
Rule: docs/validation.md section 26 (b), written before the deciding run.  Seeds ``SeedSequence([20261207, 64,
study])``; even studies tuning, odd held-out::

    PYTHONPATH=. python bench/floor_weights.py --half tuning --studies 400
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from facemetrics.decay.half_life_ci import profile_interval  # noqa: E402
from facemetrics.decay.model import default_amplitude_bound, default_half_life_bounds, fit_decay  # noqa: E402
from fade_shapes import DEMO_TIMES, PEAK_SD_FRACTION, SD_BETWEEN_MM, SD_WITHIN_MM, TIME_LOG_SD, wilson  # noqa: E402

SEED = (20261207, 64)
LEVEL = 0.95


def one_study(k: int, factor: float) -> dict:
    rng = np.random.default_rng(np.random.SeedSequence([*SEED, k]))
    t = np.asarray(DEMO_TIMES, float)
    f = max(0.05, 1.0 + PEAK_SD_FRACTION * rng.standard_normal())
    truth = 3.0 * math.exp(TIME_LOG_SD * rng.standard_normal())
    sd = np.full(t.size, SD_WITHIN_MM)
    sd[int(rng.integers(1, t.size))] *= factor
    y = 2.0 * f * np.exp2(-t / truth) + SD_BETWEEN_MM * rng.standard_normal() + sd * rng.standard_normal(t.size)
    est = fit_decay(t, y)
    bound, hlb = default_amplitude_bound(y), default_half_life_bounds(t)
    w = 1.0 / sd ** 2
    rec = dict(study=k, truth=truth)
    for key, ww in (("u", None), ("w", w / w.mean())):
        lo, hi = profile_interval(t, y, est.half_life, bound, hlb, LEVEL, w=ww)
        rec[f"{key}_cov"] = bool(lo <= truth <= hi)
        rec[f"{key}_width"] = math.log(hi / lo) if lo > 0 else math.nan
    return rec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=400)
    ap.add_argument("--half", choices=("tuning", "held_out"), default="tuning")
    ap.add_argument("--factor", type=float, default=3.0)
    args = ap.parse_args(argv)
    t0 = time.time()
    ks = [k for k in range(args.studies) if (k % 2 == 0) == (args.half == "tuning")]
    recs = [one_study(k, args.factor) for k in ks]
    n = len(recs)
    print(f"{args.half}: {n} studies, one photo's SD x {args.factor:g}, {time.time() - t0:.0f} s")
    for key, name in (("u", "unweighted (today)"), ("w", "weighted by 1/floor^2")):
        k = sum(r[f"{key}_cov"] for r in recs)
        lo, hi = wilson(k, n)
        width = float(np.nanmedian([r[f"{key}_width"] for r in recs]))
        print(f"| {name} | {k}/{n} = {100 * k / n:.1f} % ({100 * lo:.1f}-{100 * hi:.1f}) | "
              f"median ln(high/low) {width:.3f} (x{math.exp(width):.2f}) |")
    ratio = np.nanmedian([r["w_width"] / r["u_width"] for r in recs])
    print(f"median width ratio weighted / unweighted (log scale): {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
