"""A fitted peak against the photos' sign is not quoted (stop 66, k1; docs/validation.md section 26f).

Since stop 65 the half point reads the photos' sign against the fitted exponential's when the photos' largest
time mean is beyond the margin and their noise (``half_point_basis`` ``photos``); the exponential's own
``peak_change`` was still shown in report.md's peak cell and quoted by the verdict's reason ("(peak -0.10 mm ...)"
of a change that grew to +1.2 mm).  The change: ``claim.peak_resolved`` is False on such a row.  The package before
is ``claim.peak_resolved`` without that rule (patched in for the "before" fit)::

    PYTHONPATH=. python bench/peak_sign.py --half tuning --csv /tmp/k1_tune.csv
    PYTHONPATH=. python bench/peak_sign.py --half held_out --csv /tmp/k1_held.csv
    PYTHONPATH=. python bench/peak_sign.py --from-csv /tmp/k1_tune.csv

Every study is fitted with ``n_boot=0`` (the basis and the peak's pinning are the point fit's, so elsewhere the
package before and after are the same by construction); a study whose basis is ``photos`` is fitted again with
``n_boot`` 200, before and after (same seed), to compare the verdict and the reason.  Cells: ``fade_shapes``'
noise, subjects and schedules (``demo x1``, ``demo x3``, ``sparse x3``; seeds ``SeedSequence([20261207, schedule,
shape, study])``, even studies tuning, odd held out, 20 a cell and half): ``zero_12h_linear`` (tuning),
``zero_6h_exp`` and ``zero_24h_gamma`` (held out, both halves), section 25's five tuning fades and section 26's three
rise shapes.  Nulls: ``bench/null_rise.py``'s one-subject design on the demo's microcurrent and RF times (seeds
``SeedSequence([20261207, 66, schedule, k])``, k < 400, even tuning, odd held out) and ``fade_shapes``' ``null``.

Counted: ``shown_before`` / ``shown_after`` the peak cell shown (``peak_resolved``); ``wrong`` a shown peak whose
sign is opposite to the true change's (every simulated shape here is an increase); for bootstrapped studies the
verdict before and after and whether the reason quotes the peak ("peak " or "a peak of" followed by a figure).
"""

from __future__ import annotations

import argparse
import re
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
FADES = (*fs.TUNING_SHAPES, *fs.RISE_SHAPES)
ZERO_TUNING, ZERO_HELD = tuple(fs.ZERO_SHAPES), (*fs.ZERO_HELD_OUT, *fs.ZERO_HELD_OUT_K2)
N_BOOT = 200
_QUOTES = re.compile(r"(?:\bpeak|a peak of) [-+]?\d")
_NEW = claim.peak_resolved


def _old_peak_resolved(r) -> bool:
    """``peak_resolved`` before stop 66: the pinned half-life alone."""
    r = dict(r)
    r.pop("half_point_basis", None)
    return _NEW(r)


def _fit(table, k, n_boot, old=False):
    claim.peak_resolved = _old_peak_resolved if old else _NEW
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return analyze_series(table, per_subject=False, seed=k, n_boot=n_boot).fits[0]
    finally:
        claim.peak_resolved = _NEW


def _record(table, k, **keys) -> dict:
    f = _fit(table, k, 0)
    row = f.to_dict()
    rec = dict(**keys, status=f.status, basis=f.half_point_basis, peak_change=f.peak_change,
               shown_before=bool(_old_peak_resolved(row)), shown_after=bool(_NEW(row)),
               hp=f.half_point_h, hp_peak=f.half_point_peak_h)
    if f.half_point_basis == claim.BASIS_PHOTOS:
        a, b = _fit(table, k, N_BOOT, old=True), _fit(table, k, N_BOOT)
        rec.update(verdict_before=a.verdict, verdict_after=b.verdict,
                   quotes_before=bool(_QUOTES.search(a.reason)), quotes_after=bool(_QUOTES.search(b.reason)),
                   shown_boot_before=bool(_old_peak_resolved(a.to_dict())), shown_boot_after=bool(_NEW(b.to_dict())),
                   same_half_point=bool(np.allclose([a.half_point_h, a.half_point_h_ci_low, a.half_point_h_ci_high],
                                                    [b.half_point_h, b.half_point_h_ci_low, b.half_point_h_ci_high],
                                                    equal_nan=True)),
                   reason_after=b.reason[:400])
    return rec


