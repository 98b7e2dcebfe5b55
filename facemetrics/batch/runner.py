""":func:`run_batch`: hash, measure (and compare) with the cache, write the three CSVs.
"""

from __future__ import annotations

import math
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from .._version import __version__
from ..errors import PhotoError, SettingError
from ..export import check_output_folder, rows_frame, write_rows_csv
from ..outputs import refuse_foreign_outputs, remove_earlier
from ..schema import BATCH_COLUMNS, CHANGE_COLUMNS, LONG_COLUMNS, PHOTO_COLUMNS
from .cache import _CACHE_DIR, _cached, _file_sha256, _roundtrip, run_settings, settings_key
from .discover import manifest_order_notes  # a manifest's year-last dates: the order each column was read in
from .discover import (Excluded, discover, manifest_time_notes, merge_spellings, offset_free_times,
                       offset_free_treatment, times_in_zone)
from .results import comparison_result
from .tables import (
    _compare_cache_file, _comparison_jobs, _session_key, _sort_key, _table_row, capture_time, change_column,
    comparison_left_out, long_rows,
)
from .workers import _Pool, _task_compare, _task_measure_shared, _task_session, default_workers, measure_photo

if TYPE_CHECKING:  # pandas is imported where the tables are built (export.rows_frame), not at start-up
    import pandas as pd


@dataclass(frozen=True)
class Provenance:
    """What the caller of :func:`run_batch` knows of a photo that its file no longer says (the study store's
    photos: ``study report`` and the app's *My study* run the batch on the stored copies, named by a manifest).

    Attributes
    ----------
    taken_at_source : str
        Where the manifest's ``taken_at`` of the photo came from (``typed``, ``exif``, ``file_name``,
        ``unknown``: the store's ``taken_at_source``), written to ``photos.csv``'s ``taken_at_source`` in place of
        ``manifest``; "" keeps ``manifest``.
    note : str
        The loader's notes on the file the photo was copied from that stay true of the copy (which frame of a
        file of several: :attr:`facemetrics.metadata.CleanCopy.notes` joined with "; "), added to the photo's
        ``warnings`` as the batch adds the loader's notes of a file it reads itself; "" for none.
    pre_session : bool
        The photo is a session's before photo that this batch compares as a later photo (the regimen batch's
        pre-session photos, :func:`facemetrics.regimen.run_regimen_batch`): a photo of a past day, so its
        comparison's remedies do not ask to retake it (:func:`facemetrics.batch.results.with_past_photo_remedy`).
    """

    taken_at_source: str = ""
    note: str = ""
    pre_session: bool = False


class _Progress:
    """A one-line progress bar on stderr (a line per 10 % when not a terminal)."""

    def __init__(self, total: int, label: str, enabled: bool = True, stream=None):
        self.total, self.label, self.enabled = total, label, enabled
        self.stream = stream or sys.stderr
        self.done = self.reused = 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self._last_decile = -1

    def update(self, n: int = 1, note: str = "", *, reused: bool = False) -> None:
        """``n`` more done; ``reused``: taken from the cache or copied from an identical photo, so not
        counted in the rate (a resumed run printed "1675141.8/s" for its cached photos)."""
        self.done += n
        self.reused += n if reused else 0
        if not self.enabled or self.total == 0:
            return
        frac = self.done / self.total
        worked = self.done - self.reused
        rate = f" ({worked / max(time.perf_counter() - self.t0, 1e-9):.1f}/s)" if worked else ""
        reused_txt = f", {self.reused} reused" if self.reused else ""
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        line = f"{self.label} [{bar}] {self.done}/{self.total}{reused_txt}{rate} {note}"
        if self.tty:
            end = "\n" if self.done >= self.total else ""
            print("\r" + line[:110].ljust(110), end=end, file=self.stream, flush=True)
        elif int(10 * frac) > self._last_decile or self.done >= self.total:
            self._last_decile = int(10 * frac)
            print(line, file=self.stream, flush=True)


#: sub-folder of a batch output folder holding the regimen batch (written by facemetrics.regimen)
REGIMEN_DIR = "regimen"

#: the files :func:`run_batch` writes into its output folder (``changes.csv`` and ``long.csv`` only when it
#: compares), and those :func:`~facemetrics.batch.run_timeline` writes there from them: a run removes
#: each of these an earlier run left that it does not write itself (the ``.cache`` folder and the regimen
#: batch's ``regimen/`` folder are never touched here; :func:`facemetrics.regimen.run_regimen_batch` owns it)
BATCH_OUTPUTS = ("photos.csv", "changes.csv", "long.csv")
TIMELINE_OUTPUTS = ("timeline.csv", "timeline.png", "report.md", "regimen.png")


def run_outputs(compare: bool = True) -> tuple[str, ...]:
    """The files a batch run writes in its output folder (:data:`BATCH_OUTPUTS`; ``photos.csv`` alone
    without ``compare``) and those of its regimen batch (:func:`facemetrics.regimen.run_regimen_batch`)
    in ``regimen/``: what :func:`run_batch` checks before any work (a user's own file of such a name stops
    it, :func:`facemetrics.outputs.refuse_foreign_outputs`)."""
    own = BATCH_OUTPUTS if compare else BATCH_OUTPUTS[:1]
    return own + tuple(f"{REGIMEN_DIR}/{n}" for n in BATCH_OUTPUTS)


