"""The console report of a batch or a study import (facemetrics.batch.console): its one job, and its lines on a
manifest and on photos without a capture time built from the photos' structured reasons, not from the text of
photos.csv's ``excluded`` (which `cli.py` regex-parsed to rebuild what the manifest said)."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

import facemetrics.batch.console as console
import facemetrics.batch.tables as tables
from facemetrics.batch import Excluded, Reason, discover
from facemetrics.batch.discover import NO_TIME, NOT_FOUND, NOT_LISTED, TIME_DOTTED, TIME_UNREAD

from test_messages import _DIFFERENT_PEOPLE


def test_the_console_module_builds_lines_and_neither_parses_arguments_nor_prints():
    tree = ast.parse(Path(console.__file__).read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"argparse", "sys", "re"}, imported
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "print" not in called and "open" not in called, called
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not attrs & {"stdout", "stderr", "write"}, attrs
    # the CLI keeps no builder of its own: they are here
    import facemetrics.cli as cli

    for name in ("_batch_lines", "_manifest_lines", "_no_capture_time_lines", "_batch_summary", "_reasons"):
        assert not hasattr(cli, name), name


def _dotted(**fields) -> Excluded:
    reason = Reason(TIME_DOTTED, "text the console does not read", manifest="study/m.csv", row=3, column="taken_at",
                    value="2026-11-02 09.30", reading="(if 09:30 was meant: 2026-11-02T09:30)")
    return Excluded("S01/rf/after.jpg", "text the console does not read", (replace(reason, **fields),))


def test_a_manifest_line_is_built_from_the_reasons_fields_not_its_text():
    (line,) = console.manifest_lines([_dotted()], "study/m.csv")
    assert line.startswith("1 time in study/m.csv is written with a dot after the hours or the minutes, so its photo "
                           "is not used: row 3 (S01/rf/after.jpg), column 'taken_at': '2026-11-02 09.30' (if 09:30 "
                           "was meant: 2026-11-02T09:30). ISO 8601 reads 08.20"), line
    # each field changes the line; the text changes nothing
    assert console.manifest_lines([_dotted(row=7)], "study/m.csv") == [line.replace("row 3 (", "row 7 (")]
    assert console.manifest_lines([_dotted(column="treated_at")], "study/m.csv") == [
        line.replace("column 'taken_at'", "column 'treated_at'")]
    assert console.manifest_lines([_dotted(reading="(if 21:30 was meant: 2026-11-02T21:30)")], "study/m.csv") == [
        line.replace("(if 09:30 was meant: 2026-11-02T09:30)", "(if 21:30 was meant: 2026-11-02T21:30)")]
    assert "(if" not in console.manifest_lines([_dotted(reading="")], "study/m.csv")[0]
    assert console.manifest_lines([_dotted(text="another text")], "study/m.csv") == [line]
    (unread,) = console.manifest_lines([_dotted(code=TIME_UNREAD, value="noon", reading="")], "study/m.csv")
    assert unread.startswith("1 time in study/m.csv cannot be read, so its photo is not used: row 3 "
                             "(S01/rf/after.jpg), column 'taken_at': 'noon'. Write it as "), unread
    # the same words in the text alone, without their reason: no line (it was read from the text)
    assert console.manifest_lines([Excluded("a.jpg", "manifest m.csv row 3, column 'taken_at': capture time "
                                                     "'noon' is not a time facemetrics reads")], "m.csv") == []
    assert console.manifest_lines([_dotted()], None) == []


def test_discover_keeps_each_manifest_reason_with_its_fields_and_the_note_is_unchanged(tmp_path):
    """photos.csv's ``excluded`` (the entries' notes) is what it was: the reasons' texts joined; the fields are the
    manifest's path, row, column, value and the time meant."""
    folder = tmp_path / "study"
    (folder / "S01" / "rf").mkdir(parents=True)
    for name in ("a.jpg", "b.jpg", "c.jpg", "d.jpg"):
        (folder / "S01" / "rf" / name).write_bytes(b"not read here")
    manifest = tmp_path / "m.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n"
                        "S01/rf/a.jpg,S01,rf,2026-11-02 09.30,2026-11-02T08:00\n"
                        "S01/rf/b.jpg,S01,rf,noon,2026-11-02 08.20\n"
                        "S01/rf/c.jpg,S01,rf,2026-11-02T09:00,2026-11-02T08:00\n"
                        "S01/rf/gone.jpg,S01,rf,2026-11-02T10:00,2026-11-02T08:00\n", encoding="utf-8")
    entries = {e.photo: e for e in discover(folder, manifest)}
    for e in entries.values():
        assert e.note == "; ".join(r.text for r in e.reasons), e
    (a,) = entries["S01/rf/a.jpg"].reasons
    assert (a.code, a.manifest, a.row, a.column, a.value, a.reading) == (
        TIME_DOTTED, str(manifest), 2, "taken_at", "2026-11-02 09.30", "(if 09:30 was meant: 2026-11-02T09:30)")
    assert a.text.startswith("manifest m.csv row 2, column 'taken_at': capture time '2026-11-02 09.30' has a decimal "
                             "fraction after the hours (09.30)"), a.text
    b1, b2 = entries["S01/rf/b.jpg"].reasons
    assert (b1.code, b1.row, b1.column, b1.value) == (TIME_UNREAD, 3, "taken_at", "noon")
    assert "12:00" in b1.reading, b1.reading  # noon: the time meant (timekeys.time_meant)
    assert (b2.code, b2.column, b2.reading) == (TIME_DOTTED, "treated_at", "(if 08:20 was meant: 2026-11-02T08:20)")
    assert entries["S01/rf/c.jpg"].reasons == () and entries["S01/rf/c.jpg"].note == ""
    (d,) = entries["S01/rf/d.jpg"].reasons
    assert (d.code, d.manifest) == (NOT_LISTED, str(manifest))
    assert d.text == "not in manifest m.csv: add a row for it (a manifest lists every photo it uses)"
    (gone,) = entries["S01/rf/gone.jpg"].reasons
    assert (gone.code, gone.row, gone.column, gone.value) == (NOT_FOUND, 5, "photo", "S01/rf/gone.jpg")
    assert gone.text == (f"listed in manifest m.csv row 5 but not found in {folder}: correct its path (relative to "
                         f"{folder}) or remove the row")
    left = [Excluded(e.photo, e.note, e.reasons) for e in entries.values()]
    unlisted, missing, dotted, unread = console.manifest_lines(left, "m.csv")
    assert unlisted.startswith("1 photo of the folder is not in m.csv, so it is not used: S01/rf/d.jpg. "), unlisted
    assert missing.startswith("1 row of m.csv names a photo that is not in the folder: row 5 (S01/rf/gone.jpg). ")
    assert ("so their photos are not used: row 2 (S01/rf/a.jpg), column 'taken_at': '2026-11-02 09.30' (if 09:30 was "
            "meant: 2026-11-02T09:30); row 3 (S01/rf/b.jpg), column 'treated_at': '2026-11-02 08.20' (if 08:20 was "
            "meant: 2026-11-02T08:20). ") in dotted, dotted
    assert "so its photo is not used: row 3 (S01/rf/b.jpg), column 'taken_at': 'noon' (if 12:00 noon was meant: " in unread, unread


