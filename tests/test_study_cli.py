"""``facemetrics study add|list|report|import|delete`` end to end, on photos simulated from the
bundled sample (facemetrics.study): three daily microcurrent sessions, each with a photo before
and two after (a 2 mm lift fading with a 3 h half-life)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from conftest import fed_fifo
from facemetrics.cli import main
from facemetrics.store import Store
from facemetrics.study import study

T0 = datetime(2026, 11, 2, 8, 0, 0)
DESIGN = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-0.25, 1.0, 6.0])}


@pytest.fixture(scope="module")
def days(tmp_path_factory, sample_path):
    root = tmp_path_factory.mktemp("days")
    return [study(sample_path, root / f"day{d}", subjects=1, design=DESIGN, max_side=480, seed=d,
                  start=T0 + timedelta(days=d)) for d in range(3)]


@pytest.fixture(scope="module")
def store_and_report(days, tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    store = root / "store"
    for d, info in enumerate(days):
        photos = sorted(str(p) for p in (info.folder / "S01" / "microcurrent").glob("*.jpg"))
        assert main(["study", "add", *photos, "--subject", "me", "--treatment", "microcurrent",
                     "--treated-at", (T0 + timedelta(days=d)).isoformat(), "--device", "NuFace",
                     "--settings", '{"intensity": 3}', "--store", str(store)]) == 0
    out = root / "report"
    assert main(["study", "report", "--subject", "me", "-o", str(out), "--n-boot", "50", "--store", str(store)]) == 0
    return store, out


def test_add_list_and_duplicates(store_and_report, days, capsys):
    store, _ = store_and_report
    photos = sorted(str(p) for p in (days[0].folder / "S01" / "microcurrent").glob("*.jpg"))
    capsys.readouterr()
    assert main(["study", "add", *photos, "--subject", "me", "--follow-up", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "0 photo(s) added, 3 already there" in out
    assert main(["study", "list", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "me: 9 photo(s), 3 session(s)" in out
    assert "microcurrent [NuFace]" in out and '"intensity": 3' in out


def test_report_writes_batch_and_timeline_outputs(store_and_report):
    _, out = store_and_report
    for name in ("photos.csv", "changes.csv", "long.csv", "timeline.csv", "timeline.png", "report.md",
                 "regimen/long.csv", "regimen.png"):
        assert (out / name).is_file(), name
    photos = pd.read_csv(out / "photos.csv", keep_default_na=False)
    assert len(photos) == 9 and (photos["status"] == "ok").all()
    assert (photos["excluded"] == "").all(), photos["excluded"].tolist()
    changes = pd.read_csv(out / "changes.csv")
    # two post photos per session, and the next session's before photo as a row of days 1 and 2 (stop 56, c4)
    assert len(changes) == 6 + 2
    nxt = changes[changes["messages"].fillna("").str.contains("next session of this treatment")]
    assert len(nxt) == 2 and set(nxt["photo"]) <= set(photos.loc[photos["role"] == "baseline", "photo"])
    lift1 = changes.loc[changes["hours_since_treatment"].round(2) == 1.0, "jawline_lift_mm"]
    assert (lift1 > 0.8).all(), lift1.tolist()  # true lift at 1 h: 1.59 mm
    regimen = pd.read_csv(out / "regimen" / "long.csv")
    assert set(regimen["photo"]) == {p for p in photos.loc[photos["role"] == "baseline", "photo"]} - {
        photos.loc[photos["role"] == "baseline"].sort_values("taken_at")["photo"].iloc[0]}
    tl = pd.read_csv(out / "timeline.csv")
    assert set(tl["kind"]) == {"decay", "regimen"}
    md = (out / "report.md").read_text()
    assert "## Regimen" in md and "| side |" in md


def test_report_names_photos_by_the_users_file_names(store_and_report, days):
    """Every table and report.md names a photo by the file name the user added (three days of
    photos with the same names: the later ones get ``~`` and 8 hex digits), never by the store's
    hash-named copies; the links made for the batch are not left in the output folder."""
    import re

    _, out = store_and_report
    uploaded = {p.name for p in (days[0].folder / "S01" / "microcurrent").glob("*.jpg")}
    stem = re.compile(r"^(?P<stem>.+?)(~[0-9a-f]{8})?(?P<ext>\.jpg)$")

    def given(label):
        m = stem.match(label)
        return m is not None and m["stem"] + m["ext"] in uploaded

    photos = pd.read_csv(out / "photos.csv", keep_default_na=False)
    assert photos["photo"].is_unique and all(map(given, photos["photo"])), photos["photo"].tolist()
    assert uploaded <= set(photos["photo"])  # the first photo of each name keeps it as it is
    changes = pd.read_csv(out / "changes.csv", keep_default_na=False)
    names = list(changes["photo"]) + [b for c in changes["baseline_photos"] for b in c.split("; ")]
    assert all(map(given, names)), names
    for table in ("long.csv", "regimen/long.csv", "regimen/photos.csv"):
        assert all(map(given, pd.read_csv(out / table, keep_default_na=False)["photo"])), table
    hashed = re.compile(r"\b[0-9a-f]{20}\.(jpg|png)\b")
    for f in ("photos.csv", "changes.csv", "long.csv", "timeline.csv", "report.md", "regimen/photos.csv"):
        assert not hashed.search((out / f).read_text()), f
    assert not (out / ".cache" / "store_photos").exists()


def test_report_reuses_the_stored_measurements(store_and_report, tmp_path):
    store_dir, _ = store_and_report
    with Store(store_dir) as store:
        n_an = store.con.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
        n_cmp = store.con.execute("SELECT COUNT(*) FROM comparisons").fetchone()[0]
        # sessions + regimen (days 1, 2 vs day 0) + day 2's before photo vs day 1's (day 1's vs day 0's is the
        # regimen's comparison, reused: stop 56, c4)
        assert n_an == 9 and n_cmp == 6 + 2 + 1
        seen = []  # what `study report` prints from: the batch and its regimen batch, before the fits
        res, _ = store.report(tmp_path / "again", "me", n_boot=50, batch_done=lambda *both: seen.append(both))
    assert res.n_measured == 0 and res.n_compared == 0 and res.n_cached == 9
    assert len(seen) == 1 and seen[0][0] is res and len(seen[0][1].change_rows) == 2  # days 1, 2 vs day 0


def test_import_and_delete(store_and_report, days, tmp_path, capsys):
    store, _ = store_and_report
    assert main(["study", "import", str(days[1].folder), "--store", str(store), "--no-measure"]) == 0
    assert "3 photo(s) imported" in capsys.readouterr().out
    with Store(store) as s:
        assert len(s.photos("S01")) == 3
        files = [store / f for f in s.photos("me")["file"]]
    assert all(f.is_file() for f in files)
    assert main(["study", "delete", "--subject", "me", "--store", str(store)]) == 0
    assert "verified gone" in capsys.readouterr().out
    assert not any(f.exists() for f in files)
    main(["study", "list", "--store", str(store)])
    out = capsys.readouterr().out
    assert "S01: 3 photo(s)" in out and "me:" not in out
    assert main(["study", "delete", "--subject", "me", "--store", str(store)]) == 2


def test_report_without_changes_is_a_message(days, tmp_path, capsys):
    store = tmp_path / "store"
    pre = sorted(str(p) for p in (days[0].folder / "S01" / "microcurrent").glob("*m0p25h.jpg"))
    assert main(["study", "add", *pre, "--subject", "solo", "--treatment", "microcurrent",
                 "--treated-at", T0.isoformat(), "--store", str(store), "--no-measure"]) == 0
    capsys.readouterr()
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(store)]) == 2
    assert "no changes to fit yet" in capsys.readouterr().err
    assert (tmp_path / "r" / "photos.csv").is_file()


@pytest.mark.real_worker  # `batch` and `timeline` end to end on the worker processes a user gets (tests/conftest.py)
def test_batch_and_timeline_commands_fit_the_regimen_too(days, tmp_path, capsys):
    import shutil

    folder = tmp_path / "study" / "S01" / "microcurrent"
    for d in (0, 1):  # FOLDER/<subject>/<treatment>/<session>/ with treated_at.txt
        src = days[d].folder / "S01" / "microcurrent"
        shutil.copytree(src, folder / f"day{d}")
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "study"), "-o", str(out), "--workers", "1"]) == 0
    assert "regimen: 1 pre-session photo compared" in capsys.readouterr().out  # one photo: no plural (stop 59)
    assert main(["timeline", str(out), "--n-boot", "50"]) == 0
    tl = pd.read_csv(out / "timeline.csv")
    reg = tl[tl["kind"] == "regimen"]
    assert "jawline_lift_mm" in set(reg["metric"])
    assert set(reg["status"]) == {"insufficient_data"}  # one day after day 0: too few to fit
    assert "## Regimen" in (out / "report.md").read_text()


def test_an_add_that_adds_nothing_exits_2_and_writes_nothing(tmp_path, capsys):
    """An audit (study_cli.sh): `study add` with every photo refused exited 0 and created the subject;
    `study list` then printed 'nan to nan' for it."""
    import os

    import numpy as np
    from PIL import Image

    store = tmp_path / "store"
    noexif = tmp_path / "noexif.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(noexif)
    args = ["--subject", "A", "--treatment", "mc", "--treated-at", "2026-11-02T08:00", "--store", str(store)]
    assert main(["study", "add", str(noexif), *args]) == 2
    captured = capsys.readouterr()
    assert "not added - no capture time" in captured.out
    assert "none of the 1 photo(s) was added" in captured.err
    assert main(["study", "add", str(noexif), "--subject", "B", "--follow-up", "--taken-at", "2026-11-02T09:00",
                 "--store", str(store)]) == 2
    assert main(["study", "add", str(noexif), "--subject", "D", "--treatment", "rf", "--treated-at", "2026-13-02",
                 "--store", str(store)]) == 2
    if hasattr(os, "mkfifo"):  # a FIFO is refused by its kind, never read (read_bytes blocked forever)
        fifo = tmp_path / "pipe.jpg"
        release = fed_fifo(fifo)
        try:
            assert main(["study", "add", str(fifo), *args]) == 2
        finally:
            release()
        assert "not a regular file (a named pipe (FIFO))" in capsys.readouterr().out
    with Store(store) as s:
        assert s.subjects().empty and s.sessions().empty
        s.subject_id("old", create=True)  # a subject without photos, as an older version left them
    capsys.readouterr()
    assert main(["study", "list", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "old: 0 photo(s), 0 session(s), no photos" in out and "nan" not in out, out


def _noexif_photo(path, seed=0):
    """A small JPEG without EXIF (no capture time: refused unless --taken-at gives one)."""
    import numpy as np
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    return str(path)


def test_an_add_of_duplicates_only_still_prints_the_spelling_notes(tmp_path, capsys):
    """Stop 27: re-adding stored photos as ' anna' / 'rf' / 08:00+01:00 printed the subject's note
    but not the treatment's nor the time's (the session was matched only when a photo was written)."""
    photo = _noexif_photo(tmp_path / "a.jpg")
    store = ["--no-measure", "--store", str(tmp_path / "store")]
    assert main(["study", "add", photo, "--subject", "Anna", "--treatment", "RF", "--treated-at", "2026-11-02T07:00Z",
                 "--taken-at", "2026-11-02T06:00Z", *store]) == 0
    capsys.readouterr()
    assert main(["study", "add", photo, "--subject", " anna", "--treatment", "rf", "--treated-at",
                 "2026-11-02T08:00+01:00", "--taken-at", "2026-11-02T06:00Z", *store]) == 0
    out = capsys.readouterr().out
    assert "0 photo(s) added, 1 already there" in out, out
    assert "subject 'anna' is the stored 'Anna'" in out, out
    assert "treatment 'rf' is the stored 'RF'" in out, out
    assert "treatment time 2026-11-02T08:00+01:00 is the session stored as 2026-11-02T07:00:00+00:00" in out, out
    assert out.count("is the stored 'Anna'") == 1  # said once, not per photo
    # the same spellings as stored: no note
    assert main(["study", "add", photo, "--subject", "Anna", "--treatment", "RF", "--treated-at", "2026-11-02T07:00Z",
                 *store]) == 0
    assert "is the stored" not in capsys.readouterr().out


def test_a_failed_first_add_leaves_no_store_behind(tmp_path, capsys):
    """Stop 27: `study add` into a --store that did not exist created its folder and an empty database
    even when the add failed (every photo refused, a time that does not parse); `study list` then read
    it as a valid empty study.  The store is now made by its first write only."""
    noexif = _noexif_photo(tmp_path / "noexif.jpg")
    new = tmp_path / "new" / "store"
    session = ["--subject", "A", "--treatment", "mc", "--treated-at", "2026-11-02T08:00", "--no-measure"]
    capsys.readouterr()
    assert main(["study", "add", noexif, *session, "--store", str(new)]) == 2  # refused: no capture time
    assert not (tmp_path / "new").exists()
    assert f"no store was created at {new}" in capsys.readouterr().out  # not "store: PATH"
    assert main(["study", "add", noexif, "--subject", "A", "--treatment", "mc", "--treated-at", "2026-13-02",
                 "--store", str(new)]) == 2  # a usage error raised after the store was opened
    assert main(["study", "add", noexif, "--subject", "A", "--follow-up", "--taken-at", "2026-11-02T09:00",
                 "--store", str(new)]) == 2  # no session to follow up
    # and what to do instead (first-user audit, stop 54: it named no way to log the session)
    assert "to follow up: log its session by adding the photo with --treatment NAME --treated-at TIME instead of " \
           "--follow-up" in capsys.readouterr().out
    assert main(["study", "list", "--store", str(new)]) == 0
    assert capsys.readouterr().out.startswith(f"no store at {new}")  # not "store: PATH / no subjects yet"
    assert main(["study", "report", "-o", str(tmp_path / "rep"), "--store", str(new)]) == 2
    assert main(["study", "delete", "--subject", "A", "--store", str(new)]) == 2
    assert not (tmp_path / "new").exists()
    assert capsys.readouterr().err.count(f"no store at {new}") == 2
    # an existing empty folder stays as it was (no study.sqlite in it)
    folder = tmp_path / "folder"
    folder.mkdir()
    assert main(["study", "add", noexif, *session, "--store", str(folder)]) == 2
    assert list(folder.iterdir()) == []
    # the first add that adds a photo creates the store, and it holds that photo
    assert main(["study", "add", noexif, *session, "--taken-at", "2026-11-02T09:00", "--store", str(new)]) == 0
    assert (new / "study.sqlite").is_file()
    with Store(new) as s:
        assert len(s.photos("A")) == 1 and s.check() == []


def _batch_stand_in(regimen_rows=()):
    """A batch result and its regimen batch's whose change rows carry every note the ``batch`` command
    prints (a passed-over before photo, before photos that disagree, a picture at two times, a repeat
    left out), and the names-and-times notes."""
    from types import SimpleNamespace

    from facemetrics.batch.tables import MSG_BASELINE_PASSED_OVER, same_picture_left_out
    from facemetrics.compare.disagreement import MSG_BASELINES_DISAGREE

    where = dict(subject="me", treatment="mc", treated_at="2026-11-02T08:00", role="post", n_baseline=2)
    rows = [dict(where, messages=f"{MSG_BASELINE_PASSED_OVER}: me/a.jpg (smiling)"),
            dict(where, messages=f"{MSG_BASELINES_DISAGREE} (jawline_lift_mm)"),
            dict(where, messages=same_picture_left_out("me/c.jpg", 12.0, "me/b.jpg", -1.0)),
            dict(where, messages="repeat photo me/r.jpg not used against the before photo me/b.jpg: the head is "
                                 "turned")]
    res = SimpleNamespace(merged=["subject names 'me', 'Me' are one subject"],
                          time_notes=["3 capture times without a UTC offset, in 2 sessions none of whose photos "
                                      "carries one, read in the offset of their treated_at (+01:00)"],
                          taken_at_notes=["1 photo: the manifest's taken_at differs from the photo's EXIF capture "
                                          "time by more than 5 min; the manifest's time is used"],
                          n_ok=3, photo_rows=[{}] * 3, change_rows=rows)
    reg = SimpleNamespace(time_notes=[], change_rows=[dict(where, messages=m) for m in regimen_rows])
    return res, reg


def test_report_prints_what_batch_prints(tmp_path, capsys, monkeypatch):
    """`study report` printed the batch's name and time notes but not the rest of what `batch` prints: the
    sessions whose before photo was passed over, whose before photos disagree, a picture at two times, the
    repeats left out, nor the regimen's lines.  It prints them now, by the function `batch` prints them with,
    once each (the timeline's same-picture lines are among them: not twice) and in the batch's order."""
    import facemetrics.batch.console as console

    res, reg = _batch_stand_in()
    same = console.batch_lines(res)[5]
    assert "the same picture as its before photo" in same, same
    table = pd.DataFrame()
    table.attrs["same_picture_notes"] = [same]

    def report(self, out_dir, *a, batch_done=None, **k):
        batch_done(res, reg)
        return res, table

    monkeypatch.setattr(Store, "report", report)
    Store(tmp_path / "store").close()  # a store there (the report of none is an error)
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    lines = [*console.batch_lines(res), *console.regimen_lines(reg, str(tmp_path / "r"))]
    assert lines[:3] == [*res.merged, *res.time_notes, *res.taken_at_notes]
    assert "me, mc, treated 2026-11-02T08:00: an earlier before photo was passed over: me/a.jpg (smiling)" in lines
    assert any(n.startswith("me, mc, treated 2026-11-02T08:00: the session's before photos disagree") for n in lines)
    assert any("had repeat photos left out of the noise floor" in n for n in lines), lines
    assert f"regimen: 0 pre-session photos compared with the first session's baseline ({tmp_path / 'r'}/regimen)" \
        in lines
    assert len(lines) == 8, lines
    assert out.startswith("".join(f"{n}\n" for n in lines)), out
    assert all(out.count(n) == 1 for n in lines), out


def test_report_summary_counts_the_refused_comparisons_as_batch_does(tmp_path, capsys, monkeypatch):
    """`study report` ended "3 of 3 photos measured, 2 changes" when one of the two was refused (a mirror image:
    first-user audit, stop 54), where `batch` says "..., 1 of them refused or failed (their status in changes.csv)"."""
    res, reg = _batch_stand_in()
    res.change_rows = [dict(r) for r in res.change_rows]
    res.change_rows[0]["status"] = "refused"
    res.change_rows[1]["status"] = "ok"

    def report(self, out_dir, *a, batch_done=None, **k):
        batch_done(res, reg)
        return res, pd.DataFrame()

    monkeypatch.setattr(Store, "report", report)
    Store(tmp_path / "store").close()
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("3 of 3 photos measured, 4 changes, 1 of them refused or failed (their status in "
                           "changes.csv); written to "), last


def test_report_summary_counts_one_change_in_the_singular(tmp_path, capsys, monkeypatch):
    """Round 22 (stop 61): `study report` of one before and one after photo ended "2 of 2 photos measured, 1 changes"."""
    res, reg = _batch_stand_in()
    res.change_rows = [dict(res.change_rows[0], status="ok")]

    def report(self, out_dir, *a, batch_done=None, **k):
        batch_done(res, reg)
        return res, pd.DataFrame()

    monkeypatch.setattr(Store, "report", report)
    Store(tmp_path / "store").close()
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert " photos measured, 1 change; written to " in last, last


def test_report_with_nothing_to_fit_prints_the_batchs_notes_first(tmp_path, capsys, monkeypatch):
    """A report that stopped at "no changes to fit yet" printed none of the batch's notes, though they may
    say why (a before photo at fault, a picture at two times): they are printed, then the refusal."""
    from facemetrics.store import StoreError

    res, reg = _batch_stand_in()

    def report(self, out_dir, *a, batch_done=None, **k):
        batch_done(res, None)
        raise StoreError("no changes to fit yet (photos.csv written to r)")

    monkeypatch.setattr(Store, "report", report)
    Store(tmp_path / "store").close()
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 2
    said = capsys.readouterr()
    assert "an earlier before photo was passed over: me/a.jpg (smiling)" in said.out, said.out
    assert "regimen:" not in said.out  # no regimen batch: no regimen line
    assert said.err.startswith("facemetrics study report: no changes to fit yet"), said.err


def test_import_takes_the_manifests_time_over_exif_and_the_report_uses_it(days, tmp_path, capsys):
    """`study import` gave the store a manifest's taken_at but the photo's EXIF time won, without a word,
    where `batch` uses the manifest's and names the photo.  Now the store follows the batch's rule: a photo
    stated 2 h before its EXIF time is stored at the stated time, the import names it in the batch's line,
    and the report (its measurements made at import, whose rows carry the EXIF time) times it so too and
    says it again, in photos.csv's warnings and on the console."""
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(days[1].folder / "S01", folder / "S01")
    manifest = pd.read_csv(days[1].folder / "manifest.csv", dtype=str)[["photo", "subject", "treatment", "taken_at",
                                                                         "treated_at"]]
    late = manifest["photo"].str.endswith("_p6h.jpg")
    assert late.sum() == 1 and manifest.loc[late, "taken_at"].item() == "2026-11-03T14:00:00"
    manifest.loc[late, "taken_at"] = "2026-11-03T12:00:00"  # 2 h before its EXIF time: 4 h after, not 6 h
    manifest.to_csv(folder / "manifest.csv", index=False)
    store = tmp_path / "store"
    assert main(["study", "import", str(folder), "--manifest", str(folder / "manifest.csv"),
                 "--store", str(store)]) == 0
    far = manifest.loc[late, "photo"].item()
    out = capsys.readouterr().out
    assert ("1 photo: the manifest's taken_at differs from the photo's EXIF capture time by more than 5 min; the "
            f"manifest's time is used (the 'warnings' column of photos.csv gives both): {far} (-2.0 h)\n") in out, out
    assert "3 photo(s) imported" in out
    with Store(store) as s:
        stored = s.photos("S01").set_index("original_name")["taken_at"]
        assert stored[far.rsplit("/", 1)[-1]] == "2026-11-03T12:00:00"
        assert s.con.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == 3  # measured at import
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--n-boot", "50", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "1 photo: the manifest's taken_at differs from the photo's EXIF capture time" in out, out
    ch = pd.read_csv(tmp_path / "r" / "changes.csv")
    assert sorted(ch["hours_since_treatment"].round(3)) == [1.0, 4.0]
    photos = pd.read_csv(tmp_path / "r" / "photos.csv", keep_default_na=False).set_index("photo")
    (row,) = [r for name, r in photos.iterrows() if name.endswith("_p6h.jpg")]
    assert ("manifest taken_at 2026-11-03T12:00:00 is 2.0 h earlier than the photo's EXIF capture time "
            "2026-11-03T14:00:00: the manifest's time is used") in row["warnings"], row["warnings"]


def _import_folder(days, tmp_path, **columns):
    """Day 1's photos (a before photo, 1 h and 6 h after) and their manifest, with ``columns`` (a list of
    three values each) in place of the manifest's: the folder and its manifest."""
    import shutil

    folder = tmp_path / "study"
    shutil.copytree(days[1].folder / "S01", folder / "S01")
    manifest = pd.read_csv(days[1].folder / "manifest.csv", dtype=str)[["photo", "subject", "treatment", "taken_at",
                                                                         "treated_at"]]
    for column, values in columns.items():
        manifest[column] = values
    manifest.to_csv(folder / "manifest.csv", index=False)
    return folder, manifest


@pytest.mark.parametrize("column, value, reason", [
    ("taken_at", "2026-11-03", "capture time '2026-11-03' has no time of day: before or after the treatment cannot "
                               "be told (write e.g. 2026-11-02T09:30)"),
    # a manifest's time that is not one is named with the manifest, its row and column, and the forms read (it was
    # "'noon' is not a time (use ISO 8601, e.g. 2026-11-02T08:00)"; round 2 of a first-time user's session)
    ("taken_at", "noon", "1 time in {manifest} cannot be read, so its photo is not used: row 3 ({bad}), column "
                         "'taken_at': 'noon' (if 12:00 noon was meant: YYYY-MM-DDT12:00 with the day's date, e.g. "
                         "2026-11-02T12:00). Write it as 2026-11-02T08:20 or 2026-11-02 08:20"),  # the time meant
    # since round 3 (2026-12-05)
    ("treated_at", "2026-11-03", "treatment time '2026-11-03' has no time of day: which photos were taken before it "
                                 "cannot be told (write e.g. 2026-11-02T08:00)")])
def test_import_goes_on_past_a_row_whose_time_is_bad(days, tmp_path, capsys, column, value, reason):
    """`study import` stopped with exit 2 at the first manifest row whose time the store refused (a date alone, a
    time that does not parse), after the rows before it were stored, and never imported the rows after it,
    without naming the row.  That row is now "not imported" with the store's reason, as an unreadable photo is,
    and the rest are imported."""
    good = ["2026-11-03T07:45:00", "2026-11-03T09:00:00", "2026-11-03T14:00:00"] if column == "taken_at" else \
        ["2026-11-03T08:00:00"] * 3
    folder, manifest = _import_folder(days, tmp_path, **{column: [good[0], value, good[2]]})
    store = tmp_path / "store"
    assert main(["study", "import", str(folder), "--manifest", str(folder / "manifest.csv"), "--no-measure",
                 "--store", str(store)]) == 0  # a partial import succeeds, as `batch` and `study add` do
    captured = capsys.readouterr()
    bad = manifest["photo"][1]
    if "{bad}" in reason:
        assert reason.format(manifest=folder / "manifest.csv", bad=bad) in captured.out, captured.out
    else:
        assert f"{bad}: not imported - {reason}\n" in captured.out, captured.out
    assert f"2 photo(s) imported, 0 already there, 1 not imported; store: {store}\n" in captured.out, captured.out
    assert captured.err == ""
    with Store(store) as s:
        stored = sorted(s.photos("S01")["original_name"])
    assert stored == sorted(manifest["photo"][[0, 2]].str.rsplit("/", n=1).str[-1]), stored


def test_import_goes_on_past_a_row_naming_two_sessions_and_fails_when_no_row_is_imported(days, tmp_path, capsys):
    """A treatment time without an offset that matches two stored sessions (08:00Z and 08:00+01:00) was
    a StoreError that stopped the import too: that row alone is refused now.  An import of which no row
    could be imported (each refused: an empty file, a bad time) fails as `study add` does, creating no store."""
    folder, manifest = _import_folder(days, tmp_path, treated_at=["2026-11-03T08:00:00Z", "2026-11-03T08:00:00+01:00",
                                                                  "2026-11-03T08:00:00"])
    store = tmp_path / "store"
    args = ["--manifest", str(folder / "manifest.csv"), "--no-measure", "--store"]
    assert main(["study", "import", str(folder), *args, str(store)]) == 0
    out = capsys.readouterr().out
    assert (f"{manifest['photo'][2]}: not imported - the treatment time '2026-11-03T08:00:00' of 'microcurrent' has "
            "no UTC offset and matches the sessions treated at '2026-11-03T08:00:00+00:00', "
            "'2026-11-03T08:00:00+01:00': which one it belongs to cannot be told") in out, out
    assert "2 photo(s) imported, 0 already there, 1 not imported" in out, out
    with Store(store) as s:
        assert len(s.photos("S01")) == 2 and len(s.sessions()) == 2
    # no row importable: exit 2, nothing written, each row named with its reason
    (folder / manifest["photo"][0]).write_bytes(b"")
    manifest.assign(taken_at=["2026-11-03T07:45:00", "2026-11-03", "noon"],
                    treated_at="2026-11-03T08:00:00").to_csv(folder / "manifest.csv", index=False)
    new = tmp_path / "new"
    assert main(["study", "import", str(folder), *args, str(new)]) == 2
    captured = capsys.readouterr()
    empty = manifest["photo"][0]
    assert f"{empty}: not imported - the file is empty\n" in captured.out, captured.out  # the name once
    assert f"{manifest['photo'][1]}: not imported - capture time '2026-11-03' has no time of day" in captured.out
    assert (f"row 4 ({manifest['photo'][2]}), column 'taken_at': 'noon' (if 12:00 noon was meant: YYYY-MM-DDT12:00 "
            "with the day's date, e.g. 2026-11-02T12:00). Write it as") in captured.out, captured.out
    assert f"0 photo(s) imported, 0 already there, 3 not imported; no store was created at {new}\n" in captured.out
    assert "none of the 3 photo(s) was imported" in captured.err, captured.err
    assert not new.exists()


def test_import_of_a_photo_without_a_capture_time_names_the_manifest_not_an_option_it_lacks(tmp_path, capsys):
    """`study import` said "no capture time (no EXIF DateTimeOriginal); give it with --taken-at", an
    option of `study add` that `study import` does not have (a new user's audit, 2026-12-04)."""
    from pathlib import Path

    from PIL import Image

    sample = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
    folder = tmp_path / "study" / "S01" / "rf"
    folder.mkdir(parents=True)
    (folder / "treated_at.txt").write_text("2026-11-02 08:00\n")
    Image.open(sample).convert("RGB").save(folder / "untimed.jpg", quality=90)  # re-saved: no EXIF, no time
    main(["study", "import", str(tmp_path / "study"), "--store", str(tmp_path / "store"), "--no-measure"])
    out = capsys.readouterr().out
    assert "S01/rf/untimed.jpg: not imported - no capture time" in out, out
    assert "give it with --taken-at" not in out and "fill in its taken_at" in out, out
    # ... and what such a manifest holds, where to start one, and `study add`'s --taken-at for one photo (round 2 of a
    # first-time user's session, 2026-12-05: a manifest listing the photo alone leaves the folder's others out)
    line = out.splitlines()[-1]
    assert line.startswith("1 photo has no capture time (no EXIF date") and ": S01/rf/untimed.jpg. To import it" in line
    # batch's wording (one for both, stop 64 h2: facemetrics.batch.console.fill_in_taken_at)
    assert "a manifest, which lists every photo with its subject, treatment, taken_at and treated_at" in line, line
    assert f"a copy of OUT/photos.csv (facemetrics batch {tmp_path / 'study'} -o OUT writes it) under another" in line
    assert "--manifest COPY; the photos stored already are not added twice)" in line, line
    assert "`facemetrics study add PHOTO --subject S --treatment T --treated-at TIME --taken-at TIME`" in line, line


def test_import_names_the_files_of_the_folder_it_did_not_read(tmp_path, capsys):
    """A first-time user's session (2026-12-05): `study import` of a phone folder passed over a Live Photo's
    .MOV and a note without a word, as `batch` did; both now name them (not the treated_at.txt they read)."""
    from pathlib import Path

    from PIL import Image

    sample = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"
    folder = tmp_path / "study" / "S01" / "rf"
    folder.mkdir(parents=True)
    (folder / "treated_at.txt").write_text("2026-11-02 08:00\n")
    Image.open(sample).convert("RGB").save(folder / "untimed.jpg", quality=90)
    (folder / "IMG_0001.MOV").write_bytes(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ")
    (folder / "notes.txt").write_text("day 1")
    main(["study", "import", str(tmp_path / "study"), "--store", str(tmp_path / "store"), "--no-measure"])
    out = capsys.readouterr().out
    assert out.endswith("\n2 other files not read (not a photo by their ending: S01/rf/IMG_0001.MOV, "
                        "S01/rf/notes.txt)\n"), out


def test_import_with_a_partial_manifest_says_what_it_left_out_and_what_to_do(days, tmp_path, capsys):
    """Round 2 of a first-time user's session (2026-12-05): `study import --manifest` with a manifest listing some
    photos of the folder printed "PHOTO: not imported - no subject, treatment or treatment time (not in manifest)"
    per photo not listed (nothing on what a manifest must hold), "cannot read .../after_3h.jpg: file not found" for a
    row whose photo is missing (no row named) and "'9am' is not a time (use ISO 8601 ...)" (no manifest, row or
    column).  Each is now one line after the summary naming the manifest, the photos or rows and what to do; the
    photos listed with good times are imported."""
    folder, manifest = _import_folder(days, tmp_path)
    photos = list(manifest["photo"])
    partial = manifest.iloc[1:].copy()  # the before photo not listed
    partial.loc[partial.index[1], "taken_at"] = "2026-11-03 13:00 PM"  # the 6 h photo's time is no time
    gone = dict(partial.iloc[0], photo="S01/microcurrent/after_3h.jpg")
    partial = pd.concat([partial, pd.DataFrame([gone])], ignore_index=True)  # listed, not in the folder
    partial.to_csv(tmp_path / "partial.csv", index=False)
    store = tmp_path / "store"
    assert main(["study", "import", str(folder), "--manifest", str(tmp_path / "partial.csv"), "--no-measure",
                 "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    m = tmp_path / "partial.csv"
    assert lines[0] == f"1 photo(s) imported, 0 already there, 3 not imported; store: {store}", lines
    assert (f"1 photo of the folder is not in {m}, so it is not used: {photos[0]}. A manifest lists every photo it "
            "uses (the folders' treated_at.txt are not read with one): add a row for it (photo, subject, treatment, "
            "taken_at, treated_at), or leave --manifest out to use the folders.") in lines, lines
    assert (f"1 row of {m} names a photo that is not in the folder: row 4 (S01/microcurrent/after_3h.jpg). Correct "
            "its photo path (relative to the study folder, as photos.csv writes it) or remove the row.") in lines, lines
    (times,) = [x for x in lines if "cannot be read" in x]
    assert times.startswith(f"1 time in {m} cannot be read, so its photo is not used: row 3 ({photos[2]}), column "
                            "'taken_at': '2026-11-03 13:00 PM' (if 13:00 was meant: 2026-11-03T13:00). Write it as "
                            "2026-11-02T08:20 or "), times
    assert not [x for x in lines if "not imported -" in x], lines  # each said once, in its group
    with Store(store) as s:
        assert list(s.photos("S01")["original_name"]) == [photos[1].rsplit("/", 1)[-1]]


def test_import_names_a_file_filed_under_two_subjects(tmp_path, capsys):
    """Round 2's follow-up (2026-12-05): `batch` named one file filed under two subjects; `study import` of the same
    folder added it to both subjects without a word (the store keeps one copy per subject).  It now prints `batch`'s
    line (one function), with what to do in a store."""
    from PIL import Image

    folder = tmp_path / "study"
    for who, treatment in (("anna", "microcurrent"), ("ben", "rf")):
        (folder / who / treatment).mkdir(parents=True)
        (folder / who / treatment / "treated_at.txt").write_text("2026-12-01T08:00\n")
    Image.new("RGB", (8, 8), (10, 20, 30)).save(folder / "anna" / "microcurrent" / "after.png")
    Image.new("RGB", (8, 8), (40, 50, 60)).save(folder / "ben" / "rf" / "own.png")
    main(["study", "import", str(folder), "--store", str(tmp_path / "store"), "--no-measure"])
    assert "filed in two or more sessions" not in capsys.readouterr().out  # no copy: no line
    (folder / "ben" / "rf" / "post.png").write_bytes((folder / "anna" / "microcurrent" / "after.png").read_bytes())
    main(["study", "import", str(folder), "--store", str(tmp_path / "store"), "--no-measure"])
    lines = capsys.readouterr().out.splitlines()
    (line,) = [x for x in lines if "filed in two or more sessions" in x]
    assert line.startswith("1 photo is filed in two or more sessions as the same file (the store keeps one copy per "
                           "subject, in the session and at the time it was first imported): anna/microcurrent/after.png "
                           "= ben/rf/post.png (subjects 'anna', 'ben'). If a "
                           "copy is filed under the wrong subject or session, remove it and import again (a copy "
                           "imported already stays in the store: `facemetrics study delete --subject NAME`"), line
    assert not [x for x in lines if "in one session as the same file" in x], lines  # batch's other line: not here


def test_import_of_one_file_in_two_sessions_of_a_subject_does_not_say_each_copy_is_used(tmp_path, capsys):
    """A clinic's study (stop 55): `study import` of a folder with one file in two sessions of one subject printed
    "x.png: already in the store: not added again; ..." and then `batch`'s line "... filed in two or more sessions as
    the same file (each copy is used in its own session)", which the store did not do.  The line says what the
    store keeps."""
    from PIL import Image

    from facemetrics.batch.console import COPIES_STORED, COPIES_USED

    folder = tmp_path / "study"
    for day in ("d1", "d8"):
        (folder / "anna" / day).mkdir(parents=True)
    (folder / "anna" / "d1" / "treated_at.txt").write_text("2026-12-01T08:00\n")
    (folder / "anna" / "d8" / "treated_at.txt").write_text("2026-12-08T08:00\n")
    Image.new("RGB", (64, 64), (10, 20, 30)).save(folder / "anna" / "d1" / "IMG_20261201_090000.png")
    (folder / "anna" / "d8" / "IMG_20261208_090000.png").write_bytes(
        (folder / "anna" / "d1" / "IMG_20261201_090000.png").read_bytes())
    main(["study", "import", str(folder), "--store", str(tmp_path / "store"), "--no-measure"])
    lines = capsys.readouterr().out.splitlines()
    assert any("1 photo(s) imported, 1 already there" in x for x in lines), lines
    (line,) = [x for x in lines if "filed in two or more sessions" in x]
    assert f"({COPIES_STORED})" in line and COPIES_USED not in line, line
    with Store(tmp_path / "store") as s:
        assert len(s.photos("anna")) == 1  # what the line says: one copy


def test_import_says_why_a_manifest_time_written_with_a_dot_is_not_read(days, tmp_path, capsys):
    """Round 2's follow-up (2026-12-05): a manifest time written with a dot (``08.20``, ``8.20pm``) was printed by
    `study import` as "PHOTO: not imported - manifest ... row 3 ..." per photo (or, for 8.20pm, among the times
    that "cannot be read"); it is now the same line `batch` prints, naming the rows and the time meant with colons,
    and the rows with good times are imported."""
    folder, manifest = _import_folder(days, tmp_path)
    photos = list(manifest["photo"])
    m = manifest.copy()
    m.loc[1, "taken_at"], m.loc[2, "taken_at"] = "2026-11-03 09.00", "2026-11-03 2.00pm"
    m.to_csv(tmp_path / "dotted.csv", index=False)
    store = tmp_path / "store"
    assert main(["study", "import", str(folder), "--manifest", str(tmp_path / "dotted.csv"), "--no-measure",
                 "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # 2.00pm is read since stop 46 (the pm says which half of the day: timekeys.twelve_hour_clock)
    assert lines[0] == f"2 photo(s) imported, 0 already there, 1 not imported; store: {store}", lines
    (dotted,) = [x for x in lines if "written with a dot" in x]
    assert dotted.startswith(
        f"1 time in {tmp_path / 'dotted.csv'} is written with a dot after the hours or the minutes, so its "
        f"photo is not used: row 3 ({photos[1]}), column 'taken_at': '2026-11-03 09.00' (if 09:00 was meant: "
        "2026-11-03T09:00). ISO 8601 reads 08.20 as"), dotted
    assert not [x for x in lines if "not imported -" in x or "cannot be read" in x], lines


def test_a_report_whose_every_row_read_uncertain_names_each_comparison_and_why(tmp_path, capsys, monkeypatch):
    """`study report` on a session whose one comparison read 'uncertain' (London 003 neutral before, smiling after:
    u4's audit of a real study, stop 54) said only "All 4 rows of changes (1 comparison) read 'uncertain' (... e.g.
    the upper faces matched only roughly ..., the lips' shape changed ...)", the general list of causes, and wrote no
    report.md to list them.  It now names each comparison left out, with its own reason, as report.md would."""
    from facemetrics.batch.console import UNCERTAIN_LINE
    from facemetrics.decay import SeriesError

    res, _ = _batch_stand_in()
    res.change_rows = [dict(photo="B/rf/b.jpg", subject="B", treatment="rf", hours_since_treatment=0.75,
                            status="warning", jawline_lift_mm_verdict="uncertain",
                            messages="the upper faces match only roughly after alignment (1.36 mm RMS, limit 0.6 mm "
                                     "RMS): hair, glasses, brows, expression or image detail changed")]

    def report(self, out_dir, *a, batch_done=None, **k):
        batch_done(res, None)
        raise SeriesError("All 4 rows of changes (1 comparison) read 'uncertain' (...), so no series could be fitted.")

    monkeypatch.setattr(Store, "report", report)
    Store(tmp_path / "store").close()
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) != 0
    said = capsys.readouterr()
    assert (f"{UNCERTAIN_LINE}`B/rf/b.jpg` (B, rf, 0.75 h since treatment): the upper faces match only roughly after "
            "alignment (1.36 mm RMS") in said.out, said.out
    assert "All 4 rows of changes (1 comparison) read 'uncertain'" in said.err, said.err


def test_timeline_whose_every_row_read_uncertain_names_each_comparison_and_why(tmp_path, capsys):
    """`timeline` on a batch whose every comparison read 'uncertain' stopped with the general list of causes and
    wrote no report.md: it now names each comparison left out and why first, from the batch's changes.csv."""
    from facemetrics.batch.console import UNCERTAIN_LINE

    mismatch = "the upper faces match only roughly after alignment (1.36 mm RMS, limit 0.6 mm RMS): hair changed"
    pd.DataFrame([dict(subject="B", treatment="rf", photo="B/rf/b.jpg", hours_since_treatment=0.75,
                       status="warning", messages=mismatch, jawline_lift_mm_verdict="uncertain")]).to_csv(
        tmp_path / "changes.csv", index=False)
    pd.DataFrame([dict(subject="B", treatment="rf", hours_since_treatment=0.75, metric="jawline_lift_mm", side="mean",
                       value=-0.75, unit="mm", noise_floor=3.3, verdict="uncertain", photo="B/rf/b.jpg",
                       treated_at="2026-12-01T08:15:00")]).to_csv(tmp_path / "long.csv", index=False)
    assert main(["timeline", str(tmp_path)]) != 0
    said = capsys.readouterr()
    assert f"{UNCERTAIN_LINE}`B/rf/b.jpg` (B, rf, 0.75 h since treatment): {mismatch}" in said.out, said
    assert "read 'uncertain'" in said.err, said.err
