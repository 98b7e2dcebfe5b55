"""What *My study*'s report costs with and without the two figures only its ZIP holds (stop 59): ``timeline.png`` and
``regimen.png`` (the CLI's wide figures) drawn on every report, against drawn when the ZIP is asked for
(``run_timeline(figures=False)``, then :meth:`facemetrics.batch.timeline.TimelineFits.figure_files` on the click).

    PYTHONPATH=. python bench/bench_study_zip.py [--repeats 5] [--n-boot 200]

The batch folder is tests/test_regimen.py's simulated six weeks (a daily microcurrent user: 7 decay photos a session,
one pre-session photo a day, regimen fitted; ``simulate(seed=3)``), fitted as the app fits a study (``n_boot`` 200,
one subject).  Each repeat, in turns: the report as the app made it to stop 58 (``run_timeline`` with its figures, then
the page's three figures, :func:`app.study_figures`) and as it makes it now (``figures=False``, the same three),
then the ZIP's two figures drawn on their own (what a click adds).  Printed: the median CPU time
(``time.process_time``) of each, the ratio of the medians now / before and the median of each repeat's own ratio
(the fits' CPU varies with the host's load far more than the figures' share: read both).  Times are this machine's under its load: read the ratios.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--n-boot", type=int, default=200)
    args = ap.parse_args(argv)
    from conftest import app_module
    from test_regimen import _write, simulate

    from facemetrics.batch import run_timeline

    app = app_module()
    cpu: dict[str, list[float]] = {"before": [], "now": [], "zip figures": []}
    with tempfile.TemporaryDirectory() as tmp:
        batch = _write(Path(tmp), *simulate(seed=3))

        def report(figures: bool, out: Path):
            fits = []
            run_timeline(batch, out, n_boot=args.n_boot, seed=0, fits_done=fits.append, figures=figures)
            app.study_figures(fits[0])
            return fits[0]

        report(True, Path(tmp) / "warm")  # imports, fonts
        for i in range(args.repeats):
            for label, figures in (("before", True), ("now", False)):
                c = time.process_time()
                fits = report(figures, Path(tmp) / f"{label}{i}")
                cpu[label].append(time.process_time() - c)
            c = time.process_time()
            names = sorted(fits.figure_files())
            cpu["zip figures"].append(time.process_time() - c)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    paired = statistics.median(n / b for n, b in zip(cpu["now"], cpu["before"]))  # each repeat's own pair
    print(f"six weeks' study (decay + regimen fits, n_boot {args.n_boot}), {args.repeats} repeats in turns, median CPU:")
    print(f"  report with its figures (to stop 58)          {med['before']:.2f} s")
    print(f"  report without the ZIP's two (now)            {med['now']:.2f} s   ratio {med['now'] / med['before']:.3f} "
          f"(median of the repeats' own ratios {paired:.3f})")
    print(f"  the ZIP's figures drawn on the click ({', '.join(names)})  {med['zip figures']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
