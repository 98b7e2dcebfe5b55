"""The decoder-garbage checks (``facemetrics/integrity/``): catch rate, false alarms, cost.

The pixel check (:func:`check_pixels`), for lossy WebP the early-end
check on the file's bytes (:func:`vp8_ends_early`) and for HEIC the HEVC
decoder's warnings (:func:`hevc_errors`); in 2. and 3. a file counts as
caught / a false alarm when any of them flags it.

1. **Cost**: on a 12 MP phone-like JPEG (``_common.phone_photo``) and the
   same picture as progressive JPEG, lossy WebP and HEIC, the time of :func:`check_pixels` on
   the decoded array as a ratio to the decode time in the same run
   (medians, interleaved); for the WebP also the early-end check's time,
   for the HEIC the HEVC-warning check's.
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
5. **Impact** (``--impact``, instead of 1-3): every file of 2. that the
   loader (with both checks) reads as a good photo with visibly wrong
   pixels, compared with the clean file's decode as a before/after pair
   (:func:`facemetrics.compare_photos`, default noise floors): how many move
   a jaw or fold row (jawline, jowl, jaw, fold, lower face) or any row beyond
   its noise floor, how many comparisons are refused, how many stay within
   noise.
6. **WebP tail** (``--vp8-tail``, with ``--clean-dir``; ``--seeds``): for cuts of 1 to
   32 bytes (``VP8_TAIL_BYTES`` is 4, ``VP8L_TAIL_BYTES`` 2), how many clean
   lossy and lossless WebPs decode without their last bytes (false alarms:
   the clean set, and where the tools are installed 300 ``cwebp`` encodings
   with random settings, 80 ``vpxenc`` key frames and ``cwebp -lossless``
   encodings) and how many of the wrong decodes of each seed do (found).
4. **Equivalence** (``--compare-old PATH``, instead of 2 and 3): a former
   single-file version of ``facemetrics/integrity.py`` (a copy of the file, from before it became a package) against the
   current one on exactly the arrays the loader checks, for the fuzz set
   (every kind of damage, seeds 0, 1, 2) and the clean set: decisions that
   differ (should be 0), the largest score difference, and the ratio of
   their total check times.

    python bench/bench_integrity.py [--n-per 50] [--clean-dir DIR] [--skip-clean]
    python bench/bench_integrity.py --cost-only [--compare-old /tmp/integrity_old.py] [--repeats 8]
    python bench/bench_integrity.py --compare-old /tmp/integrity_old.py --clean-dir DIR [--max-clean 300]
    python bench/bench_integrity.py --impact [--n-per 50] [--seeds 7,8,9]
    python bench/bench_integrity.py --clean-only --clean-dir DIR [--jpeg-variants]
    python bench/bench_integrity.py --vp8-tail --clean-dir DIR [--n-per 50] [--seeds 1,0,2]
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
sys.path.insert(0, str(ROOT))  # this checkout's facemetrics, not another one installed in the environment

from _common import phone_photo  # noqa: E402
from fuzzing import fuzz_set, visibly_different  # noqa: E402

import facemetrics.loader as loader  # noqa: E402
from facemetrics.errors import PhotoError  # noqa: E402
from facemetrics.integrity import check_pixels, hevc_errors, jpeg_scan_start, vp8_ends_early, webp_is_lossless  # noqa: E402

FACES = Path("/work/shared/faces")
KINDS = ("jpeg", "jpeg_progressive", "png", "webp", "webp_lossless", "heic")
CLEAN_SPECS = [("q30", "JPEG", dict(quality=30)), ("q60", "JPEG", dict(quality=60)),
               ("q75", "JPEG", dict(quality=75)), ("q95", "JPEG", dict(quality=95)),
               ("prog", "JPEG", dict(quality=85, progressive=True)),
               ("webp", "WEBP", dict(quality=80)), ("webp50", "WEBP", dict(quality=50)),
               ("webpll", "WEBP", dict(lossless=True)),
               ("heic", "HEIF", dict(quality=80)), ("heic50", "HEIF", dict(quality=50))]
#: ``--jpeg-variants``: the same sources also as 4:4:4 JPEG (quality 85, 95, 100) and progressive JPEG (quality 50,
#: 95, 100 at 4:2:0, 90 at 4:4:4): the "4:4:4 and progressive sets" of docs/robustness.md (1036 files)
JPEG_VARIANT_SPECS = [("q85_444", "JPEG", dict(quality=85, subsampling=0)),
                      ("q95_444", "JPEG", dict(quality=95, subsampling=0)),
                      ("q100_444", "JPEG", dict(quality=100, subsampling=0)),
                      ("prog50", "JPEG", dict(quality=50, progressive=True)),
                      ("prog95", "JPEG", dict(quality=95, progressive=True)),
                      ("prog100", "JPEG", dict(quality=100, progressive=True)),
                      ("prog90_444", "JPEG", dict(quality=90, progressive=True, subsampling=0))]


class _NoCheck:
    """Context: the loader without the pixel check, the WebP early-end check and the HEVC-warning
    check (to see what it would have read)."""

    def __enter__(self):
        self.saved = loader._refuse_garbage, loader._refuse_vp8_early_end, loader._refuse_hevc_errors
        loader._refuse_garbage = lambda *a, **k: None
        loader._refuse_vp8_early_end = lambda *a, **k: None
        loader._refuse_hevc_errors = lambda *a, **k: None

    def __exit__(self, *exc):
        loader._refuse_garbage, loader._refuse_vp8_early_end, loader._refuse_hevc_errors = self.saved


def _mcu(data: bytes, reduce: int = 1):
    import simplejpeg

    if data[:3] != b"\xff\xd8\xff":
        return None
    mh, mw = loader._MCU.get(simplejpeg.decode_jpeg_header(data)[3], (8, 8))
    return max(1, mh // reduce), max(1, mw // reduce)


def _dct_block(data: bytes, reduce: int = 1):
    """What the loader passes as ``check_pixels(..., dct_block=)``: 8 // reduce for a progressive JPEG."""
    if data[:3] != b"\xff\xd8\xff":
        return None
    found = jpeg_scan_start(data)
    return 8 // reduce if found is not None and found[1] in (0xC2, 0xC6, 0xCA, 0xCE) else None


