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
        "heif_encoding_options_alloc": ([], vp),
        "heif_encoding_options_free": ([vp], None),
        "heif_image_handle_get_item_id": ([vp], ctypes.c_uint32),
        "heif_context_add_exif_metadata": ([vp, vp, ctypes.c_char_p, ctypes.c_int], _Err),
        "heif_item_add_raw_property": ([vp, ctypes.c_uint32, ctypes.c_uint32, vp, ctypes.POINTER(ctypes.c_uint8),
                                        ctypes.c_size_t, ctypes.c_int, ctypes.POINTER(ctypes.c_uint32)], _Err),
    }
    for name, (args, res) in sig.items():
        f = getattr(lib, name)
        f.argtypes, f.restype = args, res
    return lib


def _check(err: _Err) -> None:
    if err.code:
        raise RuntimeError(f"libheif: {err.message.decode(errors='replace')}")


def write_grid_heic(rgb: np.ndarray, tile: int, path: Path, quality: int = 80, irot: int = 0,
                    exif_orientation: int | None = None) -> Path:
    """Encode ``rgb`` (shape (H, W, 3), uint8, H and W multiples of ``tile``; square grids only:
    libheif 1.23's grid writer swaps rows and columns) as a grid HEIC of ``tile`` px tiles.

    ``irot`` (0-3) adds an ``irot`` property to the grid item, as phones write a photo taken
    with the camera turned: ``rgb`` is stored as given and a decoder shows it turned ``irot``
    x 90 degrees anticlockwise (``np.rot90(rgb, irot)``; an iPhone portrait: 3). (libheif's
    ``image_orientation`` encoding option is no substitute: its grid writer applies it to
    every tile, not to the grid.) ``exif_orientation`` also stores an EXIF block with that
    Orientation tag, as iPhones do beside ``irot`` (HEIF readers must ignore it: the
    ``irot`` is the rotation)."""
    lib = _libheif()
    if lib is None:
        raise RuntimeError("no libheif with heif_context_encode_grid")
    h, w = rgb.shape[:2]
    n = h // tile
    assert h == w == n * tile, "a square image of whole tiles"
    vp = ctypes.c_void_p
    ctx, enc, handle = lib.heif_context_alloc(), vp(), vp()
    tiles = (vp * (n * n))()
    options = lib.heif_encoding_options_alloc()
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
        _check(lib.heif_context_encode_grid(ctx, tiles, n, n, enc, options, ctypes.byref(handle)))
        if irot:
            item = lib.heif_image_handle_get_item_id(handle)
            prop = ctypes.c_uint32()
            payload = (ctypes.c_uint8 * 1)(irot & 3)  # irot box: 6 reserved bits, a 2-bit angle
            _check(lib.heif_item_add_raw_property(ctx, item, int.from_bytes(b"irot", "big"), None, payload, 1,
                                                  1, ctypes.byref(prop)))
        if exif_orientation is not None:
            from PIL import Image

            exif = Image.Exif()
            exif[274] = exif_orientation
            tiff = exif.tobytes()[6:]  # (Pillow's block starts with "Exif\0\0"; libheif wants the TIFF header)
            _check(lib.heif_context_add_exif_metadata(ctx, handle, tiff, len(tiff)))
        _check(lib.heif_context_write_to_file(ctx, str(path).encode()))
    finally:
        if handle:
            lib.heif_image_handle_release(handle)
        for img in tiles:
            if img:
                lib.heif_image_release(img)
        if enc:
            lib.heif_encoder_release(enc)
        lib.heif_encoding_options_free(options)
        lib.heif_context_free(ctx)
    return Path(path)


def available() -> bool:
    return _libheif() is not None