@dataclass
class BatchResult:
    """What :func:`run_batch` wrote.

    Attributes
    ----------
    photo_rows, change_rows, long_rows : list of dict
        The three tables' rows, as written (``photos.csv``, ``changes.csv``,
        ``long.csv``).
    photos, changes, long : pandas.DataFrame
        The same tables as DataFrames, built on first use (so a command that only
        writes the CSVs never imports pandas).
    out_dir : Path
    n_measured, n_cached : int
        Photos measured in this run / taken from the cache (measured by an earlier run).
    n_duplicates : int
        Photos whose file content equals that of another photo in this batch and that
        were not in the cache: measured once for all of them (each keeps its own row).
    n_compared, n_compare_cached : int
        Comparisons made in this run / taken from the cache.
    seconds : float
        Wall time of the run.
    excluded : list of Excluded
        Photos left out of the changes and why (:class:`~facemetrics.batch.discover.Excluded`: the
        ``excluded`` text of photos.csv, and the reasons the console names as their fields).
    merged : list of str
        One sentence per subject or treatment written with several spellings that were taken
        as one (case and surrounding spaces ignored,
        :func:`~facemetrics.batch.discover.merge_spellings`); the tables use the first spelling.
    time_notes : list of str
        One sentence per session whose capture times without a UTC offset were read in the offset
        of its other photos, or left out because those carry several, and one for all sessions
        whose capture times, none with an offset, were read in their treated_at's (each photo's
        ``warnings`` says it; :func:`~facemetrics.batch.discover.offset_free_times`); first, one per
        session whose treated_at without an offset was read in its before photos' offset, or whose
        photos with an offset were left out (:func:`~facemetrics.batch.discover.offset_free_treatment`).
    taken_at_notes : list of str
        A line naming the photos whose manifest ``taken_at`` differs from their EXIF capture time
        by more than :data:`~facemetrics.batch.discover.MANIFEST_EXIF_MINUTES` (the manifest's is
        used; each row's ``warnings`` gives both), or [] (:func:`~facemetrics.batch.discover.manifest_time_notes`).
    removed : list of str
        The files an earlier run (of ``batch`` or ``timeline``) left in ``out_dir`` that this run
        removed, as they were not made from this run's tables (:data:`BATCH_OUTPUTS`,
        :data:`TIMELINE_OUTPUTS`: a ``report.md`` and ``timeline.csv`` that still held a subject
        deleted from the study; an audit, 2026-12-04), or [].
    not_removed : list of str
        Those that could not be removed, each with why (``"report.md (not written by facemetrics)"``,
        or the system's reason), or [].
    """

    photo_rows: list
    change_rows: list
    long_rows: list
    out_dir: Path
    n_measured: int = 0
    n_cached: int = 0
    n_duplicates: int = 0
    n_compared: int = 0
    n_compare_cached: int = 0
    seconds: float = 0.0
    excluded: list = field(default_factory=list)
    merged: list = field(default_factory=list)
    time_notes: list = field(default_factory=list)
    taken_at_notes: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    not_removed: list = field(default_factory=list)

    @property
    def n_ok(self) -> int:
        """Photos measured with status ``ok``."""
        return sum(r.get("status") == "ok" for r in self.photo_rows)

    @cached_property
    def photos(self) -> pd.DataFrame:
        return rows_frame(self.photo_rows, list(PHOTO_COLUMNS) + BATCH_COLUMNS)

    @cached_property
    def changes(self) -> pd.DataFrame:
        return rows_frame(self.change_rows, CHANGE_COLUMNS)

    @cached_property
    def long(self) -> pd.DataFrame:
        return rows_frame(self.long_rows, LONG_COLUMNS)