@pytest.mark.parametrize("codes, named", [((NO_TIME,), True), ((NOT_LISTED, NO_TIME), False), ((), False)])
def test_the_no_capture_time_line_follows_the_reasons_codes(codes, named):
    text = "no capture time (no EXIF DateTimeOriginal and none in the manifest): whatever the text says"
    left = Excluded("me/rf/shot.png", text, tuple(Reason(c, text) for c in codes))
    lines = console.no_capture_time_lines([left], output="out", folder="me")
    assert (lines != []) == named, lines
    if named:
        assert "compared with nothing: me/rf/shot.png. " in lines[0], lines


def test_no_changes_counts_a_time_written_with_a_dot_by_its_code_not_the_tail_of_its_sentence(tmp_path, capsys):
    """A batch with no change whose manifest writes its times with a dot (``2026-11-02 09.30``) printed "2 photos:
    accepted: 2026-11-02T08:20 or ..." as if it were a reason: the reasons were counted by splitting photos.csv's
    ``excluded`` at "; ", and timekeys' sentence on a dotted time holds "; accepted: ..." (2026-12-05).  They are
    counted by their code; photos.csv's ``excluded`` is what it was (the sentence whole)."""
    import pandas as pd
    from PIL import Image

    from facemetrics.cli import main

    folder = tmp_path / "study"
    (folder / "anna" / "rf").mkdir(parents=True)
    for name, shade in (("after.png", 10), ("after2.png", 200)):  # too small to measure: no MediaPipe needed
        Image.new("RGB", (8, 8), (shade, shade, shade)).save(folder / "anna" / "rf" / name)
    manifest = tmp_path / "m.csv"
    manifest.write_text("photo,subject,treatment,taken_at,treated_at\n"
                        "anna/rf/after.png,anna,rf,2026-11-02 09.30,2026-11-02T08:00\n"
                        "anna/rf/after2.png,anna,rf,2026-11-02 10.30,2026-11-02T08:00\n", encoding="utf-8")
    assert main(["batch", str(folder), "-o", str(tmp_path / "out"), "--manifest", str(manifest)]) == 1  # nothing compared
    summary = next(x for x in capsys.readouterr().out.splitlines() if "No photo could be compared." in x)
    assert summary.endswith(" No photo could be compared. 2 photos: cannot be read (photos.csv's status and error say "
                            "why). 2 photos: capture time in the manifest with a dot (08.20)."), summary
    assert "accepted:" not in summary, summary
    excluded = pd.read_csv(tmp_path / "out" / "photos.csv")["excluded"]
    assert excluded.str.contains(r"\(if 09:30 was meant: 2026-11-02T09:30\); accepted: 2026-11-02T08:20").any(), \
        list(excluded)


