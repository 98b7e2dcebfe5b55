"""Cost of §16's flow-outlier check in ``run_timeline`` (batch/flow_read.py), on a batch folder (the demo's).

Times the timeline's fits and outputs (``timeline._timeline_files``, no write) on the same folder in one run:
without the check (``flow_read`` replaced by the identity), with it as the folder is, and with the gate's flow
warning added to the messages of one 24 h photo per treatment and of every photo (the rule's worst case: a
leave-one-out fit per flow photo and series, two bootstraps per series).  Prints seconds and ratios against the
run without the check.

    python bench/bench_flow_read.py DEMO_DIR [--repeats 1]
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from facemetrics.batch import timeline
from facemetrics.batch.fit_notes import flow_photos
from facemetrics.compare.gate import MSG_EXPRESSION_MAYBE

_COLUMNS = ("jawline_lift_mm", "mouth_corner_lift_mm")


def _time(folder: Path, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        timeline._timeline_files(folder, metrics=None, sides=("mean",), min_effect=None, n_boot=400, seed=0,
                                 per_subject=True)
        best = min(best, time.perf_counter() - t0)
    return best


def _with_flow(src: Path, dst: Path, which) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("study", ".cache"))
    c = pd.read_csv(dst / "changes.csv", keep_default_na=False, dtype=str)
    rows = which(c)
    c.loc[rows, "messages"] = [f"{MSG_EXPRESSION_MAYBE}: ... while the lips kept their shape" + (f"; {m}" if m else "")
                               for m in c.loc[rows, "messages"]]
    c.to_csv(dst / "changes.csv", index=False)
    return dst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    one = _with_flow(a.folder, tmp / "one", lambda c: c[pd.to_numeric(c["hours_since_treatment"], errors="coerce")
                                                         .eq(24)].drop_duplicates("treatment").index)
    every = _with_flow(a.folder, tmp / "every", lambda c: c.index)
    print("flow photos (the timeline's criterion): "
          + ", ".join(f"{f.name} {len(flow_photos(timeline._change_records(f), _COLUMNS))}" for f in (one, every)))
    _time(a.folder, 1)  # warm-up (imports, the first figure), not counted
    real = timeline.flow_read
    timeline.flow_read = lambda table, *args, **kw: (table, ())
    base = _time(a.folder, a.repeats)
    timeline.flow_read = real
    rows = [("without the check", base), ("with it, the folder as it is", _time(a.folder, a.repeats)),
            ("one 24 h flow photo per treatment", _time(one, a.repeats)),
            ("every photo flow-only", _time(every, a.repeats))]
    for name, s in rows:
        print(f"{name:40s} {s:7.2f} s  ratio {s / base:5.2f}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
