"""facemetrics.messages: a cell of messages joined with "; " split only where one message ends, and
report.md's list of 'uncertain' comparisons quoting a long message with its remedy (audit, stop 45)."""

import importlib

from facemetrics.messages import CLAUSE_STARTS, shorten_message, split_messages

GATE = importlib.import_module("facemetrics.compare.gate")  # the module, not compare's function of its name


def _pose_and_camera_messages() -> list[str]:
    """compare's gate's real messages of a pair whose pitch is beyond the range the correction was checked on,
    whose yaw is named and whose camera distance changed beyond its checked range: the longest messages of
    pose_messages (450, 299 and 521 characters, 2026-12-06: the camera's gives its estimate in %, no cm, since
    stop 54), with "; " inside brackets and before remedies."""
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
    """A long message's reason keeps its whole sentences and clauses, its remedy kept whole (the longest pose
    message: one sentence of 385 characters, kept whole; the camera's, longer since stop 54, is shortened below)."""
    longest = max((m for m in _pose_and_camera_messages() if m.startswith(GATE.MSG_POSE)), key=len)
    assert shorten_message(longest, 200) == longest  # one sentence, never cut inside (it was, until stop 61)
    assert shorten_message("short; take it again", 200) == "short; take it again"
    camera = "the camera distance could not be measured: +400 % ± 700 %. Hold the phone at the same distance"
    assert shorten_message(camera, 40) == camera  # its reason alone is one sentence: nothing left out


def test_shorten_message_leaves_out_whole_sentences_and_says_where_the_whole_is():
    """report.md's "Comparisons left out" cut a message inside a sentence ("the found line follows an edge rather
    than a…": Round 22's (iv), stop 61): a reason is now shortened to its first sentence or clause, whole, and those
    that follow within the limit, and says where the whole message is; nothing is cut inside a sentence."""
    from facemetrics.messages import WHOLE_MESSAGE_NOTE

    camera = _pose_and_camera_messages()[2]
    short = shorten_message(camera, 200)
    first = camera[:camera.index(". This was measured")]
    assert short == first + WHOLE_MESSAGE_NOTE + "; hold the phone at the same distance for every photo", short
    assert "\u2026" not in short and "whole message in changes.csv's `messages` column" in short
    text = "One. Two is here; three is next. Four; take it again"
    assert shorten_message(text, 20) == f"One. Two is here{WHOLE_MESSAGE_NOTE}; take it again"
    assert shorten_message(text, 2) == f"One{WHOLE_MESSAGE_NOTE}; take it again"
    for name, m in _message_constants().items():  # what is kept ends where a sentence or clause of it ends
        short = shorten_message(m, 40)
        if short != m:
            kept = short[:short.index(WHOLE_MESSAGE_NOTE)]
            assert m.startswith(kept) and m[len(kept):len(kept) + 2] in (". ", "; "), (name, kept)


def test_uncertain_notes_quote_the_camera_message_whole_with_its_remedy():
    """report.md's list of comparisons left out as 'uncertain' cut the camera message at its bracketed "; "
    ("...(+52 % of the distance, limit ±10 %") and every quote at 200 characters, which dropped the remedy."""
    from facemetrics.batch.timeline import uncertain_notes

    msgs = _pose_and_camera_messages()
    row = dict(photo="S01/rf/p.jpg", subject="S01", treatment="rf", hours_since_treatment=3.0, status="warning",
               jawline_lift_mm_verdict="uncertain", messages="; ".join(msgs))
    (line,) = uncertain_notes([row], ["jawline_lift_mm"])
    assert "limit ±10 %; no distance in cm is given" in line, line  # the bracket's "; " kept whole
    assert "hold the phone at the same distance for every photo" in line, line
    assert "retake the after photo facing the camera as in the before photo" in line, line
    (cam,) = uncertain_notes([dict(row, messages=msgs[2])], ["jawline_lift_mm"])
    assert cam.endswith(msgs[2][msgs[2].index("; hold the phone"):]), cam


