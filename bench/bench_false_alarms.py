"""False refusals of good photos: edited, re-encoded real photos through ``load_photo``.

The damage checks of ``facemetrics/integrity/`` (colour garbage, JPEG DC
drift, wrong MCUs, blocks coded out of range, the WebP early ends) must never
refuse an undamaged photo. The clean set of ``bench_integrity.py`` re-encodes
real photos as they are; this script also edits them the way people do before
a photo reaches facemetrics, then encodes each with one of many JPEG encoders
and settings, and counts, per kind of edit, the files refused and by which
check. An audit on 2026-12-02 (docs/robustness.md "JPEG: in-range DC drift
(tried, not shipped)") found false refusals this way that the clean set had
not shown; this is that audit's generator, kept so that every change to the
checks can be measured against it.

Edits (all of a photo resized to 0.3-1 MP, the size range where every JPEG
check runs): none, mirrored, rotated 90 / 180 degrees, a brightness or tint
change from an MCU row down (``band``, ``tintband``), a vignette, horizontal
blinds (period 8-48 px, random phase), a video-call toolbar, a semi-transparent
caption banner with text, letterbox bars of a random colour, the photo pasted
small on a flat background, darker / brighter tone curves, black and white,
sepia, strong noise (sigma 25), limited-range video levels, saturation x 2.5,
a strong vertical brightness ramp (``hdrgrad``), 16-px stripes on the grid,
and a gentle blue ramp (x 0.95 to x 1.05, top to bottom); with ``--caption-colours``
also ``caption_colour``, a before/after caption ("Day 1", "After", ...) of one
of 10 colours at 14-48 px, on a dark or light semi-transparent banner, a flat
banner or the photo itself (drawn from its own random stream, so every other
edit's files stay the same). Encoders: Pillow
(quality, optimised progressive, 4:2:2, 4:4:4, web tables, grayscale), OpenCV
(optimised, progressive, 4:2:2, 4:4:4, restart intervals, grayscale) and
simplejpeg (4:2:0, 4:2:2 fast DCT, 4:4:4, 4:4:0, 4:1:1, grayscale).

    python bench/bench_false_alarms.py [--photos 40] [--seed 0] [--save-dir DIR]
        [--caption-colours] [--only EDIT ...]

Needs ``/work/shared/faces`` (or ``../shared/faces`` beside the project).
Prints a table: edit, files, refused, and the refusals per check.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import simplejpeg
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facemetrics.errors import PhotoError  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402

FACES = next((p for p in (ROOT.parent / "shared" / "faces", Path("/work/shared/faces")) if p.is_dir()), None)

#: what each check's refusal says (the first match names the check)
CHECKS = (("colour garbage", "colour garbage"), ("shifted by a", "pixel drift"), ("along the 16", "pixel drift"),
          ("wrongly decoded", "wrong MCUs"), ("beyond black", "DC out of range"),
          ("same DCT coefficients", "repeated coefficients"), ("finished the picture", "early end"))


def _pillow(**kw):
    gray = kw.pop("gray", False)

    def enc(x):
        buf = io.BytesIO()
        (Image.fromarray(x).convert("L") if gray else Image.fromarray(x)).save(buf, "JPEG", **kw)
        return buf.getvalue()
    return enc


def _opencv(q, samp=None, gray=False, **flags):
    def enc(x):
        p = [cv2.IMWRITE_JPEG_QUALITY, q]
        for k, v in flags.items():
            p += [getattr(cv2, f"IMWRITE_JPEG_{k.upper()}"), v]
        if samp is not None:
            p += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, samp]
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) if gray else x[:, :, ::-1], p)
        return buf.tobytes()
    return enc


def _sj(q, sub="420", fast=False):
    return lambda x: simplejpeg.encode_jpeg(np.ascontiguousarray(x), quality=q, colorsubsampling=sub, fastdct=fast)


def encoders(q: int) -> dict:
    """The encoders and settings, at quality `q` where they take one."""
    s422, s444 = cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444
    return {
        f"pil_q{q}": _pillow(quality=q), f"pil_q{q}_opt_prog": _pillow(quality=q, optimize=True, progressive=True),
        f"pil_q{q}_422": _pillow(quality=q, subsampling=1), f"pil_q{q}_444": _pillow(quality=q, subsampling=0),
        "pil_web_low": _pillow(qtables="web_low"), "pil_web_high_444": _pillow(qtables="web_high", subsampling=0),
        f"pil_gray_q{q}": _pillow(quality=q, gray=True), "pil_q100": _pillow(quality=100),
        f"cv_q{q}": _opencv(q), f"cv_q{q}_opt": _opencv(q, optimize=1), f"cv_q{q}_prog": _opencv(q, progressive=1),
        f"cv_q{q}_422": _opencv(q, s422), f"cv_q{q}_444_prog": _opencv(q, s444, progressive=1),
        f"cv_q{q}_rst1": _opencv(q, rst_interval=1), f"cv_q{q}_rst7": _opencv(q, rst_interval=7),
        f"cv_q{q}_gray": _opencv(q, gray=True), f"sj_q{q}_420": _sj(q), f"sj_q{q}_422_fast": _sj(q, "422", True),
        f"sj_q{q}_444": _sj(q, "444"), f"sj_q{q}_440": _sj(q, "440"), f"sj_q{q}_411": _sj(q, "411"),
        f"sj_q{q}_gray": _sj(q, "Gray"),
    }


def edits(x: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``{edit: float or uint8 (H', W', 3) picture}`` of the ``(H, W, 3)`` uint8 photo `x`."""
    h, w = x.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    e = {"none": x, "mirror": x[:, ::-1], "rot90": np.rot90(x), "rot180": x[::-1, ::-1]}
    y0 = int(rng.integers(2, max(3, h // 16 - 2))) * 16
    g = x.astype(np.float32)
    g[y0:] *= rng.uniform(0.6, 1.4)
    e["band"] = g
    g = x.astype(np.float32)
    g[y0:, :, 2] += rng.uniform(-40, 40)
    g[y0:, :, 0] += rng.uniform(-30, 30)
    e["tintband"] = g
    rr = (yy - h / 2) ** 2 / (h / 2) ** 2 + (xx - w / 2) ** 2 / (w / 2) ** 2
    e["vignette"] = x * (1 - 0.6 * np.clip(rr, 0, 1.5))[..., None]
    per = int(rng.choice([8, 16, 32, 48]))
    e["blinds"] = x * (0.65 + 0.35 * (((yy + int(rng.integers(0, per))) // (per // 2)) % 2))[..., None]
    g = x.copy()
    bh = int(rng.choice([32, 48, 64]))
    top = max(0, h - h % 16 - bh)
    g[top:] = (30, 30, 35)
    im = Image.fromarray(g)
    draw = ImageDraw.Draw(im)
    for k in range(6):
        draw.ellipse([20 + 60 * k, top + 8, 52 + 60 * k, top + 40], fill=(200, 60, 60) if k == 3 else (220, 220, 220))
    draw.text((w // 2, top + bh // 2), "Meeting 10:32  Mute  Video  Share", fill=(255, 255, 255))
    e["toolbar"] = np.asarray(im)
    g = x.astype(np.float32)
    g[y0:y0 + 64] = g[y0:y0 + 64] * 0.4 + 20
    im = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8))
    ImageDraw.Draw(im).text((16, y0 + 24), "BREAKING NEWS  caption text banner", fill=(255, 255, 0))
    e["caption_banner"] = np.asarray(im)
    col = tuple(int(c) for c in rng.integers(0, 256, 3))
    lb = int(rng.choice([16, 24, 32, 40, 48, 64]))
    g = x.copy()
    g[:lb] = col
    g[h - lb:] = col
    e["letterbox"] = g
    bg = np.empty_like(x)
    bg[:] = col
    oy, ox = int(rng.integers(0, max(1, h // 32))) * 16, int(rng.integers(0, max(1, w // 32))) * 16
    bg[oy:oy + h // 2, ox:ox + w // 2] = cv2.resize(x, (w // 2, h // 2))
    e["pasted"] = bg
    e["dark"], e["bright"] = 255 * (x / 255.0) ** 2.8, 255 * (x / 255.0) ** 0.3
    m = x.mean(axis=2, keepdims=True)
    e["bw"] = np.repeat(m, 3, axis=2)
    e["sepia"] = np.concatenate([m * 1.07, m * 0.74, m * 0.43], axis=2) + 20
    e["noise25"] = x + rng.normal(0, 25, x.shape)
    e["limited_range"] = 16 + x * (219 / 255.0)
    hsv = cv2.cvtColor(x, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 1] = np.clip(hsv[..., 1] * 2.5, 0, 255)
    e["saturated"] = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    e["hdr_ramp"] = x * np.linspace(0.2, 1.6, h)[:, None, None]
    e["stripes16"] = np.where((yy // 16 % 2 == 0)[..., None], x, x * 0.8)
    g = x.astype(np.float32)
    g[..., 2] *= np.linspace(0.95, 1.05, h)[:, None]
    e["blue_ramp5"] = g
    return e


#: text colours of the ``caption_colour`` edit (yellow, red, green, cyan, magenta, orange, white, blue,
#: pink, black)
CAPTION_COLOURS = ((255, 255, 0), (255, 0, 0), (0, 200, 0), (0, 255, 255), (255, 0, 255), (255, 140, 0),
                   (255, 255, 255), (40, 60, 255), (255, 105, 180), (0, 0, 0))
CAPTION_TEXTS = ("Day 1", "After", "Before", "Week 12", "Day 30 - after", "3 months")


def caption_colour(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ``(H, W, 3)`` uint8 photo `x` with a before/after caption: text of a colour from
    :data:`CAPTION_COLOURS`, 14-48 px (Pillow's default FreeType font, anti-aliased), at a random place,
    on a semi-transparent dark or light banner, a flat banner of a random colour, or on the photo itself."""
    h, w = x.shape[:2]
    size = int(rng.integers(14, 49))
    col = CAPTION_COLOURS[int(rng.integers(len(CAPTION_COLOURS)))]
    text = CAPTION_TEXTS[int(rng.integers(len(CAPTION_TEXTS)))]
    y0 = int(rng.integers(0, max(1, h - 2 * size)))
    x0 = int(rng.integers(0, max(1, w // 2)))
    g = x.astype(np.float32)
    banner = int(rng.integers(4))  # 0 dark, 1 light (semi-transparent), 2 flat colour, 3 none
    rows = slice(y0, min(h, y0 + 2 * size))
    if banner == 0:
        g[rows] = g[rows] * 0.4 + 20
    elif banner == 1:
        g[rows] = g[rows] * 0.4 + 150
    elif banner == 2:
        g[rows] = rng.integers(0, 256, 3)
    im = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8))
    ImageDraw.Draw(im).text((x0, y0 + size // 2), text, fill=col, font=ImageFont.load_default(size=size))
    return np.asarray(im)


def _photos(n: int, rng: np.random.Generator):
    paths = sorted(FACES.glob("*/*.jpg"))
    for i in rng.choice(len(paths), size=min(n, len(paths)), replace=False):
        im = np.asarray(Image.open(paths[i]).convert("RGB"))
        scale = (float(rng.uniform(0.3, 1.0)) * 1e6 / (im.shape[0] * im.shape[1])) ** 0.5
        size = (max(16, int(im.shape[1] * scale)), max(16, int(im.shape[0] * scale)))
        yield paths[i].name, cv2.resize(im, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=40, help="real photos drawn (each: every edit, 2 encoders)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-dir", type=Path, help="write every refused file here")
    ap.add_argument("--caption-colours", action="store_true",
                    help="also the edit caption_colour (before/after captions of 10 colours and 14-48 px on "
                         "banners or the photo; its own random stream, so the other edits' files are unchanged)")
    ap.add_argument("--only", nargs="+", metavar="EDIT", help="encode and read only these edits (the others' "
                                                                "random draws are still made: the same files)")
    args = ap.parse_args()
    if FACES is None:
        print("../shared/faces not present: nothing to measure")
        return
    rng = np.random.default_rng(args.seed)
    crng = np.random.default_rng([args.seed, 1])  # caption_colour's own stream
    files, refused, by_check = Counter(), Counter(), Counter()
    t0 = time.perf_counter()
    for name, x in _photos(args.photos, rng):
        encs = encoders(int(rng.integers(30, 101)))
        todo = [(edit, px, rng) for edit, px in edits(x, rng).items()]
        if args.caption_colours:
            todo.append(("caption_colour", caption_colour(x, crng), crng))
        for edit, px, r in todo:
            px = np.ascontiguousarray(np.clip(np.rint(px), 0, 255).astype(np.uint8))
            for enc in r.choice(list(encs), 2, replace=False):
                if args.only and edit not in args.only:
                    continue
                data = encs[enc](px)
                files[edit] += 1
                try:
                    load_photo(data, name=f"{name}|{edit}|{enc}.jpg")
                except PhotoError as exc:
                    if exc.status != "unreadable":
                        continue
                    refused[edit] += 1
                    check = next((c for key, c in CHECKS if key in str(exc)), "other")
                    by_check[edit, check] += 1
                    if args.save_dir is not None:
                        args.save_dir.mkdir(parents=True, exist_ok=True)
                        (args.save_dir / f"{name}_{edit}_{enc}.jpg").write_bytes(data)
    checks = sorted({c for _, c in by_check})
    print(f"{sum(files.values())} edited good photos ({args.photos} photos, seed {args.seed}), "
          f"{time.perf_counter() - t0:.0f} s: refused as damaged (every refusal is a false alarm)")
    print(f"{'edit':16s} {'files':>6s} {'refused':>8s} " + " ".join(f"{c:>14s}" for c in checks))
    for edit in files:
        print(f"{edit:16s} {files[edit]:6d} {refused[edit]:8d} " + " ".join(f"{by_check[edit, c]:14d}" for c in checks))
    print(f"{'all':16s} {sum(files.values()):6d} {sum(refused.values()):8d} "
          + " ".join(f"{sum(v for (e, c), v in by_check.items() if c == k):14d}" for k in checks))


if __name__ == "__main__":
    main()
