"""The regimen over weeks: pre-session photos compared with day 0.

A daily microcurrent user (or a weekly RF user) photographs the face before
every session.  :func:`facemetrics.batch.run_batch` compares each photo
with the baseline of *its own* session, which measures each session's
transient lift and its decay.  The cumulative change over weeks needs the
pre-session photos compared with the first session's baseline instead.
:func:`regimen_manifest` builds that second study (per subject and
treatment: the first session's baseline photos are the baseline, every
later session's baseline photos are "after" photos, at hours since the first
treatment), and :func:`run_regimen_batch` runs it through the same
:func:`~facemetrics.batch.run_batch` into ``DIR/regimen/``.
:func:`facemetrics.batch.run_timeline` then fits the cumulative change with
:func:`facemetrics.decay.analyze_regimen` (:mod:`facemetrics.decay.regimen_slope`; ``regimen`` rows of
``timeline.csv``, ``regimen.png``, a section of ``report.md``).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from typing import TYPE_CHECKING, Callable

from .batch import REGIMEN_DIR, parse_time, run_batch
from .batch.runner import BATCH_OUTPUTS, Provenance, remove_earlier
from .export import check_output_folder, is_missing, write_rows_csv
from .timekeys import match_sessions

if TYPE_CHECKING:  # pandas only where a table is asked for: the command line writes rows
    import pandas as pd

__all__ = ["REGIMEN_DIR", "regimen_manifest", "regimen_provenance", "regimen_rows", "run_regimen_batch"]


#: the regimen manifest's columns, in order
MANIFEST_COLUMNS = ["photo", "subject", "treatment", "taken_at", "treated_at"]


def regimen_rows(photos) -> list[dict]:
    """Rows of the regimen study's manifest (see :func:`regimen_manifest`).

    Parameters
    ----------
    photos : list of dict or pandas.DataFrame
        ``photos.csv`` of :func:`facemetrics.batch.run_batch` as rows
        (``BatchResult.photo_rows``) or as a table.

    Returns
    -------
    list of dict
        ``photo, subject, treatment, taken_at, treated_at`` per photo, in
        subject × treatment order, then the photos' order.
    """
    if not isinstance(photos, list):
        photos = photos.to_dict("records")
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in photos:
        if str(r.get("role")) == "baseline" and not any(is_missing(r.get(k)) for k in ("subject", "treatment")):
            groups.setdefault((str(r["subject"]), str(r["treatment"])), []).append(r)
    out = []
    for key in sorted(groups):
        grp = groups[key]
        # sessions as the batch tells them (one time written two ways is one session; a time without
        # an offset joins its wall-clock session), each with its earliest treated_at text
        of_photo, _ = match_sessions([dict(r, photo=str(r["photo"]), treated_at=str(r["treated_at"])) for r in grp])
        first_text: dict[tuple, str] = {}
        for r in grp:
            k = of_photo.get(str(r["photo"]))
            if k is not None:
                first_text.setdefault(k, str(r["treated_at"]))
        if len(first_text) < 2:
            continue
        earliest = min(first_text.values(), key=_time_order(first_text.values()))
        out += [dict(photo=r["photo"], subject=r["subject"], treatment=r["treatment"], taken_at=r["taken_at"],
                     treated_at=earliest) for r in grp if str(r["photo"]) in of_photo]
    return out


def _time_order(texts) -> Callable[[str], tuple]:
    """Sort key of treatment times: the instant when every one has a UTC offset, else the
    wall-clock time (as :func:`facemetrics.batch.hours_between` compares a time with and one
    without an offset); unparsable texts last."""
    from datetime import timezone

    times = [parse_time(t) for t in texts]
    utc = all(t is not None and t.tzinfo is not None for t in times)

    def key(text: str) -> tuple:
        t = parse_time(text)
        if t is None:
            return (1, None, text)
        return (0, t.astimezone(timezone.utc).replace(tzinfo=None) if utc else t.replace(tzinfo=None), text)
    return key


def regimen_manifest(photos) -> pd.DataFrame:
    """Manifest of the regimen study from a batch's ``photos.csv`` table.

    Parameters
    ----------
    photos : pandas.DataFrame or list of dict
        ``photos.csv`` of :func:`facemetrics.batch.run_batch` (``photo``,
        ``subject``, ``treatment``, ``taken_at``, ``treated_at``, ``role``).

    Returns
    -------
    pandas.DataFrame
        ``photo, subject, treatment, taken_at, treated_at``: for every
        subject × treatment with baseline photos in 2 or more sessions, its
        baseline photos with ``treated_at`` set to the first session's
        treatment time (empty when there is nothing to compare).
    """
    import pandas as pd

    return pd.DataFrame(regimen_rows(photos), columns=MANIFEST_COLUMNS)


def run_regimen_batch(folder, out_dir, photos, *, workers: int | None = 1, progress: bool = False,
                      cache_from=None, **batch_options):
    """Run the regimen study of a batch into ``out_dir/regimen`` (nothing when there is none).

    Parameters
    ----------
    folder : path-like
        The batch's photo folder.
    out_dir : path-like
        The batch's output folder.
    photos : list of dict or pandas.DataFrame
        Its ``photos.csv`` table (``BatchResult.photo_rows`` or ``.photos``).
    cache_from : path-like, optional
        A batch ``.cache`` folder whose stored measurements and comparisons
        are reused (default ``out_dir/.cache``).
    **batch_options
        Passed to :func:`~facemetrics.batch.run_batch` (``mm_per_px``,
        ``ipd_mm``, ``fast``): give the main batch's, so its cache is reused.
        A ``provenance`` given (the study store's) is passed on, each photo's
        ``taken_at_source`` taken from ``photos`` where it gives none
        (:func:`regimen_provenance`).

    Returns
    -------
    BatchResult or None
        None when no subject and treatment has baseline photos in two sessions: an earlier run's
        tables in ``out_dir/regimen`` (:data:`~facemetrics.batch.runner.BATCH_OUTPUTS`, those
        facemetrics wrote) are then removed, its measurements cache ``regimen/.cache`` and any other
        file kept (the whole folder was deleted, the cache with it; an audit, 2026-12-04).

    Raises
    ------
    facemetrics.errors.SettingError
        ``out_dir`` (or a parent) is a file, not a folder; and as :func:`~facemetrics.batch.run_batch`.
    """
    out_dir = check_output_folder(out_dir)
    target = out_dir / REGIMEN_DIR
    manifest = regimen_rows(photos)
    if not manifest:
        if target.is_dir() and not target.is_symlink():  # the tables only: never the cache, never another's file
            remove_earlier(target, BATCH_OUTPUTS)
            try:
                target.rmdir()  # only when nothing is left in it
            except OSError:
                pass
        return None
    src = Path(cache_from) if cache_from is not None else out_dir / ".cache"
    for kind in ("photo", "compare"):
        if (src / kind).is_dir():
            (target / ".cache" / kind).mkdir(parents=True, exist_ok=True)
            for f in (src / kind).glob("*.json"):
                dst = target / ".cache" / kind / f.name
                if not dst.exists():
                    shutil.copyfile(f, dst)
    path = target / ".cache" / "regimen_manifest.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rows_csv(manifest, MANIFEST_COLUMNS, path, record=False)  # in the cache: not an output
    given = regimen_provenance(photos, batch_options.get("provenance"))
    # every photo of the regimen batch is a before photo of a past session: its remedies do not ask to retake it
    batch_options["provenance"] = {name: replace(given.get(name, Provenance()), pre_session=True)
                                   for name in {*given, *(str(m["photo"]) for m in manifest)}}
    return run_batch(folder, target, manifest=path, workers=workers, progress=progress, **batch_options)


def regimen_provenance(photos, given=None) -> dict[str, Provenance]:
    """Where each photo's time in the regimen manifest came from, for its batch's ``photos.csv``.

    The regimen manifest copies each photo's ``taken_at`` from the main ``photos.csv``, so its batch
    would say ``manifest`` for every photo; this keeps the main table's ``taken_at_source`` (``exif``,
    ``file_name``, ``manifest``, or the store's ``typed`` ...).

    Parameters
    ----------
    photos : list of dict or pandas.DataFrame
        The main batch's ``photos.csv`` (``photo``, ``taken_at_source``).
    given : mapping of str to Provenance, optional
        The caller's (``study report``'s store provenance, keyed by ``photo``); its ``note`` is kept,
        and its ``taken_at_source`` where it has one.

    Returns
    -------
    dict of str to Provenance
        ``{photo: Provenance}`` of every photo in ``photos`` or ``given``.
    """
    if not isinstance(photos, list):
        photos = photos.to_dict("records")
    out = dict(given or {})
    for r in photos:
        source = r.get("taken_at_source")
        if is_missing(r.get("photo")) or is_missing(source) or not str(source):
            continue
        name = str(r["photo"])
        had = out.get(name, Provenance())
        out[name] = Provenance(taken_at_source=had.taken_at_source or str(source), note=had.note)
    return out
