"""The app's roles and times against the batch's (stop 44's audit, left items): the same photos with the same
capture times and treatment time are paired and timed alike, and the app's photos.csv names the roles with the
batch's words (``baseline`` / ``post``), as :class:`streamlit.testing.v1.AppTest` tests and tests of ``app.py``'s
pure helpers.

The case: photos at 08:00, 08:04 and 10:00 (and the next day), a treatment at 08:02.  The batch (``treated_at``
08:02) compares the 08:04 photo as an 'after' photo at +2 min; the app, which had no treatment time, made it a
second 'before' photo (a retake less than 5 min after the first, ``decay.claim.SAME_PHOTO_TIME_H``): a repeat whose
change after the treatment entered every noise floor, and every hour 2 min off the batch's.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from PIL import Image

from conftest import app_module, spy_downloads

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLES = ROOT / "sample_images"

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from facemetrics import uploads

TREATED = "2026-11-02T08:02"
TAKEN = {"a.jpg": "2026-11-02T08:00", "b.jpg": "2026-11-02T08:04", "p.jpg": "2026-11-02T10:00",
         "q.jpg": "2026-11-03T08:00"}


def _stand_in(name: str, taken: str):
    from facemetrics.timekeys import parse_time

    return SimpleNamespace(name=name, ok=True, photo=SimpleNamespace(sha256=name * 4, taken_at=parse_time(taken)),
                           quality=SimpleNamespace(flags=()), calibration=None)


def _batch_rows(taken: dict, treated_at: str) -> tuple[list[dict], list]:
    """The batch's photos.csv rows of photos measured 'ok' at ``taken`` times, and its comparisons
    (``tables._comparison_jobs``: ``[(row, baseline rows)]``)."""
    from facemetrics.batch.discover import PhotoEntry
    from facemetrics.batch.tables import _comparison_jobs, _table_row

    rows = [_table_row(PhotoEntry(Path(n), n, subject="you", treatment="rf", treated_at=treated_at),
                       {"status": "ok", "error": "", "taken_at": t, "sha256": n * 4}) for n, t in taken.items()]
    return rows, _comparison_jobs(rows)


def _app_pairs(roles: pd.DataFrame, by_name: dict) -> list[tuple]:
    pairs = app_module().pairs_of(roles, by_name)
    return sorted((p.after.name, tuple(a.name for a in (p.before, *p.repeats)), round(p.hours_since_treatment, 4),
                   "baseline" if p.no_change else "post") for p in pairs.values())


def test_with_a_treatment_time_the_app_pairs_and_times_the_photos_as_the_batch():
    app = app_module()
    analyses = [_stand_in(n, t) for n, t in TAKEN.items()]
    by_name = {a.name: a for a in analyses}
    _, jobs = _batch_rows(TAKEN, TREATED)
    batch = sorted((r["photo"], tuple(b["photo"] for b in base), round(r["hours_since_treatment"], 4), r["role"])
                   for r, base in jobs)
    assert batch[0] == ("b.jpg", ("a.jpg",), round(2 / 60, 4), "post")
    # without a treatment time: the app's own rule (b.jpg a retake of a.jpg; hours from a.jpg), not the batch's
    untimed = app.default_roles(analyses, "rf").set_index("photo")
    assert untimed.loc["b.jpg", "role"] == "before" and _app_pairs(untimed.reset_index(), by_name) != batch
    # with it: the batch's roles and hours, so pairing.pair_photos is called with the same inputs
    roles = app.default_roles(analyses, "rf", TREATED)
    assert list(roles["role"]) == ["before", "after", "after", "after"]
    assert _app_pairs(roles, by_name) == batch
    # a name says 'after' but the time says before: the time decides, as in the batch
    renamed = {("a_after.jpg" if n == "a.jpg" else n): t for n, t in TAKEN.items()}
    roles = app.default_roles([_stand_in(n, t) for n, t in renamed.items()], "rf", TREATED).set_index("photo")
    assert roles.loc["a_after.jpg", "role"] == "before"
    # a photo dated years away: 'ignore', with the batch's reason (pairing.too_late)
    far = app.default_roles([*analyses, _stand_in("late.jpg", "2031-01-01T00:00")], "rf", TREATED)
    assert far.set_index("photo").loc["late.jpg", "role"] == "ignore"
    assert far.attrs["too_early"]["late.jpg"].startswith("taken 4.2 years after the treatment")


def test_the_apps_photos_csv_names_roles_with_the_batchs_words():
    """The batch's photos.csv says ``baseline`` / ``post``; the app's said nothing of roles (its page says
    before / after).  Now its photos.csv carries the batch's columns and words for the same photos."""
    from facemetrics.schema import BATCH_COLUMNS, PHOTO_COLUMNS

    app = app_module()
    analyses = [_stand_in(n, t) for n, t in TAKEN.items()]
    rows, _ = _batch_rows(TAKEN, TREATED)
    roles = app.default_roles(analyses, "rf", TREATED)
    table = app.photos_table([dict(photo=a.name, status="ok") for a in analyses], roles, TREATED)
    assert list(table.columns) == PHOTO_COLUMNS + BATCH_COLUMNS
    assert dict(zip(table["photo"], table["role"])) == {r["photo"]: r["role"] for r in rows}
    assert set(table["role"]) == {"baseline", "post"}
    assert dict(zip(table["photo"], table["hours_since_treatment"].round(4))) == \
        {r["photo"]: round(r["hours_since_treatment"], 4) for r in rows}
    # 'ignore' is no role; the row says why
    roles.loc[roles["photo"] == "q.jpg", "role"] = "ignore"
    q = app.photos_table([dict(photo="q.jpg", status="ok")], roles).iloc[0]
    assert q["role"] == "" and "'ignore'" in q["excluded"] and q["treated_at"] == ""


