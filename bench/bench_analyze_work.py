"""``analyze_photo`` and ``facemetrics batch`` without wasted work: the same outputs as a baseline revision, and
what they cost.

    PYTHONPATH=. python bench/bench_analyze_work.py --check HEAD      # outputs identical to HEAD's (exit 1 if not)
    PYTHONPATH=. python bench/bench_analyze_work.py --time HEAD       # CPU / wall medians, this tree / HEAD, same run
    PYTHONPATH=. python bench/bench_analyze_work.py --profile HEAD    # cProfile top lines of both, same photos

Photos: the two sample photos, the 12 MP phone photo of :func:`_common.phone_photo` (Face Mesh's and the
detectors' reduced inputs), the sample turned by 180 deg (the upside-down check's second detector) and a
small face on a large canvas (the full-range detector's crop, on the photo and on its mirror image); with
``../shared/faces``: 3 London faces (neutral and smiling) and 3 Canada faces.

The baseline is the package at a git revision, exported read-only (``git archive``).  ``analyze_photo``:
imported as ``fm_baseline`` (:func:`bench_analyze.baseline_package`) and called in this process on the same
photos; every field of the two results (``PhotoAnalysis``: status, points, calibration, quality, jaw, folds,
extra, ...) must be identical to the last bit (:func:`bench_compare_work.flat`: arrays by their bytes, floats
by their bits), and ``to_row()`` too.  ``facemetrics batch``: the command as a user runs it, once with this
tree and once with the baseline export on ``PYTHONPATH``, on ``sample_images/`` (folder convention) and on a
study of the shared faces (a manifest: each London face neutral before and smiling after a treatment, the
Canada faces one subject's before and two after); every file it writes (``photos.csv``, ``changes.csv``,
``long.csv``, the ledger ``.facemetrics-outputs`` and the ``.cache`` entries) must be byte-identical.

``--time``: ``analyze_photo`` of each photo, this tree and the baseline alternated ``--repeats`` times (order
reversed every other round), medians of CPU and wall ms and their ratio; the batch commands alternated
likewise after one warm-up run each (CPU of the command and its worker processes; bytecode cached as an
installed package has it, in the temporary folder).  Shared machines are noisy: read the ratios, never
the ms.  ``--profile``: one cProfile (CPU time) of ``analyze_photo`` over the photos for each package, the top
lines by own time.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import io
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from _common import phone_photo  # noqa: E402
from bench_analyze import baseline_package  # noqa: E402
from bench_compare_work import differences, flat  # noqa: E402

import facemetrics  # noqa: E402

FACES = ROOT.parent / "shared" / "faces"
SAMPLES = ROOT / "sample_images"
LONDON = ("london_003_f38_white", "london_021_m48_white")
N_LONDON, N_CANADA = 3, 3


def shared_faces() -> tuple[list[Path], list[Path]]:
    """``(london, canada)``: the first :data:`N_LONDON` London ids' (neutral, smiling) photos, flattened, and
    the first :data:`N_CANADA` Canada photos; empty without ``../shared/faces``."""
    if not FACES.is_dir():
        return [], []
    neutral = sorted((FACES / "london_ccby").glob("*_neutral.jpg"))[:N_LONDON]
    london = [p for n in neutral for p in (n, n.with_name(n.name.replace("_neutral", "_smiling")))]
    return [p for p in london if p.exists()], sorted((FACES / "canada_ccby").glob("*.jpg"))[:N_CANADA]


def made_photos(tmp: Path) -> list[Path]:
    """The synthetic photos (module docstring), written into ``tmp``."""
    out = [phone_photo(tmp / "phone_12mp.jpg")]
    rgb = np.asarray(Image.open(SAMPLES / "astronaut_before.jpg").convert("RGB"))
    Image.fromarray(np.ascontiguousarray(rgb[::-1, ::-1])).save(tmp / "upside_down.png")
    out.append(tmp / "upside_down.png")
    canvas = np.full((2250, 3000, 3), 170, np.uint8)
    face = cv2.resize(rgb[300:1000, 250:1030], (312, 280), interpolation=cv2.INTER_AREA)
    canvas[900:1180, 1300:1612] = face
    Image.fromarray(canvas).save(tmp / "small_face.jpg", quality=95)
    out.append(tmp / "small_face.jpg")
    return out


def photos(tmp: Path) -> list[Path]:
    london, canada = shared_faces()
    return sorted(SAMPLES.glob("*.jpg")) + made_photos(tmp) + london + canada


# ---- analyze_photo ----------------------------------------------------------------------------------------
def check_analyses(paths: list[Path], base) -> int:
    bad = 0
    for p in paths:
        a, b = facemetrics.analyze_photo(p), base.analyze_photo(p)
        diff = differences(flat(a), flat(b))
        ra, rb = a.to_row(), b.to_row()
        diff += [f"to_row()[{k}]: {ra.get(k)!r} / {rb.get(k)!r}" for k in sorted(set(ra) | set(rb), key=str)
                 if repr(flat(ra.get(k))) != repr(flat(rb.get(k)))]
        bad += bool(diff)
        print(f"{'DIFFERS' if diff else 'same   '} analyze_photo {p.name}: {a.status}, "
              f"{len(a.warnings)} warnings", flush=True)
        for d in diff[:10]:
            print("    ", d)
    return bad


def _cpu_wall(fn) -> tuple[float, float]:
    c, w = time.process_time(), time.perf_counter()
    fn()
    return (time.process_time() - c) * 1e3, (time.perf_counter() - w) * 1e3


def time_analyses(paths: list[Path], base, repeats: int) -> None:
    print(f"analyze_photo, median of {repeats} alternated calls: CPU / wall ms, this tree | baseline | ratio")
    all_c, all_b = [], []
    for p in paths:
        fns = {"this": lambda: facemetrics.analyze_photo(p), "base": lambda: base.analyze_photo(p)}
        for f in fns.values():
            f()  # warm-up
        t = {k: [] for k in fns}
        for i in range(repeats):
            for k in (("this", "base") if i % 2 == 0 else ("base", "this")):
                t[k].append(_cpu_wall(fns[k]))
        (c, w), (bc, bw) = ([statistics.median(x[j] for x in t[k]) for j in (0, 1)] for k in ("this", "base"))
        all_c.append(c)
        all_b.append(bc)
        print(f"  {p.name:34s} {c:7.1f} / {w:7.1f} | {bc:7.1f} / {bw:7.1f} | CPU {c / bc:.2f}  wall {w / bw:.2f}",
              flush=True)
    print(f"  all photos (sum of medians)        CPU {sum(all_c):7.1f} | {sum(all_b):7.1f} | "
          f"{sum(all_c) / sum(all_b):.2f}")


def profile(paths: list[Path], pkgs: dict, top: int) -> None:
    for name, pkg in pkgs.items():
        for p in paths:
            pkg.analyze_photo(p)  # warm-up: models loaded, caches filled
        pr = cProfile.Profile(time.process_time)
        pr.enable()
        for p in paths:
            pkg.analyze_photo(p)
        pr.disable()
        out = io.StringIO()
        pstats.Stats(pr, stream=out).sort_stats("tottime").print_stats(top)
        print(f"==== {name}: analyze_photo of {len(paths)} photos, CPU s, by own time")
        print("\n".join(ln for ln in out.getvalue().splitlines() if ln.strip()
                        and not ln.startswith(("   Ordered", "   List"))))


# ---- facemetrics batch -------------------------------------------------------------------------------------
def export_tree(rev: str) -> Path:
    """The package at ``rev`` as ``facemetrics`` in a temporary folder (for ``PYTHONPATH``)."""
    blob = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "facemetrics"],
                          check=True, capture_output=True).stdout
    root = Path(tempfile.mkdtemp(prefix="fm_tree_"))
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(root)
    return root


def shared_study(tmp: Path) -> Path | None:
    """A manifest study of the shared faces (links to them, never copies): ``manifest.csv`` in its folder."""
    london, canada = shared_faces()
    if not london:
        return None
    folder = tmp / "shared_study"
    folder.mkdir()
    rows = ["photo,subject,treatment,taken_at,treated_at"]
    for p in london:
        (folder / p.name).symlink_to(p)
        who = p.name[:10]
        when = "2026-11-02T07:30" if "_neutral" in p.name else "2026-11-02T10:00"
        rows.append(f"{p.name},{who},rf,{when},2026-11-02T08:00")
    for k, p in enumerate(canada):
        (folder / p.name).symlink_to(p)
        rows.append(f"{p.name},canada,mc,2026-11-03T0{7 + 2 * k}:30,2026-11-03T08:00")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return folder


def batch_jobs(tmp: Path) -> list[tuple[str, list[str]]]:
    """``(name, arguments after 'batch')``: the sample folder and the shared study."""
    jobs = [("sample_images", [str(SAMPLES)])]
    study = shared_study(tmp)
    if study is not None:
        jobs.append(("shared study", [str(study), "--manifest", str(study / "manifest.csv")]))
    return jobs


def run_batch(tree: Path, args: list[str], out: Path) -> tuple[float, float]:
    """``facemetrics batch ARGS -o OUT`` with ``tree`` on ``PYTHONPATH`` (a fresh output folder): CPU s of the
    command and its workers, wall s."""
    shutil.rmtree(out, ignore_errors=True)
    # bytecode cached as in an installed package (a shell with PYTHONDONTWRITEBYTECODE would compile every
    # module at every run: 0.4 s of CPU the same for both trees), in a folder of its own
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), GLOG_minloglevel="2", PYTHONPYCACHEPREFIX=str(out.parent / "pycache"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "facemetrics", "batch", *args, "-o", str(out)], env=env,
                          capture_output=True, text=True, cwd=str(tree))
    wall = time.perf_counter() - w
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"batch failed with {tree}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def files_of(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def check_batches(tmp: Path, base_tree: Path) -> int:
    bad = 0
    for name, args in batch_jobs(tmp):
        run_batch(ROOT, args, tmp / "out_this")
        run_batch(base_tree, args, tmp / "out_base")
        a, b = files_of(tmp / "out_this"), files_of(tmp / "out_base")
        diff = sorted(set(a) ^ set(b)) + [k for k in sorted(set(a) & set(b)) if a[k] != b[k]]
        bad += bool(diff)
        print(f"{'DIFFERS' if diff else 'same   '} batch {name}: {len(a)} files "
              f"({', '.join(k for k in a if '/' not in k)}; {sum(len(v) for v in a.values())} bytes)", flush=True)
        for d in diff[:10]:
            print("     differs:", d)
    return bad


def time_batches(tmp: Path, base_tree: Path, repeats: int) -> None:
    print(f"facemetrics batch (fresh output folder, default workers), median of {repeats} alternated runs: "
          "CPU / wall s, this tree | baseline | ratio")
    for name, args in batch_jobs(tmp):
        t = {"this": [], "base": []}
        trees = {"this": ROOT, "base": base_tree}
        for k in trees:  # warm-up: bytecode written, files in the page cache
            run_batch(trees[k], args, tmp / f"out_{k}")
        for i in range(repeats):
            for k in (("this", "base") if i % 2 == 0 else ("base", "this")):
                t[k].append(run_batch(trees[k], args, tmp / f"out_{k}"))
        (c, w), (bc, bw) = ([statistics.median(x[j] for x in t[k]) for j in (0, 1)] for k in ("this", "base"))
        print(f"  {name:16s} {c:6.2f} / {w:6.2f} | {bc:6.2f} / {bw:6.2f} | CPU {c / bc:.2f}  wall {w / bw:.2f}",
              flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", metavar="REV", help="every output identical to REV's (exit 1 otherwise)")
    g.add_argument("--time", metavar="REV", help="CPU / wall medians against REV, alternated in this run")
    g.add_argument("--profile", metavar="REV", help="cProfile of analyze_photo, this tree and REV")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--top", type=int, default=10, help="--profile: lines shown")
    p.add_argument("--no-batch", action="store_true", help="analyze_photo only")
    args = p.parse_args()
    rev = args.check or args.time or args.profile
    if not FACES.is_dir():
        print(f"note: {FACES} not found: the sample and synthetic photos only")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        paths = photos(tmp)
        base = baseline_package(rev)
        # the export (bench_analyze.baseline_package's temporary folder) removed when this run ends
        atexit.register(shutil.rmtree, Path(base.__file__).parents[1], True)
        if args.profile:
            profile(paths, {"this tree": facemetrics, f"baseline {rev}": base}, args.top)
            return 0
        tree = None if args.no_batch else export_tree(rev)
        try:
            if args.time:
                time_analyses(paths, base, args.repeats)
                if tree is not None:
                    time_batches(tmp, tree, args.repeats)
                return 0
            bad = check_analyses(paths, base)
            if tree is not None:
                bad += check_batches(tmp, tree)
            print(f"{bad} differ" + ("" if bad else ": every output identical to the baseline's"))
            return 1 if bad else 0
        finally:
            if tree is not None:
                shutil.rmtree(tree, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
