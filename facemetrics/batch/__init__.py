"""Study folders: measure every photo, then every post-treatment change.

:func:`run_batch` turns a folder of dated photos into three tables in an
output folder ``DIR``:

``DIR/photos.csv``
    One row per photo found (bad photos included, with ``status``/``error``):
    the columns of :data:`facemetrics.schema.PHOTO_COLUMNS` plus
    :data:`BATCH_COLUMNS` (``treatment``, ``treated_at``,
    ``hours_since_treatment`` [h], ``role``, ``excluded``).
``DIR/changes.csv``
    One row per photo compared with its session's baseline (wide): the
    change of every metric and side returned by
    :func:`facemetrics.compare.compare_photos`, each with its noise floor and
    verdict.  See :data:`CHANGE_COLUMNS` for the fixed leading columns; every
    row carries its provenance: ``photo`` and ``sha256``, ``baseline_photos``
    and ``baseline_sha256`` (``; ``-separated, in the same order), and the
    ``facemetrics_version`` that wrote it.
``DIR/long.csv``
    The same changes as a tidy table (``subject, treatment,
    hours_since_treatment, metric, side, value, unit, noise_floor, verdict,
    photo, taken_at, treated_at, sha256, facemetrics_version``), the input of
    :func:`facemetrics.decay.analyze_series` and of plotting tools.

The columns are :mod:`facemetrics.schema`'s (``docs/metrics.md``).  A
comparison taken from the cache gets the same provenance as a new one: the
cached entry holds only the comparison (``status``, ``messages``, ``rows``),
the hashes come from the photo rows, and the version is that of the run
writing the row, which is also the version that made the comparison (the
cache key holds the version).

Metadata
--------
With a manifest CSV (``manifest=``) the columns are ``photo`` (path relative
to the folder, ``/``-separated), ``subject``, ``treatment``, ``taken_at``
(ISO 8601; when empty the photo's EXIF ``DateTimeOriginal`` is used) and
``treated_at`` (ISO 8601 time of the treatment session the photo belongs to).
Photos found in the folder but missing from the manifest are measured and
reported with ``excluded`` "not in manifest NAME: add a row for it ..."; photos
listed but not found get an ``unreadable`` row saying which manifest row lists
them and to correct its path or remove the row (``batch`` and ``study import``
print each kind once, with what to do: ``facemetrics.batch.console.manifest_lines``).  A listed file
that the folder search skips (another file ending, a hidden folder) is read
like a file named on the command line.  Photos must be inside the folder: a
``photo`` path that leads outside it (``../x.jpg``, an absolute path
elsewhere) raises :class:`ManifestError` naming the row (an absolute path
inside the folder is taken as its relative path).  The
manifest is read as UTF-8 or Latin-1, with ``,``, ``;`` or tab separators
(sniffed); no ``photo`` column, a renamed column (a missing expected one
beside a similar unknown one, ``treated`` for ``treated_at``), an empty file
or a photo listed twice with different metadata raises :class:`ManifestError`
naming the file, row and column (see :func:`_read_manifest`); another
expected column that is simply absent reads as empty for every row.  Dangling or looping
symbolic links in the folder get ``unreadable`` rows like any bad file.

Without a manifest the **folder convention** is::

    FOLDER/<subject>/<treatment>/[<session>/]photo.jpg

with the treatment time in a text file ``treated_at.txt`` (one ISO 8601 time)
in the photo's folder or the nearest parent folder below ``FOLDER``; the
folder holding that file is the session.  The file may be UTF-8 (with or
without the BOM Notepad writes), UTF-16 or Latin-1, with blank lines and
spaces around the time; an empty file, or one with two or more non-empty
lines, gives no treatment time and the photos' ``excluded`` says why (which
line is meant would be a guess: one session per folder).  Capture times come
from EXIF.  Photos without a capture time or without a treatment time are
measured and reported (``excluded``), never guessed.  A folder search takes
the file endings of every format the loader opens
(:data:`facemetrics.schema.PHOTO_FORMATS`: ``.jpg .jpeg .jpe .jfif .png
.webp .tif .tiff .heic .heif .avif .bmp .gif`` ...), case ignored.

Times: ``hours_since_treatment = (taken_at - treated_at)`` in hours.  When
both times carry a UTC offset they are compared as instants; otherwise as
wall-clock times (offsets dropped), which is right for photos and treatment
logged in the same local time.  The exception: when ``treated_at`` has an
offset and the session's photos mix capture times with and without one,
the offset-free times are read in the one offset the other photos carry, or,
when those carry several, their photos are left out (``excluded`` names the
offsets); :attr:`BatchResult.time_notes` (printed by ``facemetrics batch``)
says which (:func:`~facemetrics.batch.discover.offset_free_times`).  The reverse: when
``treated_at`` has no offset and the session's photos carry two or more (travel, a clock
change), ``treated_at`` is read in the offset of the session's before photos and the hours are
counted as instants, or, when those carry none or several, the photos with an offset are left
out (:func:`~facemetrics.batch.discover.offset_free_treatment`).

Sessions and baselines
----------------------
A session is (subject, treatment, treated_at).  Subject and treatment names
are matched ignoring case and surrounding spaces (``Anna``/``anna``,
``RF``/``rf``, folders ``S01/RF`` and ``s01/rf``): their photos are one
subject and one treatment, written everywhere with the first spelling met
(by photo path), and :attr:`BatchResult.merged` (printed by ``facemetrics
batch``) says which spellings were merged.  The treatment time is taken as
the instant it names, not as text: ``2026-11-02T08:00``, ``...T08:00:00``,
``2026-11-02 08:00`` and ``...T08:00:00.000`` are one session, and so are
``08:00+01:00`` and ``07:00Z``.  A time without an offset joins the session
with an offset of the same subject and treatment whose wall-clock time it
equals (the rule of the times above); when that is ambiguous (two such
sessions, or two times without an offset falling in one session) its
photos get no role and ``excluded`` says so.  Its photos taken before
``treated_at`` are the **baseline**; each photo taken at or after it is
compared with the baseline by the one pairing rule of
:mod:`facemetrics.pairing` (the app's too): the earliest baseline photo
(equal times: by path) is the before photo, unless it has more of the flags
that make a comparison unreadable (smiling, mouth open, head turned or
tilted, face cut, of the kinds most of the session's post photos lack:
``tables.baseline_rank``) than a later one, which is then
the before photo (``messages`` and a console line name the photo passed
over, and why); the others are its
``before_repeats``, which set the noise floor (the change is measured
against the before photo alone).  When a session has two or more baseline
photos, each baseline photo is also compared with the others (leave-one-out)
and appears with its negative ``hours_since_treatment``: a measured
zero-change observation that the decay fit uses as such.  A file with the
same content as another photo of its session (earlier in that order) is
compared once: its ``excluded`` says ``same file content as ...``.

Parallelism, resumability, determinism
--------------------------------------
Photos are measured and compared in ``workers`` worker processes
(:class:`concurrent.futures.ProcessPoolExecutor`; each builds its Face Mesh
once and reuses it), none in this process: a native crash (SIGABRT, SIGSEGV
in MediaPipe or OpenCV) ends a worker, its tasks run again each on its own,
and one that crashes again gets an ``error`` row naming the photo; the batch
goes on (:class:`~facemetrics.batch.workers._Run`, docs/robustness.md).  On
Linux a worker is forked once this process has imported MediaPipe and the
analysis and before it has built any Face Mesh graph, so it skips the
imports (about 1 s of CPU); elsewhere, or once this process runs threads, it
is spawned (``FACEMETRICS_WORKER_START=spawn`` forces that).  Every finished
photo analysis is stored at once, atomically, as ``DIR/.cache/photo/<sha256>-<settings>.json`` and every comparison as
``DIR/.cache/compare/<key>.json``; a re-run skips everything already stored
(same file content and same settings; an entry of the wrong shape or of
another facemetrics version is recomputed), so a run killed half-way loses
only the work in flight.  Workers end when the run's process dies (even by
``kill -9``: ``PR_SET_PDEATHSIG`` on Linux plus a watchdog thread), ignore
Ctrl-C (the parent stops them) and are terminated at once when the run is
interrupted.  The comparison step re-decodes and re-measures the
photos it compares (analyses are not shipped between processes); each worker
keeps the last few analyses in memory so a session's baseline is measured
once per worker.  Tables are sorted (subject, treatment, taken_at, photo) and
floats are written with 6 significant digits from the stored values, so a
resumed run writes byte-identical CSVs to a clean run.

Modules
-------
- :mod:`~facemetrics.batch.discover`: the photos and their metadata.
- :mod:`~facemetrics.batch.cache`: cache keys and entries.
- :mod:`~facemetrics.batch.tables`: roles, the comparisons (:mod:`facemetrics.pairing`), the wide columns.
- :mod:`~facemetrics.batch.workers`: worker processes, tasks and the pool.
- :mod:`~facemetrics.batch.runner`: :func:`run_batch`.
- :mod:`~facemetrics.batch.timeline`: :func:`run_timeline` and ``report.md``.
"""

