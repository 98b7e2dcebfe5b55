"""Bad-input audit, second pass: the inputs earlier audits missed (docs/robustness.md, "Inputs the earlier
audits missed").

    PYTHONPATH=. python bench/audit_inputs2.py              # builds the cases in a temp dir (~2-4 min)
    PYTHONPATH=. python bench/audit_inputs2.py --keep DIR   # ... in DIR, kept for a look
    PYTHONPATH=. python bench/audit_inputs2.py --only icc_p3,avif   # some cases only (no batch)

Every case is made from the bundled sample (``sample_images/astronaut_before.jpg``, itself made from
``skimage.data.astronaut()``) with Pillow, pillow-heif and OpenCV; no shared face is used.  Each case is
run through ``load_photo``, ``analyze_photo``, ``compare_photos`` (the good before photo against the
case, both orders) and ``facemetrics batch`` (one study folder with every case plus the two good sample
photos, against a batch of the good photos alone: their rows must be present and identical).

Prints one table row per case: what each step gave (a status and the first words of its message, or
``TRACEBACK`` with the exception when something raised), and for measured cases the jaw width against the
plain photo's.  Ends with the batch check and the Display P3 measurement, and exits 1 when anything
raised or a good photo's batch row differs.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pillow_heif
from PIL import Image, ImageCms

pillow_heif.register_heif_opener()  # Pillow saves .heic (facemetrics.loader registers it too, but later)
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
BEFORE = SAMPLES / "astronaut_before.jpg"
AFTER = SAMPLES / "astronaut_after.jpg"
TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
             5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
             8: Image.Transpose.ROTATE_270}  # the stored picture of orientation k (inverse of exif_transpose)


# ------------------------------------------------------------------ a Display P3 ICC profile (no file ships one)

def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def display_p3_icc() -> bytes:
    """An ICC v2 matrix/TRC display profile of Display P3 (P3 primaries, D65 white adapted to D50 by Bradford
    -- the colorants of Apple's profile --, the sRGB tone curve as a 1024-entry table)."""
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)
    x = np.linspace(0, 1, 1024)
    lin = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)
    curv = b"curv" + b"\0" * 4 + struct.pack(">I", 1024) + np.round(lin * 65535).astype(">u2").tobytes()
    text = b"Display P3 (facemetrics audit)"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 8 + b"\0" * 3 + b"\0" * 67)
    cprt = b"text" + b"\0" * 4 + b"public domain\0"
    tags = [(b"desc", desc), (b"cprt", cprt), (b"wtpt", xyz(0.96420, 1.0, 0.82491)),
            (b"rXYZ", xyz(0.515121, 0.241196, -0.001053)), (b"gXYZ", xyz(0.291977, 0.692245, 0.041885)),
            (b"bXYZ", xyz(0.157104, 0.066574, 0.784073)), (b"rTRC", curv), (b"gTRC", curv), (b"bTRC", curv)]
    table_len = 4 + 12 * len(tags)
    offset = 128 + table_len
    entries, blobs = [], b""
    for sig, data in tags:
        while (offset + len(blobs)) % 4:
            blobs += b"\0"
        entries.append(struct.pack(">4sII", sig, offset + len(blobs), len(data)))
        blobs += data
    body = struct.pack(">I", len(tags)) + b"".join(entries) + blobs
    size = 128 + len(body)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 12, 5, 0, 0, 0) + b"acsp" + b"APPL" + b"\0" * 4 + b"\0" * 8 + b"\0" * 8
              + struct.pack(">I", 0) + _s15(0.9642) + _s15(1.0) + _s15(0.82491) + b"lcms" + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + body


def to_p3(img: Image.Image) -> tuple[Image.Image, bytes]:
    """``img`` (sRGB) converted to Display P3 by LittleCMS (relative colorimetric), and the profile."""
    icc = display_p3_icc()
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    out = ImageCms.profileToProfile(img, ImageCms.createProfile("sRGB"), p3, outputMode="RGB")
    return out, icc


# ------------------------------------------------------------------ byte-level makers

