"""Decode fuzzing: 360 damaged JPEG/PNG/WebP/HEIC files (``tests/fuzzing.py``).

Every file must either be refused with :class:`PhotoError` (the documented
error type) or decode; no other exception. What the formats let us check is
checked: a damaged PNG (CRC-32 on every chunk), a truncated JPEG and a
file of any format with a range cut, removed or repeated (strict libjpeg,
RIFF sizes, ISO box sizes) are never read as a good photo. Bytes
*overwritten* inside JPEG/WebP/HEIC compressed data keep every size and
marker right; what libjpeg does not notice there is looked for in the
decoded pixels (``facemetrics/integrity/``: colour garbage, JPEG DC
drift; for JPEGs up to 1 MP also the blocks' coded means, which a drift
clipped to black takes out of range: ``jpeg_dc_out_of_range``), for lossy WebP in the decoder's behaviour (a desynchronised
VP8 decoder finishes without its last bytes: ``vp8_ends_early``) and for
HEIC in libde265's own warnings, which libheif does not pass on
(``hevc_errors``). That catches all HEIC and lossless-WebP garbage here,
most JPEG drift and nearly all of lossy WebP's smooth garbage:
the per-format ceilings below are
the counts measured on this fixed-seed set, so any regression fails; the
rates on 1800 files are in ``docs/robustness.md`` (``bench/bench_fuzz.py``,
``bench/bench_integrity.py``). The pixel check must never refuse a file
whose decode is unchanged.
"""

from __future__ import annotations

from collections import Counter

import pytest

from fuzzing import MUTATIONS, fuzz_set, visibly_different
import facemetrics.loader as loader
from facemetrics.errors import PhotoError
from facemetrics.integrity import VP8_TAIL_BYTES, VP8L_TAIL_BYTES
from facemetrics.loader import load_photo

N_PER = 10  # files per (format, damage): 6 formats x 6 damages x 10 = 360


#: the whole fuzz set must decode within this many seconds (a hang fails instead of blocking)
HANG_LIMIT_S = 120


def _hang(signum, frame):  # noqa: ARG001 - signal handler signature
    raise TimeoutError(f"decoding the fuzz set took more than {HANG_LIMIT_S} s: a decoder hangs")


@pytest.fixture(scope="module")
def outcomes():
    import signal

    files, cases = fuzz_set(N_PER, seed=0)
    refs = {k: load_photo(d, name=k).rgb for k, d in files.items()}
    out = []
    old = signal.signal(signal.SIGALRM, _hang) if hasattr(signal, "SIGALRM") else None
    if old is not None:
        signal.alarm(HANG_LIMIT_S)
    try:
        _decode_all(cases, refs, out)
    finally:
        if old is not None:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    return out


#: the starts of the refusals by the checks that look past the decoder's own errors
_CHECK_MESSAGES = ("the decoded pixels look damaged", "the decoder finished the picture without the last")


