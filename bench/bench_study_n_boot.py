"""What *My study*'s report costs at the CLI's bootstrap count against its own (stop 62, h8): ``app.STUDY_N_BOOT``
(200) against ``app.STUDY_REPORT_N_BOOT`` (400, ``facemetrics study report``'s default).

    PYTHONPATH=. python bench/bench_study_n_boot.py [--repeats 3] [--store DIR --subjects mc rf_user]

Without ``--store``: tests/test_regimen.py's simulated six weeks (``simulate(seed=3)``, as bench/bench_study_zip.py),
fitted as the page fits a study (``run_timeline(figures=False)``, then the page's figures, :func:`app.study_figures`).
With ``--store``: a study store (e.g. the one ``bench/user_story.py DIR`` fills, ``DIR/store``; copy it first: the
report writes the store's caches) and each subject's report as the page makes it (:meth:`Store.report`, workers 1,
``figures=False``, then the page's figures).  Each repeat, in turns, 200 then 400.  Printed: the median CPU time
(``time.process_time``; and the wall time) of each, the ratio of the medians 400 / 200 and the median of each repeat's own ratio.
Times are this machine's under its load: read the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _reports(args, app, tmp: Path):
    """``{label: callable(n_boot, out)}``: each study's report as the page makes it."""
    from facemetrics.batch import run_timeline

    if args.store is None:
        from test_regimen import _write, simulate
        batch = _write(tmp, *simulate(seed=3))

        def six_weeks(n_boot: int, out: Path):
            fits = []
            run_timeline(batch, out, n_boot=n_boot, seed=0, fits_done=fits.append, figures=False)
            app.study_figures(fits[0])
        return {"six weeks": six_weeks}
    from facemetrics.store import Store

    def subject_report(subject: str):
        def run(n_boot: int, out: Path):
            fits = []
            with Store(args.store) as store:
                store.report(out, subject, n_boot=n_boot, workers=1, fits_done=fits.append, figures=False)
            if fits:
                app.study_figures(fits[0])
        return run
    return {s: subject_report(s) for s in args.subjects}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--subjects", nargs="+", default=["mc", "rf_user"])
    args = ap.parse_args(argv)
    from conftest import app_module

    app = app_module()
    counts = (app.STUDY_N_BOOT, app.STUDY_REPORT_N_BOOT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, report in _reports(args, app, tmp).items():
            report(counts[0], tmp / f"{label}-warm")  # imports, fonts, the store's caches
            cpu: dict[int, list[float]] = {n: [] for n in counts}
            wall: dict[int, list[float]] = {n: [] for n in counts}
            for i in range(args.repeats):
                for n in counts:
                    c, w = time.process_time(), time.perf_counter()
                    report(n, tmp / f"{label}-{n}-{i}")
                    cpu[n].append(time.process_time() - c)
                    wall[n].append(time.perf_counter() - w)
            for what, t in (("CPU", cpu), ("wall", wall)):
                med = {n: statistics.median(v) for n, v in t.items()}
                paired = statistics.median(b / a for a, b in zip(t[counts[0]], t[counts[1]]))
                print(f"{label}: {args.repeats} repeats in turns, median {what} n_boot {counts[0]} "
                      f"{med[counts[0]]:.2f} s, n_boot {counts[1]} {med[counts[1]]:.2f} s; ratio "
                      f"{med[counts[1]] / med[counts[0]]:.2f} (median of the repeats' own ratios {paired:.2f})",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
