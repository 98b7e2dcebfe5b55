"""Is the identity check's statistic the same whichever photo is 'before', and with both photos mirrored?

The gate refuses a pair as "these may be different people" when the upper-face residual r(a, b) (robust
RMS of the pose-corrected flow on the rigid upper face, mm: ``measure.upper_face_residual``, the value
``Alignment.residual_mm`` holds) exceeds ``gate.DIFFERENT_PEOPLE_RESIDUAL_MM``.  r(a, b) is built on the
before photo alone (its landmarks place the grid and the rigid mask, its Face Mesh z is the depth of the
3-D pose fit), so r(a, b) != r(b, a); and Face Mesh run on a mirrored picture does not return the mirrored
landmarks.  This bench measures, for every ordered pair of the sets below, r(a, b), r(b, a) and the same two
with both photos flipped exactly (``gate.mirrored``: picture and landmarks, no Face Mesh re-run), and the
symmetric candidates of the rule in docs/robustness.md "The identity check under a swap and a mirror"
(written before this bench ran):

- S2 = mean(r(a, b), r(b, a)); S4 = mean of those and the two exactly flipped fits;
- each candidate's limit T: the largest (step 0.01 mm) at which no more different-person tuning pairs are
  accepted (statistic <= T) than r(a, b) <= 1.6 accepts on the same ordered pairs;
- pass on tuning: same-person false refusals (> T) 0 or cut by >= 50 % against r(a, b) > 1.6.

Sets (``../shared/faces``):

- same person (tuning): the 56 ordered DeBruine pairs (4 poses, 4 camera distances), the same with both
  photos mirrored and Face Mesh run again (``mirrored``), the 12 London neutral -> smiling pairs, and (reported)
  smiling -> neutral and the 24 mirrored smile pairs;
- different people (tuning): every pair of the London 12 neutral and the Canada tuning split of
  ``bench/accuracy.py`` (36 faces, 630 pairs, 1260 ordered);
- different people (held out, ``--held`` only, run once): the 16 Canada held-out faces (120 pairs).

A pair refused before any flow (head pose beyond the refusal limits, ``gate.gate`` without a pair) is
counted as refused under every statistic (``pre_refused``).

    python bench/bench_identity_symmetry.py                 # tuning sets, writes the CSV, ~10 min
    python bench/bench_identity_symmetry.py --held          # the held-out Canada pairs added to the CSV (once)
    python bench/bench_identity_symmetry.py --from-csv      # the stored rows, summarised
    python bench/bench_identity_symmetry.py --cost          # compare_photos with / without the reverse fit
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
FACES = ROOT.parent / "shared" / "faces"
OUT = ROOT / "docs" / "data" / "identity_symmetry_pairs.csv"
#: the current refusal limit the candidates are compared against, mm
CURRENT_MM = 1.6
#: the step the candidates' limits are chosen on, mm
STEP_MM = 0.01
CANDIDATES = ("S2", "S4")


def _read(p: Path) -> np.ndarray:
    import cv2

    return cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB)


def photo_sets(held: bool) -> tuple[dict[str, Path], list[tuple[str, str, str, str]]]:
    """``({photo key: path}, [(kind, split, before key, after key), ...])``; a key ending in ``~m`` is the
    photo mirrored (Face Mesh run on the flipped picture)."""
    from accuracy import canada_split

    lon = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))
    tune, held_out = canada_split(sorted((FACES / "canada_ccby").glob("*.jpg")))
    deb = sorted((FACES / "debruine_cc0").glob("*.jpg"))
    paths: dict[str, Path] = {}
    for p in lon + [Path(str(q).replace("_neutral", "_smiling")) for q in lon] + deb:
        paths[p.stem] = p
        paths[p.stem + "~m"] = p
    for p in tune:
        paths[p.stem] = p
    pairs = []
    for m in ("", "~m"):
        kind = "same_debruine" + ("_mirrored" if m else "")
        pairs += [(kind, "tune", a.stem + m, b.stem + m) for a, b in itertools.permutations(deb, 2)]
        for p in lon:
            s = p.stem.replace("_neutral", "_smiling")
            pairs.append(("same_smile" + ("_mirrored" if m else ""), "tune", p.stem + m, s + m))
            pairs.append(("same_smile_reverse" + ("_mirrored" if m else ""), "tune", s + m, p.stem + m))
    for a, b in itertools.combinations([p.stem for p in lon + tune], 2):
        pairs += [("different", "tune", a, b), ("different", "tune", b, a)]
    if held:  # the held-out pairs alone (the tuning rows are read from the CSV)
        paths = {p.stem: p for p in held_out}
        pairs = []
        for a, b in itertools.combinations([p.stem for p in held_out], 2):
            pairs += [("different", "held", a, b), ("different", "held", b, a)]
    return paths, pairs


def measure(held: bool) -> pd.DataFrame:
    import facemetrics as fm
    from facemetrics.compare.gate import gate, mirrored
    from facemetrics.compare.measure import upper_face_residual

    paths, pairs = photo_sets(held)
    t0 = time.time()
    an = {}
    for k, p in paths.items():
        an[k] = (fm.analyze_photo(np.ascontiguousarray(_read(p)[:, ::-1]), name=k) if k.endswith("~m")
                 else fm.analyze_photo(p))
    flipped = {k: mirrored(x) for k, x in an.items() if x.ok}
    print(f"{len(an)} analyses ({sum(x.ok for x in an.values())} ok), {time.time() - t0:.0f} s", flush=True)

    def fit(x, y) -> float:
        try:
            return float(upper_face_residual(x, y))
        except Exception as e:  # noqa: BLE001 - a pair that cannot be aligned reads NaN, as in compare
            print(f"  fit failed: {type(e).__name__}: {e}"[:160], flush=True)
            return float("nan")

    memo: dict[tuple[str, str, bool], float] = {}

    def r(a: str, b: str, flip: bool) -> float:
        if (a, b, flip) not in memo:
            memo[a, b, flip] = fit(flipped[a], flipped[b]) if flip else fit(an[a], an[b])
        return memo[a, b, flip]

    rows = []
    t0 = time.time()
    for i, (kind, split, a, b) in enumerate(pairs):
        x, y = an[a], an[b]
        row = dict(kind=kind, split=split, before=a, after=b, ok=bool(x.ok and y.ok))
        if row["ok"]:
            row["pre_refused"] = gate(x, y)[0] == "refused"
            row.update(r_ab=r(a, b, False), r_ba=r(b, a, False), rx_ab=r(a, b, True), rx_ba=r(b, a, True))
        rows.append(row)
        if (i + 1) % 200 == 0:
            print(f"  {i + 1} of {len(pairs)} pairs, {time.time() - t0:.0f} s", flush=True)
    return pd.DataFrame(rows)


def stats(df: pd.DataFrame) -> pd.DataFrame:
    """The candidates' columns: S2, S4 (and min/max of the two orders, for the table only)."""
    df = df.copy()
    df["S2"] = df[["r_ab", "r_ba"]].mean(axis=1, skipna=False)
    df["S4"] = df[["r_ab", "r_ba", "rx_ab", "rx_ba"]].mean(axis=1, skipna=False)
    df["min2"] = df[["r_ab", "r_ba"]].min(axis=1, skipna=False)
    df["max2"] = df[["r_ab", "r_ba"]].max(axis=1, skipna=False)
    return df


