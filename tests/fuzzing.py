"""Mutated photo files for the decode fuzz test (``tests/test_fuzz.py``) and
``bench/bench_fuzz.py``.

The clean photos are the bundled sample (``sample_images/astronaut_before.jpg``)
reduced to 320 x 400 px and re-encoded as baseline and progressive JPEG, PNG,
lossy and lossless WebP and HEIC. Each mutated file is one of these with one
kind of damage, drawn with a fixed seed:

``truncate``  the file cut at a random point (10-99 % of its length);
``zero``      64 B, 512 B or 4 KB (at most a quarter of the file) zeroed at a
              random offset past the first 64 bytes (a lost disk sector);
``delete``    16 B to a fifth of the file deleted (a lost range);
``burst``     8-256 random bytes overwritten (a garbled transfer);
``dup``       16-2048 bytes duplicated in place (a repeated range);
``bitflip``   one random bit flipped (memory/transfer error without a checksum).

"Visibly different" (:func:`visibly_different`) is defined against the
clean file's decode by the same loader: another size, or more than
``VISIBLE_FRACTION`` (0.1 %, about two 8 x 8 blocks of a 320 x 400 image) of
the pixels differing by more than ``VISIBLE_LEVELS`` (24) grey levels in some
channel.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_images" / "astronaut_before.jpg"

MUTATIONS = ("truncate", "zero", "delete", "burst", "dup", "bitflip")
#: a pixel differs visibly when some channel is more than this many levels off
VISIBLE_LEVELS = 24
#: a decode differs visibly when more than this fraction of its pixels do
VISIBLE_FRACTION = 0.001


def clean_files(size: tuple[int, int] = (320, 400), heic: bool = True) -> dict[str, bytes]:
    """``{kind: bytes}`` of the sample reduced to ``size`` (w, h) in every fuzzed format."""
    img = Image.open(SAMPLE).convert("RGB").resize(size, Image.LANCZOS)
    out = {}
    specs = [
        ("jpeg", "JPEG", dict(quality=90)),
        ("jpeg_progressive", "JPEG", dict(quality=90, progressive=True)),
        ("png", "PNG", {}),
        ("webp", "WEBP", dict(quality=85)),
        ("webp_lossless", "WEBP", dict(lossless=True)),
    ]
    if heic:
        import pillow_heif  # (Pillow saves HEIF only once the plugin is registered)

        pillow_heif.register_heif_opener()
        specs.append(("heic", "HEIF", dict(quality=85)))
    for kind, fmt, kw in specs:
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        out[kind] = buf.getvalue()
    return out


def mutate(data: bytes, how: str, rng: np.random.Generator) -> bytes:
    """One damaged copy of ``data`` (see the module docstring for ``how``)."""
    n = len(data)
    b = bytearray(data)
    if how == "truncate":
        return bytes(b[: int(n * rng.uniform(0.10, 0.99))])
    if how == "zero":
        k = min(int(rng.choice([64, 512, 4096])), n // 4)
        i = int(rng.integers(64, n - k))
        b[i:i + k] = bytes(k)
        return bytes(b)
    if how == "delete":
        k = int(rng.integers(16, max(17, n // 5)))
        i = int(rng.integers(64, n - k))
        return bytes(b[:i] + b[i + k:])
    if how == "burst":
        k = int(rng.integers(8, 257))
        i = int(rng.integers(64, n - k))
        b[i:i + k] = rng.integers(0, 256, k, dtype=np.uint8).tobytes()
        return bytes(b)
    if how == "dup":
        k = int(rng.integers(16, 2049))
        i = int(rng.integers(64, n - k))
        return bytes(b[:i + k] + b[i:i + k] + b[i + k:])
    if how == "bitflip":
        i = int(rng.integers(0, n))
        b[i] ^= 1 << int(rng.integers(0, 8))
        return bytes(b)
    raise ValueError(how)


def fuzz_set(n_per: int, seed: int = 0, heic: bool = True, mutations=MUTATIONS):
    """``[(kind, mutation, index, bytes)]``: ``n_per`` files per (format, mutation)."""
    rng = np.random.default_rng(seed)
    files = clean_files(heic=heic)
    out = []
    for kind, data in files.items():
        for how in mutations:
            for j in range(n_per):
                out.append((kind, how, j, mutate(data, how, rng)))
    return files, out


def visibly_different(rgb: np.ndarray, ref: np.ndarray) -> tuple[bool, float]:
    """``(visible, fraction)``: fraction of pixels more than ``VISIBLE_LEVELS`` off (1.0 when sizes differ)."""
    if rgb.shape != ref.shape:
        return True, 1.0
    diff = np.abs(rgb.astype(np.int16) - ref.astype(np.int16)).max(axis=2)
    frac = float((diff > VISIBLE_LEVELS).mean())
    return frac > VISIBLE_FRACTION, frac
