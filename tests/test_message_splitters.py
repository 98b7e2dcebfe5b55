"""The places that split a messages text on their own call facemetrics.messages' bracket rule (h11, stop 46):
the app's clauses of a refused comparison's other messages (``app._clauses``, through ``refused_others``) and the
batch console's before photo of a ``baseline_photos`` cell (a list of file names, which may hold "; ")."""

from __future__ import annotations

from conftest import app_module


def test_refused_others_never_cuts_inside_a_square_bracket():
    """A clause in square brackets holding "; " and a measured comparison's words ("noise floor") is one clause:
    the app's clause splitter counted only round brackets, cut inside the square ones and showed half of the
    bracket ("... [limit ±2; retake ...", no closing bracket).  Now the clause goes whole (it speaks of a noise
    floor, which a refused comparison has not) and the remedy stays."""
    app = app_module()
    msg = ("head pose differs: chin raised by 2.8 deg [limit ±2; its noise floor is 1 mm]; retake the after photo "
           "facing the camera")
    (out,) = app.refused_others([msg])
    assert out == "head pose differs; retake the after photo facing the camera", out


def test_refused_others_goes_on_after_a_stray_closing_bracket():
    """A closing bracket without its opening one ("1)") made the app's bracket depth negative, so no later
    clause was found and a measured-only clause ("... noise floor") was shown on a refused comparison."""
    app = app_module()
    msg = ("head pose differs: step 1) chin raised by about 2.8 deg (limit ±2); this was measured and corrected: "
           "±13.54 mm is added to its noise floor")
    assert app.refused_others([msg]) == ["head pose differs: step 1) chin raised by about 2.8 deg (limit ±2)"]


def test_refused_others_still_keeps_the_camera_message_brackets():
    """The camera message's "(... limit ±10 %; assuming about 45 cm ...)" stays whole (round brackets, as before)."""
    app = app_module()
    msg = ("the camera was about 21 cm closer in the after photo (-47 % of the distance, limit ±10 %; assuming about "
           "45 cm for the before photo): perspective changes the face's proportions; hold the phone at the same "
           "distance for every photo")
    assert app.refused_others([msg]) == [msg]


def test_shape_lines_name_a_before_photo_whose_name_holds_a_semicolon():
    """``baseline_photos`` joins file names with "; "; a before photo named ``before; 1.jpg`` was read as
    ``before`` (a plain split), found no size, and the pair of different shapes went unnamed."""
    from facemetrics.batch.console import first_listed, shape_lines

    photos = [dict(photo="me/rf/before; 1.jpg", image_width_px=1280, image_height_px=1600),
              dict(photo="me/rf/shot.png", image_width_px=1280, image_height_px=1900)]
    changes = [dict(photo="me/rf/shot.png", baseline_photos="me/rf/before; 1.jpg; me/rf/pre2.jpg")]
    (line,) = shape_lines(photos, changes)
    assert "me/rf/shot.png 1280 × 1900 px against me/rf/before; 1.jpg 1280 × 1600 px" in line, line
    names = ["a", "a; b.jpg", "c.jpg"]
    assert first_listed("a; b.jpg; c.jpg", names) == "a; b.jpg"
    assert first_listed("c.jpg", names) == "c.jpg"
    assert first_listed("x.jpg; y.jpg", names) == "x.jpg"  # no photo known: the text before its first "; "
    assert first_listed(float("nan"), names) == ""


def test_every_gate_message_of_the_grid_splits_back_whole():
    """Three fold messages ended in a clause that is no clause start of ``messages.CLAUSE_STARTS``: "...('uncertain');
    the photos' own fold depth (photos.csv) is read along the reference line" (the two fold lines), "...; photos.csv
    has each photo's own length" (the fold length) and "...; the depth row reads the valley itself" (the contrast's
    sides).  ``split_messages`` cut each in two, so the console, report.md and the app listed the last clause as a
    message of its own (stop 61's review).  They are sentences of their message now; every message of the gate's
    grid (tests/test_message_numbers.py, 3594 of them) splits back whole."""
    from facemetrics.messages import split_messages
    from test_message_numbers import MESSAGES

    cut = sorted({m[:60] for m in MESSAGES if split_messages(m) != [m]})
    assert cut == [], cut


def test_the_fold_line_message_is_shortened_at_a_sentence_end():
    """report.md shortens a long message at a sentence or clause end: the fold-line message keeps its first
    sentence whole and leaves out the sentence on photos.csv, not a clause cut at "; the photos' own"."""
    from facemetrics.compare.fold_lines import MSG_FOLD_LINES, fold_line_disagreements
    from facemetrics.messages import WHOLE_MESSAGE_NOTE, shorten_message

    (msg,) = fold_line_disagreements({("nlf_depth", "right"): (1.0, 1.0, 1.25)}, {"right": 0.05},
                                     {("nlf_depth", "side"): 0.84})[1]
    assert msg.startswith(MSG_FOLD_LINES) and "; the photos' own" not in msg, msg
    first = msg[:msg.index(". The photos' own fold depth (photos.csv) is read along the reference line")]
    assert first.endswith("shown without a verdict ('uncertain')"), first
    assert shorten_message(msg, len(first) + 10) == first + WHOLE_MESSAGE_NOTE