def test_a_refused_treatment_time_is_said_and_not_used():
    app = app_module()
    assert app.treatment_time_text("") == ("", "")
    assert app.treatment_time_text(" 2026-11-02 08:02 ") == ("2026-11-02T08:02:00", "")
    assert app.treatment_time_text("2026-11-02 9am") == ("2026-11-02T09:00:00", "")  # read since stop 46
    for text, said in (("2026-11-02 13:00 PM", "if 13:00 was meant: 2026-11-02T13:00"),
                       ("2026-11-02", "has no time of day")):
        iso, why = app.treatment_time_text(text)
        assert iso == "" and said in why, why


def _jpeg_taken_at(path: Path, when: str) -> bytes:
    """The photo re-saved as a JPEG whose EXIF DateTimeOriginal is ``when`` ("YYYY:MM:DD HH:MM:SS")."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when
    buf = io.BytesIO()
    Image.open(path).convert("RGB").save(buf, "JPEG", quality=93, exif=exif.tobytes())
    return buf.getvalue()


@pytest.mark.usefixtures("no_timeline_figures")
def test_the_app_and_the_batch_on_the_same_photos_and_treatment_time_give_one_photos_csv_role(monkeypatch, tmp_path):
    """Three photos (08:00, 08:04, 10:00; treatment 08:02) uploaded with the treatment time typed, and given to
    ``facemetrics batch`` with that treated_at.txt: the app's roles table makes the 08:04 photo 'after' at
    +2 min, and its photos.csv names each photo's role and hours as the batch's photos.csv does."""
    from facemetrics.batch import run_batch

    times = {"a.jpg": ("astronaut_before.jpg", "2026:11:02 08:00:00"),
             "b.jpg": ("astronaut_before.jpg", "2026:11:02 08:04:00"),
             "c.jpg": ("astronaut_after.jpg", "2026:11:02 10:00:00")}
    files = {n: _jpeg_taken_at(SAMPLES / src, when) for n, (src, when) in times.items()}
    got = spy_downloads(monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    at.file_uploader[0].set_value([(n, d, "image/jpeg") for n, d in files.items()])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="treated_at").set_value("2026-11-02 08:02").run()
    assert not at.exception, [e.value for e in at.exception]
    (editor,) = [e for e in at.expander if "Which photos are 'before'" in str(e.label)]
    assert any("count from the treatment time above" in str(c.value) for c in editor.caption)
    app_csv = pd.read_csv(io.BytesIO(got["photos.csv"]), dtype=str, keep_default_na=False).set_index("photo")
    assert dict(app_csv["role"]) == {"a.jpg": "baseline", "b.jpg": "post", "c.jpg": "post"}
    assert app_csv.loc["a.jpg", "treated_at"] == "2026-11-02T08:02:00"
    # the batch on the same files
    folder = tmp_path / "in" / "S01" / "rf"
    folder.mkdir(parents=True)
    for n, d in files.items():
        (folder / n).write_bytes(d)
    (folder / "treated_at.txt").write_text("2026-11-02T08:02\n")
    run_batch(tmp_path / "in", tmp_path / "out", workers=1, progress=False)
    batch_csv = pd.read_csv(tmp_path / "out" / "photos.csv", dtype=str, keep_default_na=False)
    batch_csv["photo"] = batch_csv["photo"].map(lambda p: Path(p).name)
    batch_csv = batch_csv.set_index("photo")
    assert dict(batch_csv["role"]) == dict(app_csv["role"])
    hours = {n: round(float(h), 4) for n, h in app_csv["hours_since_treatment"].items()}
    assert hours == {n: round(float(h), 4) for n, h in batch_csv["hours_since_treatment"].items()}
    assert hours["b.jpg"] == round(2 / 60, 4)


def test_with_a_treatment_time_a_before_photo_set_after_it_is_said_whatever_the_other_hours():
    """With a treatment time every hour counts from it: a photo taken after it that the user sets to 'before' is
    "labelled 'before' but taken after the treatment" even when no photo has negative hours (the default hours
    count from the first 'before' photo, where a positive hour contradicts nothing)."""
    from facemetrics.batch.tables import MSG_BEFORE_TAKEN_AFTER

    app = app_module()
    analyses = [_stand_in(n, t) for n, t in TAKEN.items() if n != "a.jpg"]  # every photo after 08:02
    roles = app.default_roles(analyses, "rf", TREATED)
    roles.loc[roles["photo"] == "b.jpg", "role"] = "before"
    assert app.hours_from(roles, "rf") == ""
    assert app.late_before_note(roles).startswith(f"b.jpg (2 min after the treatment) is {MSG_BEFORE_TAKEN_AFTER}")
    assert app.late_before_note(app.default_roles(analyses, "rf")) == ""  # no treatment time: counted from b.jpg


def test_the_list_of_comparisons_says_when_each_compared_photo_was_taken():
    """A series listed its comparisons by file names only ("rf: a.jpg → b.jpg"): which was the 24 h photo could
    not be seen.  Each now says when, in the messages' words (minutes below 1 h)."""
    app = app_module()
    analyses = [_stand_in(n, t) for n, t in TAKEN.items()]
    by_name = {a.name: a for a in analyses}
    pairs = app.pairs_of(app.default_roles(analyses, "rf", TREATED), by_name)
    assert [app.pair_label(k, p) for k, p in pairs.items()] == [
        "rf: a.jpg → b.jpg · 2 min after the treatment", "rf: a.jpg → p.jpg · 2.0 h after the treatment",
        "rf: a.jpg → q.jpg · 24.0 h after the treatment"]
    # no treatment time: from the first 'before' photo, which the label says
    pairs = app.pairs_of(app.default_roles(analyses, "rf"), by_name)
    assert app.pair_label("x", pairs["rf: a.jpg → p.jpg"]) == "x · 2.0 h after the first 'before' photo"
    assert app.pair_label("x", app.Pair(analyses[0], analyses[1])) == "x"  # no hours: the label alone


