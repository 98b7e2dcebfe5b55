"""A change that reversed keeps its fitted peak (stop 66 review r1; docs/validation.md section 26h).

Stop 66 (k1, section 26f) holds a row's fitted peak "not resolved" when the half point reads the photos' sign against
the fitted curve's (``half_point_basis`` ``photos``): a change that grew from nothing fits a peak of the opposite
sign.  A change that REVERSED (an early lift that turned into a sag) has the same signs, yet its fitted peak is the
early lift the photos show: stop 66 hid it, with a note saying it was against the photos.  Candidate R:
``half_point_basis`` ``reversed`` where the photos also show the fitted peak's sign beyond the margin and their
noise (the same two tests the photos' own sign passed), and the peak shown there as before stop 66::

    PYTHONPATH=. python bench/reversal_peak.py --half tuning --csv /tmp/r1_rev_tune.csv
    PYTHONPATH=. python bench/reversal_peak.py --half held_out --csv /tmp/r1_rev_held.csv
    PYTHONPATH=. python bench/reversal_peak.py --from-csv /tmp/r1_rev_tune.csv
    PYTHONPATH=. python bench/reversal_peak.py --half fresh --csv /tmp/r1_rev2_fresh.csv   # R2's held-out run

Every study is fitted with ``n_boot=0``: the basis and the peak's pinning are the point fit's, and ``peak_resolved``
reads only the row, so the three rules are read off one fit: ``pre66`` (the pinned half-life alone), ``k1`` (also
not on ``photos`` or ``reversed`` rows: stop 66 as merged) and ``r`` (not on ``photos`` rows).  R changes only rows
k1 read ``photos``, so the other cells are re-fitted only where k1's own runs (``/tmp/k1_tune.csv``,
``/tmp/k1_held.csv``, ``bench/peak_sign.py``) had that basis.

Reversal cells: ``fade_shapes``' noise, subjects and schedules (``demo x1``, ``demo x3``, ``sparse x3``), seeds
``SeedSequence([20261207, 66, 8, schedule, shape, study])``, k < 20, even tuning, odd held out; ``reversal_late`` is
held out on all 20.  Every reversal shape starts with an increase: a peak shown negative, or hidden while positive,
is counted against the rule.

R failed its held-out run (one zero-start study read ``reversed`` with a negative peak shown); candidate R2 (the
fitted peak's sign shown at two photo times or more) is tuned on both halves above and held out on ``--half fresh``:
fresh seeds for the reversal shapes (k 20-39), ``FRESH_SHAPES`` and ``null_rise``'s one-subject nulls, every study
fitted (``k1`` is then read off the same fit, as above).

Section 26i (k8): candidate S hides the fitted peak on a ``signs_differ`` row unless the photos show its sign as R2
asks (``signs_differ_shown``); ``--half k8_tuning`` / ``k8_held`` fit the reversal shapes and ``K8_SHAPES`` on fresh
seeds ``SeedSequence([20261207, 66, 10 | 11, ...])``, "before" (section 26h's rule) and "after" read off one fit, and
each ``signs_differ`` study re-fitted with ``n_boot`` 200 with S and without it to compare its verdict::

    PYTHONPATH=. python bench/reversal_peak.py --half k8_tuning --csv /tmp/k8_tune.csv
    PYTHONPATH=. python bench/reversal_peak.py --from-csv /tmp/k8_tune.csv
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fade_shapes as fs  # noqa: E402
import null_rise as nr  # noqa: E402

from facemetrics.decay import analyze_series, claim  # noqa: E402

SCHEDULES = ("demo x1", "demo x3", "sparse x3")
#: name -> g(t) in mm: an early lift that turns into a sag (positive at the session, negative by a day)
REVERSALS = {
    "reversal_fast": lambda t: 1.2 * np.exp2(-np.asarray(t, float) / 2.0) - 0.8 * (1.0 - np.exp2(-np.asarray(t, float) / 6.0)),
    "reversal_linear": lambda t: 1.0 - 2.0 * np.minimum(np.asarray(t, float), 24.0) / 24.0,
    "reversal_late": lambda t: 0.8 * np.exp2(-np.asarray(t, float) / 4.0) - np.asarray(t, float) / (np.asarray(t, float) + 12.0),
}
TUNING, HELD_OUT = ("reversal_fast", "reversal_linear"), ("reversal_late",)
K1_CSV = {"tuning": "/tmp/k1_tune.csv", "held_out": "/tmp/k1_held.csv"}


def _fit(table, k, n_boot: int = 0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze_series(table, per_subject=False, seed=k, n_boot=n_boot).fits[0]


def _record(table, k, **keys) -> dict:
    f = _fit(table, k)
    row = {key: v for key, v in f.to_dict().items() if key != "half_point_basis"}
    pre66 = bool(claim.peak_resolved(row))
    return dict(**keys, basis=f.half_point_basis, peak_change=f.peak_change, shown_pre66=pre66,
                shown_k1=pre66 and f.half_point_basis not in (claim.BASIS_PHOTOS, claim.BASIS_REVERSED),
                shown_r=pre66 and f.half_point_basis != claim.BASIS_PHOTOS)


def reversal_records(half: str) -> list[dict]:
    recs = []
    for si, sched in enumerate(SCHEDULES):
        for ti, name in enumerate(REVERSALS):
            fs.SHAPES.setdefault(name, REVERSALS[name])
            for k in range(20):
                if name in TUNING and (k % 2 == 0) != (half == "tuning") or name in HELD_OUT and half == "tuning":
                    continue
                rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, 8, si, ti, k]))
                table, _ = fs.simulate_table(rng, name, sched)
                recs.append(_record(table, k, schedule=sched, shape=name, study=k, group="reversal"))
    return recs


def k1_photo_rows(half: str) -> list[dict]:
    """k1's rows with basis ``photos`` (the only rows R can change), re-simulated from their seeds and re-fitted."""
    k1 = pd.read_csv(K1_CSV[half], keep_default_na=False, na_values=[""])
    recs = []
    for r in k1[k1["basis"] == claim.BASIS_PHOTOS].itertuples():
        k = int(r.study)
        if r.schedule.startswith("one "):
            sched = r.schedule[4:]
            si = list(nr.SCHEDULES).index(sched)
            rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, si, k]))
            table = nr.null_table(rng, nr.SCHEDULES[sched])
        else:
            si, ti = list(fs.SCHEDULES).index(r.schedule), list(fs.SHAPES).index(r.shape)
            rng = np.random.default_rng(np.random.SeedSequence([fs.SEED, si, ti, k]))
            table, _ = fs.simulate_table(rng, r.shape, r.schedule)
        group = "zero" if r.shape.startswith("zero") else "null" if r.shape == "null" else "fades"
        rec = _record(table, k, schedule=r.schedule, shape=r.shape, study=k, group=group)
        rec["same_as_k1"] = bool(np.isclose(rec["peak_change"], r.peak_change))
        recs.append(rec)
    return recs


