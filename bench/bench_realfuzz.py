"""Real-photo fuzz: damaged copies of real photos, in many encodings and sizes, read as a user would.

``bench/bench_integrity.py`` and ``tests/fuzzing.py`` mutate the bundled
sample image at 320 x 400 px in one encoding per format. Real files differ:
other content, phone sizes (12 MP, where the JPEG block-mean rules do not run,
see docs/robustness.md), other encoders and settings. A one-off script of the
2026-12-02 audit that mutated real photos found a crash the sample fuzz never
hit (``jpeg_dc_out_of_range``, fixed in 32b6200); this is that script kept
as a bench.

For each photo drawn from ``../shared/faces`` (never copied into the project),
each size class and each format, one encoder setting is drawn, the photo is
encoded, and ``--n-per`` damaged copies per kind of damage are read with
:func:`facemetrics.load_photo`; files read as a photo whose pixels differ
*visibly* from the clean file's decode (``tests/fuzzing.py``
:func:`visibly_different`, the definition of bench_integrity) are then
measured with :func:`facemetrics.analyze_photo` (``--analyze-all``: every
file that was read).

Sizes: ``small`` 0.3-1 MP (every JPEG check runs), ``large`` 2-12 MP (what
phones write; 2-6 MP for PNG and 2-4 MP for lossless WebP and HEIC, whose
encoders take 5-20 s at 12 MP); a photo smaller than the size drawn is
upscaled (bicubic), a larger one reduced (area).

Formats and the settings drawn: ``jpeg`` (Pillow baseline, quality 40-98,
4:4:4 / 4:2:2 / 4:2:0, optimized or not), ``jpeg_prog`` (Pillow progressive,
the same), ``jpeg_cv`` (OpenCV, quality, 4:2:0 / 4:2:2 / 4:4:4, progressive or
not, optimized or not), ``png`` (Pillow, compression level), ``webp`` (lossy,
quality 40-95, method), ``webp_lossless``, ``heic`` (pillow-heif's x265,
quality 40-90; left out with a message when it cannot write).

Damage (``tests/fuzzing.py`` :func:`mutate` unless said): ``truncate``,
``zero`` (64 B, 512 B, 4 KB or 32 KB zeroed, at most a quarter of the
file), ``delete``, ``dup`` (a repeated range), ``bitflip``, ``burst``
(random bytes), ``header`` (a bit flip or 1-16 random bytes in the first
4 KB: EXIF, tables, frame and chunk headers), and for JPEG ``shift``: the picture shifted by +-30-90
levels from a random MCU row down and encoded again with the same setting
(what a DC drift does to the pixels; the reference is the unshifted file).

Outcome of each damaged file: ``refused`` (PhotoError with a reason),
``same`` (read; not visibly different), ``MISS`` (read with visibly wrong
pixels; ``measured`` = of those, analyze_photo status ``ok``), ``CRASH``
(load_photo or analyze_photo raised anything else than a FacemetricsError)
and ``error`` (analyze_photo's status ``error``: an unforeseen exception
caught, bba789a). CRASH and error files are written to ``--save-dir``.

    python bench/bench_realfuzz.py [--seed 0 | --seeds 0,1,2] [--photos 8] [--n-per 3]
        [--formats jpeg,jpeg_prog,jpeg_cv,png,webp,webp_lossless,heic] [--sizes small,large]
        [--damage truncate,zero,delete,dup,bitflip,burst,header,shift] [--analyze-all] [--save-dir DIR]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))  # this checkout's facemetrics

from bench_integrity import _NoCheck, _mcu  # noqa: E402
from fuzzing import mutate, visibly_different  # noqa: E402

import facemetrics  # noqa: E402
from facemetrics.errors import FacemetricsError  # noqa: E402

FACES = next((p for p in (ROOT.parent / "shared" / "faces", Path("/work/shared/faces")) if p.is_dir()), None)

FORMATS = ("jpeg", "jpeg_prog", "jpeg_cv", "png", "webp", "webp_lossless", "heic")
JPEG_FORMATS = ("jpeg", "jpeg_prog", "jpeg_cv")
MUTATIONS = ("truncate", "zero", "delete", "dup", "bitflip", "burst", "header", "shift")
OUTCOMES = ("refused", "same", "MISS", "measured", "CRASH", "error")
#: size classes, megapixels (low, high); per format where the encoder is slow at 12 MP
SIZES_MP = {"small": (0.3, 1.0), "large": (2.0, 12.0)}
LARGE_CAP_MP = {"png": 6.0, "webp_lossless": 4.0, "heic": 4.0}
#: lengths of a zeroed range (at most a quarter of the file)
ZERO_LENGTHS = (64, 512, 4096, 32768)

#: what a pixel check's refusal says (bench_false_alarms.CHECKS), to name the reason
_PIXEL_CHECKS = (("colour garbage", "pixels: colour garbage"), ("shifted by a", "pixels: DC drift"),
                 ("along the 16", "pixels: DC drift"), ("wrongly decoded", "pixels: wrong MCUs"),
                 ("beyond black", "pixels: DC out of range"), ("same DCT coefficients", "pixels: repeated coeffs"))


# ------------------------------------------------------------------ encoders


def _pil(fmt: str, **kw):
    def enc(x: np.ndarray, exif: bytes = b"") -> bytes:
        buf = io.BytesIO()
        Image.fromarray(x).save(buf, fmt, **kw, **({"exif": exif} if exif else {}))
        return buf.getvalue()
    return enc


def _cv(q: int, samp: int | None, progressive: bool, optimize: bool):
    def enc(x: np.ndarray, exif: bytes = b"") -> bytes:
        p = [cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_PROGRESSIVE, int(progressive),
             cv2.IMWRITE_JPEG_OPTIMIZE, int(optimize)]
        if samp is not None:
            p += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, samp]
        ok, buf = cv2.imencode(".jpg", x[:, :, ::-1], p)
        if not ok:
            raise RuntimeError("cv2.imencode failed")
        data = buf.tobytes()
        if exif:  # (OpenCV writes no EXIF: an APP1 segment after the SOI, as cameras write it)
            data = data[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + data[2:]
        return data
    return enc


def draw_encoder(fmt: str, large: bool, rng: np.random.Generator) -> tuple[str, object]:
    """``(name, encode)``: one setting of `fmt` drawn with `rng`; ``encode(rgb) -> bytes``."""
    q = int(rng.integers(40, 99))
    sub = int(rng.integers(0, 3))  # Pillow: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0
    opt = bool(rng.integers(0, 2))
    subname = ("444", "422", "420")[sub]
    if fmt in ("jpeg", "jpeg_prog"):
        prog = fmt == "jpeg_prog"
        return (f"pil_q{q}_{subname}" + ("_prog" if prog else "") + ("_opt" if opt else ""),
                _pil("JPEG", quality=q, subsampling=sub, optimize=opt, progressive=prog))
    if fmt == "jpeg_cv":
        prog = bool(rng.integers(0, 2))
        samp = (cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422, None)[sub]
        return (f"cv_q{q}_{subname}" + ("_prog" if prog else "") + ("_opt" if opt else ""),
                _cv(q, samp, prog, opt))
    if fmt == "png":
        level = int(rng.integers(1, 4 if large else 10))
        return f"png_z{level}", _pil("PNG", compress_level=level)
    if fmt == "webp":
        q = int(rng.integers(40, 96))
        method = int(rng.integers(0, 5 if large else 7))
        return f"webp_q{q}_m{method}", _pil("WEBP", quality=q, method=method)
    if fmt == "webp_lossless":
        method = 0 if large else int(rng.integers(0, 5))
        return f"webpll_m{method}", _pil("WEBP", lossless=True, method=method)
    if fmt == "heic":
        q = int(rng.integers(40, 91))
        return f"heic_q{q}", _pil("HEIF", quality=q)
    raise ValueError(fmt)


#: EXIF orientations drawn (1: upright, 6 / 8: a phone held sideways, 3: upside down) and how the stored
#: pixels are turned (``np.rot90`` k) so that the photo displays upright
ORIENTATIONS = {1: 0, 3: 2, 6: 1, 8: -1}


def phone_exif(rng: np.random.Generator) -> tuple[int, bytes]:
    """``(orientation, exif bytes)`` as a phone writes them: the orientation tag, the capture time with
    sub-seconds and UTC offset, a camera make and model (Pillow's ``Image.Exif().tobytes()``, with its
    ``Exif\\0\\0`` prefix)."""
    orientation = int(rng.choice([1, 1, 1, 3, 6, 6, 8]))
    e = Image.Exif()
    e[274] = orientation
    e[271], e[272] = "Phone", "Model 12"
    sub = e.get_ifd(0x8769)
    sub[36867] = sub[36868] = f"2026:12:{int(rng.integers(1, 29)):02d} {int(rng.integers(0, 24)):02d}:32:05"
    sub[36881] = sub[36882] = "+01:00"
    sub[37521] = str(int(rng.integers(0, 1000)))
    return orientation, e.tobytes()


def heic_writable() -> bool:
    """Whether pillow-heif is installed and can encode HEIC here."""
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _pil("HEIF", quality=50)(np.zeros((64, 64, 3), np.uint8))
    except Exception:  # noqa: BLE001
        return False
    return True


# ------------------------------------------------------------------ photos and damage


def photos(n: int, rng: np.random.Generator):
    """``(name, rgb)`` of `n` real photos drawn from ``FACES`` (``*/*.jpg``), full size."""
    paths = sorted(FACES.glob("*/*.jpg"))
    for i in rng.choice(len(paths), size=min(n, len(paths)), replace=False):
        yield paths[i].name, np.asarray(Image.open(paths[i]).convert("RGB"))


def resized(x: np.ndarray, mp: float) -> np.ndarray:
    """`x` resized to about `mp` megapixels (area when reducing, bicubic when enlarging)."""
    h, w = x.shape[:2]
    f = (mp * 1e6 / (h * w)) ** 0.5
    size = (max(16, round(w * f)), max(16, round(h * f)))
    return np.ascontiguousarray(cv2.resize(x, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC))


def damage(data: bytes, how: str, rng: np.random.Generator) -> bytes:
    """One damaged copy (``zero`` with :data:`ZERO_LENGTHS`, else :func:`fuzzing.mutate`)."""
    if how == "header":
        b = bytearray(data)
        end = min(len(b), 4096)
        if rng.integers(0, 2):
            i = int(rng.integers(2, end))
            b[i] ^= 1 << int(rng.integers(0, 8))
        else:
            k = int(rng.integers(1, 17))
            i = int(rng.integers(2, max(3, end - k)))
            b[i:i + k] = rng.integers(0, 256, k, dtype=np.uint8).tobytes()
        return bytes(b)
    if how == "zero":
        n = len(data)
        k = min(int(rng.choice(ZERO_LENGTHS)), n // 4)
        i = int(rng.integers(64, n - k))
        b = bytearray(data)
        b[i:i + k] = bytes(k)
        return bytes(b)
    return mutate(data, how, rng)


def shifted(x: np.ndarray, data: bytes, rng: np.random.Generator) -> np.ndarray:
    """`x` + a constant (+-30-90 levels, every channel) from a random MCU row of the JPEG `data` down."""
    mh = _mcu(data)[0]
    y0 = int(rng.integers(1, max(2, x.shape[0] // mh - 1))) * mh
    out = x.astype(np.int16)
    out[y0:] += int(rng.choice([-1, 1]) * rng.integers(30, 91))
    return np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8))


def reason_key(exc: FacemetricsError) -> str:
    """A short name of why a file was refused: the pixel check, or the reason without its details."""
    text = getattr(exc, "reason", str(exc))
    for key, name in _PIXEL_CHECKS:
        if key in text:
            return name
    text = re.sub(r"\s*\(.*", "", text)
    text = re.sub(r"\d[\d,.]*", "N", text)
    return f"{exc.status}: {text[:44]}"


# ------------------------------------------------------------------ the run


def run_seed(seed: int, n_photos: int, n_per: int, formats, sizes, analyze_all: bool, save_dir: Path,
             verbose: bool = True, damages=MUTATIONS):
    """Tallies of one seed: ``(tally, reasons, misses, notes)``.

    tally: ``Counter[(format, size, mutation, outcome)]``; reasons: ``Counter[(format, reason)]``;
    misses: ``[dict]`` one per MISS/CRASH/error file; notes: clean files refused (false alarms) etc.
    """
    rng = np.random.default_rng(seed)
    tally, reasons, misses, notes = Counter(), Counter(), [], []
    for name, full in photos(n_photos, rng):
        for size in sizes:
            for fmt in formats:
                lo, hi = SIZES_MP[size]
                if size == "large":
                    hi = min(hi, LARGE_CAP_MP.get(fmt, hi))
                mp = float(rng.uniform(lo, hi))
                orientation, exif = phone_exif(rng)
                x = np.ascontiguousarray(np.rot90(resized(full, mp), ORIENTATIONS[orientation]))  # as stored
                enc_name, enc = draw_encoder(fmt, size == "large", rng)
                clean = enc(x, exif)
                tag = f"{name}|{size}|{x.shape[1]}x{x.shape[0]}|o{orientation}|{enc_name}"
                try:
                    facemetrics.load_photo(clean, name=tag)
                except FacemetricsError as exc:
                    notes.append(f"clean file refused (false alarm): {tag}: {exc}")
                with _NoCheck():
                    ref = facemetrics.load_photo(clean, name=tag).rgb
                jobs = [(how, j) for how in damages for j in range(n_per)
                        if how != "shift" or fmt in JPEG_FORMATS]
                for how, j in jobs:
                    data = enc(shifted(x, clean, rng), exif) if how == "shift" else damage(clean, how, rng)
                    label = f"{tag}|{how}{j}"
                    out, detail = _one(data, label, ref, analyze_all)
                    key = (fmt, size, how)
                    if out == "refused":
                        reasons[fmt, detail] += 1
                    tally[key + (out,)] += 1
                    if out in ("MISS", "measured"):
                        tally[key + ("MISS",)] += out == "measured"  # (a measured miss is a miss too)
                    if out in ("MISS", "measured", "CRASH", "error"):
                        misses.append(dict(seed=seed, label=label, fmt=fmt, size=size, how=how, outcome=out,
                                           mp=x.shape[0] * x.shape[1] / 1e6, detail=detail))
                    if out in ("CRASH", "error"):
                        path = save_dir / f"seed{seed}_{len(misses)}_{fmt}_{size}_{how}.bin"
                        path.write_bytes(data)
                        misses[-1]["saved"] = str(path)
                        if verbose:
                            print(f"  {out}: {label}: {detail} -> {path}", flush=True)
    return tally, reasons, misses, notes


def _one(data: bytes, label: str, ref: np.ndarray, analyze_all: bool) -> tuple[str, str]:
    """``(outcome, detail)`` of one damaged file read as a user would."""
    try:
        photo = facemetrics.load_photo(data, name=label)
    except FacemetricsError as exc:
        return "refused", reason_key(exc)
    except Exception as exc:  # noqa: BLE001 - the bug this bench looks for
        return "CRASH", f"load_photo raised {type(exc).__name__}: {str(exc)[:160]}"
    vis, frac = visibly_different(photo.rgb, ref)
    if not vis and not analyze_all:
        return "same", ""
    try:
        result = facemetrics.analyze_photo(photo, name=label)
    except Exception as exc:  # noqa: BLE001
        return "CRASH", f"analyze_photo raised {type(exc).__name__}: {str(exc)[:160]}"
    if result.status == "error":
        return "error", result.error[:200]
    if not vis:
        return "same", ""
    return ("measured" if result.status == "ok" else "MISS"), f"{frac:.2%} of pixels off; analysis {result.status}"


def print_tables(tally: Counter, reasons: Counter, misses: list, notes: list, formats, sizes) -> None:
    print(f"\n{'format':14s} {'damage':9s} {'files':>5s} {'refused':>7s} {'same':>5s} {'MISS':>5s} "
          f"{'measured':>8s} {'CRASH':>5s} {'error':>5s}")
    tot = Counter()
    for fmt in formats:
        for how in MUTATIONS:
            c = {o: sum(v for (f, s, h, oo), v in tally.items() if f == fmt and h == how and oo == o)
                 for o in OUTCOMES}
            n = c["refused"] + c["same"] + c["MISS"] + c["CRASH"] + c["error"]
            if n:
                print(f"{fmt:14s} {how:9s} {n:5d} {c['refused']:7d} {c['same']:5d} {c['MISS']:5d} "
                      f"{c['measured']:8d} {c['CRASH']:5d} {c['error']:5d}")
            tot.update(c)
            tot["files"] += n
    print(f"{'all':24s} {tot['files']:5d} {tot['refused']:7d} {tot['same']:5d} {tot['MISS']:5d} "
          f"{tot['measured']:8d} {tot['CRASH']:5d} {tot['error']:5d}")
    print("\nby format and size: damaged bytes (every damage but truncate and shift) and shifts apart; "
          "MISS (measured)")
    print(f"{'format':14s} {'size':5s} {'bytes: files':>12s} {'refused':>7s} {'same':>5s} {'MISS':>9s}   "
          f"{'shift: files':>12s} {'refused':>7s} {'MISS':>9s}")
    for fmt in formats:
        for s in sizes:
            def n(outcome, shift, f=fmt, s=s):
                return sum(v for (ff, ss, h, o), v in tally.items() if ff == f and ss == s and o == outcome
                           and h != "truncate" and (h == "shift") == shift)
            nb = n("refused", False) + n("same", False) + n("MISS", False) + n("CRASH", False) + n("error", False)
            ns = n("refused", True) + n("same", True) + n("MISS", True) + n("CRASH", True) + n("error", True)
            line = (f"{fmt:14s} {s:5s} {nb:12d} {n('refused', False):7d} {n('same', False):5d} "
                    f"{n('MISS', False):4d} ({n('measured', False):2d})")
            if ns:
                line += f"   {ns:12d} {n('refused', True):7d} {n('MISS', True):4d} ({n('measured', True):2d})"
            print(line)
    print("\nreasons given for refusals (all formats; top 25)")
    by_reason = Counter()
    for (fmt, r), v in reasons.items():
        by_reason[r] += v
    for r, v in by_reason.most_common(25):
        fm = ", ".join(f"{f} {reasons[f, r]}" for f in formats if reasons[f, r])
        print(f"  {v:5d}  {r}  ({fm})")
    if misses:
        print("\nMISS / CRASH / error files")
        for m in misses:
            print(f"  seed {m['seed']} {m['outcome']:8s} {m['fmt']:13s} {m['size']:5s} {m['mp']:5.1f} MP "
                  f"{m['how']:8s} {m['detail']}  [{m['label']}]")
    for n in notes:
        print("  " + n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", help="comma-separated seeds (instead of --seed): one table over all of them")
    ap.add_argument("--photos", type=int, default=8, help="real photos drawn per seed")
    ap.add_argument("--n-per", type=int, default=3, help="damaged copies per photo, size, format and damage")
    ap.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, of {','.join(FORMATS)}")
    ap.add_argument("--sizes", default="small,large", help="comma-separated, of small (0.3-1 MP), large (2-12 MP)")
    ap.add_argument("--damage", default=",".join(MUTATIONS), help=f"comma-separated, of {','.join(MUTATIONS)}")
    ap.add_argument("--analyze-all", action="store_true",
                    help="measure every file read (default: only the visibly wrong ones)")
    ap.add_argument("--save-dir", type=Path, help="where CRASH and error files are written (default: a temp folder)")
    args = ap.parse_args()
    if FACES is None:
        print("../shared/faces (real photos) not present: nothing to fuzz")
        return
    formats = [f for f in args.formats.split(",") if f]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        ap.error(f"unknown format(s) {bad}; known: {FORMATS}")
    sizes = [s for s in args.sizes.split(",") if s]
    if any(s not in SIZES_MP for s in sizes):
        ap.error(f"sizes: {tuple(SIZES_MP)}")
    if "heic" in formats and not heic_writable():
        print("(pillow-heif cannot write HEIC here: heic left out)")
        formats.remove("heic")
    damages = tuple(h for h in MUTATIONS if h in args.damage.split(","))  # (in MUTATIONS' order)
    if set(args.damage.split(",")) - set(MUTATIONS):
        ap.error(f"damage: {MUTATIONS}")
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else [args.seed]
    save_dir = args.save_dir or Path(tempfile.mkdtemp(prefix="realfuzz_"))
    save_dir.mkdir(parents=True, exist_ok=True)
    print(f"real-photo fuzz: seeds {seeds}, {args.photos} photos per seed from {FACES}, sizes {sizes}, "
          f"formats {formats}, {args.n_per} per damage; CRASH/error files -> {save_dir}", flush=True)
    tally, reasons, misses, notes = Counter(), Counter(), [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for seed in seeds:
        ts = time.perf_counter()
        t, r, m, n = run_seed(seed, args.photos, args.n_per, formats, sizes, args.analyze_all, save_dir,
                              damages=damages)
        files = sum(v for k, v in t.items() if k[3] in ("refused", "same", "MISS", "CRASH", "error"))
        print(f"seed {seed}: {files} files, refused {sum(v for k, v in t.items() if k[3] == 'refused')}, "
              f"MISS {sum(v for k, v in t.items() if k[3] == 'MISS')} (measured "
              f"{sum(v for k, v in t.items() if k[3] == 'measured')}), CRASH "
              f"{sum(v for k, v in t.items() if k[3] == 'CRASH')}, error "
              f"{sum(v for k, v in t.items() if k[3] == 'error')}; {time.perf_counter() - ts:.0f} s", flush=True)
        tally.update(t)
        reasons.update(r)
        misses += m
        notes += n
    print_tables(tally, reasons, misses, notes, formats, sizes)
    print(f"\n{time.perf_counter() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU (this process)")


if __name__ == "__main__":
    main()