def run_batch(
    folder,
    out_dir,
    *,
    manifest=None,
    workers: int | None = None,
    mm_per_px: float | None = None,
    ipd_mm: float | None = None,
    fast: bool = True,
    compare: bool = True,
    progress: bool = True,
    on_progress: Callable[[str, int], None] | None = None,
    force: bool = False,
    provenance: Mapping[str, Provenance] | None = None,
    time_zone=None,
) -> BatchResult:
    """Measure a study folder and compare every post-treatment photo with its baseline.

    Parameters
    ----------
    folder : str or path-like
        Study folder (photos searched recursively).
    out_dir : str or path-like
        Output folder: ``photos.csv``, ``changes.csv``, ``long.csv`` and the
        ``.cache`` folder that makes re-runs resume.
    manifest : str or path-like, optional
        Manifest CSV; default: the folder convention (module docstring).
    workers : int, optional
        Worker processes measuring photos (default ``min(2, CPU count)``); this process runs none
        of the tasks, so a native crash in one photo ends a worker, not the run: the photo gets an
        ``error`` row (:data:`facemetrics.batch.workers.ISOLATE`).
    mm_per_px, ipd_mm : float, optional
        Known scale / inter-pupillary distance (mm), passed to every analysis.
    fast : bool
        Allow the reduced JPEG decode (see :func:`facemetrics.load_photo`).
    compare : bool
        Make ``changes.csv``/``long.csv`` (default True).
    progress : bool
        Progress bar on stderr.
    on_progress : callable, optional
        Called as ``on_progress(stage, n_done)`` after every finished photo /
        comparison (``stage`` is the progress label, e.g. ``"measuring"``,
        ``n_done`` the count finished in that stage).  An exception raised in
        it stops the run like Ctrl-C: what was finished stays in the cache.
    force : bool
        Replace a file of an output's name that facemetrics did not write (``--force``); default False:
        such a file stops the run before any photo is read (:func:`facemetrics.outputs.refuse_foreign_outputs`).
    provenance : mapping of str to Provenance, optional
        ``{photo: Provenance}``, keyed by the manifest's ``photo``: where each photo's manifest time came from and
        the notes its file no longer carries (:class:`Provenance`; :meth:`facemetrics.store.Store.report`).
    time_zone : str or tzinfo, optional
        The zone the user's clocks were in (``--time-zone``: ``Europe/London``, ``+01:00``;
        :func:`facemetrics.timekeys.read_time_zone`): every time without a UTC offset is read in it at its own date and
        every UTC time (``Z``) converted into it (:func:`~facemetrics.batch.discover.times_in_zone`); None (default):
        the times as they are.

    Returns
    -------
    BatchResult

    Raises
    ------
    facemetrics.errors.SettingError
        ``mm_per_px`` or ``ipd_mm`` outside the range the command line accepts, or ``workers``
        not a whole number of at least 1 (:func:`check_run_settings`), or ``time_zone`` not a zone
        (:func:`check_time_zone`): before any photo is read
        or anything is written; ``out_dir`` (or a parent) is a file, not a folder
        (:func:`facemetrics.export.check_output_folder`); or ``out_dir`` is ``folder`` itself
        (every photo would be taken for an output of the run).
    facemetrics.outputs.OverwriteRefused
        ``out_dir`` holds a ``photos.csv``, ``changes.csv`` or ``long.csv`` that facemetrics did not write
        or ``regimen/`` one (:func:`run_outputs`) that facemetrics did not write (and not ``force``), before any
        photo is read.
    """
    t0 = time.perf_counter()
    _hook = on_progress
    folder, out_dir = Path(folder), check_output_folder(out_dir)
    mm_per_px, ipd_mm, workers = check_run_settings(mm_per_px=mm_per_px, ipd_mm=ipd_mm, workers=workers)
    zone = check_time_zone(time_zone)
    refuse_foreign_outputs(out_dir, run_outputs(compare), force=force, command="batch")
    workers = default_workers() if workers is None else workers
    settings = run_settings(mm_per_px, ipd_mm, fast)
    skey = settings_key(settings)
    cache = out_dir / _CACHE_DIR
    pool = _Pool(workers, compare=compare)
    try:
        entries = discover(folder, manifest)
        merged = merge_spellings(entries)  # "Anna"/"anna", "RF"/"rf": one name, the first spelling
        if out_dir.resolve() == folder.resolve():  # every photo would be taken for an output and skipped
            raise SettingError(f"the output folder {out_dir} is the study folder: give another one with -o (e.g. "
                               f"{folder.name or 'study'}_results); a folder inside the study folder is fine")
        if folder.resolve() in out_dir.resolve().parents:  # its own outputs (overlays, ...) are not photos
            entries = [e for e in entries if out_dir.resolve() not in e.path.resolve().parents]
        # measured for comparisons only when some session can compare: otherwise a task per photo,
        # and no analysis (decoded pixels included) is handed back to this process
        can_compare = pool.compare = _may_compare(compare, entries)
        # ---- 1. measure every photo (cached by content hash + settings) --------
        # (the workers start at the first photo not in the cache: they load Face Mesh while
        # the rest are hashed)
        # every photo's cache entry is read once, here (``stored``), and used by the stage that runs it
        rows, photo_jobs, stored = _photo_jobs(entries, cache, skey, settings, on_uncached=pool.start)
        n_cached, n_duplicates = _photo_counts(photo_jobs, stored)
        sessions: dict[tuple, list] = {}
        for job in photo_jobs:
            e = entries[job[0]]
            sessions.setdefault(_session_key(e.subject, e.treatment, e.treated_at), []).append(job)
        if _share_analyses(can_compare, sessions, workers):
            # few sessions: a task per photo, then per comparison, the analyses handed over
            n_measured, n_session_compared = _run_shared_analyses(
                pool, sessions, entries, rows, cache, skey, settings, progress, _hook, stored)
        elif _by_session(can_compare, len(sessions), workers):
            # a task per session: each photo decoded and measured once, for its row and its comparisons
            n_measured, n_session_compared = _run_sessions(
                pool, sessions, entries, rows, cache, skey, settings, progress, _hook, stored)
        else:  # measuring only, or too few sessions to keep the workers busy: a task per photo
            n_measured, _ = _run_cached(pool, photo_jobs, rows, "measuring", progress, _hook, "photo",
                                        lambda i: entries[i].photo, stored)
            n_session_compared = 0
        # ---- 2. roles, pairing and the comparisons not made yet ----------------
        rows = _header_times(entries, rows)
        rows, taken_at_notes = _manifest_time_warnings(entries, rows)  # a manifest time far from the EXIF one
        rows = _time_sources(entries, rows)  # where each time came from; a file name's time where none else
        rows = _with_provenance(entries, rows, provenance)  # the store's: where its time came from, its notes
        # a treated_at without an offset among photos of two or more offsets: read in the before photos' offset,
        # or those photos left out; then capture times without an offset among times with one: read in the
        # session's one offset, or left out
        exif_times = {i: r.get("taken_at") for i, r in rows.items()}
        entries, zone_notes = times_in_zone(entries, exif_times, zone)  # --time-zone: each time with its offset
        entries, treated_warned, treated_notes = offset_free_treatment(entries, exif_times)
        entries, offset_warned, time_notes = offset_free_times(entries, exif_times)
        time_notes = manifest_order_notes(manifest) + zone_notes + treated_notes + time_notes  # 24/11/2026: the order read
        rows = _with_warnings(_with_warnings(rows, treated_warned), offset_warned)  # each photo's time read in an offset it does not carry
        photo_rows, change_rows, n_compare_cached, comp_results = _changes_stage(
            entries, rows, cache, skey, settings, pool, compare, progress, _hook)
        n_compare_cached = max(n_compare_cached - n_session_compared, 0)
    except BaseException:
        pool.close(ok=False)
        # workers stopped mid-write leave their temporary files (the finished entries are whole)
        for tmp in cache.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
        raise
    pool.close()
    res = _finish(out_dir, photo_rows, change_rows, compare=compare, n_measured=n_measured, n_cached=n_cached,
                  n_duplicates=n_duplicates,
                  n_compared=len(comp_results) - n_compare_cached, n_compare_cached=n_compare_cached, t0=t0)
    res.merged, res.time_notes, res.taken_at_notes = merged, time_notes, taken_at_notes
    return res


