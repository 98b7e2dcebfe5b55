"""Recognise decoder garbage in decoded photos: one module per check.

JPEG, WebP and HEIC hold no checksum of their compressed data. Bytes
*overwritten* inside it (a zeroed disk sector, a garbled transfer, one
flipped bit) keep every size and marker right; libwebp and libde265 then
report nothing, libjpeg often nothing, and the photo decodes to wrong
pixels. The loader asks these modules:

- :mod:`~facemetrics.integrity.pixels`: :func:`check_pixels`, the signatures such damage leaves
  in the decoded pixels, from the checks of
  :mod:`~facemetrics.integrity.colour` (colour garbage, every codec; colour specks, lossless WebP),
  :mod:`~facemetrics.integrity.drift` (JPEG DC drift and wrongly decoded MCUs),
  :mod:`~facemetrics.integrity.coefficients` (progressive JPEG: repeated DCT coefficients) and
  :mod:`~facemetrics.integrity.jpeg` (JPEG blocks coded beyond black or white, from the file's
  bytes: :func:`jpeg_dc_out_of_range`);
- :mod:`~facemetrics.integrity.webp`: a WebP decoder that finishes early (:func:`vp8_ends_early`,
  :func:`vp8l_ends_early`; :func:`webp_is_lossless`);
- :mod:`~facemetrics.integrity.hevc`: the HEVC decoder's own warnings on a HEIC (:func:`hevc_errors`,
  libde265 through :mod:`ctypes`; :func:`bundled_library`);
- :mod:`~facemetrics.integrity.heif`: the HEIF container's boxes: the coded images of the primary
  item (for :func:`hevc_errors`) and an impossible crop window (:func:`heif_crop_outside`);
- :mod:`~facemetrics.integrity.result`: :class:`PixelCheck`, the pixel and JPEG checks' result;
- :mod:`~facemetrics.integrity.container`: the file's structure before any pixel is decoded
  (:func:`container_damage`: a PNG's chunks and CRCs, a WebP's RIFF sizes, a HEIF/AVIF's boxes and crop,
  the strict JPEG pass; :func:`jpeg_truncated`: a JPEG's end marker and the least data its size needs),
  each the loader's ``unreadable`` message or "".

The public names are re-exported here (``from facemetrics.integrity import check_pixels``): each
module's ``__all__``, so a name is listed once, in the module that defines it. A re-exported constant is a copy: to change one (a test's monkeypatch), set it in the module that
defines it, e.g. ``facemetrics.integrity.colour.CHROMA_EDGE_SHARE``.

What still passes (mostly JPEG damage after which the Huffman decoder
resynchronised, and small lossless-WebP damage) is listed in
``docs/robustness.md``. The thresholds were chosen on fuzz seed 1 (the
clipped staircase and the repeated coefficients: also the CI fuzz set) and a
set of 1321 clean re-encoded real photos (``bench/bench_integrity.py``,
zero false alarms) and are reported on held-out seeds 0 and 2.
"""

from __future__ import annotations

# re-exports: each module's ``__all__`` (a static checker reads a star import's names from it)
from facemetrics.integrity.coefficients import *  # noqa: F401,F403
from facemetrics.integrity.colour import *  # noqa: F401,F403
from facemetrics.integrity.container import *  # noqa: F401,F403
from facemetrics.integrity.drift import *  # noqa: F401,F403
from facemetrics.integrity.heif import *  # noqa: F401,F403
from facemetrics.integrity.hevc import *  # noqa: F401,F403
from facemetrics.integrity.jpeg import *  # noqa: F401,F403
from facemetrics.integrity.pixels import *  # noqa: F401,F403
from facemetrics.integrity.result import *  # noqa: F401,F403
from facemetrics.integrity.webp import *  # noqa: F401,F403
from facemetrics.integrity import coefficients, colour, container, drift, heif, hevc, jpeg, pixels, result, webp

#: each module's ``__all__``, listed once, in the module that defines the names
__all__ = [name for module in (coefficients, colour, container, drift, heif, hevc, jpeg, pixels, result, webp)
           for name in module.__all__]