#: candidate R2's held-out run (section 26h): fresh seeds ``SeedSequence([20261207, 66, 9, ...])``, every study fitted
FRESH_SHAPES = ("zero_12h_linear", "zero_6h_exp", "zero_24h_gamma", "lasting", "rise_12h_linear", "null")


def fresh_records(studies: int = 20, nulls: int = 100) -> list[dict]:
    """R2's held-out studies: the three reversal shapes, k 20-39; ``FRESH_SHAPES`` (20 a cell); ``null_rise``'s
    one-subject nulls (``nulls`` a schedule), each on seeds no run has read."""
    recs = []
    for si, sched in enumerate(SCHEDULES):
        for ti, name in enumerate(REVERSALS):
            fs.SHAPES.setdefault(name, REVERSALS[name])
            for k in range(20, 20 + studies):
                rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, 9, si, ti, k]))
                table, _ = fs.simulate_table(rng, name, sched)
                recs.append(_record(table, k, schedule=sched, shape=name, study=k, group="reversal"))
        for name in FRESH_SHAPES:
            ti = list(fs.SHAPES).index(name)
            group = "zero" if name.startswith("zero") else "null" if name == "null" else "fades"
            for k in range(studies):
                rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, 9, si, 100 + ti, k]))
                table, _ = fs.simulate_table(rng, name, sched)
                recs.append(_record(table, k, schedule=sched, shape=name, study=k, group=group))
    for si, (sched, times) in enumerate(nr.SCHEDULES.items()):
        for k in range(nulls):
            rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, 9, 50 + si, k]))
            recs.append(_record(nr.null_table(rng, times), k, schedule=f"one {sched}", shape="null", study=k,
                                group="null"))
    return recs


