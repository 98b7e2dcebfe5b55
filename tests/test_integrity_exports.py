"""The integrity package's public names (2026-12-05, h7): ``facemetrics/integrity/__init__.py`` re-exports each
check module's ``__all__`` (the names are listed once, in the module that defines them; the package's own list
repeated them until then)."""

from __future__ import annotations

import importlib
import pkgutil

import facemetrics.integrity as integrity

#: the names the package exported as a written list before h7 (45), so that building the list cannot drop one
WRITTEN_BEFORE = {
    "CHROMA_EDGE_LINE", "CHROMA_EDGE_LUMA_CORR", "CHROMA_EDGE_SHARE", "CHROMA_NOISE_BLOCKS", "CHROMA_NOISE_FRACTION",
    "CHROMA_NOISE_LEVELS", "CLIP_RUN_AGREE", "CLIP_RUN_EXPLAINED", "CLIP_RUN_MIN_AGREE", "DC_RANGE_BLOCKS",
    "DC_RANGE_LEVELS", "DRIFT_LEVELS", "HEVC_DAMAGE_CODES", "HEVC_THREADS", "JOINT_WRONG_MCU", "NOISY_PICTURE_FRACTION",
    "SPECK_BLOCKS", "SPECK_FRACTION", "SPECK_LEVELS", "SPECK_QUIET_LEVELS", "REPEAT_COEFF_LEVEL", "REPEAT_COEFF_TOL",
    "REPEAT_RUN", "REPEAT_SHARED", "PixelCheck", "VP8_TAIL_BYTES", "VP8L_TAIL_BYTES", "WRONG_MCU_LEVELS",
    "WRONG_MCU_RUN", "bundled_library", "check_pixels", "container_damage", "heif_crop_outside", "hevc_errors",
    "isobmff_damage", "jpeg_dc_out_of_range", "jpeg_has_eoi", "jpeg_scan_start", "jpeg_strict_damage",
    "jpeg_truncated", "png_damage", "riff_damage", "webp_is_lossless", "vp8_ends_early", "vp8l_ends_early",
}


def test_every_check_module_s_public_names_are_the_package_s_once():
    modules = [importlib.import_module(f"facemetrics.integrity.{m.name}")
               for m in pkgutil.iter_modules(integrity.__path__)]
    names = [n for m in modules for n in getattr(m, "__all__", ())]
    assert len(names) == len(set(names))  # no name public in two modules
    assert sorted(integrity.__all__) == sorted(names)
    # added since: the one JPEG marker walker and the precision read from it (stop 46, the loader's copy removed);
    # the PNG and JPEG capacity checks said before a size refusal (stop 66)
    assert set(integrity.__all__) == WRITTEN_BEFORE | {"jpeg_segments", "jpeg_precision", "too_little_data"}
    for m in modules:
        for n in getattr(m, "__all__", ()):
            assert getattr(integrity, n) is getattr(m, n), n  # the same object, from the module that defines it
