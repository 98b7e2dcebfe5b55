"""What the study store knows of each photo reaches ``study report``'s ``photos.csv`` (h3, stop 47): where its
capture time came from (the store's ``taken_at_source``; the batch it runs on a manifest labelled every stored
photo ``manifest``) and the loader's note it keeps with the photo (``photos.note``: which frame of a file of several
was stored; the stored copy is that frame alone, so measuring it no longer says so).  Small synthetic photos, no
face: the report stops at "no changes to fit yet" after writing ``photos.csv`` (fast)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from facemetrics.store import Store, StoreError

sys.path.insert(0, str(Path(__file__).parent))
from test_store import photo_bytes  # noqa: E402
from test_store_note import frames_file  # noqa: E402
from test_store_time_chain import _png  # noqa: E402  (a flat PNG without EXIF, one grey level)

SCREENSHOT = "Screenshot_2026-11-02-09-00-00-123_com.miui.camera.png"


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """A store of four photos (an EXIF time, a file name's time, a typed time, a 3-frame GIF with a typed time)
    and its report's ``photos.csv`` as text."""
    root = tmp_path_factory.mktemp("provenance")
    with Store(root / "store") as store:
        res = store.add_photos("ann", [("IMG_0001.jpg", photo_bytes(1, "2026:11:02 07:50:00")),
                                       (SCREENSHOT, _png(0)), ("later.png", _png(90)),
                                       ("anim.gif", frames_file("GIF"))],
                               treatment="mc", treated_at="2026-11-02T08:00", taken_at="2026-11-02T10:00",
                               measure=False)
        assert [r.taken_at_source for r in res] == ["exif", "file_name", "typed", "typed"]
        with pytest.raises(StoreError, match="no changes to fit yet"):
            store.report(root / "out", "ann", workers=1, n_boot=0)
    return pd.read_csv(root / "out" / "photos.csv", dtype=str, keep_default_na=False).set_index("photo")


def test_report_says_where_each_stored_time_came_from(reported):
    """Before: ``manifest`` for all four (the store's manifest gave every time)."""
    assert reported["taken_at_source"].to_dict() == {
        "IMG_0001.jpg": "exif", SCREENSHOT: "file_name", "later.png": "typed", "anim.gif": "typed"}
    assert reported.loc[SCREENSHOT, "taken_at"].startswith("2026-11-02T09:00:00")


def test_report_carries_the_stored_note_in_warnings(reported):
    """Before: the GIF's row said nothing of its other frames (the stored copy is its first frame alone), where a
    batch that reads the GIF itself carries the loader's note in ``warnings``."""
    assert "GIF file holds 3 frames; only the first was measured" in reported.loc["anim.gif", "warnings"]
    assert not any("frames" in w for w in reported.drop(index="anim.gif")["warnings"])


def test_a_report_whose_every_comparison_was_refused_says_so_not_that_photos_are_missing(tmp_path, monkeypatch):
    """A session with a before and an after photo of two different people (its one comparison refused) stopped
    with "no changes to fit yet ...: each session needs a measurable photo taken before its treatment and one
    after it", which it had, where `batch` on the same photos counted the comparison refused (u4's audit of a
    real study, stop 54).  The report now says the comparison was refused and in a few words why; a store with no
    comparison at all keeps its line.  The batch is a stand-in (no face finder)."""
    from types import SimpleNamespace

    import facemetrics.batch as batch

    refused = {"photo": "b.png", "subject": "ann", "treatment": "mc", "status": "refused",
               "messages": "these may be different people: after alignment the upper faces still differ by 2.27 mm "
                           "RMS (limit 1.7 mm RMS); or hair, glasses ... hide the upper face. Nothing on the lower "
                           "face can be measured against it: retake the after photo like the before photo; "
                           "expression may differ: mouth corners moved 2.1 mm narrower (limit 0.5 mm)"}
    rows = [[refused], []]

    def run_batch(folder, out_dir, **kwargs):
        return SimpleNamespace(change_rows=rows[0], photo_rows=[], long=pd.DataFrame())

    monkeypatch.setattr(batch, "run_batch", run_batch)
    monkeypatch.setattr("facemetrics.regimen.run_regimen_batch", lambda *a, **k: None)
    with Store(tmp_path / "store") as store:
        store.add_photos("ann", [("a.png", _png(0)), ("b.png", _png(90))], treatment="mc",
                         treated_at="2026-11-02T08:00", taken_at="2026-11-02T07:00", measure=False)
        with pytest.raises(StoreError) as said:
            store.report(tmp_path / "out", "ann", workers=1, n_boot=0)
        text = str(said.value)
        assert text.startswith("no changes to fit yet: the comparison with a before photo was refused or failed "
                               "(these may be different people), as changes.csv's status and messages say in full"), text
        assert "needs a measurable photo" not in text
        rows[0] = []  # nothing compared: what each session needs, as before
        with pytest.raises(StoreError, match="each session needs a measurable photo taken before its treatment"):
            store.report(tmp_path / "out2", "ann", workers=1, n_boot=0)
