"""From measured rows to the study's tables: metadata and roles per photo, the comparisons
(:mod:`facemetrics.pairing`'s rule on these rows), the wide change columns and the long (tidy) rows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..pairing import PairingPhoto, pair_photos
from ..schema import LONG_COLUMNS, side_column
from .discover import PhotoEntry, hours_between, parse_time


def long_rows(comparison_rows: list[dict], *, subject: str, treatment: str, hours_since_treatment: float | None,
              photo: str = "", taken_at: str | None = None, treated_at: str | None = None) -> list[dict]:
    """One comparison's rows -> rows of the tidy changes table (``long.csv``).

    Parameters
    ----------
    comparison_rows : list of dict
        ``Comparison.to_frame().to_dict("records")``: one row per metric and
        side, with ``metric``, ``side``, ``change``, ``unit``, ``noise_floor``
        and ``verdict``.
    subject, treatment : str
    hours_since_treatment : float or None
        Of the after photo [h].
    photo, taken_at, treated_at : str, optional
        Provenance of the after photo.

    Returns
    -------
    list of dict
        Keys :data:`facemetrics.schema.LONG_COLUMNS`, in that order (``value``
        is the comparison's ``change``); the input of
        :func:`facemetrics.decay.analyze_series`.  The batch's ``long.csv`` and
        the app's timeline are built by this one function.
    """
    out = []
    for m in comparison_rows:
        row = {
            "subject": subject, "treatment": treatment, "hours_since_treatment": hours_since_treatment,
            "metric": m.get("metric"), "side": m.get("side"), "value": m.get("change"),
            "unit": m.get("unit") or "", "noise_floor": m.get("noise_floor"), "verdict": m.get("verdict"),
            "photo": photo, "taken_at": taken_at, "treated_at": treated_at,
        }
        out.append({c: row[c] for c in LONG_COLUMNS})
    return out


def change_column(metric: str, side: str) -> str:
    """Wide ``changes.csv`` column of a metric/side change: :func:`facemetrics.schema.side_column`.

    ``("jawline_lift_mm", "mean") -> "jawline_lift_mm"``,
    ``("jawline_lift_mm", "right") -> "jawline_lift_right_mm"``,
    ``("nlf_depth", "left") -> "nlf_depth_left"``.
    """
    return side_column(metric, side)


def _sort_key(r: dict):
    return (str(r.get("subject") or ""), str(r.get("treatment") or ""), str(r.get("taken_at") or "~"),
            str(r.get("photo") or ""))


def _table_row(e: PhotoEntry, measured: dict) -> dict:
    """A photo's ``photos.csv`` row: its measured row, the study metadata, its role
    (``baseline``/``post``, or empty with the reasons in ``excluded``).  ``_path`` is
    kept for the comparing stage (not written)."""
    r = dict(measured)
    r["photo"] = e.photo
    if e.subject:
        r["subject"] = e.subject
    r["subject"] = r.get("subject") or ""
    if not r.get("sha256"):
        r["sha256"] = e.sha256
    if e.taken_at:
        r["taken_at"] = e.taken_at
    r["taken_at"] = r.get("taken_at") or ""
    r["treatment"] = e.treatment
    r["treated_at"] = e.treated_at
    r["hours_since_treatment"] = hours_between(r["taken_at"], e.treated_at)
    r["role"] = ""
    r["excluded"] = ""
    reasons = []
    if r.get("status") != "ok":
        reasons.append(f"not measured ({r.get('status')}: {r.get('error') or ''})".strip())
    if e.note:
        reasons.append(e.note)
    if not r["taken_at"]:
        reasons.append("no capture time (no EXIF DateTimeOriginal and none in the manifest)")
    elif parse_time(r["taken_at"]) is None:
        reasons.append(f"capture time {r['taken_at']!r} is not ISO 8601")
    if e.treated_at and parse_time(e.treated_at) is None:
        reasons.append(f"treatment time {e.treated_at!r} is not ISO 8601")
    elif not e.treated_at and not e.note:
        reasons.append("no treatment time")
    if not reasons:
        r["role"] = "baseline" if r["hours_since_treatment"] < 0 else "post"
    r["excluded"] = "; ".join(reasons)
    r["_path"] = str(e.path)
    return r


def _session_key(subject: str, treatment: str, treated_at: str) -> tuple[str, str, str]:
    """One treatment session of one subject: its photos are compared with its baseline."""
    return (subject or "", treatment or "", treated_at or "")


def _comparison_jobs(photo_rows: list[dict]) -> list[tuple[dict, list[dict]]]:
    """The study's comparisons: ``[(row, baselines)]``, by :func:`facemetrics.pairing.pair_photos`.

    The photos with a role are paired within their session
    (:func:`_session_key`): every post photo with the session's baseline
    photos (the earliest as the before photo, the others as its repeats);
    with two or more baselines each baseline photo also with the others (the
    no-change check).  The rows are ``photo_rows``' own dicts; the post
    photos of a session without a baseline, and photos with the same content
    as another of their session, are marked excluded (in place).
    """
    with_role = [r for r in photo_rows if r["role"]]
    pairing = pair_photos(
        PairingPhoto(photo=r["photo"], session=_session_key(r["subject"], r["treatment"], r["treated_at"]),
                     role=r["role"], hours_since_treatment=r["hours_since_treatment"], content=r.get("sha256") or "")
        for r in with_role)
    rows = {r["photo"]: r for r in with_role}
    for name in pairing.no_baseline:
        rows[name]["excluded"] = "no baseline photo (taken before treated_at) in this session"
    for name, same_as in pairing.duplicates:
        rows[name]["excluded"] = f"same file content as {same_as} (compared once)"
    return [(rows[p.photo], [rows[b] for b in p.baselines]) for p in pairing.pairs]


def _compare_cache_file(cache: Path, r: dict, base: list[dict], skey: str) -> Path:
    ckey = hashlib.sha256(json.dumps([r["sha256"], [b["sha256"] for b in base], skey]).encode()).hexdigest()[:32]
    return cache / "compare" / f"{ckey}.json"