def shape_records(half: str, shapes, studies: int = 40) -> list[dict]:
    recs = []
    for sched in SCHEDULES:
        for name in shapes:
            si, ti = list(fs.SCHEDULES).index(sched), list(fs.SHAPES).index(name)
            for k in range(studies):
                if (k % 2 == 0) != (half == "tuning"):
                    continue
                rng = np.random.default_rng(np.random.SeedSequence([fs.SEED, si, ti, k]))
                table, _ = fs.simulate_table(rng, name, sched)
                recs.append(_record(table, k, schedule=sched, shape=name, study=k, half=half))
    return recs


def null_records(half: str, n: int = 400) -> list[dict]:
    recs = []
    for si, (sched, times) in enumerate(nr.SCHEDULES.items()):
        for k in range(n):
            if (k % 2 == 0) != (half == "tuning"):
                continue
            rng = np.random.default_rng(np.random.SeedSequence([20261207, 66, si, k]))
            recs.append(_record(nr.null_table(rng, times), k, schedule=f"one {sched}", shape="null", study=k,
                                half=half))
    recs += shape_records(half, ("null",))
    return recs


def summary(df: pd.DataFrame) -> pd.DataFrame:
    def agg(g):
        boot = g[g["basis"] == claim.BASIS_PHOTOS]
        return pd.Series(dict(
            n=len(g), photos=len(boot),
            shown_before=int(g.shown_before.sum()), shown_after=int(g.shown_after.sum()),
            wrong_before=int((g.shown_before & (g.peak_change < 0)).sum()),
            wrong_after=int((g.shown_after & (g.peak_change < 0)).sum()),
            wrong_after_on_photos=int((boot.shown_after & (boot.peak_change < 0)).sum()),
            hidden_right=int((g.shown_before & ~g.shown_after & (g.peak_change > 0)).sum()),
            verdict_changed=int((boot.get("verdict_before") != boot.get("verdict_after")).sum()) if len(boot) else 0,
            not_inconclusive=int((boot.get("verdict_after", pd.Series(dtype=str)) != "inconclusive").sum()),
            quotes_before=int(boot.get("quotes_before", pd.Series(dtype=bool)).fillna(False).astype(bool).sum()),
            quotes_after=int(boot.get("quotes_after", pd.Series(dtype=bool)).fillna(False).astype(bool).sum()),
            half_point_same=f"{int(boot.get('same_half_point', pd.Series(dtype=bool)).fillna(False).astype(bool).sum())}"
                            f"/{len(boot)}",
            said=int(g.hp.notna().sum())))
    return df.groupby(["half", "shape", "schedule"], sort=False).apply(agg).reset_index()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tuning", "held_out"), default="tuning")
    ap.add_argument("--studies", type=int, default=40)
    ap.add_argument("--nulls", type=int, default=400)
    ap.add_argument("--csv")
    ap.add_argument("--from-csv", nargs="*")
    a = ap.parse_args(argv)
    if a.from_csv:
        df = pd.concat([pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in a.from_csv],  # "null" is a shape
                       ignore_index=True)
    else:
        t0 = time.time()
        # the held-out zero-start shapes are read with the held-out half, on both halves' seeds
        shapes = (*ZERO_TUNING, *FADES) if a.half == "tuning" else (*ZERO_TUNING, *ZERO_HELD, *FADES)
        df = pd.DataFrame(shape_records(a.half, shapes, a.studies) + null_records(a.half, a.nulls))
        if a.half == "held_out":
            df = pd.concat([df, pd.DataFrame(shape_records("tuning", ZERO_HELD, a.studies))], ignore_index=True)
        print(f"{time.time() - t0:.0f} s", file=sys.stderr)
        if a.csv:
            df.to_csv(a.csv, index=False)
    with pd.option_context("display.width", 250, "display.max_rows", 500, "display.max_columns", 30):
        s = summary(df)
        print(s.to_string(index=False))
        tot = s.groupby(["half", s["shape"].map(lambda x: "zero" if x.startswith("zero") else
                                                   "null" if x == "null" else "fades")]).sum(numeric_only=True)
        print(tot.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
