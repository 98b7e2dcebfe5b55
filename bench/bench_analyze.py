"""Time to analyze one 12 MP JPEG, as a ratio to decode + Face Mesh alone,
both measured in this run (machines here are noisy: compare ratios, not ms).

    python bench/bench_analyze.py                                  # the ratio
    python bench/bench_analyze.py --stages                         # where a photo's time goes
    python bench/bench_analyze.py --baseline HEAD --repeats 21     # this tree / HEAD, same run
    python bench/bench_analyze.py --baseline HEAD --stages --photos /work/shared/faces/canada_ccby/canada_003f.jpg

Baselines: "full decode + mesh" is what any tool must do at least (cv2.imdecode
of the whole file, then Face Mesh); "reduced decode + mesh" is the same with
the half-size JPEG decode that facemetrics' loader uses for large JPEGs.

``--baseline REV`` exports the package as committed at ``REV`` (``git archive``, read-only,
absolute ``facemetrics`` imports renamed) and imports it as ``fm_baseline``, then calls
both versions alternately in this process on the same photos (the 12 MP JPEG and any
``--photos``): medians of wall and CPU time per call.  ``--stages`` times the parts of
``analyze_photo`` separately (the photo loaded once): loading (decode, pixel check, hash),
Face Mesh, the pose / calibration / frame / expression geometry, image quality, the jaw
(with the refined contour), and each fold.
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_ms, phone_photo  # noqa: E402

from facemetrics import analyze_photo  # noqa: E402
from facemetrics.landmarks import detect_landmarks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def baseline_package(rev: str):
    """The package as committed at ``rev``, imported as ``fm_baseline`` (read-only export)."""
    blob = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "facemetrics"],
                          check=True, capture_output=True).stdout
    root = Path(tempfile.mkdtemp(prefix="fm_baseline_"))
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        for m in tar.getmembers():
            if not m.isfile():
                continue
            data = tar.extractfile(m).read()
            if m.name.endswith(".py"):
                data = (data.decode().replace("from facemetrics.", "from fm_baseline.")
                        .replace("import facemetrics.", "import fm_baseline.").encode())
            out = root / m.name.replace("facemetrics", "fm_baseline", 1)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
    sys.path.insert(0, str(root))
    return importlib.import_module("fm_baseline")


def _timed(fn) -> tuple[float, float]:
    """Wall and CPU ms of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - w) * 1e3, (time.process_time() - c) * 1e3


def _alternate(fns: dict, repeats: int) -> dict:
    """Median wall / CPU ms per name, the calls alternated (order reversed every other round)."""
    for fn in fns.values():
        fn()  # warm-up
    times = {k: ([], []) for k in fns}
    names = list(fns)
    for i in range(repeats):
        for k in (names if i % 2 == 0 else names[::-1]):
            w, c = _timed(fns[k])
            times[k][0].append(w)
            times[k][1].append(c)
    return {k: (statistics.median(w), statistics.median(c)) for k, (w, c) in times.items()}


def _stage_calls(pkg, path: Path) -> dict:
    """Named calls of the parts of ``pkg.analyze_photo(path)`` (the photo loaded once)."""
    load = importlib.import_module(f"{pkg.__name__}.loader").load_photo
    lm = importlib.import_module(f"{pkg.__name__}.landmarks").detect_landmarks
    geo = importlib.import_module(f"{pkg.__name__}.geometry")
    quality = importlib.import_module(f"{pkg.__name__}.quality")
    jaw = importlib.import_module(f"{pkg.__name__}.jaw")
    folds = importlib.import_module(f"{pkg.__name__}.folds")
    photo = load(path)
    rgb = photo.rgb
    h, w = rgb.shape[:2]
    pts = lm(rgb).points
    yaw = geo.head_pose(pts, (w, h))[0]
    cal = geo.calibrate(pts, yaw_deg=yaw)
    frame = geo.levelled_frame(pts, cal.mm_per_px)

    def geometry():
        y = geo.head_pose(pts, (w, h))[0]
        c = geo.calibrate(pts, yaw_deg=y)
        quality.expression(pts, geo.levelled_frame(pts, c.mm_per_px), c.ipd_px)

    return {
        "load (decode, checks, hash)": lambda: load(path),
        "Face Mesh": lambda: lm(rgb),
        "pose, calibration, frame": geometry,
        "image quality": lambda: quality.image_quality(rgb, pts, cal.mm_per_px),
        "jaw (refined contour)": lambda: jaw.jaw_metrics(pts, frame, image=rgb),
        "fold, right": lambda: folds.fold_metrics(rgb, pts, frame, "right"),
        "fold, left": lambda: folds.fold_metrics(rgb, pts, frame, "left"),
        "analyze_photo": lambda: pkg.analyze_photo(path),
    }


