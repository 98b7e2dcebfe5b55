"""What the bootstraps of the decay series and of the regimen share.

- the settings check (``confidence``, ``n_boot``, ``seed``: :func:`check_settings`) and the
  fewest replicates for a verdict (:data:`MIN_VERDICT_REPLICATES`);
- the fewest subjects for resampling whole subjects (:data:`MIN_CLUSTERS`);
- each series' own random stream (:func:`_group_rng`: the seed and the series' keys only) and
  percentile intervals (:func:`_ci`);
- the mm scale's own error, which every replicate of a series in mm carries as one factor on
  its values (:data:`SCALE_SD`, :data:`SCALE_POWER`, :func:`_scale_factors`; why: the
  "Uncertainty" part of :mod:`facemetrics.decay.claim`'s docstring).

The designs themselves are :func:`facemetrics.decay.claim._replicates` (residual, cluster,
two-stage) and :func:`facemetrics.decay.regimen_slope._regimen_boot_weights` (cluster, moving
blocks of days).  To fit without the scale term, set :data:`SCALE_SD` here (where
:func:`_scale_factors` reads it), not on a module that re-exports it.  No file I/O.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from ..geometry import IRIS_CHORD_BIAS_SD, IRIS_DIAMETER_MM, IRIS_DIAMETER_SD_MM, IRIS_JITTER_FLOOR, USER_IPD_SD
from .model import SeriesError

__all__ = ["MIN_CLUSTERS", "MIN_VERDICT_REPLICATES", "SCALE_POWER", "SCALE_SD", "check_settings"]

_NAN = float("nan")


#: at least this many subjects for the cluster (subject) bootstrap (with 2 clusters half the
#: replicates are one subject repeated; Field & Welsh 2007)
MIN_CLUSTERS = 3
#: fewest fitted bootstrap replicates for a verdict: with fewer, the 5 % tails of the 90 % test
#: interval rest on at most 2 replicates each (``n_boot=1`` gave a zero-width interval that did not
#: contain its own estimate, and a `fades` verdict; series audit, 2026-12-03); the CIs are still
#: reported, the verdict is ``inconclusive`` (status ``too_few_replicates``).  Also the smallest
#: ``n_boot`` other than 0 that :func:`~facemetrics.decay.claim.analyze_series` and
#: :func:`~facemetrics.decay.regimen_slope.analyze_regimen` accept (1 gave
#: "1.93 mm [1.95, 1.95]", an interval that excluded its own estimate; CLI audit, 2026-12-03)
MIN_VERDICT_REPLICATES = 50
#: The mm scale's own uncertainty (relative, 1 SD), which every bootstrap replicate of a series in mm
#: carries as one factor on its values (:func:`_scale_factors`), split by what shares it (the iris
#: calibration's parts, :mod:`facemetrics.geometry` and docs/accuracy.md 'Scale calibration'; together
#: 4.5 %, the ``mm_per_px_uncertainty_pct`` of a frontal photo):
#:
#: - ``"common"``: the residual bias of the iris chord correction (``IRIS_CHORD_BIAS_SD``, 2.5 %), the
#:   same for every photo and person;
#: - ``"subject"``: the person's own iris size (``IRIS_DIAMETER_SD_MM / IRIS_DIAMETER_MM``, 3.6 %);
#: - ``"session"``: the landmark jitter of the session's before photo, whose scale every change of
#:   the session is read in (``IRIS_JITTER_FLOOR``, 1 %; 0.9-1.3 % measured).
#:
#: A scale error multiplies every change of a session, so the photos' residuals never show it: on real
#: faces with a known lift (``bench/bench_decay_coverage.py``, tuning faces) the read ratio measured /
#: true varied by 1.9 % (photo jitter only) to 5.8 % (hand-held pose) between sessions, and one
#: subject's 95 % peak intervals covered the truth in 31 of 36 series without this term, 36 with it
#: (held-out faces: 30 and 36; docs/validation.md section 8).  One factor shared by a whole series
#: moves no half-life; the per-session part can (a series of several sessions: a factor each).
#: These are the parts of rows read in the iris scale (``calibration_source`` ``iris``, or none given);
#: a row read in a scale the user gave carries the error of that scale instead
#: (:data:`~facemetrics.decay.inputs.CALIBRATION_SOURCES`, :func:`_scale_factors`).
SCALE_SD = {"common": IRIS_CHORD_BIAS_SD, "subject": IRIS_DIAMETER_SD_MM / IRIS_DIAMETER_MM,
            "session": IRIS_JITTER_FLOOR}
#: power of the mm scale in a value of each unit (a length scales with it, an area with its square);
#: other units (deg, pct, the fold index) do not depend on the scale
SCALE_POWER = {"mm": 1, "mm2": 2}


def _group_rng(seed: int, key: tuple) -> np.random.Generator:
    """RNG for one series: depends on the seed and the group key only."""
    tag = zlib.crc32("\x1f".join("" if k is None else str(k) for k in key).encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, tag]))


def _ci(values: np.ndarray, level: float) -> tuple[float, float]:
    if values.size == 0:
        return _NAN, _NAN
    q = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [q, 1.0 - q])
    return float(lo), float(hi)


def _scale_factors(n_boot: int, rng, unit: str, subjects=None, sessions=None, sources=None) -> np.ndarray | None:
    """The mm scale's error of every replicate and row, as factors on the values, shape (B, n) (or (B, 1)
    without ``subjects`` and with every row ``iris``); None for a unit the scale does not enter
    (:data:`SCALE_POWER`).

    ``exp(power * (c + s + e))`` with ``c`` ~ N(0, SCALE_SD["common"]²) one per replicate, ``s`` ~
    N(0, SCALE_SD["subject"]²) one per replicate and subject and ``e`` ~ N(0, SCALE_SD["session"]²) one
    per replicate and session (``subjects`` and ``sessions``: integer codes, shape (n,); without them,
    the common part only: the cluster design, whose resampled subjects carry their own scale errors).
    ``sources``: each row's :data:`~facemetrics.decay.inputs.CALIBRATION_SOURCES` value (shape (n,);
    None: all ``iris``).  Only ``iris`` rows carry those parts; a ``user_ipd`` row carries ``u`` ~
    N(0, USER_IPD_SD²) one per replicate and subject instead (none without ``subjects``: the
    resampled subjects carry it), a ``user_mm_per_px`` row nothing (factor 1: the user's scale is
    taken as exact).  The iris parts are drawn first, so an all-``iris`` series draws as it did
    before ``sources`` existed."""
    power = SCALE_POWER.get(str(unit), 0)
    if not power:
        return None
    log_f = rng.normal(0.0, SCALE_SD.get("common", 0.0), size=(n_boot, 1))
    for part, codes in (("subject", subjects), ("session", sessions)):
        if codes is not None:
            log_f = log_f + rng.normal(0.0, SCALE_SD.get(part, 0.0), size=(n_boot, int(codes.max()) + 1))[:, codes]
    if sources is not None and not np.all(sources == "iris"):
        log_f = np.where(sources == "iris", log_f, 0.0)
        ipd = sources == "user_ipd"
        if subjects is not None and ipd.any():
            own = rng.normal(0.0, USER_IPD_SD, size=(n_boot, int(subjects.max()) + 1))[:, subjects]
            log_f = log_f + np.where(ipd, own, 0.0)
    return np.exp(power * log_f)


def check_settings(confidence, n_boot, seed) -> tuple[float, int, int]:
    """``analyze_series``' ``confidence`` (float in (0.5, 1)), ``n_boot`` (0, or a whole number of at
    least :data:`MIN_VERDICT_REPLICATES`) and ``seed`` (whole number), checked; a :class:`SeriesError`
    naming the setting otherwise.  Each may be a number written as text, as a CSV cell or a form gives it
    (``"0.9"``, ``"400"``, ``"400.0"``), as ``min_effect`` may (:func:`facemetrics.decay.margin.check_min_effect`);
    other text is refused saying what to write: ``"0,9"`` (a decimal comma), ``"1,000"`` (a thousands
    separator), ``"90%"`` or ``90`` (a percentage), ``"ninety"`` (stop 56, c1)."""
    c = _number_setting(confidence)
    if not 0.5 < c < 1.0:
        raise SeriesError(f"confidence must be in (0.5, 1), got {confidence!r}{_confidence_hint(confidence, c)}")
    n = whole_setting("n_boot", n_boot, "400")
    if n < 0 or 0 < n < MIN_VERDICT_REPLICATES:  # 1 gave "1.93 mm [1.95, 1.95]": an interval without its estimate
        raise SeriesError(f"n_boot must be 0 (no bootstrap: point estimates only, no intervals) or at least "
                          f"{MIN_VERDICT_REPLICATES} (bootstrap replicates; with fewer an interval's tails rest on "
                          f"one or two replicates), got {n_boot!r}")
    return c, n, whole_setting("seed", seed, "0")


def _text(value):
    """``value`` as text when it is text (bytes decoded as UTF-8), else None."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _number_setting(value) -> float:
    """A setting as a float (a number, or a number written as text); NaN for anything else (True, "0,9", None)."""
    if isinstance(value, (bool, np.bool_)):
        return _NAN
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return _NAN


