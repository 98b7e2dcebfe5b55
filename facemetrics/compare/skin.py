"""The gate's skin checks on the fold rows: skin smoothed by a beauty filter (:func:`smoothed_skin`), local tone
mapping (:func:`tone_mapping_ratio`), sharpening and what changed the fine contrast (:func:`fold_cause`,
:func:`fine_contrast_messages`), with the per-photo readings kept for a photo compared again.  Moved unchanged
from :mod:`facemetrics.compare.gate`, which re-exports the names cited as ``gate.X``.
"""

from __future__ import annotations

import numpy as np

from ..analyze import PhotoAnalysis
from ..quality import local_contrast, read_grid_mm, skin_edges, skin_shading, skin_texture
from ..rounding import fixed
from .measure import _kept, eyes_covered
from .iris_scale import irises_hidden


#: skin texture ratio (:func:`smoothed_skin`: the smoother photo's :func:`facemetrics.quality.skin_texture`
#: over the other's) below this -> the fold rows of both sides read ``uncertain`` (:func:`weak_fold_rows`): a
#: beauty filter's edge-preserving smoothing flattens the fold, and the fold length's threshold crossing
#: and the depth then move (a photo against its own smoothed copy read ``nlf_length_mm`` -6 mm, 'shorter').
#: Chosen on the London neutral faces smoothed by bilateral and edge-preserving filters (docs/compare.md
#: "Smoothed skin: the fold rows", ``bench/bench_beauty_filter.py``)
MIN_SKIN_TEXTURE_RATIO = 0.71
#: how the message of :func:`weak_fold_messages` begins
MSG_SMOOTHED = "the skin looks smoothed in one photo"


#: local contrast ratio (:func:`tone_mapping_ratio`: the larger photo's :func:`facemetrics.quality.local_contrast`
#: over the other's) above this -> the fold rows of both sides read ``uncertain`` (:func:`tone_mapped_rows`):
#: local tone mapping (HDR / night mode) in one photo lifts the fold's shadow and flattens the face's shading, which
#: a global tone match does not undo (a photo against its CLAHE copy read ``nlf_depth`` 'shallower', up to 5.6 x its
#: floor: docs/robustness.md "Phone capture audit").  Rule written before the held-out run: 1.1 x the largest ratio
#: of a clean or treatment pair of the tuning faces (12 London neutral + 24 Canada tuning; gamma, brightness, white
#: balance, JPEG, a deeper fold, a lift), rounded up to 0.01: 1.1 x 1.085 (a deeper fold) = 1.194 (docs/robustness.md
#: "Local tone mapping", ``bench/bench_tone_mapping.py --split tune``)
MAX_LOCAL_CONTRAST_RATIO = 1.20
#: how the message of :func:`tone_mapped_messages` begins (after "the before photo " / "the after photo ")
MSG_TONE_MAPPED = "looks locally tone-mapped (HDR/night mode)"


#: photos whose skin texture and local contrast (each at one read grid) are kept per thread: a before photo
#: compared with several after photos is read once (docs/speed.md 'Stop 45'); a few floats each
READING_CACHE_SIZE = 4


def _photo_reading(read, x: PhotoAnalysis, grid_mm: float) -> float:
    """``read(x.photo.rgb, x.points, x.frame.mm_per_px, grid_mm)`` (:func:`facemetrics.quality.skin_texture` or
    :func:`~facemetrics.quality.local_contrast`), kept for the last :data:`READING_CACHE_SIZE` photos
    (:func:`facemetrics.compare.measure._kept`: the pixels and landmarks by identity, the scales by value), so the
    value of a fresh reading."""
    return _kept(read.__name__, READING_CACHE_SIZE, (x.photo.rgb, x.points),
                 lambda: read(x.photo.rgb, x.points, x.frame.mm_per_px, grid_mm),
                 values=(float(x.frame.mm_per_px), float(grid_mm)))