def check_time_zone(time_zone):
    """The zone of ``time_zone`` (:func:`facemetrics.timekeys.read_time_zone`; None for none), or
    :class:`~facemetrics.errors.SettingError` saying why it is not read."""
    from ..timekeys import read_time_zone

    try:
        return read_time_zone(time_zone)
    except ValueError as exc:
        raise SettingError(str(exc)) from None


def check_run_settings(*, mm_per_px=None, ipd_mm=None, workers=None) -> tuple:
    """The settings of a batch run (``run_batch``, ``Store.report``) checked as the command line
    checks them: ``(mm_per_px, ipd_mm, workers)``, the first two as floats.

    Raises
    ------
    facemetrics.errors.SettingError
        ``mm_per_px`` / ``ipd_mm`` outside :data:`facemetrics.analyze.USER_MM_PER_PX_RANGE` /
        :data:`~facemetrics.analyze.USER_IPD_RANGE_MM` (0.007-0.933 mm/px, 40-90 mm), or ``workers``
        not a whole number of at least 1.  None passes (the default).  Before, such a run gave
        every photo an ``error`` row (a negative scale) or ran on one process without a word
        (``workers=0``).
    """
    if mm_per_px is not None or ipd_mm is not None:  # the analysis module (OpenCV) only when needed
        from ..analyze import check_ipd_mm, check_mm_per_px

        mm_per_px, ipd_mm = check_mm_per_px(mm_per_px), check_ipd_mm(ipd_mm)
    if workers is not None:
        workers = whole_count(workers, "workers", "a whole number of processes")
    return mm_per_px, ipd_mm, workers


def whole_count(value, name: str, what: str = "a whole number") -> int:
    """``value`` as an int when it is a whole number of at least 1 (an int or NumPy integer; 2.5,
    "2" and True are not a count), else a :class:`~facemetrics.errors.SettingError` naming ``name``
    ("``name`` must be ``what``, at least 1, not ...")."""
    import operator

    try:
        n = operator.index(value)
    except TypeError:
        n = None
    if n is None or isinstance(value, bool) or n < 1:
        raise SettingError(f"{name} must be {what}, at least 1, not {value!r}")
    return n


def _photo_counts(photo_jobs: list, stored: dict) -> tuple[int, int]:
    """``(n_cached, n_duplicates)`` of the photos to measure, before anything runs: photos whose
    cache entry is there and valid (``stored[index]``, read by :func:`_photo_jobs`), and photos
    not in the cache whose content (cache file: hash + settings) repeats that of an earlier
    photo (measured once, by :func:`_unique_todo`)."""
    n_cached, seen = 0, set()
    n_duplicates = 0
    for i, cache_file, _ in photo_jobs:
        if stored.get(i) is not None:
            n_cached += 1
        elif cache_file in seen:
            n_duplicates += 1
        seen.add(cache_file)
    return n_cached, n_duplicates


def _unique_todo(todo: list, file_of: Callable) -> tuple[list, list]:
    """``(first, copies)``: the items of ``todo`` whose cache file (``file_of(item)``) is the first
    of its kind, in order, and ``[(item, k), ...]`` for the others, ``k`` the index in ``first``
    of the item with the same cache file (identical content and settings: the same result,
    made once)."""
    first, copies, owner = [], [], {}
    for item in todo:
        f = str(file_of(item))
        if f in owner:
            copies.append((item, owner[f]))
        else:
            owner[f] = len(first)
            first.append(item)
    return first, copies


def _may_compare(compare: bool, entries) -> bool:
    """Can this batch make comparisons: some session (:func:`_session_key`) with a treatment
    time and two photos or more?  Only then is a worker process forked with the comparison's
    modules (SciPy's optimisers: 0.45 s of CPU) already imported (:func:`_start_method`); a
    wrong guess costs time, never a different result."""
    if not compare:
        return False
    seen: set = set()
    for e in entries:
        if e.treated_at:
            key = _session_key(e.subject, e.treatment, e.treated_at)
            if key in seen:
                return True
            seen.add(key)
    return False


def _by_session(compare: bool, n_sessions: int, workers: int) -> bool:
    """Measure and compare session by session (:func:`_task_session`)?  Only when comparing,
    and when there are at least as many sessions as workers to keep them busy; otherwise a
    task per photo, then a task per comparison (each re-measuring its two photos)."""
    return compare and (workers <= 1 or n_sessions >= workers)


#: with fewer sessions than processes, the sessions are split into a task per photo and a task
#: per comparison, the analyses handed from the first to the second (:func:`_run_shared_analyses`),
#: when there are at most this many photos to measure: the main process holds their analyses
#: (6-9 MB each, the decoded image included) until their comparisons are made
SHARE_MAX_PHOTOS = 48


