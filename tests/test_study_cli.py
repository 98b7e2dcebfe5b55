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
    assert len(changes) == 6  # two post photos per session
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
        assert n_an == 9 and n_cmp == 6 + 2  # sessions + regimen (days 1, 2 vs day 0)
        res, _ = store.report(tmp_path / "again", "me", n_boot=50)
    assert res.n_measured == 0 and res.n_compared == 0 and res.n_cached == 9


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


def test_batch_and_timeline_commands_fit_the_regimen_too(days, tmp_path, capsys):
    import shutil

    folder = tmp_path / "study" / "S01" / "microcurrent"
    for d in (0, 1):  # FOLDER/<subject>/<treatment>/<session>/ with treated_at.txt
        src = days[d].folder / "S01" / "microcurrent"
        shutil.copytree(src, folder / f"day{d}")
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "study"), "-o", str(out), "--workers", "1"]) == 0
    assert "regimen: 1 pre-session photos compared" in capsys.readouterr().out
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
    capsys.readouterr()
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


def test_report_prints_the_batchs_time_notes(tmp_path, capsys, monkeypatch):
    """`study report` printed the merged names and the offset notes but not the notes on a manifest capture
    time far from the photo's EXIF time, which the batch prints (the rows' warnings carry them): it now
    prints the batch's lines, by the batch's own function, once each and in the batch's order."""
    from types import SimpleNamespace

    import facemetrics.cli as cli

    res = SimpleNamespace(merged=["subject names 'me', 'Me' are one subject"],
                          time_notes=["3 capture times without a UTC offset, in 2 sessions none of whose photos "
                                      "carries one, read in the offset of their treated_at (+01:00)"],
                          taken_at_notes=["1 photo: the manifest's taken_at differs from the photo's EXIF capture "
                                          "time by more than 5 min; the manifest's time is used"],
                          n_ok=3, photo_rows=[{}] * 3, change_rows=[{}] * 2)
    monkeypatch.setattr(Store, "report", lambda self, *a, **k: (res, pd.DataFrame()))
    Store(tmp_path / "store").close()  # a store there (the report of none is an error)
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    notes = [*res.merged, *res.time_notes, *res.taken_at_notes]
    assert cli._batch_time_notes(res) == notes  # what `batch` prints (tests/test_cli.py)
    assert out.startswith("".join(f"{n}\n" for n in notes)), out
    assert all(out.count(n) == 1 for n in notes), out
