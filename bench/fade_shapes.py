"""How long does the lift last: coverage of the true half point, fade by fade shape (stop 63, h2).

``analyze_series`` reports ``half_life_h``, a parameter of the exponential it fits, with a bootstrap 95 % CI.
Stop 62's ``bench/user_story.py`` (a lift falling *linearly* to 0 at 8 h) found that CI held the best
exponential's half-life every time but the TRUE half point only 10 times in 14.  This bench measures, per fade
shape and schedule, how often the reported intervals hold the true half point, and the candidate fix, the
shape-free half point of :mod:`facemetrics.decay.half_point` (``half_point_h`` and its interval)::

    PYTHONPATH=. python bench/fade_shapes.py --half tuning --studies 60 --csv /tmp/h2_tune.csv
    PYTHONPATH=. python bench/fade_shapes.py --half held_out --studies 60 --csv /tmp/h2_held.csv
    PYTHONPATH=. python bench/fade_shapes.py --from-csv /tmp/h2_tune.csv     # the tables of a saved run

Change tables are simulated directly (no images), with ``bench/bench_decay_misspecified.py``'s noise: per session
a baseline error ~ N(0, 0.156²) mm shared by its photos and per photo ~ N(0, 0.117²) mm (the demo's one-way ANOVA,
docs/validation.md section 7); between subjects the amplitude ``1 + 0.2 z`` and the time scale ``exp(0.3 z')``.

The true half point (defined before any run)
--------------------------------------------
The time at which the true change first falls to half its value at the series' first photo after treatment
``t1`` (:mod:`facemetrics.decay.half_point`'s target; ``half_0`` beside it counts from t = 0, the reading of a
half-life).  With 3 subjects: of the population's mean curve (Gauss-Hermite over the time scale, as
``bench_decay_misspecified``); with 1 subject: of that subject's own curve.  ``lasting`` never halves: an
interval holds it when its upper end reaches past the last photo (``half_point_h_ci_high`` NaN, or for the
half-life's interval an upper end beyond the last photo).

Shapes (mm, ``t`` hours after treatment)
----------------------------------------
Tuning shapes (a candidate is chosen on these): ``exp_3h`` ``2 * 2**(-t/3)`` (the model's own);
``linear_8h`` ``1.2 * max(0, 1 - t/8)`` (the user story's microcurrent); ``sigmoid_6h`` ``2 (1 + e^-8) / (1 +
exp((t - 6)/0.75))`` (a plateau, then a drop at about 6 h); ``two_phase`` ``1.2 * 2**(-t/1) + 0.8 * 2**(-t/30)``;
``lasting`` 0.4 mm that does not fade (RF).  Held-out shape (never used to choose): ``power_fade``
``2 (1 + t/1 h)**-1``.

Schedules: ``demo x1`` / ``demo x3`` (the demo's 0.25-48 h, 1 and 3 subjects), ``sparse x3`` (0, 1, 4, 24 h),
``week x1`` (the user story: one person, 4 sessions, photos at 5 min, 1, 3, 6 and 24 h after each, each session
read against its own before photo, ``treated_at`` given).

Counted per cell (studies with ``status`` ``ok``): coverage of the true half point by the half-life's 95 % CI
(today's figure) and by each candidate interval, with Wilson 95 % intervals on the coverage; the candidates'
median widths (an interval reaching past the last photo: its width to the last photo) against the half-life
CI's; the verdicts (``fades_within_a_day`` / ``persists_beyond_a_day`` / ``inconclusive``).  Seeds
``SeedSequence([20261207, schedule, shape, study])``; even studies the tuning half, odd the held-out half.

Rule (written and committed before the deciding run, 2026-12-07)
----------------------------------------------------------------
Candidates, narrowest first:

- ``A`` the percentile 95 % interval of the replicates' half points (``half_point_ci`` as written);
- ``B`` ``A`` widened to the photo times around it: from the last photo time at or before A's lower end to the
  first photo time at or after its upper end (between two photos a monotone fade may halve anywhere, so a
  shape-free interval cannot be narrower than the gap it falls in).

Chosen on the tuning half and tuning shapes: the first candidate whose coverage of the true half point is
>= 90 % in every tuning cell (shape x schedule where the half point is defined for that schedule's photos, and
``lasting``).  It lands if, with it, the held-out half's cells (tuning shapes) AND the held-out shape's cells
(both halves) are >= 90 % each too; a cell of 30 studies at 27/30 has a Wilson interval 74-97 %, so a cell
at 26/30 (87 %) is reported as a near miss, not a pass.  No ``fades_within_a_day`` verdict may be lost on
``exp_3h`` (the half point is drawn from a stream of its own, so the verdicts are the same by construction;
checked here against the fits' verdicts of the same seeds without the half point).  If no candidate passes,
the bench and figures land and the columns do not.

Result (2026-12-07, 30 studies a cell and half): A failed on the tuning half (``sparse x3`` ``sigmoid_6h`` 53 %);
B held the truth in every tuning and held-out cell (100 %) and the held-out shape (100 %, ``week x1`` held-out 9
of 10); it landed as the library's interval (docs/validation.md section 25).  Since then the records' ``hp_lo`` /
``hp_hi`` are B's, so the "A" column reads B; A's figures are those of the runs at ae418e7.

Stop 64 (h4, docs/validation.md section 26): shapes that RISE after the session, then fade (``rise_2h_exp``,
``rise_12h_linear``, ``rise_48h_exp``; held-out ``rise_6h_gamma``) and ``null`` (no change); ``--rise`` prints how
often each statement is false against the truth referenced to the true peak (``true_peak_half``); ``--no-peak``
runs the half point as before stop 64 (from the first photo)::

    PYTHONPATH=. python bench/fade_shapes.py --half tuning --studies 40 --rise \
        --shapes rise_2h_exp rise_12h_linear rise_48h_exp --schedules "demo x1" "demo x3" "sparse x3"
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facemetrics.decay import FADES, INCONCLUSIVE, PERSISTS, analyze_series  # noqa: E402
from facemetrics.study import DEFAULT_DESIGN  # noqa: E402

METRIC = "jawline_lift_mm"
SEED = 20261207
SD_BETWEEN_MM = 0.156
SD_WITHIN_MM = 0.117
PEAK_SD_FRACTION = 0.2
TIME_LOG_SD = 0.3
LEVEL = 0.95


def _sigmoid(t):
    with np.errstate(over="ignore"):
        return 2.0 * (1.0 + math.exp(-8.0)) / (1.0 + np.exp((t - 6.0) / 0.75))


def _rise(t, peak: float, peak_h: float, fade):
    """``peak`` mm rising in a straight line from 0.4 of it at t = 0 to all of it at ``peak_h``, then
    ``peak * fade(t - peak_h)`` (``fade(0) = 1``)."""
    t = np.asarray(t, float)
    with np.errstate(over="ignore"):
        return np.where(t < peak_h, peak * (0.4 + 0.6 * t / peak_h), peak * fade(np.maximum(t - peak_h, 0.0)))


#: name -> g(t) in mm for t >= 0 (array in, array out)
SHAPES = {
    "exp_3h": lambda t: 2.0 * np.exp2(-t / 3.0),
    "linear_8h": lambda t: 1.2 * np.clip(1.0 - t / 8.0, 0.0, None),
    "sigmoid_6h": _sigmoid,
    "two_phase": lambda t: 1.2 * np.exp2(-t / 1.0) + 0.8 * np.exp2(-t / 30.0),
    "lasting": lambda t: np.full(np.shape(t), 0.4),
    "power_fade": lambda t: 2.0 * (1.0 + t / 1.0) ** -1.0,
    # stop 64 (h4): a change that RISES after the session, then fades (docs/validation.md section 26)
    "rise_2h_exp": lambda t: _rise(t, 1.5, 2.0, lambda u: np.exp2(-u / 4.0)),
    "rise_12h_linear": lambda t: _rise(t, 1.2, 12.0, lambda u: np.clip(1.0 - u / 24.0, 0.0, None)),
    "rise_48h_exp": lambda t: _rise(t, 1.0, 48.0, lambda u: np.exp2(-u / 48.0)),
    "rise_6h_gamma": lambda t: 1.5 * (0.3 + 0.7 * (np.asarray(t, float) / 6.0) * np.exp(1.0 - np.asarray(t, float) / 6.0)),
    "null": lambda t: np.zeros(np.shape(t)),  # no change at all: a rise said of it is false
    # stop 64 (g1): a change that rises from ZERO at the session (docs/validation.md section 26d); appended, so
    # every earlier shape keeps its seeds
    "zero_12h_linear": lambda t: np.where(np.asarray(t, float) < 12.0, 1.2 * np.asarray(t, float) / 12.0,
                                          1.2 * np.clip(1.0 - (np.asarray(t, float) - 12.0) / 24.0, 0.0, None)),
    "zero_6h_exp": lambda t: np.where(np.asarray(t, float) < 6.0, 1.5 * np.asarray(t, float) / 6.0,
                                      1.5 * np.exp2(-np.maximum(np.asarray(t, float) - 6.0, 0.0) / 6.0)),
    # stop 65 (k2): held out, written before any run of bench/zero_rise.py (docs/validation.md section 26e):
    # 0 mm at the session, a smooth rise to 1.2 mm at 24 h, a slow fade; appended, every earlier shape keeps its seeds
    "zero_24h_gamma": lambda t: 1.2 * (np.asarray(t, float) / 24.0) * np.exp(1.0 - np.asarray(t, float) / 24.0),
}
TUNING_SHAPES = ("exp_3h", "linear_8h", "sigmoid_6h", "two_phase", "lasting")
HELD_OUT_SHAPES = ("power_fade",)
#: stop 64 (h4): rises then fades; the held-out one is never used to choose
RISE_SHAPES = ("rise_2h_exp", "rise_12h_linear", "rise_48h_exp")
RISE_HELD_OUT = ("rise_6h_gamma",)
#: stop 64 (g1): rises from 0 mm at the session; the held-out one is never used to choose
ZERO_SHAPES = ("zero_12h_linear",)
ZERO_HELD_OUT = ("zero_6h_exp",)
#: stop 65 (k2): bench/zero_rise.py's held-out shape, never used to choose
ZERO_HELD_OUT_K2 = ("zero_24h_gamma",)
#: the margin of the simulated series' verdicts (no noise floor column: ``MIN_EFFECT`` for mm)
MARGIN_MM = 0.3

DEMO_TIMES = tuple(float(t) for t in DEFAULT_DESIGN["microcurrent"]["times_h"] if t >= 0)
WEEK_TIMES = (5 / 60, 1.0, 3.0, 6.0, 24.0)
WEEK_DAYS = (1, 3, 5, 8)
#: name -> (photo times after treatment (h), subjects, sessions per subject)
SCHEDULES = {
    "demo x1": (DEMO_TIMES, 1, 1),
    "demo x3": (DEMO_TIMES, 3, 1),
    "sparse x3": ((0.0, 1.0, 4.0, 24.0), 3, 1),
    "week x1": (WEEK_TIMES, 1, len(WEEK_DAYS)),
}

_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)
_GH_W = _GH_W / _GH_W.sum()
_GRID = np.linspace(0.0, 100.0, 200_001)  # 0.0005 h steps


def true_half(curve, t1: float) -> float:
    """First time (h) the true ``curve`` (array in, array out) falls to half its value at ``t1``; inf if never
    within 100 h."""
    v = curve(_GRID)
    ref = float(curve(np.array([t1]))[0])
    after = (_GRID >= t1) & (v <= 0.5 * ref)
    return float(_GRID[np.argmax(after)]) if after.any() else math.inf


def true_peak_half(curve, t1: float, last: float) -> tuple[float, float, float]:
    """``(peak_h, half_h, peak)``: the true ``curve``'s largest value on ``[t1, last]`` (its first time if flat),
    and the first time after it at which the curve falls to half of it (inf if never within 100 h).  For a fade
    that only falls the peak is at ``t1`` and ``half_h`` is :func:`true_half`."""
    v = curve(_GRID)
    span = (_GRID >= t1) & (_GRID <= last)
    i = int(np.flatnonzero(span)[np.argmax(v[span])])
    peak = float(v[i])
    if abs(peak - float(curve(np.array([t1]))[0])) < 1e-12:
        i, peak = int(np.argmax(_GRID >= t1)), float(curve(np.array([t1]))[0])
    after = (np.arange(_GRID.size) >= i) & (v <= 0.5 * peak)
    return float(_GRID[i]), (float(_GRID[np.argmax(after)]) if after.any() else math.inf), peak


def population_curve(name: str):
    """The mean curve over subjects' time scales (the amplitude's mean is 1)."""
    g = SHAPES[name]
    s = np.exp(TIME_LOG_SD * _GH_X)
    return lambda t: np.sum(_GH_W[None, :] * g(np.asarray(t, float)[:, None] / s[None, :]), axis=1)


def simulate_table(rng, name: str, schedule: str) -> tuple[pd.DataFrame, float]:
    """One study's change table and the time scale of its first subject (for a 1-subject truth)."""
    g = SHAPES[name]
    times, n_subjects, n_sessions = SCHEDULES[schedule]
    t = np.asarray(times, float)
    rows, scales = [], []
    for s in range(n_subjects):
        f = max(0.05, 1.0 + PEAK_SD_FRACTION * rng.standard_normal())
        scale = math.exp(TIME_LOG_SD * rng.standard_normal())
        scales.append(scale)
        for k in range(n_sessions):
            value = f * g(t / scale) + SD_BETWEEN_MM * rng.standard_normal() + SD_WITHIN_MM * rng.standard_normal(t.size)
            row = dict(subject=f"S{s + 1:02d}", hours_since_treatment=t, value=value)
            if n_sessions > 1:
                row["treated_at"] = f"2026-11-{1 + WEEK_DAYS[k]:02d}T08:00"
            rows.append(pd.DataFrame(row))
    table = pd.concat(rows, ignore_index=True).assign(treatment="sim", metric=METRIC, side="mean", unit="mm")
    return table, scales[0]


