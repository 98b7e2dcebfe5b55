"""What entering each output in its folder's ledger (``facemetrics.ledger``) costs a writer.

The worst case of the commands: ``analyze --overlays --geometry`` on N photos writes 2 files per photo
into two folders and its table after every photo, so the ledger of a folder of up to N entries is
rewritten N times.  Timed here with the same bytes written ``record=False`` (the baseline, the writer
before stop 38) and ``record=True``, in the same run; and the start-of-run check of N entered files
(``refuse_foreign_outputs``: each file hashed) against the mark-only check (no ledger).

    PYTHONPATH=. python bench/bench_ledger.py [--photos 500]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from facemetrics.export import mark_png, write_bytes
from facemetrics.ledger import LEDGER_NAME
from facemetrics.outputs import refuse_foreign_outputs


def _run(folder: Path, n: int, record: bool, png: bytes, row: bytes) -> float:
    t0 = time.perf_counter()
    table = b"photo,facemetrics_version\n"
    for i in range(n):
        write_bytes(png, folder / "ov" / f"p{i:05d}.jpg_overlay.png", record=record)
        write_bytes(b'{"facemetrics_version": "x", "photo": "p"}' + bytes(2000), folder / "geo" / f"p{i:05d}.json",
                    record=record)
        table += row
        write_bytes(table, folder / "photos.csv", record=record)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=500)
    args = ap.parse_args()
    import cv2

    rgb = np.random.default_rng(0).integers(0, 255, (480, 360, 3), np.uint8)
    png = mark_png(cv2.imencode(".png", rgb)[1].tobytes())  # ~0.5 MB, as an overlay
    row = b"p.jpg," + b"1.234567," * 150 + b"0.2.15\n"  # a photo row of ~1.4 kB
    with tempfile.TemporaryDirectory() as d:
        base = _run(Path(d) / "base", args.photos, False, png, row)
        rec = _run(Path(d) / "rec", args.photos, True, png, row)
        names = [f"p{i:05d}.jpg_overlay.png" for i in range(args.photos)]
        t0 = time.perf_counter()
        refuse_foreign_outputs(Path(d) / "base" / "ov", names)
        check_base = time.perf_counter() - t0
        t0 = time.perf_counter()
        refuse_foreign_outputs(Path(d) / "rec" / "ov", names)
        check_rec = time.perf_counter() - t0
        size = (Path(d) / "rec" / "ov" / LEDGER_NAME).stat().st_size
    print(f"{args.photos} photos: writing overlays, geometry and the table after each photo")
    print(f"  record=False (baseline) {base:.2f} s, record=True {rec:.2f} s: ratio {rec / base:.2f}; "
          f"overlay folder's ledger {size / 1024:.0f} KiB")
    print(f"  start check of {args.photos} overlays: mark only {check_base:.3f} s, with the ledger (each hashed) "
          f"{check_rec:.3f} s: ratio {check_rec / max(check_base, 1e-9):.1f}")


if __name__ == "__main__":
    main()