def test_each_reason_of_excluded_is_kept_whole_as_a_reason_and_counted_once():
    """A batch's photo rows keep every reason of ``excluded`` as a Reason, in order (their texts joined are the
    cell): a copy of a before photo dated differently ("...; dated ...: both are before photos ...") and a
    treated_at.txt time written with a dot ("...; accepted: ...") are one reason each, never split."""
    from facemetrics.batch.console import excluded_reasons
    from facemetrics.batch.discover import NOT_MEASURED, OTHER, PhotoEntry
    from facemetrics.batch.tables import NO_CAPTURE_TIME, _comparison_jobs, _table_row

    def row(name, taken_at, sha, treated_at="2026-12-01T08:00", status="ok"):
        e = PhotoEntry(Path(name), name, subject="s", treatment="rf", treated_at=treated_at)
        return _table_row(e, {"status": status, "error": "bad file" if status != "ok" else "", "taken_at": taken_at,
                              "sha256": sha})

    rows = [row("a.jpg", "2026-12-01T07:00", "x"), row("b.jpg", "2026-12-01T07:30", "x"),
            row("c.jpg", "2026-12-01T09:00", "y"), row("d.jpg", "", "z", status="unreadable"),
            row("e.jpg", "", "w"), row("f.jpg", "2026-12-01T09:00", "v", treated_at="2026-12-01 08.20")]
    _comparison_jobs(rows)
    cells = {r["photo"]: r for r in rows}
    for r in rows:
        assert "; ".join(x.text for x in r["_reasons"]) == r["excluded"], r
    (copy,) = cells["b.jpg"]["_reasons"]
    assert copy.code == OTHER and "; dated 30 min before the treatment" in copy.text, copy
    (dotted,) = cells["f.jpg"]["_reasons"]
    assert "; accepted: " in dotted.text, dotted
    assert [x.code for x in cells["d.jpg"]["_reasons"]] == [NOT_MEASURED]
    assert [x.text for x in cells["e.jpg"]["_reasons"]] == [NO_CAPTURE_TIME]
    left = [Excluded(r["photo"], r["excluded"], r["_reasons"]) for r in rows if r["excluded"]]
    assert [excluded_reasons(e) for e in left] == [[copy.text], ["cannot be read (photos.csv's status and error say "
                                                   "why)"], ["no capture time"], [dotted.text]]
    said = console.why_no_changes(left, most=4)
    assert "accepted:" in said and " 1 photo: dated" not in said and " 1 photo: accepted" not in said, said
    # an entry without its reasons (built by hand, a comparison refused): its text split outside brackets, as before
    assert excluded_reasons(Excluded("p", "x (a; b); y")) == ["x (a; b)", "y"]
    # a reason kept for part of the text: counted by its code, the rest split; one reason counted once a photo
    both = Excluded("p", f"{NO_CAPTURE_TIME}; no treatment time; no treatment time", (Reason(NO_TIME, NO_CAPTURE_TIME),))
    assert excluded_reasons(both) == ["no capture time", "no treatment time"]


