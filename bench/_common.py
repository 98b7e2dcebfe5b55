"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data


def phone_photo(path: Path, size=(4032, 3024), quality: int = 92) -> Path:
    """A 12 MP landscape JPEG like a phone's: the astronaut portrait upscaled,
    face ~1500 px wide, centred on a neutral background."""
    w, h = size
    face = cv2.resize(data.astronaut()[20:260, 105:345], (2400, 2400), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((h, w, 3), 180, np.uint8)
    y0, x0 = (h - 2400) // 2, (w - 2400) // 2
    canvas[y0:y0 + 2400, x0:x0 + 2400] = face
    Image.fromarray(canvas).save(path, "JPEG", quality=quality)
    return path


def median_ms(fn, repeats: int = 7) -> float:
    """Median wall time of ``fn()`` in ms (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def rows_per_face(paths, face_rows, out: Path, skipped: str = "{name}: {status}", done: str = "{name} done",
                  stream=None) -> list[dict]:
    """The per-face loop of the benches that write one CSV row per change of each face's pairs
    (``bench_glasses_rows.py --measure``, ``fold_length_agreement.py --measure``): each photo of ``paths`` measured
    by ``analyze_photo`` (one not measured is named by ``skipped``, ``{name}``, ``{status}``, and passed over),
    ``face_rows(path, analysis)`` its rows (dicts), the CSV at ``out`` rewritten after each face (a stopped run keeps
    the faces done) and ``done`` printed (``{name}``, ``{rows}``: the rows so far) on ``stream`` (stdout).  Returns
    every row."""
    import pandas as pd
    from facemetrics import analyze_photo
    stream = sys.stdout if stream is None else stream
    rows: list[dict] = []
    for p in paths:
        a = analyze_photo(p)
        if not a.ok:
            print(skipped.format(name=p.name, status=a.status), file=stream, flush=True)
            continue
        rows += face_rows(p, a)
        print(done.format(name=p.name, rows=len(rows)), file=stream, flush=True)
        pd.DataFrame(rows).to_csv(out, index=False)
    return rows


def write_rows(rows: list[dict], out: Path) -> None:
    """Write ``rows`` (dicts; the columns are every key, in first-seen order) as a CSV at ``out``,
    creating its folder, and say so."""
    out.parent.mkdir(parents=True, exist_ok=True)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")