def _jpeg_with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """``jpeg`` with one APP1 segment holding ``payload`` right after SOI."""
    assert jpeg[:2] == b"\xff\xd8" and len(payload) + 2 <= 65535
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _exif_with_thumbnail(thumb: bytes) -> bytes:
    """``Exif\\0\\0`` + a little-endian TIFF with IFD0 (Orientation 1) and IFD1 pointing at ``thumb``."""
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 274, 3, 1, 1) + struct.pack("<I", 8 + 18)
    ifd1_at = 8 + 18
    thumb_at = ifd1_at + 2 + 2 * 12 + 4
    ifd1 = (struct.pack("<H", 2) + struct.pack("<HHII", 513, 4, 1, thumb_at)
            + struct.pack("<HHII", 514, 4, 1, len(thumb)) + struct.pack("<I", 0))
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", 8) + ifd0 + ifd1 + thumb


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def giant_png(path: Path, side: int) -> None:
    """A flat grey ``side`` x ``side`` PNG written row by row (never held in memory)."""
    comp = zlib.compressobj(1)
    row = b"\0" + b"\x80" * side
    parts = []
    for _ in range(side):
        parts.append(comp.compress(row))
    parts.append(comp.flush())
    idat = b"".join(parts)
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
                     + _png_chunk(b"IEND", b""))


# ------------------------------------------------------------------ the cases