def test_a_refused_or_failed_comparison_is_a_reason_of_its_code_and_a_batch_of_them_says_why(tmp_path, monkeypatch):
    """A photo whose comparison was refused or failed kept its ``excluded`` text alone, no Reason: the console
    split it at "; " into a reason per message (measured angles in them, so no two photos alike), and said
    nothing when every comparison was refused (it spoke only when none was made).  Now the batch's comparing
    stage gives it one Reason of code COMPARISON_REFUSED / COMPARISON_FAILED (its text photos.csv's cell, as
    before), and a batch whose every comparison was refused or failed says why, counted by code (h4,
    2026-12-05).  The comparisons are stand-ins (no MediaPipe); the stage and the tables are the batch's."""
    import time

    import pandas as pd

    from facemetrics.batch import runner
    from facemetrics.batch.discover import COMPARISON_FAILED, COMPARISON_REFUSED, PhotoEntry

    said = {"p1.jpg": ("refused", ["the head is turned 25 deg in the after photo (limit 10 deg); retake it facing "
                                   "the camera", "the mouth is open in the after photo"]),
            "p2.jpg": ("refused", ["the head is turned 31 deg in the after photo (limit 10 deg); retake it facing "
                                   "the camera"]),
            "p3.jpg": ("error", ["ValueError: no alignment"])}
    times = {"b.jpg": "2026-12-01T07:00", "p1.jpg": "2026-12-01T09:00", "p2.jpg": "2026-12-01T10:00",
             "p3.jpg": "2026-12-01T11:00"}
    entries = [PhotoEntry(tmp_path / name, f"s/rf/{name}", subject="s", treatment="rf", taken_at=t,
                          treated_at="2026-12-01T08:00", sha256=name) for name, t in times.items()]
    rows = [{"status": "ok", "taken_at": e.taken_at, "sha256": e.sha256} for e in entries]

    def compared(pool, jobs, results, *args, **kwargs):  # compare's results, as the workers return them
        for key, _, (_, (base, (path, sha), _)) in jobs:
            status, messages = said[sha]
            results[key] = {"status": status, "messages": messages, "rows": []}
        return len(jobs), 0

    monkeypatch.setattr(runner, "_run_cached", compared)
    photo_rows, change_rows, _, _ = runner._changes_stage(entries, rows, tmp_path / ".cache", "k", {}, None, True,
                                                          False, None)
    res = runner._finish(tmp_path / "out", photo_rows, change_rows, compare=True, n_measured=4, n_cached=0,
                         n_compared=3, n_compare_cached=0, t0=time.perf_counter())
    kept = {e.photo: e for e in res.excluded}
    assert sorted(kept) == ["s/rf/p1.jpg", "s/rf/p2.jpg", "s/rf/p3.jpg"], kept
    for name, (status, messages) in said.items():
        e = kept[f"s/rf/{name}"]
        assert e.text == f"comparison {status}: " + "; ".join(messages), e  # photos.csv's cell as it was
        assert [(r.code, r.text) for r in e.reasons] == [
            (COMPARISON_REFUSED if status == "refused" else COMPARISON_FAILED, e.text)], e
    cells = pd.read_csv(tmp_path / "out" / "photos.csv").set_index("photo")["excluded"]
    assert cells["s/rf/p1.jpg"] == kept["s/rf/p1.jpg"].text

    why = (" No photo could be compared. 2 photos: comparison refused (changes.csv's status and messages say why). "
           "1 photo: comparison failed: facemetrics itself failed (ValueError; changes.csv's messages say more): "
           "please report it with the photos if you can share them.")
    assert console.why_no_changes(res.excluded) == why
    summary = console.batch_summary(res, tmp_path / "out")
    assert "3 changes, 3 of them refused or failed (their status in changes.csv); no photo left out" in summary, summary
    assert summary.endswith(why), summary
    # one comparison that gave a change: no such line (the changes are there to read)
    ok = [dict(r, status="ok") if r["photo"] == "s/rf/p3.jpg" else r for r in res.change_rows]
    assert "No photo could be compared" not in console.batch_summary(replace(res, change_rows=ok), tmp_path / "out")


