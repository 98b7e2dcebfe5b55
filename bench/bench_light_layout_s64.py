"""Stop 64's two candidates, each against the code as it was, in the same process and in turns: CPU ratio with an interval.

    PYTHONPATH=. python bench/bench_light_layout_s64.py --batch DEMO_DIR [--rounds 7] [--photos 24] [--figure-only]

1. **The light check's discs** (``compare.light._disc_levels``): the photo's top-left part that holds the discs
   converted to grey and reduced, the 28 medians read at once, against :func:`disc_levels_whole` (the whole photo
   in grey and reduced, a median per disc in a loop: the code before stop 64).  On every ``len // photos``-th photo
   of ``../shared/faces`` that Face Mesh reads (the bundled ``sample_images/`` without it); the levels must be equal
   bit for bit.
2. **The figure's layout pass** (``export.figure_png``, unchanged: the candidate was left, docs/speed.md 'Stop
   64'): the constrained layout made once by hand (:func:`one_layout_png`) against Matplotlib's ``savefig`` as
   ``figure_png`` calls it, which draws the figure once without rendering for the layout and again for the PNG.  On
   the wide ``timeline.png`` of the batch folder ``DEMO_DIR`` (``facemetrics demo -o DEMO_DIR``: its fits made
   once, the figure drawn anew for every save); the PNG bytes must be equal.

Each round times both, the order alternated from round to round (the machine is shared); printed: the median CPU of
each, the ratio new / old and a 95 % bootstrap interval of it (:func:`bench_demo_ab.ratio_interval`), the per-round
ratios.  Exits 1 when an output differs.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_demo_ab import ratio_interval  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def disc_levels_whole(rgb: np.ndarray, points: np.ndarray, mm_per_px: float) -> np.ndarray:
    """``compare.light._disc_levels`` before stop 64: the whole photo in grey and reduced, a median per disc in a
    loop; shape ``(n, 2)`` as it (``tests/test_light_direction.py`` checks the two equal)."""
    from facemetrics.compare.light import LIGHT_DISC_MM, LIGHT_GRID_MM, LIGHT_PAIRS

    f = min(mm_per_px / LIGHT_GRID_MM, 1.0)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1.0 else grey
    pts = np.asarray(points, dtype=np.float64)[:, :2] * f
    r = LIGHT_DISC_MM / (mm_per_px / f)
    yy, xx = np.mgrid[-int(np.ceil(r)):int(np.ceil(r)) + 1, -int(np.ceil(r)):int(np.ceil(r)) + 1]
    offsets = np.stack([xx[xx ** 2 + yy ** 2 <= r * r], yy[xx ** 2 + yy ** 2 <= r * r]], axis=1)
    out = np.full((len(LIGHT_PAIRS), 2), np.nan)
    h, w = small.shape
    for i, pair in enumerate(LIGHT_PAIRS):
        for j, k in enumerate(pair):
            xy = np.round(pts[k]).astype(int) + offsets
            inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
            if inside.mean() < 0.5:
                continue
            v = small[xy[inside, 1], xy[inside, 0]].astype(np.float64)
            v = v[(v > 2) & (v < 253)]
            out[i, j] = float(np.median(v)) if len(v) else np.nan
    return out


def one_layout_png(fig, dpi: int = 110) -> bytes:
    """``export.figure_png`` with the candidate left at stop 64: a constrained layout made once at ``dpi``
    (``engine.execute``), then ``savefig`` with the layout engine off (no layout-only draw), the engine back after."""
    from facemetrics.export import PNG_MARK, PNG_SOFTWARE, mark_png, quiet_missing_glyphs

    engine, shown = fig.get_layout_engine(), fig.dpi
    fig.dpi = dpi
    try:
        engine.execute(fig)
    finally:
        fig.dpi = shown
    fig.set_layout_engine("none")
    buf = io.BytesIO()
    quiet_missing_glyphs()
    try:
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": PNG_SOFTWARE})
    finally:
        fig.set_layout_engine(engine)
    data = buf.getvalue()
    return data if PNG_MARK in data[:4096] else mark_png(data)


def _photos(n: int) -> list:
    """Face Mesh analyses of every ``len // n``-th photo of ``../shared/faces`` (``sample_images/`` without it)."""
    from facemetrics.analyze import analyze_photo

    faces = ROOT.parent / "shared" / "faces"
    files = sorted(faces.rglob("*.jpg")) if faces.is_dir() else sorted((ROOT / "sample_images").glob("*.jpg"))
    files = files[::max(1, len(files) // n)][:n]
    return [a for a in (analyze_photo(p) for p in files) if a.ok]


def _cpu(fn) -> tuple[float, object]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def _rounds(name: str, new, old, rounds: int, same) -> bool:
    """Time ``new()`` and ``old()`` in turns for ``rounds`` rounds; print the table line; True when every
    round's outputs agree (``same(a, b)``)."""
    t_new, t_old, ok = [], [], True
    for k in range(rounds):
        pair = {}
        for which in (("new", "old") if k % 2 == 0 else ("old", "new")):
            pair[which] = _cpu(new if which == "new" else old)
        t_new.append(pair["new"][0])
        t_old.append(pair["old"][0])
        ok &= bool(same(pair["new"][1], pair["old"][1]))
    n, o = statistics.median(t_new), statistics.median(t_old)
    lo, hi = ratio_interval(t_new, t_old)
    rs = [a / b for a, b in zip(t_new, t_old)]
    print(f"| {name} | {1000 * n:.1f} | {1000 * o:.1f} | **{n / o:.3f}** ({lo:.3f}-{hi:.3f}) | "
          f"{min(rs):.3f}-{max(rs):.3f} | {'yes' if ok else 'NO'} |", flush=True)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=Path, required=True, help="a `facemetrics demo -o` (or batch) output folder")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--photos", type=int, default=24)
    ap.add_argument("--figure-only", action="store_true", help="time the figure only")
    args = ap.parse_args()
    from facemetrics.batch.timeline import FIGURE_DPI, run_timeline
    from facemetrics.compare.light import _disc_levels
    from facemetrics.export import figure_png
    from facemetrics.plots import plot_timeline

    photos = [] if args.figure_only else _photos(args.photos)
    inputs = [(a.photo.rgb, a.points, a.frame.mm_per_px) for a in photos]
    got = {}
    with tempfile.TemporaryDirectory() as out:  # timeline.csv and report.md, not kept
        run_timeline(args.batch, out, figures=False, fits_done=lambda f: got.setdefault("f", f))
    fits = got["f"]

    def figure(save):
        return save(plot_timeline(fits.changes, fits.result, table=fits.table), dpi=FIGURE_DPI)

    figure(figure_png)  # Matplotlib's imports and font cache, outside the rounds
    print(f"{len(inputs)} photos; {args.batch}'s timeline.png; {args.rounds} rounds, new and old in turns\n")
    print("| step | new, CPU ms | old, CPU ms | ratio new / old (95 % interval) | rounds | outputs equal |")
    print("|---|---|---|---|---|---|")
    ok = args.figure_only or _rounds(f"light discs, {len(inputs)} photos", lambda: [_disc_levels(*x) for x in inputs],
                 lambda: [disc_levels_whole(*x) for x in inputs], args.rounds,
                 lambda a, b: all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b)))
    ok &= _rounds("timeline.png (draw and save), one layout pass / savefig", lambda: figure(one_layout_png),
                  lambda: figure(figure_png),
                  args.rounds, lambda a, b: a == b)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