def _decode_all(cases, refs, out) -> None:
    for kind, how, j, data in cases:
        try:
            rgb = load_photo(data, name=f"{kind}-{how}-{j}.x").rgb
        except PhotoError as exc:
            if any(m in str(exc) for m in _CHECK_MESSAGES):
                # refused by the pixel check or the WebP early-end check: was the decode really
                # wrong? (decode it without either, nor the HEVC-warning check)
                saved = loader._refuse_garbage, loader._refuse_vp8_early_end, loader._refuse_hevc_errors
                loader._refuse_garbage = loader._refuse_vp8_early_end = lambda *a, **k: None
                loader._refuse_hevc_errors = lambda *a, **k: None
                try:
                    seen = load_photo(data, name="x").rgb
                finally:
                    loader._refuse_garbage, loader._refuse_vp8_early_end, loader._refuse_hevc_errors = saved
                visible, frac = visibly_different(seen, refs[kind])
                out.append((kind, how, "refused_pixels" if visible else "refused_pixels_SAME", str(exc)))
                continue
            out.append((kind, how, "refused", str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            out.append((kind, how, "exception", f"{type(exc).__name__}: {exc}"))
            continue
        visible, frac = visibly_different(rgb, refs[kind])
        out.append((kind, how, "wrong" if visible else "same", f"{frac:.2%}"))


def test_fuzz_set_size(outcomes):
    assert len(outcomes) == 6 * len(MUTATIONS) * N_PER
    assert {k for k, *_ in outcomes} == {"jpeg", "jpeg_progressive", "png", "webp", "webp_lossless", "heic"}


def test_only_the_documented_error_type(outcomes):
    bad = [o for o in outcomes if o[2] == "exception"]
    assert not bad, bad


def test_refusals_are_one_line_sentences_naming_the_file(outcomes):
    for kind, how, res, msg in outcomes:
        if res.startswith("refused"):
            assert "\n" not in msg and msg.startswith(f"{kind}-{how}-"), msg


def test_damaged_png_is_never_read_as_good(outcomes):
    png = [o for o in outcomes if o[0] == "png"]
    assert all(o[2].startswith("refused") for o in png), [o for o in png if o[2] != "refused"]


def test_truncated_jpeg_is_never_read_as_good(outcomes):
    cases = [o for o in outcomes if o[0].startswith("jpeg") and o[1] == "truncate"]
    assert len(cases) == 2 * N_PER
    assert all(o[2].startswith("refused") for o in cases), cases


@pytest.mark.parametrize("how", ["truncate", "delete", "dup"])
def test_webp_heic_with_lost_or_repeated_data_is_never_read_as_good(outcomes, how):
    """A WebP's RIFF/chunk sizes and a HEIC's top-level boxes must tile the file: a cut,
    removed or repeated range is refused."""
    cases = [o for o in outcomes if (o[0].startswith("webp") or o[0] == "heic") and o[1] == how]
    assert len(cases) == 3 * N_PER
    assert all(o[2].startswith("refused") for o in cases), cases


@pytest.mark.parametrize("how", ["truncate", "delete", "dup"])
def test_no_visibly_wrong_decode_of_cut_lost_or_repeated_data(outcomes, how):
    """In every format: a file cut short, with a range removed or repeated, is never read as a good
    photo with visibly wrong pixels (the old loader read 2/3 of these as good)."""
    cases = [o for o in outcomes if o[1] == how]
    assert len(cases) == 6 * N_PER
    wrong = [o for o in cases if o[2] == "wrong"]
    assert not wrong, wrong


#: visibly wrong decodes read as good, of the 3 x N_PER files with overwritten bytes (zeroed range,
#: random-byte burst, one flipped bit) per format, on this fixed-seed set (the loader of issue 9
#: before the pixel check: jpeg 7, jpeg_progressive 1, webp 14, webp_lossless 27, heic 30; with the
#: pixel check, before the WebP early-end check: webp 14; before the HEVC-warning check: heic 9;
#: before the lossless-WebP speck rule: webp_lossless 2; before the clipped-run drift rule: jpeg 2; before the
#: clipped-staircase drift rule: jpeg 1; before the progressive repeated-coefficient rule: jpeg_progressive 1).
#: Held-out sets still have some (JPEG damage that resynchronises: docs/robustness.md).
MAX_WRONG_READ_AS_GOOD = {"jpeg": 0, "jpeg_progressive": 0, "png": 0, "webp": 0, "webp_lossless": 0, "heic": 0}


@pytest.mark.parametrize("kind", list(MAX_WRONG_READ_AS_GOOD))
def test_overwritten_data_read_as_good_at_most(outcomes, kind):
    cases = [o for o in outcomes if o[0] == kind and o[1] in ("zero", "burst", "bitflip")]
    assert len(cases) == 3 * N_PER
    wrong = [o for o in cases if o[2] == "wrong"]
    assert len(wrong) <= MAX_WRONG_READ_AS_GOOD[kind], wrong


def test_pixel_check_finds_heic_and_lossless_webp_garbage(outcomes):
    """libwebp and libheif report nothing for these: every refusal of an overwritten HEIC or lossless
    WebP by the pixel check says colour garbage and the row where it starts (the HEIC files it lets
    through are refused with libde265's warnings, see below; a lossless WebP whose decoder finished
    early is refused before its pixels are looked at, see the next test)."""
    cases = [o for o in outcomes if o[0] in ("heic", "webp_lossless") and o[1] in ("zero", "burst", "bitflip")]
    by_pixels = [o for o in cases if o[2] == "refused_pixels"]
    # measured: 48 of 60 (46 before the speck rule; with the lossless early-end check: 21 + 11 garbage, 16 early)
    assert len(by_pixels) >= 46, Counter(o[2] for o in cases)
    garbage = [o for o in by_pixels if "the decoder finished the picture" not in o[3]]
    assert len(garbage) >= 30 and all("colour garbage" in o[3] and " from row " in o[3] for o in garbage), garbage


def test_early_end_check_finds_lossless_webp_garbage(outcomes):
    """A lossless WebP whose decoder finished before the end of its data (overwritten bytes: it decoded
    other pixels than were coded) is refused with a sentence saying so (measured: 16 of 30 overwritten
    files of this set, every one visibly wrong; clean lossless WebPs need every byte of their data)."""
    cases = [o for o in outcomes if o[0] == "webp_lossless" and o[1] in ("zero", "burst", "bitflip")]
    early = [o for o in cases if "the decoder finished the picture" in o[3]]
    assert len(early) >= 12, Counter(o[2] for o in cases)
    assert all(o[2] == "refused_pixels" and f"without the last {VP8L_TAIL_BYTES} bytes" in o[3] for o in early), early


def test_pixel_check_never_refuses_an_unchanged_decode(outcomes):
    """Zero false alarms: a file refused by the pixel check decodes visibly wrong without it."""
    same = [o for o in outcomes if o[2] == "refused_pixels_SAME"]
    assert not same, same
    # measured: 71 (69 before the clipped-staircase and repeated-coefficient rules, 68 before the clipped run)
    assert sum(o[2] == "refused_pixels" for o in outcomes) >= 64


def test_progressive_jpeg_repeated_coefficients_are_refused(outcomes):
    """A zeroed range in a progressive JPEG's AC scan writes the same coefficients into a run of
    neighbouring blocks (a fine pattern repeated along a block row, 0.15 % of the pixels visibly
    off); libjpeg reports nothing. The repeated-coefficient rule refuses it, saying so (measured:
    the 1 such file of this set; none read as good)."""
    cases = [o for o in outcomes if o[0] == "jpeg_progressive" and o[1] in ("zero", "burst", "bitflip")]
    by_pixels = [o for o in cases if o[2] == "refused_pixels"]
    assert by_pixels and all("the same DCT coefficients repeated in " in o[3] for o in by_pixels), by_pixels
    assert not [o for o in cases if o[2] == "wrong"]


def test_early_end_check_finds_lossy_webp_garbage(outcomes):
    """libwebp reports nothing when its entropy decoder desynchronises and finishes early: every
    overwritten lossy WebP it decodes is refused by the early-end check (measured: 14 of the 14
    it decodes, all visibly wrong), with a sentence saying so."""
    cases = [o for o in outcomes if o[0] == "webp" and o[1] in ("zero", "burst", "bitflip")]
    early = [o for o in cases if o[2] == "refused_pixels"]
    assert len(early) >= 12, Counter(o[2] for o in cases)
    assert all(f"the decoder finished the picture without the last {VP8_TAIL_BYTES} bytes" in o[3] for o in early), early


def test_hevc_warnings_find_the_heic_garbage_the_pixels_do_not_show(outcomes):
    """libheif reports nothing, libde265 warns (end_of_sub_stream_one_bit not set, a coding tree unit
    outside the picture): every overwritten HEIC the pixel check lets through is refused with the
    decoder's warning (measured on this set: the 9 the pixel check misses; 0 read as good)."""
    cases = [o for o in outcomes if o[0] == "heic" and o[1] in ("zero", "burst", "bitflip")]
    by_hevc = [o for o in cases if "the HEVC decoder reported: " in o[3]]
    assert len(by_hevc) >= 8, Counter(o[2] for o in cases)
    assert all(o[2] == "refused" and "corrupt HEIF data" in o[3] for o in by_hevc), by_hevc
    assert not [o for o in cases if o[2] == "wrong"]


def test_jpeg_with_lost_or_repeated_data_nearly_always_refused(outcomes):
    """Deleted or duplicated ranges shift the entropy-coded data: libjpeg warns (premature end,
    extraneous bytes, bad Huffman code) nearly always; in rare cases the decoder resynchronises
    and ends exactly at the end-of-image marker (bench/bench_fuzz.py: 149/150 and 150/150 of
    these were refused; the old loader refused none)."""
    cases = [o for o in outcomes if o[0].startswith("jpeg") and o[1] in ("delete", "dup")]
    tally = Counter(o[2].startswith("refused") for o in cases)
    assert tally[True] >= 0.9 * len(cases), tally


def test_jpeg_overwritten_data_mostly_refused(outcomes):
    """Zeroed/overwritten bytes keep the JPEG's structure: libjpeg notices most, the DC-drift and
    colour checks most of the rest (the old, non-strict loader read all of these as good photos)."""
    cases = [o for o in outcomes if o[0].startswith("jpeg") and o[1] in ("zero", "burst")]
    tally = Counter(o[2] for o in cases)
    assert tally["refused"] + tally["refused_pixels"] >= 0.85 * len(cases), tally
    assert tally["refused_pixels"] >= 3, tally
