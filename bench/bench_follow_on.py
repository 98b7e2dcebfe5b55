"""Follow-on sessions on the demo study (README, "A session begun while an earlier one may still act").

The demo's simulated study (``facemetrics demo``: 3 subjects from the bundled sample, seed 0, RF 1.5 mm
lasting) with each subject's RF photos split into two sessions ``--gap`` hours apart: the photos taken
at or after the gap form a second session treated then, whose before photo is the one taken at the gap
(listed in the manifest 0.5 h before the second treatment, as the demo's own before photos are; the
photos are the demo's, rendered from the first treatment's course: the face is at its ceiling and the
second treatment adds nothing).  Then ``batch`` on the split manifest and the decay fits of its
``long.csv`` as ``timeline --n-boot N`` makes them: the RF jawline fit (first sessions alone, the second
ones left out as follow-on sessions) and the same rows with the second sessions not told apart (their
``treated_at`` blanked: the fit of all sessions, as before the follow-on rule).

    PYTHONPATH=. python bench/bench_follow_on.py                   # ~3-5 min on 2 cores
    PYTHONPATH=. python bench/bench_follow_on.py --keep DIR        # keep the study and batch outputs in DIR
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

METRIC = "jawline_lift_mm"


def split_second_session(manifest: pd.DataFrame, treatment: str, gap_h: float, before_h: float = 0.5) -> pd.DataFrame:
    """The manifest with each subject's ``treatment`` photos taken ``gap_h`` h or later after its
    treatment moved into a second session treated ``gap_h`` h after the first.

    Parameters
    ----------
    manifest : pd.DataFrame
        The study's manifest (``photo, subject, treatment, taken_at, treated_at``; ISO 8601 times
        without an offset).
    treatment : str
        The treatment whose sessions are split.
    gap_h : float
        Hours between the two treatments.
    before_h : float
        The photo taken exactly at the gap is listed this many hours earlier, so it is the second
        session's before photo (taken before its treatment).

    Returns
    -------
    pd.DataFrame
        ``photo, subject, treatment, taken_at, treated_at`` (the other columns dropped) and ``session``
        (1 or 2).
    """
    out = manifest[["photo", "subject", "treatment", "taken_at", "treated_at"]].copy()
    out["session"] = 1
    for i, r in out.iterrows():
        if r["treatment"] != treatment:
            continue
        treated, taken = datetime.fromisoformat(r["treated_at"]), datetime.fromisoformat(r["taken_at"])
        hours = (taken - treated).total_seconds() / 3600.0
        if hours < gap_h:
            continue
        second = treated + timedelta(hours=gap_h)
        if hours == gap_h:
            taken = second - timedelta(hours=before_h)
        out.loc[i, ["taken_at", "treated_at", "session"]] = [taken.isoformat(), second.isoformat(), 2]
    return out


def _fit_line(label: str, f) -> str:
    return (f"{label}: {f.verdict} ({f.status}), {f.n_photos} rows; half-life {f.half_life_h:.0f} h "
            f"(95 % CI {f.half_life_h_ci_low:.3g} to {f.half_life_h_ci_high:.3g}); lasting {f.lasting:.2f} mm "
            f"(95 % CI {f.lasting_ci_low:.2f} to {f.lasting_ci_high:.2f}); at 24 h {f.change_24h:.2f} mm "
            f"(90 % CI {f.change_24h_test_ci_low:.2f} to {f.change_24h_test_ci_high:.2f}), "
            f"margin ±{f.smallest_meaningful_change:.2f} mm")


def run(out: Path, *, gap_h: float, n_boot: int, seed: int, subjects: int) -> None:
    from facemetrics.batch import run_batch
    from facemetrics.batch.timeline import HEADLINE_METRICS, _read_long
    from facemetrics.decay import analyze_series
    from facemetrics.study import study

    t0 = time.perf_counter()
    samples = sorted((ROOT / "sample_images").glob("*_before.jpg"))
    info = study(samples[:1], out / "study", subjects=subjects, seed=seed, max_side=640)  # as `demo`
    split = split_second_session(info.table, "rf", gap_h)
    print(f"study: {len(split)} photos; RF photos in second sessions: {int((split.session == 2).sum())} "
          f"({(split.session == 2).groupby(split.subject).sum().to_dict()})")
    manifest = out / "manifest_split.csv"
    split.drop(columns="session").to_csv(manifest, index=False)
    run_batch(info.folder, out / "batch", manifest=manifest)
    long = _read_long(out / "batch" / "long.csv")
    long["unit"] = long["unit"].fillna("")
    # the rows `timeline` fits (its _timeline_files): headline metrics, mean side or per side without one
    metrics = [m for m in HEADLINE_METRICS if m in set(long["metric"])]
    has_mean = set(long.loc[long["side"] == "mean", "metric"])
    side_ok = (long["side"] == "mean") | (~long["metric"].isin(has_mean) & long["side"].isin(["right", "left"]))
    data = long[long["metric"].isin(metrics) & side_ok]
    second = set(split.loc[split.session == 2, "treated_at"])
    res = analyze_series(data, n_boot=n_boot, seed=seed)
    f = res.get("rf", METRIC, "mean")
    print(_fit_line("RF jawline, follow-on rule", f))
    print("  follow-on sessions:", [(x.subject, x.gap_h, x.n_rows) for x in res.follow_on
                                    if x.treatment == "rf" and x.metric == METRIC and x.side == "mean"])
    blind = data.assign(treated_at=np.where(data["treated_at"].isin(second), "", data["treated_at"]))
    old = analyze_series(blind, n_boot=n_boot, seed=seed).get("rf", METRIC, "mean")
    print(_fit_line("RF jawline, second sessions not told apart (as before the rule)", old))
    print(f"({time.perf_counter() - t0:.0f} s; truth: RF lasting 1.5 mm)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gap", type=float, default=96.0, help="hours between the two RF treatments (default 96)")
    ap.add_argument("--n-boot", type=int, default=200, help="bootstrap replicates of the fits (default 200)")
    ap.add_argument("--seed", type=int, default=0, help="the demo's seed (default 0)")
    ap.add_argument("--subjects", type=int, default=3, help="the demo's subjects (default 3)")
    ap.add_argument("--keep", metavar="DIR",
                    help="write the study and batch outputs here (default: a temporary folder)")
    a = ap.parse_args()
    if a.keep:
        run(Path(a.keep), gap_h=a.gap, n_boot=a.n_boot, seed=a.seed, subjects=a.subjects)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), gap_h=a.gap, n_boot=a.n_boot, seed=a.seed, subjects=a.subjects)


if __name__ == "__main__":
    main()