#: section 26i (k8): fresh seeds ``SeedSequence([20261207, 66, 10 | 11, ...])``; candidate S hides the peak on a
#: ``signs_differ`` row unless the photos show its sign (``signs_differ_shown``)
K8_TAG = {"k8_tuning": 10, "k8_held": 11}
K8_SHAPES = ("zero_12h_linear", "zero_6h_exp", "zero_24h_gamma", "lasting", "rise_12h_linear", "exp_3h", "two_phase",
             "null")


def _k8_record(table, k, **keys) -> dict:
    """One study under section 26h's rule (``before``) and candidate S (``after``), off one fit; a ``signs_differ``
    study is re-fitted with ``n_boot`` 200 with S and with S switched off to compare its verdict and half point."""
    f = _fit(table, k)
    row = {key: v for key, v in f.to_dict().items() if key != "half_point_basis"}
    pre66 = bool(claim.peak_resolved(row))
    rec = dict(**keys, basis=f.half_point_basis, peak_change=f.peak_change,
               shown_before=pre66 and f.half_point_basis != claim.BASIS_PHOTOS,
               shown_after=pre66 and f.half_point_basis not in (claim.BASIS_PHOTOS, claim.BASIS_SIGNS_DIFFER),
               verdict_after=f.verdict, half_after=bool(np.isfinite(f.half_point_h)), reason_after=f.reason,
               verdict_before=f.verdict, half_before=bool(np.isfinite(f.half_point_h)), reason_before=f.reason)
    if f.half_point_basis == claim.BASIS_SIGNS_DIFFER:
        a = _fit(table, k, 200)
        unshown, claim.peak_unshown = claim.peak_unshown, lambda r: False
        try:
            b = _fit(table, k, 200)
        finally:
            claim.peak_unshown = unshown
        rec.update(verdict_after=a.verdict, half_after=bool(np.isfinite(a.half_point_h)), reason_after=a.reason,
                   verdict_before=b.verdict, half_before=bool(np.isfinite(b.half_point_h)), reason_before=b.reason,
                   basis_boot=a.half_point_basis)
    return rec


def k8_records(half: str, studies: int = 20, nulls: int = 100) -> list[dict]:
    """Section 26i's studies: the three reversal shapes and ``K8_SHAPES``, ``studies`` a schedule; ``null_rise``'s
    one-subject nulls, ``nulls`` a schedule; seeds ``SeedSequence([20261207, 66, K8_TAG[half], ...])``."""
    tag, recs = K8_TAG[half], []
    for si, sched in enumerate(SCHEDULES):
        for name in (*REVERSALS, *K8_SHAPES):
            fs.SHAPES.setdefault(name, REVERSALS.get(name))
            ti = list(fs.SHAPES).index(name)
            group = ("reversal" if name in REVERSALS else "zero" if name.startswith("zero") else
                     "null" if name == "null" else "fades")
            for k in range(studies):
                rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, tag, si, ti, k]))
                table, _ = fs.simulate_table(rng, name, sched)
                recs.append(_k8_record(table, k, schedule=sched, shape=name, study=k, group=group))
    for si, (sched, times) in enumerate(nr.SCHEDULES.items()):
        for k in range(nulls):
            rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, tag, 50 + si, k]))
            recs.append(_k8_record(nr.null_table(rng, times), k, schedule=f"one {sched}", shape="null", study=k,
                                   group="null"))
    return recs


