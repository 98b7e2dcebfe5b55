"""The pointer to the note on 'uncertain' says where the note is (Round 18's (b), docs/validation.md section 12;
fixed at stop 58, Round 19): report.md prints the note once, under the verdicts, so the verdict lines above it
point "below" and the "Subjects without a fit of their own" and "Regimen" lines under it pointed "below" too, at a
note above them.  Each line that refers to the note now names the direction it truly lies in."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from test_follow_on import MC, two_sessions  # noqa: E402  (the tests' usual change tables)

from facemetrics.batch import LONG_COLUMNS, run_timeline  # noqa: E402

REF = "see the note on 'uncertain'"


def _directions(lines: list[str]) -> list[tuple[int, int, str]]:
    """``(line index, note's line index, direction said)`` of each line that points to the note."""
    note = [i for i, ln in enumerate(lines) if ln.startswith("Note on 'uncertain': ")]
    assert len(note) == 1, lines
    out = []
    for i, ln in enumerate(lines):
        if REF in ln:
            said = ln.split(REF, 1)[1].split(")", 1)[0].strip()
            out.append((i, note[0], said))
    return out


def _batch(tmp_path) -> Path:
    """Three subjects' one session each; two of S3's photos read 'uncertain', so S3 has no fit of its own and its
    reason refers to the note, as the pooled verdict's does."""
    out = tmp_path / "batch"
    out.mkdir()
    long = two_sessions(96.0, MC, first_times=(0.5, 1.0, 3.0, 6.0, 24.0, 48.0), second_times=())
    long.loc[long["photo"].isin(["S3/s1/3h.jpg", "S3/s1/6h.jpg"]), "verdict"] = "uncertain"
    long.reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    return out


def test_report_md_points_to_the_note_where_it_is(tmp_path):
    out = _batch(tmp_path)
    run_timeline(out, n_boot=100, seed=0)
    lines = (out / "report.md").read_text().splitlines()
    said = _directions(lines)
    assert len(said) == 2, said  # the pooled verdict and S3's line under "Subjects without a fit of their own"
    for i, at, direction in said:
        assert direction == ("below" if i < at else "above, under the verdicts"), (lines[i], direction)
    assert any(i > at for i, at, _ in said)  # the line the old words pointed the wrong way from


def test_the_console_points_below_where_the_note_follows(tmp_path, capsys):
    from facemetrics.cli import _print_verdicts

    _, table = run_timeline(_batch(tmp_path), n_boot=100, seed=0)
    _print_verdicts(table)
    lines = capsys.readouterr().out.splitlines()
    said = _directions(lines)
    assert said and all(i < at and d == "below" for i, at, d in said), said


def test_a_regimen_line_under_the_note_points_above(tmp_path):
    """report.md's Regimen section is under the note too."""
    from facemetrics.decay.left_out import _UNREAD_CAUSES
    from facemetrics.report import timeline_markdown

    _, table = run_timeline(_batch(tmp_path), n_boot=100, seed=0)
    reg = table[table["subject"].isna()].head(1).copy()
    reg["kind"] = "regimen"
    reg["reason"] = f"1 photo was left out because its comparison read 'uncertain' ({_UNREAD_CAUSES.format(it='it')})."
    for col in ("day_n", "slope_per_week", "slope_per_week_ci_low", "slope_per_week_ci_high", "change_day_n",
                "change_day_n_ci_low", "change_day_n_ci_high"):
        reg[col] = 0.1
    full = pd.concat([table.assign(kind="decay"), reg], ignore_index=True)
    lines = timeline_markdown(full, None).splitlines()
    regimen = [i for i, ln in enumerate(lines) if ln.startswith("- **") and "`" in ln and REF in ln
               and i > next(j for j, x in enumerate(lines) if x.startswith("## Regimen"))]
    assert len(regimen) == 1, lines
    said = dict((i, d) for i, _, d in _directions(lines))
    assert said[regimen[0]] == "above, under the verdicts", lines[regimen[0]]


def test_the_note_names_every_cause_a_comparison_reads_uncertain_by_since_stop_64():
    """Low JPEG quality makes a comparison's rows 'uncertain' since stop 64 (compare.gate.low_jpeg_quality): the
    note on 'uncertain' that report.md prints names it with its limit, the gate's own."""
    from facemetrics.compare.gate import MIN_JPEG_QUALITY
    from facemetrics.decay.left_out import UNREAD_NOTE

    assert f"low JPEG quality (below {MIN_JPEG_QUALITY} of 100" in UNREAD_NOTE
