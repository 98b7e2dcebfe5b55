"""What *Compare photos*' Folds view costs per run (every click re-runs the script): each photo's fold overlay handed
to ``st.image`` as the array drawn (the app to stop 58) against the JPEG bytes encoded once at the width shown
(``app.fold_overlay``, stop 59: :data:`app.FOLDS_SHOWN_PX`, or as drawn with "Full size"), stop 59.

    PYTHONPATH=. python bench/bench_fold_view.py [--repeats 7] [--baseline /path/to/another/checkout] [--runs 5]

Two 12 MP phone photos (bench/_common.py's ``phone_photo``: 4032 x 3024 landscape and 3024 x 4032 portrait) are
measured.  For each, in this process:

* **per run**: the CPU time (``time.process_time``, median of ``--repeats``) of Streamlit's own work on what
  ``st.image`` is given (``streamlit.elements.lib.image_utils.image_to_url``, the function ``st.image`` calls, with
  ``width="stretch"``; a full-size overlay with its own width, as the app gives it): the array as drawn (the old
  app), and the bytes the app now gives (shown, full size);
* **once a session**: the CPU time of drawing the overlay and encoding it (``app.fold_overlay``, its memo
  emptied each time);
* the bytes sent to the browser, and their width.

With ``--baseline`` (a checkout whose ``app.py`` hands the array, e.g. ``git clone -q REPO /tmp/base && git -C
/tmp/base checkout c0c9d61``) the whole Folds view is re-run in AppTest (``at.run()``, ``--runs`` times after the
view is first drawn) for both apps in turns on the same upload of the two photos (as before.jpg / after.jpg), the CPU
time of this process per run printed with its ratio.  Times are this machine's under its load: read the ratios.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from _common import phone_photo  # noqa: E402


def cpu_ms(fn, repeats: int) -> float:
    """Median CPU time of ``fn()`` in ms (after one warm-up call)."""
    fn()
    out = []
    for _ in range(repeats):
        c = time.process_time()
        fn()
        out.append((time.process_time() - c) * 1000)
    return statistics.median(out)


def _photos(tmp: Path) -> dict[str, Path]:
    return {"landscape 4032x3024": phone_photo(tmp / "landscape.jpg"),
            "portrait 3024x4032": phone_photo(tmp / "portrait.jpg", size=(3024, 4032))}


def per_image(paths: dict[str, Path], repeats: int) -> None:
    from conftest import app_module
    from streamlit.elements.lib.image_utils import image_to_url
    from streamlit.elements.lib.layout_utils import LayoutConfig

    from facemetrics import analyze_photo
    from facemetrics.overlay import photo_overlay

    app = app_module()
    memo: dict = {}
    app.session_memo = lambda kind, key, compute: app.memo_get(memo, kind, key, compute)  # no Streamlit session here

    def sent(image, width="stretch") -> bytes:
        got = {}
        import streamlit.elements.lib.image_utils as iu

        real = iu._ensure_image_size_and_format

        def keep(data, layout, fmt):
            got["b"] = real(data, layout, fmt)
            return got["b"]

        iu._ensure_image_size_and_format = keep
        try:
            image_to_url(image, LayoutConfig(width=width), False, "RGB", "auto", "bench")
        finally:
            iu._ensure_image_size_and_format = real
        return got["b"]

    print(f"{'photo':<20} {'given to st.image':<26} {'per run CPU ms':>14} {'ratio':>6} {'sent px wide':>12} "
          f"{'sent KB':>8} {'once CPU ms':>11}")
    for label, path in paths.items():
        a = analyze_photo(path)
        drawn = photo_overlay(a)
        old = cpu_ms(lambda: image_to_url(drawn, LayoutConfig(width="stretch"), False, "RGB", "auto", "b"), repeats)
        rows = [("array as drawn (old)", old, sent(drawn), cpu_ms(lambda: photo_overlay(a), max(3, repeats // 2)))]
        for full in (False, True):
            data, width = app.fold_overlay("0" * 64, a, full)
            w = width if full else "stretch"
            ms = cpu_ms(lambda: image_to_url(data, LayoutConfig(width=w), False, "RGB", "auto", "b"), repeats)

            def once():
                memo.clear()
                app.fold_overlay("0" * 64, a, full)
            rows.append((f"JPEG bytes, {'full size' if full else 'shown'}", ms, sent(data, w),
                         cpu_ms(once, max(3, repeats // 2))))
        for name, ms, data, first in rows:
            img = Image.open(io.BytesIO(data))
            print(f"{label:<20} {name:<26} {ms:>14.1f} {ms / old:>6.3f} {img.width:>12} {len(data) / 1024:>8.0f} "
                  f"{first:>11.0f}", flush=True)
        memo.clear()


def whole_view(paths: dict[str, Path], baseline: Path, runs: int) -> None:
    """The Folds view re-run in AppTest for this checkout's app and ``baseline``'s, in turns."""
    from streamlit.testing.v1 import AppTest

    import facemetrics.plots as plots

    real = plots.comparison_overlay  # the Side by side figures: not drawn (the same in both apps, not this bench's)
    plots.comparison_overlay = lambda c, dpi=100, layout="wide": (real(c, dpi=dpi, layout=layout) if layout == "wide"
                                                                  else np.full((1, 1, 3), 255, np.uint8))
    files = [(n, p.read_bytes(), "image/jpeg") for n, p in zip(("before.jpg", "after.jpg"), paths.values())]
    pages = {}
    for name, app_py in (("this", ROOT / "app.py"), ("baseline", baseline / "app.py")):
        at = AppTest.from_file(str(app_py), default_timeout=600)
        at.run()
        at.file_uploader[0].set_value(files).run()
        view = [s for s in at.segmented_control if s.key and s.key.startswith("view-")]
        assert view and not at.exception, ([e.value for e in at.exception], [str(e.value)[:200] for e in at.error])
        view[0].set_value("Folds").run()
        assert not at.exception, [e.value for e in at.exception]
        pages[name] = at
    cpu = {n: [] for n in pages}
    for _ in range(runs):
        for name, at in pages.items():
            c = time.process_time()
            at.run()
            cpu[name].append((time.process_time() - c) * 1000)
    med = {n: statistics.median(v) for n, v in cpu.items()}
    print(f"whole Folds view re-run (AppTest, {runs} runs each, in turns; photos 4032x3024 + 3024x4032): "
          f"this app {med['this']:.0f} ms CPU, baseline {med['baseline']:.0f} ms CPU, "
          f"ratio {med['this'] / med['baseline']:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--baseline", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = _photos(Path(tmp))
        per_image(paths, args.repeats)
        if args.baseline is not None:
            whole_view(paths, args.baseline, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
