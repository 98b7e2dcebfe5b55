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
:func:`facemetrics.decay.analyze_regimen` (``regimen`` rows of
``timeline.csv``, ``regimen.png``, a section of ``report.md``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from .batch import REGIMEN_DIR, parse_time, run_batch

__all__ = ["REGIMEN_DIR", "regimen_manifest", "run_regimen_batch"]


def regimen_manifest(photos: pd.DataFrame) -> pd.DataFrame:
    """Manifest of the regimen study from a batch's ``photos.csv`` table.

    Parameters
    ----------
    photos : pandas.DataFrame
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
    cols = ["photo", "subject", "treatment", "taken_at", "treated_at"]
    if photos.empty or "role" not in photos.columns:
        return pd.DataFrame(columns=cols)
    base = photos[photos["role"].astype(str) == "baseline"].copy()
    out = []
    for (_, _), grp in base.groupby(["subject", "treatment"], sort=True):
        sessions = sorted(set(grp["treated_at"].astype(str)), key=lambda t: parse_time(t) or t)
        if len(sessions) < 2:
            continue
        first = sessions[0]
        for r in grp.itertuples():
            out.append(dict(photo=r.photo, subject=r.subject, treatment=r.treatment, taken_at=r.taken_at,
                            treated_at=first))
    return pd.DataFrame(out, columns=cols)


def run_regimen_batch(folder, out_dir, photos: pd.DataFrame, *, workers: int | None = 1, progress: bool = False,
                      cache_from=None, **batch_options):
    """Run the regimen study of a batch into ``out_dir/regimen`` (nothing when there is none).

    Parameters
    ----------
    folder : path-like
        The batch's photo folder.
    out_dir : path-like
        The batch's output folder.
    photos : pandas.DataFrame
        Its ``photos.csv`` table.
    cache_from : path-like, optional
        A batch ``.cache`` folder whose stored measurements and comparisons
        are reused (default ``out_dir/.cache``).
    **batch_options
        Passed to :func:`~facemetrics.batch.run_batch` (``mm_per_px``,
        ``ipd_mm``, ``fast``): give the main batch's, so its cache is reused.

    Returns
    -------
    BatchResult or None
    """
    out_dir = Path(out_dir)
    target = out_dir / REGIMEN_DIR
    manifest = regimen_manifest(photos)
    if manifest.empty:
        shutil.rmtree(target, ignore_errors=True)
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
    manifest.to_csv(path, index=False, lineterminator="\n")
    return run_batch(folder, target, manifest=path, workers=workers, progress=progress, **batch_options)