def test_uncertain_notes_keep_the_clause_that_made_the_camera_message_uncertain():
    """report.md's 'uncertain' list cut a camera message beyond its checked range at "...: perspective changes the
    face's proportions. This was…; hold the phone ...": the reason its rows read 'uncertain', "the correction for it
    is beyond the ±42 % it was checked on", was cut away (u4's audit of a real study: debruine 30 cm before, 45 cm
    after, 2026-12-06).  The sentence holding the cause is kept whole; the first sentence's figures stay."""
    from facemetrics.batch.timeline import uncertain_notes

    camera = _pose_and_camera_messages()[2]
    assert camera.index(GATE.MSG_CAMERA_UNCHECKED) > 200  # beyond the 200 characters quoted
    row = dict(photo="A/mc/p.jpg", subject="A", treatment="mc", hours_since_treatment=0.75, status="warning",
               jawline_lift_mm_verdict="uncertain", messages=camera)
    (line,) = uncertain_notes([row], ["jawline_lift_mm"])
    assert GATE.MSG_CAMERA_UNCHECKED in line and "('uncertain')" in line, line
    assert "(+52 % ± 16 % of the distance, limit ±10 %" in line, line  # the first sentence's figures
    assert line.endswith("; hold the phone at the same distance for every photo"), line
    # the sentence after the first and before the kept one is left out, and where the whole is said (stop 61)
    text = "a b c d e f g h i j k. The middle sentence is long enough. The cause is here; take it again"
    note = " (whole message in changes.csv's `messages` column)"
    assert shorten_message(text, 30, keep="cause") == f"a b c d e f g h i j k. The cause is here{note}; take it again"
    assert shorten_message(text, 25, keep="sentence") == ("a b c d e f g h i j k. The middle sentence is long "
                                                          f"enough{note}; take it again")
    assert shorten_message(text, 12) == f"a b c d e f g h i j k{note}; take it again"  # without keep


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
    assert line.endswith("column); take both photos with the same relaxed, closed-mouth expression"), line
    assert ": expression differs: smile index -0.02" in line and "320 px" not in line, line


# ------------------------------------------------------------------ every message the package can emit (stop 47)
import ast  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from facemetrics.messages import REMEDY_STARTS, continues, is_remedy, remedy_start  # noqa: E402

PKG = Path(__file__).resolve().parents[1] / "facemetrics"

#: the modules whose messages reach a cell that split_messages, shorten_message or remedy_start read: changes.csv's
#: ``messages`` (compare, the batch's results and tables, a crash's), photos.csv's ``excluded`` (discover, tables,
#: pairing, the loader's and analyze's refusals), ``quality_flags`` (quality, occlusion), ``study import``'s lines
#: (store, sessions), the calibration warnings (geometry), the loader's integrity checks and the app's photos.csv
#: ``excluded`` and headline (uploads)
MESSAGE_MODULES = ("compare/*.py", "batch/tables.py", "batch/results.py", "batch/discover.py", "batch/workers.py",
                   "quality.py", "occlusion.py", "analyze.py", "loader.py", "pairing.py", "sessions.py", "store.py",
                   "isolated.py", "geometry.py", "integrity/*.py", "uploads.py")

#: the words that begin a clause after "; " or ". " in those modules' strings and are no remedy (a remedy's first
#: word is in messages.REMEDY_STARTS); "{...}": a clause filled in by a variable, by its expression.  A word in
#: neither list fails test_every_clause_word_is_a_remedy_or_listed_as_none: decide which it is
NOT_REMEDIES = {
    "a", "after", "also", "at", "called", "column", "dated", "docs", "each", "expected", "face", "faces", "floor",
    "in", "it", "its", "keys", "lifts", "limit", "limits", "measured", "microcurrent", "more", "no", "not",
    "nothing", "on", "one", "only", "or", "s01", "so", "sub-millimetre", "the", "this", "to", "two",
    "uncertainty", "what", "which", "with", "wrap", "x", "z",
    # clauses filled in by a variable: figures, names, limits and the gate's own clauses ("this was measured ...")
    "{'all' if n_default == n else n_default}", "{100 * np.mean(alpha < 255)}", "{_limits(ms)}", "{choice}",
    "{effect}", "{entries[i].photo}", "{fmt}", "{frames.replace(' was measured', ' was looked at')}", "{kept}",
    "{len(ours)}", "{n}", "{read}", "{treated.isoformat(timespec='minutes')}", "{unchecked}",
    "{what}", "{MSG_LIGHTING_FOLDS}", "{held}",
}

_CLAUSE = re.compile(r"[;.] ([A-Za-z'][\w'-]*)")