def skin_textures(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[float, float]:
    """:func:`facemetrics.quality.skin_texture` of each photo (%), both read at one pixel size
    (:func:`facemetrics.quality.read_grid_mm`: 0.4 mm/px, or the coarser photo's when coarser)."""
    grid = read_grid_mm(a.frame.mm_per_px, b.frame.mm_per_px)
    return tuple(_photo_reading(skin_texture, x, grid) for x in (a, b))


def smoothed_skin(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """The smaller photo's skin texture over the larger's (:func:`skin_textures`, 0-1; 1 alike; NaN when
    either cannot be read).  Unedited photos against their nuisance copies (light, gamma, JPEG, noise, a
    slight blur, scale, roll) read 0.79-1; a beauty filter lowers it (docs/compare.md "Smoothed skin")."""
    ta, tb = skin_textures(a, b)
    if not (np.isfinite(ta) and np.isfinite(tb)) or max(ta, tb) <= 0:
        return float("nan")
    return float(min(ta, tb) / max(ta, tb))


def weak_fold_rows(ratio: float) -> tuple[tuple[str, str], ...]:
    """The fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``, both sides) as ``(metric, side)``
    when the skin texture ratio ``ratio`` (:func:`smoothed_skin`) is below :data:`MIN_SKIN_TEXTURE_RATIO`:
    they read ``uncertain``; none otherwise (a NaN ratio: none)."""
    if not ratio < MIN_SKIN_TEXTURE_RATIO:
        return ()
    return tuple((m, side) for side in ("right", "left") for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm"))


def weak_fold_messages(a: PhotoAnalysis, b: PhotoAnalysis, ratio: float) -> list[str]:
    """The message of :func:`weak_fold_rows`, naming the smoother photo and the ratio; empty when none."""
    if not weak_fold_rows(ratio):
        return []
    ta, tb = skin_textures(a, b)
    which = "after" if tb < ta else "before"
    return [f"{MSG_SMOOTHED} (the {which} photo: its skin shows {fixed(100 * ratio, 0)} % of the other's fine structure, "
            f"limit {fixed(100 * MIN_SKIN_TEXTURE_RATIO, 0)} %): a beauty filter, a soft-focus lens or heavy noise reduction "
            "flattens the nasolabial folds, and their length and depth then move with it, so the fold rows are shown "
            "without a verdict ('uncertain'); compare unfiltered photos"]


def local_contrasts(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[float, float]:
    """:func:`facemetrics.quality.local_contrast` of each photo (dimensionless), both read at one pixel size
    (:func:`facemetrics.quality.read_grid_mm`: 0.4 mm/px, or the coarser photo's when coarser: the same
    band-pass on the same grid; each at its own, a 0.69 mm/px photo beside a fine one read another ratio)."""
    grid = read_grid_mm(a.frame.mm_per_px, b.frame.mm_per_px)
    return tuple(_photo_reading(local_contrast, x, grid) for x in (a, b))


def tone_mapping_ratio(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """The larger photo's local contrast over the smaller's (:func:`local_contrasts`, >= 1; 1 alike; NaN when
    either cannot be read).  A global tone change (gamma, exposure, white balance), JPEG, blur, noise, scale, a
    deeper fold or a lift keep it near 1; local tone mapping in one photo (HDR / night mode) raises it
    (docs/robustness.md "Local tone mapping").  NaN too when either photo shows no iris (:func:`eyes_covered`,
    :func:`irises_hidden`: sunglasses, closed or covered eyes): the skin read lies around the eyes, a dark lens
    reaches into it (the sample with both irises covered read 1.58), and its mm scale comes from the irises."""
    if any(eyes_covered(x) or irises_hidden(x) for x in (a, b)):
        return float("nan")
    ca, cb = local_contrasts(a, b)
    if not (np.isfinite(ca) and np.isfinite(cb)) or min(ca, cb) <= 0:
        return float("nan")
    return float(max(ca, cb) / min(ca, cb))


def tone_mapped_rows(ratio: float) -> tuple[tuple[str, str], ...]:
    """The fold rows (``nlf_depth``, ``nlf_contrast_pct``, ``nlf_length_mm``, both sides) as ``(metric, side)``
    when the local contrast ratio ``ratio`` (:func:`tone_mapping_ratio`) is above
    :data:`MAX_LOCAL_CONTRAST_RATIO`: they read ``uncertain``; none otherwise (a NaN ratio: none)."""
    if not ratio > MAX_LOCAL_CONTRAST_RATIO:
        return ()
    return tuple((m, side) for side in ("right", "left") for m in ("nlf_depth", "nlf_contrast_pct", "nlf_length_mm"))


#: said in :func:`tone_mapped_messages` when the light-direction check fired on the same pair: a side light tripped
#: this check on most side-lit pairs (24, 9, 24, 16, 22 of 24 tuning pairs per direction, docs/robustness.md "Light
#: from another side"), naming a photo that had no HDR (Round 18 of docs/validation.md section 12: the clinic's
#: untouched before photo against an after photo lit from 30 deg read "the before photo looks locally tone-mapped")
MSG_TONE_OR_LIGHT = "or the two photos are lit from different sides, which reads the same"


def tone_mapped_messages(a: PhotoAnalysis, b: PhotoAnalysis, ratio: float, side_light: bool = False) -> list[str]:
    """The message of :func:`tone_mapped_rows`, naming the photo with the larger local contrast and the ratio;
    empty when none.  ``side_light``: the light-direction check fired on the pair too
    (:func:`facemetrics.compare.light.light_moved`): the message says the light may be the cause
    (:data:`MSG_TONE_OR_LIGHT`)."""
    if not tone_mapped_rows(ratio):
        return []
    ca, cb = local_contrasts(a, b)
    which = "after" if cb > ca else "before"
    either = f" {MSG_TONE_OR_LIGHT}" if side_light else ""
    return [f"the {which} photo {MSG_TONE_MAPPED}{either}: its skin's fine shading is {fixed(ratio, 2)} x the other's against "
            f"the face's broad shading (limit {fixed(MAX_LOCAL_CONTRAST_RATIO, 2)} x): a phone's HDR or night mode, or a "
            "'local contrast' edit, lifts the folds' shadows in that photo alone, and the nasolabial folds then read "
            "shallower, so the fold rows are shown without a verdict ('uncertain'); take both photos with HDR and "
            "night mode off, or both in the same light with the same mode"]


#: :func:`fold_cause`: the share of the texture's fall (``ln T``, the smoother photo's texture over the other's) that
#: the same photos' 2-8 mm skin shading (:func:`skin_shadings`) falls by too, ``ln S / ln T``, from which the two
#: bands moved together: a contrast gain in the OTHER photo, named as such, not smoothing of this one.  The skin-texture
#: check alone (rule C): local tone mapping too weak for :data:`MAX_LOCAL_CONTRAST_RATIO`, a sharpening or 'local
#: contrast' edit ("more fine contrast"); both checks (rule D, in place of rule B's exponent 3.0 of
#: ``ln T / ln(1 / R)``, which named 10 of 109 tuning CLAHE pairs smoothing of the untouched photo): the tone message.  Not tuned: the midpoint between the two models it tells apart (a gain raises
#: both bands alike, share 1; a beauty filter removes the texture and leaves the coarser band, share 0); the rule was
#: written before the tuning run (docs/robustness.md "Local tone mapping", "Which photo, which cause";
#: ``bench/bench_fold_cause.py``)
MIN_GAIN_SHADING_SHARE = 0.5
#: how the message of :func:`fine_contrast_messages` begins
MSG_FINE_CONTRAST = "one photo has more fine contrast than the other"


def fold_cause(a: PhotoAnalysis, b: PhotoAnalysis, texture: float, tone: float) -> str:
    """Which fold check's message to give: ``"tone"`` (only :func:`tone_mapped_messages`), ``"smoothing"``
    (only :func:`weak_fold_messages`), ``"contrast"`` (only :func:`fine_contrast_messages`, in place of the
    smoothing message) or ``""`` (each that fires).

    The skin-texture check alone (the tone check quiet or unread): ``"contrast"`` when the smoother photo's 2-8 mm
    shading fell by at least :data:`MIN_GAIN_SHADING_SHARE` of its texture's fall, in logs
    (:func:`gain_shading_share`): both bands moved together, a contrast gain in the other photo (tone mapping too
    weak for the tone check, sharpening), not a beauty filter in this one (which removes the texture and leaves the
    coarser shading); otherwise ``""`` (the smoothing message).  Both checks:

    ``texture`` is :func:`smoothed_skin`, ``tone`` :func:`tone_mapping_ratio`.  When both fire and the photo the
    texture check calls smoother is the one with the lower local contrast, one edit explains both: local tone
    mapping of the other photo (its boosted fine shading makes the untouched photo look smoothed beside it), or a
    beauty filter in this one (its smoothing also lowers the 2-8 mm shading, so the untouched photo looks
    tone-mapped beside it).  The two differ in how far the 2-8 mm skin shading falls with the texture
    (:func:`gain_shading_share`): at least :data:`MIN_GAIN_SHADING_SHARE` is tone mapping, below it (or unread) a
    beauty filter.  Otherwise (one check, or the smoother photo also the higher in local contrast: two edits) ``""``.

    Where the shading share reads a beauty filter (both branches), a sharpening edit of the OTHER photo reads the
    same (it raises the texture more than the shading): :func:`sharpened` (the strongest fine edges rose with the
    texture, which a beauty filter keeps) then gives ``"contrast"`` in place of ``""`` / ``"smoothing"``.
    The fold rows read ``uncertain`` in every case; only the wording follows this.
    """
    if weak_fold_rows(texture) and not tone_mapped_rows(tone):
        return "contrast" if gain_shading_share(a, b) >= MIN_GAIN_SHADING_SHARE or sharpened(a, b) else ""
    if not (weak_fold_rows(texture) and tone_mapped_rows(tone)):
        return ""
    (ta, tb), (ca, cb) = skin_textures(a, b), local_contrasts(a, b)
    if (tb < ta) != (cb < ca):
        return ""
    if gain_shading_share(a, b) >= MIN_GAIN_SHADING_SHARE:
        return "tone"
    return "contrast" if sharpened(a, b) else "smoothing"


def skin_shadings(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[float, float]:
    """:func:`facemetrics.quality.skin_shading` of each photo (% of its mean luminance: the 2-8 mm shading over the
    skin :func:`skin_textures` reads), both read at one pixel size (:func:`facemetrics.quality.read_grid_mm`)."""
    grid = read_grid_mm(a.frame.mm_per_px, b.frame.mm_per_px)
    return tuple(skin_shading(x.photo.rgb, x.points, x.frame.mm_per_px, grid) for x in (a, b))


def gain_shading_share(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """``ln S / ln T``: how far the 2-8 mm skin shading (:func:`skin_shadings`) of the photo with the smoother skin
    texture (:func:`skin_textures`) falls against the other's, as a share of how far its texture falls (``T``, the
    texture ratio smaller / larger, ``S`` the same photos' shading ratio; dimensionless).  About 1 when one photo
    carries a contrast gain at both scales (local tone mapping, a 'local contrast' edit: the other photo then looks
    smoothed), about 0 or below when the smoother photo lost its fine texture alone (a beauty filter).  NaN when
    either cannot be read or the textures are equal."""
    (ta, tb), (sa, sb) = skin_textures(a, b), skin_shadings(a, b)
    if not all(np.isfinite(v) and v > 0 for v in (ta, tb, sa, sb)) or ta == tb:
        return float("nan")
    (t_lo, s_lo), (t_hi, s_hi) = sorted(((ta, sa), (tb, sb)))
    return float(np.log(s_lo / s_hi) / np.log(t_lo / t_hi))


#: :func:`sharpened`: ``ln E / ln T`` (:func:`edge_gain_share`) at least this -> the photo with the more skin texture
#: was sharpened (its strongest fine edges rose with its texture), not the other smoothed (a beauty filter keeps the
#: strong edges: share about 0).  Chosen on the tuning faces (rule E, bench/bench_fold_cause.py docstring): the midpoint
#: of the largest bilateral share and the smallest sharpening share where the shading share reads smoothing
#: (docs/robustness.md "Sharpening against smoothing")
MIN_EDGE_GAIN_SHARE = 0.8


def skin_edge_levels(a: PhotoAnalysis, b: PhotoAnalysis) -> tuple[float, float]:
    """:func:`facemetrics.quality.skin_edges` of each photo (% of its mean luminance: the 99th percentile of the
    0.4-0.8 mm band over the texture's skin), both read at one pixel size (:func:`facemetrics.quality.read_grid_mm`)."""
    grid = read_grid_mm(a.frame.mm_per_px, b.frame.mm_per_px)
    return tuple(skin_edges(x.photo.rgb, x.points, x.frame.mm_per_px, grid) for x in (a, b))


def edge_gain_share(a: PhotoAnalysis, b: PhotoAnalysis) -> float:
    """``ln E / ln T``: how far the strongest fine edges (:func:`skin_edge_levels`) of the photo with the smoother skin
    texture (:func:`skin_textures`) fall against the other's, as a share of how far its texture falls (``T`` the
    texture ratio smaller / larger, ``E`` the same photos' edge ratio; dimensionless).  About 1 or above when the
    other photo was sharpened (every amplitude of the fine bands multiplied, the finest most), about 0 when this one
    lost its faint texture alone and kept its edges (an edge-preserving beauty filter).  NaN when either cannot be
    read or the textures are equal."""
    (ta, tb), (ea, eb) = skin_textures(a, b), skin_edge_levels(a, b)
    if not all(np.isfinite(v) and v > 0 for v in (ta, tb, ea, eb)) or ta == tb:
        return float("nan")
    (t_lo, e_lo), (t_hi, e_hi) = sorted(((ta, ea), (tb, eb)))
    return float(np.log(e_lo / e_hi) / np.log(t_lo / t_hi))


def sharpened(a: PhotoAnalysis, b: PhotoAnalysis) -> bool:
    """Whether the photo with the more skin texture reads as sharpened rather than the other as smoothed:
    :func:`edge_gain_share` at least :data:`MIN_EDGE_GAIN_SHARE` (False when unread)."""
    return bool(edge_gain_share(a, b) >= MIN_EDGE_GAIN_SHARE)


def fine_contrast_messages(a: PhotoAnalysis, b: PhotoAnalysis, texture: float) -> list[str]:
    """The skin-texture check's message when :func:`fold_cause` reads a contrast gain (``"contrast"``): names the
    photo with the MORE fine structure (the edited one), the texture ratio ``texture`` (:func:`smoothed_skin`) and
    the cue that read it: the shading share (:func:`gain_shading_share`, at least :data:`MIN_GAIN_SHADING_SHARE`:
    'sharpened or tone-mapped?') or else the edge share (:func:`edge_gain_share`, :func:`sharpened`: 'sharpened?');
    empty when the texture check does not fire."""
    if not weak_fold_rows(texture):
        return []
    ta, tb = skin_textures(a, b)
    which = "after" if tb > ta else "before"
    share = gain_shading_share(a, b)
    if share >= MIN_GAIN_SHADING_SHARE or not sharpened(a, b):
        cue = (f"and its 2-8 mm shading fell {fixed(share, 2)} as far, in logs, where a beauty filter leaves it: "
               "sharpened or tone-mapped?")
    else:
        cue = (f"and its strongest fine edges fell {fixed(edge_gain_share(a, b), 2)} as far, in logs, where a beauty "
               "filter keeps them: sharpened?")
    return [f"{MSG_FINE_CONTRAST} (the {which} photo: the other's skin shows {fixed(100 * texture, 0)} % of its fine "
            f"structure, limit {fixed(100 * MIN_SKIN_TEXTURE_RATIO, 0)} %, {cue}): a phone's HDR or night mode, a "
            "'local contrast' or sharpening edit raises the skin's fine shading in that photo alone, and the "
            "nasolabial folds' depth and length then move with it, so the fold rows are shown without a verdict "
            "('uncertain'); take both photos with the same camera mode and without edits"]