def test_nothing_compared_says_why_a_batch_compared_nothing():
    """`batch` exits 1 when nothing was compared (stop 45's audit: it exited 0), with this one line: no photo
    measured, none paired, or every comparison refused or failed; "" when one comparison (the regimen's too)
    gave a change."""
    from types import SimpleNamespace

    from facemetrics.batch.console import nothing_compared

    def res(n_ok, statuses, n=3):
        return SimpleNamespace(photo_rows=[{}] * n, n_ok=n_ok, change_rows=[{"status": s} for s in statuses])

    assert nothing_compared(res(0, [])).startswith("no photo could be measured (3 photos;")
    assert nothing_compared(res(2, [])).startswith("no comparison could be made (2 of 3 photos measured, none paired")
    assert nothing_compared(res(3, ["refused", "error"])).startswith("every one of the 2 comparisons was refused or "
                                                                     "failed (changes.csv's status and messages")
    assert nothing_compared(res(3, ["refused", "warning"])) == ""
    assert nothing_compared(res(3, ["refused"]), res(2, ["ok"])) == ""  # the regimen's comparison counts
    assert nothing_compared(res(3, []), res(2, ["refused"])).startswith("every one of the 1 comparison was refused")


def test_batch_names_the_comparisons_the_timeline_fits_with_the_warning_expression_may_differ(capsys):
    """A comparison with the gate's flow cues alone (``MSG_EXPRESSION_MAYBE``: the mouth corners moved as in a smile,
    the lips kept their shape) keeps its verdicts and enters the decay fits; a gently smiling 24 h photo flipped the
    demo's microcurrent verdict (docs/validation.md §14).  ``timeline`` listed such photos; ``batch`` said nothing of
    them (h1, stop 46).  Its console (and its regimen's) now prints the timeline's own lines for them, the timeline's
    default series only (a fold-depth side counts; a photo whose fitted verdicts all read 'uncertain' is not listed),
    and ``study report``, which prints both, says each once."""
    from types import SimpleNamespace

    import pandas as pd

    from facemetrics.batch.fit_notes import expression_kept_notes
    from facemetrics.cli import _print_verdicts
    from facemetrics.compare.gate import MSG_EXPRESSION_MAYBE

    maybe = (f"{MSG_EXPRESSION_MAYBE}: the mouth corners widened 2.1 mm (limit 1.5 mm), while the lips kept their "
             "shape. A change of expression ...")
    nan = float("nan")

    def row(photo, h, messages, jaw, fold_right, status="warning"):
        return dict(subject="S01", treatment="mc", photo=f"S01/mc/{photo}", hours_since_treatment=h, status=status,
                    messages=messages, jawline_lift_mm_verdict=jaw, mouth_corner_lift_mm_verdict=jaw,
                    nlf_depth_right_verdict=fold_right, nlf_depth_left_verdict="uncertain" if jaw == "uncertain"
                    else fold_right, jowl_lift_mm_verdict="lifted")
    rows = [row("p1.jpg", 1.0, maybe, "lifted", "within_noise"),  # listed
            row("p2.jpg", 2.0, maybe, "uncertain", "uncertain"),  # all fitted verdicts uncertain (the jowl's is not)
            row("p3.jpg", 4.0, "", "lifted", "lifted", status="ok"),  # no warning
            row("p4.jpg", 24.0, maybe, nan, "deeper"),  # the fold depth's sides are fitted: listed
            row("p5.jpg", 48.0, maybe, "lifted", "lifted", status="refused")]  # refused: not fitted
    done = dict(merged=[], time_notes=[], taken_at_notes=[], photo_rows=[])
    lines = [x for x in console.batch_lines(SimpleNamespace(**done, change_rows=rows), kept_lines=True)
             if x.startswith(console.KEPT_WITH_WARNING)]  # study report's (batch's: one line naming them)
    assert [x.split("`")[1] for x in lines] == ["S01/mc/p1.jpg", "S01/mc/p4.jpg"], lines
    assert lines[1] == ("kept in the fit with a warning: `S01/mc/p4.jpg` (S01, mc, 24 h since treatment): "
                        f"{MSG_EXPRESSION_MAYBE} (the mouth corners widened 2.1 mm (limit 1.5 mm))")
    # the timeline's words for the same rows (its default series)
    cols = ["jawline_lift_mm", "mouth_corner_lift_mm", "nlf_depth_right", "nlf_depth_left"]
    clean = [{k: ("" if v is nan else v) for k, v in r.items()} for r in rows]
    assert lines == [f"kept in the fit with a warning: {n}" for n in expression_kept_notes(clean, cols)]
    reg = SimpleNamespace(time_notes=[], change_rows=rows[:1])
    assert console.regimen_lines(reg, "out", kept_lines=True)[-1] == lines[0].replace("warning: `",
                                                                                      "warning: regimen: `")
    assert not [x for x in console.batch_lines(SimpleNamespace(**done, change_rows=rows[1:3]), kept_lines=True)
                if x.startswith(console.KEPT_WITH_WARNING)]
    # batch's own console: one line naming both, the timeline's lines left to `timeline` (stop 58: said twice)
    assert [x for x in console.batch_lines(SimpleNamespace(**done, change_rows=rows))
            if x.endswith(console.KEPT_AHEAD_END)] == [
        f"2 comparisons the fits will keep with a warning, {MSG_EXPRESSION_MAYBE}: `S01/mc/p1.jpg` and `S01/mc/p4.jpg` "
        f"{console.KEPT_AHEAD_END}"]
    # study report prints the batch's lines, then the timeline's: each kept line once
    table = pd.DataFrame()
    table.attrs["expression_kept_notes"] = [x.removeprefix(console.KEPT_WITH_WARNING) for x in lines]
    _print_verdicts(table, said=lines[:1])
    assert capsys.readouterr().out.splitlines() == lines[1:]


