"""Time ``compare_photos`` on two 12 MP JPEGs, as a ratio to two ``analyze_photo``
calls alone (both measured in this run: machines here are noisy, compare
ratios, not ms).  With ``--noise-floors``, measure the default noise floors of
``facemetrics.compare`` instead; with ``--pose-floors``, its four pose rows; with ``--accuracy``,
the recovered lifts.

    python bench/bench_compare.py                 # timing, one core
    python bench/bench_compare.py --noise-floors  # validation: noise floors (docs/compare.md)
    python bench/bench_compare.py --pose-floors   # validation: the pose rows' floors (docs/compare.md)
    python bench/bench_compare.py --pose-floors --heldout  # the pose rows on the photos the rule does not use
    python bench/bench_compare.py --noise-floors --write-rule-csv docs/data/noise_floor_rule.csv
    python bench/bench_compare.py --pose-floors --write-rule-csv docs/data/noise_floor_rule.csv
    python bench/bench_compare.py --accuracy      # validation: simulated lifts and folds
    python bench/bench_compare.py --baseline HEAD --repeats 15  # this tree / HEAD, same run
    python bench/bench_compare.py --baseline HEAD --repeats 15 --cold  # same, nothing of the before kept
    python bench/bench_compare.py --baseline HEAD --processes 6 --repeats 7  # each in fresh processes
    python bench/bench_compare.py --baseline HEAD --repeats 15 --before-repeat  # with one before repeat

The 12 MP pair: the astronaut portrait upscaled into a 4032 x 3024 canvas
(face ~1500 px wide) and the same photo with a simulated 1.5 mm lift, both
JPEG quality 92, in a temporary folder.

Noise floors: every nuisance of :data:`facemetrics.simulate.NUISANCES`
(except the identity) is applied to the bundled sample photo and to each
London portrait (neutral and smiling, 24 photos) when ``../shared/faces`` is
present; each nuisance-only pair is compared and the largest |change| of every
metric is reported with its 95th / 99th percentiles.  The floor proposed is
1.25 x the largest |change|, rounded up to two significant digits
(:func:`facemetrics.compare.noise_floors_from_nuisances`, the package's rule).
Every row but the four pose rows is this run's (:data:`POSE_ROWS`).

Pose floors (``--pose-floors``): the pose rows (head pitch, yaw and roll change, camera-distance
change) have their own run of the same rule: the 14 nuisances of
:data:`facemetrics.simulate.NUISANCES` (the identity included) on the same 25 photos as the other rows
(the sample photo and the 12 London portraits, neutral and smiling), 350 nuisance-only pairs; per row the
largest |change|, its pair and the rule's floor (until 2026-12-04 the rule ran on the 5 tuning faces of the
3-D pose correction only, which left 13 of 1120 pose rows on the other 20 photos beyond their floor).
``--heldout``: the same 14 nuisances on the 40 Canada faces, which no floor uses, through ``compare_photos``.  The roll row
takes the roll nuisances' (+-3 deg: a photo turned in its plane is a head roll to the camera, which the row
reads) |change - truth| (the truth, -+3 deg in the row's sign, subtracted), every other pair's |change|.

``--write-rule-csv PATH`` (with either): the rows this run measures are written to ``PATH``
(``docs/data/noise_floor_rule.csv``: metric, side, largest_abs_change, rule_floor, pair, command,
measured_on), the other run's rows kept; ``tests/test_floor_provenance.py`` checks every
``DEFAULT_NOISE_FLOORS`` row against it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _common import median_ms, phone_photo  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics import compare as cp  # noqa: E402
from facemetrics.compare.floors import _floor_key  # noqa: E402
from facemetrics import simulate as sim  # noqa: E402
from facemetrics.analyze import analyze_loaded  # noqa: E402
from facemetrics.loader import load_photo  # noqa: E402

ROOT = HERE.parent
SAMPLE = ROOT / "sample_images" / "astronaut_before.jpg"
LONDON = ROOT.parent / "shared" / "faces" / "london_ccby"
CANADA = ROOT.parent / "shared" / "faces" / "canada_ccby"

#: the rows of ``--pose-floors`` (their own rule's run); every other default floor is ``--noise-floors``'
POSE_ROWS = tuple((m, "mean") for m in cp.POSE_METRICS)
ROLL_ROW = ("head_roll_change_deg", "mean")

#: columns of ``--write-rule-csv`` (docs/data/noise_floor_rule.csv)
RULE_CSV_COLUMNS = ("metric", "side", "largest_abs_change", "rule_floor", "pair", "command", "measured_on")


#: (module, function) pairs timed by ``--stages`` (the module whose global the caller looks up)
STAGES = [("align", "register"), ("align", "dense_flow"), ("align", "sample"), ("align", "robust_similarity"),
          ("pose3d", "depth_map"), ("pose3d", "fit_pose"), ("compare.measure", "score_fold_line"),
          ("compare.measure", "pose_floor_terms"), ("compare.measure", "_remove_pose"),
          ("compare.measure", "match_tones"), ("compare.measure", "region_masks")]


def baseline_package(rev: str):
    """The package as committed at git revision ``rev``, imported as ``fm_baseline``.

    Read-only: the files come from ``git show rev:path`` into a temporary folder (absolute
    ``facemetrics`` imports renamed), so both versions run in one process and are timed
    alternately (``--baseline``).
    """
    import importlib

    sys.path.insert(0, str(_export_baseline(rev)))
    return importlib.import_module("fm_baseline")


def _export_baseline(rev: str) -> Path:
    """Folder holding the package at ``rev`` as ``fm_baseline`` (see :func:`baseline_package`)."""
    import subprocess

    names = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", rev, "facemetrics"],
                           check=True, capture_output=True, text=True).stdout.split()
    root = Path(tempfile.mkdtemp(prefix="fm_baseline_"))
    for name in names:
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{name}"], check=True,
                              capture_output=True).stdout
        if name.endswith(".py"):
            text = (text.decode().replace("from facemetrics.", "from fm_baseline.")
                    .replace("import facemetrics.", "import fm_baseline.").encode())
        out = root / name.replace("facemetrics", "fm_baseline", 1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(text)
    return root


def against_baseline_processes(rev: str, repeats: int, processes: int) -> None:
    """``compare_photos`` given the two analyses, this tree against revision ``rev``, each in its
    own fresh process (``processes`` of each, alternating; ``repeats`` timed calls in each): the
    way a real process runs one version, whose fresh memory (page faults) differs from that of a
    process holding both versions."""
    import json
    import statistics
    import subprocess

    base_dir = _export_baseline(rev)
    samples: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": [], "faults": []}
                                                  for k in ("this tree", rev)}
    with tempfile.TemporaryDirectory() as tmp:
        before, after = _pair_12mp(Path(tmp))
        for i in range(processes):
            for k in (("this tree", rev) if i % 2 == 0 else (rev, "this tree")):
                cmd = [sys.executable, __file__, "--_child", str(before), str(after), str(repeats)]
                if k == rev:
                    cmd.append(str(base_dir))
                run = subprocess.run(cmd, check=True, capture_output=True, text=True)
                got = json.loads(run.stdout.splitlines()[-1])
                for key in samples[k]:
                    samples[k][key] += got[key]
    print(f"compare_photos given the two analyses (two 12 MP JPEGs), {processes} fresh processes per version "
          f"(alternating) x {repeats} calls, OpenCV on 1 thread")
    for k, d in samples.items():
        print(f"  {k:12s} wall median {statistics.median(d['wall']):6.1f} ms  min {min(d['wall']):6.1f} ms   "
              f"CPU median {statistics.median(d['cpu']):6.1f} ms  min {min(d['cpu']):6.1f} ms   "
              f"page faults median {statistics.median(d['faults']):.0f}")
    a, b = samples["this tree"], samples[rev]
    med = statistics.median
    print(f"  RATIO this tree / {rev}: wall median {med(a['wall']) / med(b['wall']):.3f}, "
          f"wall min {min(a['wall']) / min(b['wall']):.3f}, CPU median "
          f"{med(a['cpu']) / med(b['cpu']):.3f}, CPU min {min(a['cpu']) / min(b['cpu']):.3f}")


def _child(before: str, after: str, repeats: int, base_dir: str | None) -> None:
    """One process of :func:`against_baseline_processes`: JSON of per-call wall / CPU ms and faults."""
    import json
    import resource
    import time

    cv2.setNumThreads(1)
    if base_dir:
        import importlib

        sys.path.insert(0, base_dir)
        pkg = importlib.import_module("fm_baseline")
        compare, analyse = importlib.import_module("fm_baseline.compare").compare_photos, pkg.analyze_photo
    else:
        compare, analyse = cp.compare_photos, analyze_photo
    args = (analyse(Path(before)), analyse(Path(after)))
    for _ in range(2):
        compare(*args)
    out: dict[str, list[float]] = {"wall": [], "cpu": [], "faults": []}
    for _ in range(repeats):
        n = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t, c = time.perf_counter(), time.process_time()
        compare(*args)
        out["wall"].append(1000 * (time.perf_counter() - t))
        out["cpu"].append(1000 * (time.process_time() - c))
        out["faults"].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - n)
    print(json.dumps(out))


def against_baseline(rev: str, repeats: int, cold: bool = False, before_repeat: bool = False) -> None:
    """``compare_photos`` given the two analyses: this tree against revision ``rev``, alternating
    calls in one process (medians and minima of wall and CPU time, and their ratios).

    ``before_repeat``: with one repeat of the before photo (:func:`_repeat_12mp`, analysed by each tree),
    given as ``before_repeats`` in every call (which then checks it against the before photo: one more
    comparison), and, when this tree has :func:`facemetrics.compare.check_before_repeats`, a third run of this
    tree with that check made once beforehand (``repeats_checked=``: a loop over after photos).

    The same before analysis in every call: this tree keeps its before-only part after the first
    call (``compare.measure.BEFORE_CACHE_SIZE``), as for one before photo compared with several
    after photos; ``cold=True`` turns that off (every call computes it, as for a new pair), in
    the baseline too when it has that cache.
    """
    import resource
    import statistics
    import time

    from facemetrics.compare import measure

    cv2.setNumThreads(1)
    if cold:
        measure.BEFORE_CACHE_SIZE = 0
        measure._local.before = []
    print("this tree's before-only cache: " + ("off (--cold: every call computes it)" if cold else
                                               "on (the same before analysis in every call)"))
    base = baseline_package(rev)
    from fm_baseline.compare import compare_photos as compare_base  # noqa: E402

    if cold:  # a baseline that keeps the before photo's part too: off there as well (a fair cold pair)
        import importlib

        base_measure = importlib.import_module("fm_baseline.compare.measure")
        if hasattr(base_measure, "BEFORE_CACHE_SIZE"):
            base_measure.BEFORE_CACHE_SIZE = 0
            base_measure._local.before = []

    with tempfile.TemporaryDirectory() as tmp:
        before, after = _pair_12mp(Path(tmp))
        new = (analyze_photo(before), analyze_photo(after))
        old = (base.analyze_photo(before), base.analyze_photo(after))
        runs = {"this tree": (cp.compare_photos, new), rev: (compare_base, old)}
        if before_repeat:
            rep = _repeat_12mp(Path(tmp), new[0])
            r_new, r_old = analyze_photo(rep), base.analyze_photo(rep)
            runs = {"this tree": (lambda a, b: cp.compare_photos(a, b, before_repeats=[r_new]), new),
                    rev: (lambda a, b: compare_base(a, b, before_repeats=[r_old]), old)}
            if hasattr(cp, "check_before_repeats"):
                checked = cp.check_before_repeats(new[0], [r_new])
                runs["checked once"] = (lambda a, b: cp.compare_photos(a, b, before_repeats=[r_new],
                                                                       repeats_checked=checked), new)
            print(f"with one before repeat: {cp.compare_photos(*new, before_repeats=[r_new]).noise_source}")
        wall: dict[str, list[float]] = {k: [] for k in runs}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        faults: dict[str, list[int]] = {k: [] for k in runs}  # minor page faults (fresh memory)
        for f, args in runs.values():
            f(*args)
        for i in range(repeats):
            for k in (list(runs) if i % 2 == 0 else list(runs)[::-1]):
                f, args = runs[k]
                n = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                t, c = time.perf_counter(), time.process_time()
                f(*args)
                wall[k].append(1000 * (time.perf_counter() - t))
                cpu[k].append(1000 * (time.process_time() - c))
                faults[k].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - n)
        print(f"compare_photos given the two analyses (two 12 MP JPEGs), {repeats} alternating runs each, "
              "OpenCV on 1 thread")
        for k in runs:
            print(f"  {k:12s} wall median {statistics.median(wall[k]):6.1f} ms  min {min(wall[k]):6.1f} ms   "
                  f"CPU median {statistics.median(cpu[k]):6.1f} ms  min {min(cpu[k]):6.1f} ms   "
                  f"page faults median {statistics.median(faults[k]):.0f}")
        a, b = "this tree", rev
        print(f"  RATIO this tree / {rev}: wall median {statistics.median(wall[a]) / statistics.median(wall[b]):.3f}, "
              f"wall min {min(wall[a]) / min(wall[b]):.3f}, CPU median "
              f"{statistics.median(cpu[a]) / statistics.median(cpu[b]):.3f}, CPU min {min(cpu[a]) / min(cpu[b]):.3f}")
        if "checked once" in runs:
            c = "checked once"
            print(f"  RATIO checked once / {rev}: CPU median {statistics.median(cpu[c]) / statistics.median(cpu[b]):.3f},"
                  f" CPU min {min(cpu[c]) / min(cpu[b]):.3f}; checked once / this tree: CPU median "
                  f"{statistics.median(cpu[c]) / statistics.median(cpu[a]):.3f}")
        ca, cb = cp.compare_photos(*new), compare_base(*old)
        print(f"  (check: jawline_lift_mm {ca.lifts['jawline']['mean']:.4f} mm here, "
              f"{cb.lifts['jawline']['mean']:.4f} mm at {rev}; simulated 1.5 mm)")


def _pair_12mp(tmp: Path) -> tuple[Path, Path]:
    """The 12 MP before photo and its simulated 1.5 mm lift (module docstring), in ``tmp``."""
    from PIL import Image

    before = phone_photo(tmp / "before_12mp.jpg")
    a = analyze_photo(before)
    assert a.ok, a.error
    after_rgb = sim.lift(a, 1.5).image
    after = tmp / "after_12mp.jpg"
    # the lift was simulated on the analysed (reduced) image: upscale back to 12 MP
    full = cv2.resize(after_rgb, (4032, 3024), interpolation=cv2.INTER_CUBIC)
    Image.fromarray(full).save(after, "JPEG", quality=92)
    return before, after


def _repeat_12mp(tmp: Path, a) -> Path:
    """A repeat of the 12 MP before photo (``a``: its analysis): the face lifted 0.2 mm (another photo of the same
    state, not a re-saved copy of it), turned 1 deg, at 12 MP, JPEG 90, in ``tmp``."""
    from PIL import Image

    rgb = sim.roll(sim.lift(a, 0.2).image, 1.0).image
    out = tmp / "before_repeat_12mp.jpg"
    Image.fromarray(cv2.resize(rgb, (4032, 3024), interpolation=cv2.INTER_CUBIC)).save(out, "JPEG", quality=90)
    return out


def stage_times(fn, repeats: int) -> dict[str, float]:
    """Mean ms per call of ``fn()`` spent inside each of :data:`STAGES` (wrapped for the run)."""
    import functools
    import importlib
    import time

    acc: dict[str, float] = {}
    saved = []
    for mod_name, name in STAGES:
        mod = importlib.import_module(f"facemetrics.{mod_name}")
        f = getattr(mod, name)

        def wrapped(*a, _f=f, _k=f"{mod_name}.{name}", **kw):
            t = time.perf_counter()
            try:
                return _f(*a, **kw)
            finally:
                acc[_k] = acc.get(_k, 0.0) + time.perf_counter() - t

        saved.append((mod, name, f))
        setattr(mod, name, functools.wraps(f)(wrapped))
    try:
        for _ in range(repeats):
            fn()
    finally:
        for mod, name, f in saved:
            setattr(mod, name, f)
    return {k: 1000 * v / repeats for k, v in acc.items()}


def timing(repeats: int, stages: bool = False) -> None:
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        before, after = _pair_12mp(Path(tmp))

        def analyses():
            assert analyze_photo(before).ok and analyze_photo(after).ok

        def compare():
            c = cp.compare_photos(before, after)
            assert c.status != "refused", c.messages
            return c

        ana_b, ana_a = analyze_photo(before), analyze_photo(after)
        dec = median_ms(lambda: (load_photo(before), load_photo(after)), repeats)
        t_an = median_ms(analyses, repeats)
        t_cmp = median_ms(compare, repeats)
        t_given = median_ms(lambda: cp.compare_photos(ana_b, ana_a), repeats)
        c = compare()
        print(f"two 12 MP JPEGs (4032 x 3024), median of {repeats} runs, OpenCV on 1 thread "
              "(cv2.setNumThreads(1); MediaPipe's own threads are not limited)")
        print(f"  two analyze_photo calls  {t_an:7.1f} ms")
        print(f"  compare_photos           {t_cmp:7.1f} ms  (target < 1000 ms)")
        print(f"  ratio compare / two analyses  {t_cmp / t_an:.2f}")
        print(f"  compare beyond the analyses   {t_cmp - t_an:7.1f} ms")
        print(f"  compare_photos given the two analyses  {t_given:7.1f} ms  (issue 12: <= 150 ms)")
        print(f"  decode of the two files (load_photo)   {dec:7.1f} ms")
        print(f"  RATIO compare given analyses / decode of the two files  {t_given / dec:.2f}")
        if stages:
            print("  where compare_photos (given the analyses) spends its time, ms per call:")
            for k, v in sorted(stage_times(lambda: cp.compare_photos(ana_b, ana_a), repeats).items(),
                               key=lambda kv: -kv[1]):
                print(f"    {k:26s} {v:7.1f}")
        print(f"  (check: simulated 1.5 mm lift recovered as jawline_lift_mm = {c.lifts['jawline']['mean']:.3f} mm, "
              f"status {c.status})")


def _faces() -> list[Path]:
    faces = [SAMPLE]
    if LONDON.is_dir():
        faces += sorted(LONDON.glob("*_neutral.jpg")) + sorted(LONDON.glob("*_smiling.jpg"))
    else:
        print(f"(optional London set absent at {LONDON}: sample photo only)")
    return faces


def _variant(a, rgb):
    return analyze_loaded(dataclasses.replace(a.photo, rgb=rgb))


def nuisance_faces(faces=None):
    """The nuisance-only pairs of ``--noise-floors`` without the identity, face by face (the loop of the benches
    that read the fold rows' floors on them: ``bench_fold_framing.py --floors``, ``fold_carry_floors.py``): each
    photo of ``faces`` (default :func:`_faces`: the sample and the 24 London portraits) measured by
    ``analyze_photo`` (one not measured is passed over).  Yields ``(path, before, afters)``: ``afters`` yields
    ``(nuisance name, after)`` for each nuisance of :data:`facemetrics.simulate.NUISANCES` but the identity, in
    their order, the after photo (:func:`_variant` of the nuisance's image) measured when it is reached."""
    for path in _faces() if faces is None else faces:
        a = analyze_photo(path)
        if not a.ok:
            continue
        yield path, a, ((name, _variant(a, fn(a).image)) for name, fn in sim.NUISANCES.items() if name != "identity")


def write_rule_csv(path: Path, worst: dict, floors: dict, command: str) -> None:
    """Update the rule CSV at ``path`` with this run's rows (``worst``: ``{key: (|change|, pair)}``,
    ``floors``: the rule's ``{key: floor}``); rows of keys this run did not measure are kept.
    Rows in :data:`facemetrics.compare.DEFAULT_NOISE_FLOORS` order (unknown keys last)."""
    import csv
    import datetime

    rows: dict[tuple[str, str], dict] = {}
    if path.is_file():
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                rows[(r["metric"], r["side"])] = r
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    for key, (v, pair) in worst.items():
        rows[key] = dict(metric=key[0], side=key[1], largest_abs_change=f"{v:.6g}", rule_floor=f"{floors[key]:.6g}",
                         pair=pair, command=command, measured_on=today)
    order = {k: i for i, k in enumerate(cp.DEFAULT_NOISE_FLOORS)}
    out = sorted(rows.values(), key=lambda r: (order.get((r["metric"], r["side"]), len(order)), r["metric"], r["side"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, RULE_CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in RULE_CSV_COLUMNS} for r in out)
    print(f"wrote {path} ({len(worst)} rows of this run, {len(out)} in all)")


def _pose_errors(a, s) -> dict:
    """The pose rows' errors of the nuisance-only pair (``a``, the simulated ``s``): ``{key: change - truth}``.

    The truth is 0 except for the roll row under the roll nuisances: ``simulate.roll(+deg)`` turns the
    photo counter-clockwise, which the row (> 0: clockwise in the image) reads as a true roll of ``-deg``.
    """
    pair = cp._measure(a, _variant(a, s.image))
    ch = {k: pair.values[k][2] for k in POSE_ROWS}
    ch[ROLL_ROW] = ch[ROLL_ROW] + s.truth.get("roll_deg", 0.0)
    if abs(ch[ROLL_ROW]) > 0.5:  # a roll nuisance read with the other sign: the convention changed
        raise RuntimeError(f"roll row error {ch[ROLL_ROW]:+.3f} deg (truth roll {s.truth.get('roll_deg', 0.0)} deg)")
    return ch


def pose_floors(rule_csv: Path | None = None) -> None:
    """The pose rows' floors by their rule (module docstring): 14 nuisances x the 25 photos of
    ``--noise-floors`` (the sample and the 12 London portraits, neutral and smiling), as every other row."""
    cv2.setNumThreads(1)
    worst: dict[tuple[str, str], tuple[float, str]] = {}
    pair_changes: list[dict] = []
    faces = _faces()
    n_pairs = 0
    for path in faces:
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.error}")
            continue
        for name, fn in sim.NUISANCES.items():
            ch = _pose_errors(a, fn(a))
            n_pairs += 1
            pair_changes.append(ch)
            for key, v in ch.items():
                if np.isfinite(v) and abs(v) > worst.get(key, (-1.0, ""))[0]:
                    worst[key] = (abs(float(v)), f"{path.name} {name}")
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    floors = cp.noise_floors_from_nuisances(pair_changes)
    units = {s.metric: s.unit for s in cp.METRICS}
    print(f"\n{n_pairs} nuisance-only pairs ({len(sim.NUISANCES)} nuisances, the identity included) "
          f"on {len(faces)} photos (those of --noise-floors)")
    print("| row | unit | largest abs. change | pair | rule floor (1.25 x, 2 sig. digits up) | DEFAULT_NOISE_FLOORS | |")
    print("|---|---|---|---|---|---|---|")
    for key in POSE_ROWS:
        v, pair = worst.get(key, (float("nan"), "-"))
        cur = cp.DEFAULT_NOISE_FLOORS[key]
        f = floors.get(key, float("nan"))
        note = "below its rule" if cur < f else "at or above its rule"
        print(f"| `{key[0]}` | {units.get(key[0], '')} | {v:.4g} | {pair} | {f:.3g} | {cur:.3g} | {note} |")
    if rule_csv is not None:
        write_rule_csv(rule_csv, {k: worst[k] for k in POSE_ROWS if k in worst}, floors,
                       "python bench/bench_compare.py --pose-floors")


def pose_floors_heldout() -> None:
    """The pose rows on photos the pose rule does not use (the 40 Canada faces), the same 14 nuisances, through
    ``compare_photos``: per row the largest |error| (as :func:`_pose_errors`), its pair, and how many pairs
    read it beyond the row's own floor (:func:`facemetrics.compare.pose_uncertainty`: the default floor, the
    fit's 2 SD and the relative part)."""
    cv2.setNumThreads(1)
    faces = sorted(CANADA.glob("*.jpg"))
    if not faces:
        raise SystemExit(f"the held-out check needs the Canada faces at {CANADA}")
    worst: dict[tuple[str, str], tuple[float, str]] = {}
    beyond: dict[tuple[str, str], list[str]] = {k: [] for k in POSE_ROWS}
    n_pairs = 0
    for path in faces:
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.error}")
            continue
        for name, fn in sim.NUISANCES.items():
            s = fn(a)
            c = cp.compare_photos(a, _variant(a, s.image))
            n_pairs += 1
            rows = {(r.metric, r.side): r for r in c.changes}
            for key in POSE_ROWS:
                r = rows[key]
                err = r.change + (s.truth.get("roll_deg", 0.0) if key == ROLL_ROW else 0.0)
                if np.isfinite(err) and abs(err) > worst.get(key, (-1.0, ""))[0]:
                    worst[key] = (abs(float(err)), f"{path.name} {name}")
                if np.isfinite(err) and abs(err) > r.noise_floor:
                    beyond[key].append(f"{path.name} {name} ({err:+.3g} > {r.noise_floor:.3g})")
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    print(f"\nheld out: {n_pairs} nuisance-only pairs ({len(sim.NUISANCES)} nuisances) on {len(faces)} photos "
          "not used by the pose rule")
    print("| row | largest abs. error | pair | DEFAULT_NOISE_FLOORS | pairs beyond the row's floor (compare_photos) |")
    print("|---|---|---|---|---|")
    for key in POSE_ROWS:
        v, pair = worst.get(key, (float("nan"), "-"))
        print(f"| `{key[0]}` | {v:.4g} | {pair} | {cp.DEFAULT_NOISE_FLOORS[key]:.3g} | {len(beyond[key])} |")
    for key in POSE_ROWS:
        for b in beyond[key]:
            print(f"  beyond: {key[0]}: {b}")


def noise_floors(rule_csv: Path | None = None) -> None:
    cv2.setNumThreads(1)
    changes: dict[tuple[str, str], list[float]] = {}
    worst: dict[tuple[str, str], tuple[float, str]] = {}
    faces = _faces()
    n_pairs = 0
    per_nuisance: dict[str, dict[str, float]] = {}
    pair_changes: list[dict] = []
    for path in faces:
        a = analyze_photo(path)
        if not a.ok:
            print(f"skip {path.name}: {a.error}")
            continue
        for name, fn in sim.NUISANCES.items():
            if name == "identity":
                continue
            pair = cp._measure(a, _variant(a, fn(a).image))
            n_pairs += 1
            pn = per_nuisance.setdefault(name, {"lift": 0.0, "fold_depth": 0.0, "fold_contrast": 0.0,
                                                "pitch": 0.0, "widening": 0.0, "rise": 0.0, "residual": 0.0})
            pn["lift"] = max(pn["lift"], max(abs(v) for d in pair.lifts.values() for v in d.values()))
            pn["fold_depth"] = max(pn["fold_depth"], max(abs(pair.values[("nlf_depth", s)][2]) for s in ("right", "left")))
            pn["fold_contrast"] = max(pn["fold_contrast"],
                                      max(abs(pair.values[("nlf_contrast_pct", s)][2]) for s in ("right", "left")))
            pn["pitch"] = max(pn["pitch"], abs(pair.cues["pose_pitch_deg"]), abs(pair.cues["pose_yaw_deg"]))
            pn["widening"] = max(pn["widening"], abs(pair.cues["mouth_widening_mm"]))
            pn["rise"] = max(pn["rise"], pair.cues["mouth_corner_rise_mm"])
            pn["residual"] = max(pn["residual"], pair.alignment.residual_mm)
            pair_changes.append({k: v[2] for k, v in pair.values.items()})
            for (metric, side), (_, _, ch) in pair.values.items():
                key = _floor_key(metric, side)
                changes.setdefault(key, []).append(abs(ch))
                if abs(ch) > worst.get(key, (-1, ""))[0]:
                    worst[key] = (abs(ch), f"{path.name} {name}")
        print(f"{path.name}: done", file=sys.stderr, flush=True)
    print(f"\n{n_pairs} nuisance-only pairs from {len(faces)} photos; largest value per nuisance")
    print("| nuisance | lift, any region/side (mm) | fold depth (index) | fold contrast (pct) | "
          "pose yaw/pitch (deg) | mouth widening (mm) | mouth-corner rise (mm) | upper-face residual (mm) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, pn in per_nuisance.items():
        print(f"| {name} | {pn['lift']:.3f} | {pn['fold_depth']:.2f} | {pn['fold_contrast']:.2f} | {pn['pitch']:.3f} | "
              f"{pn['widening']:.3f} | {pn['rise']:.3f} | {pn['residual']:.3f} |")
    print("\n|change| per metric")
    print("| metric | sides | unit | 95th pct | 99th pct | max | worst case | default floor |")
    print("|---|---|---|---|---|---|---|---|")
    floors = cp.noise_floors_from_nuisances(pair_changes)  # the package's one rule
    for spec in cp.METRICS:
        for kind in ("side", "mean"):
            key = (spec.metric, kind)
            if key not in changes:
                continue
            v = np.array(changes[key])
            print(f"| `{spec.metric}` | {'right/left' if kind == 'side' else 'mean'} | {spec.unit} | "
                  f"{np.percentile(v, 95):.3g} | {np.percentile(v, 99):.3g} | {v.max():.3g} | {worst[key][1]} | "
                  f"{floors.get(key, float('nan')):.3g} |")
    print("\nDEFAULT_NOISE_FLOORS = {")
    for key, f in floors.items():
        print(f"    {key!r}: {f:.3g},")
    print("}")
    if rule_csv is not None:  # the pose rows are --pose-floors' (their own rule's faces)
        write_rule_csv(rule_csv, {k: w for k, w in worst.items() if k not in POSE_ROWS and k in floors}, floors,
                       "python bench/bench_compare.py --noise-floors")


def accuracy() -> None:
    cv2.setNumThreads(1)
    print("| photo | truth mm | jawline mean | right | left | jowl | mouth corner (truth) | landmarks jawline |")
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for path in _faces():
        if "smiling" in path.name:
            continue
        a = analyze_photo(path)
        for mm in (0.5, 1.0, 2.0, 3.0):
            s = sim.lift(a, mm)
            c = cp.compare_photos(a, _variant(a, s.image))
            L = c.lifts
            worst = max(worst, abs(L["jawline"]["mean"] - s.truth["jawline_lift_mm"]) / (0.1 + 0.05 * mm))
            print(f"| {path.name} | {mm} | {L['jawline']['mean']:.3f} | {L['jawline']['right']:.3f} | "
                  f"{L['jawline']['left']:.3f} | {L['jowl']['mean']:.3f} | {L['mouth_corner']['mean']:.3f} "
                  f"({s.truth['mouth_corner_lift_mm']:.3f}) | {c.landmark_lifts['jawline']['mean']:.3f} |")
        s = sim.lift(a, 2.0, side="left")
        c = cp.compare_photos(a, _variant(a, s.image))
        print(f"| {path.name} | 2 (left only: truth R {s.truth['jawline_lift_right_mm']:.3f}, "
              f"L {s.truth['jawline_lift_left_mm']:.3f}) | {c.lifts['jawline']['mean']:.3f} | "
              f"{c.lifts['jawline']['right']:.3f} | {c.lifts['jawline']['left']:.3f} | | | |")
    print(f"\nlargest error as a fraction of the tolerance 0.1 mm + 5 %: {worst:.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--noise-floors", action="store_true", help="measure the default noise floors")
    p.add_argument("--pose-floors", action="store_true", help="measure the pose rows' default noise floors "
                   "(14 nuisances on the 25 photos of --noise-floors)")
    p.add_argument("--heldout", action="store_true", help="with --pose-floors: the pose rows on the 40 Canada "
                   "faces instead (how many nuisance-only pairs read beyond their floor)")
    p.add_argument("--write-rule-csv", type=Path, metavar="PATH", help="with --noise-floors or --pose-floors: "
                   "write that run's rows of the floors' rule to PATH (docs/data/noise_floor_rule.csv), "
                   "keeping the other run's rows")
    p.add_argument("--accuracy", action="store_true", help="recovered lifts on simulated changes")
    p.add_argument("--repeats", type=int, default=5, help="timing repeats (median)")
    p.add_argument("--stages", action="store_true", help="with the timing: where compare_photos spends its time")
    p.add_argument("--baseline", metavar="REV", help="time compare_photos (given the analyses) against the "
                   "package at git revision REV (e.g. HEAD), alternating in one process")
    p.add_argument("--processes", type=int, metavar="N", help="with --baseline: each version in N fresh "
                   "processes instead (alternating), --repeats calls in each")
    p.add_argument("--cold", action="store_true", help="with --baseline: this tree keeps nothing of the before "
                   "photo between calls (a new pair every call; by default its before-only part is kept, "
                   "as when one before photo is compared with several after photos)")
    p.add_argument("--before-repeat", action="store_true", help="with --baseline: one before repeat in every call "
                   "(checked in every call, and checked once beforehand when this tree can)")
    p.add_argument("--_child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.write_rule_csv and not (args.noise_floors or args.pose_floors) or args.write_rule_csv and args.heldout:
        p.error("--write-rule-csv goes with --noise-floors or --pose-floors (not --heldout)")
    if args.heldout and not args.pose_floors:
        p.error("--heldout goes with --pose-floors")
    if args._child:
        _child(args._child[0], args._child[1], int(args._child[2]), args._child[3] if len(args._child) > 3 else None)
    elif args.baseline and args.processes:
        against_baseline_processes(args.baseline, args.repeats, args.processes)
    elif args.baseline:
        against_baseline(args.baseline, args.repeats, cold=args.cold, before_repeat=args.before_repeat)
    elif args.noise_floors:
        noise_floors(args.write_rule_csv)
    elif args.pose_floors and args.heldout:
        pose_floors_heldout()
    elif args.pose_floors:
        pose_floors(args.write_rule_csv)
    elif args.accuracy:
        accuracy()
    else:
        timing(args.repeats, stages=args.stages)


if __name__ == "__main__":
    main()