def _share_analyses(compare: bool, sessions: dict, workers: int) -> bool:
    """Split the sessions into photo and comparison tasks (:func:`_run_shared_analyses`)?
    When comparing on several processes with fewer sessions than processes (a task per
    session would leave processes idle) and few photos.  (With as many sessions as
    processes or more, a task per session is as fast: docs/speed.md, 'Batch'.)"""
    n_photos = sum(len(v) for v in sessions.values())
    return compare and workers > 1 and len(sessions) < workers and 0 < n_photos <= SHARE_MAX_PHOTOS


def _run_shared_analyses(pool, sessions: dict, entries, rows: dict, cache: Path, skey: str, settings: dict,
                         progress: bool, hook, stored: dict) -> tuple[int, int]:
    """Measure every photo of ``sessions`` as its own task (:func:`_task_measure_shared`), then
    make every comparison not in the cache as its own task, given the analyses just made
    (:func:`_task_compare`; a photo whose row came from the cache is measured where it is
    compared).  Every process is busy to the end, and no photo is measured twice (photos of
    identical content once for all).  Fills ``rows``; returns ``(n_measured, n_compared)``
    like :func:`_run_sessions`.  ``stored``: the photos' valid cache entries (or None) by index."""
    jobs = [job for key in sorted(sessions) for job in sessions[key]]
    todo, held = [], {}
    for i, cache_file, _ in jobs:
        if stored.get(i) is None:
            todo.append(i)
        else:
            rows[i] = stored[i]
    cache_of = {i: cache_file for i, cache_file, _ in jobs}
    todo, copies = _unique_todo(todo, cache_of.__getitem__)
    bar = _Progress(len(jobs), "measuring", progress and bool(todo))
    bar.update(len(jobs) - len(todo) - len(copies), reused=True)

    def measured(k: int, res: dict) -> None:
        e = entries[todo[k]]
        rows[todo[k]] = res["row"]
        if res["analysis"] is not None:
            held[e.sha256] = res["analysis"]
        for j, first in copies:
            if first == k:
                rows[j] = dict(res["row"])
                bar.update(1, reused=True)
        bar.update(1, e.photo)
        if hook is not None:
            hook("photo", len(rows))

    pool.run([(_task_measure_shared, (str(entries[i].path), entries[i].sha256, settings, str(cache_of[i])))
              for i in todo], measured)

    def given(r: dict):
        return held[r["sha256"]] if r["sha256"] in held else (r["_path"], r["sha256"])

    table = sorted((_table_row(entries[i], rows[i]) for i, _, _ in jobs), key=_sort_key)
    tasks = []
    for r, base in _comparison_jobs(table):
        cache_file = _compare_cache_file(cache, r, base, skey)
        if _cached("compare", cache_file) is None:
            tasks.append((_task_compare, ([given(b) for b in base], given(r), settings, str(cache_file))))
    bar = _Progress(len(tasks), "comparing", progress and bool(tasks))
    n_compared = [0]

    def compared(k: int, res: dict) -> None:
        n_compared[0] += 1
        bar.update(1)
        if hook is not None:
            hook("compare", n_compared[0])

    try:
        pool.run(tasks, compared)
    finally:
        held.clear()
        tasks.clear()
    return len(todo), n_compared[0]


def _photo_jobs(entries, cache: Path, skey: str, settings: dict,
                on_uncached: Callable[[], None] | None = None) -> tuple[dict, list, dict]:
    """Hash every photo and read its cache entry; ``(rows, jobs, stored)``: an ``unreadable``
    row for each file that cannot be read, ``(index, cache_file, (measure_photo, args))`` for
    the others, and ``{index: valid cache entry or None}`` of those (the one read of each
    entry in a run).  ``on_uncached()`` is called for every photo without a valid entry."""
    rows: dict[int, dict] = {}
    jobs = []
    stored: dict[int, dict | None] = {}
    for i, e in enumerate(entries):
        try:
            e.sha256 = _file_sha256(e.path)
        except PhotoError as exc:  # not a regular file (a FIFO, a device), missing, a link loop: never opened
            row = dict.fromkeys(PHOTO_COLUMNS, None)
            row.update(status="unreadable", error=f"{e.photo}: {exc.reason}", facemetrics_version=__version__)
            rows[i] = _roundtrip(row)
            continue
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if e.path.is_symlink():
                reason = f"symbolic link to a missing file or a link loop: {reason}"
            row = dict.fromkeys(PHOTO_COLUMNS, None)
            row.update(status="unreadable", error=f"{e.photo}: cannot read file ({reason})",
                       facemetrics_version=__version__)
            rows[i] = _roundtrip(row)
            continue
        cache_file = cache / "photo" / f"{e.sha256}-{skey}.json"
        stored[i] = _cached("photo", cache_file)
        if on_uncached is not None and stored[i] is None:
            on_uncached()
        jobs.append((i, cache_file, (measure_photo, (str(e.path), e.sha256, settings))))
    return rows, jobs, stored


