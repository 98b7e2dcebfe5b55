"""Hours entered as days: how often the decay fit's "Check the time unit" sentence appears.

Simulated change tables (4 subjects, one session each, a change of 2 mm halving every 2 units of
the table's time, noise SD 0.1 mm, noise floor 0.2 mm) are fitted with
:func:`facemetrics.analyze_series` (``n_boot=200``) under 20 seeds per scenario; printed: the pooled
fit's verdicts and how many of its ``reason`` carry the sentence (:mod:`facemetrics.decay.time_unit`).

    PYTHONPATH=. python bench/bench_time_unit.py
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facemetrics.decay import analyze_series  # noqa: E402

T0 = datetime(2026, 11, 2, 9, 0)
NOTE = "Check the time unit"

#: name: (times in the table, hours of the clock per unit of the table (None: no taken_at), half-life in
#: the table's unit)
SCENARIOS = {
    "days entered as hours, taken_at given (1, 2, 3, 5, 7, 14 d)": ((1, 2, 3, 5, 7, 14), 24.0, 2.0),
    "days entered as hours, no taken_at (1, 2, 3, 5, 7, 14 d)": ((1, 2, 3, 5, 7, 14), None, 2.0),
    "hours, taken_at given (1, 2, 3, 5, 7, 14 h)": ((1, 2, 3, 5, 7, 14), 1.0, 2.0),
    "hours, no taken_at (0.25, 0.5, 1, 2, 4, 8, 24 h)": ((0.25, 0.5, 1, 2, 4, 8, 24), None, 1.0),
    "hours, no taken_at, whole hours (1, 2, 4, 8, 12, 24 h)": ((1, 2, 4, 8, 12, 24), None, 2.0),
}


def table(times, clock, half_life, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for s in ("S1", "S2", "S3", "S4"):
        for t in times:
            row = dict(subject=s, treatment="RF", hours_since_treatment=float(t), metric="jawline_lift_mm",
                       side="mean", value=2.0 * 2 ** (-t / half_life) + rng.normal(0, 0.1), unit="mm",
                       noise_floor=0.2, treated_at=T0.isoformat())
            if clock is not None:
                row["taken_at"] = (T0 + timedelta(hours=t * clock)).isoformat()
            rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    print("| scenario | pooled verdicts (20 seeds) | 'Check the time unit' in the reason |")
    print("|---|---|---|")
    for name, (times, clock, half_life) in SCENARIOS.items():
        verdicts, noted = Counter(), 0
        for seed in range(20):
            fit = analyze_series(table(times, clock, half_life, seed), n_boot=200, seed=seed).fits[0]
            verdicts[fit.verdict] += 1
            noted += NOTE in fit.reason
        print(f"| {name} | {', '.join(f'{k} {v}' for k, v in sorted(verdicts.items()))} | {noted} of 20 |")


if __name__ == "__main__":
    main()
