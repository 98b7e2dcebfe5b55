"""Two threads' first imports of matplotlib at once, with and without MediaPipe's import (review r4, stop 65).

The app's study ZIP once failed with "module 'matplotlib' has no attribute 'get_data_path'" and every later click of
that server with it (k4's browser run beside another test run).  Each trial is a fresh process: a warm-up thread
imports matplotlib's figure and Agg canvas (as ``app.warm_up`` did before 779906d, or through
``plots.import_matplotlib`` with ``--lock``) while another thread, ``delay`` s later (negative: the warm-up waits),
draws text (``matplotlib.textpath``: the font manager) or imports MediaPipe as the example timeline does
(``--mediapipe``: ``landmarks.import_mediapipe``, the stand-ins' window); then the main thread draws a figure.
A trial fails when a thread raised or hung, or the later figure fails::

    PYTHONPATH=. python bench/import_race.py --trials 20
    PYTHONPATH=. python bench/import_race.py --trials 20 --mediapipe

Result (2026-12-07, this machine under other helpers' load, at 779906d^: no lock): 0 of 30 text trials and 0 of 12
MediaPipe trials failed, and 0 of about 80 hand-made variants (the stand-ins' window held open 0.5 s while another
thread imports matplotlib; a thread importing a matplotlib submodule as soon as the package's import began in
another, switch interval down to 1e-6 s): the failure was not reproduced.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

TRIAL = r"""
import io, sys, threading, time, traceback
delay, mediapipe, lock = float(sys.argv[1]), sys.argv[2] == "1", sys.argv[3] == "1"
errs = []
def warm():
    time.sleep(max(0.0, -delay))
    if lock:
        from facemetrics import plots
        plots.import_matplotlib()
    else:
        import matplotlib.backends.backend_agg, matplotlib.figure  # noqa
def other():
    time.sleep(max(0.0, delay))
    if mediapipe:
        from facemetrics import landmarks
        landmarks.import_mediapipe()
    else:
        if lock:
            from facemetrics import plots
            plots.import_matplotlib()
        from matplotlib.textpath import TextPath
        TextPath((0, 0), "H", size=1.0).get_extents()
def guarded(f):
    def run():
        try:
            f()
        except Exception:
            errs.append(traceback.format_exc(limit=-2))
    return run
ts = [threading.Thread(target=guarded(warm)), threading.Thread(target=guarded(other))]
[t.start() for t in ts]; [t.join(60) for t in ts]
def later():
    import matplotlib
    matplotlib.get_data_path()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    f = Figure(); FigureCanvasAgg(f); f.text(0.5, 0.5, "x"); f.savefig(io.BytesIO(), format="png")
guarded(later)()
print("HUNG" if any(t.is_alive() for t in ts) else ("FAIL" if errs else "OK"))
for e in errs:
    print(e)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--mediapipe", action="store_true", help="the other thread imports MediaPipe, not text")
    ap.add_argument("--lock", action="store_true", help="the warm-up imports through plots.import_matplotlib")
    a = ap.parse_args()
    bad = 0
    for k in range(a.trials):
        delay = -0.3 + 0.7 * k / max(1, a.trials - 1)
        out = subprocess.run([sys.executable, "-c", TRIAL, f"{delay:.3f}", str(int(a.mediapipe)), str(int(a.lock))],
                             capture_output=True, text=True, timeout=120).stdout
        if not out.startswith("OK"):
            bad += 1
            print(f"delay {delay:+.3f} s: {out.strip()[-800:]}")
    print(f"{bad} of {a.trials} trials failed")


if __name__ == "__main__":
    main()