def accepted(df: pd.DataFrame, col: str, limit: float) -> int:
    """Ordered pairs accepted by the identity check: measured, not refused before the flow, ``col <= limit``."""
    ok = df["ok"].astype(bool) & ~df["pre_refused"].fillna(False).astype(bool)
    return int((ok & (df[col].to_numpy(float) <= limit)).sum())


def refused(df: pd.DataFrame, col: str, limit: float) -> int:
    """Ordered pairs refused on the statistic (``col > limit`` or NaN) among those measured and not refused
    before the flow."""
    ok = df["ok"].astype(bool) & ~df["pre_refused"].fillna(False).astype(bool)
    x = df[col].to_numpy(float)
    return int((ok & ~(x <= limit)).sum())


def choose_limit(diff_tune: pd.DataFrame, col: str) -> float:
    """The rule's T: the largest multiple of :data:`STEP_MM` at which the tuning different-person pairs
    accepted by ``col`` are no more than ``r_ab <= CURRENT_MM`` accepts."""
    budget = accepted(diff_tune, "r_ab", CURRENT_MM)
    grid = np.round(np.arange(0.5, 4.0 + STEP_MM / 2, STEP_MM), 2)
    ok = [t for t in grid if accepted(diff_tune, col, t) <= budget]
    return float(max(ok))


def _closest(g: pd.DataFrame, col: str, limit: float, same: bool, n: int = 3) -> str:
    x = g[g["ok"].astype(bool) & ~g["pre_refused"].fillna(False).astype(bool)]
    m = (limit - x[col]) if same else (x[col] - limit)
    idx = (m if same else m.abs()).sort_values().index[:n]  # one person: the nearest below or beyond; others: nearest
    return ", ".join(f"{x.at[i, 'before']}->{x.at[i, 'after']} {x.at[i, col]:.3f} ({m[i]:+.3f})" for i in idx)


