"""README.md's figures that can be checked mechanically (docs/readme_claims.md, 2026-12-05): the commands it
gives are the ones CI runs, the constants it names are the code's, the default and resolution floors it quotes
are what ``compare.floors`` computes, and the invariance and held-out accuracy figures it quotes are the rounded
figures of docs/accuracy.md's tables.  Figures measured on photos are not re-measured here (docs/readme_claims.md
lists their commands); a failing test here names the README figure that no longer says what its source says.

Since stop 52 (task r1, 2026-12-06) README is short and its details are docs/guide.md's (moved verbatim or lightly
edited): the checks of a passage that moved read it there, as strictly; README's accuracy table is checked against
docs/accuracy.md's tables cell by cell; and README itself must stay short and free of dates and commit hashes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide.md"


def _readme() -> str:
    """README.md with its white space folded (a figure may be split over two lines)."""
    return " ".join(README.read_text(encoding="utf-8").split())


def _guide() -> str:
    """docs/guide.md (README's details since stop 52) with its white space folded."""
    return " ".join(GUIDE.read_text(encoding="utf-8").split())


def _block(heading: str) -> list[str]:
    """The lines of the first ```bash block after the README heading ``heading``."""
    text = README.read_text(encoding="utf-8")
    part = text.split(f"## {heading}", 1)[1]
    code = part.split("```bash", 1)[1].split("```", 1)[0]
    return [ln.strip() for ln in code.strip().splitlines() if ln.strip()]


def _ci_commands() -> list[str]:
    """The commands of .ci/run, comments and blank lines left out."""
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


# ------------------------------------------------------------------------ commands (README = .ci/run)

def test_readme_install_is_what_ci_runs():
    """README's install: a Python 3.11 venv, activated, then ``pip install -r requirements.txt``; .ci/run does
    the same (its venv named .venv-ci, python3 only where no python3.11 command exists, and no pip upgrade)."""
    install = _block("Install (Python 3.11)")
    assert install == ["python3.11 -m venv .venv && . .venv/bin/activate", "pip install -r requirements.txt"]
    ci = _ci_commands()
    assert 'PY=$(command -v python3.11 || command -v python3)' in ci
    assert '"$PY" -m venv .venv-ci' in ci and ". .venv-ci/bin/activate" in ci
    assert "pip install -r requirements.txt" in ci
    assert not [c for c in ci if "pip install" in c and "--upgrade" in c], "CI upgrades pip; README does not"
    # nothing else is installed with pip (the browser comes from apt, as README's test section says)
    assert [c for c in ci if c.startswith("pip ") or " pip " in c] == ["pip install -r requirements.txt"]


def test_readme_test_command_is_what_ci_runs():
    assert _block("Run the tests") == ["python -m pytest"]
    assert _ci_commands()[-1] == "python -m pytest"


def test_readme_demo_command_is_the_one_its_test_runs():
    """README's sample run is ``facemetrics demo -o results``; tests/test_demo.py runs the same sub-command
    (smaller: one subject) and tests/test_demo.py's README check reads this very line."""
    assert _block("See it work on the bundled sample photos") == ["facemetrics demo -o results"]
    assert 'main(["demo", "-o"' in (ROOT / "tests" / "test_demo.py").read_text(encoding="utf-8")


# ------------------------------------------------------------------------ constants README names

def test_constants_named_in_the_guide_are_the_codes():
    """The constants README named until stop 52, in the passages docs/guide.md holds now."""
    from importlib import import_module

    from facemetrics import analyze, eyes, geometry, loader, pairing, quality

    discover = import_module("facemetrics.batch.discover")
    gate = import_module("facemetrics.compare.gate")  # facemetrics.compare.gate the attribute is a function

    text = _guide()
    named = {
        "pitch over 7.3°, yaw over 5.8°, camera distance over ±42 %":
            (gate.VALIDATED_PITCH_DEG, gate.VALIDATED_YAW_DEG, gate.MAX_CHECKED_CAMERA_PCT) == (7.3, 5.8, 42.0),
        "up to the 10° refusal": gate.REFUSE_PITCH_DEG == gate.REFUSE_YAW_DEG == 10.0,
        "more than 1.20 times the width": gate.MAX_FRAMING_RATIO == 1.20,
        "against 1.7 mm for a refusal": gate.DIFFERENT_PEOPLE_SYMMETRIC_MM == 1.7,
        "must be at least 0.26 (`eyes.MIN_IRIS_STEP`": eyes.MIN_IRIS_STEP == 0.26,
        "horizontal visible iris diameter (11.71 mm)": geometry.IRIS_DIAMETER_MM == 11.71,
        "iris chord corrected for reading 4.6 % wide": round((geometry.IRIS_CHORD_BIAS - 1) * 100, 1) == 4.6,
        "inter-pupillary distance (50-80 mm": geometry.IPD_RANGE_MM == (50.0, 80.0),
        "a face too small (< 150 px wide)": quality.MIN_FACE_WIDTH_PX == 150,
        "a head turned more than 25°": quality.HARD_MAX_YAW_DEG == 25.0,
        "(more than 45°": quality.HARD_MAX_FACE_ROTATION_DEG == 45.0,
        "at least 98 % of the largest's size": analyze.SEVERAL_FACES_SHARE == 0.98,
        "more than 30 days before its session's treatment": pairing.MAX_DAYS_BEFORE_TREATMENT == 30.0,
        "more than 365 days after its session's treatment": pairing.MAX_DAYS_AFTER_TREATMENT == 365.0,
        "Photos above 100 megapixels are refused": loader.MAX_PIXELS == 100_000_000,
        "(at most 50 megapixels decoded)": loader.MAX_DECODED_PIXELS == 50_000_000,
        "`--mm-per-px` outside 0.007-0.933": tuple(round(x, 3) for x in analyze.USER_MM_PER_PX_RANGE) == (0.007, 0.933),
        "an `--ipd-mm` outside 40-90 mm": analyze.USER_IPD_RANGE_MM == (40.0, 90.0),
        "more than 5 min from the photo's EXIF capture time": discover.MANIFEST_EXIF_MINUTES == 5.0,
    }
    for phrase, same in named.items():
        assert phrase in text, f"docs/guide.md no longer says {phrase!r}: update this test's phrase with the guide"
        assert same, f"docs/guide.md says {phrase!r}; the code's constant differs"


# ------------------------------------------------------------------------ floors README quotes

def test_default_floors_quoted_are_the_codes():
    from facemetrics.compare import DEFAULT_NOISE_FLOORS as F

    said = (f"jawline height {F[('jawline_height_mm', 'mean')]:g} mm, jaw width {F[('jaw_width_mm', 'mean')]:g} mm, "
            f"lower-face area {F[('lower_face_area_mm2', 'mean')]:g} mm², fold depth {F[('nlf_depth', 'side')]:g}")
    assert said in _readme() and said in _guide()  # README's 'What is measured' and the guide's both quote them
    # and README the floor of `compare`'s headline row, beside which the sample pair's own floor is read (stop 63)
    assert f"the jawline lift {F[('jawline_lift_mm', 'mean')]:g} mm (`compare`'s headline" in _readme()
    assert f"0.14 mm for the jawline against {F[('jawline_lift_mm', 'mean')]:g}" in _guide()


def test_resolution_floor_figures_quoted_are_what_the_code_computes():
    from facemetrics.compare import DEFAULT_NOISE_FLOORS
    from facemetrics.compare.floors import resolution_floors

    text = _guide()
    said = re.search(r"the jawline floor \(side / mean\) is (.*?) \(`compare\.floors\.resolution_floors`", text)
    assert said, "docs/guide.md's resolution floor sentence moved: update this test"
    pairs = re.findall(r"([\d.]+) / ([\d.]+) mm at ([\d.]+) mm/px", said.group(1))
    assert len(pairs) == 3, said.group(1)
    for side, mean, mmpp in pairs:
        got = resolution_floors(DEFAULT_NOISE_FLOORS, float(mmpp))
        for written, key in ((side, ("jawline_lift_mm", "side")), (mean, ("jawline_lift_mm", "mean"))):
            digits = len(written.split(".")[1])
            assert round(got[key], digits) == float(written), (mmpp, key, got[key], written)
    # "Up to 0.25 mm/px nothing changes"
    assert "Up to 0.25 mm/px nothing changes" in text
    assert resolution_floors(DEFAULT_NOISE_FLOORS, 0.25) == DEFAULT_NOISE_FLOORS


# ------------------------------------------------------------------------ figures quoted from docs/accuracy.md

def _accuracy_table(heading: str) -> list[list[str]]:
    """The rows (cells, stripped of ``**``) of the first Markdown table under ``## heading`` of docs/accuracy.md."""
    text = (ROOT / "docs" / "accuracy.md").read_text(encoding="utf-8")
    part = text.split(f"## {heading}", 1)[1]
    rows, started = [], False
    for line in part.splitlines():
        if line.startswith("|"):
            started = True
            cells = [c.strip().replace("**", "") for c in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif started:
            break
    return rows[1:]  # the header left out


def _pct(cell: str) -> float:
    return float(re.match(r"([\d.]+) %", cell).group(1))


def test_invariance_figures_are_docs_accuracy_table():
    """docs/guide.md (README's until stop 52): lengths within 4.3 %, area 7.5 %, fold length 6.2 %, ratios 3.7 %
    (fold-length ratios 4.1 %), docs/accuracy.md 'Invariance (bundled sample photo)', its last column
    (``bench/accuracy.py --invariance``)."""
    rows = {r[0]: r for r in _accuracy_table("Invariance (bundled sample photo)")}
    rel = {k: _pct(r[-1]) for k, r in rows.items()}
    text = _guide()
    assert (f"per-photo lengths stay within {rel['lengths (_mm)']:.1f} %") in text
    assert (f"(the area within {rel['area (_mm2)']:.1f} %, the fold's visible length within "
            f"{rel['fold length (_mm)']:.1f} %); the ratio columns within "
            f"{rel['ratios other than the fold lengths' + chr(39)]:.1f} % "
            f"(fold-length ratios {rel['ratios (_ipd, _ipd2)']:.1f} %)") in text


def test_heldout_fold_line_and_jaw_figures_are_docs_accuracy_table():
    """docs/guide.md's held-out fold line (median / p90) and jaw p90 (README's until stop 52; the bold cells of
    docs/accuracy.md 'Tuning and held-out faces', all held-out rows, to the guide's precision); the jaw median it
    quotes from ``bench/accuracy.py --heldout-ci`` (the table re-measured 2026-12-06, stop 54: 0.98, as that run;
    its 0.96 of 2026-12-02 was before the jaw's later rounds)."""
    rows = _accuracy_table("Tuning and held-out faces")
    held = [r for r in rows if r[1] == "all held-out"]
    fold, jaw = held[0], held[2]  # fold line, Face Mesh path, refined jaw contour: the table's order
    assert fold[2] == jaw[2] == "22"
    text = _guide()
    assert (f"The fold lines lie a median {float(fold[4]):.1f} mm (90th percentile {float(fold[5]):.1f} mm) from "
            f"smile lines placed by hand on 22 faces not used for tuning") in text
    assert f"(90th percentile {float(jaw[5]):.2f} mm) from hand-placed jaw points on the same held-out faces" in text



# ------------------------------------------------------------------------ README's accuracy table (stop 52)

def _readme_table(heading: str) -> list[list[str]]:
    """The body rows (cells) of the first Markdown table under README's ``## heading``."""
    part = README.read_text(encoding="utf-8").split(f"## {heading}", 1)[1]
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in part.splitlines()
            if ln.startswith("|")]
    return [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]


def test_readme_accuracy_table_is_the_docs_figures():
    """README's 'How accurate it is' table, tuning against held-out, copies its sources cell by cell: the fold
    line and jaw from docs/accuracy.md 'Tuning and held-out faces' (the jaw's held-out median from 'How well the
    held-out figures are known', the re-run of 2026-12-04), the head pose rows from docs/compare.md 'Head pose and
    camera distance: measured' (its 2026-12-04 figures, the 2026-12-03 ones in brackets left out)."""
    rows = {r[0]: r[1:] for r in _readme_table("How accurate it is")}
    acc = _accuracy_table("Tuning and held-out faces")
    tune = [r for r in acc if r[1] == "all tuning"]
    held = [r for r in acc if r[1] == "all held-out"]
    fold_t, jaw_t, fold_h, jaw_h = tune[0], tune[2], held[0], held[2]
    folded = " ".join((ROOT / "docs" / "accuracy.md").read_text(encoding="utf-8").split())
    jaw_median = re.search(r"held-out jaw points' median [\d.]+ → \*\*([\d.]+)\*\*", folded).group(1)
    fold = rows["fold line to smile lines placed by hand: median / 90th percentile"]
    jaw = rows["jaw contour to jaw points placed by hand: median / 90th percentile"]
    assert fold[:2] == [f"{fold_t[4]} / {fold_t[5]} mm ({fold_t[2]} faces)",
                        f"{fold_h[4]} / {fold_h[5]} mm ({fold_h[2]} faces)"]
    assert jaw[:2] == [f"{jaw_t[4]} / {jaw_t[5]} mm ({jaw_t[2]} faces)",
                       f"{jaw_median} / {jaw_h[5]} mm ({jaw_h[2]} faces)"]
    assert jaw_h[4] == jaw_median, (jaw_h, jaw_median)  # the table re-measured 2026-12-06: the two agree
    assert float(jaw_h[5]) > 3.0 and f"its held-out 90th percentile, {jaw_h[5]} mm, is over the 3 mm" in _readme()

    compare = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    part = compare.split("## Head pose and camera distance: measured", 1)[1]
    table = {r[0]: r for r in ([c.strip() for c in ln.strip().strip("|").split("|")]
                               for ln in part.splitlines() if ln.startswith("|"))}
    header = next(r for k, r in table.items() if k.startswith("2026-12-04"))
    faces = [re.search(r"\((\d+) faces", c).group(1) for c in header[1:3]]
    lifts = table["2 mm lift at pitch ±3° or 35 cm reads"][1:3]
    said = rows["a 2 mm lift photographed at pitch ±3°, or with the camera moved from 45 to 35 cm, reads"][:2]
    for cell, source, n in zip(said, lifts, faces):
        span = re.match(r"([\d.]+–[\d.]+) mm", source).group(1)
        hits, of = re.search(r"(\d+) of (\d+) `lift`", source).groups()
        assert cell == f"{span} mm, `lift` in {hits} of {of} ({n} faces)", (cell, source)
    false = table["no-change cases with a `lift`/`sag` verdict (jawline mean)"][1:3]
    said = rows["false lifts: unchanged faces re-rendered at another head pose or distance, jawline `lift`/`sag`"][:2]
    assert said == [re.sub(r" \(\d+\)", "", c) for c in false], (said, false)


# ------------------------------------------------------------------------ README stays short (stop 52)

#: README's limits: a reader finds what the tool does, installs it and runs it; the details are docs/guide.md's
MAX_LINES, MAX_BYTES, MAX_PARAGRAPH_LINES = 350, 30_000, 15


def paragraphs(text: str) -> list[list[str]]:
    """The prose paragraphs of Markdown ``text``: runs of lines outside fenced code blocks, cut at blank lines;
    a heading, a list item's first line and a table row each start a paragraph of their own."""
    out, cur, fenced = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out, cur = out + [cur] * bool(cur), []
            continue
        if fenced:
            continue
        if not line.strip() or line.lstrip().startswith(("- ", "|", "#")):
            out, cur = out + [cur] * bool(cur), []
        if line.strip():
            cur.append(line)
    return [p for p in out + [cur] if p]


def test_readme_stays_short():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES and len(text.encode()) <= MAX_BYTES, \
        (len(text.splitlines()), len(text.encode()))
    long = [p[0][:60] for p in paragraphs(text) if len(p) > MAX_PARAGRAPH_LINES]
    assert long == [], f"README paragraphs over {MAX_PARAGRAPH_LINES} lines (move the details to docs/guide.md): {long}"


def test_a_long_paragraph_is_found():
    """Negative control: a 16-line paragraph fails; 16 list items, a fenced block and a table do not."""
    para = "\n".join(f"line {i}" for i in range(16))
    assert [len(p) for p in paragraphs(para)] == [16]
    items = "\n".join(f"- item {i}" for i in range(16)) + "\n```bash\n" + para + "\n```\n" + "| a |\n" * 16
    assert max(len(p) for p in paragraphs(items)) == 1


DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
COMMIT = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b")


def test_readme_prose_has_no_dates_or_commit_hashes():
    """A figure's date and commit are docs/readme_claims.md's and the docs' (its provenance), not README's prose;
    commands in code blocks may hold a date (``--treated-at 2026-11-02T08:15``)."""
    prose = "\n".join(line for p in paragraphs(README.read_text(encoding="utf-8")) for line in p)
    assert DATE.findall(prose) == [] and COMMIT.findall(prose) == [], (DATE.findall(prose), COMMIT.findall(prose))
    assert DATE.findall("re-run 2026-12-05 on 8d3ab25") and COMMIT.findall("re-run 2026-12-05 on 8d3ab25")

if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


# ------------------------------------------------------------------------ bench/readme_claims.py's listing

def test_readme_claims_reads_figures_not_names():
    """The listing behind docs/readme_claims.md: ranges stay whole, Unicode minus and thin thousands are kept,
    dates, stop numbers, inline code and link targets are not figures, and code blocks are skipped."""
    sys.path.insert(0, str(ROOT / "bench"))
    import readme_claims as rc

    line = ("It took 13-36 s (2026-12-02; stop 27, §16-§19) at −0.56 to +0.18 mm, 14 976 files, 1 of 58, "
            "`bench/x.py --n-per 50` [docs](docs/a.md#round-9), 2.4–5.2 h")
    assert rc.figures_of(line) == ("13-36", "−0.56", "+0.18", "14 976", "1", "58", "2.4–5.2")
    text = "a 3 mm lift\n```bash\nfacemetrics demo -o 7\n```\nat 4.5 mm"
    assert [(c.line, c.figures) for c in rc.claims(text)] == [(1, ("3",)), (5, ("4.5",))]
    docs = {"a.md": "fold 2.4-5.2 h; p90 3.83", "b.md": "3.8 %"}
    assert rc.docs_holding("2.4–5.2", docs) == ["a.md"] and rc.docs_holding("3.8", docs) == ["b.md"]
