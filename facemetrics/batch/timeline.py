"""The timeline stage: decay fits of a batch's changes, the regimen rows, ``report.md``.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..export import check_output_folder, write_bytes, write_csv
from ..report import timeline_markdown
from .runner import REGIMEN_DIR


#: headline changes analysed by :func:`run_timeline` (those present in long.csv): the
#: lifts of the jawline and mouth corners (mm, mean of both sides) and the fold depth
#: index (per side; the ``nlf_depth`` rows of long.csv)
HEADLINE_METRICS = ("jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth")


def run_timeline(batch_dir, out_dir=None, *, metrics=None, sides=("mean",), min_effect: float | None = None,
                 n_boot: int = 400, seed: int = 0, per_subject: bool = True):
    """Fit the decay model to a batch's changes; write ``timeline.csv``, ``timeline.png``, ``report.md``.

    Parameters
    ----------
    batch_dir : str or path-like
        Folder written by :func:`run_batch` (reads ``long.csv`` and ``photos.csv``).
    out_dir : str or path-like, optional
        Where to write (default: ``batch_dir``).
    metrics : iterable of str, optional
        Metrics to analyse (default: :data:`HEADLINE_METRICS` present in the table).
    sides : iterable of str
        Sides to analyse (default only ``"mean"``).
    min_effect, n_boot, seed, per_subject
        Passed to :func:`facemetrics.decay.analyze_series` (``min_effect`` None: per unit; ``n_boot``
        0 or at least :data:`facemetrics.decay.claim.MIN_VERDICT_REPLICATES`, 50).

    Returns
    -------
    (SeriesResult, pandas.DataFrame)
        The fits and the ``timeline.csv`` table.  The table's ``attrs["regimen_note"]`` is the
        sentence of :func:`facemetrics.report.regimen_no_fit_note` when the regimen batch compared
        pre-session photos but none could be fitted (every one ``uncertain`` or without a value:
        no regimen rows, no ``regimen.png``; ``report.md``'s ``## Regimen`` section says it), else "".

    Raises
    ------
    SeriesError
        Nothing to fit, e.g. every headline change read ``uncertain`` or every value is empty
        (the message is the fits' own :attr:`SeriesResult.reason <facemetrics.decay.SeriesResult>`);
        ``batch_dir`` without a ``long.csv``; a metric ``long.csv`` does not have; ``n_boot`` from 1
        to 49 (before any file is written).
    facemetrics.errors.SettingError
        ``out_dir`` (or a parent) is a file, not a folder: before any fit.
    """
    from ..decay import SeriesError, analyze_series
    from ..plots import plot_timeline

    batch_dir = Path(batch_dir)
    out_dir = check_output_folder(out_dir) if out_dir is not None else batch_dir
    if not (batch_dir / "long.csv").is_file():  # pandas' FileNotFoundError named only the CSV (audit)
        raise SeriesError(f"{batch_dir} is not a batch output folder: it has no long.csv "
                          "(run `facemetrics batch` first, or give the folder it wrote)")
    long = pd.read_csv(batch_dir / "long.csv", keep_default_na=False, na_values=[""])
    long["unit"] = long["unit"].fillna("")
    if metrics is None:
        metrics = [m for m in HEADLINE_METRICS if m in set(long["metric"])]
    else:  # one name is one metric, not its letters; an unknown one is named, not "no rows"
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = sorted(set(metrics) - set(long["metric"]))
        if unknown:
            raise SeriesError(f"unknown metric(s) {', '.join(unknown)} in {batch_dir / 'long.csv'}; available: "
                              f"{', '.join(sorted(set(long['metric'])))}")
    has_mean = set(long.loc[long["side"] == "mean", "metric"])
    # metrics without a "mean" side (e.g. the fold depth, per side only) are fitted per side
    side_ok = long["side"].isin(list(sides)) | (~long["metric"].isin(has_mean) & long["side"].isin(["right", "left"]))
    data = long[long["metric"].isin(list(metrics)) & side_ok]
    result = analyze_series(data, min_effect=min_effect, n_boot=n_boot, seed=seed, per_subject=per_subject)
    if result.status != "ok":  # no usable row (every value empty, every change 'uncertain'): the fits say why
        raise SeriesError(f"{result.reason} (Only long.csv's lift and fold-depth rows are fitted; the messages "
                          "column of changes.csv gives each comparison's reasons.)")
    table = result.to_frame()
    out_dir.mkdir(parents=True, exist_ok=True)
    regimen, note = _regimen_rows(batch_dir, out_dir, metrics, sides, min_effect=min_effect, n_boot=n_boot,
                                  seed=seed)
    if regimen is not None:  # the regimen batch (facemetrics.regimen) was run: its rows follow the decay rows
        table = pd.concat([table.assign(kind="decay"), regimen.astype(object)], ignore_index=True)
    write_csv(table, out_dir / "timeline.csv")
    fig = plot_timeline(data, result)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    write_bytes(buf.getvalue(), out_dir / "timeline.png")
    same = _same_picture_notes(batch_dir)  # the zeros of a copy, left out of the fits: in report.md and attrs
    write_bytes(timeline_report(table, batch_dir, regimen_note=note, same_picture_notes=same).encode("utf-8"),
                out_dir / "report.md")
    table.attrs["regimen_note"] = note  # what the CLI prints (a regimen with no usable comparison has no row)
    table.attrs["same_picture_notes"] = same  # and the zeros of a copy, left out
    return result, table


def _change_records(batch_dir) -> list[dict] | None:
    """``changes.csv``'s ``subject``, ``treatment``, ``treated_at`` and ``messages`` as dicts; None when
    it cannot be read."""
    try:
        changes = pd.read_csv(Path(batch_dir) / "changes.csv", keep_default_na=False,
                              usecols=lambda c: c in ("subject", "treatment", "treated_at", "messages"))
    except (OSError, ValueError):
        return None
    return changes.to_dict("records")


def _same_picture_notes(batch_dir, changes: list[dict] | None = None) -> list[str]:
    """:func:`facemetrics.batch.tables.same_picture_notes` of the batch and of its regimen batch (those
    prefixed ``regimen: ``): the comparisons left out of the fits because their photo is the same
    picture as its before photo.  ``changes``: the batch's :func:`_change_records` when already read."""
    from .tables import same_picture_notes

    notes = same_picture_notes((changes if changes is not None else _change_records(batch_dir)) or [])
    return notes + [f"regimen: {n}" for n in same_picture_notes(_change_records(Path(batch_dir) / REGIMEN_DIR) or [])]


def _regimen_rows(batch_dir: Path, out_dir: Path, metrics, sides, *, min_effect, n_boot, seed):
    """Cumulative change over days from ``batch_dir/regimen/long.csv``: ``(table, note)``.

    ``table`` is None when the regimen batch was not run (or compared nothing of ``metrics``) and
    writes ``regimen.png``; ``note`` is :func:`facemetrics.report.regimen_no_fit_note`'s sentence when
    it compared pre-session photos but none can be fitted (every one ``uncertain`` or without a value;
    an earlier run's ``regimen.png`` is then removed), else "".  Same metric/side selection as the
    decay fits."""
    from ..decay import analyze_regimen
    from ..plots import plot_regimen

    path = batch_dir / REGIMEN_DIR / "long.csv"
    if not path.is_file():
        return None, ""
    lv = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if lv.empty:
        return None, ""
    lv["unit"] = lv["unit"].fillna("")
    has_mean = set(lv.loc[lv["side"] == "mean", "metric"])
    side_ok = lv["side"].isin(list(sides)) | (~lv["metric"].isin(has_mean) & lv["side"].isin(["right", "left"]))
    chosen = lv[lv["metric"].isin(list(metrics)) & side_ok]
    lv = chosen[np.isfinite(pd.to_numeric(chosen["value"], errors="coerce"))]
    reg = analyze_regimen(lv, min_effect=min_effect, n_boot=n_boot, seed=seed) if len(lv) else None
    if reg is None or reg.empty:  # nothing usable: every level 'uncertain' or without a value: no fit, no figure
        (out_dir / "regimen.png").unlink(missing_ok=True)  # nor an earlier run's figure beside this run's tables
        return reg, _no_fit_note(chosen, lv)
    fig = plot_regimen(lv, reg)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    write_bytes(buf.getvalue(), out_dir / "regimen.png")
    return reg, ""


def _no_fit_note(chosen: pd.DataFrame, finite: pd.DataFrame) -> str:
    """:func:`facemetrics.report.regimen_no_fit_note` of a regimen none of whose comparisons can be
    fitted: ``chosen`` its rows of the fitted metrics, ``finite`` those with a value; "" when
    ``chosen`` is empty.  A comparison is a ``photo`` (a row without one counts alone)."""
    from ..report import regimen_no_fit_note

    if chosen.empty:
        return ""

    def comparisons(rows: pd.DataFrame) -> set:
        photo = rows["photo"].fillna("").astype(str) if "photo" in rows.columns else pd.Series("", index=rows.index)
        return {p if p else f"#{i}" for i, p in zip(rows.index, photo)}

    with_value = comparisons(finite)
    return regimen_no_fit_note(len(with_value), len(comparisons(chosen) - with_value))


def timeline_report(table: pd.DataFrame, batch_dir, regimen_note: str = "",
                    same_picture_notes: list[str] | None = None) -> str:
    """``report.md`` of a timeline table: reads ``batch_dir/photos.csv`` for the
    photos left out; the text is :func:`facemetrics.report.timeline_markdown`'s (``regimen_note`` its
    ``## Regimen`` note when there are no regimen rows), followed by
    the sessions whose before photos disagree (from ``batch_dir/changes.csv``'s messages,
    :func:`facemetrics.batch.tables.disagreement_notes`; each says whether the fits left it out) and
    the comparisons left out of the fits because their photo is the same picture as its before photo
    (:func:`facemetrics.batch.tables.same_picture_notes`, of the batch and its regimen batch:
    ``same_picture_notes`` when the caller has them, as :func:`run_timeline`, else read here)."""
    from .tables import disagreement_notes

    try:
        photos = pd.read_csv(Path(batch_dir) / "photos.csv", keep_default_na=False)
    except (OSError, ValueError):
        photos = None
    text = timeline_markdown(table, photos, regimen_note)
    changes = _change_records(batch_dir)
    if changes is None:
        return text
    notes = disagreement_notes(changes)
    if notes:
        text += "\n## Sessions whose before photos disagree\n\n" + "".join(f"- {n}\n" for n in notes)
    same = same_picture_notes if same_picture_notes is not None else _same_picture_notes(batch_dir, changes)
    if same:
        text += ("\n## Comparisons left out of the fits: the same picture as their before photo\n\n"
                 "One picture under two times (a copied file, a wrong capture time) reads a change of 0 by "
                 "construction, which is no measurement of the change at that time.\n\n"
                 + "".join(f"- {n}\n" for n in same))
    return text
