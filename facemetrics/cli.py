"""Command line: ``facemetrics analyze|...`` (also ``python -m facemetrics``).

A thin shell over the library: parse arguments, call the same functions the
app calls, write files, print a short summary.  Exit status 0 when the run
completed (even if some photos were unusable: they are ``status`` rows),
1 when ``compare`` refused its pair (``comparison.csv`` is written, every row
``refused``), 2 for usage errors and unusable inputs (a bad manifest, an output
path under a file, a ``--mm-per-px`` no photo can have, a batch without changes,
a ``compare`` photo that cannot be read: one line on stderr, never a traceback; ``compare`` then removes
the outputs an earlier run left in its folder, so that none is read as this pair's;
output paths and numbers are checked before any photo is measured), 130 when stopped by Ctrl-C or SIGTERM (what was written is
kept; ``analyze`` says how many rows its table holds, ``batch`` resumes).
``--verbose`` shows MediaPipe's own log lines, which are hidden otherwise.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import math
import os
import sys
from pathlib import Path

from ._version import __version__
from .errors import FacemetricsError, legible
from .messages import remedy_start
from .timekeys import clock_text  # "2026-11-04 07:30" in the sentences (ISO in the CSVs and commands)
from .timekeys import utc_instant  # a time in UTC with Z (a sidecar's, a Pixel name's): said as UTC


class UsageError(FacemetricsError):
    """An input the user gave cannot be used (message printed as one line, exit status 2)."""


def loader_failed(x) -> bool:
    """:func:`facemetrics.analyze.loader_failed` (the one rule of a photo that could not be read), imported when
    called: ``facemetrics --help`` does not load the analysis."""
    from .analyze import loader_failed as rule

    return rule(x)


def read_failure_text(x) -> str:
    """:func:`facemetrics.analyze.read_failure`, imported when called (as :func:`loader_failed`)."""
    from .analyze import read_failure

    return read_failure(x)


def find_photos(paths: list[str]) -> list[Path]:
    """Files given directly, plus photos found recursively in given folders (sorted)."""
    return [p for p, _ in find_photos_labelled(paths)]


def find_photos_labelled(paths: list[str]) -> list[tuple[Path, str]]:
    """``(path, label)`` of every photo: files given directly, photos found recursively in folders.

    The label is what the ``photo`` column shows: the file's true path, never
    an invented one.  For a photo found in a folder it is the path relative to
    that folder (``/``-separated, e.g. ``S01/botox/IMG_0001.jpg``), prefixed
    with the folder's own name when several inputs are given; a file given
    directly is labelled with its path as typed when that is relative
    (``a/x.jpg``), else with its name.  Where that would give two different
    files one label (``/p/x.jpg`` and ``/q/x.jpg``, or two folders of one name),
    each of them is labelled with its absolute path instead; the same file
    listed twice under one label is measured once.  Output file names are made
    from the labels by :func:`output_names`.  Folders are searched by
    :func:`facemetrics.batch.find_study_photos` (the suffixes of
    :data:`facemetrics.batch.PHOTO_SUFFIXES`, hidden files and folders
    skipped), as ``batch`` does. Dangling and looping symlinks are kept (they
    get an ``unreadable`` row), and so is a folder named like a photo that holds
    none (``x.jpg/``: ``x.jpg: is a folder, not a photo``).
    """
    out: list[tuple[Path, str]] = []
    from .batch import find_study_photos  # the one photo finder (suffixes, hidden paths)
    from .batch.discover import photo_named_folder

    several = len(paths) > 1
    for p in map(Path, paths):
        # os.path.isdir, not Path.is_dir, which raises in Python 3.11 for a name over the file system's 255
        # bytes (ENAMETOOLONG): the photo gets its loader's ``unreadable`` row, the others theirs
        if os.path.isdir(p) and not photo_named_folder(p):  # x.jpg/ holding no photo: its loader row says so
            found = find_study_photos(p)
            prefix = (p.resolve().name + "/") if several else ""
            out += [(f, legible(prefix + f.relative_to(p).as_posix())) for f in found]
        else:  # as typed when relative (a/x.jpg and b/x.jpg stay apart), else the file name
            typed = Path(os.path.normpath(str(p)))
            out.append((p, legible(typed.as_posix() if not typed.is_absolute() and ".." not in typed.parts else p.name)))
    absolute = {f: legible(Path(os.path.abspath(f)).as_posix()) for f, _ in out}  # not resolved: a symlink is its own file
    seen: set[tuple[str, str]] = set()
    once = []
    for f, label in out:  # the same file under the same label (x.jpg x.jpg, a folder and a file in it): once
        if (absolute[f], label) not in seen:
            seen.add((absolute[f], label))
            once.append((f, label))
    files_of: dict[str, set[str]] = {}
    for f, label in once:
        files_of.setdefault(label, set()).add(absolute[f])
    labelled, taken = [], set()
    for f, label in once:  # one label, several files: each is named by its absolute path
        label = label if len(files_of[label]) == 1 else absolute[f]
        if label not in taken:
            taken.add(label)
            labelled.append((f, label))
    return labelled


#: longest output file name (overlay PNG, geometry JSON), bytes of UTF-8: file systems allow 255
#: (NAME_MAX of ext4, APFS, NTFS); export.atomic_write's temporary file adds 14 (".", ".", 8 random
#: characters, ".tmp") to the name; the rest is a margin for the suffix and other file systems
_MAX_OUTPUT_NAME_BYTES = 200
#: hex digits of the SHA-256 of the label that end a shortened output name (48 bits: a clash needs
#: about 16 million long names in one folder)
_NAME_HASH_HEX = 12


def _disk_bytes(text: str) -> bytes:
    """``text`` as the bytes of a file name on disk (a name read from a disk that is not UTF-8 holds lone
    surrogates, PEP 383: they are its true bytes again)."""
    return text.encode("utf-8", "surrogateescape")


def _cut_name(text: str, limit: int) -> str:
    """The longest start of ``text`` of at most ``limit`` bytes on disk, cut at a character boundary."""
    out, n = [], 0
    for c in text:
        n += len(_disk_bytes(c))
        if n > limit:
            break
        out.append(c)
    return "".join(out)


def true_label(path, label: str) -> str:
    """The label ``label`` of ``path`` (:func:`find_photos_labelled`) spelt with the true bytes of the file
    and folder names it shows escaped (``caf\\xe9.jpg`` of a Latin-1 name, :func:`facemetrics.errors.legible`):
    from the last part backwards, each part whose :func:`~facemetrics.errors.legible` form is the label's
    part is taken from the path as it is on disk.  An output is named after it (:func:`output_names`), so
    the overlay of a file sits next to the file's own name in a listing; tables and messages show ``label``."""
    parts = label.split("/")
    disk = Path(os.path.abspath(path)).parts
    for k in range(1, min(len(parts), len(disk)) + 1):
        if legible(disk[-k]) != parts[-k]:
            break
        parts[-k] = disk[-k]
    return "/".join(parts)


def output_names(labels: list[str], suffixes: tuple[str, ...] = ("_overlay.png", ".json"),
                 disk: list[str] | None = None) -> dict[str, str]:
    """Output file stem of each photo label, unique in every way a file system can confuse them.

    The scheme (also in ``analyze --help``): the label's folders are mirrored
    and the photo's file name *with its extension* is kept, so the overlay of
    ``S01/image.png`` is ``S01/image.png_overlay.png`` and its geometry
    ``S01/image.png.json``; ``image.jpg`` and ``image.png`` never share an
    output.  A name that would be longer than :data:`_MAX_OUTPUT_NAME_BYTES`
    bytes with its longest suffix is cut at a character boundary before its
    extension, where ``~`` and :data:`_NAME_HASH_HEX` hex digits of the SHA-256
    of the whole label are put (``LLL...L~1a2b3c4d5e6f.jpg_overlay.png``); so
    is a name that equals an earlier one but for letter case (``A.jpg`` and
    ``a.jpg``, one file on a case-insensitive disk).  A name that is not UTF-8
    (a Latin-1 ``caf\\xe9.jpg``, shown so in tables and messages) keeps its true
    bytes: its overlay is those bytes + ``_overlay.png`` (``disk``).

    Parameters
    ----------
    labels : list of str
        Distinct photo labels (:func:`find_photos_labelled`), ``/``-separated.
    suffixes : tuple of str
        Suffixes the stems will get; the longest one bounds the length.
    disk : list of str, optional
        The labels spelt as on disk (:func:`true_label`), in the order of ``labels``; the stems are made
        from them.  Default: ``labels``.

    Returns
    -------
    dict
        ``{label: stem}``, the stem ``/``-separated and relative to the output folder.
    """
    room = _MAX_OUTPUT_NAME_BYTES - max(len(x.encode()) for x in suffixes)
    names, seen = {}, set()
    for label, spelt in zip(labels, labels if disk is None else disk):
        parts = [part for part in spelt.split("/") if part not in ("", ".", "..")] or ["photo"]
        folders, name = parts[:-1], parts[-1]
        stem = "/".join([*folders, name])
        if len(_disk_bytes(name)) > room or stem.casefold() in seen:
            ext = Path(name).suffix if len(Path(name).suffix) <= 8 else ""  # kept: .jpg, .jpeg, .webp ...
            tail = "~" + hashlib.sha256(_disk_bytes(label)).hexdigest()[:_NAME_HASH_HEX] + ext
            cut = _cut_name(name[:len(name) - len(ext)], room - len(_disk_bytes(tail)))
            stem = "/".join([*folders, cut + tail])
            n = 1
            while stem.casefold() in seen:  # a photo already named like this shortened name (~hash.jpg)
                n += 1
                stem = "/".join([*folders, f"{cut}{tail[:-len(ext) or None]}-{n}{ext}"])
        seen.add(stem.casefold())
        names[label] = stem
    return names


def check_output(path, *, folder: bool) -> Path:
    """Refuse an output path that cannot be written, before any work is done.

    Parameters
    ----------
    path : str or path-like
        A file to write (``folder=False``: the CSV of ``analyze``) or a folder to
        write into (``folder=True``; created when missing).
    folder : bool

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    UsageError
        A file where a folder is needed (the path or one of its parents), a
        folder where a file is needed, or the nearest existing folder not
        writable; the message is the one line ``main`` prints (exit status 2).
    """
    out = Path(path)
    if not folder and out.exists() and not out.is_file() and not out.is_dir():  # /dev/null, a pipe
        if not os.access(out, os.W_OK):
            raise UsageError(f"cannot write to {out}: no permission")
        return out
    if out.exists():
        if folder and not out.is_dir():
            raise UsageError(f"cannot write to {out}: it is a file, not a folder")
        if not folder and out.is_dir():
            raise UsageError(f"cannot write the table to {out}: it is a folder (give a file name, e.g. "
                             f"{out / 'photos.csv'})")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"cannot write to {out}: {parent} is a file, not a folder")
    nearest = next((d for d in ((out,) if folder else ()) + tuple(out.parents) if d.is_dir()), Path("."))
    if not os.access(nearest, os.W_OK | os.X_OK):  # the folder where files or sub-folders would be made
        raise UsageError(f"cannot write to {out}: no permission to write in {nearest}")
    if not folder and out.exists() and not os.access(out, os.W_OK):
        raise UsageError(f"cannot write to {out}: the file is read-only")
    return out


def _refuse_writing_over_photos(table, photos: list) -> None:
    """Refuse a table path that is one of the photos being measured, or that ends like a photo:
    ``analyze face.jpg -o face.jpg`` would replace the photo with the table (an audit,
    2026-12-02)."""
    from .schema import PHOTO_SUFFIXES

    out = Path(table)
    if os.path.realpath(out) in {os.path.realpath(p) for p in photos}:
        raise UsageError(f"cannot write the table to {out}: it is one of the photos to measure (give a .csv name)")
    if out.suffix.lower() in PHOTO_SUFFIXES:
        raise UsageError(f"cannot write the table to {out}: the name ends like a photo ({out.suffix}); "
                         "give a .csv name")


