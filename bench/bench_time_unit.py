"""Hours entered as days: how often the decay fit's "Check the time unit" sentence appears.

Simulated change tables (4 subjects, one session each, a change of 2 mm halving every 2 units of the
table's time, 5 for the weekly schedule, 60 for minutes; noise SD 0.1 mm, noise floor 0.2 mm) are
fitted with :func:`facemetrics.analyze_series` (``n_boot=200``) under 20 seeds per scenario; printed:
the pooled fit's verdicts and how many of its ``reason`` carry the sentence
(:mod:`facemetrics.decay.time_unit`), then the totals: tables in another unit noted (wanted) and
tables in hours noted (false alarms).

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
#: the table's unit, the unit the table holds: "hours" (an honest table: the sentence is a false alarm)
#: or the unit typed as hours (the sentence is what the table needs))
SCENARIOS = {
    "days entered as hours, taken_at given (1, 2, 3, 5, 7, 14 d)": ((1, 2, 3, 5, 7, 14), 24.0, 2.0, "days"),
    "days entered as hours, no taken_at (1, 2, 3, 5, 7, 14 d)": ((1, 2, 3, 5, 7, 14), None, 2.0, "days"),
    "days entered as hours, no taken_at (1, 2, 3, 7, 14, 21, 28 d)": ((1, 2, 3, 7, 14, 21, 28), None, 2.0, "days"),
    "days entered as hours, no taken_at (1, 3, 7, 14, 30 d)": ((1, 3, 7, 14, 30), None, 2.0, "days"),
    "days entered as hours, no taken_at (1, 2, 4, 8 d)": ((1, 2, 4, 8), None, 2.0, "days"),
    "days entered as hours, no taken_at (1 ... 7 d, daily)": ((1, 2, 3, 4, 5, 6, 7), None, 2.0, "days"),
    "days entered as hours, no taken_at (7, 14, 21, 28 d)": ((7, 14, 21, 28), None, 5.0, "days"),
    "minutes entered as hours, taken_at given (15 ... 1440 min)": ((15, 30, 60, 120, 240, 720, 1440), 1 / 60, 60.0,
                                                                    "minutes"),
    "hours, taken_at given (1, 2, 3, 5, 7, 14 h)": ((1, 2, 3, 5, 7, 14), 1.0, 2.0, "hours"),
    "hours, no taken_at (0.25, 0.5, 1, 2, 4, 8, 24 h)": ((0.25, 0.5, 1, 2, 4, 8, 24), None, 1.0, "hours"),
    "hours, no taken_at, whole hours (1, 2, 4, 8, 12, 24 h)": ((1, 2, 4, 8, 12, 24), None, 2.0, "hours"),
    "hours, no taken_at, whole hours (1, 2, 4, 8, 24 h)": ((1, 2, 4, 8, 24), None, 2.0, "hours"),
    "hours, no taken_at, whole hours (1, 3, 6, 12, 24 h)": ((1, 3, 6, 12, 24), None, 2.0, "hours"),
    "hours, no taken_at, whole hours (2, 4, 6, 8, 10, 24 h)": ((2, 4, 6, 8, 10, 24), None, 2.0, "hours"),
    "hours, no taken_at, whole hours (1, 6, 24 h)": ((1, 6, 24), None, 2.0, "hours"),
    "hours, no taken_at, whole hours (1, 2, 4, 8 h)": ((1, 2, 4, 8), None, 2.0, "hours"),
    "hours, no taken_at, whole hours (1, 2, 3, 5, 7, 14 h)": ((1, 2, 3, 5, 7, 14), None, 2.0, "hours"),
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
    needed = false = 0  # tables in another unit noted; tables in hours noted (false alarms)
    n_other = n_hours = 0
    for name, (times, clock, half_life, unit) in SCENARIOS.items():
        verdicts, noted = Counter(), 0
        for seed in range(20):
            fit = analyze_series(table(times, clock, half_life, seed), n_boot=200, seed=seed).fits[0]
            verdicts[fit.verdict] += 1
            noted += NOTE in fit.reason
        print(f"| {name} | {', '.join(f'{k} {v}' for k, v in sorted(verdicts.items()))} | {noted} of 20 |")
        if unit == "hours":
            false, n_hours = false + noted, n_hours + 20
        else:
            needed, n_other = needed + noted, n_other + 20
    print(f"\ntables in another unit noted: {needed} of {n_other}; tables in hours noted (false alarms): "
          f"{false} of {n_hours}")

if __name__ == "__main__":
    main()
