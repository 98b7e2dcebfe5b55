"""facemetrics.messages: a cell of messages joined with "; " split only where one message ends, and
report.md's list of 'uncertain' comparisons quoting a long message with its remedy (audit, stop 45)."""

import importlib

from facemetrics.messages import CLAUSE_STARTS, shorten_message, split_messages

GATE = importlib.import_module("facemetrics.compare.gate")  # the module, not compare's function of its name


def _pose_and_camera_messages() -> list[str]:
    """compare's gate's real messages of a pair whose pitch is beyond the range the correction was checked on,
    whose yaw is named and whose camera distance changed beyond its checked range: the longest messages of
    pose_messages (450, 295 and 388 characters, 2026-12-05), with "; " inside brackets and before remedies."""
    cues = dict(pose_pitch_deg=GATE.VALIDATED_PITCH_DEG + 0.5, pose_yaw_deg=GATE.WARN_YAW_DEG + 0.5,
                camera_distance_change_pct=GATE.MAX_CHECKED_CAMERA_PCT + 10)
    refuse, msgs = GATE.pose_messages(cues)
    assert not refuse and len(msgs) == 3 and msgs[2].startswith(GATE.MSG_CAMERA)
    return msgs


def test_split_messages_gives_back_the_gates_messages_whole():
    """The camera message holds "; " inside its brackets ("limit ±10 %; assuming about 45 cm ...") and before
    its remedy, the pose messages before a clause of their own and a remedy: the joined cell splits back into
    exactly the messages (split at every "; " it gave 8 parts, the camera message cut in its brackets)."""
    msgs = _pose_and_camera_messages()
    joined = "; ".join(msgs)
    assert len(joined.split("; ")) > len(msgs)  # the splitter it replaces
    assert split_messages(joined) == msgs
    assert split_messages("a (x; y) b; c [d; e]; f") == ["a (x; y) b", "c [d; e]", "f"]
    assert split_messages("a) b; c") == ["a) b", "c"]  # a stray closing bracket does not stop the splitting
    assert split_messages(float("nan")) == [] and split_messages("") == [] and split_messages(None) == []


def test_clause_starts_follow_the_gates_camera_clause():
    """The camera message's clause "...; the correction for it is beyond the ..." is glued by its start."""
    assert GATE.MSG_CAMERA_UNCHECKED.startswith(CLAUSE_STARTS)


def test_shorten_message_keeps_the_remedy_of_the_longest_gate_message():
    """A long message's reason is cut at a word with an ellipsis, its remedy kept whole."""
    longest = max(_pose_and_camera_messages(), key=len)
    short = shorten_message(longest, 200)
    assert short.endswith("; retake the after photo facing the camera as in the before photo"), short
    assert "\u2026; retake" in short and len(short) < len(longest)
    assert shorten_message("short; take it again", 200) == "short; take it again"
    camera = "the camera distance could not be measured: +400 % ± 700 %. Hold the phone at the same distance"
    assert shorten_message(camera, 40).endswith("\u2026. Hold the phone at the same distance")


def test_uncertain_notes_quote_the_camera_message_whole_with_its_remedy():
    """report.md's list of comparisons left out as 'uncertain' cut the camera message at its bracketed "; "
    ("...(+52 % of the distance, limit ±10 %") and every quote at 200 characters, which dropped the remedy."""
    from facemetrics.batch.timeline import uncertain_notes

    msgs = _pose_and_camera_messages()
    row = dict(photo="S01/rf/p.jpg", subject="S01", treatment="rf", hours_since_treatment=3.0, status="warning",
               jawline_lift_mm_verdict="uncertain", messages="; ".join(msgs))
    (line,) = uncertain_notes([row], ["jawline_lift_mm"])
    assert "assuming about" in line and "hold the phone at the same distance for every photo" in line, line
    assert "retake the after photo facing the camera as in the before photo" in line, line
    (cam,) = uncertain_notes([dict(row, messages=msgs[2])], ["jawline_lift_mm"])
    assert cam.endswith(msgs[2][msgs[2].index("; hold the phone"):]), cam


#: compare's gate's expression message with three cues, as a real pair gave it (changes.csv of stop 45's audit run,
#: 2026-12-05): its cues are joined with "; " outside brackets, its remedy after the last
EXPRESSION = ("expression differs: smile index -0.02 → -0.20 (limit ±0.10); mouth corners moved 2.0 mm narrower "
              "(limit 0.5 mm); a mouth corner moved 1.7 mm relative to the jowl below it (limit 0.6 mm). Lifts, folds "
              "and the jaw, mouth and cheek metrics then reflect the expression, not the skin, so they are shown "
              "without a verdict ('uncertain'; the head-pose angle rows keep theirs, the camera-distance row reads "
              "'uncertain' too); take both photos with the same relaxed, closed-mouth expression")


def test_the_expression_message_with_several_cues_is_one_message_and_keeps_its_remedy():
    """Its cues after the first were split off as messages of their own (the remedy with the last one), so
    report.md quoted "expression differs: smile index ..." without the remedy."""
    from facemetrics.batch.timeline import uncertain_notes

    other = "the before photo is small (320 px wide; limit 480 px)"
    assert split_messages(f"{other}; {EXPRESSION}") == [other, EXPRESSION]
    row = dict(photo="S01/rf/p.jpg", subject="S01", treatment="rf", hours_since_treatment=3.0, status="warning",
               jawline_lift_mm_verdict="uncertain", messages=f"{other}; {EXPRESSION}")
    (line,) = uncertain_notes([row], ["jawline_lift_mm"])
    assert line.endswith("\u2026; take both photos with the same relaxed, closed-mouth expression"), line
    assert ": expression differs: smile index -0.02" in line and "320 px" not in line, line