def build(d: Path) -> dict[str, Path]:
    """Write every case into ``d``; returns ``{case: path}`` (a bytes-named file's path is str, surrogate-escaped)."""
    d.mkdir(parents=True, exist_ok=True)
    im = Image.open(BEFORE).convert("RGB")
    rgb = np.asarray(im)
    w, h = im.size
    small = im.resize((w // 2, h // 2), Image.Resampling.LANCZOS)  # 640 x 800: smaller files, faster cases
    jpeg = (lambda b: (small.save(b, "JPEG", quality=92), b.getvalue())[1])(io.BytesIO())
    cases: dict[str, Path] = {}

    def put(name, fname, fn):
        p = d / fname
        try:
            fn(p)
        except Exception as exc:  # a case this machine cannot make is listed as such
            print(f"  (cannot make {name}: {type(exc).__name__}: {exc})")
            return
        cases[name] = p

    # plain copies (the references)
    put("plain_png", "plain.png", lambda p: small.save(p))
    # colour models and depths
    put("cmyk_tiff", "cmyk.tiff", lambda p: small.convert("CMYK").save(p))
    put("lab_tiff", "lab.tiff", lambda p: small.convert("LAB").save(p))
    put("png16_rgba", "rgba16.png",
        lambda p: cv2.imwrite(str(p), np.dstack([cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2BGR).astype(np.uint16) * 257,
                                                 np.full(small.size[::-1], 65535, np.uint16)])))
    put("tiff16_rgb", "rgb16.tiff",
        lambda p: cv2.imwrite(str(p), cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2BGR).astype(np.uint16) * 257))
    put("tiff_i16", "grey16.tiff",
        lambda p: Image.fromarray(np.asarray(small.convert("L")).astype(np.uint16) * 257).save(p))
    put("tiff_float_rgb_cv2", "rgb32f.tiff",
        lambda p: cv2.imwrite(str(p), cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2BGR).astype(np.float32) / 255))
    put("tiff_1bit_g4", "bilevel_g4.tiff", lambda p: small.convert("1").save(p, compression="group4"))
    put("bmp_1bit", "bilevel.bmp", lambda p: small.convert("1").save(p))
    # animations: which frame?
    blank = Image.new("RGB", small.size, (128, 128, 128))
    put("gif_first_blank", "anim_blank_first.gif",
        lambda p: blank.save(p, save_all=True, append_images=[small], duration=500, loop=0))
    put("apng_default_hidden", "apng_default.png",
        lambda p: blank.save(p, save_all=True, append_images=[small, small], default_image=True, duration=500))
    put("apng_face_first", "apng.png",
        lambda p: small.save(p, save_all=True, append_images=[blank], duration=500))
    put("webp_anim", "anim.webp",
        lambda p: small.save(p, save_all=True, append_images=[blank], duration=500, lossless=True))
    # AVIF
    put("avif", "plain.avif", lambda p: small.save(p, quality=90))
    ex6 = Image.Exif()
    ex6[274] = 6
    put("avif_orient6", "orient6.avif", lambda p: small.transpose(TRANSPOSE[6]).save(p, quality=90, exif=ex6.tobytes()))
    # HEIC
    rgba = small.convert("RGBA")
    a = np.asarray(rgba).copy()
    a[..., 3] = 140
    put("heic_alpha", "alpha.heic", lambda p: Image.fromarray(a, "RGBA").save(p, quality=90))

    def two_images(p):
        hf = pillow_heif.HeifFile()
        hf.add_from_pillow(blank)
        hf.add_from_pillow(small)
        hf.save(p, quality=90, primary_index=1)  # the face is the primary image, not the first
    put("heic_two_images", "two.heic", two_images)

    def two_images_first(p):
        hf = pillow_heif.HeifFile()
        hf.add_from_pillow(blank)
        hf.add_from_pillow(small)
        hf.save(p, quality=90)  # the blank first image is the primary one
    put("heic_blank_primary", "blank_primary.heic", two_images_first)

    def with_depth(p):
        hf = pillow_heif.from_pillow(small)
        hf.add_from_pillow(small.convert("L"))  # pillow-heif writes no depth image; a second, grey image instead
        hf.save(p, quality=90)
    put("heic_grey_second", "grey_second.heic", with_depth)
    # EXIF orientation 2-8 on PNG, lossless WebP, TIFF
    for k in range(2, 9):
        stored = small.transpose(TRANSPOSE[k])
        e = Image.Exif()
        e[274] = k
        put(f"png_orient{k}", f"orient{k}.png", lambda p, s=stored, e=e: s.save(p, exif=e.tobytes()))
        put(f"webp_orient{k}", f"orient{k}.webp", lambda p, s=stored, e=e: s.save(p, lossless=True, exif=e.tobytes()))
        put(f"tiff_orient{k}", f"orient{k}.tiff", lambda p, s=stored, k=k: s.save(p, tiffinfo={274: k}))
    # broken or odd EXIF
    rng = np.random.default_rng(0)
    put("exif_garbage", "exif_garbage.jpg",
        lambda p: p.write_bytes(_jpeg_with_app1(jpeg, b"Exif\0\0" + rng.integers(0, 256, 3000, np.uint8).tobytes())))
    put("exif_bad_offset", "exif_bad_offset.jpg",
        lambda p: p.write_bytes(_jpeg_with_app1(jpeg, b"Exif\0\0II*\0" + struct.pack("<I", 0xFFFFFF00) + b"\0" * 64)))
    put("exif_ifd_loop", "exif_ifd_loop.jpg",  # IFD0's next-IFD offset points back at IFD0
        lambda p: p.write_bytes(_jpeg_with_app1(jpeg, b"Exif\0\0II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1)
                                                + struct.pack("<HHII", 274, 3, 1, 1) + struct.pack("<I", 8))))
    for k in (0, 9, 65535):
        e = Image.Exif()
        e[274] = k
        put(f"exif_orient_{k}", f"orient_{k}.jpg", lambda p, e=e: small.save(p, quality=92, exif=e.tobytes()))
    noise = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (160, 160, 3), np.uint8)).save(noise, "JPEG", quality=100)
    thumb = noise.getvalue()[:65000]
    put("exif_huge_thumb", "huge_thumb.jpg",
        lambda p: p.write_bytes(_jpeg_with_app1(jpeg, _exif_with_thumbnail(thumb[:65535 - 2 - 6 - 60]))))
    put("exif_thumb_past_end", "thumb_past_end.jpg",
        lambda p: p.write_bytes(_jpeg_with_app1(jpeg, _exif_with_thumbnail(b"\xff\xd8")[:-2]
                                                .replace(struct.pack("<HHII", 514, 4, 1, 2),
                                                         struct.pack("<HHII", 514, 4, 1, 10_000_000)))))
    # colour profile
    put("icc_p3", "p3.jpg", lambda p: (lambda im3, icc: im3.save(p, quality=95, icc_profile=icc))(*to_p3(small)))
    put("icc_garbage", "icc_garbage.jpg", lambda p: small.save(p, quality=92, icc_profile=b"\0" * 100 + b"junk" * 50))
    # cut and damaged
    prog = io.BytesIO()
    small.save(prog, "JPEG", quality=92, progressive=True)
    put("prog_cut_half", "prog_cut.jpg", lambda p: p.write_bytes(prog.getvalue()[:len(prog.getvalue()) // 2]))
    png = io.BytesIO()
    small.save(png, "PNG")
    bad = bytearray(png.getvalue())
    bad[29] ^= 0xFF  # the IHDR CRC (bytes 29-32)
    put("png_bad_crc_ihdr", "bad_ihdr_crc.png", lambda p: p.write_bytes(bytes(bad)))
    # names and file kinds
    put("png_named_jpg", "png_inside.jpg", lambda p: p.write_bytes(png.getvalue()))
    put("jpg_named_png", "jpg_inside.png", lambda p: p.write_bytes(jpeg))
    put("heic_named_jpg", "heic_inside.jpg", lambda p: small.save(p, "HEIF", quality=90))
    put("txt_named_heic", "notes.heic", lambda p: p.write_text("my notes\n"))
    put("avif_named_heic", "avif_inside.heic", lambda p: small.save(p, "AVIF", quality=90))

    def no_perm(p):
        p.write_bytes(jpeg)
        os.chmod(p, 0)
    put("no_read_perm", "no_perm.jpg", no_perm)

    def latin1(p):
        raw = os.fsencode(d) + b"/caf\xe9 latin1.jpg"
        with open(raw, "wb") as f:
            f.write(jpeg)
        p.write_bytes(b"")  # placeholder removed below
        p.unlink()
    put("name_latin1", "unused", latin1)
    if "name_latin1" in cases:
        cases["name_latin1"] = Path(os.fsdecode(os.fsencode(d) + b"/caf\xe9 latin1.jpg"))
    put("dir_named_jpg", "folder.jpg", lambda p: p.mkdir())
    # sizes
    put("bomb_30000", "bomb30000.png", lambda p: giant_png(p, 30000))
    put("strip_10x10000", "strip10.png", lambda p: Image.new("RGB", (10, 10000), (200, 150, 120)).save(p))
    put("strip_40x10000", "strip40.png", lambda p: Image.fromarray(
        cv2.resize(rgb, (40, 10000), interpolation=cv2.INTER_AREA)).save(p))
    put("strip_10000x40", "strip_wide.png", lambda p: Image.fromarray(
        cv2.resize(rgb, (10000, 40), interpolation=cv2.INTER_AREA)).save(p))
    # framing and capture
    s = np.asarray(small)
    hh, ww = s.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww]
    t = np.deg2rad(3.0)
    grid = 0.78 + 0.22 * np.cos(2 * np.pi * (xx * np.cos(t) + yy * np.sin(t)) / 2.7) \
        * np.cos(2 * np.pi * (-xx * np.sin(t) + yy * np.cos(t)) / 2.9)
    put("moire", "moire.jpg", lambda p: Image.fromarray(np.clip(s * grid[..., None], 0, 255).astype(np.uint8))
        .save(p, quality=92))
    put("face_at_edge", "edge.png", lambda p: Image.fromarray(s[:, int(ww * 0.45):]).save(p))
    put("face_at_edge_right", "edge_right.png", lambda p: Image.fromarray(s[:, :int(ww * 0.62)]).save(p))
    put("face_at_bottom", "edge_bottom.png", lambda p: Image.fromarray(s[: int(hh * 0.68)]).save(p))
    put("face_beyond_frame", "beyond.png", lambda p: Image.fromarray(
        s[int(hh * 0.22):int(hh * 0.74), int(ww * 0.25):int(ww * 0.75)]).save(p))
    return cases


# ------------------------------------------------------------------ running

def _short(text: str, n: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def run_case(path: Path, plain_jaw: float | None, good) -> dict:
    from facemetrics.analyze import analyze_photo
    from facemetrics.compare import compare_photos
    from facemetrics.errors import PhotoError
    from facemetrics.loader import load_photo
    row = {}
    try:
        ph = load_photo(path)
        warn = f" ({_short(' '.join(ph.warnings), 60)})" if ph.warnings else ""
        row["load"] = f"ok {ph.rgb.shape[1]}x{ph.rgb.shape[0]} {ph.format}{warn}"
    except PhotoError as exc:
        row["load"] = f"{exc.status}: {_short(str(exc), 80)}"
    except Exception as exc:  # noqa: BLE001 - the audit's point
        row["load"] = f"TRACEBACK {type(exc).__name__}: {_short(str(exc))}"
    try:
        a = analyze_photo(path)
        jaw = a.jaw.jaw_width_mm if a.status == "ok" and a.jaw else None
        d = f" jaw {jaw:.1f} mm (plain {plain_jaw:.1f})" if jaw is not None and plain_jaw else ""
        msg = a.error or " ".join(a.warnings)
        row["analyze"] = f"{a.status}{d}: {_short(msg, 90)}" if msg else f"{a.status}{d}"
    except Exception as exc:  # noqa: BLE001
        row["analyze"] = f"TRACEBACK {type(exc).__name__}: {_short(str(exc))}"
    for key, (b, c) in {"compare good->case": (good, path), "compare case->good": (path, good)}.items():
        try:
            cmp = compare_photos(b, c)
            row[key] = f"{cmp.status}: {_short(cmp.messages[0] if cmp.messages else '', 60)}"
        except Exception as exc:  # noqa: BLE001
            row[key] = f"TRACEBACK {type(exc).__name__}: {_short(str(exc))}"
    return row


def peak_load_mb(path: Path) -> tuple[str, float]:
    """``load_photo(path)`` in a fresh process: its outcome and peak resident memory, MB."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    code = ("import re,sys\nfrom facemetrics.loader import load_photo\nfrom facemetrics.errors import PhotoError\n"
            "try:\n load_photo(sys.argv[1]); r='ok'\nexcept PhotoError as e:\n r=e.status\n"
            "print(r, int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) / 1024)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        return f"TRACEBACK {_short(out.stderr.strip().splitlines()[-1])}", float("nan")
    status, mb = out.stdout.split()
    return status, float(mb)


def run_batch_cli(study: Path, out: Path) -> tuple[int, str, pd.DataFrame | None]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
    r = subprocess.run([sys.executable, "-m", "facemetrics", "batch", str(study), "-o", str(out), "--workers", "2"],
                       capture_output=True, text=True, env=env, errors="replace")
    photos = out / "photos.csv"
    return r.returncode, r.stderr, (pd.read_csv(photos, keep_default_na=False, dtype=str) if photos.exists() else None)


def batch_check(cases: dict[str, Path], work: Path) -> tuple[bool, list[str]]:
    """The batch of every case + the good pair against the batch of the good pair alone."""
    lines, ok = [], True
    good_dir = work / "good" / "S1" / "rf"
    all_dir = work / "all" / "S1" / "rf"
    for d in (good_dir, all_dir):
        d.mkdir(parents=True)
        (d / "treated_at.txt").write_text("2026-11-02T10:00\n")
        shutil.copy(BEFORE, d / "before.jpg")
        shutil.copy(AFTER, d / "after.jpg")
    for name, p in cases.items():
        src = os.fsencode(p)
        dst = os.fsencode(all_dir) + b"/" + os.path.basename(src)
        if os.path.isdir(src):
            os.mkdir(dst)
        elif name == "no_read_perm":
            shutil.copyfile(src, dst)
            os.chmod(dst, 0)
        else:
            shutil.copyfile(src, dst)
    os.symlink("loop_b.jpg", all_dir / "loop_a.jpg")
    os.symlink("loop_a.jpg", all_dir / "loop_b.jpg")
    rc_g, err_g, good = run_batch_cli(work / "good", work / "out_good")
    rc_a, err_a, every = run_batch_cli(work / "all", work / "out_all")
    lines.append(f"batch of the good pair: exit {rc_g}; batch of every case: exit {rc_a}")
    for rc, err in ((rc_g, err_g), (rc_a, err_a)):
        if "Traceback" in err or rc not in (0, 1):
            ok = False
            lines.append("  stderr: " + _short(err.strip()[-400:], 400))
    if good is None or every is None:
        return False, lines + ["  photos.csv missing"]
    from facemetrics.errors import legible
    # every file and link (looping ones included) is a row; a folder named x.jpg is a folder, searched
    names = {legible(e.name) for e in os.scandir(all_dir) if e.name != "treated_at.txt"
             and not e.is_dir(follow_symlinks=False)}
    lines.append(f"  photos.csv rows: {len(every)} for {len(names)} files in the folder (good alone: {len(good)})")
    missing = names - {Path(x).name for x in every["photo"]}
    if missing:
        ok = False
        lines.append("  MISSING rows: " + ", ".join(sorted(missing)))
    skip = {"facemetrics_version"}
    for name in ("S1/rf/before.jpg", "S1/rf/after.jpg"):
        g = good[good["photo"] == name]
        e = every[every["photo"] == name]
        if len(g) != 1 or len(e) != 1:
            ok = False
            lines.append(f"  {name}: {len(g)} row(s) alone, {len(e)} with the cases")
            continue
        cols = [c for c in good.columns if c not in skip]
        diff = [c for c in cols if c not in e.columns or g.iloc[0][c] != e.iloc[0][c]]
        lines.append(f"  {name}: {'identical' if not diff else 'DIFFERS in ' + ', '.join(diff)}")
        ok &= not diff
    statuses = every.set_index("photo")["status"]
    lines.append("  statuses: " + ", ".join(f"{k} {v}" for k, v in statuses.value_counts().items()))
    return ok, lines


def p3_measure(work: Path) -> list[str]:
    """The bundled before photo as sRGB and as Display P3 (same colours, other numbers): how much the rows
    of one photo move when the profile is ignored, against the comparison's noise floors."""
    from facemetrics.analyze import analyze_photo
    from facemetrics.compare import compare_photos
    im = Image.open(BEFORE).convert("RGB")
    p3, icc = to_p3(im)
    path = work / "before_p3.jpg"
    exif = Image.open(BEFORE).info.get("exif", b"")
    p3.save(path, quality=95, icc_profile=icc, exif=exif)
    srgb = work / "before_srgb.jpg"
    im.save(srgb, quality=95, exif=exif)
    a, b = analyze_photo(srgb), analyze_photo(path)
    diff = np.abs(np.asarray(p3, np.int16) - np.asarray(im, np.int16))
    lines = [f"Display P3 copy of {BEFORE.name} (profile ignored by the loader): mean |pixel change| "
             f"{diff.mean():.1f} levels, max {diff.max()} (per channel R/G/B means "
             f"{', '.join(f'{v:.1f}' for v in diff.reshape(-1, 3).mean(0))})"]
    ra, rb = a.to_row(), b.to_row()
    for col in ("status", "face_luminance", "colour_fraction", "nlf_depth_right", "nlf_depth_left", "nlf_contrast_right",
                "nlf_contrast_left", "jaw_width_mm", "mm_per_px", "fit_for_comparison", "quality_flags"):
        if col in ra:
            lines.append(f"  {col}: sRGB {ra[col]}  P3-as-sRGB {rb[col]}")
    cmp = compare_photos(srgb, path)
    moved = [(c.metric, c.side, c.change, c.noise_floor, c.verdict) for c in cmp.changes
             if c.verdict not in ("within_noise", "") and c.change == c.change]
    lines.append(f"  compare sRGB -> P3 copy: status {cmp.status}; rows beyond their floor: {len(moved)} of "
                 f"{len(cmp.changes)}" + (": " + "; ".join(f"{m} {s} {ch:+.3g} (floor {fl:.3g}, {v})"
                                                          for m, s, ch, fl, v in moved) if moved else ""))
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", type=Path, help="build the cases in this folder and keep it")
    ap.add_argument("--only", help="comma-separated case names (skips the batch and P3 parts)")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="audit_inputs2_"))
    try:
        cases = build(work / "cases")
        from facemetrics.analyze import analyze_photo
        plain = analyze_photo(cases["plain_png"])
        plain_jaw = plain.jaw.jaw_width_mm if plain.jaw else None
        only = set(args.only.split(",")) if args.only else None
        rows, failed = [], False
        for name, p in cases.items():
            if only and name not in only:
                continue
            if name == "no_read_perm" and os.geteuid() == 0:
                rows.append({"case": name, "load": "skipped: running as root (root reads any file)"})
                continue
            if name == "bomb_30000":
                status, mb = peak_load_mb(p)
                rows.append({"case": name, "load": f"{status} (peak {mb:.0f} MB, file {p.stat().st_size // 1024} KB)"})
            r = {"case": name, **run_case(p, plain_jaw, BEFORE)}
            rows.append(r)
            failed |= any("TRACEBACK" in str(v) for v in r.values())
            print(f"{name}: " + " | ".join(f"{k}: {v}" for k, v in r.items() if k != "case"), flush=True)
        print()
        print("| case | load_photo | analyze_photo | compare good->case | compare case->good |")
        print("|---|---|---|---|---|")
        for r in rows:
            print(f"| `{r['case']}` | {r.get('load', '')} | {r.get('analyze', '')} | {r.get('compare good->case', '')} "
                  f"| {r.get('compare case->good', '')} |")
        if not only:
            print()
            ok, lines = batch_check(cases, work / "batch")
            print("\n".join(lines))
            failed |= not ok
            print()
            print("\n".join(p3_measure(work)))
        print("\nFAIL" if failed else "\nno traceback; good batch rows identical")
        return 1 if failed else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
