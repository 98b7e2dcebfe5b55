"""Simulated before/after studies with known truth.

:func:`study` writes a folder of dated JPEG photos, as a real study would
produce them, in which the lower face of every photo has been lifted by a
**known** amount that follows the decay model of
:mod:`facemetrics.decay.model` (:func:`true_change` is
:func:`facemetrics.decay.model.decay_model` in the design's terms)::

    true_lift(t) = 0                                                 t < 0
    true_lift(t) = lasting + (peak - lasting) * 2 ** (-t / half_life)  t >= 0

(``peak`` is the lift just after treatment, ``lasting`` the part that never
fades).  Every photo also gets small independent nuisance jitter (in-plane
roll, scale, brightness, sensor noise, JPEG compression) so that the
measurement has to see through the kind of variation real repeat photos have.

Honesty note: the "subjects" are made from the base photo(s) given; with a
single base photo all subjects are **the same face** with different jitter
draws.  Between-subject variation of anatomy and of treatment response is
therefore absent; the study tests the measurement and the statistics, not
biology.

Layout written into ``out_dir`` (also valid for the folder convention of
:mod:`facemetrics.batch`)::

    out_dir/manifest.csv
    out_dir/<subject>/<treatment>/treated_at.txt
    out_dir/<subject>/<treatment>/<subject>_<treatment>_<NN>_<hours>h.jpg
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from PIL import Image

from ._version import __version__
from .analyze import analyze_photo
from .batch.runner import whole_count
from .batch.tables import change_column, long_rows
from .compare import compare_photos, says_same_picture
from .decay.model import decay_model
from .errors import SettingError
from .export import check_output_folder, write_csv
from .ledger import LEDGER_NAME
from .outputs import OverwriteRefused, refuse_foreign_outputs
from .loader import load_photo
from .schema import LONG_COLUMNS
from .simulate import DEFAULT_JITTER, encode_png, head_pose, lifted_image, photo_jitter

__all__ = ["DEFAULT_DESIGN", "DEFAULT_JITTER", "DEFAULT_POSE", "StudyInfo", "design_photos", "refuse_foreign_study",
           "study", "true_change"]

#: the issue's design: microcurrent 2 mm peak fading with a 3 h half-life;
#: RF 1.5 mm that lasts (times in hours since treatment)
DEFAULT_DESIGN = {
    "microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0,
                         times_h=[-0.5, 0.25, 0.5, 1, 2, 4, 8, 12, 24, 48]),
    "rf": dict(peak_mm=1.5, half_life_h=24.0, lasting_mm=1.5,
               times_h=[-0.5, 1, 6, 24, 48, 96, 168, 336]),
}

#: hand-held selfie variation per photo (3-D re-rendering, :func:`facemetrics.simulate.head_pose`):
#: Gaussian head pitch and yaw (SD, deg) and camera distance (mean, SD, mm; clipped to 30-60 cm)
DEFAULT_POSE = dict(pitch_sd_deg=1.5, yaw_sd_deg=2.0, camera_mm=450.0, camera_sd_mm=50.0)

_START = datetime(2026, 11, 2, 8, 0, 0)


def true_change(t_h, peak_mm: float, half_life_h: float, lasting_mm: float = 0.0):
    """True lift (mm) ``t_h`` hours after treatment (0 before treatment).

    The decay model :func:`facemetrics.decay.model.decay_model` with
    ``lasting = lasting_mm`` and ``transient = peak_mm - lasting_mm``; a
    float for a scalar ``t_h``, else an array of ``t_h``'s shape.
    """
    return decay_model(t_h, lasting_mm, peak_mm - lasting_mm, half_life_h)


def design_photos(design: dict | None = None) -> list[tuple[str, float, float]]:
    """``(treatment, hours_since_treatment, true_lift_mm)`` of every photo of one subject of ``design``.

    Treatments in sorted order, times as the design lists them; default
    :data:`DEFAULT_DESIGN`.  The truth each photo of :func:`study` is lifted by.
    """
    design = DEFAULT_DESIGN if design is None else design
    return [(treatment, float(t), float(true_change(t, spec["peak_mm"], spec["half_life_h"],
                                                   spec.get("lasting_mm", 0.0))))
            for treatment, spec in sorted(design.items()) for t in spec["times_h"]]


@dataclass
class StudyInfo:
    """What :func:`study` wrote.

    Attributes
    ----------
    folder : Path
        The study folder (photos and ``manifest.csv``).
    manifest : Path
    table : pandas.DataFrame
        The manifest as written (with truth columns).
    """

    folder: Path
    manifest: Path
    table: pd.DataFrame


def _lift(analysis, mm: float) -> np.ndarray:
    if abs(mm) < 1e-9:
        return analysis.photo.rgb.copy()
    return lifted_image(analysis, mm, side="both")  # lift's image without its truth (unused here)


def _posed(analysis, rgb: np.ndarray, rng: np.random.Generator, pose: dict) -> tuple[np.ndarray, dict]:
    """Re-render at a random head pose and camera distance (no change of the skin)."""
    if not pose:
        return rgb, {}
    pitch = float(rng.normal(0.0, pose.get("pitch_sd_deg", 0.0)))
    yaw = float(rng.normal(0.0, pose.get("yaw_sd_deg", 0.0)))
    d0 = float(pose.get("camera_mm", 450.0))
    cam = float(np.clip(rng.normal(d0, pose.get("camera_sd_mm", 0.0)), 300.0, 600.0))
    out = head_pose(analysis, pitch, yaw, 0.0, image=rgb, camera_mm=d0, camera_to_mm=cam).image
    return out, {"pose_pitch_deg": pitch, "pose_yaw_deg": yaw, "camera_mm": cam}


def _save_jpeg(rgb: np.ndarray, path: Path, taken_at: datetime, quality: int) -> None:
    img = Image.fromarray(rgb)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken_at.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality), exif=exif)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def _hours_tag(t: float) -> str:
    s = f"{t:+g}".replace(".", "p").replace("+", "p").replace("-", "m")
    return s


def _base_analysis(photo, max_side: int, name: str):
    """The analysis of a base photo downscaled to at most ``max_side`` px (long side, area average)."""
    rgb = load_photo(photo).rgb
    h, w = rgb.shape[:2]
    f = min(1.0, max_side / max(h, w))
    if f < 1.0:
        rgb = cv2.resize(rgb, (int(round(w * f)), int(round(h * f))), interpolation=cv2.INTER_AREA)
    ana = analyze_photo(encode_png(rgb), name=name)
    if not ana.ok:
        raise ValueError(f"base photo {name} cannot be measured: {ana.error}")
    return ana


def example_series(base_photo, *, design: dict | None = None, max_side: int = 800,
                   records_out: list | None = None) -> pd.DataFrame:
    """The tidy changes table of one simulated subject, without photo nuisances.

    Each photo of :func:`design_photos` is the base photo lifted by its true
    change (:func:`facemetrics.simulate.lift`) and compared with the unlifted
    photo by :func:`facemetrics.compare.compare_photos`; unlike :func:`study`,
    no pose or jitter is added, so it takes seconds (the app's example
    timeline).  A photo whose pixels would be the base photo's (no change:
    the before photos, ``t < 0``; or a change too small to move a pixel: the
    microcurrent's 48 h photo) is the base photo with :func:`study`'s photo
    jitter instead (:func:`facemetrics.simulate.photo_jitter`,
    :data:`DEFAULT_JITTER`, seed 0, one draw per such photo): another picture
    of the same face, so its row is a measured change of about 0.  The base
    photo itself would be the same picture, 0 by construction, which the fits
    leave out (:func:`facemetrics.batch.long_rows`).  So would a photo whose change
    moves its pixels by a few hundredths of a pixel (the microcurrent's 24 h
    photo, 0.008 mm): its comparison reads it a re-saved copy of the base photo
    (:func:`facemetrics.compare.says_same_picture`), so it is jittered too; without
    it the example had no photo near 24 h, whose claim is not judged
    (:data:`facemetrics.decay.near_claim.FAR_FROM_CLAIM_H`).

    Parameters
    ----------
    base_photo : path-like or bytes
        A frontal face photo.
    design : dict, optional
        As in :func:`study`; default :data:`DEFAULT_DESIGN`.
    max_side : int
        Long side [px] the base photo is first reduced to, as in :func:`study`.
    records_out : list, optional
        Given: each comparison is appended to it as ``changes.csv`` has it (``subject``, ``treatment``,
        ``photo``, ``baseline_photos`` the base photo's name, ``role`` "baseline" at ``t <= 0`` else "post",
        ``hours_since_treatment`` [h], ``status``, ``messages`` "; "-joined, each row's ``<column>_verdict``),
        for the series-reading rules (:func:`facemetrics.batch.series_read.read_series`), as ``demo``'s
        batch writes them.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`facemetrics.schema.LONG_COLUMNS` (subject ``example``),
        the input of :func:`facemetrics.decay.analyze_series`.
    """
    base = _base_analysis(base_photo, max_side, "example_before.png")
    rng = np.random.default_rng(0)  # drawn only for the photos of no change, in design order
    rows = []
    for treatment, t, mm in design_photos(design):
        name = f"{treatment}_{t:g}h.png"
        rgb = _lift(base, mm)
        if np.array_equal(rgb, base.photo.rgb):  # the same picture: another one of no change instead
            rgb = photo_jitter(rgb, rng, DEFAULT_JITTER)[0]
        cmp = compare_photos(base, analyze_photo(encode_png(rgb), name=name))
        if says_same_picture(cmp.messages):  # a lift of a few hundredths of a pixel: a re-saved copy, left out
            rgb = photo_jitter(rgb, rng, DEFAULT_JITTER)[0]  # by the fits; another picture of that face instead
            cmp = compare_photos(base, analyze_photo(encode_png(rgb), name=name))
        new = long_rows(cmp, subject="example", treatment=treatment, hours_since_treatment=t, photo=name)
        rows += new
        if records_out is not None:
            records_out.append(_change_record(cmp, new, base.name, treatment, t, name))
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def _change_record(cmp, rows: list[dict], before: str, treatment: str, t: float, name: str) -> dict:
    """One comparison of :func:`example_series` as ``changes.csv`` has it (its ``records_out``)."""
    rec = dict(subject="example", treatment=treatment, photo=name, baseline_photos=before,
               role="baseline" if t <= 0 else "post", hours_since_treatment=t, status=cmp.status,
               messages="; ".join(cmp.messages))
    for r in rows:
        rec[f"{change_column(str(r['metric']), str(r['side']))}_verdict"] = r["verdict"]
    return rec


def refuse_foreign_study(out_dir, force: bool = False, command: str = "study") -> None:
    """Refuse a folder to write a simulated study into (:func:`study`) that holds a ``manifest.csv``
    facemetrics did not write (or changed since, :func:`facemetrics.outputs.refuse_foreign_outputs`), or
    files without one, unless ``force``: :func:`study` calls it before anything is written, and the commands
    that simulate studies (``validate``'s claim test, ``demo``) before any work.

    Raises
    ------
    facemetrics.outputs.OverwriteRefused
        Naming the folder or the file and the ways out; ``command`` names the command in the message."""
    out_dir = Path(out_dir)
    refuse_foreign_outputs(out_dir, ["manifest.csv"], force=force, command=command)
    if force or (out_dir / "manifest.csv").exists() or not out_dir.is_dir():
        return
    if any(p.name != LEDGER_NAME for p in out_dir.iterdir()):  # the ledger alone holds no photo
        way_out = ("give an empty or new folder" if command == "study" else
                   f"give `facemetrics {command}` another output folder (-o), move {out_dir} away")
        raise OverwriteRefused(f"will not write a simulated study into {out_dir}: it holds files but no manifest.csv "
                               f"of a simulated study (its photos could be named as the simulated ones); {way_out}, "
                               "or add --force")


def study(
    base_photos,
    out_dir,
    *,
    subjects: int = 3,
    design: dict | None = None,
    jitter: dict | None = None,
    pose: dict | None = None,
    max_side: int = 800,
    seed: int = 0,
    start: datetime = _START,
    force: bool = False,
) -> StudyInfo:
    """Write a simulated study: subjects × treatments × time points.

    Parameters
    ----------
    base_photos : path-like or list of path-like
        Real frontal face photo(s), at least one; subject ``i`` uses photo ``i % len``.
    out_dir : str or path-like
        Study folder to write.
    subjects : int
        Number of simulated subjects (``S01``, ``S02`` ...): an int (or NumPy integer), at least 1.
    design : dict, optional
        ``{treatment: dict(peak_mm, half_life_h, lasting_mm, times_h)}``;
        default :data:`DEFAULT_DESIGN`.  ``times_h`` < 0 are baseline photos.
    jitter : dict, optional
        Nuisance ranges, default :data:`DEFAULT_JITTER`.
    pose : dict, optional
        Hand-held pose and distance variation of every photo, default
        :data:`DEFAULT_POSE` (pitch SD 1.5 deg, yaw SD 2 deg, camera 45 cm, SD
        5 cm); ``{}`` for none.
    max_side : int
        The base photo is first downscaled so its long side is at most this
        many pixels (speed; the face stays well above the 150 px minimum).
    seed : int
        Seed of every random draw: the same arguments write the same files.
    start : datetime
        Treatment time of subject 1's first session; each treatment session
        of a subject starts 30 days after the previous one, subjects 1 day apart.
    force : bool
        Write into ``out_dir`` even when it holds files facemetrics did not write (below).

    Returns
    -------
    StudyInfo
        The manifest (``photo, subject, treatment, taken_at, treated_at``
        plus truth: ``hours_since_treatment``, ``true_lift_mm``,
        ``peak_mm``, ``half_life_h``, ``lasting_mm``, ``base_photo`` and the
        jitter drawn).

    Raises
    ------
    facemetrics.errors.SettingError
        ``base_photos`` is empty, ``subjects`` is not a whole number of at least 1, or
        ``out_dir`` (or a parent) is a file: before anything is written.
    facemetrics.outputs.OverwriteRefused
        ``out_dir`` holds a ``manifest.csv`` facemetrics did not write, or files but no ``manifest.csv``
        (a real study's photos could be named as the simulated ones), and not ``force``: before anything
        is written.  A folder an earlier run wrote (its ``manifest.csv`` has the ``facemetrics_version``
        column) is written again.
    """
    design = DEFAULT_DESIGN if design is None else design
    jitter = DEFAULT_JITTER if jitter is None else jitter
    pose = DEFAULT_POSE if pose is None else pose
    if isinstance(base_photos, (str, Path)):
        base_photos = [base_photos]
    base_photos = [Path(p) for p in base_photos]
    if not base_photos:  # gave a ZeroDivisionError at the first subject
        raise SettingError("base_photos is empty: give at least one frontal face photo")
    subjects = whole_count(subjects, "subjects")
    out_dir = check_output_folder(out_dir)
    refuse_foreign_study(out_dir, force)
    out_dir.mkdir(parents=True, exist_ok=True)

    bases = [(p, _base_analysis(p, max_side, p.name)) for p in base_photos]

    rng = np.random.default_rng(seed)
    records = []
    for s in range(subjects):
        subj = f"S{s + 1:02d}"
        base_path, ana = bases[s % len(bases)]
        for k, (treatment, spec) in enumerate(sorted(design.items())):
            treated_at = start + timedelta(days=30 * k + s)
            sess = out_dir / subj / treatment
            sess.mkdir(parents=True, exist_ok=True)
            (sess / "treated_at.txt").write_text(treated_at.isoformat() + "\n", encoding="utf-8")
            for n, t in enumerate(spec["times_h"]):
                true = float(true_change(t, spec["peak_mm"], spec["half_life_h"], spec.get("lasting_mm", 0.0)))
                img = _lift(ana, true)
                img, posed = _posed(ana, img, rng, pose)
                img, drawn = photo_jitter(img, rng, jitter)
                drawn.update(posed)
                taken = treated_at + timedelta(hours=float(t))
                taken = taken.replace(microsecond=0)
                rel = f"{subj}/{treatment}/{subj}_{treatment}_{n:02d}_{_hours_tag(float(t))}h.jpg"
                _save_jpeg(img, out_dir / rel, taken, jitter.get("jpeg_quality", 92))
                records.append(dict(
                    photo=rel, subject=subj, treatment=treatment, taken_at=taken.isoformat(),
                    treated_at=treated_at.isoformat(), hours_since_treatment=float(t), true_lift_mm=true,
                    peak_mm=spec["peak_mm"], half_life_h=spec["half_life_h"],
                    lasting_mm=spec.get("lasting_mm", 0.0), base_photo=base_path.name, **drawn,
                ))
    table = pd.DataFrame(records)
    manifest = out_dir / "manifest.csv"
    # the version column marks the folder as facemetrics' (facemetrics.outputs): a re-run writes it again
    # entered in the folder's ledger (facemetrics.ledger): a manifest the user then edits is not written over
    # with the byte-order mark of every other CSV (export.write_csv; it had none: first-user audit, 2026-12-05)
    write_csv(table.assign(facemetrics_version=__version__), manifest)
    return StudyInfo(folder=out_dir, manifest=manifest, table=table)
