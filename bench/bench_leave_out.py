"""How far clean sessions' before photos disagree, in noise floors (docs/thresholds.md ``LEAVE_OUT_FLOORS``).

A simulated study from the bundled sample (``facemetrics.study``, the demo's face, size and default pose
and light jitter) of ``--sessions`` sessions, one per subject, each with ``--before`` before photos (default two:
1 h and 0.5 h before the treatment) and one photo after it, with no change anywhere: the before photos agree but for
the jitter.  ``batch`` makes each session's no-change checks (a before photo against the other); a
session whose check reads a headline change (``compare.disagreement.AGREEMENT_ROWS``) beyond its noise floor is
named, and left out of the fits at ``LEAVE_OUT_FLOORS`` floors or more.  Prints, per session named, the
largest such change in floors (the ratio ``baseline_disagreement`` judges), and how many were left out.

    PYTHONPATH=. python bench/bench_leave_out.py                     # 30 sessions, ~20-60 s on 2 cores
    PYTHONPATH=. python bench/bench_leave_out.py --seed 1 --sessions 60
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))



def clean_design(n_before: int) -> dict:
    """No change at any time: ``n_before`` before photos half an hour apart, the last 0.5 h before the
    treatment, and one photo 1 h after it (``study`` design; hours since the treatment)."""
    times = [-0.5 * (n_before - k) for k in range(n_before)] + [1.0]
    return {"clean": dict(peak_mm=0.0, half_life_h=3.0, lasting_mm=0.0, times_h=times)}


def session_ratios(changes: pd.DataFrame, rows, agreeing) -> pd.Series:
    """Each session's largest headline change beyond its floor in its no-change checks, in floors.

    Parameters
    ----------
    changes : pd.DataFrame
        ``changes.csv`` (wide: ``subject, treatment, treated_at, role`` and per column ``c``: ``c``,
        ``c_noise_floor``, ``c_verdict``).
    rows : sequence of (metric, side)
        The headline rows judged (``compare.disagreement.AGREEMENT_ROWS``); side ``mean`` is the column
        ``metric``, another side ``metric_side``.
    agreeing : sequence of str
        Verdicts that do not say the before photos differ (``compare.disagreement._AGREEING``).

    Returns
    -------
    pd.Series
        Indexed by ``(subject, treatment, treated_at)``, every session with a no-change check: the
        largest ``|change| / noise_floor`` over its checks' rows whose verdict is not agreeing
        (dimensionless; ``inf`` for a floor of 0), 0.0 when no row is beyond.
    """
    base = changes[changes["role"] == "baseline"]
    out = {}
    for key, g in base.groupby(["subject", "treatment", "treated_at"], sort=True):
        worst = 0.0
        for metric, side in rows:
            col = metric if side == "mean" else f"{metric}_{side}"
            if col not in g:
                continue
            for _, r in g.iterrows():
                verdict = "" if pd.isna(r[f"{col}_verdict"]) else str(r[f"{col}_verdict"])
                if verdict in agreeing or pd.isna(r[col]):
                    continue
                floor = float(r[f"{col}_noise_floor"])
                worst = max(worst, abs(float(r[col])) / floor if floor > 0 else math.inf)
        out[key] = worst
    return pd.Series(out, dtype=float)


def run(out: Path, *, sessions: int, seed: int, n_before: int) -> None:
    from facemetrics.batch import run_batch
    from facemetrics.compare.disagreement import _AGREEING, AGREEMENT_ROWS, LEAVE_OUT_FLOORS
    from facemetrics.study import study

    t0 = time.perf_counter()
    samples = sorted((ROOT / "sample_images").glob("*_before.jpg"))
    info = study(samples[:1], out / "study", subjects=sessions, design=clean_design(n_before), seed=seed,
                 max_side=640)  # the demo's size
    run_batch(info.folder, out / "batch", manifest=info.manifest, progress=False)
    changes = pd.read_csv(out / "batch" / "changes.csv")
    ratio = session_ratios(changes, AGREEMENT_ROWS, _AGREEING)
    named = ratio[ratio > 0].sort_values(ascending=False)
    left = int((ratio >= LEAVE_OUT_FLOORS).sum())
    anyv = session_ratios(changes, AGREEMENT_ROWS, ())  # every verdict: how close the others came
    print(f"{len(ratio)} clean sessions ({n_before} before photos, seed {seed}): {len(named)} named "
          "(a headline change beyond its floor), "
          f"{left} left out (>= {LEAVE_OUT_FLOORS:g} floors); the largest headline change of any session's "
          f"no-change checks {anyv.max():.2f} x its floor (median session {anyv.median():.2f} x)")
    for (subject, _, _), r in named.items():
        print(f"  {subject}: {r:.2f} x its floor")
    print(f"({time.perf_counter() - t0:.0f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=30, help="clean sessions, one per subject (default 30)")
    ap.add_argument("--seed", type=int, default=0, help="the simulation's seed (default 0)")
    ap.add_argument("--before", type=int, default=2, help="before photos per session (default 2)")
    ap.add_argument("--keep", metavar="DIR",
                    help="write the study and batch outputs here (default: a temporary folder)")
    a = ap.parse_args()
    if a.keep:
        run(Path(a.keep), sessions=a.sessions, seed=a.seed, n_before=a.before)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), sessions=a.sessions, seed=a.seed, n_before=a.before)


if __name__ == "__main__":
    main()