def stages(paths: list[Path], repeats: int, base) -> None:
    import facemetrics

    threads = importlib.import_module("facemetrics.threads")
    for path in paths:
        mine = _stage_calls(facemetrics, path)
        theirs = _stage_calls(base, path) if base is not None else {}
        calls = {("this", k): f for k, f in mine.items()} | {("base", k): f for k, f in theirs.items()}
        with threads.single_blas_thread():
            res = _alternate(calls, repeats)
        print(f"{path.name}: median of {repeats}, ms per call, wall / CPU"
              + (" (this tree | baseline | ratio of CPU)" if base is not None else ""))
        for k in mine:
            w, c = res[("this", k)]
            line = f"  {k:28s} {w:7.2f} / {c:7.2f}"
            if base is not None:
                bw, bc = res[("base", k)]
                line += f"   | {bw:7.2f} / {bc:7.2f}   | {c / bc:5.2f}"
            print(line, flush=True)


def _reduced_decode_mesh(path: Path):
    """The floor of a photo's analysis: OpenCV's decode, at half size where the loader uses
    its half-size JPEG decode (long side >= ``loader.FAST_MIN_LONG_SIDE``), and Face Mesh."""
    from PIL import Image

    from facemetrics.loader import FAST_MIN_LONG_SIDE

    blob = path.read_bytes()
    with Image.open(path) as im:
        flag = cv2.IMREAD_REDUCED_COLOR_2 if max(im.size) >= FAST_MIN_LONG_SIDE else cv2.IMREAD_COLOR

    def run():
        bgr = cv2.imdecode(np.frombuffer(blob, np.uint8), flag)
        assert detect_landmarks(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)) is not None

    return run


def against_baseline(paths: list[Path], repeats: int, base) -> None:
    print(f"analyze_photo, this tree against the baseline alternated, median of {repeats} (ms, wall / CPU);"
          " floor = OpenCV decode (half size as the loader) + Face Mesh")
    for path in paths:
        res = _alternate({"this": lambda: analyze_photo(path), "base": lambda: base.analyze_photo(path),
                          "floor": _reduced_decode_mesh(path)}, repeats)
        (w, c), (bw, bc), (fw, fc) = res["this"], res["base"], res["floor"]
        print(f"  {path.name:32s} {w:7.1f} / {c:7.1f}   baseline {bw:7.1f} / {bc:7.1f}   "
              f"ratio {w / bw:.2f} / {c / bc:.2f}   floor {fw:6.1f} / {fc:6.1f}: this {w / fw:.2f} / {c / fc:.2f} x,"
              f" baseline {bw / fw:.2f} / {bc / fc:.2f} x", flush=True)


def ratio(path: Path) -> None:
    blob = path.read_bytes()

    def full():
        rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        assert detect_landmarks(rgb) is not None

    def reduced():
        bgr = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_REDUCED_COLOR_2)
        assert detect_landmarks(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)) is not None

    def analyze():
        assert analyze_photo(path).ok

    t_full, t_red, t_an = median_ms(full), median_ms(reduced), median_ms(analyze)
    print(f"12 MP JPEG ({len(blob) / 1e6:.1f} MB), median of 7 runs")
    print(f"  full decode + Face Mesh     {t_full:7.1f} ms")
    print(f"  reduced decode + Face Mesh  {t_red:7.1f} ms")
    print(f"  analyze_photo               {t_an:7.1f} ms")
    print(f"  ratio analyze / (full decode + mesh)    {t_an / t_full:.2f}  (aim <= 1.3)")
    print(f"  ratio analyze / (reduced decode + mesh) {t_an / t_red:.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--baseline", metavar="REV", help="also time the package as committed at REV, alternately")
    p.add_argument("--stages", action="store_true", help="time the parts of analyze_photo")
    p.add_argument("--repeats", type=int, default=11)
    p.add_argument("--photos", nargs="*", type=Path, default=[], help="photos timed besides the 12 MP JPEG")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = phone_photo(Path(tmp) / "phone_12mp.jpg")
        paths = [path, *args.photos]
        base = baseline_package(args.baseline) if args.baseline else None
        if args.stages:
            stages(paths, args.repeats, base)
        elif base is not None:
            against_baseline(paths, args.repeats, base)
        else:
            ratio(path)


if __name__ == "__main__":
    main()
