"""The timeline stage: decay fits of a batch's changes, the regimen rows, ``report.md``.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..messages import shorten_message, split_messages
from ..export import check_output_folder, csv_bytes, figure_png, write_bytes
from ..outputs import refuse_foreign_outputs, remove_earlier
from ..report import follow_on_notes, timeline_markdown
from ..schema import TEXT_COLUMNS
from ..compare import MSG_NEAR_COPY, MSG_SAME_PICTURE
from ..compare.gate import MSG_JPEG_QUALITY, MSG_NOT_ALIGNED
from ..compare.pose import MSG_CAMERA, MSG_CAMERA_UNCHECKED, MSG_POSE, MSG_POSE_UNCHECKED
from ..compare.framing import MSG_CUT_DIFFERENTLY, MSG_CUT_OUT, MSG_FACE_CUT, MSG_LENSES
from ..compare.expression import MSG_EXPRESSION
from ..compare.iris_scale import MSG_IRIS_SCALE
from ..compare.skin import MSG_FINE_CONTRAST, MSG_SMOOTHED, MSG_TONE_MAPPED
from ..compare.light import MSG_LIGHT_SIDE
from ..compare.glasses import MSG_EYES_COVERED, MSG_GLASSES_FOLD
from ..compare.identity import MSG_MISMATCH
from ..compare.fold_lines import MSG_FOLD_CONTRAST_SIDES, MSG_FOLD_LINES
from ..compare.occlusion import MSG_BOTH_COVERED, MSG_COVERED, MSG_PHOTO_COVERED
from .runner import REGIMEN_DIR, TIMELINE_OUTPUTS
from .fit_notes import (HEADLINE_METRICS, KeptNote, _when, expression_kept, flow_photos,  # noqa: F401 (re-exported)
                        light_kept)
from .flow_read import stands_out_notes
from .series_read import fitted_columns as _fitted_columns
from .series_read import read_series
from ..compare.disagreement import MSG_BASELINES_DISAGREE
from .tables import (MSG_AFTER_ANOTHER_TREATMENT, MSG_AFTER_PHOTO_SMILING, MSG_BASELINE_PASSED_OVER,
                     MSG_BEFORE_PHOTO_AT_FAULT, MSG_SAME_PICTURE_LEFT_OUT)



#: the batch tables' text columns as ``pandas.read_csv`` takes them (``dtype``): every reader of the
#: batch's CSVs here keeps them text (subjects ``007`` and ``7`` were both read as 7; an audit, 2026-12-04)
_TEXT = dict.fromkeys(TEXT_COLUMNS, str)

#: the ``changes.csv`` columns :func:`_change_records` reads (with every ``<metric>_verdict``)
_CHANGE_FIELDS = ("subject", "treatment", "treated_at", "photo", "hours_since_treatment", "status", "messages",
                  "baseline_photos", "role")

#: parts of a comparison's messages that say why its rows read ``uncertain`` (compare's gate, the
#: batch's flags): :func:`uncertain_notes` quotes these rather than the comparison's first message
#: (a region covered in one or both photos, a cut-out, different lenses, the iris scales, a smoothed, tone-mapped
#: or sharpened photo's fold rows, a light from another side's fold rows: each takes rows' verdicts, and report.md
#: quoted the pair's first message instead, "resolution too low ..." or a pose note cut at its "; ": a clinic's
#: audit, 2026-12-05; a photo below JPEG quality 70, every row but the pose rows since stop 64: review)
_OWN_ROW_CAUSES = (MSG_COVERED, MSG_PHOTO_COVERED, MSG_BOTH_COVERED, MSG_CUT_OUT, MSG_CUT_DIFFERENTLY, MSG_LENSES,
                   MSG_IRIS_SCALE, MSG_SMOOTHED, MSG_FINE_CONTRAST, MSG_LIGHT_SIDE, MSG_AFTER_ANOTHER_TREATMENT,
                   MSG_JPEG_QUALITY)
_UNCERTAIN_CAUSES = (MSG_FACE_CUT, MSG_MISMATCH, MSG_NOT_ALIGNED, MSG_CAMERA_UNCHECKED, MSG_POSE_UNCHECKED,
                     MSG_EXPRESSION, MSG_BASELINES_DISAGREE, MSG_SAME_PICTURE_LEFT_OUT, MSG_SAME_PICTURE,
                     MSG_NEAR_COPY, MSG_EYES_COVERED, MSG_GLASSES_FOLD, MSG_FOLD_LINES, MSG_FOLD_CONTRAST_SIDES,
                     MSG_TONE_MAPPED, *_OWN_ROW_CAUSES)

#: how the messages begin that name a cause with its figures (a pose or camera message holds the clause
#: of :data:`_UNCERTAIN_CAUSES`; a follow-up note that repeats the clause, without the figures, does not)
_CAUSE_STARTS = (MSG_POSE, MSG_CAMERA, MSG_FACE_CUT, MSG_MISMATCH, MSG_NOT_ALIGNED, MSG_EXPRESSION,
                 MSG_BASELINES_DISAGREE, MSG_SAME_PICTURE_LEFT_OUT, MSG_SAME_PICTURE, MSG_NEAR_COPY, MSG_EYES_COVERED,
                 MSG_GLASSES_FOLD, MSG_FOLD_LINES, MSG_FOLD_CONTRAST_SIDES, *_OWN_ROW_CAUSES,
                 *(f"the {which} photo {MSG_TONE_MAPPED}" for which in ("before", "after")))


@dataclass(frozen=True)
class TimelineFits:
    """What :func:`run_timeline` drew its figures from, for a caller that draws them again in another layout
    (the app's *My study*: :func:`facemetrics.plots.plot_timeline` and :func:`~facemetrics.plots.plot_regimen`
    with ``layout="narrow"``), without fitting twice.

    Attributes
    ----------
    changes : pandas.DataFrame
        The ``long.csv`` rows fitted (tidy: one row per photo, metric and side; values in each row's ``unit``), with
        a bool column ``second_read`` when some are a next session's before photo read a second time (marked in the
        figures: :func:`facemetrics.plots.plot_timeline`).
    result : facemetrics.decay.SeriesResult
        Their decay fits.
    levels : pandas.DataFrame or None
        The regimen batch's rows fitted (``regimen/long.csv``), None without a regimen fit.
    regimen : pandas.DataFrame or None
        Its fits (:func:`facemetrics.decay.analyze_regimen`), None without one (no ``regimen.png``).
    table : pandas.DataFrame or None
        The decay rows as the series-reading rules read them (``timeline.csv``'s decay rows,
        :attr:`~facemetrics.batch.series_read.SeriesReading.table`): give it to
        :func:`~facemetrics.plots.plot_timeline` (``table=``) so that a row with no figure (§21b) has no curve
        there either, as in ``timeline.png``.
    """

    changes: pd.DataFrame
    result: object
    levels: pd.DataFrame | None = None
    regimen: pd.DataFrame | None = None
    table: pd.DataFrame | None = None

    def figure_files(self) -> dict[str, bytes]:
        """``timeline.png`` and, with a regimen fit, ``regimen.png`` as :func:`run_timeline` writes them (the wide
        layout, :data:`FIGURE_DPI`): the one place they are drawn, so that a caller that asked the run for none
        (``figures=False``: the app's *My study*, whose ZIP alone holds them) draws the same bytes when it needs
        them."""
        from ..plots import plot_regimen, plot_timeline

        out = {"timeline.png": figure_png(plot_timeline(self.changes, self.result, table=self.table), dpi=FIGURE_DPI)}
        if self.levels is not None and self.regimen is not None:
            out["regimen.png"] = figure_png(plot_regimen(self.levels, self.regimen), dpi=FIGURE_DPI)
        return out


#: the resolution of ``timeline.png`` and ``regimen.png`` (:meth:`TimelineFits.figure_files`)
FIGURE_DPI = 110


def _first_clause(message: str) -> str:
    """``message`` up to its first ``", and "`` outside parentheses (all of it without one): of the
    batch's :data:`~facemetrics.batch.tables.MSG_BEFORE_PHOTO_AT_FAULT` message, the before photo
    and its flags (``"...: S01/rf/a.jpg is flagged smiling (...) and the after photo is not"``), not
    the advice after them, which ``changes.csv`` keeps."""
    depth = 0
    for i, c in enumerate(message):
        depth += (c == "(") - (c == ")")
        if depth == 0 and message.startswith(", and ", i):
            return message[:i]
    return message


def run_timeline(batch_dir, out_dir=None, *, metrics=None, sides=("mean",), min_effect: float | None = None,
                 n_boot: int = 400, seed: int = 0, per_subject: bool = True, force: bool = False,
                 fits_done=None, figures: bool = True, progress=None):
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
        0 or at least :data:`facemetrics.decay.bootstrap.MIN_VERDICT_REPLICATES`, 50).
    force : bool
        Replace a file of an output's name that facemetrics did not write (``--force``; a folder never).
    fits_done : callable, optional
        Called as ``fits_done(fits)`` (a :class:`TimelineFits`: the rows and fits the figures were drawn from)
        once the outputs are made, before they are written: the app draws its phone-width figures from it.
    figures : bool
        Draw and write ``timeline.png`` and ``regimen.png`` (default).  False: neither is drawn nor written (an
        earlier run's are removed, as any output this run does not make); the caller draws them when it needs them
        (:meth:`TimelineFits.figure_files` of ``fits_done``'s fits: the same bytes).  The app's *My study* shows its
        own figures and needs these only in its ZIP (stop 59).
    progress : callable, optional
        Called as ``progress(done, total)`` after each decay series is fitted (the ``progress`` of
        :func:`facemetrics.decay.analyze_series`); None (default): silent.  ``facemetrics timeline`` prints from it.

    Returns
    -------
    (SeriesResult, pandas.DataFrame)
        The fits and the ``timeline.csv`` table.  The table's ``attrs["regimen_note"]`` is the
        sentence of :func:`facemetrics.report.regimen_no_fit_note` when the regimen batch compared
        pre-session photos but none could be fitted (every one ``uncertain`` or without a value:
        no regimen rows, no ``regimen.png``; ``report.md``'s ``## Regimen`` section says it), else "";
        ``attrs["disagreement_notes"]`` the lines ``batch`` prints on before photos that disagree
        (:func:`_disagreement_lines`, the CLI prints them).

    Raises
    ------
    SeriesError
        Nothing to fit, e.g. every headline change read ``uncertain`` or every value is empty
        (the message is the fits' own :attr:`SeriesResult.reason <facemetrics.decay.SeriesResult>`);
        ``batch_dir`` without a ``long.csv``; a ``long.csv`` or ``regimen/long.csv`` written by
        facemetrics (it has the ``facemetrics_version`` column) without its ``verdict`` column, whose
        ``uncertain`` rows could not be left out (:func:`_read_long`; a hand-made table without
        either is fitted whole, as :func:`~facemetrics.decay.analyze_series` documents); a metric
        ``long.csv`` does not have; ``n_boot`` from 1 to 49 (before any file is written).
    facemetrics.errors.SettingError
        ``out_dir`` (or a parent) is a file, not a folder; or ``out_dir`` holds a file of an output's name
        (:data:`~facemetrics.batch.runner.TIMELINE_OUTPUTS`) that facemetrics did not write (the user's own
        ``report.md``, a link; :func:`facemetrics.outputs.refuse_foreign_outputs`, raising its
        ``OverwriteRefused``), which it will not overwrite without ``force``: before any fit.

    Notes
    -----
    Every output is made in memory first and written at the end (each atomically); ``regimen.png`` of an
    earlier run is removed when this run has no regimen fit.  A run that fails after the output folder's
    checks (a fit that cannot be made, a write that fails, an interruption) removes the outputs an earlier
    run left in ``out_dir`` (those facemetrics wrote), so none of them reads as this run's.
    """
    from ..decay import SeriesError

    batch_dir = Path(batch_dir)
    out_dir = check_output_folder(out_dir) if out_dir is not None else batch_dir
    if not (batch_dir / "long.csv").is_file():  # pandas' FileNotFoundError named only the CSV (audit)
        raise SeriesError(f"{batch_dir} is not a batch output folder: it has no long.csv "
                          "(run `facemetrics batch` first, or give the folder it wrote)")
    # timeline replaced a user's own report.md there without a word (an audit, 2026-12-04)
    refuse_foreign_outputs(out_dir, TIMELINE_OUTPUTS, force=force, command="timeline")
    try:
        result, table, files, fits = _timeline_files(batch_dir, metrics=metrics, sides=sides, min_effect=min_effect,
                                                     n_boot=n_boot, seed=seed, per_subject=per_subject,
                                                     figures=figures, progress=progress)
        if fits_done is not None:
            fits_done(fits)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():  # all made: written last, each atomically
            write_bytes(data, out_dir / name)
        remove_earlier(out_dir, [n for n in TIMELINE_OUTPUTS if n not in files])  # regimen.png without a regimen
    except BaseException:  # a failed run leaves no earlier run's outputs that would read as its own
        remove_earlier(out_dir, TIMELINE_OUTPUTS)
        raise
    return result, table


def _timeline_files(batch_dir: Path, *, metrics, sides, min_effect, n_boot, seed, per_subject, figures=True,
                    progress=None):
    """The fits of :func:`run_timeline` and its outputs, made in memory: ``(result, table, files, fits)``,
    ``files`` ``{name: bytes}`` of ``timeline.csv``, ``timeline.png``, ``report.md`` and ``regimen.png``
    when the regimen batch has a fit (the two PNGs only with ``figures``), ``fits`` the :class:`TimelineFits` the
    figures are drawn from.  Raises as :func:`run_timeline`."""
    from ..decay import SeriesError, analyze_series
    from ..decay.regimen_flow import FIGURES_WITHOUT as REGIMEN_FIGURES_WITHOUT

    long = _read_long(batch_dir / "long.csv")
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
    known = photo_sessions(batch_dir)  # also a session none of whose photos was compared: the fits and every refit
    result = analyze_series(data, min_effect=min_effect, n_boot=n_boot, seed=seed, per_subject=per_subject,
                            sessions=known, progress=progress)
    if result.status != "ok":  # no usable row (every value empty, every change 'uncertain'): the fits say why
        raise SeriesError(f"{result.reason} (Only long.csv's lift, fold-depth and jaw-width (flow) rows are fitted; "
                          "the messages column of changes.csv gives each comparison's reasons.)")
    changes, reg_changes = _change_records(batch_dir), _change_records(batch_dir / REGIMEN_DIR)  # read once
    fitted = result.to_frame()
    # every series-reading rule (§16 a flow-only photo off the others' curve, §20 a smiling before photo), as the
    # app's Timeline tab reads its fits
    reading = read_series(fitted, data, changes, n_boot=n_boot, seed=seed, min_effect=min_effect, sessions=known)
    table, checks = reading.table, reading.flow_checks
    regimen, note, levels, reg_checks = _regimen_rows(
        batch_dir, metrics, sides, min_effect=min_effect, n_boot=n_boot, seed=seed,
        flow=flow_photos(reg_changes or [], _fitted_columns(fitted)))  # §18: the rule on the line
    if regimen is not None:  # the regimen batch (facemetrics.regimen) was run: its rows follow the decay rows
        table = pd.concat([table.assign(kind="decay"), regimen.astype(object)], ignore_index=True)
    files = {"timeline.csv": csv_bytes(table)}
    # the rows as read: a row whose figures are left empty (§21b) has no curve either (marked as facemetrics')
    twice = set(second_reads(batch_dir, changes))  # a next session's before photo read twice: marked in the figure
    drawn = data.assign(second_read=[(str(p), str(t).strip()) in twice for p, t in
                                     zip(data["photo"], data["treated_at"].fillna(""))]) \
        if twice and {"photo", "treated_at"} <= set(data.columns) else data
    fits = TimelineFits(drawn, result, *((levels, regimen) if levels is not None else (None, None)),
                        table=reading.table)
    if figures:
        files.update(fits.figure_files())  # timeline.png, and regimen.png with a regimen fit
    same = _same_picture_notes(batch_dir, changes, reg_changes)  # the zeros of a copy, left out of the fits
    disagree = _disagreement_lines(changes, reg_changes)  # before photos that disagree, as the batch says them
    left = _uncertain_notes(table, changes, reg_changes)  # every comparison left out as 'uncertain', and why
    kept = _expression_kept_notes(table, changes, reg_changes)  # fitted although the expression may differ
    kept = _regimen_stands_out(stands_out_notes(kept, checks), reg_checks,  # those the rules flagged say so
                               () if regimen is None else regimen.attrs.get(REGIMEN_FIGURES_WITHOUT, ()))
    light = _kept_of_both(light_kept, changes, reg_changes, _fitted_columns(table))  # fold rows fitted in other light
    follow = follow_on_notes(result.follow_on)  # sessions begun while an earlier one may still act, left out
    before = list(reading.before_notes)  # §20: a before photo every after photo of its session differs from
    twice = next_before_text(batch_dir, changes)  # a next session's before photo read as the earlier one's too
    files["report.md"] = timeline_report(table, batch_dir, regimen_note=note, uncertain_notes=left,
                                         follow_on_notes=follow, expression_notes=kept,
                                         before_notes=before, next_before=twice, light_notes=light).encode("utf-8")
    table.attrs["regimen_note"] = note  # what the CLI prints (a regimen with no usable comparison has no row)
    table.attrs["same_picture_notes"] = same  # and the zeros of a copy, left out
    table.attrs["disagreement_notes"] = disagree  # and the sessions whose before photos disagree, their floors
    table.attrs["uncertain_notes"] = left  # and report.md's list of the comparisons left out as 'uncertain'
    table.attrs["follow_on_notes"] = follow  # and the follow-on sessions left out of the decay fits
    # and the comparisons fitted with the warning 'expression may differ', and those whose fold rows were fitted with
    # 'lighting differs': their lines (text, as the app's page state serializes a table's attrs)
    table.attrs["expression_kept_notes"] = [str(n) for n in kept]
    table.attrs["light_kept_notes"] = [str(n) for n in light]
    table.attrs["before_notes"] = before  # and the before photos to retake (§20, §21)
    table.attrs["next_before_note"] = twice  # and the before photos read also as the earlier session's (Round 16)
    return result, table, files, fits


def _regimen_stands_out(kept: list[KeptNote], checks, left_out=()) -> list[KeptNote]:
    """``kept`` (the comparisons fitted with the flow warning, :class:`~facemetrics.batch.fit_notes.KeptNote`), each
    regimen note (``regimen: `photo` ...``) of a photo docs/validation.md §18's rule flagged in a series whose
    verdict it decided (:func:`facemetrics.decay.regimen_flow.regimen_flow_read`) followed by
    ``"; stands out from the line of the other pre-session photos: its regimen series reads inconclusive"`` (and,
    when it is in ``left_out``, ``", and its figures leave it out"``: §19b), and of a photo in ``left_out``
    (flagged, the verdict the same: left out of its series' figures, §19) by ``"; stands out from the line of the
    other pre-session photos: left out of its regimen series' figures (the same verdict)"``.  ``left_out``: the
    regimen table's ``attrs[FIGURES_WITHOUT]`` (:mod:`facemetrics.decay.regimen_flow`).  The console and
    report.md print these notes' lines; a note is matched by its photo, never by the text of its line."""
    flagged = {p for c in checks if c.verdict_without != c.verdict for p in c.flagged}
    out = "; stands out from the line of the other pre-session photos: "

    def said(n: KeptNote) -> KeptNote:
        if n.regimen and n.photo in flagged:
            figures = n.photo in left_out
            return n.with_remark(out + "its regimen series reads inconclusive"
                                 + (", and its figures leave it out" * figures))
        if n.regimen and n.photo in left_out:
            return n.with_remark(out + "left out of its regimen series' figures (the same verdict)")
        return n

    return [said(n) for n in kept]


def _change_records(batch_dir) -> list[dict] | None:
    """``changes.csv``'s :data:`_CHANGE_FIELDS` and ``<metric>_verdict`` columns as dicts (strings); None
    when it cannot be read."""
    try:
        changes = pd.read_csv(Path(batch_dir) / "changes.csv", keep_default_na=False, dtype=_TEXT,
                              usecols=lambda c: c in _CHANGE_FIELDS or str(c).endswith("_verdict"))
    except (OSError, ValueError):
        return None
    return changes.to_dict("records")


def photo_sessions(batch_dir) -> pd.DataFrame | None:
    """Every treatment session of the batch in ``batch_dir`` (its ``photos.csv``): ``subject``, ``treatment``,
    ``treated_at`` and ``why`` (its photos' ``excluded`` reasons, at most two, "; "-joined), one row a session, for
    :func:`facemetrics.decay.analyze_series`'s ``sessions``: a session whose before photo was forgotten or
    unusable, or all of whose photos were refused, still treated the face, and the follow-on rule must see it
    (docs/validation.md section 12, Round 17).  None when ``photos.csv`` cannot be read."""
    try:
        photos = pd.read_csv(Path(batch_dir) / "photos.csv", keep_default_na=False, dtype=_TEXT,
                             usecols=["subject", "treatment", "treated_at", "excluded"])
    except (OSError, ValueError):
        return None
    out: dict[tuple, list[str]] = {}
    for subj, tr, at, why in photos.itertuples(index=False, name=None):
        reasons = out.setdefault((str(subj), str(tr), str(at)), [])
        if why and why not in reasons:
            reasons.append(str(why))
    return pd.DataFrame([dict(subject=s, treatment=tr, treated_at=at, why="; ".join(w[:2]))
                         for (s, tr, at), w in out.items()],
                        columns=["subject", "treatment", "treated_at", "why"])


def _same_picture_notes(batch_dir, changes: list[dict] | None = None,
                        regimen_changes: list[dict] | None = None) -> list[str]:
    """:func:`facemetrics.batch.tables.same_picture_notes` of the batch and of its regimen batch (those
    prefixed ``regimen: ``): the comparisons left out of the fits because their photo is the same
    picture as its before photo.  ``changes``, ``regimen_changes``: the batch's and its regimen
    batch's :func:`_change_records` when already read (else read here)."""
    from .tables import same_picture_notes

    if changes is None:
        changes = _change_records(batch_dir)
    if regimen_changes is None:
        regimen_changes = _change_records(Path(batch_dir) / REGIMEN_DIR)
    return _of_both(same_picture_notes, changes, regimen_changes)


def _of_both(lines, changes: list[dict] | None, regimen_changes: list[dict] | None, *args) -> list[str]:
    """``lines(changes, *args)`` then ``lines(regimen_changes, *args)`` with each of the latter prefixed
    ``regimen: `` (None or [] for a batch without changes: no lines): a note function of changes.csv rows
    applied to the batch and to its regimen batch."""
    return lines(changes or [], *args) + [f"regimen: {n}" for n in lines(regimen_changes or [], *args)]


def _disagreement_lines(changes: list[dict] | None, regimen_changes: list[dict] | None) -> list[str]:
    """:func:`facemetrics.batch.tables.disagreement_lines` of the batch's ``changes`` and of its regimen batch's
    ``regimen_changes`` (:func:`_change_records`; None or [] for none; the regimen's lines prefixed
    ``regimen: ``): the lines ``batch`` and ``study report`` print on before photos that disagree, for
    ``timeline`` run on its own to print them too."""
    from .tables import disagreement_lines

    return _of_both(disagreement_lines, changes, regimen_changes)


def _uncertain_notes(table: pd.DataFrame, changes: list[dict] | None,
                     regimen_changes: list[dict] | None) -> list[str]:
    """:func:`uncertain_notes` of the batch's ``changes`` and its regimen batch's ``regimen_changes``
    (:func:`_change_records`; None or [] for none; the regimen's lines prefixed ``regimen: ``), for
    the metrics and sides of ``table``'s decay rows (the regimen is fitted on the same selection)."""
    return _of_both(uncertain_notes, changes, regimen_changes, _fitted_columns(table))


def _expression_kept_notes(table: pd.DataFrame, changes: list[dict] | None,
                           regimen_changes: list[dict] | None) -> list[KeptNote]:
    """:func:`expression_kept` of the batch's ``changes`` and its regimen batch's ``regimen_changes``
    (:func:`_change_records`; None or [] for none; the regimen's notes read ``regimen: ``), for the
    metrics and sides of ``table``'s decay rows."""
    return _kept_of_both(expression_kept, changes, regimen_changes, _fitted_columns(table))


def _kept_of_both(notes, changes: list[dict] | None, regimen_changes: list[dict] | None,
                  columns) -> list[KeptNote]:
    """``notes(changes, columns)`` then ``notes(regimen_changes, columns)`` as the regimen batch's (:func:`_of_both`
    for :func:`expression_kept` and :func:`light_kept`, whose records say ``regimen`` themselves)."""
    return notes(changes or [], columns) + [n.in_regimen() for n in notes(regimen_changes or [], columns)]


def uncertain_notes(change_rows, columns, max_chars: int = 200) -> list[str]:
    """One line per comparison whose rows the timeline fits leave out as ``uncertain``, with its reason.

    Parameters
    ----------
    change_rows : iterable of dict
        ``changes.csv`` rows (:func:`_change_records`): ``photo``, ``subject``, ``treatment``,
        ``hours_since_treatment``, ``status``, ``messages`` and the ``<column>_verdict`` cells.
    columns : iterable of str
        The ``changes.csv`` columns fitted (:func:`facemetrics.batch.tables.change_column`): a
        comparison is listed when one of their verdicts reads ``uncertain`` (a ``refused`` or
        ``error`` comparison is not: ``photos.csv`` excludes its photo with the reason).
    max_chars : int
        Longest reason of a message quoted [characters]; a longer one is cut at the last whole word and ends
        with an ellipsis, its remedy kept whole after it (:func:`facemetrics.messages.shorten_message`).

    Returns
    -------
    list of str
        ``"`S01/mc/p3.jpg` (S01, microcurrent, 12 h since treatment): the head pose differs ..."``
        in the rows' order: the messages that say why the comparison reads ``uncertain``
        (:data:`_UNCERTAIN_CAUSES`; those that begin as a cause's message, :data:`_CAUSE_STARTS`, when
        there are such), else its first message, after the first clause of the batch's message that
        its before photo is the likely cause (:data:`~facemetrics.batch.tables.MSG_BEFORE_PHOTO_AT_FAULT`:
        flagged, a smile or a turned head, where the after photo is not) when it has one; a comparison of a photo
        that is the same picture as its before photo gives the batch's message alone, whole
        (:data:`~facemetrics.batch.tables.MSG_SAME_PICTURE_LEFT_OUT`: compare's message on the copy was quoted
        before it, and report.md said it a third time in a section of its own: stop 54's audit); [] when none
        is left out.
    """
    verdicts = [f"{c}_verdict" for c in columns]
    out = []
    for r in change_rows:
        if str(r.get("status") or "") in ("refused", "error") or not any(
                str(r.get(v) or "") == "uncertain" for v in verdicts):
            continue
        parts = split_messages(str(r.get("messages") or ""))  # a camera message's "(...; ...)" and remedy kept
        same = [p for p in parts if p.startswith(MSG_SAME_PICTURE_LEFT_OUT)]
        if same:  # the batch's message names both photos and times: compare's own ("a re-saved copy ...") not again
            out.append(f"`{r.get('photo')}` ({r.get('subject')}, {r.get('treatment')}, {_when(r)}): {same[0]}")
            continue
        # the before photo first: compare's own messages, which judge one pair, blame the after photo
        faults = [_first_clause(p) for p in parts if p.startswith(MSG_BEFORE_PHOTO_AT_FAULT)]
        # an after photo flagged smiling where the before photo is not: said with its flag (u4, stop 54)
        faults += [p.split(", as photos.csv's", 1)[0] for p in parts if p.startswith(MSG_AFTER_PHOTO_SMILING)]
        parts = [p for p in parts if not p.startswith((MSG_BEFORE_PHOTO_AT_FAULT, MSG_AFTER_PHOTO_SMILING))]
        # the passed-over message names the flags that pass a photo over ("a low JPEG quality", "a face cut by the
        # image edge"): no cause of this comparison's (it was quoted as one: review g3, stop 64)
        causes = [p for p in parts if not p.startswith(MSG_BASELINE_PASSED_OVER) and any(c in p for c in
                                                                                         _UNCERTAIN_CAUSES)]
        quoted = [p for p in causes if p.startswith(_CAUSE_STARTS)] or causes or ([] if faults else parts[:1])
        # each message's reason cut at max_chars, its remedy kept (a cut of the whole dropped the remedy: stop 45)
        # ... and the clause that makes it 'uncertain' kept (the camera message's "the correction for it is beyond
        # the ±42 % it was checked on" came after the cut: u4, stop 54)
        said = "; ".join(dict.fromkeys(faults + [
            shorten_message(p, max_chars, keep=next((c for c in _UNCERTAIN_CAUSES if c in p), "")) for p in quoted]))
        said = said or "no message (its verdicts in changes.csv read 'uncertain')"
        out.append(f"`{r.get('photo')}` ({r.get('subject')}, {r.get('treatment')}, {_when(r)}): {said}")
    return out


def unfitted_notes(changes: pd.DataFrame, long: pd.DataFrame, max_chars: int = 200) -> list[str]:
    """:func:`uncertain_notes` of a batch whose timeline could not be fitted (no ``timeline.csv`` to name the
    columns fitted): ``changes`` and ``long`` are its ``changes.csv`` and ``long.csv`` (read with
    ``keep_default_na=False``), the columns those of ``long``'s ``metric`` and ``side``.  *My study* shows them under
    "The timeline could not be made: All 4 rows of changes (1 comparison) read 'uncertain' (no change can be read
    from them, e.g. <every cause>; each comparison's messages say why)": the page said where the reasons are and
    showed none (stop 54's audit with real faces); [] when a table lacks those columns."""
    if not {"metric", "side"} <= set(long.columns) or "messages" not in changes.columns:
        return []
    from .tables import change_column

    columns = list(dict.fromkeys(change_column(str(m), str(s)) for m, s in zip(long["metric"], long["side"])))
    return uncertain_notes(changes.to_dict("records"), columns, max_chars)


def long_csv_problem(path: Path, columns: bool = True) -> str:
    """Why the file at ``path`` is no change table :func:`run_timeline` can read, or "": UTF-16 text (a
    spreadsheet's "Unicode Text" save), bytes that are not text (:func:`_long_decoded`), a table cut short
    (:func:`_cut_short`), or a header without the columns :func:`facemetrics.decay.analyze_series` needs
    (:data:`facemetrics.schema.CHANGES_INPUT_COLUMNS`).  A Windows-1252 save and one separated by semicolons or
    tabs were refused, named as such, until stop 64 (g4); they are read (:func:`long_csv_reading`).  The first two ended
    `timeline` with a traceback (UnicodeDecodeError, KeyError: 'unit'; stop 63's bad-input audit), a cut
    table was fitted without a word, one cut inside a quoted field ended it with pandas' ParserError
    (stop 64).  ``columns`` False: the text only (`timeline` first says of a table without rows that it
    holds no changes)."""
    import csv
    import io

    from ..schema import CHANGES_INPUT_COLUMNS

    why, text, sep, _ = _long_decoded(path)
    if why:
        return why
    first = _first_line(text)
    header = [h.strip() for h in next(csv.reader(io.StringIO(first), delimiter=sep), [])]
    if why := _cut_short(path, text, header, sep):
        return why
    missing = [c for c in CHANGES_INPUT_COLUMNS if c not in header]
    if missing and columns:
        # analyze_series' words (the cli says "cannot fit DIR/long.csv: " before them)
        return (f"the change table lacks column(s) {', '.join(missing)} (it needs {', '.join(CHANGES_INPUT_COLUMNS)}, "
                "as the long.csv `facemetrics batch` writes has them)")
    return ""


def _first_line(text: str) -> str:
    """``text``'s first line (CR line ends too: an old Mac save; csv.Error)."""
    import re

    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def _long_decoded(path) -> tuple[str, str, str, str]:
    """``(why, text, sep, encoding)`` of the change table at ``path``: ``why`` the refusal of a file that is no CSV
    text (UTF-16, bytes that are not text), else ""; ``text`` its text (without Excel's ``sep=;`` first line);
    ``sep`` its separator, ``,`` unless its header holds every column :func:`facemetrics.decay.analyze_series`
    needs separated by ``;`` or a tab, or a ``sep=`` line names one (the manifest reader's rule,
    :func:`facemetrics.batch.discover.csv_separator`); ``encoding`` "" for UTF-8, else the 8-bit encoding the
    manifest reader would read it in (:func:`facemetrics.batch.discover._manifest_decoded`: Windows-1252, Mac
    Roman, Latin-1) when its header names the ``subject`` column.  A spreadsheet's save in a European language
    (semicolons, decimal commas, Windows-1252) was refused until stop 64 (g4) though a manifest so saved was read."""
    from ..schema import CHANGES_INPUT_COLUMNS
    from .discover import ManifestError, _manifest_decoded, csv_separator

    data = Path(path).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (f"{path} is UTF-16 text (a spreadsheet's \"Unicode Text\" save), not the UTF-8 CSV `facemetrics "
                "batch` writes: save it as CSV UTF-8 (Comma delimited), or run `facemetrics batch` again", "", ",", "")
    encoding = ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = None
        if "subject" in data.split(b"\n", 1)[0].decode("cp1252", "replace"):  # a change table's header
            try:
                decoded = _manifest_decoded(Path(path), data)
            except ManifestError:  # bytes that are not text (a NUL, a workbook)
                pass
        if decoded is None:
            return (f"{path} is not a CSV table (its bytes are not UTF-8 text): give the folder `facemetrics batch` "
                    "wrote, or run it again", "", ",", "")
        text, encoding = decoded
    first = _first_line(text)
    sep, said = csv_separator(first)
    if said:  # Excel's "sep=;" line: the header is the next line
        text = text[len(first):].lstrip("\r\n")
    elif sep != "," and not all(c in [h.strip() for h in first.split(sep)] for c in CHANGES_INPUT_COLUMNS):
        sep = ","  # not a table separated so: read as before (its missing columns named)
    return "", text, sep, encoding


#: the long.csv columns read as numbers, where a spreadsheet's save in a language whose decimal mark is a comma
#: writes ``0,35``: read as ``0.35`` when the table is separated by semicolons or tabs (:func:`long_csv_reading`)
_NUMBER_COLUMNS = ("hours_since_treatment", "value", "noise_floor", "change_scale_sd")
#: a number as a spreadsheet writes it, ``{d}`` its decimal mark and ``{g}`` the other one: a sign, digits, or
#: digits parted into groups of three (a first group of 1-3 digits, not 0) by one thousands separator (the other
#: mark, a space, a no-break space or a narrow one), a decimal part, an exponent (``1,5E-03``); :func:`_plain_number`
_NUMBER_FORM = (r"\s*(?P<sign>[+-]?)(?:(?P<int>[1-9]\d{{0,2}}(?P<sep>[{g} \u00a0\u202f])\d{{3}}(?:(?P=sep)\d{{3}})*)"
                r"|(?P<plain>\d*))(?:{d}(?P<frac>\d+))?(?P<exp>[eE][+-]?\d+)?\s*")
#: :data:`_NUMBER_FORM` for a decimal comma (a point between thousands: ``1.234,5``, ``-12.345.678,9``; stop 65 k3)
#: and for a decimal point (a comma between thousands: ``1,234.5``; review r3)
_NUMBER_FORMS = {",": re.compile(_NUMBER_FORM.format(d=",", g=".")), ".": re.compile(_NUMBER_FORM.format(d=r"\.", g=","))}


@functools.lru_cache(maxsize=2 ** 16)  # cells repeat (0,1 in every row): 100 000 rows in 1.1 s, 2.3 s uncached
def _plain_number(cell: str, mark: str) -> str | None:
    """``cell`` written as Python reads a number (``1234.5``), read with ``mark`` ("," or ".") as its decimal mark
    and the other one, a space or a no-break space between groups of three digits; None when it is no number so
    written (``0.350,5``, ``1.23,4``: groups not of three, a first group of 0).  ``1.008`` reads 1008 with a decimal
    comma, 1.008 with a decimal point (review r3: a table's whole numbers with a thousands point read 1000 times
    too small when every point was taken for a decimal one).  ``mark`` "": a comma in ``cell`` is its decimal
    mark, else a point (``1.234`` and ``1,234`` read 1.234, ``1.234,5`` 1234.5: a table whose mark cannot be told)."""
    found = _NUMBER_FORMS[mark or ("," if "," in cell else ".")].fullmatch(cell)
    if not found or not (found["int"] or found["plain"] or found["frac"]):
        return None
    whole = (found["int"] or "").replace(found["sep"] or " ", "") or found["plain"]
    return found["sign"] + whole + ("." + found["frac"] if found["frac"] else "") + (found["exp"] or "")


def _decimal_mark(cells: list[str]) -> str:
    """The decimal mark ("," or ".") of a table's number ``cells`` : the one under which some
    cell reads as a number and not under the other (``0,35``, ``1.234,5``: ","; ``0.35``, ``1,234.5``: "."), when
    only one such mark is found; otherwise "" (each cell's own: :func:`_plain_number`)."""
    only = {m for c in cells for m, o in ((",", "."), (".", ",")) if _plain_number(c, m) is not None
            and _plain_number(c, o) is None}
    return only.pop() if len(only) == 1 else ""


def long_csv_reading(path) -> tuple[str, str]:
    """``(text, note)``: the change table at ``path`` (a ``long.csv``) as the UTF-8, comma-separated CSV text
    `facemetrics batch` writes, and what was read otherwise, "" for such a table.  A table separated by semicolons
    or tabs (a spreadsheet's CSV save in a language whose decimal mark is a comma; Excel's ``sep=;`` line too), its
    decimal commas in the number columns (``0,35``: :data:`_NUMBER_COLUMNS`) read as points, and one in
    Windows-1252 / Mac Roman / Latin-1 (:func:`_long_decoded`, the manifest reader's detection) is read, and
    ``note`` says so (``timeline`` prints it on stderr).  Call it on a table :func:`long_csv_problem` does not
    refuse (a refused one's text is "")."""
    import csv

    from .discover import _ENCODING_WORDS

    why, text, sep, encoding = _long_decoded(path)
    end = "" if why else _end_note(path, text, sep)
    if why or (sep == "," and not encoding):
        return text, end
    commas, grouped = 0, []
    if sep != ",":
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
        header = [h.strip() for h in rows[0]] if rows else []
        commas, grouped = _read_numbers(rows, [i for i, h in enumerate(header) if h in _NUMBER_COLUMNS],
                                        first=2 + _sep_line(path))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        text = out.getvalue()
    how = [f"read as {_ENCODING_WORDS.get(encoding, encoding)}"] if encoding else []
    if sep != ",":
        name = "semicolons" if sep == ";" else "tabs" if sep == "\t" else repr(sep)
        how.append(f"its columns separated by {name}" + (f" and its {commas} decimal comma{'s' * (commas != 1)} "
                                                          "read as decimal points" if commas else ""))
    if grouped:
        row, col, cell, read = grouped[0]
        n = len(grouped)
        how.append(f"{n} number{'s' * (n != 1)} written with a thousands separator read as such (row {row}'s {col} "
                   f"{cell.strip()} as {read})")
    return text, (f"{Path(path)} is not the UTF-8, comma-separated CSV `facemetrics batch` writes (a spreadsheet "
                  f"saved it): {', '.join(how)}; if a name or a number reads wrong, save it as CSV UTF-8 (Comma "
                  "delimited) with points as decimal marks, or run `facemetrics batch` again" + (f". {end}" if end else ""))


def _sep_line(path) -> int:
    """The spreadsheet rows above the table's header that :func:`_long_decoded` drops: Excel's ``sep=;`` line and
    any blank lines below it (1 for the line alone, so the header is the spreadsheet's row 2), 0 without that
    line.  The blank lines were not counted, so a row was named one too high for each (review r3, stop 66)."""
    from .discover import csv_separator

    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8-sig", "replace")
    first = _first_line(head)
    if not csv_separator(first)[1]:
        return 0
    rest = head[len(first):]
    return len(re.findall(r"\r\n|\r|\n", rest[:len(rest) - len(rest.lstrip("\r\n"))]))


def _read_numbers(rows: list[list[str]], cols: list[int], first: int = 2) -> tuple[int, list[tuple[int, str, str, str]]]:
    """Rewrite, in place, the cells of ``rows`` (a table's rows, the header first) in the columns ``cols`` that read
    as numbers in the table's decimal mark (:func:`_decimal_mark`) as Python reads a number (``0,35`` -> ``0.35``,
    ``1.234,5`` -> ``1234.5``); others are left as written.  ``(commas, grouped)``: how many decimal commas were read
    as points, and ``(row, column, cell, read)`` of each cell whose thousands separator was dropped (rows counted
    as a spreadsheet does: ``first`` the number of ``rows[1]``, 2 below the header, 3 below Excel's ``sep=;`` line
    too; it was 2 after that line as well: stop 66, k3)."""
    mark = _decimal_mark([r[i] for r in rows[1:] for i in cols if i < len(r)])
    commas, grouped = 0, []
    for n, row in enumerate(rows[1:], start=first):
        for i in cols:
            read = _plain_number(row[i], mark) if i < len(row) else None
            if read is None or read == row[i]:
                continue
            commas += mark == "," and "," in row[i]
            if _NUMBER_FORMS[mark or ("," if "," in row[i] else ".")].fullmatch(row[i])["int"]:
                grouped.append((n, rows[0][i].strip(), row[i], read))
            row[i] = read
    return commas, grouped


def _cut_short(path: Path, text: str, header: list[str], sep: str = ",") -> str:
    """Why the change table ``text`` (of the file ``path``, its ``header`` parsed) looks cut short (a download or
    copy that stopped), or "": a quoted field is never closed, or the text ends without a line end (NUL bytes
    at the end aside) and its last row has fewer fields than the header or the table is one facemetrics wrote
    (it has the ``facemetrics_version`` column and ends every row with a line end) and its last row's version is
    none of the other rows' (a cut inside it: ``0.2.4`` of ``0.2.42``; a whole last row without its line end is
    read, as a spreadsheet's CSV save may drop it: review of stop 64; a cut exactly at a row's end is then
    not told from it; a table's only row is read when its version is whole, :func:`_whole_version`, stop 65).  A hand-made table may end
    without a line end; a short last row that ends with one is read as before (its missing fields blank).
    Refused rather than fitted: the rows after the cut are lost as well, and how many cannot be told, so a fit
    of the rest would read as the whole study's."""
    import csv
    import io

    from ..ledger import written_by

    body = text.rstrip("\0\r\n\t ")  # NUL bytes and blank lines at the end are no cut
    if not body or "\n" not in body:
        return ""
    remedy = ": the file was cut short (an incomplete download or copy) and the rows after the cut are lost too: " \
             "copy it again, or run `facemetrics batch` again"
    try:
        rows = list(csv.reader(io.StringIO(body), strict=True, delimiter=sep))
    except csv.Error as exc:  # a quote opened and never closed; other stray quotes are read as pandas reads them
        if "end of data" in str(exc):
            return f"{path} ends inside a quoted value{remedy}"
        rows = list(csv.reader(io.StringIO(body), delimiter=sep))
    ended = text.rstrip("\0\t ").endswith(("\n", "\r"))  # as ``body``: spaces after the last line end, CR line ends
    if ended:  # a short last row that ends with a line end is a hand edit (its blanks read as such), not a cut
        return ""
    if len(rows[-1]) < len(header):
        return (f"{path} ends in the middle of a row (its last line has {len(rows[-1])} of the {len(header)} "
                f"columns){remedy}")
    if "facemetrics_version" in header:
        col = header.index("facemetrics_version")
        seen = {r[col].strip() for r in rows[1:-1] if len(r) > col}
        last = rows[-1][col].strip()
        if last in seen or (not seen and _whole_version(last, written_by(path)) is not False):  # a whole
            return ""  # last row: a spreadsheet's save that drops the last line end (None: cannot tell, read and said)
        return (f"{path} ends in the middle of its last row (a table facemetrics writes ends with a line end)"
                f"{remedy}")
    return ""


def _whole_version(text: str, written_by: str = "") -> bool | None:
    """Is ``text`` (the ``facemetrics_version`` of a change table's only row, which lacks its line end) a whole
    version number rather than one cut short?  ``written_by``: the version the folder's ledger
    (:mod:`facemetrics.ledger`) says wrote the table, "" when it has none (a folder copied without it).

    True when ``text`` is ``written_by``, or reads ``MAJOR.MINOR.PATCH`` and no version up to the running one begins
    with it (``0.2.41``, ``0.2.9``, ``0.3.0``; not ``0.2.4``, which ``0.2.40`` to ``0.2.42`` begin with, nor
    ``0.2``); False when it does not read so, is the start of ``written_by``, or a version of the running minor
    release up to the running one begins with it; None (cannot be told) for a version of an earlier minor release
    whose patch is not 0: that release's last patch is not known here (``0.2.41`` read by 0.3.x: 0.2.410 would
    begin with it).  None is read as whole, with a note (:func:`_end_note`): a refusal of a whole table leaves
    nothing to do but run the batch again, and the note says what to do if it was cut (stop 66, k3: it was
    refused as cut short).  A one-row table (a subject's single comparison) saved by a spreadsheet that drops the
    last line end was refused as cut short: its version had no other row's to match (stop 65, k3)."""
    from .._version import __version__

    if written_by and text == written_by:
        return True
    found = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text)
    if not found or (written_by and written_by.startswith(text)):
        return False
    running = tuple(int(x) for x in re.findall(r"\d+", __version__)[:3])
    if found[3] == "0":  # X.Y.0: no version number begins with it (X.Y.0N is none; review r3: it read as cut)
        return True
    if (int(found[1]), int(found[2])) < running[:2]:  # an earlier minor release: its last patch is not known
        return None
    return (int(found[1]), int(found[2]), int(found[3] + "0")) > running  # the least version that extends it