def test_with_a_treatment_time_the_apps_long_csv_carries_it_as_the_batchs():
    """The app's long.csv (the Timeline tab's rows, ``pair_long_rows``) had ``treated_at`` empty although the user
    typed a treatment time; the batch's long.csv carries its session's (``tables.long_rows(treated_at=...)``).  Now
    every row of a pair on the timeline carries the time typed, and none without one."""
    app = app_module()
    analyses = [_stand_in(n, t) for n, t in TAKEN.items()]
    by_name = {a.name: a for a in analyses}
    rows, _ = _batch_rows(TAKEN, TREATED)
    change = [dict(metric="jawline_lift_mm", side="mean", change=0.5, unit="mm", noise_floor=0.3, verdict="lifted")]
    timed = [p for p in app.pairs_of(app.default_roles(analyses, "rf", TREATED), by_name).values() if p.on_timeline]
    got = [r["treated_at"] for p in timed for r in uploads.pair_long_rows(p, change)]
    assert got and set(got) == {rows[0]["treated_at"]} == {TREATED}
    untimed = [p for p in app.pairs_of(app.default_roles(analyses, "rf"), by_name).values() if p.on_timeline]
    assert untimed and {r["treated_at"] for p in untimed for r in uploads.pair_long_rows(p, change)} <= {None, ""}