def summary(df: pd.DataFrame) -> dict:
    df = stats(df)
    print("\nper kind (ordered pairs): n, measured, pre-refused; r(a,b) / r(b,a) / S2 / S4 min-median-max, mm;"
          " |r(a,b) - r(b,a)| median / max")
    print("| kind | split | n | measured | pre-refused | r(a,b) | S2 | S4 | swap |diff| med / max |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (kind, split), g in df.groupby(["kind", "split"], sort=False):
        m = g[g["ok"].astype(bool)]
        rng = {c: f"{np.nanmin(m[c]):.2f}-{np.nanmedian(m[c]):.2f}-{np.nanmax(m[c]):.2f}" for c in ("r_ab", "S2", "S4")}
        d = np.abs(m["r_ab"] - m["r_ba"])
        print(f"| {kind} | {split} | {len(g)} | {len(m)} | {int(m['pre_refused'].sum())} | {rng['r_ab']} | "
              f"{rng['S2']} | {rng['S4']} | {np.nanmedian(d):.3f} / {np.nanmax(d):.3f} |")
    diff_tune = df[(df["kind"] == "different") & (df["split"] == "tune")]
    same = df[df["kind"].str.startswith("same")]
    rule_same = same[same["kind"].isin(["same_debruine", "same_debruine_mirrored", "same_smile"])]
    print(f"\nrule's same-person tuning set: {len(rule_same)} ordered pairs (debruine, debruine mirrored, "
          "London neutral -> smiling); reported too: smiling -> neutral and the mirrored smiles")
    limits = {"r_ab": CURRENT_MM}
    for c in CANDIDATES:
        limits[c] = choose_limit(diff_tune, c)
    for c in ("min2", "max2"):
        limits[c] = choose_limit(diff_tune, c)
    print("\n| statistic | limit T mm | different tune accepted (of ordered) | same refused, rule set | "
          "debruine | debruine mirrored | smile | smile reverse | smiles mirrored (both ways) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for c, t in limits.items():
        k = {kind: refused(same[same["kind"] == kind], c, t) for kind in same["kind"].unique()}
        n_ok = int((diff_tune["ok"].astype(bool) & ~diff_tune["pre_refused"].fillna(False).astype(bool)).sum())
        print(f"| {c}{'' if c in CANDIDATES or c == 'r_ab' else ' (not a candidate)'} | {t:.2f} | "
              f"{accepted(diff_tune, c, t)} of {n_ok} | {refused(rule_same, c, t)} of {len(rule_same)} | "
              f"{k.get('same_debruine', 0)} | {k.get('same_debruine_mirrored', 0)} | {k.get('same_smile', 0)} | "
              f"{k.get('same_smile_reverse', 0)} | "
              f"{k.get('same_smile_mirrored', 0) + k.get('same_smile_reverse_mirrored', 0)} |")
    base = refused(rule_same, "r_ab", CURRENT_MM)
    verdict = {}
    for c in CANDIDATES:
        n = refused(rule_same, c, limits[c])
        verdict[c] = n == 0 or n <= 0.5 * base
        print(f"{c}: limit {limits[c]:.2f} mm, same-person false refusals {n} against {base} "
              f"-> {'PASSES' if verdict[c] else 'fails'} the tuning criterion")
        print(f"   closest same-person (T - S): {_closest(same, c, limits[c], True)}")
        print(f"   nearest different-person tuning (S - T): {_closest(diff_tune, c, limits[c], False)}")
    print(f"   current, closest same-person (1.6 - r): {_closest(same, 'r_ab', CURRENT_MM, True)}")
    print(f"   current, nearest different-person tuning (r - 1.6): {_closest(diff_tune, 'r_ab', CURRENT_MM, False)}")
    chosen = next((c for c in CANDIDATES if verdict[c]), None)
    print(f"chosen by the rule: {chosen or 'none'}")
    held = df[(df["kind"] == "different") & (df["split"] == "held")]
    if len(held) and chosen:
        a_now, a_new = accepted(held, "r_ab", CURRENT_MM), accepted(held, chosen, limits[chosen])
        n_ok = int((held["ok"].astype(bool) & ~held["pre_refused"].fillna(False).astype(bool)).sum())
        print(f"\nHELD OUT (Canada, {len(held)} ordered pairs, {n_ok} measured and not refused before the flow): "
              f"accepted as one person: current r(a,b) <= {CURRENT_MM}: {a_now}; {chosen} <= {limits[chosen]:.2f}: "
              f"{a_new} -> {'PASSES' if a_new <= a_now else 'FAILS'}")
        print(f"   nearest held-out different-person (S - T): {_closest(held, chosen, limits[chosen], False)}")
        print(f"   current, nearest (r - 1.6): {_closest(held, 'r_ab', CURRENT_MM, False)}")
    return dict(limits=limits, chosen=chosen)


def cost(n: int = 5) -> None:
    """What the reverse fit adds to a comparison: ``compare_photos`` on the sample pair and on DeBruine pose
    1 -> 2 (when present), with the reverse fit and with it left out (``reverse_residual_mm`` returning NaN,
    the one-order check), alternating, fresh copies of the analyses each time (nothing kept between
    comparisons); medians and their ratio, same run."""
    import dataclasses

    import facemetrics as fm
    import facemetrics.compare as cp

    pairs = {"sample": (ROOT / "sample_images" / "astronaut_before.jpg", ROOT / "sample_images" / "astronaut_after.jpg")}
    deb = FACES / "debruine_cc0"
    if deb.is_dir():
        pairs["debruine pose 1 -> 2"] = (deb / "debruine_pose_variation_1.jpg", deb / "debruine_pose_variation_2.jpg")
    real = cp.reverse_residual_mm
    for name, (pa, pb) in pairs.items():
        a, b = fm.analyze_photo(pa), fm.analyze_photo(pb)
        times = {"with": [], "without": []}
        for _ in range(n):
            for mode in ("without", "with"):
                cp.reverse_residual_mm = real if mode == "with" else (lambda x, y: float("nan"))
                try:
                    t = time.perf_counter()
                    fm.compare_photos(dataclasses.replace(a), dataclasses.replace(b))
                    times[mode].append(time.perf_counter() - t)
                finally:
                    cp.reverse_residual_mm = real
        w, wo = np.median(times["with"]), np.median(times["without"])
        print(f"{name}: compare_photos median {wo:.2f} s one order, {w:.2f} s with the reverse fit "
              f"(x {w / wo:.2f}; {n} runs each)")


def cost_repeat(n: int = 5) -> None:
    """``--cost-repeat`` (2026-12-05, h2): what the repeat's reverse fit adds: ``compare_photos`` of the sample pair
    with a repeat of the before photo (rolled 1 deg, JPEG 80), the repeat's identity check on both orders
    (``compare._repeat_match``) and on one (its reverse fit left out), alternating, fresh copies each time;
    medians and their ratio, same run."""
    import dataclasses

    import facemetrics as fm
    import facemetrics.compare as cp
    from facemetrics import simulate as sim
    from facemetrics.compare.gate import upper_face_match

    a = fm.analyze_photo(ROOT / "sample_images" / "astronaut_before.jpg")
    b = fm.analyze_photo(ROOT / "sample_images" / "astronaut_after.jpg")
    r = fm.analyze_photo(np.ascontiguousarray(sim.jpeg(sim.roll(a, 1.0).image, 80).image), name="repeat.png")
    real = cp._repeat_match
    times = {"one order": [], "both orders": []}
    for _ in range(n):
        for mode in times:
            cp._repeat_match = real if mode == "both orders" else (lambda f, x, rep: (upper_face_match(rep.residual_mm),
                                                                                     rep.cues))
            try:
                t = time.perf_counter()
                c = fm.compare_photos(dataclasses.replace(a), dataclasses.replace(b),
                                      before_repeats=[dataclasses.replace(r)])
                times[mode].append(time.perf_counter() - t)
            finally:
                cp._repeat_match = real
    w, wo = np.median(times["both orders"]), np.median(times["one order"])
    print(f"sample + 1 before repeat ({c.noise_source}): compare_photos median {wo:.2f} s with the repeat on one "
          f"order, {w:.2f} s on both (x {w / wo:.2f}; {n} runs each)")


def places(df: pd.DataFrame) -> None:
    """``--places`` (2026-12-05, h2; docs/robustness.md 'The identity check on both orders everywhere it is
    used'): the stored rows counted for (a) the repeat photos' identity check, which is the comparison's test on
    the pair (first photo, repeat): one order ``r_ab > 1.6`` against ``S2 > 1.7``; and (d) the one order's
    clause limit ``DIFFERENT_PEOPLE_POSSIBLE_MM`` re-derived by its principle (the smallest one-order residual
    between different people, rounded down to 0.01 mm) on the tuning rows only."""
    from facemetrics.compare.gate import DIFFERENT_PEOPLE_POSSIBLE_MM, MAX_ALIGNMENT_RESIDUAL_MM
    df = stats(df)
    diff_tune = df[(df["kind"] == "different") & (df["split"] == "tune")]
    held = df[(df["kind"] == "different") & (df["split"] == "held")]
    same = df[df["kind"].str.startswith("same")]
    print("(a) the repeats' identity check, ordered rows: one order r_ab > 1.6 against S2 > 1.7")
    print("| rows | n | one order | both orders |")
    print("|---|---|---|---|")
    print(f"| different, tuning: accepted | {len(diff_tune)} | {accepted(diff_tune, 'r_ab', CURRENT_MM)} | "
          f"{accepted(diff_tune, 'S2', 1.7)} |")
    for kind in same["kind"].unique():
        g = same[same["kind"] == kind]
        print(f"| {kind}, tuning: refused | {len(g)} | {refused(g, 'r_ab', CURRENT_MM)} | {refused(g, 'S2', 1.7)} |")
    print(f"| same, tuning, all: refused | {len(same)} | {refused(same, 'r_ab', CURRENT_MM)} | "
          f"{refused(same, 'S2', 1.7)} |")
    if len(held):
        print(f"| different, HELD OUT: accepted | {len(held)} | {accepted(held, 'r_ab', CURRENT_MM)} | "
              f"{accepted(held, 'S2', 1.7)} |")
    ok = diff_tune["ok"].astype(bool) & ~diff_tune["pre_refused"].fillna(False).astype(bool)
    x = diff_tune.loc[ok, "r_ab"].dropna()
    i = x.idxmin()
    p_new = np.floor(x.min() * 100 + 1e-9) / 100
    print(f"\n(d) the one order's clause limit: smallest r_ab among {len(x)} fitted different-person tuning rows "
          f"{x.min():.4f} mm ({diff_tune.at[i, 'before']} -> {diff_tune.at[i, 'after']}), rounded down: "
          f"{p_new:.2f} (now {DIFFERENT_PEOPLE_POSSIBLE_MM})")

    def no_clause(g: pd.DataFrame, lim: float) -> int:  # accepted by the one-order refusal, without the clause
        k = g["ok"].astype(bool) & ~g["pre_refused"].fillna(False).astype(bool)
        r = g["r_ab"].to_numpy(float)
        return int((k & (r <= CURRENT_MM) & (r < lim)).sum())

    def clause(g: pd.DataFrame, lim: float) -> int:  # one person named as possibly two people (warned, not refused)
        r = g["r_ab"].to_numpy(float)
        return int(((r > MAX_ALIGNMENT_RESIDUAL_MM) & (r <= CURRENT_MM) & (r >= lim)).sum())
    print("| rows | at " + f"{DIFFERENT_PEOPLE_POSSIBLE_MM} | at {p_new:.2f} |")
    print("|---|---|---|")
    print(f"| different, tuning, accepted without the clause | {no_clause(diff_tune, DIFFERENT_PEOPLE_POSSIBLE_MM)} | "
          f"{no_clause(diff_tune, p_new)} |")
    if len(held):
        print(f"| different, HELD OUT, accepted without the clause | {no_clause(held, DIFFERENT_PEOPLE_POSSIBLE_MM)} | "
              f"{no_clause(held, p_new)} |")
    for kind in same["kind"].unique():
        g = same[same["kind"] == kind]
        print(f"| {kind}: named as possibly two people (of {len(g)}) | {clause(g, DIFFERENT_PEOPLE_POSSIBLE_MM)} | "
              f"{clause(g, p_new)} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--held", action="store_true", help="also the held-out Canada pairs (run once)")
    p.add_argument("--from-csv", action="store_true", help=f"summarise {OUT.relative_to(ROOT)}")
    p.add_argument("--cost", action="store_true", help="time compare_photos with and without the reverse fit")
    p.add_argument("--places", action="store_true", help="count the stored rows for the repeats' check and the one "
                   "order's clause limit")
    p.add_argument("--cost-repeat", action="store_true", help="time a comparison with a repeat, its identity check "
                   "on one order and on both")
    args = p.parse_args()
    if args.cost:
        return cost()
    if args.cost_repeat:
        return cost_repeat()
    if args.places:
        return places(pd.read_csv(OUT))
    if args.from_csv:
        df = pd.read_csv(OUT)
    else:
        if not FACES.is_dir():
            raise SystemExit(f"needs {FACES}")
        df = measure(args.held)
        if args.held:  # added to the stored tuning rows
            old = pd.read_csv(OUT)
            df = pd.concat([old[old["split"] != "held"], df], ignore_index=True)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        df.round(4).to_csv(OUT, index=False)
    summary(df)


if __name__ == "__main__":
    main()
