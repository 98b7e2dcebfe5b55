"""HEIC: the HEVC decoder's own warnings (libde265 through :mod:`ctypes`).

**HEVC warnings** (HEIC; :func:`hevc_errors`, on the file's bytes).
libheif does not pass on libde265's warnings; a desynchronised CABAC
decoder nearly always causes one (a missing end-of-substream bit, a coding
tree unit outside the picture). The primary image is decoded once more
with pillow_heif's bundled libde265 through :mod:`ctypes` to read them,
and a picture whose last coding blocks were never decoded is reported too.
"""

from __future__ import annotations

from facemetrics.integrity.heif import _hevc_items

__all__ = [
    "HEVC_DAMAGE_CODES",
    "HEVC_THREADS",
    "bundled_library",
    "hevc_errors",
]

#: libde265 warnings and errors that mean the coded slice data is inconsistent (its CABAC entropy
#: decoder lost its place): a coded parameter out of range, premature end of slice data / segment,
#: wrong entry points, a coding tree unit outside the picture, a missing end-of-substream bit,
#: invalid slice addresses, transform splits below the minimum, unspecified decoding errors
#: (de265.h); chosen on fuzz seed 1
#: (docs/robustness.md "HEIC: the HEVC decoder's warnings")
HEVC_DAMAGE_CODES = frozenset({4, 6, 8, 16, 17, 18, 1002, 1003, 1004, 1017, 1020, 1021, 1033, 1034})
#: threads decoding a grid's tiles for the HEVC check (the tiles are independent images)
HEVC_THREADS = 2
#: de265.h decoder parameters (enum de265_param)
_DE265_DISABLE_DEBLOCKING = 7
_DE265_DISABLE_SAO = 8

_de265 = None  # the ctypes handle of pillow_heif's bundled libde265 (False: not available)


def bundled_library(stem: str) -> str | None:
    """Path of a shared library that the pillow_heif wheel bundles (``stem`` e.g. ``"de265"``,
    ``"heif"``): ``pillow_heif.libs/lib<stem>*`` (Linux wheels), ``pillow_heif/.dylibs``
    (macOS) or ``pillow_heif.libs/<stem>*.dll`` (Windows); None when there is none."""
    import glob
    import os

    try:
        import pillow_heif
    except ImportError:
        return None
    site = os.path.dirname(os.path.dirname(os.path.abspath(pillow_heif.__file__)))
    cands = sorted(glob.glob(os.path.join(site, "pillow_heif.libs", f"lib{stem}*"))
                   + glob.glob(os.path.join(site, "pillow_heif", ".dylibs", f"lib{stem}*"))
                   + glob.glob(os.path.join(site, "pillow_heif.libs", f"{stem}*.dll")))
    return cands[0] if cands else None


def _libde265():
    """pillow_heif's bundled libde265 as a ctypes library with typed functions, or None."""
    global _de265
    if _de265 is None:
        _de265 = False
        try:
            import ctypes

            path = bundled_library("de265")
            if path is not None:
                lib = ctypes.CDLL(path)
                vp, ci = ctypes.c_void_p, ctypes.c_int
                lib.de265_new_decoder.restype = vp
                lib.de265_new_decoder.argtypes = []
                lib.de265_push_NAL.argtypes = [vp, ctypes.c_char_p, ci, ctypes.c_int64, vp]
                lib.de265_push_NAL.restype = ci
                lib.de265_flush_data.argtypes = [vp]
                lib.de265_decode.argtypes = [vp, ctypes.POINTER(ci)]
                lib.de265_decode.restype = ci
                lib.de265_get_next_picture.argtypes = [vp]
                lib.de265_get_next_picture.restype = vp
                lib.de265_get_warning.argtypes = [vp]
                lib.de265_get_warning.restype = ci
                lib.de265_get_error_text.argtypes = [ci]
                lib.de265_get_error_text.restype = ctypes.c_char_p
                lib.de265_free_decoder.argtypes = [vp]
                lib.de265_set_parameter_bool.argtypes = [vp, ci, ci]
                lib.de265_set_parameter_bool.restype = None
                lib.de265_get_image_plane.argtypes = [vp, ci, ctypes.POINTER(ci)]
                lib.de265_get_image_plane.restype = ctypes.POINTER(ctypes.c_uint8)
                for f in (lib.de265_get_image_width, lib.de265_get_image_height, lib.de265_get_bits_per_pixel):
                    f.argtypes = [vp, ci]
                    f.restype = ci
                lib.de265_get_chroma_format.argtypes = [vp]
                lib.de265_get_chroma_format.restype = ci
                lib.de265_free_decoder.restype = ci
                _de265 = lib
        except Exception:  # noqa: BLE001 - no usable library: the check is skipped
            _de265 = False
    return _de265 or None


#: a pseudo-code for :func:`_never_decoded_end` in the list of libde265 codes
_NEVER_DECODED = -1


