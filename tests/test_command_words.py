"""The command line's words: messages left from stop 44's first-user audit (h3, 2026-12-05).  Each test
failed on the code before its fix."""

from __future__ import annotations


def test_the_headline_of_one_picture_compared_with_itself_names_the_picture(sample_analysis, sample_resaved):
    """`compare a.jpg a.jpg` (every row 'uncertain' since stop 44) was headlined "the comparison's checks (see
    the messages) say ...": the headline now names the cause, the same picture or a re-saved copy."""
    from facemetrics.compare import compare_photos
    from facemetrics.report import headline

    same = compare_photos(sample_analysis, sample_analysis)
    text = headline(same.to_frame(), same.messages)
    assert text.startswith("no lift or sag can be claimed: the before and after photos are the same picture "
                           "(identical pixels), so the jawline's +0.00 mm"), text
    assert "compare two different photos" in text and "checks" not in text, text
    copy = compare_photos(sample_analysis, sample_resaved)
    text = headline(copy.to_frame(), copy.messages)
    assert text.startswith("no lift or sag can be claimed: the after photo is a re-saved copy of the before photo, "
                           "so the jawline's "), text
    assert "re-compression" in text and "checks" not in text, text


def _row(analysis, photo: str) -> dict:
    """The photos.csv row of ``analysis`` in a batch, filed as ``photo`` (the batch's own row builder)."""
    from pathlib import Path

    from facemetrics.batch.discover import PhotoEntry
    from facemetrics.batch.tables import _table_row

    e = PhotoEntry(Path(photo), photo, subject="s", treatment="rf", treated_at="2026-12-01T08:00")
    return _table_row(e, analysis.to_row())


def test_a_photo_not_measured_is_said_once_by_analyzes_rule_in_the_batch(tmp_path):
    """photos.csv's ``excluded`` (and report.md's lists of it) read "not measured (unreadable: truncated.jpg:
    truncated JPEG data ...)" in the row of s/rf/truncated.jpg: the photo twice, and "not measured" where
    ``analyze`` and the app say "cannot be read".  The batch now says what ``analyze``'s line says (one
    function), the name once: a truncated file, an empty one and a 20 x 20 px picture cannot be read; a
    picture without a face is not measured."""
    from pathlib import Path

    import numpy as np

    import facemetrics
    from facemetrics.cli import _status_text

    data = (Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg").read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(data[:20000])
    (tmp_path / "empty.jpg").write_bytes(b"")
    photos = {"truncated.jpg": facemetrics.analyze_photo(tmp_path / "truncated.jpg"),
              "empty.jpg": facemetrics.analyze_photo(tmp_path / "empty.jpg"),
              "tiny.png": facemetrics.analyze_photo(np.zeros((20, 20, 3), np.uint8), name="tiny.png"),
              "wall.png": facemetrics.analyze_photo(np.full((400, 300, 3), 128, np.uint8), name="wall.png")}
    for name, a in photos.items():
        row = _row(a, f"s/rf/{name}")
        said = row["excluded"].split("; ")[0]
        assert said == _status_text(a), (said, _status_text(a))  # analyze's words
        assert name not in said, said  # the row names the photo
        assert said.startswith("not measured (" if name == "wall.png" else "cannot be read ("), said
