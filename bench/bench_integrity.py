"""The decoder-garbage check (``facemetrics/integrity.py``): catch rate, false alarms, cost.

1. **Cost**: on a 12 MP phone-like JPEG (``_common.phone_photo``) and the
   same picture as lossy WebP and HEIC, the time of :func:`check_pixels` on
   the decoded array as a ratio to the decode time in the same run
   (medians, interleaved).
2. **Catch rate**: the fuzz set of ``tests/fuzzing.py`` (overwritten bytes:
   ``zero``, ``burst``, ``bitflip``; ``--n-per`` per format and kind) for
   the tuning seed (1) and held-out seeds (0, 2): of the files the loader
   *without* the check reads as a photo with visibly wrong pixels, how many
   the check finds; and how many visibly *unchanged* decodes it flags.
3. **False alarms** on real, undamaged photos: every photo of
   ``/work/shared/faces`` (London, Canada, DeBruine, White House, a frame of
   each GRID clip) and the bundled samples, re-encoded as baseline JPEG
   (quality 30, 60, 75, 95), progressive JPEG, lossy WebP (80, 50),
   lossless WebP and HEIC (80, 50), reduced to 480 px and, for a third of
   them, at full size (``--clean-dir`` reuses a folder built before).

    python bench/bench_integrity.py [--n-per 50] [--clean-dir DIR] [--skip-clean]
"""

from __future__ import annotations

import argparse
import glob
import io
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import phone_photo  # noqa: E402
from fuzzing import fuzz_set, visibly_different  # noqa: E402

import facemetrics.loader as loader  # noqa: E402
from facemetrics.errors import PhotoError  # noqa: E402
from facemetrics.integrity import check_pixels  # noqa: E402

FACES = Path("/work/shared/faces")
KINDS = ("jpeg", "jpeg_progressive", "png", "webp", "webp_lossless", "heic")
CLEAN_SPECS = [("q30", "JPEG", dict(quality=30)), ("q60", "JPEG", dict(quality=60)),
               ("q75", "JPEG", dict(quality=75)), ("q95", "JPEG", dict(quality=95)),
               ("prog", "JPEG", dict(quality=85, progressive=True)),
               ("webp", "WEBP", dict(quality=80)), ("webp50", "WEBP", dict(quality=50)),
               ("webpll", "WEBP", dict(lossless=True)),
               ("heic", "HEIF", dict(quality=80)), ("heic50", "HEIF", dict(quality=50))]


class _NoCheck:
    """Context: the loader without the pixel check (to see what it would have read)."""

    def __enter__(self):
        self.saved = loader._refuse_garbage
        loader._refuse_garbage = lambda *a, **k: None

    def __exit__(self, *exc):
        loader._refuse_garbage = self.saved