def _clause_words(path: Path) -> set[str]:
    """The first word of every clause after "; " or ". " in ``path``'s string literals (docstrings left out; an
    f-string's "; " before a ``{value}`` gives ``"{value}"``), lower case."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in docs or not isinstance(node, (ast.JoinedStr, ast.Constant)):
            continue
        parts = node.values if isinstance(node, ast.JoinedStr) else [node]
        for part, nxt in zip(parts, [*parts[1:], None]):
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out |= {m.group(1).lower() for m in _CLAUSE.finditer(part.value)}
                if part.value.endswith(("; ", ". ")) and isinstance(nxt, ast.FormattedValue):
                    out.add("{" + ast.unparse(nxt.value) + "}")
    return out


def test_every_clause_word_is_a_remedy_or_listed_as_none():
    """A message whose remedy begins with a verb split_messages does not know is cut in two (its remedy a
    'message' of its own) and shortened without it: "...: this comparison cannot show a change; compare two
    different photos" (compare.MSG_SAME_PICTURE) lost "compare two different photos" so (stop 46).  Every clause
    word of the message modules is a remedy's (messages.REMEDY_STARTS) or listed in NOT_REMEDIES."""
    words: dict[str, set[str]] = {}
    for pattern in MESSAGE_MODULES:
        for path in sorted(PKG.glob(pattern)):
            for w in _clause_words(path):
                words.setdefault(w, set()).add(str(path.relative_to(PKG)))
    assert len(words) > 40  # the reader reads
    unknown = {w: sorted(f) for w, f in words.items() if not is_remedy(w + " ") and w not in NOT_REMEDIES}
    assert unknown == {}, ("a new clause word: add it to messages.REMEDY_STARTS if it begins a remedy, else to "
                           f"NOT_REMEDIES: {unknown}")
    both = sorted(w for w in NOT_REMEDIES if is_remedy(w + " "))
    assert both == []
    stale = sorted(NOT_REMEDIES - set(words))
    assert stale == [], f"NOT_REMEDIES lists words no message module uses any more: {stale}"
    unused = sorted(s for s in REMEDY_STARTS if not any(is_remedy(w + " ") and (w + " ").startswith(s) for w in words)
                    and s.strip() != "flip")  # flip: after ": " (compare.gate.MSG_MIRROR_REMEDY), not read here
    assert unused == [], f"REMEDY_STARTS lists words no message module uses: {unused}"


def _message_constants() -> dict[str, str]:
    """Every whole message the package keeps as a constant (``MSG_*`` of the message modules, a template's
    ``{fields}`` filled with a name), by ``module.NAME``."""
    import importlib

    out = {}
    for name in ("compare", "compare.gate", "compare.identity", "compare.pose", "compare.framing", "compare.expression",
                 "compare.glasses", "compare.skin", "compare.iris_scale", "compare.fold_lines", "compare.disagreement",
                 "compare.fold_length", "compare.occlusion", "occlusion", "isolated", "batch.workers", "batch.tables",
                 "pairing"):
        mod = importlib.import_module(f"facemetrics.{name}")
        for k, v in vars(mod).items():
            # a remedy (MSG_MIRROR_REMEDY) or a clause (MSG_CAMERA_UNCHECKED) continues a message: none of its own
            if k.startswith("MSG_") and isinstance(v, str) and not continues(v):
                out[f"{name}.{k}"] = re.sub(r"\{\w+\}", "x.jpg", v)
    return out


def test_every_message_constant_splits_back_whole_and_keeps_its_remedy_when_shortened():
    """Each message constant joined with another splits back into the two, and shortened to 40 characters of
    reason keeps the remedy it has.  The crash messages ("...(..., twice); not measured. Re-save it ...") were
    split in two at "; not measured", and the same picture's lost its remedy (stop 46)."""
    msgs = _message_constants()
    assert len(msgs) > 50 and "compare.MSG_SAME_PICTURE" in msgs
    other = "the before photo is small (320 px wide; limit 480 px)"
    for name, m in msgs.items():
        assert split_messages(f"{other}; {m}; {other}") == [other, m, other], name
        at = remedy_start(m)
        if at < len(m):
            assert shorten_message(m, 40).endswith(m[at:]), name
    same = msgs["compare.MSG_SAME_PICTURE"]
    assert same.endswith("; compare two different photos")
    assert shorten_message(same, 60) == same  # one sentence and its remedy: whole (stop 61)
    crash = msgs["isolated.MSG_PHOTO_CRASHED"]
    assert shorten_message(crash, 40).endswith(". Re-save it as PNG or JPEG (open it in an image editor and export it)"
                                               " and x.jpg")


@pytest.mark.parametrize(("message", "remedy"), [
    # the mirror image's remedy after ": " (compare.gate's refusal of a mirrored pair)
    ("the after photo appears to be a mirror image of the before photo (flipped left to right): after alignment "
     "the upper faces differ by 1.20 mm RMS as taken and 0.40 mm flipped. Its left and right are swapped, so no "
     "change can be read: {remedy} and compare again", None),
    # a second face's: "...which may not be the intended person: crop the photo to the one face"
    ("2 faces found in the after photo; measured the largest, on the left, which may not be the intended person: "
     "crop the photo to the one face", "crop the photo to the one face"),
    # the loader's refusal, its limit's "; " inside brackets
    ("image is too large: 20000x20000 = 400,000,000 pixels (limit 100,000,000 pixels; 50,000,000 for this PNG file, "
     "which is decoded whole); save a smaller copy of it, at most 7071x7071 pixels (50 MP, e.g. with an image "
     "editor's resize), and use that", "save a smaller copy of it"),
    # a session's conditional remedy (batch.tables.later_treatment_message)
    ("taken after another treatment of this subject began: rf treated at 2026-11-03T08:00 (2.0 h before this "
     "photo), after this session's treatment at 2026-11-02T08:00. Its change carries that treatment's effect too, "
     "so its rows are shown without a verdict ('uncertain') and the fits leave it out; if the photo belongs to that "
     "session, give it that treatment and treated_at (manifest or folder)", "if the photo belongs to that session"),
])
def test_a_remedy_after_a_colon_or_a_new_verb_is_kept_when_shortened(message, remedy):
    """remedy_start looked only after "; " and ". ": the mirror image's "...: flip one photo left to right ..." and a
    second face's "...: crop the photo ..." were cut as part of the reason."""
    from facemetrics.compare.gate import MSG_MIRROR_REMEDY

    message = message.replace("{remedy}", MSG_MIRROR_REMEDY)
    remedy = remedy or MSG_MIRROR_REMEDY
    short = shorten_message(message, 30)
    assert short.endswith(message[remedy_start(message):]) and remedy in short, short
    assert split_messages(message) == [message] and continues(remedy) is True