def _end_note(path: Path, text: str, sep: str) -> str:
    """What `timeline` says of a change table read whole though it cannot tell (:func:`_whole_version` None): its
    only row lacks its line end and its version is of an earlier minor release; "" otherwise."""
    import csv

    from ..ledger import written_by

    if text.rstrip("\0\t ").endswith(("\n", "\r")):
        return ""
    rows = [r for r in csv.reader(io.StringIO(text.rstrip("\0\r\n\t "), newline=None), delimiter=sep) if r]
    header = [h.strip() for h in rows[0]] if rows else []
    if len(rows) != 2 or "facemetrics_version" not in header or len(rows[1]) < len(header):
        return ""
    last = rows[1][header.index("facemetrics_version")].strip()
    if _whole_version(last, written_by(path)) is not None:
        return ""
    return (f"{Path(path)}'s only row ends without a line end and was written by facemetrics {last}, an earlier "
            "release whose last version is not known here, so whether the file was cut short inside that version "
            "cannot be told: read as whole; if it was copied or downloaded and the copy stopped, copy it again")


def _read_long(path: Path) -> pd.DataFrame:
    """A batch's ``long.csv`` (or its regimen batch's ``regimen/long.csv``) at ``path``, refused when
    it was written by facemetrics (it has the ``facemetrics_version`` column) but has lost its
    ``verdict`` column: the fits leave the ``uncertain`` rows out only by that column, so an edited
    table would be fitted whole without a word (audit).  A hand-made table without either column is
    read as it is.

    Raises
    ------
    SeriesError
        The table has ``facemetrics_version`` but no ``verdict`` column, or is no change table
        (:func:`long_csv_problem`; the message names ``path``).
    """
    from ..decay import SeriesError

    if why := long_csv_problem(path):
        raise SeriesError(why)
    text, _ = long_csv_reading(path)  # semicolons, decimal commas, Windows-1252: read (stop 64 g4)
    # the text read, not the file: Excel's "sep=," line above a comma table is left out of it (read from the
    # file it was taken for the header: KeyError 'unit', a traceback; stop 66, k3)
    table = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], dtype=_TEXT)  # "007" is not 7
    rows = _spreadsheet_rows(text, 1 + _sep_line(path))
    if len(rows) == len(table):  # each row labelled by its spreadsheet row: the fits' messages name it so
        table.index = pd.Index(rows)
    if "facemetrics_version" in table.columns and "verdict" not in table.columns:  # an edited batch output
        raise SeriesError(f"{path} was written by facemetrics but has lost its verdict column: without it the "
                          "comparisons that read 'uncertain' cannot be left out of the fits (restore the "
                          "column, or run `facemetrics batch` again)")
    return table


