"""Peak memory of ``facemetrics analyze`` on giant and deceptive files (issue 9, item 5).

Makes each file in a temporary folder, runs ``python -m facemetrics analyze FILE`` in a
fresh process and reports the process's peak resident memory (``ru_maxrss`` from
``VmHWM`` of the analysing process), wall time and the resulting status.  ``--code DIR`` runs another copy
of the package (e.g. ``git archive HEAD facemetrics | tar -x -C /tmp/head``) for
comparison.  Results: docs/robustness.md.

    python bench/bench_giants.py [--code /tmp/head]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def flat_png(width: int, height: int) -> bytes:
    comp = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * (3 * width)
    data = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def noisy_png(width: int, height: int) -> bytes:
    """A gradient with mild noise (compresses like a photo would not: honest decode cost)."""
    rng = np.random.default_rng(0)
    comp = zlib.compressobj(1)
    parts = []
    x = (np.arange(width) * 255 // max(width - 1, 1)).astype(np.uint8)
    for y in range(height):
        row = np.stack([x, np.full(width, y * 255 // height, np.uint8), x[::-1]], -1)
        row = (row + rng.integers(0, 4, row.shape, dtype=np.uint8)).astype(np.uint8)
        parts.append(comp.compress(b"\x00" + row.tobytes()))
    data = b"".join(parts) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def float_tiff(width: int, height: int) -> bytes:
    img = Image.new("F", (width, height), 0.5)
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="tiff_adobe_deflate")
    return buf.getvalue()


def header_only_jpeg(width: int, height: int) -> bytes:
    small = np.asarray(Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB"))[:64, :64]
    buf = io.BytesIO()
    Image.fromarray(small).save(buf, "JPEG", quality=90)
    raw = bytearray(buf.getvalue())
    i = raw.index(b"\xff\xc0")
    raw[i + 5:i + 9] = struct.pack(">HH", height, width)
    return bytes(raw)


def big_jpeg(width: int, height: int) -> bytes:
    img = Image.open(ROOT / "sample_images" / "astronaut_before.jpg").convert("RGB").resize((width, height))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


FILES = [
    ("flat 10000x10000 PNG", "flat.png", lambda: flat_png(10_000, 10_000)),
    ("float 10000x10000 TIFF", "float.tif", lambda: float_tiff(10_000, 10_000)),
    ("JPEG header 9000x9000, 64x64 data", "header.jpg", lambda: header_only_jpeg(9000, 9000)),
    ("7000x7000 PNG (49 MP, under the cap)", "big.png", lambda: noisy_png(7000, 7000)),
    ("7000x7000 float TIFF (49 MP, under the cap)", "big.tif", lambda: float_tiff(7000, 7000)),
    ("10000x10000 JPEG (face, 100 MP)", "big.jpg", lambda: big_jpeg(10_000, 10_000)),
    ("4000x5000 JPEG (face, 20 MP)", "photo.jpg", lambda: big_jpeg(4000, 5000)),
]


def run(code_dir: Path, path: Path, out: Path):
    env = dict(os.environ, PYTHONPATH=str(code_dir))
    t0 = time.perf_counter()
    hwm = out.with_suffix(".hwm")
    # VmHWM of the command's own process (ru_maxrss would include the pages of this parent process copied at
    # fork time) and, since `analyze` measures in a worker process (stop 44), the largest peak of the command's
    # children (RUSAGE_CHILDREN's ru_maxrss, read at exit once the worker has been joined; 0 when none ran)
    code = ("import atexit, re, resource, sys\n"
            f"atexit.register(lambda: open({str(hwm)!r}, 'w').write("
            "re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1) + ' ' + "
            "str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))\n"
            "from facemetrics.cli import main\n"
            f"sys.exit(main(['analyze', {str(path)!r}, '-o', {str(out)!r}]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=code_dir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.communicate()[1].decode(errors="replace")
    dt = time.perf_counter() - t0
    kb = [int(x) for x in hwm.read_text().split()] if hwm.exists() else [float("nan")] * 2
    peak_mb, child_mb = kb[0] / 1024, (kb[1] / 1024 if len(kb) > 1 else float("nan"))
    try:
        row = next(csv.DictReader(open(out, encoding="utf-8")))
        result = row["status"] + (f" ({row['error'][:70]})" if row["error"] else "")
    except (OSError, StopIteration):
        result = f"exit {proc.returncode}: {err.strip().splitlines()[-1] if err.strip() else ''}"[:100]
    return peak_mb, child_mb, dt, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", type=Path, action="append", help="package copy to compare (folder holding facemetrics/)")
    args = ap.parse_args()
    codes = [("current", ROOT)] + [(str(c), c) for c in args.code or []]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tmp / "base.png"
        Image.new("RGB", (64, 64)).save(base)
        for label, code in codes:
            mb, child, dt, _ = run(code, base, tmp / "base.csv")
            print(f"[{label}] baseline (64x64 PNG, MediaPipe loaded): peak {mb:.0f} MB (worker {child:.0f} MB), "
                  f"{dt:.1f} s")
        for desc, name, make in FILES:
            path = tmp / name
            path.write_bytes(make())
            for label, code in codes:
                mb, child, dt, result = run(code, path, tmp / "out.csv")
                print(f"[{label}] {desc}, {path.stat().st_size / 1024:,.0f} KB: peak {mb:,.0f} MB "
                      f"(worker {child:,.0f} MB), {dt:.1f} s -> {result}")
            path.unlink()


if __name__ == "__main__":
    main()