def _refuse_foreign_analyze_outputs(args: argparse.Namespace, stems: dict, inputs: set) -> None:
    """``analyze``'s outputs by the one rule (:func:`facemetrics.outputs.refuse_foreign_outputs`): the table
    ``-o`` and every overlay and geometry file replace only files facemetrics wrote, unless ``--force``; a
    table written into a device or pipe (``-o /dev/null``, ``/dev/stdout``) is no file to keep; an overlay or
    geometry file that is one of the photos (``inputs``, real paths) is that photo's row warning instead,
    never written, ``--force`` or not."""
    from .outputs import refuse_foreign_outputs

    table = Path(args.output)  # a device or pipe, through links too (/dev/stdout | cat), passes: outputs.is_stream
    refuse_foreign_outputs(table.parent, [table.name], force=args.force, command="analyze",
                           elsewhere="another file name for the table (-o)")
    for folder, suffix, option in ((args.overlays, "_overlay.png", "--overlays"),
                                   (args.geometry, ".json", "--geometry")):
        if folder:
            names = [stem + suffix for stem in stems.values()
                     if os.path.realpath(Path(folder) / (stem + suffix)) not in inputs]
            refuse_foreign_outputs(folder, names, force=args.force, command="analyze",
                                   elsewhere=f"another folder ({option})")


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _progress(i: int, n: int, name: str, status: str) -> None:
    print(f"[{i}/{n}] {name}: {status}", file=sys.stderr, flush=True)


def _status_text(result, most: int = 4) -> str:
    """A photo's status on its ``analyze`` progress line: ``ok``, ``ok (flags: smiling, mouth open)``
    (each quality flag by its name, without its numbers; the photo then is not fit for a comparison,
    which the line said nothing of: CLI audit b), ``ok (warning: 2 faces found, measured the largest, the one on the left)``
    (each warning by its first clause), ``cannot be read (STATUS: why)`` (the loader refused it) or
    ``not measured (STATUS: why)`` (read, not measured; it was ``STATUS - name: why``, unlike the first:
    first-user audit, 2026-12-05), ``why`` without the photo's name (the line is titled with it).  At most
    ``most`` flags and two warnings are named, the rest counted ("+2 more"); the ``quality_flags`` and ``warnings`` columns have them
    all, with their numbers."""
    unread = read_failure_text(result)  # the app's words too ("cannot be read (empty: file is empty (0 bytes))")
    if unread:
        return unread
    if not result.ok:  # the loader's refusals' format: "cannot be read (too_large: image is too large: ...)"
        from .analyze import failure_text

        return failure_text(result.status, result.error, getattr(result, "name", ""))
    flags = [f.split(" (")[0].split(":")[0] for f in (result.quality.flags if result.quality else ())]
    # the photo's warnings by their first clause: "2 faces found", "black-and-white photo", a face partly
    # transparent; the line read "ok" for them (the warnings column only; a new user's audit, 2026-12-04)
    warned = [w.split(" (")[0].split(":")[0].replace("; ", ", ") for w in getattr(result, "warnings", ()) or ()]
    parts = []
    if flags:
        shown = flags if len(flags) <= most else flags[:most - 1] + [f"+{len(flags) - most + 1} more"]
        parts.append(f"flags: {', '.join(shown)}")
    if warned:
        shown = warned if len(warned) <= 2 else warned[:1] + [f"+{len(warned) - 1} more"]
        parts.append(f"warning{'' if len(warned) == 1 else 's'}: {', '.join(shown)}")
    return f"{result.status} ({'; '.join(parts)})" if parts else result.status


def cmd_analyze(args: argparse.Namespace) -> int:
    check_output(args.output, folder=False)
    for folder in (args.overlays, args.geometry):
        if folder:
            check_output(folder, folder=True)
    from .export import write_json, write_png, write_rows_csv
    from .isolated import Worker
    from .overlay import photo_overlay
    from .schema import ANALYZE_COLUMNS
    from .sidecar import sidecar_time  # a Google Photos / Takeout sidecar's time, when EXIF has none
    from .timekeys import capture_time_of  # EXIF, else the sidecar's, else the file name's time: the batch's chain

    if not any(os.path.lexists(p) for p in args.photos):
        # a mistyped path (or `analyze sample_images` outside the project folder) wrote a table of one
        # 'unreadable' row and exited 0 (a new user's audit, 2026-12-04); one missing among others is its row
        print("facemetrics analyze: no such file or folder: " + ", ".join(args.photos), file=sys.stderr)
        return 2
    photos = find_photos_labelled(args.photos)
    if not photos:
        print("facemetrics analyze: no photos found in " + " ".join(args.photos), file=sys.stderr)
        return 2
    _refuse_writing_over_photos(args.output, [path for path, _ in photos])
    inputs = {os.path.realpath(path) for path, _ in photos}
    stems = output_names([label for _, label in photos], disk=[true_label(path, label) for path, label in photos])
    _refuse_foreign_analyze_outputs(args, stems, inputs)
    subject = (args.subject or "").strip() or None  # " Anna " is Anna, as batch and the study store read it
    rows: list[dict] = []
    written = 0  # rows in the table on disk (an interrupted write leaves the one before)
    worker, crashed = Worker(preload=False), []  # each photo measured in a worker process: a native crash ends only that
    try:
        for i, (path, label) in enumerate(photos, 1):
            result = _measure_isolated(worker, path, label, args, subject, crashed)
            row = result.to_row()
            row["taken_at"], row["taken_at_source"] = capture_time_of(
                "", row.get("taken_at"), path, sidecar="" if row.get("taken_at") else sidecar_time(path))
            notes = []  # a file that cannot be written is this photo's warning, never the end of the run
            if args.overlays and result.ok:
                target = Path(args.overlays) / (stems[label] + "_overlay.png")
                try:
                    if os.path.realpath(target) in inputs:  # a photo named like an overlay: never overwritten
                        raise OSError(17, "a photo of this run has that name")
                    write_png(photo_overlay(result), target)
                except OSError as exc:
                    notes.append(f"overlay not written to {legible(str(target))} ({_os_reason(exc)})")
            if args.geometry:
                target = Path(args.geometry) / (stems[label] + ".json")
                try:
                    if os.path.realpath(target) in inputs:
                        raise OSError(17, "a photo of this run has that name")
                    write_json(result.geometry(), target)
                except OSError as exc:
                    notes.append(f"geometry not written to {legible(str(target))} ({_os_reason(exc)})")
            if notes:
                row["warnings"] = "; ".join(filter(None, [row["warnings"], *notes]))
            rows.append(row)
            try:  # written after every photo: an interrupted run keeps what it measured
                write_rows_csv(rows, ANALYZE_COLUMNS, args.output)
                written = len(rows)
            except OSError as exc:
                raise UsageError(f"cannot write the table to {args.output}: {_os_reason(exc)}"
                                 + (f" ({written} rows written before)" if written else "")) from None
            _progress(i, len(photos), label, _status_text(result) + "".join(f"; {n}" for n in notes))
    except KeyboardInterrupt:
        kept = (f"{args.output} holds the rows of the first {written}"
                + (", with their overlays and geometry" if args.overlays or args.geometry else "")
                if written else "nothing was written")
        print(f"\nfacemetrics analyze: interrupted after {written} of {len(photos)} photos; {kept}. "
              "`analyze` does not resume: run it again to measure every photo", file=sys.stderr)
        return 130
    finally:
        worker.close()
    return _analyze_said(args, rows, crashed)


def _analyze_said(args: argparse.Namespace, rows: list[dict], crashed: list) -> int:
    """``analyze``'s closing lines (its summary, each photo that crashed the face finder, none measured) and its
    exit status: 1 when a photo crashed or no photo could be measured (:func:`nothing_measured`), else 0."""
    from .isolated import MSG_PHOTO_CRASHED

    n_ok = sum(r["status"] == "ok" for r in rows)
    from .batch.discover import skipped_note

    from .outputs import is_stream

    # the table written into a stream (-o /dev/stdout | cat): the summary goes to stderr, not into the CSV
    print(f"{n_ok} of {len(rows)} photos measured; table written to {args.output}{skipped_note(args.photos)}",
          file=sys.stderr if is_stream(args.output) else sys.stdout)
    for name, how in crashed:  # the row says it too; said last, where it is seen, with a non-zero exit
        print("facemetrics analyze: " + MSG_PHOTO_CRASHED.format(name=name, how=how, again=ANALYZE_AGAIN),
              file=sys.stderr)
    nothing = nothing_measured(rows)
    if nothing:  # it exited 0 with every row a failure (stop 54's audit), as `batch` exits 1 when nothing compared
        print(f"facemetrics analyze: {nothing}", file=sys.stderr)
    return 1 if crashed or nothing else 0


def nothing_measured(rows: list[dict]) -> str:
    """Why ``analyze`` measured no photo, in one line for stderr (it then exits with status 1, as ``batch`` does
    when nothing was compared; it exited 0 with every row a failure: stop 54's first-user audit); "" when at
    least one row has status ``ok``.

    Parameters
    ----------
    rows : list of dict
        The table's rows (their ``status``).

    Returns
    -------
    str
        "no photo could be measured (3 photos: 2 no_face, 1 unreadable; the table's status and error columns
        say why); the table is written", the commonest statuses first (at most three, then "+k more"); "" otherwise.
    """
    from collections import Counter

    if not rows or any(r.get("status") == "ok" for r in rows):
        return ""
    counts = Counter(str(r.get("status") or "unknown") for r in rows).most_common()
    shown = [f"{k} {s}" for s, k in counts[:3]]
    if len(counts) > 3:
        shown.append(f"+{sum(k for _, k in counts[3:])} more")
    n = len(rows)
    return (f"no photo could be measured ({n} photo{'' if n == 1 else 's'}: {', '.join(shown)}; the table's status "
            "and error columns say why); the table is written")


#: what to do after a photo crashed the face finder in ``analyze`` (:data:`facemetrics.isolated.MSG_PHOTO_CRASHED`)
ANALYZE_AGAIN = "run analyze on it again (the other photos' rows are in the table)"


def _measure_isolated(worker, path, label: str, args: argparse.Namespace, subject, crashed: list):
    """:func:`facemetrics.analyze_photo` of one photo in ``worker``'s process; a photo whose measuring ends that
    process twice (a native crash) gets its ``error`` analysis, and ``(label, how)`` is added to ``crashed``."""
    from .isolated import NativeCrash, analyze_task, crashed_analysis

    try:
        return worker.call(analyze_task, path, subject=subject, mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm,
                           name=label)
    except NativeCrash as exc:
        crashed.append((label, exc.how))
        return crashed_analysis(label, exc.how, ANALYZE_AGAIN, subject=subject)


