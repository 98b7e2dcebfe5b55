"""``study add`` of after photos to a session with no before photo says so, once per session (Round 18 of
docs/validation.md section 12, stop 57, f1): a home user who forgot a session's before selfie read "added (post, ...)"
for each photo with nothing said, and learned only from report.md that none of the session's photos was compared."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "sample_images"
LINE = ("the microcurrent session treated at 2026-11-02 09:00 has no before photo: its after photos are compared "
        "once one taken before the treatment is added (facemetrics study add PHOTO --subject me --treatment "
        "microcurrent --treated-at 2026-11-02T09:00:00); until then it still counts as a treatment before the next "
        "session")


def _add(store: Path, photo: Path, treated: str) -> int:
    from facemetrics.cli import main

    # the samples' EXIF capture times: before 2026-11-02 08:00, after 11:30
    return main(["study", "add", str(photo), "--subject", "me", "--treatment", "microcurrent", "--treated-at", treated,
                 "--no-measure", "--store", str(store)])


def test_study_add_says_a_session_has_no_before_photo_and_stops_once_it_has_one(tmp_path, capsys):
    store = tmp_path / "store"
    after, before = SAMPLES / "astronaut_after.jpg", SAMPLES / "astronaut_before.jpg"
    assert _add(store, after, "2026-11-02T09:00") == 0
    said = capsys.readouterr().out
    assert LINE in said and said.count("has no before photo") == 1, said
    # its before photo added later joins the session as its baseline: no line
    assert _add(store, before, "2026-11-02T09:00") == 0
    said = capsys.readouterr().out
    assert "(baseline," in said and "has no before photo" not in said, said


def test_a_session_with_its_before_photo_gets_no_line(tmp_path, capsys):
    from facemetrics.cli import main

    store = tmp_path / "store"
    assert main(["study", "add", str(SAMPLES / "astronaut_before.jpg"), "--subject", "me", "--treatment",
                 "microcurrent", "--treated-at", "2026-11-02T09:00", "--no-measure",
                 "--store", str(store)]) == 0
    assert _add(store, SAMPLES / "astronaut_after.jpg", "2026-11-02T09:00") == 0
    assert "has no before photo" not in capsys.readouterr().out