def test_batch_names_each_kept_photo_whole_from_its_record():
    """``batch``'s one line per warning names the photos of the comparisons the fits will keep (``KeptNote.photo``):
    it read them back out of the timeline's lines, up to "`` (``", so a name holding those two characters was cut
    short ("`S01/mc/p`" for "S01/mc/p` (2).jpg"; stop 60, g2).  Fails on the old code."""
    from types import SimpleNamespace

    from facemetrics.compare.gate import MSG_EXPRESSION_MAYBE

    maybe = f"{MSG_EXPRESSION_MAYBE}: the mouth corners widened 2.1 mm (limit 1.5 mm), while the lips kept their shape."
    odd = "S01/mc/p` (2).jpg"
    rows = [dict(subject="S01", treatment="mc", photo=photo, hours_since_treatment=h, status="warning", messages=maybe,
                 jawline_lift_mm_verdict="lifted") for photo, h in ((odd, 2.0), ("S01/mc/p24.jpg", 24.0))]
    done = dict(merged=[], time_notes=[], taken_at_notes=[], photo_rows=[])
    (line,) = [x for x in console.batch_lines(SimpleNamespace(**done, change_rows=rows))
               if x.endswith(console.KEPT_AHEAD_END)]
    assert line == (f"2 comparisons the fits will keep with a warning, {MSG_EXPRESSION_MAYBE}: `{odd}` and "
                    f"`S01/mc/p24.jpg` {console.KEPT_AHEAD_END}"), line
    (reg,) = console.kept_ahead_lines(rows[:1], regimen=True)
    assert reg.startswith(f"regimen: 1 comparison the fits will keep with a warning, {MSG_EXPRESSION_MAYBE}: `{odd}` ")
    # the record, and its line as the timeline prints it
    from facemetrics.batch.fit_notes import KeptNote, expression_kept

    note = expression_kept(rows, ["jawline_lift_mm", "mouth_corner_lift_mm"])[0]  # the one whose cell holds a verdict
    assert note == KeptNote(odd, "S01", "mc", MSG_EXPRESSION_MAYBE, 2.0, "2 h since treatment",
                            f"{MSG_EXPRESSION_MAYBE} (the mouth corners widened 2.1 mm (limit 1.5 mm))",
                            ("jawline_lift_mm",))
    assert str(note.in_regimen().with_remark("; x")) == (f"regimen: `{odd}` (S01, mc, 2 h since treatment): "
                                                         f"{note.said}; x")