def _spreadsheet_rows(text: str, header: int = 1) -> list[int]:
    """The row numbers, as a spreadsheet shows them, of the rows pandas reads from the CSV ``text`` below its
    header (the spreadsheet's row ``header``: 1, or 2 below Excel's ``sep=;`` line): a quoted value holding line
    breaks is one row, a blank line (or one of spaces and tabs alone: review r3, it made the count differ from
    pandas' rows, so every row was named by its position again) a row pandas skips.  The decay fits name a row by
    its label (:func:`facemetrics.decay.inputs._numbers`): they named its position counted from 0 (stop 66, k3)."""
    import csv

    records = list(csv.reader(io.StringIO(text, newline=None)))  # CR line ends too (an old Mac save)
    read = [bool(r) and (len(r) > 1 or bool(r[0].strip())) for r in records]
    first = next((i for i, r in enumerate(read) if r), len(records))
    return [header + i - first for i, r in enumerate(read) if i > first and r]


def _regimen_rows(batch_dir: Path, metrics, sides, *, min_effect, n_boot, seed, flow=()):
    """Cumulative change over days from ``batch_dir/regimen/long.csv``: ``(table, note, levels, checks)``.

    ``table`` is None when the regimen batch was not run (or compared nothing of ``metrics``);
    ``note`` is :func:`facemetrics.report.regimen_no_fit_note`'s sentence when
    it compared pre-session photos but none can be fitted (every one ``uncertain`` or without a value),
    else ""; ``levels`` the rows fitted, None without a fit (no ``regimen.png``: :func:`run_timeline` then removes
    an earlier run's; :meth:`TimelineFits.figure_files` draws it from ``levels`` and ``table``).  Same metric/side
    selection as the decay fits.  ``flow``: the regimen comparisons fitted with the gate's flow warning; a series
    whose flow-only photo stands out from the line of the others, and whose verdict without it differs, reads
    ``inconclusive`` (:func:`facemetrics.decay.regimen_flow.regimen_flow_read`, docs/validation.md §18);
    ``checks`` its checks (() without a fit)."""
    from ..decay import analyze_regimen
    from ..decay.regimen_flow import regimen_flow_read

    path = batch_dir / REGIMEN_DIR / "long.csv"
    lv = _read_long(path) if path.is_file() else None
    if lv is None or lv.empty:  # no regimen batch (any more): no figure (run_timeline removes an earlier run's;
        return None, "", None, ()  # timeline -o into the folder of a batch with one kept it)
    lv["unit"] = lv["unit"].fillna("")
    has_mean = set(lv.loc[lv["side"] == "mean", "metric"])
    side_ok = lv["side"].isin(list(sides)) | (~lv["metric"].isin(has_mean) & lv["side"].isin(["right", "left"]))
    chosen = lv[lv["metric"].isin(list(metrics)) & side_ok]
    lv = chosen[np.isfinite(pd.to_numeric(chosen["value"], errors="coerce"))]
    reg = analyze_regimen(lv, min_effect=min_effect, n_boot=n_boot, seed=seed) if len(lv) else None
    if reg is None or reg.empty:  # nothing usable: every level 'uncertain' or without a value: no fit, no figure
        return reg, _no_fit_note(chosen, lv), None, ()
    reg, checks = regimen_flow_read(reg, lv, flow, min_effect=min_effect, n_boot=n_boot, seed=seed)
    return reg, "", lv, checks


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


