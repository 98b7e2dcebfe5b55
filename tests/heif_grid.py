"""Write a *grid* HEIC (the layout phone cameras use: a ``grid`` item whose tiles are
separate HEVC images, usually 512 x 512) with the libheif that pillow_heif bundles,
through :mod:`ctypes` (``heif_context_encode_grid``, libheif >= 1.18; pillow_heif's own
``save`` writes a single coded image only).  For the tests of
:func:`facemetrics.integrity.hevc_errors` on tiled files.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np


class _Err(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("subcode", ctypes.c_int), ("message", ctypes.c_char_p)]


def _libheif():
    """pillow_heif's bundled libheif with the functions used here typed, or None."""
    from facemetrics.integrity import bundled_library

    path = bundled_library("heif")
    if path is None:
        return None
    lib = ctypes.CDLL(path)
    if not hasattr(lib, "heif_context_encode_grid"):
        return None
    vp = ctypes.c_void_p
    sig = {
        "heif_context_alloc": ([], vp),
        "heif_context_free": ([vp], None),
        "heif_context_get_encoder_for_format": ([vp, ctypes.c_int, ctypes.POINTER(vp)], _Err),
        "heif_encoder_set_lossy_quality": ([vp, ctypes.c_int], _Err),
        "heif_encoder_release": ([vp], None),
        "heif_image_create": ([ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.POINTER(vp)], _Err),
        "heif_image_add_plane": ([vp, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int], _Err),
        "heif_image_get_plane": ([vp, ctypes.c_int, ctypes.POINTER(ctypes.c_int)], ctypes.POINTER(ctypes.c_uint8)),
        "heif_image_release": ([vp], None),
        "heif_context_encode_grid": ([vp, ctypes.POINTER(vp), ctypes.c_uint16, ctypes.c_uint16, vp, vp,
                                      ctypes.POINTER(vp)], _Err),
        "heif_image_handle_release": ([vp], None),
        "heif_context_write_to_file": ([vp, ctypes.c_char_p], _Err),
    }
    for name, (args, res) in sig.items():
        f = getattr(lib, name)
        f.argtypes, f.restype = args, res
    return lib


def _check(err: _Err) -> None:
    if err.code:
        raise RuntimeError(f"libheif: {err.message.decode(errors='replace')}")


def write_grid_heic(rgb: np.ndarray, tile: int, path: Path, quality: int = 80) -> Path:
    """Encode ``rgb`` (shape (H, W, 3), uint8, H and W multiples of ``tile``; square grids only:
    libheif 1.23's grid writer swaps rows and columns) as a grid HEIC of ``tile`` px tiles."""
    lib = _libheif()
    if lib is None:
        raise RuntimeError("no libheif with heif_context_encode_grid")
    h, w = rgb.shape[:2]
    n = h // tile
    assert h == w == n * tile, "a square image of whole tiles"
    vp = ctypes.c_void_p
    ctx, enc, handle = lib.heif_context_alloc(), vp(), vp()
    tiles = (vp * (n * n))()
    try:
        _check(lib.heif_context_get_encoder_for_format(ctx, 1, ctypes.byref(enc)))  # heif_compression_HEVC
        _check(lib.heif_encoder_set_lossy_quality(enc, quality))
        for r in range(n):
            for c in range(n):
                img = vp()
                # heif_colorspace_RGB = 1, heif_chroma_interleaved_RGB = 10, heif_channel_interleaved = 10
                _check(lib.heif_image_create(tile, tile, 1, 10, ctypes.byref(img)))
                tiles[r * n + c] = img
                _check(lib.heif_image_add_plane(img, 10, tile, tile, 8))
                stride = ctypes.c_int()
                plane = lib.heif_image_get_plane(img, 10, ctypes.byref(stride))
                buf = np.ctypeslib.as_array(plane, shape=(tile * stride.value,)).reshape(tile, stride.value)
                buf[:, :tile * 3] = rgb[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile].reshape(tile, tile * 3)
        _check(lib.heif_context_encode_grid(ctx, tiles, n, n, enc, None, ctypes.byref(handle)))
        _check(lib.heif_context_write_to_file(ctx, str(path).encode()))
    finally:
        if handle:
            lib.heif_image_handle_release(handle)
        for img in tiles:
            if img:
                lib.heif_image_release(img)
        if enc:
            lib.heif_encoder_release(enc)
        lib.heif_context_free(ctx)
    return Path(path)


def available() -> bool:
    return _libheif() is not None