#: compare's refusal of two different people as a real study's changes.csv gave it (London 021 before, London 024
#: after, u4's audit, stop 54): its clause "; or hair, glasses, ..." continues it, with the remedy at its end
_DIFFERENT_PEOPLE = (
    "these may be different people: after alignment and the head-pose correction the upper faces (forehead, brows, "
    "nose bridge, eye corners) still differ by 2.27 mm RMS, the mean of 1.83 mm with the before photo as the "
    "reference and 2.70 mm with the after photo (limit 1.7 mm RMS; on this statistic different people read "
    "1.09-3.83 mm; one person photographed again from another distance (15-60 cm) read 0.14-0.33 mm); or hair, "
    "glasses, a strong expression or a blurred, low-resolution photo hide the upper face. Nothing on the lower face "
    "can be measured against it: retake the after photo like the before photo")


def test_the_different_people_refusal_splits_back_whole_with_its_remedy():
    """split_messages cut the refusal of two different people at "; or hair, glasses, ...", so the console's line
    on a refused comparison (and the app's list of a refused pair's other messages) lost its remedy, "retake the
    after photo like the before photo", and read "or hair, ..." as a message of its own (u4, stop 54)."""
    expression = "expression may differ: mouth corners moved 2.1 mm narrower (limit 0.5 mm)"
    assert split_messages(f"{_DIFFERENT_PEOPLE}; {expression}") == [_DIFFERENT_PEOPLE, expression]
    assert GATE.refusal_reasons(split_messages(f"{_DIFFERENT_PEOPLE}; {expression}")) == (
        [_DIFFERENT_PEOPLE], [expression])
    assert shorten_message(_DIFFERENT_PEOPLE, 60).endswith("column): retake the after photo like the before photo")


@pytest.mark.parametrize("reverse_mm", [2.70, float("nan")])
def test_the_different_people_refusal_says_its_finding_and_figure_in_a_short_first_sentence(reverse_mm):
    """The refusal's first sentence held both orders, the limit and both measured ranges in brackets before its
    "; or hair, ..." (411 characters), so report.md and the console, which keep a long message's first sentence
    whole, quoted it all (stop 61's review).  Its first sentence now says the finding, the statistic and its limit
    in under 200 characters; which statistic it is, the measured ranges, the other causes and the remedy follow.
    A far camera's clause carries the estimate's 95 % uncertainty, as the camera message does ("about 50 %" had
    none)."""
    from facemetrics.compare.identity import different_people_message, upper_face_match
    from facemetrics.compare.pose import _far_camera_clause
    from facemetrics.report import first_sentence

    m = upper_face_match(1.83, reverse_mm)
    camera = _far_camera_clause({"camera_distance_change_pct": -50.0, "pose_sd": {"camera_distance_change_pct": 3.0}})
    assert camera.startswith("; or the camera moved much closer (50 % ± 16 % of the distance, beyond the ±42 %")
    msg = different_people_message(m, camera)
    first, rest = first_sentence(msg)
    assert len(first) < 200 and first == (
        f"{GATE.MSG_DIFFERENT_PEOPLE}: after alignment and the head-pose correction the upper faces (forehead, brows, "
        f"nose bridge, eye corners) still differ by {m.residual_mm:.2f} mm RMS (limit {m.refuse_mm:g} mm RMS)."), first
    assert m.different_people in rest and m.same_person in rest and "hair, glasses" in rest and camera in rest
    assert msg.endswith(". Nothing on the lower face can be measured against it: retake the after photo like the "
                        "before photo")
    expression = "expression may differ: mouth corners moved 2.1 mm narrower (limit 0.5 mm)"
    assert split_messages(f"{msg}; {expression}") == [msg, expression]
    assert shorten_message(msg, 200) == (first[:-1] + " (whole message in changes.csv's `messages` column): retake "
                                         "the after photo like the before photo")
