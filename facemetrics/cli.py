"""Command line: ``facemetrics analyze|...`` (also ``python -m facemetrics``).

A thin shell over the library: parse arguments, call the same functions the
app calls, write files, print a short summary.  Exit status 0 when the run
completed (even if some photos were unusable: they are ``status`` rows),
2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__

#: file endings treated as photos when a folder is given
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")


def find_photos(paths: list[str]) -> list[Path]:
    """Files given directly, plus photos found recursively in given folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in PHOTO_SUFFIXES
                          and not f.name.startswith("."))
        else:
            out.append(p)
    return out


def _progress(i: int, n: int, name: str, status: str) -> None:
    print(f"[{i}/{n}] {name}: {status}", file=sys.stderr, flush=True)


def cmd_analyze(args: argparse.Namespace) -> int:
    from .analyze import analyze_photo
    from .export import rows_frame, write_csv, write_json, write_png
    from .overlay import photo_overlay

    photos = find_photos(args.photos)
    if not photos:
        print("facemetrics analyze: no photos found in " + " ".join(args.photos), file=sys.stderr)
        return 2
    rows = []
    for i, path in enumerate(photos, 1):
        result = analyze_photo(path, subject=args.subject, mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm)
        rows.append(result.to_row())
        # written after every photo: an interrupted run keeps what it measured
        write_csv(rows_frame(rows), args.output)
        if args.overlays and result.ok:
            write_png(photo_overlay(result), Path(args.overlays) / f"{path.stem}_overlay.png")
        if args.geometry:
            write_json(result.geometry(), Path(args.geometry) / f"{path.stem}.json")
        _progress(i, len(photos), path.name, result.status if result.ok else f"{result.status} - {result.error}")
    n_ok = sum(r["status"] == "ok" for r in rows)
    print(f"{n_ok} of {len(rows)} photos measured; table written to {args.output}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch

    if not Path(args.folder).is_dir():
        print(f"facemetrics batch: {args.folder} is not a folder", file=sys.stderr)
        return 2
    res = run_batch(args.folder, args.output, manifest=args.manifest, workers=args.workers,
                    mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm)
    n_ok = int((res.photos["status"] == "ok").sum())
    print(f"{n_ok} of {len(res.photos)} photos measured ({res.n_cached} from the cache), "
          f"{len(res.changes)} changes; {len(res.excluded)} photos excluded from the changes. "
          f"Tables in {args.output}: photos.csv, changes.csv, long.csv ({res.seconds:.1f} s)")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from .batch import run_timeline

    if not (Path(args.folder) / "long.csv").is_file():
        print(f"facemetrics timeline: {args.folder}/long.csv not found (run `facemetrics batch` first)",
              file=sys.stderr)
        return 2
    sides = ("mean", "right", "left") if args.all_sides else ("mean",)
    _, table = run_timeline(args.folder, args.output or args.folder, sides=sides, min_effect=args.min_effect,
                            n_boot=args.n_boot, seed=args.seed)
    _print_verdicts(table)
    print(f"written: timeline.csv, timeline.png, report.md in {args.output or args.folder}")
    return 0


def _print_verdicts(table) -> None:
    for _, r in table.iterrows():
        if isinstance(r["subject"], str) and r["subject"] not in ("", "None"):
            continue
        print(f"{r['treatment']} / {r['metric']} ({r['side']}): {r['verdict']} - {r['reason']}")


def cmd_demo(args: argparse.Namespace) -> int:
    import time

    from .batch import run_batch, run_timeline
    from .study import study

    t0 = time.perf_counter()
    out = Path(args.output)
    samples = sorted((Path(__file__).resolve().parents[1] / "sample_images").glob("*_before.jpg"))
    if not samples:
        print("facemetrics demo: no sample_images/*_before.jpg found", file=sys.stderr)
        return 2
    info = study(samples[:1], out / "study", subjects=args.subjects, seed=args.seed, max_side=640)
    print(f"simulated study: {len(info.table)} photos of {args.subjects} subjects in {info.folder} "
          "(microcurrent: 2 mm peak, 3 h half-life; RF: 1.5 mm lasting)")
    run_batch(info.folder, out, manifest=info.manifest, workers=args.workers)
    _, table = run_timeline(out, n_boot=args.n_boot, seed=args.seed)
    _print_verdicts(table)
    print(f"results in {out}: report.md, timeline.png, photos.csv, changes.csv, long.csv, timeline.csv "
          f"report.md ({time.perf_counter() - t0:.0f} s)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import run_validation

    summary = run_validation(args.output, quick=args.quick, workers=args.workers)
    for line in summary.get("lines", []):
        print(line)
    print(f"validation results in {args.output}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_photos, comparison_overlay, summary_lines
    from .export import write_csv, write_png

    out = Path(args.output)
    c = compare_photos(args.before, args.after, before_repeats=args.before_repeat or (),
                       after_repeats=args.after_repeat or (), mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm)
    write_csv(c.to_frame(), out / "comparison.csv")
    lines = summary_lines(c)
    written = ["comparison.csv"]
    if c.alignment is not None:
        write_png(comparison_overlay(c), out / "overlay.png")
        write_png(c.aligned_after(), out / "aligned_after.png")
        written += ["overlay.png", "aligned_after.png"]
    print("\n".join(lines))
    print(f"wrote {', '.join(written)} to {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facemetrics",
        description="Measure jawline lift and nasolabial folds from ordinary face photos. "
                    "All processing is local; nothing is uploaded.")
    parser.add_argument("--version", action="version", version=f"facemetrics {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="measure each photo: one CSV row per photo",
                       description="Measure jawline, lower-face and nasolabial-fold metrics on each photo.")
    a.add_argument("photos", nargs="+", help="photo files or folders (searched recursively)")
    a.add_argument("-o", "--output", default="photos.csv", help="CSV to write (default: photos.csv)")
    a.add_argument("--overlays", metavar="DIR", help="write an overlay PNG per photo here")
    a.add_argument("--geometry", metavar="DIR", help="write raw geometry JSON per photo here")
    a.add_argument("--subject", help="subject identifier for the 'subject' column")
    a.add_argument("--mm-per-px", type=float, help="known scale of the photos (overrides the iris calibration)")
    a.add_argument("--ipd-mm", type=float, help="the subject's known inter-pupillary distance in mm (overrides the iris)")
    a.set_defaults(func=cmd_analyze)

    b = sub.add_parser("batch", help="measure a study folder and compare each photo with its session baseline",
                       description="Measure every photo of a study folder (recursively) and compare each "
                                   "post-treatment photo with its session's baseline. Writes photos.csv, "
                                   "changes.csv and long.csv; re-running resumes.")
    b.add_argument("folder", help="study folder")
    b.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    b.add_argument("--manifest", metavar="CSV", help="manifest CSV (photo, subject, treatment, taken_at, treated_at); "
                   "default: FOLDER/<subject>/<treatment>/ with treated_at.txt")
    b.add_argument("--workers", type=int, help="worker processes (default: min(2, CPUs))")
    b.add_argument("--mm-per-px", type=float, help="known scale of the photos")
    b.add_argument("--ipd-mm", type=float, help="known inter-pupillary distance, mm")
    b.set_defaults(func=cmd_batch)

    t = sub.add_parser("timeline", help="fit how each change fades and test the 24 h claim",
                       description="Read DIR/long.csv from `batch`; write timeline.csv, timeline.png, report.md.")
    t.add_argument("folder", metavar="DIR", help="batch output folder")
    t.add_argument("-o", "--output", metavar="DIR", help="where to write (default: DIR)")
    t.add_argument("--min-effect", type=float, default=0.3, help="smallest change that matters (default 0.3)")
    t.add_argument("--n-boot", type=int, default=400, help="bootstrap replicates (default 400)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--all-sides", action="store_true", help="also fit right and left sides")
    t.set_defaults(func=cmd_timeline)

    d = sub.add_parser("demo", help="simulate a study from sample_images/ and run batch + timeline on it")
    d.add_argument("-o", "--output", required=True, metavar="DIR")
    d.add_argument("--subjects", type=int, default=3)
    d.add_argument("--workers", type=int)
    d.add_argument("--n-boot", type=int, default=400)
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=cmd_demo)

    v = sub.add_parser("validate", help="the measurement's report card on simulated photos with known truth")
    v.add_argument("-o", "--output", required=True, metavar="DIR")
    v.add_argument("--quick", action="store_true", help="fewer repeats (faster, wider bounds)")
    v.add_argument("--workers", type=int)
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("compare", help="compare a before and an after photo: lift in mm, fold change, noise floor",
                       description="Align the after photo to the before photo on the rigid upper face and measure "
                                   "how the lower face moved (mm), how the folds changed, and whether each change "
                                   "is above the noise floor. Writes DIR/comparison.csv, DIR/overlay.png and "
                                   "DIR/aligned_after.png.")
    c.add_argument("before", help="the before photo")
    c.add_argument("after", help="the after photo")
    c.add_argument("-o", "--output", metavar="DIR", default="comparison", help="folder to write (default: comparison)")
    c.add_argument("--before-repeat", metavar="PHOTO", action="append",
                   help="another photo of the before state (repeatable): noise floors are then measured from them")
    c.add_argument("--after-repeat", metavar="PHOTO", action="append", help="another photo of the after state (repeatable)")
    c.add_argument("--mm-per-px", type=float, help="known scale of the before photo (overrides its iris calibration)")
    c.add_argument("--ipd-mm", type=float, help="the subject's known inter-pupillary distance in mm (overrides the iris)")
    c.set_defaults(func=cmd_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