def _confidence_hint(given, c: float) -> str:
    """What to write instead of a ``confidence`` refused: a decimal comma's, a percentage's, other text's; ""."""
    text = _text(given)
    if text is not None:
        t = text.strip()
        if re.fullmatch(r"[+-]?\d*,\d+", t):
            return f" ({t!r} has a decimal comma): write {t.replace(',', '.')}"
        if re.fullmatch(r"\d+(\.\d+)?\s*%", t):
            c = float(t.rstrip("%").strip())
        elif not np.isfinite(c):
            return " (text that is not a number): give the level as a fraction, e.g. 0.95"
    if np.isfinite(c) and 50 < c < 100:
        return f" (a percentage?): give it as a fraction, {c / 100:g} for {c:g} %"
    return ""


def whole_setting(name: str, value, example: str) -> int:
    """A whole-number setting (``n_boot``, ``seed``) as an int: an integer (NumPy's too), a float or a number written
    as text whose value is whole (``400.0``, ``"400"``, ``" 400 "``, ``"400.0"``); a :class:`SeriesError` naming
    ``name`` otherwise, saying for text what to write (``"1,000"``: write 1000; ``"ninety"``: the number alone, e.g.
    ``example``).  ``True`` is not 1."""
    text = _text(value)
    try:
        if isinstance(value, (bool, np.bool_)):
            raise ValueError
        if text is not None:
            try:
                return int(text)
            except ValueError:
                value = float(text)
        if float(value) != int(value):
            raise ValueError
        return int(value)
    except (TypeError, ValueError, OverflowError):
        hint = whole_hint(text, example) if text is not None else ""
        raise SeriesError(f"{name} must be a whole number, got {_shown(value, text)!r}{hint}") from None


def _shown(value, text):
    return text if text is not None and not isinstance(value, (str, bytes)) else value


def whole_hint(text: str, example: str) -> str:
    """What to write instead of a whole number given as text that is not a number: ``"1,000"`` (a thousands
    separator: write 1000), ``"ninety"`` (the number alone, e.g. ``example``); "" for a number (``"2.5"``).  The
    command line's ``--n-boot`` and ``--seed`` say it too (:func:`facemetrics.cli._whole_number`)."""
    t = str(text).strip()
    try:
        float(t)
        return ""
    except ValueError:
        pass
    if re.fullmatch(r"[+-]?\d{1,3}([,.' ]\d{3})+", t):
        return f" ({t!r} has a thousands separator): write {re.sub(r'[,.' ']', '', t)}"
    return f" (text that is not a number): give the number alone, e.g. {example}"