#: compare's refusal of two different people as a real study's changes.csv gave it (London 021 before, London 024
#: after in one session, u4's audit, stop 54; tests/test_messages.py's), then the expression warning the gate gave the
#: pair too
_EXPRESSION = "expression may differ: mouth corners moved 2.1 mm narrower (limit 0.5 mm)"


def test_batch_names_each_refused_comparison_and_why():
    """`batch` counted a refused comparison ("8 changes, 1 of them refused or failed (their status in
    changes.csv)") and said neither which nor why, and `study report` said nothing of it at all: a session of two
    different people read as one missing its photos (u4's audit of a real study, stop 54).  Each refused or failed
    comparison now has a line: its photo, subject, treatment and hours, the reasons that refused it (not the other
    warnings), each with its figures and its remedy."""
    from types import SimpleNamespace

    rows = [{"photo": "C/rf/b.jpg", "subject": "C", "treatment": "rf", "hours_since_treatment": 0.75,
             "status": "refused", "messages": f"{_DIFFERENT_PEOPLE}; {_EXPRESSION}"},
            {"photo": "C/rf/c.jpg", "subject": "C", "treatment": "rf", "hours_since_treatment": 2,
             "status": "error", "messages": "comparison error: ValueError: no alignment"},
            {"photo": "A/mc/b.jpg", "subject": "A", "treatment": "mc", "hours_since_treatment": 1,
             "status": "warning", "messages": _EXPRESSION}]
    lines = console.refused_lines(rows)
    assert len(lines) == 2, lines
    assert lines[0].startswith("comparison refused: `C/rf/b.jpg` (C, rf, 0.75 h since treatment): these may be "
                               "different people: after alignment"), lines[0]
    assert "2.27 mm RMS" in lines[0] and "limit 1.7 mm RMS" in lines[0] and lines[0].endswith(": retake the after photo like the before photo")
    assert "expression may differ" not in lines[0]  # a warning, not why it was refused
    assert lines[1] == ("comparison failed: `C/rf/c.jpg` (C, rf, 2 h since treatment): comparison error: "
                        "ValueError: no alignment")
    res = SimpleNamespace(merged=[], time_notes=[], taken_at_notes=[], change_rows=rows, photo_rows=[])
    said = console.batch_lines(res, summary="SUMMARY")
    assert said[said.index("SUMMARY") + 1:said.index("SUMMARY") + 3] == lines, said
    assert console.refusal_gist(rows[0]) == "these may be different people"
    assert console.refusal_gist(rows[1]) == "comparison error"