def k8_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Section 26i's counts per cell: wrong-signed (negative) and right-signed peaks shown before and after, right
    peaks hidden, verdicts other than ``inconclusive`` and half points before and after, and changed verdicts."""
    def agg(g):
        pos, neg = g.peak_change > 0, g.peak_change < 0
        return pd.Series(dict(
            n=len(g), signs_differ=int((g.basis == claim.BASIS_SIGNS_DIFFER).sum()),
            sd_shown=int((g.basis == claim.BASIS_SIGNS_DIFFER_SHOWN).sum()),
            shown_before=int(g.shown_before.sum()), shown_after=int(g.shown_after.sum()),
            wrong_before=int((g.shown_before & neg).sum()), wrong_after=int((g.shown_after & neg).sum()),
            right_hidden_before=int((~g.shown_before & pos).sum()), right_hidden_after=int((~g.shown_after & pos).sum()),
            said_before=int((g.verdict_before != "inconclusive").sum()),
            said_after=int((g.verdict_after != "inconclusive").sum()),
            half_before=int(g.half_before.sum()), half_after=int(g.half_after.sum()),
            verdict_changed=int((g.verdict_before != g.verdict_after).sum())))
    return df.groupby(["group", "shape", "schedule"], sort=False).apply(agg).reset_index()


def summary(df: pd.DataFrame) -> pd.DataFrame:
    def agg(g):
        pos, neg = g.peak_change > 0, g.peak_change < 0
        return pd.Series(dict(
            n=len(g), photos=int((g.basis == claim.BASIS_PHOTOS).sum()), reversed=int((g.basis == claim.BASIS_REVERSED).sum()),
            signs_differ=int((g.basis == claim.BASIS_SIGNS_DIFFER).sum()),
            shown_pre66=int(g.shown_pre66.sum()), shown_k1=int(g.shown_k1.sum()), shown_r=int(g.shown_r.sum()),
            right_hidden_k1=int((g.shown_pre66 & ~g.shown_k1 & pos).sum()),
            right_hidden_r=int((g.shown_pre66 & ~g.shown_r & pos).sum()),
            wrong_shown_k1=int((g.shown_k1 & neg).sum()), wrong_shown_r=int((g.shown_r & neg).sum()),
            wrong_shown_sd=int((g.shown_r & neg & (g.basis == claim.BASIS_SIGNS_DIFFER)).sum())))
    return df.groupby(["group", "shape", "schedule"], sort=False).apply(agg).reset_index()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tuning", "held_out", "fresh", *K8_TAG), default="tuning")
    ap.add_argument("--csv")
    ap.add_argument("--from-csv", nargs="*")
    a = ap.parse_args(argv)
    if a.from_csv:
        df = pd.concat([pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in a.from_csv], ignore_index=True)
    else:
        t0 = time.time()
        recs = (fresh_records() if a.half == "fresh" else k8_records(a.half) if a.half in K8_TAG else
                reversal_records(a.half) + k1_photo_rows(a.half))
        df = pd.DataFrame(recs).assign(half=a.half)
        print(f"{time.time() - t0:.0f} s", file=sys.stderr)
        if a.csv:
            df.to_csv(a.csv, index=False)
    with pd.option_context("display.width", 250, "display.max_rows", 500, "display.max_columns", 30):
        s = k8_summary(df) if "shown_after" in df.columns else summary(df)
        print(s.to_string(index=False))
        print(s.groupby("group").sum(numeric_only=True).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
