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