def _run_sessions(pool, sessions: dict, entries, rows: dict, cache: Path, skey: str, settings: dict,
                  progress: bool, hook, stored: dict) -> tuple[int, int]:
    """Measure (and compare) session by session (:func:`_task_session`), largest first.
    Fills ``rows``; returns ``(n_measured, n_compared)`` (a photo whose content repeats
    another's in the same session is measured once; in two sessions, once in each).
    ``stored``: the photos' valid cache entries (or None) by index, handed to the task."""
    todo, n_cached = [], 0
    for key in sorted(sessions, key=lambda k: (-len(sessions[k]), k)):
        jobs = sessions[key]
        if all(stored.get(i) is not None for i, _, _ in jobs):
            rows.update({i: stored[i] for i, _, _ in jobs})
            n_cached += len(jobs)
        else:
            todo.append([(i, entries[i], str(cache_file), stored.get(i)) for i, cache_file, _ in jobs])
    bar = _Progress(sum(len(v) for v in sessions.values()), "measuring and comparing", progress)
    bar.update(n_cached, reused=True)
    counts = {"measured": 0, "compared": 0}

    def done(k: int, res: dict) -> None:
        rows.update(res["rows"])
        counts["measured"] += res["measured"]
        counts["compared"] += res["compared"]
        bar.update(len(res["rows"]), entries[todo[k][0][0]].subject)
        if hook is not None:
            hook("photo", len(rows))
            hook("compare", counts["compared"])

    pool.run([(_task_session, (items, settings, str(cache), skey)) for items in todo], done)
    return counts["measured"], counts["compared"]


def _run_cached(pool, jobs, results: dict, label: str, progress: bool, hook, stage: str,
                name_of, stored: dict | None = None) -> tuple[int, int]:
    """Fill ``results[key]`` for every ``(key, cache_file, (fn, args))`` job: from the cache
    file when it is there, else by running ``fn(*args, cache_file)`` in the pool (which
    stores it).  Shows progress and calls ``hook(stage, len(results))`` after each
    finished job.  Jobs with the same cache file (identical content and settings) run once
    and share the result.  Returns ``(n_run, n_cached)``.  ``stored``: the entries already
    read (``{key: entry or None}``, every key of ``jobs``); else each is read here."""
    todo = []
    for key, cache_file, (fn, args) in jobs:
        entry = stored[key] if stored is not None else _cached(stage, cache_file)
        if entry is not None:
            results[key] = entry
        else:
            todo.append((key, (fn, (*args, str(cache_file)))))
    todo, copies = _unique_todo(todo, lambda item: item[1][1][-1])  # the cache file, last argument
    bar = _Progress(len(jobs), label, progress and bool(todo))  # no bar when nothing is left to run
    bar.update(len(jobs) - len(todo) - len(copies), reused=True)

    def done(k: int, res: dict) -> None:
        key = todo[k][0]
        results[key] = res
        for item, first in copies:
            if first == k:
                results[item[0]] = dict(res)
                bar.update(1, reused=True)
        bar.update(1, name_of(key))
        if hook is not None:
            hook(stage, len(results))

    pool.run([task for _, task in todo], done)
    return len(todo), len(jobs) - len(todo) - len(copies)


def _header_times(entries, rows: dict) -> dict:
    """``rows`` with the EXIF capture time read from the header of each photo that could not be
    decoded (a truncated JPEG keeps its header), so that its session can say it lost its baseline
    photo (:func:`facemetrics.batch.tables._comparison_jobs`); a photo given a time by the manifest,
    or decoded, is left as it is.  The cached rows are not changed (copies)."""
    from ..loader import read_taken_at

    out = dict(rows)
    for i, e in enumerate(entries):
        r = rows[i]
        if r.get("status") != "ok" and not r.get("taken_at") and not e.taken_at \
                and r.get("image_width_px") in (None, "") and e.treated_at:
            t = read_taken_at(e.path)  # never opens a FIFO or a device
            if t is not None:
                out[i] = dict(r, taken_at=t.isoformat())
    return out


def _time_sources(entries, rows: dict) -> dict:
    """``rows`` with each photo's ``taken_at_source`` (:func:`facemetrics.batch.tables.capture_time`:
    ``manifest``, ``exif``, ``sidecar``, ``file_name`` or empty), and the time its sidecar keeps or its file name
    states as ``taken_at`` where neither the manifest nor EXIF gives one, so that the offset rules that follow
    (:func:`~facemetrics.batch.discover.offset_free_treatment`, :func:`~facemetrics.batch.discover.offset_free_times`)
    read it as every time without a UTC offset.  The cached rows are not changed (copies)."""
    out = {}
    for i, r in rows.items():
        when, source = capture_time(entries[i], r)
        out[i] = dict(r, taken_at_source=source, **({"taken_at": when} if source in ("file_name", "sidecar") else {}))
    return out


def _with_provenance(entries, rows: dict, provenance: Mapping[str, Provenance] | None) -> dict:
    """``rows`` (after :func:`_time_sources`) with each photo's :class:`Provenance` (``provenance``, keyed by the
    manifest's ``photo``, Unicode composition ignored): its ``taken_at_source`` in place of ``manifest``, its
    ``note`` added to its ``warnings`` (after its own), ``_pre_session`` set when it is one.  The cached rows are not
    changed (copies)."""
    if not provenance:
        return rows
    known = {unicodedata.normalize("NFC", str(k)): v for k, v in provenance.items()}
    out, warned = dict(rows), {}
    for i, r in rows.items():
        given = known.get(unicodedata.normalize("NFC", entries[i].photo))
        if given is None:
            continue
        if given.taken_at_source and r.get("taken_at_source") == "manifest":
            out[i] = dict(r, taken_at_source=given.taken_at_source)
        if given.note:
            warned[i] = given.note
        if given.pre_session:  # read by the comparisons' remedies (not written)
            out[i] = dict(out[i], _pre_session=True)
    return _with_warnings(out, warned)