def _not_a_folder(path) -> str:
    """Why a study folder given is not one, to follow its name: "does not exist", "is not a folder", or for a zip
    of the folder (as a clinic sends its photos) what to do with it: it read "is not a folder" (stop 55, b3)."""
    import zipfile

    if not Path(path).exists():
        return "does not exist"
    try:
        zipped = Path(path).is_file() and zipfile.is_zipfile(path)
    except OSError:
        zipped = False
    if zipped:
        return ("is a zip file, not a folder: unzip it first (Windows: right-click > Extract All; macOS: double-click "
                "it) and give the folder it makes")
    return "is not a folder"


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import find_study_photos, run_batch

    if not Path(args.folder).is_dir():
        print(f"facemetrics batch: {args.folder} {_not_a_folder(args.folder)}", file=sys.stderr)
        return 2
    check_output(args.output, folder=True)
    if not args.manifest and not find_study_photos(Path(args.folder)):  # as `analyze` says it (was "0 photos", 0)
        print(f"facemetrics batch: no photos found in {args.folder}", file=sys.stderr)
        return 2
    res = run_batch(args.folder, args.output, manifest=args.manifest, workers=args.workers,
                    mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm, force=args.force, time_zone=args.time_zone)
    from .batch import console

    for line in (console.batch_lines(res, summary=console.batch_summary(res, args.output))
                 + console.skipped_lines(args.folder, args.manifest, args.output, all_placed=not res.excluded)
                 + console.identical_files_lines(res.photo_rows)
                 + console.manifest_lines(res.excluded, args.manifest)
                 + console.no_capture_time_lines(res.excluded, args.manifest, output=args.output, folder=args.folder)):
        print(line)
    # several sessions of one subject and treatment: pre-session photos vs day 0 (the regimen, for `timeline`)
    from .regimen import run_regimen_batch

    reg = run_regimen_batch(args.folder, args.output, res.photo_rows, workers=args.workers,
                            mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm, force=args.force)
    for line in console.regimen_lines(reg, args.output):
        print(line)
    nothing = console.nothing_compared(res, reg)
    if nothing:  # it exited 0 with every photo failed or no pair formed (stop 45's audit): said, then status 1
        print(f"facemetrics batch: {nothing}", file=sys.stderr)
    return 1 if nothing else 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from .batch import run_timeline

    if Path(args.folder).is_file():  # `timeline results/study/long.csv` said ".../long.csv/long.csv not found"
        parent = Path(args.folder).parent
        print(f"facemetrics timeline: {args.folder} is a file: give the folder that `facemetrics batch` wrote "
              f"(the one holding long.csv, e.g. `facemetrics timeline {parent}`)", file=sys.stderr)
        return 2
    if not Path(args.folder).is_dir():
        print(f"facemetrics timeline: no folder {args.folder} (give the folder that `facemetrics batch` wrote, "
              "the one holding long.csv)", file=sys.stderr)
        return 2
    if not (Path(args.folder) / "long.csv").is_file():
        print(f"facemetrics timeline: {args.folder}/long.csv not found (run `facemetrics batch` first)",
              file=sys.stderr)
        return 2
    from .batch.timeline import long_csv_problem, long_csv_reading
    from .decay import SeriesError

    if why := long_csv_problem(Path(args.folder) / "long.csv", columns=False):  # not UTF-8: one line (run_timeline
        # says a table with rows but without the change columns is none)
        raise UsageError(why)
    text, how = long_csv_reading(Path(args.folder) / "long.csv")  # a European spreadsheet's save: read, and said
    if how:
        print(f"facemetrics timeline: {how}", file=sys.stderr)
    sides = ("mean", "right", "left") if args.all_sides else ("mean",)
    out = check_output(args.output or args.folder, folder=True)
    n_rows = sum(1 for line in text.splitlines() if line.strip()) - 1
    if n_rows <= 0:
        raise UsageError(f"{args.folder}/long.csv holds no changes: {_why_no_long(Path(args.folder))}")
    try:
        _, table = run_timeline(args.folder, out, sides=sides, min_effect=args.min_effect,
                                n_boot=args.n_boot, seed=args.seed, force=args.force,
                                progress=fit_progress("timeline"))
    except SeriesError as exc:  # what is wrong with the data (the options were checked by argparse)
        _print_uncertain(exc, Path(args.folder) / "changes.csv")
        raise UsageError(f"cannot fit {args.folder}/long.csv: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    _print_verdicts(table)
    print(f"written: timeline.csv, timeline.png, report.md in {args.output or args.folder}")
    return 0


#: from how many decay series (each subject's per metric and side, and the pooled ones) `timeline` and `study report`
#: print their progress on stderr: 10 000 rows of long.csv (1250 subjects, about 7500 series) took 254 s at
#: --n-boot 50 with nothing said (docs/robustness.md, stop 64); 41 to 74 ms of CPU a series at --n-boot 0 to 400
#: (docs/robustness.md, g4), so 200 series take some 8 to 15 s
PROGRESS_MIN_SERIES = 200
#: how many progress lines at most follow the first one (one each tenth of the series)
PROGRESS_LINES = 10


def fit_progress(command: str):
    """The ``progress(done, total)`` callback :func:`facemetrics.batch.run_timeline` takes, printing on stderr (the
    tables on stdout are unchanged when piped) when ``total`` is at least :data:`PROGRESS_MIN_SERIES`: a first line
    with the count (``facemetrics timeline: fitting 7506 decay series (one per subject, metric and side, and the
    pooled ones) ...``), then ``... fitted 751 of 7506 series`` at each tenth (:data:`PROGRESS_LINES`); nothing for
    fewer series.  A count that passes a tenth without landing on it (series counted done together: a subject left
    out with its follow-on sessions) is said at the first count past it (stop 65, k3)."""
    said = [0]  # the count last said

    def show(done: int, total: int) -> None:
        if total < PROGRESS_MIN_SERIES:
            return
        if done == 1:
            print(f"facemetrics {command}: fitting {total} decay series (one per subject, metric and side, and the "
                  "pooled ones); this takes a while", file=sys.stderr, flush=True)
        step = math.ceil(total / PROGRESS_LINES)
        if done // step > said[0] // step or done == total:
            said[0] = done
            print(f"facemetrics {command}: fitted {done} of {total} series", file=sys.stderr, flush=True)
    return show


def _why_no_long(folder: Path) -> str:
    """Why a batch's ``long.csv`` holds no change, from its ``changes.csv`` (``status`` column): every comparison
    refused or failed ("no photo was compared" was said of a batch whose two comparisons were refused for two
    different people: stop 45), else no photo compared with a session baseline."""
    import csv

    try:
        with open(folder / "changes.csv", encoding="utf-8-sig", newline="") as fh:
            statuses = [r.get("status") for r in csv.DictReader(fh)]
    except (OSError, csv.Error, UnicodeDecodeError):
        statuses = []
    n = len(statuses)
    if n and all(s in ("refused", "error") for s in statuses):
        return (f"every comparison with a session baseline ({n}) was refused or failed (the status and messages "
                "columns of changes.csv say why)")
    return "no photo was compared with a session baseline (see the 'excluded' column of photos.csv for why)"


def _print_verdicts(table, said=()) -> None:
    """Print the timeline's verdicts and its notes, but for those in ``said`` (``study report``: the
    batch's lines, printed already, :func:`facemetrics.batch.console.batch_lines`; the lines on before photos that
    disagree are among both; ``study report`` holds the batch's lines on the comparisons kept in the fits with a
    warning back, so that the timeline's say each once, with "; stands out ..." for a photo §16's rule flagged).
    A photo that is the same picture as its before photo is not said here: `batch` said it and report.md lists it
    (the console said it twice, `batch` then `timeline`: stop 54's audit)."""
    from .batch.console import KEPT_WITH_WARNING
    from .report import follow_on_advice, follow_on_console, verdict_lines

    for line in verdict_lines(table):
        print(line)
    if note := table.attrs.get("regimen_note"):  # the regimen batch ran but nothing of it could be fitted
        print(note)
    for note in table.attrs.get("disagreement_notes", ()):  # before photos that disagree, in the batch's words
        if note not in said:
            print(note)
    for line in follow_on_console(table.attrs.get("follow_on_notes", ())):  # sessions begun while an earlier one
        print(line)                                                         # may still act: a few, or a summary
    if table.attrs.get("follow_on_notes"):  # what would let them count, once (the home-month audit, stop 56)
        print(follow_on_advice(table))
    for note in (*table.attrs.get("expression_kept_notes", ()),  # fitted although the expression may differ,
                 *table.attrs.get("light_kept_notes", ())):  # or fold rows fitted although the lighting differs
        if (line := f"{KEPT_WITH_WARNING}{note}") not in said:  # `study report`: the batch's lines said it
            print(line)
    for note in table.attrs.get("before_notes", ()):  # §20: a before photo every after photo differs from
        print(note)
    if note := table.attrs.get("next_before_note"):  # a before photo read also as the earlier session's (Round 16)
        print(note)


def cmd_demo(args: argparse.Namespace) -> int:
    import time

    from .batch import run_batch, run_timeline
    from .batch.runner import TIMELINE_OUTPUTS, run_outputs
    from .outputs import refuse_foreign_outputs
    from .study import refuse_foreign_study, study

    t0 = time.perf_counter()
    out = check_output(args.output, folder=True)
    refuse_foreign_outputs(out, ("study/manifest.csv", *run_outputs(), *TIMELINE_OUTPUTS), force=args.force,
                           command="demo")  # before the simulation, not after it
    refuse_foreign_study(out / "study", args.force, command="demo")  # files there but no manifest.csv
    samples = sorted((Path(__file__).resolve().parents[1] / "sample_images").glob("*_before.jpg"))
    if not samples:
        print("facemetrics demo: no sample_images/*_before.jpg found", file=sys.stderr)
        return 2
    info = study(samples[:1], out / "study", subjects=args.subjects, seed=args.seed, max_side=640, force=args.force)
    print(f"simulated study: {len(info.table)} photos of {args.subjects} subjects in {info.folder} "
          "(microcurrent: 2 mm peak, 3 h half-life; RF: 1.5 mm lasting)")
    run_batch(info.folder, out, manifest=info.manifest, workers=args.workers, force=args.force)
    _, table = run_timeline(out, n_boot=args.n_boot, seed=args.seed, force=args.force)
    _print_verdicts(table)
    print(f"results in {out}: report.md, timeline.png, photos.csv, changes.csv, long.csv, timeline.csv "
          f"({time.perf_counter() - t0:.0f} s)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    check_output(args.output, folder=True)
    from .validate import run_validation

    # one line per step on stderr as it begins (a --quick run takes minutes; stdout keeps the results only)
    summary = run_validation(args.output, quick=args.quick, workers=args.workers, force=args.force,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
    for line in summary.get("lines", []):
        print(line)
    print(f"validation results in {args.output}")
    return 0


#: the files ``compare`` writes into its output folder (``overlay.png`` and ``aligned_after.png`` only
#: when the photos were aligned)
_COMPARE_OUTPUTS = ("comparison.csv", "overlay.png", "aligned_after.png")


def _remove_earlier(out: Path, names, photos) -> str:
    """Remove the files ``names`` an earlier run left in ``out`` that this run does not write, so that
    none is taken for this pair's (``compare`` stopped on an unreadable photo left an older
    comparison.csv, which read as this pair's result; an audit, 2026-12-03), with the batch's remover
    (:func:`facemetrics.batch.runner.remove_earlier`, ``marked_only=True`` since compare's PNGs carry a
    mark, :func:`facemetrics.export.mark_png`: only a file facemetrics wrote is removed; a user's own file
    of such a name, a link or a folder is left and named).  A file that is one of ``photos`` (the inputs)
    is never removed.  Returns the clause saying what was removed, left or could not be removed, ``""``
    when there was nothing."""
    from .batch.runner import remove_earlier

    removed, left = remove_earlier(out, names, keep=photos, marked_only=True)
    foreign = [x for x in left if "not written by facemetrics" in x]
    failed = [x for x in left if x not in foreign]
    said = []
    if removed:
        said.append(f"the earlier {', '.join(removed)} in {out} removed (not of these photos)")
    if foreign:
        said.append(f"{', '.join(foreign)} in {out} left as {'it is' if len(foreign) == 1 else 'they are'}: "
                    f"{'it is' if len(foreign) == 1 else 'they are'} not this run's output (move or rename "
                    f"{'it' if len(foreign) == 1 else 'them'} if one could be taken for it)")
    if failed:
        said.append(f"the earlier {', '.join(failed)} in {out} could not be removed: it is not of these photos")
    return "".join(f"; {x}" for x in said)


def cmd_compare(args: argparse.Namespace) -> int:
    out = check_output(args.output, folder=True)
    from .outputs import refuse_foreign_outputs

    # a user's own comparison.csv / overlay.png / aligned_after.png (an input photo too): named, never replaced
    refuse_foreign_outputs(out, _COMPARE_OUTPUTS, force=args.force, command="compare")
    from .plots import comparison_overlay
    from .report import summary_lines
    from .export import write_csv, write_png

    photos = [args.before, args.after, *(args.before_repeat or ()), *(args.after_repeat or ())]
    c = _compare_isolated(args, out, photos)
    unread = [f"cannot read the {label} photo: {x.error}" for label, x in (("before", c.before), ("after", c.after))
              if loader_failed(x)]
    if unread:  # an input error like the others: one line, exit status 2, nothing written (an earlier run's removed)
        raise UsageError("; ".join(unread) + _remove_earlier(out, _COMPARE_OUTPUTS, photos))
    write_csv(c.to_csv_frame(before_photo=legible(args.before), after_photo=legible(args.after)), out / "comparison.csv")
    lines = summary_lines(c) + _file_note_lines(c) + _capture_time_lines(c, args.before, args.after)
    written = ["comparison.csv"]
    if c.alignment is not None:
        write_png(comparison_overlay(c), out / "overlay.png")
        write_png(c.aligned_after(), out / "aligned_after.png")
        written += ["overlay.png", "aligned_after.png"]
    earlier = _remove_earlier(out, [n for n in _COMPARE_OUTPUTS if n not in written], photos)
    print("\n".join(lines))
    print(f"wrote {', '.join(written)} to {out}{earlier}")
    return 1 if c.status == "refused" else 0


def _file_note_lines(c) -> list[str]:
    """``compare``'s lines on a photo read otherwise than a viewer may show it, from the loader's warnings: one page,
    frame or image of several (:func:`facemetrics.loader._frames_note`) and a 16- or 32-bit file read as 8-bit
    values (:func:`facemetrics.loader._eight_bit_note`), e.g. "  ! after photo: TIFF file holds 2 pages; only the
    first was measured".  `analyze` and `batch` say them in the ``warnings`` column; `compare` said nothing of them
    (stop 65's fifth look).  A photo not measured says them in its refusal.  Picked by their kind
    (:class:`facemetrics.loader.FileNote`), not their words (review r3)."""
    from .loader import file_notes

    return [f"  ! {role} photo: {w}" for role, x in (("before", c.before), ("after", c.after))
            if x is not None and getattr(x, "ok", True) for w in file_notes(getattr(x, "warnings", ()))]


#: how ``compare`` names a capture time's source (:func:`facemetrics.timekeys.capture_time_of`)
_SOURCE_WORDS = {"exif": "EXIF", "file_name": "its file name", "sidecar": "its Google Photos sidecar, UTC"}


def _capture_time_lines(c, before, after) -> list[str]:
    """``compare``'s line on when its photos were taken and where each time came from: the batch's chain
    (:func:`facemetrics.timekeys.capture_time_of`: EXIF, else the file name's time), e.g. "capture times: before
    2026-11-24T07:00:00 (its file name), after 2026-11-24T10:00:00 (EXIF)"; none when neither photo has one.
    The comparison's own photo-order check reads them by the same chain (:func:`facemetrics.compare.gate.order_messages`)."""
    from .sidecar import sidecar_time
    from .timekeys import capture_time_of

    said = []
    for role, path, x in (("before", before, c.before), ("after", after, c.after)):
        exif = x.taken_at if x is not None else None
        taken, source = capture_time_of("", exif, path, sidecar="" if exif else sidecar_time(path))
        said.append(f"{role} {taken} ({_SOURCE_WORDS.get(source, source)})" if taken else f"{role} unknown")
    return [] if all(s.endswith(" unknown") for s in said) else ["capture times: " + ", ".join(said)]


def _compare_isolated(args: argparse.Namespace, out: Path, photos: list):
    """:func:`facemetrics.compare.compare_photos` of the command's photos in a worker process.  When it ends that
    process (a native crash), each photo is measured on its own there to name the one that crashes, else the
    comparison runs once more: a second crash is a :class:`UsageError` naming the photo (or the comparison),
    and an earlier run's outputs in ``out`` are removed, as for a photo that cannot be read."""
    from .isolated import (MSG_COMPARISON_CRASHED, MSG_PHOTO_CRASHED, NativeCrash, Worker, analyze_task,
                           compare_task)

    # a repeat that disagrees with the before photo is said by compare_photos itself, as the batch says it
    kwargs = dict(before_repeats=tuple(args.before_repeat or ()), after_repeats=tuple(args.after_repeat or ()),
                  mm_per_px=args.mm_per_px, ipd_mm=args.ipd_mm)
    worker = Worker(preload=True)
    try:
        try:
            return worker.call(compare_task, args.before, args.after, retry=False, **kwargs)
        except NativeCrash:
            pass
        for photo in dict.fromkeys(photos):  # each on its own: the one that crashes again is named
            try:
                worker.call(analyze_task, photo, retry=False)
            except NativeCrash as exc:
                raise UsageError(MSG_PHOTO_CRASHED.format(name=legible(photo), how=exc.how, again=COMPARE_AGAIN)
                                 + _remove_earlier(out, _COMPARE_OUTPUTS, photos)) from None
        try:
            return worker.call(compare_task, args.before, args.after, retry=False, **kwargs)
        except NativeCrash as exc:
            raise UsageError(MSG_COMPARISON_CRASHED.format(after=legible(args.after), before=legible(args.before),
                                                           how=exc.how) + _remove_earlier(out, _COMPARE_OUTPUTS, photos)) from None
    finally:
        worker.close()


#: what to do after a photo crashed the face finder in ``compare`` (:data:`facemetrics.isolated.MSG_PHOTO_CRASHED`)
COMPARE_AGAIN = "compare again; nothing written"


# ---- study: the persistent store (facemetrics.store) ------------------------


def _open_store(args: argparse.Namespace):
    """The ``--store`` of a study command, created only by its first write (``lazy``): a failed first
    ``study add`` (every photo refused, a bad time) or a ``study list`` of a mistyped path leaves no
    empty store behind."""
    from .store import Store

    return Store(args.store, lazy=True)


def cmd_study_add(args: argparse.Namespace) -> int:
    import json

    from .store import StoreError

    photos = find_photos(args.photos)
    if not photos:
        print("facemetrics study add: no photos found in " + " ".join(args.photos), file=sys.stderr)
        return 2
    try:
        settings = json.loads(args.settings) if args.settings else None
    except ValueError as exc:
        print(f"facemetrics study add: --settings is not JSON ({exc})", file=sys.stderr)
        return 2
    try:
        with _open_store(args) as store:
            results = store.add_photos(args.subject, photos, treatment=args.treatment, treated_at=args.treated_at,
                                       follow_up=args.follow_up, taken_at=args.taken_at, device=args.device or "",
                                       settings=settings, measure=not args.no_measure, time_zone=args.time_zone)
            twice = _second_read_lines(store, args.subject, results) + _no_before_lines(store, args.subject, results)
    except StoreError as exc:
        print(f"facemetrics study add: {exc}", file=sys.stderr)
        return 2
    for note in dict.fromkeys(r.note for r in results if r.note):  # a spelling matched to a stored one
        print(note)
    for r in results:
        why = r.message.removeprefix(f"{r.name}: ")  # the store's messages start with the name: said once
        if r.status == "error":
            print(f"{r.name}: not added - {why}")
        else:
            extra = (" by its file name" if r.taken_at_source == "file_name" else
                     " by its Google Photos sidecar" if r.taken_at_source == "sidecar" else "") + \
                (f", measured: {r.measured}" if r.measured else "")
            taken = clock_text(r.taken_at)  # a UTC instant (Z: a sidecar's, a Pixel name's) said as UTC, not +00:00
            taken = taken.removesuffix(" +00:00") + " UTC" if utc_instant(r.taken_at) else taken
            print(f"{r.name}: {r.status} ({r.role}, taken {taken}{extra})"
                  + (f" - {why}" if why else ""))
    for line in twice:
        print(line)
    n_added = sum(r.status == "added" for r in results)
    n_dup, n_bad = sum(r.status == "duplicate" for r in results), sum(r.status == "error" for r in results)
    where = (f"store: {store.dir}" if store.db_path.exists()  # a failed first add created nothing (lazy)
             else f"no store was created at {store.dir}")
    print(f"{n_added} photo(s) added, {n_dup} already there, {n_bad} not added; {where}")
    if n_bad and not n_added and not n_dup:  # nothing added, nothing written: a failed command
        print(f"facemetrics study add: none of the {n_bad} photo(s) was added (see the reasons above); "
              "the store is unchanged", file=sys.stderr)
        return 2
    return 0


#: how the line of ``study add`` begins after a photo's name when that before photo is read a second time, as the
#: previous session's photo at that time (:func:`_second_read_lines`)
MSG_ALSO_READ = "also read as the"
#: after :data:`MSG_ALSO_READ`'s line's session when the photo was added without measuring (``--no-measure``)
MSG_IF_MEASURES = "if it measures"


#: why a before photo is read a second time, said by :func:`_second_read_lines` the first time it happens to a subject
SECOND_READ_WHY = ("taken after that treatment and before this one's, it is the face then, as a --follow-up photo "
                   "would be")
#: the same for several photos named in one line
SECOND_READS_WHY = ("each taken after that treatment and before its own session's, it is the face then, as a "
                    "--follow-up photo would be")


def _second_read_lines(store, subject: str, results) -> list[str]:
    """The line naming the before photos just added that the report's batch reads a second time, as the previous
    session's photo at that time (:func:`facemetrics.batch.tables.stored_second_reads`): ``study add`` said nothing
    of that second role (docs/validation.md section 12, Round 17).  [] for none.  A photo just measured that did not
    measure (no face found, ...) has no role in the batch: not named (it was claimed, Round 17b); one added without
    measuring (``--no-measure``) is said "if it measures".

    Why (:data:`SECOND_READ_WHY`) is said the first time only: when none of the subject's stored before photos was
    read so already; after that the line says like how many earlier ones.  Several photos added at once are named in
    one line.  A daily user's ``study add`` per morning repeated the whole sentence for every morning's before photo
    (13 times in 14 mornings, Round 20's (v); stop 60, g2)."""
    from .batch.tables import stored_second_reads
    from .timekeys import since_text

    added = {r.photo_id: r for r in results if r.status == "added" and r.role == "baseline" and r.photo_id is not None}
    if not added:
        return []
    # the photos just measured as their measuring went (as My study passes the stored photos' statuses)
    ok = {r.photo_id: r.measured == "ok" for r in results if r.photo_id is not None and r.measured}
    twice = stored_second_reads(store.photos(subject), ok=ok)
    mine = [(added[pid], prev, h, ready) for pid, (prev, h, ready) in sorted(twice.items()) if pid in added]
    if not mine:
        return []
    earlier = sum(pid not in added for pid in twice)  # read so before this command: the first one's line said why

    def at(r, prev, h) -> str:
        # "the photo at 14.0 days", not "the 14.0 days photo" (docs/validation.md section 12, Round 19)
        return (f"photo at {since_text(h)} of the session treated at {clock_text(prev)}"
                + ("" if r.measured else f" {MSG_IF_MEASURES}"))

    later = " (once its session has an after photo)"
    as_earlier = f", like {earlier} earlier before photo{'s' * (earlier != 1)} of subject {subject}"
    if len(mine) == 1:
        r, prev, h, ready = mine[0]
        if earlier:
            return [f"{r.name}: {MSG_ALSO_READ} {at(r, prev, h)}{as_earlier}" + ("" if ready else later)]
        return [f"{r.name}: {MSG_ALSO_READ} {at(r, prev, h)} ({SECOND_READ_WHY}"
                + (")" if ready else "; once this session has an after photo)")]
    why = as_earlier if earlier else f" ({SECOND_READS_WHY})"
    return [f"{len(mine)} before photos {MSG_ALSO_READ} previous session's photo at that time{why}: "
            + "; ".join(f"{r.name}, the {at(r, prev, h)}" + ("" if ready else later) for r, prev, h, ready in mine)]


#: the line of ``study add`` for a session given after photos and no before photo (:func:`_no_before_lines`)
MSG_NO_BEFORE = "has no before photo"


def _no_before_lines(store, subject: str, results) -> list[str]:
    """One line per session of the after photos just added that has no before photo in the store: each photo was
    "added (post, ...)" with nothing said, and the report then left the session's photos uncompared ("no baseline
    photo (taken before treated_at) in this session"; Round 18 of docs/validation.md section 12).  [] for none."""
    added = {r.photo_id for r in results if r.status == "added" and r.role == "post" and r.photo_id is not None}
    if not added:
        return []
    photos = store.photos(subject)
    out = []
    for sid, rows in photos.groupby("session_id", sort=False):
        if not added & set(rows["id"]) or (rows["role"] == "baseline").any():
            continue
        tr, at, who = (str(rows[c].iloc[0]) for c in ("treatment", "treated_at", "subject"))
        out.append(f"the {tr} session treated at {clock_text(at)} {MSG_NO_BEFORE}: its after photos are compared "
                   f"once one taken before the treatment is added (facemetrics study add PHOTO --subject {who} --treatment "
                   f"{tr} --treated-at {at}); until then it still counts as a treatment before the next session")
    return out


def _no_store(store) -> str:
    """"no store at PATH" when the (lazy) store has no database yet, else "": a mistyped --store must not
    read as an existing empty study."""
    if store.db_path.exists():
        return ""
    if _store_is_a_file(store):
        return _store_is_a_file(store)
    return f"no store at {store.dir} (`study add` creates it)"


def _store_is_a_file(store) -> str:
    """The store's own refusal when its folder is a file (`study add` gives it; `study list` said "`study add`
    creates it": stop 64's audit), else ""."""
    if Path(store.dir).exists() and not Path(store.dir).is_dir():
        return f"the study store {store.dir} is a file, not a folder: give a folder (--store or FACEMETRICS_STORE)"
    return ""


def cmd_study_list(args: argparse.Namespace) -> int:
    with _open_store(args) as store:
        if is_file := _store_is_a_file(store):
            print(f"facemetrics study list: {is_file}", file=sys.stderr)
            return 2
        subjects = store.subjects()
        if missing := _no_store(store):
            print(missing)
            return 0
        print(f"store: {store.dir}")
        if subjects.empty:
            print("no subjects yet (add photos with `facemetrics study add PHOTO... --subject NAME`)")
            return 0
        sessions, photos = store.sessions(), store.photos()
    noted = photos[photos["note"] != ""]  # a file of several frames: which one was stored (the store's photos.note)
    for s in subjects.itertuples():
        span = (f"{clock_text(s.first_photo)} to {clock_text(s.last_photo)}"
                if isinstance(s.first_photo, str) and s.first_photo else "no photos")  # SQL MIN of no rows: None, NaN in the frame
        print(f"{s.name}: {s.n_photos} photo(s), {s.n_sessions} session(s), {span}")
        for se in sessions[sessions["subject"] == s.name].itertuples():
            dev = f" [{se.device}]" if se.device else ""
            settings = f" {se.settings_json}" if se.settings_json not in ("", "{}") else ""
            print(f"  {clock_text(se.treated_at)}  {se.treatment}{dev}{settings}: {se.n_photos} photo(s)")
        for p in noted[noted["subject"] == s.name].itertuples():
            print(f"  note on {p.original_name}: {p.note}")
    return 0


def _print_uncertain(exc: Exception, changes) -> None:
    """Before a run's "... read 'uncertain' ..., so no series could be fitted": each comparison left out so, with its
    reason (:func:`facemetrics.batch.console.uncertain_lines`; no report.md lists them then).  ``changes``: the
    ``changes.csv`` rows, or its path (not read when absent or unreadable)."""
    from .batch import console

    if "'uncertain'" not in str(exc):
        return
    if isinstance(changes, Path):
        try:
            changes = _read_rows(changes)
        except (OSError, ValueError):
            return
    print("".join(f"{line}\n" for line in console.uncertain_lines(changes)), end="")


def _read_rows(path: Path) -> list[dict]:
    """``path``'s CSV rows as dicts (pandas' reading, as the tables are written)."""
    import pandas as pd

    return pd.read_csv(path).to_dict("records")


def cmd_study_report(args: argparse.Namespace) -> int:
    from .batch import console
    from .batch.tables import next_before_count
    from .store import StoreError

    check_output(args.output, folder=True)
    said: list[str] = []
    ran: list = []  # the batch run (its change rows: the comparisons left out as 'uncertain' when nothing was fitted)
    held: list[str] = []  # the comparisons kept in the fits with a warning: said once, in the fits' words
    try:
        with _open_store(args) as store:
            if missing := _no_store(store):
                raise StoreError(missing)

            def batch_done(res, reg) -> None:  # what `batch` prints, also before a "no changes to fit yet"
                ran.append(res)
                lines = [*console.batch_lines(res, kept_lines=True),
                         *console.regimen_lines(reg, args.output, kept_lines=True)]
                held.extend(x for x in lines if x.startswith(console.KEPT_WITH_WARNING))
                said.extend(x for x in lines if not x.startswith(console.KEPT_WITH_WARNING))
                for line in said:
                    print(line)

            res, table = store.report(args.output, subject=args.subject, workers=args.workers, n_boot=args.n_boot,
                                      seed=args.seed, min_effect=args.min_effect, progress=False,
                                      batch_done=batch_done, force=args.force, time_zone=args.time_zone,
                                      fit_progress=fit_progress("study report"))
    except Exception as exc:
        print("".join(f"{line}\n" for line in held), end="")  # the fits did not run: as the batch said them
        if ran:  # a SeriesError's "every row read 'uncertain'" (main prints it) names no comparison: these do
            _print_uncertain(exc, ran[0].change_rows)
        if not isinstance(exc, StoreError):
            raise
        print(f"facemetrics study report: {exc}", file=sys.stderr)
        return 2
    # a photo §16's rule flagged: the timeline's line is the batch's with "; stands out ..." (both were printed)
    _print_verdicts(table, said=said)
    timeline_kept = [f"{console.KEPT_WITH_WARNING}{n}" for n in (*table.attrs.get("expression_kept_notes", ()),
                                                                  *table.attrs.get("light_kept_notes", ()))]
    print("".join(f"{x}\n" for x in held if not any(t.startswith(x) for t in timeline_kept)), end="")
    # the refused or failed comparisons counted as `batch` counts them (console.batch_summary): "2 changes" said
    # nothing of the one refused for a mirror image (first-user audit, stop 54)
    n_refused = sum(r.get("status") in ("refused", "error") for r in res.change_rows)
    refused = f", {n_refused} of them refused or failed (their status in changes.csv)" if n_refused else ""
    refused += next_before_count(res.change_rows, res.photo_rows)  # "14 changes" of 10 after photos (Round 16)
    n_changes = len(res.change_rows)  # "1 changes" (Round 22)
    print(f"{res.n_ok} of {len(res.photo_rows)} photos measured, {n_changes} change{'s' if n_changes != 1 else ''}"
          f"{refused}; written to "
          f"{args.output}: photos.csv, changes.csv, long.csv, timeline.csv, timeline.png, report.md")
    return 0


#: how to give the treatment time's UTC offset in ``study import`` (the ``{how}`` of ``store.MSG_UTC_LEFT_OUT``)
UTC_REMEDY_IMPORT = "import again with treated_at {example} (in treated_at.txt or the manifest)"


def cmd_study_import(args: argparse.Namespace) -> int:
    from .batch import Excluded, console, discover
    from .batch.discover import manifest_order_notes
    from .store import DUPLICATE_MESSAGE, StoreError

    if not Path(args.folder).is_dir():
        print(f"facemetrics study import: {args.folder} {_not_a_folder(args.folder)}", file=sys.stderr)
        return 2
    entries = discover(args.folder, args.manifest)
    print("".join(f"{n}\n" for n in manifest_order_notes(args.manifest)), end="")  # 24/11/2026: its order, said
    added = dup = bad = unplaced = 0
    notes: dict[str, None] = {}
    timed = []  # (entry, its photo's EXIF time) of each photo imported: the manifest's time wins, as in `batch`
    unfit = []  # Excluded entries of a manifest that does not fit the folder: said after, grouped, with what to do
    untimed = []  # photos without a capture time: what to do, said once after
    placed = []  # (entry, AddResult) of each photo imported: a UTC time left out by the report said after
    moved = {}  # a session's refusal (read in another zone than stored): {(subject, why): [photos]}, said once
    try:
        with _open_store(args) as store:
            for e in entries:
                subject = e.subject or args.subject
                if args.manifest and e.note:
                    # not listed, listed but not found, a time not read: "no subject, treatment or treatment time
                    # (not in manifest)" per photo, and "file not found" or "'noon' is not a time" naming no row
                    # (round 2 of a first-time user's session, 2026-12-05)
                    left = Excluded(e.photo, e.note, e.reasons)  # the manifest's reasons, with their fields
                    if console.manifest_lines([left], args.manifest):
                        unfit.append(left)
                    else:  # another manifest note (a time with a decimal fraction after the hours): as it is
                        print(f"{e.photo}: not imported - {e.note}")
                    bad += 1
                    continue
                if not subject or not e.treatment or not e.treated_at:
                    print(f"{e.photo}: not imported - no subject, treatment or treatment time"
                          + (f" ({e.note})" if e.note else ""))
                    bad += 1
                    continue
                r = _import_one(store, args, e, subject, moved)
                if r is None:  # this row's own refusal, before anything of it was written: the other rows go on
                    bad += 1
                    continue
                added += r.status == "added"
                if r.status == "added":
                    timed.append((e, r.exif_taken_at))
                    placed.append((e, r))
                elif r.status == "duplicate" and r.message != DUPLICATE_MESSAGE:
                    print(f"{e.photo}: {r.message}")  # a manifest time not applied to a photo stored already
                dup += r.status == "duplicate"
                if r.note and r.note not in notes:
                    notes[r.note] = None
                    print(r.note)
                if r.status == "error":
                    bad += 1
                    _print_not_imported(e, r, untimed)
            _print_moved(moved)
            unplaced = _print_unplaced(store, placed)
    except StoreError as exc:  # the store itself (a newer schema ...): nothing can be imported
        print(f"facemetrics study import: {exc}", file=sys.stderr)
        return 2
    from .batch.discover import manifest_time_notes

    _, far = manifest_time_notes([e for e, _ in timed], {i: exif for i, (_, exif) in enumerate(timed)})
    for line in far:  # the batch's line on manifest times far from the photos' EXIF times (the store's rule too)
        print(line)
    where = (f"store: {store.dir}" if store.db_path.exists()  # nothing written: none created (lazy), as `study add`
             else f"no store was created at {store.dir}")
    print(f"{added} photo(s) imported, {dup} already there, {bad} not imported; {where}")
    for line in _import_lines(args, entries, unfit, untimed, left=bad + unplaced):
        print(line)
    if not entries:  # said "0 photo(s) imported" and exit status 0, where `study add` says none was found (stop 64)
        why = (f": {legible(str(args.manifest))} lists none" if args.manifest else " (a study folder holds "
               "<subject>/<treatment>/ folders of photos, each with its treated_at.txt, or give --manifest)")
        print(f"facemetrics study import: no photos found in {legible(str(args.folder))}{why}", file=sys.stderr)
        return 2
    if bad and not added and not dup:  # every row refused, nothing written: a failed command, as `study add`
        print(f"facemetrics study import: none of the {bad} photo(s) was imported (see the reasons above); "
              "the store is unchanged", file=sys.stderr)
        return 2
    return 0


def _import_one(store, args: argparse.Namespace, e, subject: str, moved: dict):
    """`study import`'s add of one row ``e`` (:class:`facemetrics.batch.discover.PhotoEntry`) for ``subject``: its
    :class:`~facemetrics.store.AddResult`, or None when the store refused the row before anything of it was written.
    A date alone, a time that does not parse, a treatment time naming two stored sessions: said now, by the photo;
    a treatment time read in another zone than its stored session's (the same for each of the session's photos,
    stored already or not): kept in ``moved`` (``{(subject, the refusal): [photos]}``), said once per session by
    :func:`_print_moved` (it was said once per photo until stop 61, g9)."""
    from .store import SessionZoneError, StoreError

    try:
        (r,) = store.add_photos(subject, [e.path], treatment=e.treatment, treated_at=e.treated_at,
                                taken_at=e.taken_at or None, measure=not args.no_measure,
                                taken_at_wins=True, time_zone=args.time_zone)
    except SessionZoneError as exc:
        moved.setdefault((subject, str(exc)), []).append(e.photo)
        return None
    except StoreError as exc:
        print(f"{e.photo}: not imported - {exc}")
        return None
    return r


def _print_moved(moved: dict) -> None:
    """`study import`'s one line per session refused for a treatment time read in another zone than it was stored
    in (``moved``: :func:`_import_one`'s): the photo's own line for one photo, else the count of photos it covers
    and the first of them, then the refusal with its remedy as the store gives it."""
    for (_, why), photos in moved.items():
        who = f"{photos[0]}:" if len(photos) == 1 else f"{len(photos)} photos ({photos[0]} and {len(photos) - 1} more):"
        print(f"{who} not imported - {why}")


def _print_not_imported(e, r, untimed: list) -> None:
    """`study import`'s line for a photo the store refused (``r``: its ``AddResult``, status ``error``); a photo
    without a capture time is added to ``untimed``, its remedy said once after the summary."""
    msg = r.message.removeprefix(f"{e.path.name}: ")  # the store's message names the photo too
    if msg.startswith("no capture time"):
        # `study import` has no --taken-at (a new user's audit, 2026-12-04): a manifest gives the
        # time, but one that lists only these photos leaves the others out; said once, below
        untimed.append(e.photo)
        msg = msg[:remedy_start(msg)]  # its remedy (--taken-at) said once, below
    print(f"{e.photo}: not imported - {msg}")


def _print_unplaced(store, placed) -> int:
    """`study import`'s line for each photo imported (``placed``: ``(entry, AddResult)``) whose only time is in UTC
    and that the report cannot place among its session's photos, read once all are imported (one photo is added at
    a time: a later one with an offset places it; :meth:`facemetrics.store.Store.utc_left_out_notes`).  How many
    (a manifest-like CSV is then no "not needed here": review r3)."""
    unplaced = store.utc_left_out_notes([r.photo_id for _, r in placed], how=UTC_REMEDY_IMPORT)
    for e, r in placed:
        if r.photo_id in unplaced:
            print(f"{e.photo}: imported - {unplaced[r.photo_id]}")
    return sum(r.photo_id in unplaced for _, r in placed)


def _import_lines(args: argparse.Namespace, entries, unfit, untimed, left: int = 0) -> list[str]:
    """The console lines after `study import`'s summary (:mod:`facemetrics.batch.console`): files filed twice,
    a manifest that does not fit the folder (``unfit``: :class:`facemetrics.batch.Excluded`), the photos
    without a capture time (``untimed``), the files not read (a manifest-like CSV "not needed" when every photo
    was placed and timed, as :func:`facemetrics.batch.console.skipped_lines` says it in `batch`: none ``unfit``,
    ``untimed`` nor ``left``, the photos not imported or whose UTC time the report cannot place; it said "give it
    with --manifest" on the demo's own folder: a newcomer's walk, stop 66).  Reads the files' bytes
    (:func:`_import_files`)."""
    from .batch import console

    all_placed = bool(entries) and not unfit and not untimed and not left
    return (console.identical_files_lines(_import_files(entries, args.subject, args.manifest),
                                          within_session=False, again=_IMPORT_AGAIN, used=console.COPIES_STORED)
            + console.manifest_lines(unfit, args.manifest)
            + console.import_untimed_lines(untimed, args.folder, args.manifest)
            + console.skipped_lines(args.folder, args.manifest, all_placed=all_placed))


#: what `study import` says to do once a copy filed under the wrong subject is removed from the folder
_IMPORT_AGAIN = ("import again (a copy imported already stays in the store: `facemetrics study delete --subject NAME` "
                 "deletes that subject, whose photos the import then adds again)")


def _import_files(entries, subject=None, manifest=None) -> list[dict]:
    """The files `study import` files in a session, as :func:`facemetrics.batch.console.identical_files_lines` reads photos.csv's rows
    (``photo``, ``sha256`` of the file's bytes, ``subject``, ``treatment``, ``treated_at``); the photos a
    manifest does not fit (:attr:`facemetrics.batch.PhotoEntry.note`) and files that cannot be read are
    filed nowhere.  Reads the files (the command's edge)."""
    import hashlib

    rows = []
    for e in entries:
        if (manifest and e.note) or not (e.subject or subject) or not e.treatment:
            continue
        try:
            with open(e.path, "rb") as f:
                sha = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError:  # named by its own "not imported" line
            continue
        rows.append({"photo": e.photo, "sha256": sha, "subject": e.subject or subject, "treatment": e.treatment,
                     "treated_at": e.treated_at})
    return rows


def cmd_study_delete(args: argparse.Namespace) -> int:
    from .store import StoreError

    try:
        with _open_store(args) as store:
            if missing := _no_store(store):
                raise StoreError(missing)
            out = store.delete_subject(args.subject)
    except StoreError as exc:
        print(f"facemetrics study delete: {exc}", file=sys.stderr)
        return 2
    from .batch.discover import name_text

    shown = out.get("name") or name_text(args.subject)  # as stored: "Anna" for anna, no typed line break (stop 64)
    if out["files_left"]:
        print(f"deleted the rows of {shown!r} but these files could not be removed: "
              + ", ".join(out["files_left"]), file=sys.stderr)
        return 1
    print(f"deleted {shown!r}: {out['photos']} photo(s) and their files, sessions, measurements and "
          "comparisons (verified gone)")
    return 0


def _whole_number(text: str, least: int | None, too_small: str, example: str = "400") -> int:
    """A whole number of at least ``least`` (None: any; an argparse type's check; ``too_small`` the message),
    written as the library reads it (:func:`facemetrics.decay.bootstrap.whole_setting`: ``400`` or ``400.0``); other
    text is refused saying what to write (``1,000``: write 1000; ``ninety``: the number alone, e.g. ``example``)."""
    try:
        n = int(text)
    except ValueError:
        try:
            x = float(text)
            n = int(x) if x == int(x) else None
        except (ValueError, OverflowError):
            n = None
        if n is None:
            from .decay.bootstrap import whole_hint  # only for text that is not a whole number

            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number{whole_hint(text, example)}") from None
    if least is not None and n < least:
        raise argparse.ArgumentTypeError(too_small.format(n=n, text=text))
    return n


def _positive_int(text: str) -> int:
    """argparse type of ``--workers`` and counts: a whole number of at least 1."""
    return _whole_number(text, 1, "{text} is not a positive number (at least 1)", "2")


def _seed(text: str) -> int:
    """argparse type of ``--seed``: a whole number, as :func:`facemetrics.analyze_series` reads it (``int`` said
    "invalid int value: '0,5'" and refused ``7.0``, which the library takes)."""
    return _whole_number(text, None, "", "0")


def _n_boot(text: str) -> int:
    """argparse type of ``--n-boot``: 0 (no bootstrap) or a whole number of at least
    :data:`facemetrics.decay.bootstrap.MIN_VERDICT_REPLICATES`, as :func:`facemetrics.analyze_series`
    accepts (said as the option's error, not as 'nothing to fit' after long.csv was read; 1 gave
    intervals that excluded their own estimate, "1.93 mm [1.95, 1.95]")."""
    from .decay.bootstrap import MIN_VERDICT_REPLICATES  # only when --n-boot is given; every such command fits

    n = _whole_number(text, 0, "must be 0 or more (bootstrap replicates; 0: none), got {n}")
    if 0 < n < MIN_VERDICT_REPLICATES:
        raise argparse.ArgumentTypeError(f"must be 0 (no bootstrap: no intervals, no verdict) or at least "
                                         f"{MIN_VERDICT_REPLICATES} bootstrap replicates, got {n}")
    return n


def _min_effect(text: str) -> float:
    """argparse type of ``--min-effect``: a finite number of at least 0, in the metric's unit."""
    import math

    try:
        x = float(text)
    except ValueError:
        from .decay.margin import min_effect_hint  # "0,3": a decimal comma, as the library says it

        raise argparse.ArgumentTypeError(f"{text!r} is not a number{min_effect_hint(text)}") from None
    if not (math.isfinite(x) and x >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of 0 or more (the smallest change that "
                                         f"matters, in the metric's unit, e.g. 0.3 for 0.3 mm), got {text}")
    return x


def _time_zone(text: str):
    """argparse type of ``--time-zone``: a zone :func:`facemetrics.timekeys.read_time_zone` reads (``Europe/London``,
    ``+01:00``), as a tzinfo; its refusal as the option's error.  An empty one is refused (the library reads it
    as no zone): ``--time-zone "$TZ"`` with the variable unset would run without a zone, said nowhere."""
    from .timekeys import read_time_zone, time_zone_refusal

    if not str(text).strip():
        raise argparse.ArgumentTypeError(time_zone_refusal(text))
    try:
        return read_time_zone(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


#: ``--time-zone``'s help (batch, study add, study import, study report)
_TIME_ZONE_HELP = ("the time zone your clocks were in, e.g. Europe/London (its clock changes known) or a fixed offset "
                   "such as +01:00: times without a UTC offset are read in it at their own date, UTC times (a "
                   "Pixel's file name, a Google Photos sidecar) converted into it; default: none, times as written")


def _add_time_zone(p, stored: bool = False) -> None:
    """``--time-zone`` (``stored``: ``study add`` and ``study import``, which store the times read in it)."""
    said = _TIME_ZONE_HELP.replace("; default:", ", and stored so (`study report` then needs no --time-zone); default:")
    p.add_argument("--time-zone", metavar="ZONE", type=_time_zone, help=said if stored else _TIME_ZONE_HELP)


def _setting(check):
    """argparse type that parses a float and checks it with ``check`` (an :mod:`facemetrics.analyze`
    checker, so the command line accepts what the library accepts); imported only when given."""
    def parse(text: str) -> float:
        from . import analyze
        from .errors import SettingError

        try:
            return getattr(analyze, check)(float(text))
        except ValueError as exc:  # SettingError is a ValueError
            raise argparse.ArgumentTypeError(str(exc) if isinstance(exc, SettingError)
                                             else f"{text!r} is not a number") from None
    parse.__name__ = check.removeprefix("check_")  # argparse names the type in its messages
    return parse


#: help of ``--mm-per-px`` and ``--ipd-mm`` (the ranges are :data:`facemetrics.analyze.USER_MM_PER_PX_RANGE`
#: and :data:`~facemetrics.analyze.USER_IPD_RANGE_MM`, written as their error message writes them, ``{:.3g}``:
#: tests/test_cli.py checks both; not imported, so that the parser is built without the analysis modules)
_MM_PER_PX_HELP = ("known scale of the photos, mm per pixel of the original photo (0.007-0.933: a face then "
                   "spans 150-20000 px); overrides the iris calibration")
_IPD_HELP = "the subject's known inter-pupillary distance, mm (40-90; not cm); overrides the iris calibration"
#: help of ``--min-effect`` (the defaults are :data:`facemetrics.decay.margin.MIN_EFFECT`, the margin
#: ``max(min_effect, noise floor)`` of :func:`facemetrics.decay.analyze_series`; tests/test_cli.py checks both:
#: a user's 0.1 raised to a 0.40 mm floor in silence read exactly as without the option, CLI audit b)
_MIN_EFFECT_HELP = ("smallest change that matters, in the metric's unit (default: 0.3 mm for lifts, 0.84 for the "
                    "fold-depth index). A verdict's margin is at least its series' noise floor (the median of its "
                    "photos' floors): a smaller value is raised to it, and the verdict then says so")
#: help of ``--n-boot`` after "bootstrap replicates: " (the least is
#: :data:`facemetrics.decay.bootstrap.MIN_VERDICT_REPLICATES`, which ``_n_boot`` checks; tests/test_cli.py checks the text)
_N_BOOT_HELP = "0 (no bootstrap: no intervals, no verdict) or at least 50 (default 400)"


#: the help of every writing command's ``--force``
_FORCE_HELP = ("replace files of the output names that facemetrics did not write (by default such a file, e.g. "
               "your own overlay.png or report.md, stops the command before any work; files facemetrics wrote "
               "are always replaced)")


def _add_force(p) -> None:
    p.add_argument("--force", action="store_true", help=_FORCE_HELP)


def _add_fit_options(p) -> None:
    """The timeline fit's options, the same for ``timeline`` and ``study report`` (which fits as ``timeline``)."""
    p.add_argument("--min-effect", type=_min_effect, default=None, help=_MIN_EFFECT_HELP)
    p.add_argument("--n-boot", type=_n_boot, default=400, help=f"bootstrap replicates: {_N_BOOT_HELP}")
    p.add_argument("--seed", type=_seed, default=0, help="random seed of the bootstrap (default 0)")


class _ExampleLines(argparse.HelpFormatter):
    """argparse's help layout, but a description's line that starts with "Example: " is kept whole, on a line of its
    own: argparse reflows a description to the terminal's width, so an example command was broken across lines
    wherever the paragraph wrapped, and a copied example did not run (round 2 of a first-time user's session,
    2026-12-05).  The rest of the description is wrapped as before (one paragraph per run of lines)."""

    def _fill_text(self, text, width, indent):
        out, para = [], []

        def flush():
            if para:
                out.append(argparse.HelpFormatter._fill_text(self, " ".join(para), width, indent))
                para.clear()

        for line in text.splitlines():
            if line.startswith("Example: "):
                flush()
                out.append(indent + line.strip())
            elif not line.strip():
                flush()
                out.append("")
            else:
                para.append(line)
        flush()
        return "\n".join(out)


def _add_study_add(ss, common) -> None:
    """``study add``: photos of one subject into the store (``common`` adds --store)."""
    a = ss.add_parser("add", help="add photos (copied into the store, metadata stripped)", formatter_class=_ExampleLines,
                      description="Add photos of one subject to the store: each is copied without GPS or other "
                                  "personal metadata, filed in a session (the treatment and its time; photos "
                                  "taken before it are the session's baseline) and measured, unless --no-measure. "
                                  "Reads the photos' capture times from EXIF, else from a Google Photos sidecar or the file name "
                                  "(--taken-at for photos with none of them); "
                                  "writes only into the store.\n\nExample: facemetrics study add IMG_0001.jpg "
                                  "IMG_0002.jpg --subject anna --treatment microcurrent --treated-at "
                                  "2026-12-01T08:00")
    a.add_argument("photos", nargs="+", help="photo files or folders")
    a.add_argument("--subject", required=True, help="whose photos (created when new)")
    a.add_argument("--treatment", help="treatment of the session these photos belong to (e.g. microcurrent)")
    a.add_argument("--treated-at", metavar="TIME", help="when the treatment was done, e.g. 2026-12-01T20:20 (ISO 8601, "
                                                        "24-hour clock); photos taken before it are the session's "
                                                        "baseline")
    a.add_argument("--follow-up", action="store_true", help="photos taken after the latest session (no new session)")
    a.add_argument("--taken-at", metavar="TIME", help="capture time for photos with no time of their own (no EXIF "
                                                      "time, no Google Photos sidecar, none in the file name), e.g. "
                                                      "2026-12-01T21:30 (ISO 8601, as --treated-at)")
    a.add_argument("--device", help="device of a new session (e.g. 'NuFace Trinity')")
    a.add_argument("--settings", metavar="JSON", help="settings of a new session, e.g. '{\"intensity\": 3}'")
    a.add_argument("--no-measure", action="store_true", help="do not measure the photos now (report does)")
    _add_time_zone(a, stored=True)
    common(a)
    a.set_defaults(func=cmd_study_add)


def _add_study_parser(sub) -> None:
    s = sub.add_parser("study", help="your study over days and weeks, kept in a local store",
                       description="A persistent local study store (SQLite + photo copies without GPS or other "
                                   "personal metadata), shared with the app. Default location: the user data "
                                   "folder (see `facemetrics study list`); override with --store or FACEMETRICS_STORE.")
    ss = s.add_subparsers(dest="study_command", required=True)

    def common(p):
        p.add_argument("--store", metavar="PATH", help="store folder (default: $FACEMETRICS_STORE or the user data "
                                                       "folder, e.g. ~/.local/share/facemetrics/study)")

    _add_study_add(ss, common)

    li = ss.add_parser("list", help="subjects, sessions and photo counts", formatter_class=_ExampleLines,
                       description="List the store's subjects, each with its photo count and the times of its "
                                   "first and last photo, its sessions (treatment time, treatment, device, "
                                   "settings, photo count) and the notes kept with its photos (a file of several "
                                   "frames: which one was stored and measured). Reads the store; writes nothing.\n\nExample: facemetrics "
                                   "study list --store ~/facemetrics-study")
    common(li)
    li.set_defaults(func=cmd_study_list)

    r = ss.add_parser("report", help="photos.csv, changes.csv, long.csv, timeline.csv/png and report.md of the study",
                      formatter_class=_ExampleLines,
                      description="Compare each post-treatment photo of the store with its session's baseline (as "
                                  "`batch`) and fit how each change fades (as `timeline`); measurements and "
                                  "comparisons already in the store are reused, new ones stored. Writes photos.csv, changes.csv, long.csv, "
                                  "timeline.csv, timeline.png and report.md to DIR.\n\nExample: facemetrics study "
                                  "report --subject anna -o anna_report")
    r.add_argument("--subject", help="only this subject (default: all, pooled)")
    r.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    r.add_argument("--workers", type=_positive_int, default=1,
                   help="processes measuring photos (default 1)")
    _add_fit_options(r)
    _add_force(r)
    _add_time_zone(r)
    common(r)
    r.set_defaults(func=cmd_study_report)

    im = ss.add_parser("import", help="import a batch folder (FOLDER/<subject>/<treatment>/ or --manifest)",
                       formatter_class=_ExampleLines,
                       description="Add the photos of a `batch` study folder to the store, as `study add` adds "
                                   "them: subject, treatment and treatment time from FOLDER/<subject>/<treatment>/ "
                                   "with treated_at.txt, or from a manifest CSV; photos stored already are not added "
                                   "twice. Reads the folder (and the manifest); writes only into the store.\n\n"
                                   "Example: facemetrics study import my_study --manifest my_study/manifest.csv")
    im.add_argument("folder", help="batch study folder")
    im.add_argument("--manifest", metavar="CSV", help="manifest CSV, as for `facemetrics batch`: photo, subject, "
                    "treatment, taken_at, treated_at, a row for every photo imported (default: "
                    "FOLDER/<subject>/<treatment>/ with treated_at.txt)")
    im.add_argument("--subject", help="subject for photos whose folder/manifest gives none")
    im.add_argument("--no-measure", action="store_true", help="do not measure the photos now (report does)")
    _add_time_zone(im, stored=True)
    common(im)
    im.set_defaults(func=cmd_study_import)

    d = ss.add_parser("delete", help="delete a subject: rows and photo files (verified gone)",
                      formatter_class=_ExampleLines,
                      description="Delete a subject from the store: its photos' copies, sessions, measurements "
                                  "and comparisons, then check that none is left (exit status 1 names any file "
                                  "that could not be removed). Your original photos are not touched.\n\n"
                                  "Example: facemetrics study delete --subject anna")
    d.add_argument("--subject", required=True, help="the subject to delete")
    common(d)
    d.set_defaults(func=cmd_study_delete)


def _add_analyze(sub) -> None:
    """``analyze``: measure each photo."""
    a = sub.add_parser("analyze", help="measure each photo: one CSV row per photo",
                       description="Measure jawline, lower-face and nasolabial-fold metrics on each photo. "
                                   "The 'photo' column is the file's path relative to the folder given (the "
                                   "folder's name first when several are given; a file given directly: its "
                                   "path as typed, or its name when absolute; the absolute path when two "
                                   "files would share one). Output files keep that path and the whole file "
                                   "name with its extension: S01/image.png gives DIR/S01/image.png_overlay.png "
                                   "and DIR/S01/image.png.json. A name that differs from an earlier one only in "
                                   "letter case, or is too long for file systems (over "
                                   f"{_MAX_OUTPUT_NAME_BYTES} bytes with its suffix; then cut), gets '~' and "
                                   f"{_NAME_HASH_HEX} hex digits of the SHA-256 of the photo's path before its "
                                   "extension.",
                       epilog="Exit status: 0 when at least one photo was measured (status ok; every photo has "
                              "its row, one that cannot be measured too: its status and error say why); 1 when no "
                              "photo could be measured (the table is written all the same and one line on stderr "
                              "says why), or when a photo crashed the face finder (its measuring "
                              "ended the worker process twice by a native crash): its row is an error, the other "
                              "photos are measured, and stderr names it; 2 when no photo was found or an option "
                              "or output is invalid; 130 when interrupted.")
    a.add_argument("photos", nargs="+", help="photo files or folders (searched recursively)")
    a.add_argument("-o", "--output", default="photos.csv", help="CSV to write (default: photos.csv)")
    a.add_argument("--overlays", metavar="DIR", help="write an overlay PNG per photo here (PHOTO_overlay.png)")
    a.add_argument("--geometry", metavar="DIR", help="write raw geometry JSON per photo here (PHOTO.json)")
    a.add_argument("--subject", help="subject identifier for the 'subject' column")
    a.add_argument("--mm-per-px", type=_setting("check_mm_per_px"), help=_MM_PER_PX_HELP)
    a.add_argument("--ipd-mm", type=_setting("check_ipd_mm"), help=_IPD_HELP)
    _add_force(a)
    a.set_defaults(func=cmd_analyze)


def _add_batch(sub) -> None:
    """``batch``: measure a study folder and compare with the baselines."""
    b = sub.add_parser("batch", help="measure a study folder and compare each photo with its session baseline",
                       description="Measure every photo of a study folder (recursively) and compare each "
                                   "post-treatment photo with its session's baseline. Writes photos.csv, "
                                   "changes.csv and long.csv; re-running resumes (and removes the earlier "
                                   "timeline.csv, timeline.png, report.md and regimen.png there, made from the "
                                   "tables it replaces: run `timeline` again).",
                       epilog="Exit status: 0 when at least one comparison gave a change (status ok or warning; "
                              "photos that could not be used are rows with their status); 1 when nothing was "
                              "compared (no photo measured, no photo paired with a baseline photo, or every "
                              "comparison refused or failed): the tables are written all the same and one line "
                              "on stderr says why; 2 when the folder, the manifest, an option or the output is "
                              "invalid (one line, nothing measured); 130 when interrupted.")
    b.add_argument("folder", help="study folder")
    b.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    b.add_argument("--manifest", metavar="CSV", help="manifest CSV (photo, subject, treatment, taken_at, treated_at; "
                   "photo paths relative to FOLDER; it lists every photo used, and the folders' treated_at.txt "
                   "are then not read; a copy of photos.csv reads as one); default: FOLDER/<subject>/<treatment>/ "
                   "with treated_at.txt")
    b.add_argument("--workers", type=_positive_int,
                   help="processes measuring photos (default: min(2, CPUs))")
    b.add_argument("--mm-per-px", type=_setting("check_mm_per_px"), help=_MM_PER_PX_HELP)
    b.add_argument("--ipd-mm", type=_setting("check_ipd_mm"), help=_IPD_HELP)
    _add_time_zone(b)
    _add_force(b)
    b.set_defaults(func=cmd_batch)


def _add_timeline(sub) -> None:
    """``timeline``: fit how each change fades."""
    t = sub.add_parser("timeline", help="fit how each change fades and test the 24 h claim",
                       description="Read DIR/long.csv from `batch`; write timeline.csv, timeline.png, report.md.")
    t.add_argument("folder", metavar="DIR", help="batch output folder")
    t.add_argument("-o", "--output", metavar="DIR", help="where to write (default: DIR)")
    _add_fit_options(t)
    t.add_argument("--all-sides", action="store_true", help="also fit right and left sides")
    _add_force(t)
    t.set_defaults(func=cmd_timeline)


def _add_demo(sub) -> None:
    """``demo``: a simulated study through batch and timeline."""
    d = sub.add_parser("demo", help="simulate a study from sample_images/ and run batch + timeline on it",
                       description="Simulate a study from a sample photo (subjects photographed before and "
                                   "after microcurrent, 2 mm peak lift with a 3 h half-life, and RF, 1.5 mm "
                                   "lasting), then run `batch` and `timeline` on it. Writes the study to "
                                   "DIR/study and photos.csv, changes.csv, long.csv, timeline.csv, timeline.png "
                                   "and report.md to DIR.")
    d.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="output folder: the simulated study (DIR/study) and every batch and timeline output")
    d.add_argument("--subjects", type=_positive_int, default=3, help="simulated subjects (default 3)")
    d.add_argument("--workers", type=_positive_int,
                   help="processes measuring photos (default: min(2, CPUs))")
    d.add_argument("--n-boot", type=_n_boot, default=400, help=f"bootstrap replicates of the timeline: {_N_BOOT_HELP}")
    d.add_argument("--seed", type=_seed, default=0, help="random seed of the simulation and the bootstrap (default 0)")
    _add_force(d)
    d.set_defaults(func=cmd_demo)


def _add_validate(sub) -> None:
    """``validate``: the report card on simulated photos."""
    v = sub.add_parser("validate", help="the measurement's report card on simulated photos with known truth",
                       description="Measure the measurement on photos simulated from a sample photo with a "
                                   "known truth: lifts recovered, false lifts under pose, light and camera "
                                   "changes, the fold index, repeatability, and the 24 h claim on simulated "
                                   "studies. Writes the tables, validation.png and validation.json to DIR.")
    v.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="output folder: the checks' tables, the figure and validation.json (the summary)")
    v.add_argument("--quick", action="store_true", help="fewer repeats (faster, wider bounds)")
    v.add_argument("--workers", type=_positive_int,
                   help="processes measuring the simulated studies' photos (default: min(2, CPUs))")
    _add_force(v)
    v.set_defaults(func=cmd_validate)


def _add_compare(sub) -> None:
    """``compare``: a before and an after photo."""
    c = sub.add_parser("compare", help="compare a before and an after photo: lift in mm, fold change, noise floor",
                       description="Align the after photo to the before photo on the rigid upper face and measure "
                                   "how the lower face moved (mm), how the folds changed, and whether each change "
                                   "is above the noise floor. Writes DIR/comparison.csv, DIR/overlay.png and "
                                   "DIR/aligned_after.png.",
                       epilog="Exit status: 0 when the photos were compared (status ok or warning); 1 when the "
                              "comparison was refused (a photo without a measurable face, a head pose or upper "
                              "face too different: comparison.csv is written, every row 'refused', and the "
                              "messages say why); 2 when the before or after photo cannot be read (missing, not "
                              "an image, truncated, too large, too small to hold a face), a photo crashed the face finder (its process "
                              "ended twice by a native crash: it is measured in a worker process) or an option is invalid: one line on stderr, "
                              "nothing written (the comparison.csv, overlay.png and aligned_after.png of an earlier run "
                              "in DIR are removed, so that none is read as this pair's; so are an earlier run's "
                              "overlay.png and aligned_after.png when the photos could not be aligned); 130 when "
                              "interrupted.")
    c.add_argument("before", help="the before photo")
    c.add_argument("after", help="the after photo")
    c.add_argument("-o", "--output", metavar="DIR", default="comparison", help="folder to write (default: comparison)")
    c.add_argument("--before-repeat", metavar="PHOTO", action="append",
                   help="another photo of the before state (repeatable): noise floors are then measured from them; "
                        "each is also compared with the before photo, and one that disagrees with it is said, with the "
                        "floors it built")
    c.add_argument("--after-repeat", metavar="PHOTO", action="append", help="another photo of the after state (repeatable)")
    c.add_argument("--mm-per-px", type=_setting("check_mm_per_px"),
                   help="known scale of the before photo, mm per pixel of the original photo (0.007-0.933: a face "
                        "then spans 150-20000 px); overrides its iris calibration")
    c.add_argument("--ipd-mm", type=_setting("check_ipd_mm"), help=_IPD_HELP)
    _add_force(c)
    c.set_defaults(func=cmd_compare)


def build_parser() -> argparse.ArgumentParser:
    """The ``facemetrics`` parser: global options, then one ``_add_<command>`` per sub-command."""
    parser = argparse.ArgumentParser(
        prog="facemetrics",
        description="Measure jawline lift and nasolabial folds from ordinary face photos. "
                    "All processing is local; nothing is uploaded.")
    parser.add_argument("--version", action="version", version=f"facemetrics {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also show MediaPipe's own log lines (TF-Lite, absl) on stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_analyze(sub)
    _add_batch(sub)
    _add_timeline(sub)
    _add_demo(sub)
    _add_validate(sub)
    _add_compare(sub)
    _add_study_parser(sub)
    _name_own_parsers(parser)
    return parser


def _name_own_parsers(parser: argparse.ArgumentParser) -> None:
    """Give every command's parser (``compare``, ``study report``, ...) the default ``usage_parser``: itself, the
    innermost one winning (a sub-command's defaults are set after its command's).  :func:`main` reports an option a
    command does not have with that command's usage; ``parse_args`` left it to the top parser, whose usage and
    "facemetrics: error: unrecognized arguments" named no command (a newcomer's walk, stop 66)."""
    for action in parser._actions:  # argparse keeps sub-commands only there (no public accessor)
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.set_defaults(usage_parser=child)
                _name_own_parsers(child)


class _Interrupted(KeyboardInterrupt):
    """What SIGTERM and Ctrl-C raise while a command runs: a KeyboardInterrupt (every ``except
    KeyboardInterrupt`` catches it), but of its own class.  CPython 3.11 notes a KeyboardInterrupt *of
    exactly that class* leaving any ``exec``/``eval`` of a string (``collections.namedtuple``, which
    MediaPipe's ``process`` runs on every photo; each dataclass defined) as "unhandled", and ``python -m``
    then ends the process by SIGINT after it has exited, even when the command caught the exception and
    returned 130 (``run_eval_code_obj`` and ``Py_RunMain``: ``exit_sigint``): 7 of 480 batches stopped by
    SIGTERM died so.  An exception of its own class is not noted (tests/test_cli.py)."""


def _interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _Interrupted


def _no_command(argv: list[str]) -> str:
    """When ``argv`` names no command (``facemetrics``, ``facemetrics -v``) or no study command (``facemetrics
    study``): that parser's help, with its commands and what each does, is printed (stdout) and the line to say on
    stderr is returned; "" otherwise.  argparse said only "error: the following arguments are required: command"
    (``study_command`` for ``study``: the parser's own name for it) to a newcomer who typed the program's name
    (first-user audit, stop 54)."""
    if any(a in ("-h", "--help", "--version") for a in argv):
        return ""
    positional = [a for a in argv if not a.startswith("-")]
    if positional not in ([], ["study"]):
        return ""
    try:
        build_parser().parse_args([*positional, "--help"])  # prints the help, then exits 0
    except SystemExit:
        pass
    if positional:
        return ("facemetrics study: no study command given: choose one of those above, e.g. `facemetrics study "
                "list`; `facemetrics study COMMAND --help` gives its options")
    return ("facemetrics: no command given: choose one of those above, e.g. `facemetrics demo -o results` (README.md, "
            "'See it work on the bundled sample photos'); `facemetrics COMMAND --help` gives its options")


def _unrecognized(extra: list[str], command: argparse.ArgumentParser, top: argparse.ArgumentParser) -> str:
    """argparse's "unrecognized arguments: ..." of ``extra`` (what neither ``top``, facemetrics' parser, nor
    ``command``, the command's own, read), and where to give an option of one of them given on the other's side of
    the command word: ``facemetrics batch DIR -o OUT -v`` (``-v`` is facemetrics' own, given before the command) and
    ``facemetrics --force batch ...`` (the command's, given after it).  Both were said "unrecognized" after the
    command's usage, which lists ``--force`` and not ``-v`` (review r3 of the lead's usage fix, stop 66)."""
    said = f"unrecognized arguments: {' '.join(extra)}"
    words = command.prog.split(" ", 1)[-1]  # "batch", "study report"
    for name in dict.fromkeys(x.split("=", 1)[0] for x in extra if x.startswith("-")):
        if name in command._option_string_actions:  # argparse keeps them only there (no public accessor)
            said += f"; {name} is an option of {command.prog}: give it after {words!r}"
        elif (action := top._option_string_actions.get(name)) is not None:
            example = f"{top.prog} {name}" + ("" if isinstance(action, argparse._VersionAction) else f" {words} ...")
            said += f"; {name} is an option of {top.prog} itself: give it before the command ({example})"
    return said


def _dashed_files(argv: list[str]) -> str:
    """What to say after argparse's usage error when a file given starts with ``-`` (``-after.jpg``): argparse reads
    it as an option and said only "the following arguments are required: after" or "unrecognized arguments"
    (stop 63's bad-input audit); "" when no such file exists."""
    names = [a for a in argv if a.startswith("-") and a != "--" and os.path.lexists(a)]
    return "".join(f"facemetrics: {legible(a)} is read as an option because its name starts with '-': give it as "
                   f"./{legible(a)}\n" for a in names).rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    """Run one command. Ctrl-C and SIGTERM end it with a one-line message and exit
    status 130 (what was written so far is kept: ``analyze`` rewrites its table after every photo and
    says how many rows it wrote; ``batch`` writes its tables at the end and resumes from its cache); errors a user can cause (a bad
    manifest, an output path under a file, ...) are one line and exit status 2."""
    import signal

    if (missing := _no_command(sys.argv[1:] if argv is None else list(argv))):
        print(missing, file=sys.stderr)
        return 2
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra:  # an option the command does not have: said with the command's own usage (_name_own_parsers)
            args.usage_parser.error(_unrecognized(extra, args.usage_parser, parser))
    except SystemExit as exc:  # argparse's usage error (2), or --help / --version (0)
        if exc.code == 2 and (dashed := _dashed_files(sys.argv[1:] if argv is None else list(argv))):
            print(dashed, file=sys.stderr)
        raise
    if getattr(args, "verbose", False):
        os.environ["FACEMETRICS_VERBOSE"] = "1"  # read by facemetrics.landmarks; batch workers inherit it
    old = {}  # the handlers replaced, restored at the end
    try:
        old[signal.SIGTERM] = signal.signal(signal.SIGTERM, _interrupt)
        # Ctrl-C only where Python's own handler has it (an ignored SIGINT, a background job's, stays ignored)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            old[signal.SIGINT] = signal.signal(signal.SIGINT, _interrupt)
    except ValueError:  # not the main thread (e.g. called from a test runner thread)
        pass
    # the command as the user ran it, as each command's own messages name it (`facemetrics study report: ...`)
    ran = " ".join(c for c in ("facemetrics", args.command, getattr(args, "study_command", None)) if c)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # `analyze` says itself what it wrote
        for sig in old:  # a second SIGTERM or Ctrl-C while stopping must not interrupt the message
            signal.signal(sig, signal.SIG_IGN)
        kept = ("every photo measured so far is kept in the output folder's .cache, but no table was written: "
                "re-run `batch` to resume (it reuses them) and write the tables" if args.command == "batch"
                else "files written before the interruption are kept")
        print(f"\n{ran}: interrupted; {kept}", file=sys.stderr)
        return 130
    except FacemetricsError as exc:  # UsageError, ManifestError, SettingError ...: one line, no traceback
        print(f"{ran}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `facemetrics study list | head`: the reader left; nothing more to say
        try:  # Python's own flush of stdout at exit would raise again (docs.python.org, 'Note on SIGPIPE')
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's captured stdout)
            pass
        return 141  # 128 + SIGPIPE, as a shell reports a command its pipe's reader ended
    except OSError as exc:  # after BrokenPipeError, an OSError too
        if exc.errno != errno.ENAMETOOLONG:
            raise
        # a folder, output or store path with a name over the file system's limit (255 bytes), checked by the
        # commands before any work (Path.exists/is_dir of Python 3.11 raise for it): one line, no traceback
        where = legible(os.fsdecode(exc.filename)) if exc.filename is not None else "a path"
        print(f"{ran}: {where}: the name is too long for the file system ({exc.strerror}; a file or folder name "
              "holds at most 255 bytes): use a shorter one", file=sys.stderr)
        return 2
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def run() -> int:
    """The ``facemetrics`` command: :func:`main`, then a quick exit.

    Once the command has returned, every output is written and closed; freezing the
    garbage collector then spares the interpreter's final collections over the objects
    MediaPipe, SciPy and pandas created, which took 0.15-0.4 s of every command's exit
    (docs/speed.md, 'Start-up and exit').  Only the command does this, never :func:`main`
    (which tests and other programs call in their own process).
    """
    import gc

    try:
        code = main()
    except KeyboardInterrupt:  # a signal in the instant before or after main's own handler: the same exit
        print("\nfacemetrics: interrupted", file=sys.stderr)
        code = 130
    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