def second_reads(batch_dir, changes: list[dict] | None = None) -> tuple[tuple[str, str], ...]:
    """``(photo, treated_at)`` of the changes of the batch in ``batch_dir`` that are a session's before photo read
    as the previous session's photo at that time (:func:`facemetrics.batch.tables.next_before_rows` of its
    ``photos.csv`` and ``changes.csv``; ``changes``: its :func:`_change_records` when already read); () when none or
    unreadable."""
    from .tables import next_before_rows

    try:
        photos = pd.read_csv(Path(batch_dir) / "photos.csv", keep_default_na=False, dtype=_TEXT, usecols=["photo", "role"])
    except (OSError, ValueError):
        return ()
    changes = _change_records(batch_dir) if changes is None else changes
    rows = next_before_rows(changes or [], photos.to_dict("records"))
    return tuple((str(r.get("photo")), str(r.get("treated_at") or "").strip()) for r in rows)


def next_before_text(batch_dir, changes: list[dict] | None = None) -> str:
    """:func:`facemetrics.batch.tables.next_before_note` of the batch in ``batch_dir`` (its ``photos.csv`` and
    ``changes.csv``; ``changes``: its :func:`_change_records` when already read); "" when none or unreadable."""
    from .tables import next_before_note

    try:
        photos = pd.read_csv(Path(batch_dir) / "photos.csv", keep_default_na=False, dtype=_TEXT, usecols=["photo", "role"])
    except (OSError, ValueError):
        return ""
    changes = _change_records(batch_dir) if changes is None else changes
    return next_before_note(changes or [], photos.to_dict("records"))


