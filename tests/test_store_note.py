"""The store keeps the loader's notes on a file of several frames or pages with its photo (``photos.note``,
schema 4; h11, stop 46): the stored copy is the one frame that was measured, so the copy alone no longer says
"only the first was measured".  ``study add`` / ``study list`` and *My study* show it.  Synthetic files, no
measuring (fast)."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import numpy as np
from PIL import Image

from facemetrics.cli import main
from facemetrics.metadata import clean_copy, strip_metadata
from facemetrics.store import MIGRATIONS, SCHEMA_VERSION, Store

DATA = Path(__file__).resolve().parent / "data"
WHEN = "2026-11-02T07:50"


def frames_file(fmt: str, n: int = 3, size: int = 48) -> bytes:
    """A file of ``n`` frames (GIF, WEBP) or pages (TIFF) of random pixels, each frame different."""
    rng = np.random.default_rng(n)
    imgs = [Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)) for _ in range(n)]
    buf = io.BytesIO()
    imgs[0].save(buf, fmt, save_all=True, append_images=imgs[1:], **({"lossless": True} if fmt == "WEBP" else {}))
    return buf.getvalue()


def one_frame_png(size: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((size, size, 3), 100, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def test_clean_copy_keeps_the_loaders_frames_note_and_the_copy_is_one_frame():
    """The note is true of the copy: it holds one frame, the first, as the loader measured it."""
    for fmt, kind, n in (("GIF", "frames", 3), ("WEBP", "frames", 3), ("TIFF", "pages", 2), ("PNG", "frames", 3)):
        data = frames_file(fmt, n)
        copy = clean_copy(data)
        assert copy.notes == (f"{fmt} file holds {n} {kind}; only the first was measured",), copy.notes
        img = Image.open(io.BytesIO(copy.data))
        assert copy.suffix == ".png" and getattr(img, "n_frames", 1) == 1
        first = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        assert np.array_equal(np.asarray(img.convert("RGB")), first)
        assert strip_metadata(data) == (copy.data, copy.suffix)
    assert clean_copy(one_frame_png()).notes == ()


def test_store_keeps_the_note_of_a_multi_frame_file(tmp_path):
    """Before schema 4 the store's photos had no field for the note: a 3-frame GIF was stored as its first
    frame and nothing said so."""
    store = Store(tmp_path / "s")
    res = store.add_photos("ann", [("anim.gif", frames_file("GIF")), ("still.png", one_frame_png()),
                                   ("pages.tif", frames_file("TIFF", 2))], taken_at=WHEN, measure=False)
    assert [r.status for r in res] == ["added"] * 3
    # the add says it too (it was said only when the file itself was measured, never of the one-frame copy)
    assert [r.message for r in res] == ["anim.gif: GIF file holds 3 frames; only the first was measured", "",
                                        "pages.tif: TIFF file holds 2 pages; only the first was measured"]
    store.close()
    again = Store(tmp_path / "s")
    notes = dict(zip(again.photos("ann")["original_name"], again.photos("ann")["note"]))
    assert notes == {"anim.gif": "GIF file holds 3 frames; only the first was measured", "still.png": "",
                     "pages.tif": "TIFF file holds 2 pages; only the first was measured"}, notes
    assert again.check() == []


def test_a_schema_3_store_opens_with_empty_notes(tmp_path):
    """A store written by the schema 3 facemetrics (the v1 fixture of test_store brought to 3 by the migrations
    of then): migrated to 4, its photo's note reads "" and a new photo's note is kept."""
    d = tmp_path / "old"
    (d / "photos" / "1").mkdir(parents=True)
    png = one_frame_png()
    (d / "photos" / "1" / "aaaa.png").write_bytes(png)
    con = sqlite3.connect(d / "study.sqlite")
    con.executescript((DATA / "store_v1.sql").read_text().replace("@FILE_SHA@", hashlib.sha256(png).hexdigest()))
    for v in (2, 3):
        con.executescript(MIGRATIONS[v])
    con.execute("UPDATE schema_version SET version = 3")
    con.commit()
    assert "note" not in [r[1] for r in con.execute("PRAGMA table_info(photos)")]
    con.close()
    store = Store(d)
    assert store.schema_version() == SCHEMA_VERSION == 4
    assert store.photos("ann")["note"].tolist() == [""]
    store.add_photos("ann", [("anim.gif", frames_file("GIF"))], taken_at=WHEN, measure=False)
    got = store.photos("ann").set_index("original_name")["note"]
    assert got["pre.png"] == "" and got["anim.gif"].startswith("GIF file holds 3 frames"), got
    assert store.check() == []


def test_study_list_shows_the_note(tmp_path, capsys):
    """`study list` names each photo kept with a note (it listed subjects and sessions only)."""
    with Store(tmp_path / "s") as store:
        store.add_photos("ann", [("anim.gif", frames_file("GIF")), ("still.png", one_frame_png())],
                         treatment="rf", treated_at="2026-11-02T08:00", taken_at=WHEN, measure=False)
    assert main(["study", "list", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "  note on anim.gif: GIF file holds 3 frames; only the first was measured" in out, out
    assert "still.png" not in out