def test_the_summary_of_a_batch_that_left_no_photo_out_sends_no_one_to_a_column():
    """The clinic RF audit's `batch` (stop 58) said "0 photos left out of the changes (the 'excluded' column of
    photos.csv says why)": a reason for nothing.  None left out now reads so, with no column to look in."""
    from facemetrics.batch.runner import BatchResult

    rows = [dict(photo="a.jpg", status="ok"), dict(photo="b.jpg", status="ok")]
    res = BatchResult(photo_rows=rows, change_rows=[dict(photo="b.jpg", status="ok")], long_rows=[], out_dir=Path("o"))
    line = console.batch_summary(res, "out")
    assert "; no photo left out of the changes. Tables in out:" in line and "says why" not in line, line
    res.excluded = [Excluded("a.jpg", "no baseline photo")]
    assert ("; 1 photo left out of the changes (the 'excluded' column of photos.csv says why). Tables in out:"
            in console.batch_summary(res, "out"))


@pytest.mark.parametrize("manifest", [None, "m.csv"])
def test_batch_and_study_import_give_one_manifest_hint(manifest):
    """`batch` and `study import` told a user how to give photos without a capture time their times in a manifest
    in two wordings ("fill in their taken_at ... in a copy of photos.csv under another name (it reads as a manifest,
    which lists every photo: one not listed is left out)" against "give each its time in a manifest's taken_at
    column (--manifest CSV), as for `facemetrics batch`: a manifest lists every photo it imports, with photo,
    subject, ..."); one now (stop 64 h2): the same why, the same time example, the same manifest sentence."""
    left = [Excluded(f"s/rf/{p}", "no capture time", (Reason(NO_TIME, "no capture time"),)) for p in ("a.png", "b.png")]
    (batch,) = console.no_capture_time_lines(left, manifest, output="out", folder="s")
    (imp,) = console.import_untimed_lines([e.photo for e in left], "s", manifest)
    why = f"2 photos have {console.UNTIMED_WHY}"
    assert batch.startswith(why + ", so they are compared with nothing: s/rf/a.png, s/rf/b.png. To use them, fill in")
    assert imp.startswith(why + ": s/rf/a.png, s/rf/b.png. To import them, fill in"), imp
    head = f"fill in their taken_at ({tables.TIME_EXAMPLE}) in "
    if manifest:
        assert batch.endswith(head + "m.csv and run batch again with it."), batch
        assert imp.endswith(head + "m.csv and import again with it."), imp
    else:
        said = f"under another name ({tables.MANIFEST_LISTS}) and "
        assert head + f"a copy of out/photos.csv {said}run batch again with --manifest COPY (facemetrics batch s" in batch
        assert (head + f"a copy of OUT/photos.csv (facemetrics batch s -o OUT writes it) {said}import again with "
                "--manifest COPY (facemetrics study import s --manifest COPY; ") in imp, imp
        assert "subject, treatment, taken_at and treated_at" in tables.MANIFEST_LISTS