def _jpeg(data: bytes):
    """What the loader passes as ``check_pixels(..., jpeg=)``: the file's bytes for a JPEG, else None."""
    return data if data[:3] == b"\xff\xd8\xff" else None


# ------------------------------------------------------------------ 1. cost


def _load_module(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("integrity_old", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["integrity_old"] = mod  # (dataclasses look their module up)
    spec.loader.exec_module(mod)
    return mod


def cost(old: Path | None = None, repeats: int = 8) -> None:
    tmp = Path(tempfile.mkdtemp())
    jpg = phone_photo(tmp / "phone.jpg")
    rgb_full = np.array(Image.open(jpg).convert("RGB"))
    files = {"JPEG 12 MP, fast path (1/2-scale decode)": (jpg.read_bytes(), True),
             "JPEG 12 MP, full decode": (jpg.read_bytes(), False)}
    for name, fmt, kw in (("JPEG 12 MP progressive, fast path", "JPEG", dict(quality=85, progressive=True)),
                          ("WebP 12 MP (lossy, q 80)", "WEBP", dict(quality=80)),
                          ("HEIC 12 MP (q 80)", "HEIF", dict(quality=80))):
        buf = io.BytesIO()
        Image.fromarray(rgb_full).save(buf, fmt, **kw)
        files[name] = (buf.getvalue(), True)
    for name, size in (("JPEG 1 MP (1152 x 864; block means checked)", (1152, 864)),
                       ("JPEG 0.13 MP (320 x 400; block means checked)", (320, 400))):
        buf = io.BytesIO()
        Image.fromarray(rgb_full).resize(size, Image.LANCZOS).save(buf, "JPEG", quality=90)
        files[name] = (buf.getvalue(), False)
    old_check = _load_module(old).check_pixels if old else None
    print("== cost of the check on a 12 MP photo (medians, each check right after a decode)")
    print(f"{'file':42s} {'decode ms':>9s} {'check ms':>9s} {'ratio':>6s}"
          + (f" {'old ms':>7s} {'old ratio':>9s}" if old else ""))
    with _NoCheck():
        for name, (data, fast) in files.items():
            photo = loader.load_photo(data, fast=fast)
            mcu = _mcu(data, int(photo.scale))
            db = _dct_block(data, int(photo.scale))  # (progressive JPEG: the repeated-coefficient rule too)
            old_db = old_check is not None and "dct_block" in old_check.__code__.co_varnames
            old_jpeg = old_check is not None and "jpeg" in old_check.__code__.co_varnames
            td, tc, to = [], [], []
            for i in range(repeats):
                # each check right after its own decode (the decoded pixels as fresh in the caches as
                # in the loader); with --compare-old, old and new alternate which goes first
                checks = [(check_pixels, tc)] + ([(old_check, to)] if old_check else [])
                for check, times in (checks[::-1] if i % 2 else checks):
                    t = time.perf_counter()
                    rgb = loader.load_photo(data, fast=fast).rgb
                    td.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    check(rgb, mcu=mcu, **({"dct_block": db} if check is check_pixels or old_db else {}),
                          **({"jpeg": _jpeg(data)} if check is check_pixels or old_jpeg else {}))
                    times.append(time.perf_counter() - t)
            d, c = np.median(td[1:]) * 1000, np.median(tc[1:]) * 1000
            line = f"{name:42s} {d:9.1f} {c:9.1f} {c / d:6.1%}"
            if old_check:
                o = np.median(to[1:]) * 1000
                line += f" {o:7.1f} {o / d:9.1%}"
            print(line)
            # a second decode on the bytes: lossy WebP's shortened copy; HEIC's coded image in libde265
            extra = {b"WEBP": ("WebP early-end check", vp8_ends_early), b"ftyp": ("HEVC-warning check", hevc_errors)}
            for tag, (what, check) in extra.items():
                if tag in (data[8:12], data[4:8]):
                    tv = []
                    for _ in range(3):
                        t = time.perf_counter()
                        check(data)
                        tv.append(time.perf_counter() - t)
                    v = np.median(tv) * 1000
                    print(f"{'  + ' + what + ' (a 2nd decode)':42s} {d:9.1f} {v:9.1f} {v / d:6.1%}")


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
            found = (check_pixels(photo.rgb, mcu=_mcu(data), specks=webp_is_lossless(data),
                                  dct_block=_dct_block(data), jpeg=_jpeg(data)).damaged
                     or (kind == "webp" and vp8_ends_early(data))
                     or (kind == "heic" and bool(hevc_errors(data))))
            if vis:
                tally[kind, "wrong"] += 1
                tally[kind, "caught" if found else f"missed_{how}"] += 1
            else:
                tally[kind, "same"] += 1
                tally[kind, "same_flagged"] += found
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


# ------------------------------------------------------------------ 5. impact of the misses

#: metric-name starts of the jaw and fold rows of a comparison
_JAW_FOLD = ("jaw", "jowl", "nlf_", "lower_face")


def impact(n_per: int, seeds: tuple[int, ...] = (1, 0, 2)) -> None:
    from facemetrics import compare_photos

    print(f"\n== misses that change the measurement: overwritten bytes, {n_per} per format and kind; each miss "
          "compared with the clean decode (before = clean, after = damaged)")
    print(f"{'seed':4s} {'format':17s} {'misses':>6s} {'jaw/fold beyond floor':>21s} {'any row beyond':>14s} "
          f"{'refused':>7s} {'within noise':>12s}  largest jaw/fold change (x its floor)")
    for seed in seeds:
        files, cases = fuzz_set(n_per, seed, mutations=("zero", "burst", "bitflip"))
        refs = {k: loader.load_photo(d, name=k) for k, d in files.items()}
        tally, worst = Counter(), {}
        for kind, how, j, data in cases:
            try:
                photo = loader.load_photo(data, name=f"{kind}-{how}-{j}")
            except PhotoError:
                continue
            if not visibly_different(photo.rgb, refs[kind].rgb)[0]:
                continue
            c = compare_photos(refs[kind], photo)
            rows = [ch for ch in c.changes if ch.verdict not in ("within_noise", "uncertain", "refused")]
            jf = [ch for ch in rows if ch.metric.startswith(_JAW_FOLD)]
            tally[kind, "miss"] += 1
            tally[kind, "jf"] += bool(jf)
            tally[kind, "any"] += bool(rows)
            tally[kind, "refused"] += not rows and c.status not in ("ok", "warning")
            tally[kind, "within"] += not rows and c.status in ("ok", "warning")
            for ch in jf:
                worst[kind] = max(worst.get(kind, (0.0, "")),
                                  (abs(ch.change) / ch.noise_floor, f"{ch.metric} {ch.side} {ch.change:+.2f}"))
        for k in KINDS + ("all",):
            t = {x: sum(v for (kk, xx), v in tally.items() if xx == x and k in (kk, "all"))
                 for x in ("miss", "jf", "any", "refused", "within")}
            w = max(worst.values()) if k == "all" and worst else worst.get(k)
            print(f"{seed:<4d} {k:17s} {t['miss']:6d} {t['jf']:21d} {t['any']:14d} {t['refused']:7d} {t['within']:12d}"
                  + (f"  {w[1]} ({w[0]:.1f} x)" if w else ""))


# ------------------------------------------------------------------ 6. the WebP tail cut


def _decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
    except Exception:  # noqa: BLE001
        return False
    return True


def _encoder_webps(n: int, seed: int = 5) -> dict[str, list[bytes]]:
    """Clean lossy WebPs from other encoders' settings than the clean set's: ``cwebp`` (libwebp's
    command line) with `n` random settings (quality 0-100, method 0-6, segments, SNS, filter,
    partition limit, passes, sharp YUV / auto filter / target size / low memory) and ``vpxenc``
    (libvpx, the VP8 video encoder) key frames at four quantisers wrapped in a RIFF/WebP container,
    each from a photo of ``/work/shared/faces`` resized to 160-1200 px; a set is empty when its tool
    is not on PATH."""
    import random
    import shutil
    import struct
    import subprocess

    rng = random.Random(seed)
    photos = sorted(glob.glob(str(FACES / "**" / "*.jpg"), recursive=True))
    out: dict[str, list[bytes]] = {"cwebp, random settings": [], "vpxenc (libvpx) key frames": [],
                                   "cwebp -lossless, random settings": []}
    if not photos:
        return out
    tmp = Path(tempfile.mkdtemp())
    if shutil.which("cwebp"):
        for _ in range(n):
            img = Image.open(rng.choice(photos)).convert("RGB")
            size = rng.choice([160, 320, 480, 800, 1200])
            img.thumbnail((size, size))
            img.save(tmp / "c.png")
            opts = ["-q", str(rng.choice([0, 5, 20, 50, 75, 90, 100])), "-m", str(rng.randint(0, 6)),
                    "-segments", str(rng.randint(1, 4)), "-sns", str(rng.choice([0, 50, 100])),
                    "-f", str(rng.choice([0, 30, 100])), "-partition_limit", str(rng.choice([0, 50, 100])),
                    "-pass", str(rng.choice([1, 3, 10]))]
            opts += rng.choice([[], ["-sharp_yuv"], ["-af"], ["-size", "3000"], ["-low_memory"]])
            subprocess.run(["cwebp", "-quiet", *opts, str(tmp / "c.png"), "-o", str(tmp / "c.webp")], check=True,
                           capture_output=True)
            out["cwebp, random settings"].append((tmp / "c.webp").read_bytes())
            lossless = ["-lossless", "-z", str(rng.randint(0, 9))] + rng.choice(
                [[], ["-exact"], ["-near_lossless", str(rng.choice([0, 40, 60, 80]))],
                 ["-q", str(rng.choice([0, 50, 100])), "-m", str(rng.randint(0, 6))]])
            if size <= 800:  # (lossless encoding is slow)
                subprocess.run(["cwebp", "-quiet", *lossless, str(tmp / "c.png"), "-o", str(tmp / "c.webp")],
                               check=True, capture_output=True)
                out["cwebp -lossless, random settings"].append((tmp / "c.webp").read_bytes())
    if shutil.which("vpxenc"):
        for path in photos[::max(1, len(photos) // 20)][:20]:
            img = Image.open(path).convert("RGB")
            img.thumbnail((480, 480))
            w, h = img.size[0] // 2 * 2, img.size[1] // 2 * 2
            ycc = np.asarray(img.crop((0, 0, w, h)).convert("YCbCr"))
            (tmp / "in.y4m").write_bytes(f"YUV4MPEG2 W{w} H{h} F1:1 Ip A1:1 C420jpeg\nFRAME\n".encode()
                                         + ycc[..., 0].tobytes() + ycc[::2, ::2, 1].tobytes()
                                         + ycc[::2, ::2, 2].tobytes())
            for q in (4, 20, 40, 55):
                subprocess.run(["vpxenc", "-q", "--codec=vp8", "--ivf", "--limit=1", "--end-usage=q",
                                f"--min-q={q}", f"--max-q={q + 8}", f"--cq-level={q}", "-o", str(tmp / "o.ivf"),
                                str(tmp / "in.y4m")], check=True, capture_output=True)
                ivf = (tmp / "o.ivf").read_bytes()
                i = struct.unpack("<H", ivf[6:8])[0]
                frame = ivf[i + 12:i + 12 + struct.unpack("<I", ivf[i:i + 4])[0]]
                body = b"VP8 " + len(frame).to_bytes(4, "little") + frame + b"\0" * (len(frame) & 1)
                out["vpxenc (libvpx) key frames"].append(b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP"
                                                         + body)
    return out


def vp8_tail(n_per: int, clean: Path | None, seeds: tuple[int, ...] = (1, 0, 2)) -> None:
    from facemetrics.integrity.webp import _decodes_without_tail, webp_is_lossless

    cuts = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
    encoded = _encoder_webps(300)
    for kind, tag in (("webp", b"VP8 "), ("webp_lossless", b"VP8L")):
        print(f"\n== {kind}: files that decode without the last n bytes of their {tag.decode().strip()} data "
              "(n + 1 when needed for an even length)")
        print(f"{'set':40s} {'files':>5s} " + " ".join(f"{f'n={n}':>5s}" for n in cuts))
        sets = {}
        if clean is not None and clean.is_dir():
            datas = [f.read_bytes() for f in sorted(clean.iterdir()) if f.suffix == ".webp"]
            sets["clean set (false alarms)"] = [d for d in datas if webp_is_lossless(d) == (tag == b"VP8L")]
        for name, datas in encoded.items():
            if ("lossless" in name) == (tag == b"VP8L"):
                sets[f"{name} (false alarms)"] = [d for d in datas
                                                  if _decodes(d) and webp_is_lossless(d) == (tag == b"VP8L")]
        for name, datas in sets.items():
            print(f"{name:40s} {len(datas):5d} "
                  + " ".join(f"{sum(_decodes_without_tail(d, n, tag) for d in datas):5d}" for n in cuts))
        for seed in seeds:
            files, cases = fuzz_set(n_per, seed, mutations=("zero", "burst", "bitflip"))
            with _NoCheck():
                ref = loader.load_photo(files[kind], name=kind).rgb
                wrong = []
                for k, how, j, data in cases:
                    if k != kind:
                        continue
                    try:
                        rgb = loader.load_photo(data, name="x").rgb
                    except PhotoError:
                        continue
                    if visibly_different(rgb, ref)[0]:
                        wrong.append(data)
            print(f"{f'seed {seed} wrong decodes (found)':40s} {len(wrong):5d} "
                  + " ".join(f"{sum(_decodes_without_tail(d, n, tag) for d in wrong):5d}" for n in cuts))


# ------------------------------------------------------------------ 3. false alarms


def build_clean(folder: Path, variants: bool = False) -> None:
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
            for tag, fmt, kw in CLEAN_SPECS + (JPEG_VARIANT_SPECS if variants else []):
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
        found = check_pixels(photo.rgb, mcu=_mcu(data, int(photo.scale)), specks=webp_is_lossless(data),
                             dct_block=_dct_block(data, int(photo.scale)), jpeg=_jpeg(data))
        n[tag] += 1
        early = vp8_ends_early(data) if data[8:12] == b"WEBP" else False
        hevc = hevc_errors(data) if data[4:8] == b"ftyp" else ()
        fa[tag] += found.damaged or early or bool(hevc)
        if found.damaged or early or hevc:
            print("  FALSE ALARM", f.name, found.detail or "; ".join(hevc) or "WebP decodes without its last bytes")
        if found.score >= worst.get(tag, (0.0, ""))[0]:
            worst[tag] = (found.score, f.name)
    print(f"{'encoding':9s} {'photos':>6s} {'false alarms':>12s}  highest score (1.0 = alarm)")
    for tag, *_ in CLEAN_SPECS + JPEG_VARIANT_SPECS:
        if n[tag]:
            s, name = worst[tag]
            print(f"{tag:9s} {n[tag]:6d} {fa[tag]:12d}  {s:.2f} ({name})")
    print(f"{'all':9s} {sum(n.values()):6d} {sum(fa.values()):12d}")


# ------------------------------------------------------------------ 4. equivalence


def _checked_arrays(datas):
    """``(name, rgb, mcu, specks, dct_block, jpeg)`` of every array the loader passes to the check while
    reading ``datas`` (``jpeg``: the file's bytes for a JPEG, as the loader passes them from the change of
    2026-12-02 on, else None)."""
    seen = []
    saved = loader._refuse_garbage
    loader._refuse_garbage = lambda rgb, label, mcu=None, specks=False, dct_block=None, **k: seen.append(
        (label, rgb, mcu, specks, dct_block))
    try:
        for name, data in datas:
            try:
                loader.load_photo(data, name=name)
            except PhotoError:
                pass
            for _, rgb, mcu, specks, dct_block in seen:
                yield name, rgb, mcu, specks, dct_block, _jpeg(data) if mcu is not None else None
            seen.clear()
    finally:
        loader._refuse_garbage = saved


def compare_old(path: Path, n_per: int, clean: Path | None, max_clean: int) -> None:
    import inspect

    old = _load_module(path)
    old_dct = "dct_block" in inspect.signature(old.check_pixels).parameters  # (older versions: no such rule)
    old_jpeg = "jpeg" in inspect.signature(old.check_pixels).parameters

    def sets():
        for seed in (0, 1, 2):
            _, cases = fuzz_set(n_per, seed)
            yield f"fuzz seed {seed}", [(f"{k}-{h}-{j}", d) for k, h, j, d in cases]
        if clean is not None and clean.is_dir():
            files = sorted(clean.iterdir())
            if max_clean and len(files) > max_clean:
                files = files[:: -(-len(files) // max_clean)]
            yield f"clean ({clean})", [(f.name, f.read_bytes()) for f in files]

    print(f"== equivalence: {path} (old) against facemetrics/integrity/ (new)")
    print(f"{'set':32s} {'arrays':>6s} {'damaged':>7s} {'differ':>6s} {'max |d score|':>13s} {'other diff':>10s} "
          f"{'old s':>6s} {'new s':>6s} {'new/old':>7s}")
    tot = Counter()
    for label, datas in sets():
        n = nd = ndiff = nother = 0
        dmax, t_old, t_new = 0.0, 0.0, 0.0
        for name, rgb, mcu, specks, dct_block, jpeg in _checked_arrays(datas):
            for run_old in ((True, False) if n % 2 else (False, True)):  # alternate which runs first
                t = time.perf_counter()
                if run_old:
                    a = old.check_pixels(rgb, mcu=mcu, specks=specks, **({"dct_block": dct_block} if old_dct else {}),
                                         **({"jpeg": jpeg} if old_jpeg else {}))
                    t_old += time.perf_counter() - t
                else:
                    b = check_pixels(rgb, mcu=mcu, specks=specks, dct_block=dct_block, jpeg=jpeg)
                    t_new += time.perf_counter() - t
            n += 1
            nd += a.damaged
            if a.damaged != b.damaged:
                ndiff += 1
                print("  DECISION DIFFERS", name, a, b)
            elif (a.kind, a.row, a.col, a.what) != (b.kind, b.row, b.col, b.what):
                nother += 1
                print("  DETAIL DIFFERS", name, a, b)
            dmax = max(dmax, abs(a.score - b.score))
        print(f"{label[:32]:32s} {n:6d} {nd:7d} {ndiff:6d} {dmax:13.2e} {nother:10d} {t_old:6.2f} {t_new:6.2f} "
              f"{t_new / max(t_old, 1e-9):7.2f}")
        tot.update(n=n, nd=nd, ndiff=ndiff, nother=nother)
        tot["t_old"] += t_old
        tot["t_new"] += t_new
        tot["dmax"] = max(tot["dmax"], dmax)
    print(f"{'all':32s} {tot['n']:6d} {tot['nd']:7d} {tot['ndiff']:6d} {tot['dmax']:13.2e} {tot['nother']:10d} "
          f"{tot['t_old']:6.2f} {tot['t_new']:6.2f} {tot['t_new'] / max(tot['t_old'], 1e-9):7.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-per", type=int, default=50)
    ap.add_argument("--clean-dir", type=Path, help="folder of clean re-encoded photos (built there if missing)")
    ap.add_argument("--skip-clean", action="store_true")
    ap.add_argument("--compare-old", type=Path, metavar="PATH",
                    help="a copy of a former facemetrics/integrity.py: compare its outputs and cost (4.)")
    ap.add_argument("--max-clean", type=int, default=0, help="with --compare-old: at most this many clean files")
    ap.add_argument("--cost-only", action="store_true",
                    help="only 1. (with --compare-old PATH: that version's cost beside, no equivalence run)")
    ap.add_argument("--repeats", type=int, default=8, help="decodes (and checks) per file in 1. (medians; the first "
                    "is left out)")
    ap.add_argument("--impact", action="store_true", help="only 5.: do the misses change the measurement?")
    ap.add_argument("--vp8-tail", action="store_true", help="only 6.: lossy WebPs decoded without their last bytes")
    ap.add_argument("--seeds", default="1,0,2", help="with --impact or --vp8-tail: the fuzz seeds (comma-separated)")
    ap.add_argument("--jpeg-variants", action="store_true",
                    help="3. also on the 4:4:4 and progressive JPEG re-encodings (JPEG_VARIANT_SPECS)")
    ap.add_argument("--clean-only", action="store_true", help="only 3. (false alarms; needs --clean-dir)")
    args = ap.parse_args()
    if args.impact:
        impact(args.n_per, tuple(int(x) for x in args.seeds.split(",")))
        return
    if args.vp8_tail:
        vp8_tail(args.n_per, args.clean_dir, tuple(int(x) for x in args.seeds.split(",")))
        return
    if args.cost_only:
        cost(args.compare_old, args.repeats)
        return
    if args.compare_old:
        cost(args.compare_old, args.repeats)
        compare_old(args.compare_old, args.n_per, None if args.skip_clean else args.clean_dir, args.max_clean)
        return
    if not args.clean_only:
        cost(repeats=args.repeats)
        print_catch(args.n_per)
    if not args.skip_clean:
        if not FACES.is_dir():
            print("\n(/work/shared/faces not present: no false-alarm count)")
            return
        folder = args.clean_dir or Path(tempfile.mkdtemp()) / "clean"
        if not folder.is_dir() or not any(folder.iterdir()) or args.jpeg_variants:
            t = time.perf_counter()
            build_clean(folder, args.jpeg_variants)  # (only the files missing)
            print(f"\n(built the clean set in {folder} in {time.perf_counter() - t:.0f} s)")
        false_alarms(folder)


if __name__ == "__main__":
    main()