def _mcu(data: bytes, reduce: int = 1):
    import simplejpeg

    if data[:3] != b"\xff\xd8\xff":
        return None
    mh, mw = loader._MCU.get(simplejpeg.decode_jpeg_header(data)[3], (8, 8))
    return max(1, mh // reduce), max(1, mw // reduce)


# ------------------------------------------------------------------ 1. cost


def cost() -> None:
    tmp = Path(tempfile.mkdtemp())
    jpg = phone_photo(tmp / "phone.jpg")
    rgb_full = np.array(Image.open(jpg).convert("RGB"))
    files = {"JPEG 12 MP, fast path (1/2-scale decode)": (jpg.read_bytes(), True),
             "JPEG 12 MP, full decode": (jpg.read_bytes(), False)}
    for name, fmt, kw in (("WebP 12 MP (lossy, q 80)", "WEBP", dict(quality=80)),
                          ("HEIC 12 MP (q 80)", "HEIF", dict(quality=80))):
        buf = io.BytesIO()
        Image.fromarray(rgb_full).save(buf, fmt, **kw)
        files[name] = (buf.getvalue(), True)
    print("== cost of the check on a 12 MP photo (median of 7, interleaved with the decode)")
    print(f"{'file':42s} {'decode ms':>9s} {'check ms':>9s} {'ratio':>6s}")
    with _NoCheck():
        for name, (data, fast) in files.items():
            photo = loader.load_photo(data, fast=fast)
            mcu = _mcu(data, int(photo.scale))
            td, tc = [], []
            for _ in range(8):
                t = time.perf_counter()
                loader.load_photo(data, fast=fast)
                td.append(time.perf_counter() - t)
                t = time.perf_counter()
                check_pixels(photo.rgb, mcu=mcu)
                tc.append(time.perf_counter() - t)
            d, c = np.median(td[1:]) * 1000, np.median(tc[1:]) * 1000
            print(f"{name:42s} {d:9.1f} {c:9.1f} {c / d:6.1%}")


# ------------------------------------------------------------------ 2. catch rate


def catch(n_per: int, seed: int) -> Counter:
    files, cases = fuzz_set(n_per, seed, mutations=("zero", "burst", "bitflip"))
    tally = Counter()
    with _NoCheck():
        refs = {k: loader.load_photo(d, name=k).rgb for k, d in files.items()}
        for kind, how, j, data in cases:
            try:
                photo = loader.load_photo(data, name="x")
            except PhotoError:
                tally[kind, "refused_by_decoder"] += 1
                continue
            vis, frac = visibly_different(photo.rgb, refs[kind])
            found = check_pixels(photo.rgb, mcu=_mcu(data))
            if vis:
                tally[kind, "wrong"] += 1
                tally[kind, "caught" if found.damaged else f"missed_{how}"] += 1
            else:
                tally[kind, "same"] += 1
                tally[kind, "same_flagged"] += found.damaged
    return tally


def print_catch(n_per: int) -> None:
    print(f"\n== catch rate: overwritten bytes (zero, burst, bitflip), {n_per} per format and kind")
    print(f"{'seed':14s} {'format':17s} {'wrong decodes':>13s} {'caught':>7s} {'missed (zero/burst/bitflip)':>28s} "
          f"{'flagged, not wrong':>18s}")
    for seed, role in ((1, "tuning"), (0, "held out"), (2, "held out")):
        t = catch(n_per, seed)
        for k in KINDS:
            w = t[k, "wrong"]
            miss = "/".join(str(t[k, f"missed_{h}"]) for h in ("zero", "burst", "bitflip"))
            print(f"{seed} ({role:8s}) {k:17s} {w:13d} {t[k, 'caught']:7d} {miss:>28s} "
                  f"{t[k, 'same_flagged']:11d} of {t[k, 'same']}")


# ------------------------------------------------------------------ 3. false alarms


def build_clean(folder: Path) -> None:
    import cv2
    import pillow_heif

    pillow_heif.register_heif_opener()
    srcs = []
    for d in ("london_ccby", "canada_ccby", "debruine_cc0", "whitehouse_pd"):
        for f in sorted(glob.glob(str(FACES / d / "*.jpg"))):
            srcs.append((Path(f).stem, np.array(Image.open(f).convert("RGB"))))
    for f in sorted(glob.glob(str(FACES / "grid_video_ccby" / "*.mpg"))):
        cap = cv2.VideoCapture(f)
        for _ in range(40):
            ok, frame = cap.read()
        if ok:
            srcs.append((Path(f).stem, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
    for f in sorted(glob.glob(str(ROOT / "sample_images" / "*.jpg"))):
        srcs.append((Path(f).stem, np.array(Image.open(f).convert("RGB"))))
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, arr) in enumerate(srcs):
        h, w = arr.shape[:2]
        sizes = [("red", 480 / max(h, w))]
        if i % 3 == 0 or not name.startswith(("london", "canada")):
            sizes.append(("full", 1.0))
        for size, f in sizes:
            img = Image.fromarray(arr)
            if f != 1.0:
                img = img.resize((max(32, round(w * f)), max(32, round(h * f))), Image.LANCZOS)
            for tag, fmt, kw in CLEAN_SPECS:
                if size == "full" and tag in ("webp50", "heic50", "q60"):
                    continue
                out = folder / f"{name}__{size}__{tag}.{fmt.lower()}"
                if not out.exists():
                    img.save(out, fmt, **kw)


def false_alarms(folder: Path) -> None:
    print(f"\n== false alarms on real, undamaged photos ({folder})")
    n, fa, worst = Counter(), Counter(), {}
    for f in sorted(folder.iterdir()):
        tag = f.name.split("__")[-1].split(".")[0]
        data = f.read_bytes()
        with _NoCheck():
            photo = loader.load_photo(data, name=f.name)
        found = check_pixels(photo.rgb, mcu=_mcu(data, int(photo.scale)))
        n[tag] += 1
        fa[tag] += found.damaged
        if found.damaged:
            print("  FALSE ALARM", f.name, found.detail)
        if found.score >= worst.get(tag, (0.0, ""))[0]:
            worst[tag] = (found.score, f.name)
    print(f"{'encoding':9s} {'photos':>6s} {'false alarms':>12s}  highest score (1.0 = alarm)")
    for tag, *_ in CLEAN_SPECS:
        if n[tag]:
            s, name = worst[tag]
            print(f"{tag:9s} {n[tag]:6d} {fa[tag]:12d}  {s:.2f} ({name})")
    print(f"{'all':9s} {sum(n.values()):6d} {sum(fa.values()):12d}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-per", type=int, default=50)
    ap.add_argument("--clean-dir", type=Path, help="folder of clean re-encoded photos (built there if missing)")
    ap.add_argument("--skip-clean", action="store_true")
    args = ap.parse_args()
    cost()
    print_catch(args.n_per)
    if not args.skip_clean:
        if not FACES.is_dir():
            print("\n(/work/shared/faces not present: no false-alarm count)")
            return
        folder = args.clean_dir or Path(tempfile.mkdtemp()) / "clean"
        if not folder.is_dir() or not any(folder.iterdir()):
            t = time.perf_counter()
            build_clean(folder)
            print(f"\n(built the clean set in {folder} in {time.perf_counter() - t:.0f} s)")
        false_alarms(folder)


if __name__ == "__main__":
    main()