def _manifest_time_warnings(entries, rows: dict) -> tuple[dict, list[str]]:
    """``(rows, notes)``: ``rows`` with a note in the ``warnings`` of each photo whose manifest
    ``taken_at`` (used) differs from its EXIF capture time (the row's ``taken_at``) by more than
    :data:`~facemetrics.batch.discover.MANIFEST_EXIF_MINUTES`, and the console line naming them
    (:func:`~facemetrics.batch.discover.manifest_time_notes`).  The cached rows are not changed (copies)."""
    warned, notes = manifest_time_notes(entries, {i: r.get("taken_at") for i, r in rows.items()})
    return _with_warnings(rows, warned), notes


def _with_warnings(rows: dict, warned: dict) -> dict:
    """``rows`` with ``warned[i]`` added to the ``warnings`` of row ``i`` (after its own); the cached
    rows are not changed (copies)."""
    out = dict(rows)
    for i, note in warned.items():
        given = rows[i].get("warnings")
        out[i] = dict(rows[i], warnings="; ".join(filter(None, [given if isinstance(given, str) else "", note])))
    return out


def _session_disagreements(jobs: list, comp_results: dict) -> dict:
    """``{j: (message, leave_out)}``: the :func:`facemetrics.compare.disagreement.baseline_disagreement` of the
    session of every comparison ``j`` (a session: its set of baseline photos), from its no-change checks'
    results as compare returned them (``comp_results``); ``("", False)`` where they agree or are none."""
    from ..compare.disagreement import baseline_disagreement

    session_of, checks = {}, {}
    for j, (r, base) in enumerate(jobs):  # a session: its set of baseline photos
        key = frozenset([b["photo"] for b in base] + ([r["photo"]] if r["role"] == "baseline" else []))
        session_of[j] = key
        if r["role"] == "baseline":
            checks.setdefault(key, []).append((r, base, comp_results[j]))
    found = {k: baseline_disagreement(c) for k, c in checks.items()}
    return {j: found.get(key, ("", False)) for j, key in session_of.items()}


#: the columns of a photo's row kept when the row is replaced by the row of the face its comparisons measured
#: (:func:`agree_faces`): what names the file and its time, not the face
_FILE_COLUMNS = ("photo", "subject", "taken_at", "facemetrics_version", "sha256", "pixel_sha256", "status", "error",
                 "warnings", "image_width_px", "image_height_px", "n_faces")


def agree_faces(jobs: list, comp_results: dict, where: str = "in changes.csv") -> None:
    """Make ``photos.csv`` describe the face ``changes.csv`` compared: a photo with several faces whose
    comparisons all measured another face than the largest (the one matching the subject's other photo,
    :mod:`facemetrics.compare.faces`; :func:`facemetrics.batch.workers.faces_used`) gets that face's
    measured columns, its warnings led by which face and why; a photo whose comparisons measured different
    faces keeps the largest face's and says so.  ``jobs``' rows are changed in place (they are the photo
    rows of ``photos.csv``).  ``where``: where the comparisons are, as the warnings name it (the app's
    ``photos.csv`` download: "on the app's page")."""
    uses: dict[str, list] = {}  # photo -> [(face used or None for the largest, the other photo, its row)]
    for j, (r, base) in enumerate(jobs):
        res = comp_results.get(j) or {}
        if res.get("status") == "error" or not base:
            continue
        faces = res.get("faces") or {}
        for role, row, other in (("after", r, base[0]), ("before", base[0], r)):
            uses.setdefault(row["photo"], []).append((faces.get(role), other["photo"], row))
    for photo, used in uses.items():
        row = used[0][2]
        ks = {(u or {}).get("face", 0) for u, _, _ in used}
        if ks == {0}:
            continue
        n = row.get("n_faces")
        if len(ks) > 1:
            said = ", ".join(f"{(u or {}).get('place', 'the largest')} with {o}" for u, o, _ in used)
            note = (f"{n} faces found; this row describes the largest, and its comparisons {where} measured "
                    f"different faces ({said}): crop the photo to the one face")
            row["warnings"] = "; ".join(filter(None, [row.get("warnings") or "", note]))
            continue
        u = used[0][0]
        chosen = u["row"]
        res = u["residuals"]
        others = sorted({o for _, o, _ in used})
        largest = res[0] if res else float("nan")
        # the statistic as compare's sentence on the face says it (compare.faces._said: the mean of both orders,
        # or one order when a reverse fit failed); a comparison stored before it was kept: its value alone
        said = u.get("said") or f"{res[u['face']]:.2f} mm"
        note = (f"{n} faces found; measured {u['place']}, the face that matches {', '.join(others)} (the face its "
                f"comparison{'s' if len(used) > 1 else ''} {where} measured: upper faces {said} apart after "
                f"alignment, the largest face {largest:.2f} mm on the same statistic)")
        given = row.get("warnings") or ""
        own = u.get("largest_warnings") or ""
        added = given[len(own):].lstrip("; ") if given.startswith(own) else ""  # the batch's notes (times, ...)
        for k, v in chosen.items():
            if k not in _FILE_COLUMNS and k in row:
                row[k] = v
        row["warnings"] = "; ".join(filter(None, [note, u.get("own_warnings") or "", added]))


