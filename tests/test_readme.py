"""README.md's figures that can be checked mechanically (docs/readme_claims.md, 2026-12-05): the commands it
gives are the ones CI runs, the constants it names are the code's, the default and resolution floors it quotes
are what ``compare.floors`` computes, and the invariance and held-out accuracy figures it quotes are the rounded
figures of docs/accuracy.md's tables.  Figures measured on photos are not re-measured here (docs/readme_claims.md
lists their commands); a failing test here names the README figure that no longer says what its source says."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _readme() -> str:
    """README.md with its white space folded (a figure may be split over two lines)."""
    return " ".join(README.read_text(encoding="utf-8").split())


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

def test_constants_named_in_readme_are_the_codes():
    from importlib import import_module

    from facemetrics import analyze, eyes, geometry, loader, pairing, quality

    discover = import_module("facemetrics.batch.discover")
    gate = import_module("facemetrics.compare.gate")  # facemetrics.compare.gate the attribute is a function

    text = _readme()
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
        assert phrase in text, f"README no longer says {phrase!r}: update this test's phrase with the README"
        assert same, f"README says {phrase!r}; the code's constant differs"


# ------------------------------------------------------------------------ floors README quotes

def test_default_floors_quoted_are_the_codes():
    from facemetrics.compare import DEFAULT_NOISE_FLOORS as F

    text = _readme()
    assert (f"jawline height {F[('jawline_height_mm', 'mean')]:g} mm, jaw width {F[('jaw_width_mm', 'mean')]:g} mm, "
            f"lower-face area {F[('lower_face_area_mm2', 'mean')]:g} mm², fold depth {F[('nlf_depth', 'side')]:g}") in text
    assert f"0.14 mm for the jawline against {F[('jawline_lift_mm', 'mean')]:g}" in text


def test_resolution_floor_figures_quoted_are_what_the_code_computes():
    from facemetrics.compare import DEFAULT_NOISE_FLOORS
    from facemetrics.compare.floors import resolution_floors

    text = _readme()
    said = re.search(r"the jawline floor \(side / mean\) is (.*?) \(`compare\.floors\.resolution_floors`", text)
    assert said, "README's resolution floor sentence moved: update this test"
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
    """README: lengths within 4.3 %, area 7.5 %, fold length 6.2 %, ratios 3.7 % (fold-length ratios 4.1 %),
    docs/accuracy.md 'Invariance (bundled sample photo)', its last column (``bench/accuracy.py --invariance``)."""
    rows = {r[0]: r for r in _accuracy_table("Invariance (bundled sample photo)")}
    rel = {k: _pct(r[-1]) for k, r in rows.items()}
    text = _readme()
    assert (f"per-photo lengths stay within {rel['lengths (_mm)']:.1f} %") in text
    assert (f"(the area within {rel['area (_mm2)']:.1f} %, the fold's visible length within "
            f"{rel['fold length (_mm)']:.1f} %); the ratio columns within "
            f"{rel['ratios other than the fold lengths' + chr(39)]:.1f} % "
            f"(fold-length ratios {rel['ratios (_ipd, _ipd2)']:.1f} %)") in text


def test_heldout_fold_line_and_jaw_figures_are_docs_accuracy_table():
    """README's held-out fold line (median / p90) and jaw p90 (the bold cells of docs/accuracy.md 'Tuning and
    held-out faces', all held-out rows, to README's precision); the jaw median README quotes from
    ``bench/accuracy.py --heldout-ci`` (docs/readme_claims.md: the table's 0.96 is of 2026-12-02, before the
    jaw's later rounds)."""
    rows = _accuracy_table("Tuning and held-out faces")
    held = [r for r in rows if r[1] == "all held-out"]
    fold, jaw = held[0], held[2]  # fold line, Face Mesh path, refined jaw contour: the table's order
    assert fold[2] == jaw[2] == "22"
    text = _readme()
    assert (f"The fold lines lie a median {float(fold[4]):.1f} mm (90th percentile {float(fold[5]):.1f} mm) from "
            f"smile lines placed by hand on 22 faces not used for tuning") in text
    assert f"(90th percentile {float(jaw[5]):.2f} mm) from hand-placed jaw points on the same held-out faces" in text


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