def run_cell(schedule: str, si: int, name: str, ti: int, studies) -> list[dict]:
    times, n_subjects, _ = SCHEDULES[schedule]
    t1, last = min(times), max(times)
    pop = population_curve(name)
    pop_truth = (true_half(pop, t1), true_half(pop, 0.0))
    recs = []
    for k in studies:
        rng = np.random.default_rng(np.random.SeedSequence([SEED, si, ti, k]))
        table, scale = simulate_table(rng, name, schedule)
        curve = lambda t, s=scale: SHAPES[name](np.asarray(t, float) / s)  # noqa: E731 - the subject's own
        truth = pop_truth if n_subjects > 1 else (true_half(curve, t1), true_half(curve, 0.0))
        f = analyze_series(table, per_subject=False, seed=k).fits[0]
        c = pop if n_subjects > 1 else curve
        pk_h, pk_half, pk = true_peak_half(c, t1, last)
        recs.append(dict(
            peak_h=pk_h, truth_pk=pk_half, truth_24=float(c(np.array([24.0]))[0]),
            truth_t1=float(c(np.array([t1]))[0]), peak=pk,
            hp_peak=getattr(f, "half_point_peak_h", math.nan),
            schedule=schedule, shape=name, study=k, half="tuning" if k % 2 == 0 else "held_out",
            t1=t1, last_h=last, truth=truth[0], truth_0=truth[1],
            status=f.status, verdict=f.verdict, half_life=f.half_life_h, hl_lo=f.half_life_h_ci_low,
            hl_hi=f.half_life_h_ci_high, hp=f.half_point_h, hp_lo=f.half_point_h_ci_low, hp_hi=f.half_point_h_ci_high,
        ))
    return recs