def _changes_stage(entries, rows, cache, skey, settings, pool, compare, progress, _hook):
    """Merge metadata into the photo rows (``rows`` with :func:`_header_times`' times), find
    sessions/baselines and run the comparisons."""
    from ..compare.table import with_scale_sds  # compare's; not loaded with the module (a worker loads it)

    photo_rows = sorted((_table_row(e, rows[i]) for i, e in enumerate(entries)), key=_sort_key)

    # ---- 2. compare post photos with their session baseline ----------------
    jobs = _comparison_jobs(photo_rows)

    change_rows: list[dict] = []
    comp_results: dict[int, dict] = {}
    n_compare_cached = 0
    if compare and jobs:
        compare_jobs = []
        for j, (r, base) in enumerate(jobs):
            compare_jobs.append((j, _compare_cache_file(cache, r, base, skey),
                                 (_task_compare, ([(b["_path"], b["sha256"]) for b in base],
                                                  (r["_path"], r["sha256"]), settings))))
        _, n_compare_cached = _run_cached(pool, compare_jobs, comp_results, "comparing", progress, _hook,
                                          "compare", lambda j: jobs[j][0]["photo"])

        # compare's results with the batch's messages, statuses and verdicts: the app's downloads call the same
        disagree = _session_disagreements(jobs, comp_results)
        results = {j: comparison_result(r, base, comp_results[j], disagree[j]) for j, (r, base) in enumerate(jobs)}
        for j, (r, base) in enumerate(jobs):
            # each row's mm scale share (comparison.csv's change_scale_sd, at the comparison's scale uncertainty)
            res = with_scale_sds(results[j], base[0].get("mm_per_px_uncertainty_pct", math.nan) if base else math.nan)
            row = {
                "subject": r["subject"], "treatment": r["treatment"], "photo": r["photo"],
                "sha256": r["sha256"] or "", "pixel_sha256": r.get("pixel_sha256") or "",
                "baseline_photos": "; ".join(b["photo"] for b in base),
                "baseline_sha256": "; ".join(b["sha256"] or "" for b in base), "n_baseline": len(base),
                "taken_at": r["taken_at"], "taken_at_source": r.get("taken_at_source") or "",
                "treated_at": r["treated_at"], "hours_since_treatment": r["hours_since_treatment"], "role": r["role"],
                # the row's writer; a cached comparison is this version's too (the cache key holds it)
                "facemetrics_version": __version__,
                "status": res["status"], "messages": "; ".join(res["messages"]),
                "_rows": res["rows"] if res["status"] != "refused" else [],
                # the scale the changes were read in: the before photo's (long.csv's calibration_source)
                "_calibration_source": (base[0].get("calibration_source") or "") if base else "",
            }
            if res["status"] in ("refused", "error"):  # its Reason, by code, for the console
                comparison_left_out(r, res["status"], row["messages"])
            for m in res["rows"]:
                col = change_column(str(m.get("metric")), str(m.get("side") or ""))
                row[col] = m.get("change")
                row[f"{col}_noise_floor"] = m.get("noise_floor")
                row[f"{col}_verdict"] = m.get("verdict")
                row[f"{col}_scale_sd"] = m.get("change_scale_sd")  # comparison.csv's, 1 SD (results.with_scale_sds)
                if res["status"] == "refused":
                    row[col] = row[f"{col}_scale_sd"] = None
            change_rows.append(row)
        change_rows.sort(key=_sort_key)
        agree_faces(jobs, comp_results)


    return photo_rows, change_rows, n_compare_cached, comp_results


def _finish(out_dir: Path, photo_rows: list[dict], change_rows: list[dict], *, compare: bool, n_measured: int,
            n_cached: int, n_compared: int, n_compare_cached: int, t0: float, n_duplicates: int = 0) -> BatchResult:
    """Write ``photos.csv``, ``changes.csv`` and ``long.csv`` (the last two when ``compare``), remove
    the outputs of an earlier run that this run does not rewrite (:func:`remove_earlier`: the
    timeline's, made from the earlier tables); build the :class:`BatchResult` (the counts are those
    of its fields; ``t0`` the run's ``time.perf_counter()`` start)."""
    # the photos left out, with the reasons _table_row kept as fields (the console's lines are built from them)
    excluded = [Excluded(r["photo"], r["excluded"], tuple(r.get("_reasons", ()))) for r in photo_rows if r["excluded"]]
    photo_rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in photo_rows]  # _path, _passed_over
    tidy = [m for row in change_rows
            for m in long_rows(row["_rows"], subject=row["subject"], treatment=row["treatment"],
                               hours_since_treatment=row["hours_since_treatment"], photo=row["photo"],
                               taken_at=row["taken_at"], treated_at=row["treated_at"], sha256=row["sha256"],
                               pixel_sha256=row["pixel_sha256"], calibration_source=row.get("_calibration_source", ""),
                               facemetrics_version=row["facemetrics_version"])]
    change_rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in change_rows]  # _rows, ...
    out_dir.mkdir(parents=True, exist_ok=True)
    write_rows_csv(photo_rows, list(PHOTO_COLUMNS) + BATCH_COLUMNS, out_dir / "photos.csv")
    if compare:
        write_rows_csv(change_rows, CHANGE_COLUMNS, out_dir / "changes.csv")
        write_rows_csv(tidy, LONG_COLUMNS, out_dir / "long.csv")
    written = BATCH_OUTPUTS if compare else BATCH_OUTPUTS[:1]
    removed, not_removed = remove_earlier(out_dir, [n for n in BATCH_OUTPUTS + TIMELINE_OUTPUTS if n not in written])
    return BatchResult(
        photo_rows=photo_rows, change_rows=change_rows, long_rows=tidy, out_dir=out_dir,
        n_measured=n_measured, n_cached=n_cached, n_duplicates=n_duplicates, n_compared=n_compared,
        n_compare_cached=n_compare_cached, seconds=time.perf_counter() - t0, excluded=excluded,
        removed=removed, not_removed=not_removed,
    )