from __future__ import annotations

import lazy_loader as _lazy

# ``discover`` (standard library only) and the schema's columns are imported here (the function
# ``discover`` shares its submodule's name); the rest on first use (PEP 562, scikit-image's
# ``lazy_loader``): a worker process unpickling a task from ``facemetrics.batch.workers`` then
# imports neither pandas nor the timeline stage.
from ..schema import BATCH_COLUMNS, CHANGE_COLUMNS, LONG_COLUMNS
from .discover import (
    MANIFEST_COLUMNS, PHOTO_SUFFIXES, TREATED_AT_FILE, Excluded, ManifestError, PhotoEntry, Reason, discover,
    find_study_photos, hours_between, merge_spellings, name_key, parse_time,
)

__getattr__, __dir__, _ = _lazy.attach(__name__, submod_attrs={
    "cache": ["run_settings", "settings_key"],
    "runner": ["BatchResult", "REGIMEN_DIR", "check_run_settings", "run_batch"],
    "tables": ["change_column", "long_rows"],
    "timeline": ["HEADLINE_METRICS", "run_timeline", "timeline_report"],
    "workers": ["_worker_init", "default_workers", "measure_photo"],
})

__all__ = [
    "BATCH_COLUMNS",
    "CHANGE_COLUMNS",
    "LONG_COLUMNS",
    "BatchResult",
    "PhotoEntry",
    "Excluded",
    "Reason",
    "check_run_settings",
    "discover",
    "run_batch",
    "change_column",
    "long_rows",
    # the study's photos and times (one finder, one time rule), the timeline stage
    "MANIFEST_COLUMNS", "PHOTO_SUFFIXES", "TREATED_AT_FILE", "ManifestError", "find_study_photos",
    "hours_between", "parse_time", "name_key", "merge_spellings", "HEADLINE_METRICS", "REGIMEN_DIR", "run_timeline", "timeline_report",
    "default_workers",
    # for facemetrics.store (the same cache keys and rows)
    "run_settings", "settings_key", "measure_photo",
    # for bench/bench_batch.py (a worker's start-up)
    "_worker_init",
]
