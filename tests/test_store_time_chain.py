"""The study store picks a photo's capture time by the one chain the batch, ``analyze`` and ``compare`` use,
``timekeys.capture_time_of`` (given, else EXIF, else the file name's), not by an order of its own (h3, stop 47:
``Store._check_one`` kept its own copy of the order).  A time typed for the photos without one
(``study add --taken-at``) comes after the chain.  Synthetic photos, nothing measured (fast)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import facemetrics.store as store_module
from facemetrics.store import Store
from facemetrics.timekeys import capture_time_of

sys.path.insert(0, str(Path(__file__).parent))
from test_store import photo_bytes  # noqa: E402

TYPED = "2026-11-02T10:00"


def _png(level: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((40, 40, 3), level, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


#: (file name, bytes, its EXIF time as the store reads it or "")
PHOTOS = [("IMG_0001.jpg", photo_bytes(1, "2026:11:02 07:50:00"), "2026-11-02T07:50:00"),  # EXIF only
          ("IMG_20261102_091403.jpg", photo_bytes(2, "2026:11:02 07:55:00"), "2026-11-02T07:55:00"),  # EXIF and name
          ("IMG_20261102_091403.png", _png(10), ""),  # the name only
          ("plain.png", _png(20), "")]  # neither


@pytest.mark.parametrize("wins", [False, True, "typed"])
@pytest.mark.parametrize("typed", [None, TYPED])
def test_the_store_reads_each_photos_time_as_capture_time_of_does(tmp_path, typed, wins):
    """Every combination of an EXIF time, a time in the name and a typed time (winning or not) gives the chain's
    time and source; a photo the chain gives none gets the typed time that does not win."""
    with Store(tmp_path / "s") as store:
        res = store.add_photos("ann", [(n, d) for n, d, _ in PHOTOS], treatment="mc",
                               treated_at="2026-11-02T08:00", taken_at=typed, taken_at_wins=wins, measure=False)
    for (name, _, exif), r in zip(PHOTOS, res):
        when, source = capture_time_of(typed if wins else "", exif, name, given_as="typed")
        if not when and typed:
            when, source = typed, "typed"
        if not when:
            assert r.status == "error" and "no capture time" in r.message, r
            continue
        assert (r.status, r.taken_at_source) == ("added", source), (name, r)
        assert r.taken_at.startswith(when[:16]), (name, r.taken_at, when)


def test_the_store_follows_the_chain_if_it_changes(tmp_path, monkeypatch):
    """The two cannot drift apart: a chain that ranked the file name's time first is the store's order too.  (With
    the store's own order, the EXIF time of ``IMG_20261102_091403.jpg`` stayed.)"""
    def name_first(given, exif, name, given_as="manifest", sidecar=""):
        when, source = capture_time_of("", "", name)
        return (when, source) if when else capture_time_of(given, exif, name, given_as, sidecar)

    monkeypatch.setattr(store_module, "capture_time_of", name_first, raising=False)
    with Store(tmp_path / "s") as store:
        (r,) = store.add_photos("ann", [PHOTOS[1][:2]], treatment="mc", treated_at="2026-11-02T08:00",
                                measure=False)
    assert (r.taken_at_source, r.taken_at[:16]) == ("file_name", "2026-11-02T09:14")
