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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