def _never_decoded_end(lib, img) -> bool:
    """True when the bottom-right corner of a picture decoded by libde265 (without in-loop filters)
    holds Y = Cb = Cr = 0 exactly in every sample of its last 8 x 8 luma samples and their chroma:
    the decoder's initial buffer, i.e. the slice ended (its end flag decoded early from corrupt data)
    before the last coding tree units were decoded; libde265 reports nothing then. (No real
    picture has this colour: Y = 0 is below video black, Cb = Cr = 0 outside the RGB gamut.)"""
    import ctypes

    channels = (0,) if lib.de265_get_chroma_format(img) == 0 else (0, 1, 2)
    for c in channels:
        w, h = lib.de265_get_image_width(img, c), lib.de265_get_image_height(img, c)
        nbytes = (lib.de265_get_bits_per_pixel(img, c) + 7) // 8
        stride = ctypes.c_int(0)
        plane = lib.de265_get_image_plane(img, c, ctypes.byref(stride))
        n = 8 if c == 0 else 4
        if not plane or w < n or h < n or stride.value < w * nbytes:
            return False
        for y in range(h - n, h):
            row = ctypes.string_at(ctypes.addressof(plane.contents) + y * stride.value + (w - n) * nbytes,
                                   n * nbytes)
            if row.strip(b"\0"):
                return False
    return True


def _decode_item(lib, nals: list[bytes]) -> list[int] | None:
    """Decode one coded image's NAL units with a new libde265 decoder (in-loop filters off);
    the codes it reported (:data:`_NEVER_DECODED` for a picture whose end was never decoded),
    or None when no decoder could be made.  ctypes releases the GIL during each call, so
    several images decode in parallel threads."""
    import ctypes

    ctx = lib.de265_new_decoder()
    if not ctx:
        return None
    found: list[int] = []
    try:
        # the warnings come from parsing the slice data: skip the in-loop filters
        lib.de265_set_parameter_bool(ctx, _DE265_DISABLE_DEBLOCKING, 1)
        lib.de265_set_parameter_bool(ctx, _DE265_DISABLE_SAO, 1)
        for nal in nals:
            lib.de265_push_NAL(ctx, nal, len(nal), 0, None)
        lib.de265_flush_data(ctx)
        more = ctypes.c_int(1)
        for _ in range(1_000_000):
            err = lib.de265_decode(ctx, ctypes.byref(more))
            while True:
                img = lib.de265_get_next_picture(ctx)
                if not img:
                    break
                if _never_decoded_end(lib, img):
                    found.append(_NEVER_DECODED)
            if err not in (0, 13):  # 13: waiting for more input (the end)
                found.append(err)
                break
            if not more.value:
                break
        for _ in range(64):
            w = lib.de265_get_warning(ctx)
            if not w:
                break
            found.append(w)
    finally:
        lib.de265_free_decoder(ctx)
    return found


def hevc_errors(data: bytes) -> tuple[str, ...]:
    """What the HEVC decoder reports about a HEIC's coded image data (nothing when it is clean).

    libheif decodes a HEIC's HEVC images with libde265 but does not pass on
    libde265's warnings. Overwritten bytes desynchronise HEVC's CABAC
    entropy decoder: it then usually finishes a substream without its
    closing bit (``end_of_sub_stream_one_bit``), finds a coding tree unit
    outside the picture, or runs out of slice data, and warns, while libheif
    returns the concealed picture. This decodes the primary image (every
    tile of a grid) once more with the libde265 that pillow_heif bundles
    (through :mod:`ctypes`, NAL units from the file's ``hvcC`` and ``iloc``
    boxes) and returns the texts of the warnings and errors in
    :data:`HEVC_DAMAGE_CODES`. (On 243 clean HEICs of real photos none was
    reported; on the fuzz set it finds 94 of the 95 wrong HEIC decodes that
    the pixel check misses: ``docs/robustness.md``.)

    Parameters
    ----------
    data : bytes
        The whole HEIF file, already decoded by libheif without an error
        (so that its sizes passed libheif's security limits).

    Returns
    -------
    tuple of str
        The distinct messages, e.g. ``("end_of_sub_stream_one_bit not set
        to 1 when it should be",)``; ``()`` for a clean file, a file whose
        structure is not understood (e.g. no ``hvc1`` primary image: AVIF)
        or when libde265 cannot be loaded.

    Notes
    -----
    Cost: one more decode of the coded image, without the in-loop filters
    (deblocking, SAO), which do not change the warnings; a grid's tiles on
    :data:`HEVC_THREADS` threads.
    """
    lib = _libde265()
    if lib is None:
        return ()
    try:
        items = _hevc_items(data)
    except (IndexError, ValueError, KeyError, StopIteration):
        return ()
    if len(items) > 1 and HEVC_THREADS > 1:  # a phone's grid: its tiles decoded side by side
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(HEVC_THREADS, len(items))) as ex:
            results = list(ex.map(lambda nals: _decode_item(lib, nals), items))
    else:
        results = [_decode_item(lib, nals) for nals in items]
    if any(r is None for r in results):
        return ()
    found = [code for r in results for code in r]
    texts = []
    for code in found:
        if code == _NEVER_DECODED:
            t = "the picture's last coding blocks were never decoded"
        elif code in HEVC_DAMAGE_CODES:
            t = (lib.de265_get_error_text(code) or b"").decode("ascii", "replace")
        else:
            continue
        if t not in texts:
            texts.append(t)
    return tuple(texts)