def _bracket(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Candidate B's ends: A's ends moved out to the photo times around them (NaN high stays NaN)."""
    lo, hi = [], []
    for r in df.itertuples():
        times = np.array(sorted(set(SCHEDULES[r.schedule][0])))
        a_lo = r.hp_lo if np.isfinite(r.hp_lo) else math.inf
        below = times[times <= a_lo]
        lo.append(float(below.max()) if below.size else float(times[0]))
        above = times[times >= r.hp_hi] if np.isfinite(r.hp_hi) else np.array([])
        hi.append(float(above.min()) if above.size else math.nan)
    return pd.Series(lo, index=df.index), pd.Series(hi, index=df.index)


def _covers(lo, hi, truth, last):
    """An interval (NaN high: past the last photo) holds ``truth`` (inf: never halves)."""
    hi = np.where(np.isnan(hi), np.inf, hi)
    lo = np.where(np.isnan(lo), np.inf, lo)
    never = ~np.isfinite(truth)
    return np.where(never, hi > last, (lo <= truth) & (truth <= hi))


def _width(lo, hi, last):
    hi = np.where(np.isnan(hi), last, np.minimum(hi, last))
    return np.where(np.isnan(lo), np.nan, hi - np.minimum(lo, hi))


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    df = df[df["status"] == "ok"].copy()
    b_lo, b_hi = _bracket(df)
    df["b_lo"], df["b_hi"] = b_lo, b_hi
    out = []
    for (half, schedule, shape), g in df.groupby(["half", "schedule", "shape"], sort=False):
        truth, last = g["truth"].to_numpy(), g["last_h"].to_numpy()
        rec = dict(half=half, schedule=schedule, shape=shape, n=len(g), truth=float(np.median(truth)),
                   truth_0=float(np.median(g["truth_0"])))
        for key, lo, hi in (("hl", g["hl_lo"], g["hl_hi"]), ("A", g["hp_lo"], g["hp_hi"]), ("B", g["b_lo"], g["b_hi"])):
            cov = _covers(lo.to_numpy(), hi.to_numpy(), truth, last)
            rec[f"cov_{key}"] = float(cov.mean())
            rec[f"k_{key}"] = int(cov.sum())
            rec[f"width_{key}"] = float(np.nanmedian(_width(lo.to_numpy(), hi.to_numpy(), last)))
        rec["cov_hl_0"] = float(_covers(g["hl_lo"].to_numpy(), g["hl_hi"].to_numpy(), g["truth_0"].to_numpy(), last).mean())
        rec["hp_med"] = float(np.nanmedian(g["hp"])) if g["hp"].notna().any() else math.nan
        rec["hl_med"] = float(np.nanmedian(g["half_life"]))
        for v, lab in ((FADES, "fades"), (PERSISTS, "persists"), (INCONCLUSIVE, "inconclusive")):
            rec[lab] = float((g["verdict"] == v).mean())
        out.append(rec)
    return pd.DataFrame(out)


def _pct_ci(k, n):
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.0f} % ({100 * lo:.0f}-{100 * hi:.0f})"


def markdown(s: pd.DataFrame) -> str:
    lines = []
    for half, g in s.groupby("half", sort=False):
        lines += [f"\n{half} seeds\n",
                  "| schedule | shape | n | true half point (h) | half-life CI holds it | A holds it | B holds it | "
                  "median width hl / A / B (h) | median half-life / half point (h) | fades / persists / inconclusive |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in g.itertuples():
            lines.append(
                f"| {r.schedule} | {r.shape} | {r.n} | {r.truth:.2f} | {_pct_ci(r.k_hl, r.n)} | {_pct_ci(r.k_A, r.n)} | "
                f"{_pct_ci(r.k_B, r.n)} | {r.width_hl:.1f} / {r.width_A:.1f} / {r.width_B:.1f} | "
                f"{r.hl_med:.2f} / {r.hp_med:.2f} | {100 * r.fades:.0f} / {100 * r.persists:.0f} / "
                f"{100 * r.inconclusive:.0f} % |")
    return "\n".join(lines)


def choose(s: pd.DataFrame) -> str | None:
    """The module docstring's rule on the tuning half and shapes: the first candidate at >= 90 % in every cell."""
    tune = s[(s["half"] == "tuning") & s["shape"].isin(TUNING_SHAPES)]
    for key in ("A", "B"):
        if (tune[f"cov_{key}"] >= 0.90).all():
            return key
    return None


def rise_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Stop 64 (h4): per half x schedule x shape, how often each statement the package makes is false against
    the truth referenced to the true PEAK (``truth_pk``; for a fade that only falls, the stop-63 truth)."""
    df = df[df["status"] == "ok"]
    out = []
    for (half, schedule, shape), g in df.groupby(["half", "schedule", "shape"], sort=False):
        last = g["last_h"].to_numpy()
        tp = g["truth_pk"].to_numpy()
        lo, hi = g["hp_lo"].to_numpy(), g["hp_hi"].to_numpy()
        cov = _covers(lo, hi, tp, last)
        early = np.isfinite(hi) & (hi < tp)
        t24 = np.abs(g["truth_24"].to_numpy())
        v = g["verdict"].to_numpy()
        out.append(dict(
            half=half, schedule=schedule, shape=shape, n=len(g), peak_h=float(np.median(g["peak_h"])),
            truth_pk=float(np.median(tp)), truth_24=float(np.median(g["truth_24"])), k_cov=int(cov.sum()),
            k_early=int(early.sum()), k_rise=int((np.isfinite(g["hp_peak"]) & (g["hp_peak"] > g["t1"])).sum()),
            k_hl=int(_covers(g["hl_lo"].to_numpy(), g["hl_hi"].to_numpy(), tp, last).sum()),
            hp_med=float(np.nanmedian(g["hp"])) if g["hp"].notna().any() else math.nan,
            hl_med=float(np.nanmedian(g["half_life"])),
            k_fades=int((v == FADES).sum()), k_persists=int((v == PERSISTS).sum()),
            k_false_fades=int(((v == FADES) & (t24 >= MARGIN_MM)).sum()),
            k_false_persists=int(((v == PERSISTS) & (t24 < MARGIN_MM)).sum()),
            k_grew_fades=int(((v == FADES) & (g["truth_24"].to_numpy() > g["truth_t1"].to_numpy())).sum()),
        ))
    return pd.DataFrame(out)


def rise_markdown(s: pd.DataFrame) -> str:
    lines = []
    for half, g in s.groupby("half", sort=False):
        lines += [f"\n{half} seeds\n",
                  "| schedule | shape | n | true peak / half from it / change at 24 h | half point CI holds it | "
                  "CI wholly before it (\"fell to half\" too early) | said it rose | half-life CI holds it | "
                  "median half point / half-life (h) | fades / persists | fades false / persists false / fades "
                  "while it grew |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in g.itertuples():
            lines.append(
                f"| {r.schedule} | {r.shape} | {r.n} | {r.peak_h:.1f} h / {r.truth_pk:.1f} h / {r.truth_24:.2f} mm | "
                f"{_pct_ci(r.k_cov, r.n)} | {_pct_ci(r.k_early, r.n)} | {r.k_rise}/{r.n} | {_pct_ci(r.k_hl, r.n)} | "
                f"{r.hp_med:.1f} / {r.hl_med:.1f} | {r.k_fades} / {r.k_persists} | {r.k_false_fades} / "
                f"{r.k_false_persists} / {r.k_grew_fades} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=60, help="study indices 0..N-1 (even tuning, odd held-out)")
    ap.add_argument("--half", choices=("both", "tuning", "held_out"), default="both")
    ap.add_argument("--shapes", nargs="*", default=list(SHAPES))
    ap.add_argument("--schedules", nargs="*", default=list(SCHEDULES))
    ap.add_argument("--csv", help="also write every study's record here")
    ap.add_argument("--rise", action="store_true", help="stop 64's tables: statements against the truth from the peak")
    ap.add_argument("--no-peak", action="store_true",
                    help="the half point as before stop 64: always from the first photo (for the baseline)")
    ap.add_argument("--from-csv", nargs="*", help="summarise saved --csv files instead of fitting")
    args = ap.parse_args(argv)
    if args.no_peak:
        import facemetrics.decay.claim as claim
        claim._peak_start = lambda t, y, est, sign=1.0: 0.0
    t0 = time.time()
    if args.from_csv:
        df = pd.concat([pd.read_csv(p) for p in args.from_csv], ignore_index=True)
    else:
        studies = [k for k in range(args.studies) if args.half == "both" or (k % 2 == 0) == (args.half == "tuning")]
        recs = []
        for si, schedule in enumerate(SCHEDULES):
            for ti, name in enumerate(SHAPES):
                if schedule in args.schedules and name in args.shapes:
                    recs += run_cell(schedule, si, name, ti, studies)
        df = pd.DataFrame(recs)
    if args.csv:
        df.to_csv(args.csv, index=False)
    print(f"{len(df)} fits in {time.time() - t0:.0f} s")
    if args.rise:
        print(rise_markdown(rise_summary(df)))
        return 0
    s = summarise(df)
    print(markdown(s))
    if (s["half"] == "tuning").any():
        print(f"\ncandidate chosen on the tuning half and shapes (module docstring's rule): {choose(s)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
