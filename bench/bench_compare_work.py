"""``compare_photos`` without repeated work: the same outputs as a baseline revision, and what it costs.

    PYTHONPATH=. python bench/bench_compare_work.py --check HEAD     # every output bit-identical to HEAD's
    PYTHONPATH=. python bench/bench_compare_work.py --time HEAD      # per-stage times, this tree / HEAD, same run
    PYTHONPATH=. python bench/bench_compare_work.py --time HEAD --warm  # the before photo kept, a new after each call
    PYTHONPATH=. python bench/bench_compare_work.py --profile        # cProfile of one call per kind of pair
    PYTHONPATH=. python bench/bench_compare_work.py --loop           # a loop over 8 after photos with before repeats
    PYTHONPATH=. python bench/bench_compare_work.py --check-lift HEAD  # simulate.lift bit-identical to HEAD's, its CPU

The pairs are :mod:`compare_pairs`' (the sample pair, glasses, several faces, London and Canada faces with
simulated changes; 20+ with ``../shared/faces``).  The baseline is the package at a git revision exported
into a temporary folder and imported as ``fm_baseline`` (``bench_compare.baseline_package``), so both run in
this process: each photo is analysed by each package (the same code, the same bits), and each pair compared
by each.

``--check``: for every pair, the two comparisons' every field (status, messages, each row of the table and
of ``comparison.csv``, the floors and their source, the cues, the alignment, the maps and grids, both
analyses as the comparison returns them: the face chosen in a photo with several, its warnings) must be
identical to the last bit (arrays by their bytes, floats by their bits); exits 1 otherwise.  Each pair is
compared with nothing kept from an earlier call (``measure``'s before cache cleared), and again with the
before photo kept (the same before analysis a second time).  The baseline is the revision before the change
checked (``HEAD`` while the change is uncommitted); docs/speed.md reports the runs against 591b069 (stop 40),
85896e3 (stop 41), 9439a65 (stop 42) and 47b18a7 (stop 43).

``--time``: ``compare_photos`` of each kind of pair (a new pair every call: the before cache cleared),
this tree and the baseline alternated ``--repeats`` times; CPU ms medians and their ratio, the whole call
and the stages (cumulative CPU in the functions named in :data:`STAGES`).  Shared machines are noisy: read
the ratios.

``--loop``: a Python loop of ``compare_photos`` over 8 after photos of one before photo with one and with two before
repeats (the sample's before photo, its repeats that photo rolled 1 deg / scaled 0.97 and re-saved; the after photos
the sample's after photo rolled and re-saved 8 ways), all given as analyses: the cumulative CPU of the loop after
1, 4 and 8 after photos, each way of checking the repeats (:data:`LOOP_MODES`: the check in every call, the check
once with :func:`facemetrics.compare.check_before_repeats` when this tree has it, and no check at all, the baseline),
alternated in each of ``--repeats`` rounds, medians and their ratio to the baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import importlib
import io
import math
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import compare_pairs  # noqa: E402

import facemetrics  # noqa: E402
import facemetrics.compare as _compare_mod  # noqa: E402
from facemetrics.compare import measure as _measure_mod  # noqa: E402

#: (module under the package, function): the stages ``--time`` reports (cumulative CPU inside each)
STAGES = (("compare", "_compare"), ("compare.faces", "matching_faces"), ("analyze", "analyze_loaded"),
          ("analyze", "find_face"), ("analyze", "finish_face"), ("compare.gate", "mirrored_residual_mm"),
          ("compare.gate", "pose_mirror_messages"),
          ("compare.measure", "upper_face_residual"), ("compare.measure", "_measure"), ("align", "register"),
          ("pose3d", "fit_pose"), ("align", "glasses_mask"), ("compare.gate", "gate"),
          ("compare.occlusion", "covered_areas"), ("compare", "_picture_check"), ("compare", "_fold_checks"))


def flat(x, depth: int = 0):
    """``x`` as plain, comparable values: dataclasses and objects by their field names (not their classes,
    which differ between the two packages), arrays by dtype, shape and a hash of their bytes, floats by
    their bits."""
    if depth > 12:
        return "<deep>"
    if isinstance(x, np.ndarray):
        return ("array", str(x.dtype), x.shape, hashlib.sha1(np.ascontiguousarray(x).tobytes()).hexdigest())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (float, np.floating)):
        return ("float", float(x).hex() if math.isfinite(x) else repr(float(x)), str(np.asarray(x).dtype))
    if isinstance(x, (int, np.integer, str, bytes)) or x is None:
        return x
    if isinstance(x, dict):
        return {"dict": sorted(((repr(flat(k, depth + 1)), flat(v, depth + 1)) for k, v in x.items()),
                               key=lambda kv: kv[0])}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [flat(v, depth + 1) for v in x])
    if dataclasses.is_dataclass(x):
        return {f.name: flat(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x)}
    if hasattr(x, "__dict__"):
        return {k: flat(v, depth + 1) for k, v in sorted(vars(x).items()) if not k.startswith("_")}
    return repr(x)


def differences(a, b, path: str = "") -> list[str]:
    """Where the flattened ``a`` and ``b`` differ (paths), at most 10."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} / {type(b).__name__}"]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: missing in {'this tree' if k not in a else 'the baseline'}")
            else:
                out += differences(a[k], b[k], f"{path}.{k}")
        return out[:10]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} / {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")][:10]
    return [] if a == b else [f"{path}: {str(a)[:120]} / {str(b)[:120]}"]


def outputs(c) -> dict:
    """Everything a comparison gives: its fields, and ``comparison.csv``'s text.  The analyses' ``extra["glasses"]``
    (the dark glasses an analysis found, kept since stop 40 for the comparison's cheek check) is left out here and
    checked as a mask by :func:`check` against the baseline's ``align.glasses_mask`` of the same photo."""
    out = {f.name: flat(getattr(c, f.name)) for f in dataclasses.fields(c)}
    for role in ("before", "after"):
        x = getattr(c, role)
        out[role] = flat(dataclasses.replace(x, extra={k: v for k, v in (x.extra or {}).items() if k != "glasses"}))
    out["csv"] = c.to_csv_frame().to_csv(index=False, float_format="%.17g")
    return out


def kept_glasses_differ(c_new, c_old, old) -> list[str]:
    """Where the dark glasses the new analyses keep (``extra["glasses"]``) differ from the baseline's
    ``align.glasses_mask`` of the same photo (its own analysis)."""
    out = []
    for role in ("before", "after"):
        x, y = getattr(c_new, role), getattr(c_old, role)
        kept = (x.extra or {}).get("glasses")
        if kept is None:
            continue
        align = importlib.import_module(old.__name__ + ".align")
        mask = align.glasses_mask(y.photo.rgb, y.points, y.calibration.mm_per_px)
        out += [f"{role} glasses: {d}" for d in differences(flat(kept.mask()), flat(mask))]
    return out


def _clear(pkg) -> None:
    importlib.import_module(pkg.__name__ + ".compare.measure")._local.__dict__.clear()


def packages(rev: str):
    from bench_compare import baseline_package

    return facemetrics, baseline_package(rev)


def check(rev: str, small: bool = False) -> int:
    new, old = packages(rev)
    pairs = compare_pairs.all_pairs(new.analyze_photo, small=small)
    bad = 0
    for name, before, after in pairs:
        for kept in (False, True):
            results, made = [], []
            for pkg in (new, old):
                a, b = pkg.analyze_photo(before, name="before.png"), pkg.analyze_photo(after, name="after.png")
                _clear(pkg)
                c = pkg.compare_photos(a, b)
                if kept:  # the same before analysis again: its before part kept from the call above
                    c = pkg.compare_photos(a, pkg.analyze_photo(after, name="after.png"))
                results.append(outputs(c))
                made.append(c)
            diff = differences(results[0], results[1]) + kept_glasses_differ(made[0], made[1], old)
            bad += bool(diff)
            print(f"{'DIFFERS' if diff else 'same   '} {name}{' (before kept)' if kept else ''}: "
                  f"{results[0]['status']}, {len(results[0]['messages'][1])} messages", flush=True)
            for d in diff:
                print("    ", d)
    print(f"{len(pairs)} pairs x 2 (cold, before kept): {bad} differ")
    return 1 if bad else 0


def check_lift(rev: str, repeats: int = 3) -> int:
    """``--check-lift``: ``simulate.lift`` of the sample and of the London / Canada faces of :mod:`compare_pairs`
    (each face's before photo analysed by this tree), 0.5-3 mm, both sides and one, the three shapes, by this tree
    and by ``rev``: images by their bytes, truths by their floats' bits; and this tree's lift again after the others
    (its regions kept, ``simulate.TRUTH_CACHE_SIZE``) the same.  Then the CPU of ``repeats`` rounds of a face's 5
    lifts (4 sizes and a left-only lift, as tests/test_compare.py's ``check_lifts`` and ``check_left_only``), this
    tree and ``rev`` alternated, medians and their ratio.  Exits 1 if anything differs."""
    new, old = packages(rev)
    faces = [compare_pairs.sample_pairs()[0][1]]
    faces += [compare_pairs.rgb(p) for p in sorted(compare_pairs.LONDON.glob("*_neutral.jpg"))[:3]]
    faces += [compare_pairs.rgb(p) for p in sorted(compare_pairs.CANADA.glob("*.jpg"))[:3]]
    nsim, osim = (importlib.import_module(pkg.__name__ + ".simulate") for pkg in (new, old))
    calls = [(mm, side, shape) for mm in (0.5, 1.0, 2.0, 3.0) for side, shape in (("both", "full"),)] + \
        [(2.0, "left", "full"), (1.5, "right", "taper"), (1.5, "both", "jowl")]
    bad, made = 0, []
    for i, img in enumerate(faces):
        a, b = new.analyze_photo(img, name="a.png"), old.analyze_photo(img, name="a.png")
        made.append((a, b))
        for mm, side, shape in calls:
            x, y = nsim.lift(a, mm, side, shape), osim.lift(b, mm, side, shape)
            z = nsim.lift(a, mm, side, shape)  # its regions kept this time
            d = differences(flat((x.image, x.truth)), flat((y.image, y.truth))) + \
                differences(flat((z.image, z.truth)), flat((y.image, y.truth)))
            bad += bool(d)
            if d:
                print(f"DIFFERS face {i} lift {mm} {side} {shape}:", *d[:4], sep="\n    ")
    print(f"{len(faces)} faces x {len(calls)} lifts (made, and kept): {bad} differ", flush=True)
    runs = {"this tree": [], rev: []}
    for k in range(repeats + 1):
        for name, sm, idx in ((("this tree", nsim, 0), (rev, osim, 1)) if k % 2 else ((rev, osim, 1), ("this tree", nsim, 0))):
            t = time.process_time()
            for pair in made:
                for mm in (0.5, 1.0, 2.0, 3.0):
                    sm.lift(pair[idx], mm)
                sm.lift(pair[idx], 2.0, side="left")
            if k:
                runs[name].append(1000 * (time.process_time() - t))
    n, o = statistics.median(runs["this tree"]), statistics.median(runs[rev])
    print(f"simulate.lift, {len(made)} faces x 5 lifts, CPU ms (median of {repeats}): this tree {n:.0f}, {rev} {o:.0f}, "
          f"ratio {n / o:.3f}")
    return 1 if bad else 0


def _stage_times(stats: pstats.Stats, pkg_dir: str) -> dict:
    out = {}
    for (fn, _, name), (_, _, _, ct, _) in stats.stats.items():
        for mod, func in STAGES:
            if name == func and fn.replace("\\", "/").endswith(f"{pkg_dir}/{mod.replace('.', '/')}.py") or \
                    name == func and fn.replace("\\", "/").endswith(f"{pkg_dir}/{mod.replace('.', '/')}/__init__.py"):
                out[f"{mod}.{func}"] = out.get(f"{mod}.{func}", 0.0) + ct
    return out


KINDS = {"sample": lambda new: compare_pairs.sample_pairs()[0],
         "glasses, after": lambda new: compare_pairs.glasses_pairs(new.analyze_photo)[0],
         "glasses, both": lambda new: compare_pairs.glasses_pairs(new.analyze_photo)[1],
         "1 face / 1 face": lambda new: compare_pairs.faces_pairs(with_one=True)[-1],
         "1 face / 2 faces": lambda new: compare_pairs.faces_pairs()[0],
         "1 face / 3 faces": lambda new: compare_pairs.faces_pairs()[1],
         "2 faces / 2 faces": lambda new: compare_pairs.faces_pairs()[3],
         "mirror image (after)": lambda new: compare_pairs.mirror_pairs(new.analyze_photo)[0],
         "mirror image (turned)": lambda new: compare_pairs.mirror_pairs(new.analyze_photo)[2],
         "turned / turned back": lambda new: compare_pairs.mirror_pairs(new.analyze_photo)[3]}
if compare_pairs.LONDON.is_dir() and compare_pairs.CANADA.is_dir():  # the real faces (stop 58's profile pairs)
    KINDS.update({"London lift 1.5 mm": lambda new: compare_pairs.london_pairs(new.analyze_photo, n=1)[1],
                  "Canada re-take": lambda new: compare_pairs.canada_pairs(new.analyze_photo, n=1)[1],
                  "Canada lift 1 mm": lambda new: compare_pairs.canada_pairs(new.analyze_photo, n=1)[0],
                  "Canada roll 3 deg": lambda new: compare_pairs.canada_pairs(new.analyze_photo, n=2)[2]})


def ratio_interval(new: list[float], old: list[float], n_boot: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % bootstrap interval of median(new) / median(old), the rounds resampled in pairs (both trees of a round saw
    the same load).  ``new``, ``old``: CPU ms per round, the same length."""
    a, b = np.asarray(new, float), np.asarray(old, float)
    idx = np.random.default_rng(seed).integers(0, len(a), (n_boot, len(a)))
    r = np.median(a[idx], axis=1) / np.median(b[idx], axis=1)
    return float(np.percentile(r, 2.5)), float(np.percentile(r, 97.5))


def _timed(pkg, a, b, profiled: bool):
    _clear(pkg)
    if profiled:
        pr = cProfile.Profile(time.process_time)
        pr.enable()
        pkg.compare_photos(a, b)
        pr.disable()
        return _stage_times(pstats.Stats(pr), pkg.__name__)
    t, w = time.process_time(), time.perf_counter()
    pkg.compare_photos(a, b)
    return 1000 * (time.process_time() - t), 1000 * (time.perf_counter() - w)


def timing(rev: str, repeats: int, kinds: str | None = None) -> None:
    """Every kind of pair (``kinds``: only those whose name holds one of these comma-separated words) and both
    packages in turn within each repeat (the machine's load falls on all alike)."""
    new, old = packages(rev)
    KINDS = {k: v for k, v in globals()["KINDS"].items()
             if kinds is None or any(w.strip() in k for w in kinds.split(","))}
    names = (new.__name__, old.__name__)
    inputs, labels = {}, {}
    for kind, make in KINDS.items():
        labels[kind], before, after = make(new)
        for pkg in (new, old):
            inputs[kind, pkg.__name__] = (pkg.analyze_photo(before, name="before.png"),
                                          pkg.analyze_photo(after, name="after.png"))
    runs = {key: [] for key in inputs}
    stages = {key: [] for key in inputs}
    for k in range(repeats + 1):
        for kind in KINDS:
            for pkg in ((new, old) if k % 2 else (old, new)):
                got = _timed(pkg, *inputs[kind, pkg.__name__], profiled=False)
                prof = _timed(pkg, *inputs[kind, pkg.__name__], profiled=True)
                if k:  # the first round warms up
                    runs[kind, pkg.__name__].append(got)
                    stages[kind, pkg.__name__].append(prof)
    cpu = {key: statistics.median(c for c, _ in v) for key, v in runs.items()}
    wall = {key: statistics.median(w for _, w in v) for key, v in runs.items()}
    print(f"compare_photos, this tree / {rev}: every pair and both trees in turn, {repeats} rounds (a new pair every "
          "call: nothing of the before photo kept); CPU ms, medians (wall in brackets)\n")
    print(f"| pair | this tree | {rev} | ratio (95% interval) | this tree / {rev}, x the one-face canvas pair |")
    print("|---|---|---|---|---|")
    one = "1 face / 1 face"
    for kind in KINDS:
        n, o = cpu[kind, names[0]], cpu[kind, names[1]]
        rel = (f"{n / cpu[one, names[0]]:.2f} / {o / cpu[one, names[1]]:.2f}" if (one, names[0]) in cpu
               else "(not run)")  # --kinds without the one-face canvas pair
        lo, hi = ratio_interval([c for c, _ in runs[kind, names[0]]], [c for c, _ in runs[kind, names[1]]])
        print(f"| {kind} | {n:.1f} ({wall[kind, names[0]]:.1f}) | {o:.1f} ({wall[kind, names[1]]:.1f}) | {n / o:.3f} "
              f"({lo:.3f}-{hi:.3f}) | {rel} |")
    print("\nStages: cumulative CPU ms inside each function (profiled calls, medians; profiling inflates them)\n")
    print("| pair | " + " | ".join(f"`{f}`" for _, f in STAGES) + " |")
    print("|---|" + "---|" * len(STAGES))
    for kind in KINDS:
        cells = []
        for mod, func in STAGES:
            key = f"{mod}.{func}"
            n, o = (statistics.median(s.get(key, 0.0) * 1000 for s in stages[kind, p]) for p in names)
            cells.append("" if not (n or o) else f"{n:.0f} / {o:.0f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def timing_warm(rev: str, repeats: int, kinds: str | None = None) -> None:
    """``--time REV --warm``: as :func:`timing`, with the before photo's part kept (its analysis compared in the round
    before) and a new after photo every call (the after pixels copied and analysed again, outside the timed call):
    what a batch or a session with one before photo and several after photos runs.  No stage profile."""
    new, old = packages(rev)
    KINDS = {k: v for k, v in globals()["KINDS"].items()
             if kinds is None or any(w.strip() in k for w in kinds.split(","))}
    befores, afters = {}, {}
    for kind, make in KINDS.items():
        _, before, after = make(new)
        afters[kind] = after
        for pkg in (new, old):
            befores[kind, pkg.__name__] = pkg.analyze_photo(before, name="before.png")
    runs = {key: [] for key in befores}
    for k in range(repeats + 1):
        for kind in KINDS:
            for pkg in ((new, old) if k % 2 else (old, new)):
                b = pkg.analyze_photo(afters[kind].copy(), name="after.png")  # a new after photo
                t = time.process_time()
                pkg.compare_photos(befores[kind, pkg.__name__], b)
                if k:  # the first round warms up (and makes the before part)
                    runs[kind, pkg.__name__].append(1000 * (time.process_time() - t))
    print(f"compare_photos, this tree / {rev}, the before photo's part kept, a new after photo every call, both trees "
          f"in turn, {repeats} rounds; CPU ms, medians\n")
    print(f"| pair | this tree | {rev} | ratio (95% interval) |")
    print("|---|---|---|---|")
    for kind in KINDS:
        n, o = (statistics.median(runs[kind, p.__name__]) for p in (new, old))
        lo, hi = ratio_interval(runs[kind, new.__name__], runs[kind, old.__name__])
        print(f"| {kind} | {n:.1f} | {o:.1f} | {n / o:.3f} ({lo:.3f}-{hi:.3f}) |")
    sys.stdout.flush()


def profile() -> None:
    new = facemetrics
    for kind, make in KINDS.items():
        name, before, after = make(new)
        a, b = new.analyze_photo(before, name="before.png"), new.analyze_photo(after, name="after.png")
        new.compare_photos(a, b)
        pr = cProfile.Profile(time.process_time)
        for _ in range(3):
            _measure_mod._local.__dict__.clear()
            pr.enable()
            new.compare_photos(a, b)
            pr.disable()
        s = io.StringIO()
        pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(14)
        print(f"===== {kind} ({name}), 3 calls, CPU")
        print("\n".join(ln for ln in s.getvalue().splitlines() if ln.strip() and "{" not in ln or "calc" in ln))


#: the ways ``--loop`` checks the before repeats: in every call (``compare_photos``' default), once for the loop
#: (``check_before_repeats``, then ``repeats_checked=``; skipped when the package has no such function) and not at
#: all (``check_repeats=False``: the baseline, the work the loop needs besides the check)
LOOP_MODES = ("every call", "once", "none")
#: the after photos of the loop after which its cumulative CPU is reported
LOOP_COUNTS = (1, 4, 8)


def loop_photos(fm) -> tuple:
    """The before photo, its two repeats and 8 after photos (analyses by ``fm``): the sample's before photo; its
    repeats the before photo rolled 1 deg (JPEG 80) and scaled 0.97 (JPEG 85); the after photos the sample's after
    photo rolled -1.4 to +1.4 deg (JPEG 75-95)."""
    from facemetrics import simulate as sim

    _, before, after = compare_pairs.sample_pairs()[0]
    a = fm.analyze_photo(before, name="before.png")
    reps = (fm.analyze_photo(np.ascontiguousarray(sim.jpeg(sim.roll(before, 1.0).image, 80).image), name="repeat1.png"),
            fm.analyze_photo(np.ascontiguousarray(sim.jpeg(sim.rescale(before, 0.97).image, 85).image),
                             name="repeat2.png"))
    afters = tuple(fm.analyze_photo(np.ascontiguousarray(sim.jpeg(sim.roll(after, d).image, q).image),
                                    name=f"after{k}.png")
                   for k, (d, q) in enumerate(zip(np.linspace(-1.4, 1.4, max(LOOP_COUNTS)),
                                                  (75, 95, 80, 90, 85, 75, 95, 80))))
    return a, reps, afters


def _loop(fm, mode: str, a, reps, afters) -> tuple[list[float], list]:
    """The cumulative CPU ms of the loop after each after photo, and its comparisons."""
    _clear(fm)  # nothing kept from an earlier loop
    t0, cum, out = time.process_time(), [], []
    kw = dict(check_repeats=mode != "none")
    if mode == "once":
        kw["repeats_checked"] = _compare_mod.check_before_repeats(a, reps)
    for b in afters:
        out.append(fm.compare_photos(a, b, before_repeats=reps, **kw))
        cum.append(1000 * (time.process_time() - t0))
    return cum, out


def loop(repeats: int) -> None:
    """``--loop``: the loop over after photos, each way of checking its before repeats, alternated each round."""
    fm = facemetrics
    modes = [m for m in LOOP_MODES if m != "once" or hasattr(_compare_mod, "check_before_repeats")]
    a, reps, afters = loop_photos(fm)
    runs = {}
    for k in range(repeats + 1):
        for n_rep in (1, 2):
            for mode in (modes if k % 2 else modes[::-1]):
                cum, out = _loop(fm, mode, a, reps[:n_rep], afters)
                if k:  # the first round warms up
                    runs.setdefault((n_rep, mode), []).append(cum)
                if mode == "once" and k == 0:  # the same outputs as the check in every call (bit for bit)
                    _, ref = _loop(fm, "every call", a, reps[:n_rep], afters)
                    same = all(not differences(outputs(x), outputs(y)) for x, y in zip(out, ref))
                    print(f"{n_rep} repeat(s): the check once gives {'the same' if same else 'OTHER'} outputs as "
                          "the check in every call", flush=True)
    print(f"\ncompare_photos in a loop over after photos of one before photo with its repeats (analyses given); "
          f"cumulative CPU ms, medians of {repeats} rounds, and x the loop without the check (check_repeats=False)\n")
    print("| before repeats | after photos | " + " | ".join(f"{m}: CPU ms (x none)" for m in modes) + " |")
    print("|---|---|" + "---|" * len(modes))
    for n_rep in (1, 2):
        for n in LOOP_COUNTS:
            med = {m: statistics.median(c[n - 1] for c in runs[n_rep, m]) for m in modes}
            print(f"| {n_rep} | {n} | " + " | ".join(f"{med[m]:.0f} ({med[m] / med['none']:.2f})" for m in modes)
                  + " |")
    sys.stdout.flush()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", metavar="REV")
    p.add_argument("--time", metavar="REV")
    p.add_argument("--check-lift", metavar="REV", help="simulate.lift's images and truths bit for bit against REV, "
                   "and its CPU for a face's 5 lifts")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--loop", action="store_true", help="a loop over 8 after photos with before repeats: the repeat "
                   "checks in every call, once, and none")
    p.add_argument("--small", action="store_true", help="--check on the test's five pairs only")
    p.add_argument("--warm", action="store_true", help="--time with the before photo's part kept, a new after photo "
                   "every call")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--kinds", help="--time: only the kinds of pair whose name holds one of these comma-separated words")
    args = p.parse_args()
    if args.check:
        return check(args.check, args.small)
    if args.check_lift:
        return check_lift(args.check_lift, args.repeats)
    if args.time:
        (timing_warm if args.warm else timing)(args.time, args.repeats, args.kinds)
    if args.profile:
        profile()
    if args.loop:
        loop(args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