def timeline_report(table: pd.DataFrame, batch_dir, regimen_note: str = "", uncertain_notes: list[str] | None = None,
                    follow_on_notes: list[str] | None = None, expression_notes: list[str] | None = None,
                    before_notes: list[str] | None = None, next_before: str | None = None,
                    light_notes: list[str] | None = None) -> str:
    """``report.md`` of a timeline table: reads ``batch_dir/photos.csv`` for the
    photos left out; the text is :func:`facemetrics.report.timeline_markdown`'s (``regimen_note`` its
    ``## Regimen`` note when there are no regimen rows), followed by
    the sessions whose before photos disagree (from ``batch_dir/changes.csv``'s messages,
    :func:`facemetrics.batch.tables.disagreement_notes`; each says whether the fits left it out).
    ``## Photos excluded`` lists the comparisons left out of the fits as ``uncertain``, with their
    reasons (:func:`_uncertain_notes` of both batches: ``uncertain_notes`` when the caller has them; a photo that is
    the same picture as its before photo among them, once: it had a section of its own too until stop 55), and
    the follow-on sessions the decay fits left out (``follow_on_notes``, :func:`facemetrics.report.follow_on_notes`
    of the fits' ``SeriesResult.follow_on``; none when not given: the table alone does not hold them).
    ``## Comparisons kept in the fits with a warning`` lists those fitted although the expression may differ
    (:func:`_expression_kept_notes` of both batches: ``expression_notes`` when the caller has them), then those
    whose fold rows were fitted although the lighting differs (:func:`~facemetrics.batch.fit_notes.light_kept_notes` of both: ``light_notes``).
    ``## Before photos to retake`` lists the before photos every after photo of their session differs from
    (``before_notes``: :attr:`facemetrics.batch.series_read.SeriesReading.before_notes`; none when not given).
    The changes that are a next session's before photo read also as the earlier session's photo are said under the
    figures (``next_before``: :func:`next_before_text`, read here when None)."""
    from .tables import disagreement_notes

    try:
        photos = pd.read_csv(Path(batch_dir) / "photos.csv", keep_default_na=False, dtype=_TEXT)
    except (OSError, ValueError):
        photos = None
    changes = _change_records(batch_dir)
    regimen = None
    if uncertain_notes is None or expression_notes is None or light_notes is None:  # the regimen's, read once
        regimen = _change_records(Path(batch_dir) / REGIMEN_DIR)
    if uncertain_notes is None:
        uncertain_notes = _uncertain_notes(table, changes, regimen)
    if expression_notes is None:
        expression_notes = _expression_kept_notes(table, changes, regimen)
    if light_notes is None:
        light_notes = _kept_of_both(light_kept, changes, regimen, _fitted_columns(table))
    if next_before is None:
        next_before = next_before_text(batch_dir, changes)
    text = timeline_markdown(table, photos, regimen_note, left_out=uncertain_notes, follow_on=follow_on_notes or (),
                             kept=expression_notes, before=before_notes or (), next_before=next_before,
                             light=light_notes)
    if changes is None:
        return text
    notes = disagreement_notes(changes)
    if notes:
        text += "\n## Sessions whose before photos disagree\n\n" + "".join(f"- {n}\n" for n in notes)
    return text
