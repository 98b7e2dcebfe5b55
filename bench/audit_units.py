"""Every figure a user is shown, with its unit and its uncertainty: an audit (docs/validation.md §12, "Round 9").

    PYTHONPATH=. python bench/audit_units.py --make DIR     # runs every command into DIR (~3-4 min), then audits it
    PYTHONPATH=. python bench/audit_units.py DIR            # audits DIR's outputs as they are
    PYTHONPATH=. python bench/audit_units.py DIR --app      # ... and the app's page text (AppTest, ~30 s more)

``--make`` runs ``analyze``, ``compare``, ``demo``, ``batch``, ``timeline``, ``study add/list/report`` and
``validate --quick`` on the bundled sample pair (and, when /work/wt/shared/faces is there, on four real faces,
symlinked into DIR, never copied into the project; ``FACEMETRICS_FACES`` names another folder of them), each
command's console output kept as ``DIR/<name>.out``.

What is checked (:func:`audit_text`, on every ``*.out``, every ``report.md`` and the app's text):

- ``no_unit``: a number with no unit next to it (a unit word after it: mm, deg, %, pp, index, h, px, x, ...);
- ``no_uncertainty``: a measured or estimated figure (a number with a measurement unit) with no ``±``, interval,
  CI, SD or noise floor in its clause (the text from it to the next ``;``, ``)`` or sentence end, and the few words
  before it).
- the word rules (:data:`WORD_RULES`, Round 22): ``raw_code`` (the unit code ``pct`` in a sentence),
  ``missing_word`` (``nan``, ``None``, ``inf`` printed), ``zero_uncertainty`` (a ``±`` that rounds to zero),
  ``ci_end_no_unit`` (a parenthesised CI whose upper end has no unit where its figure has one).

Not figures (:data:`NOT_FIGURES`, masked first, each with its reason): dates and times, versions, code spans,
counters (``[3/54]``, ``2 of 4``), numbers inside names (``S01``, ``n003.jpg``), counts (a number before a
count noun: photos, subjects, replicates ...), and numbers said to be limits, thresholds, margins, simulated
truths or examples (:data:`NOT_MEASURED`: the words before them say so).

For the CSVs (:func:`audit_csv`): every numeric column's name carries its unit (:data:`facemetrics.schema.
UNIT_SUFFIXES`) or the table has a ``unit`` column, or the schema names the column with a unit or unitless; and
every measurement column has an uncertainty column beside it (``_noise_floor``, ``_ci_low/_ci_high``,
``_scale_sd``, ``noise_floor``) or the schema's ``uncertainty`` cell (``schema.photo_uncertainty``) says what it is.

Prints each finding (source, rule, the figure in its context) and the counts; exits 0 (an audit, not a gate:
tests/test_units_audit.py holds the core rules on texts the suite makes).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"
FACES = Path(os.environ.get("FACEMETRICS_FACES", ROOT.parent / "shared" / "faces"))  # the shared real faces

#: unit words that may follow a number (longest first); a measurement unit is one whose figure needs an
#: uncertainty (``MEASURE_UNITS``)
UNITS = ("mm/px", "mm²", "mm2", "mm", "cm", "px", "deg", "°", "%", "pct", "pp", "index", "h", "hours", "hour", "min",
         "s", "days", "day", "d", "weeks", "week", "x", "×", "MB", "MP", "fps", "/s", "SD", "IPD", "dB", "bit")
MEASURE_UNITS = {"mm/px", "mm²", "mm2", "mm", "deg", "°", "%", "pct", "pp", "index", "px"}

#: words after a number that make it a count, not a figure with a unit
COUNT_NOUNS = (r"photos?|photo\(s\)|subjects?|faces?|pairs?|sessions?|session\(s\)|replicates?|rows?|messages?|"
               r"message\(s\)|runs?|sides?|times|repeats?|frames?|files?|file\(s\)|CPUs?|workers?|people|persons?|"
               r"metrics?|series|treatments?|comparisons?|changes|points|landmarks?|more|other|digits?|"
               r"columns?|cells?|bootstrap|fits?|draws?|scenarios?|checks?|tables?|channels?|significant|"
               r"decimals?|of|out|in|or|and|to|per|fractions?|hex|different|distinct|later|earlier|consecutive|"
               r"values?|readings?|estimates?|steps?|levels?|years?|months?|dimensions?|sd\b|times?")

#: masks: what is not a figure at all, each with its reason
NOT_FIGURES = (
    (r"`[^`\n]*`", "code span: an option, a file or a column name"),
    (r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2}|Z)?)?", "a date or a time"),
    (r"\b\d{1,2}:\d{2}\b", "a time of day"),
    (r"\d+\.\d+\.\d+", "a version"),
    (r"\[\s*\d+/\d+\]|\b\d+/\d+\b(?! ?mm)", "a counter (3/54)"),
    (r"\[#*-*\]", "a progress bar"),
    (r"\(\d+(?:\.\d+)?/s\)", "a progress rate"),
    (r"\b\d+ of \d+\b", "a count: n of m"),
    (r"(?<![\w./-])(?!mm2\b)[\w./-]*[A-Za-z_][\w./-]*\d[\w./-]*|\d+[A-Za-z_][\w-]*\.[A-Za-z]\w*", "a name with a digit in it"),
    (r"§\s*\d+\w*", "a section number"),
    (r"\b(?:step|stop|round|Round|schema|stage)\s+\d+", "an ordinal: step, stop, round"),
    (r"\b\d+(?:st|nd|rd|th)\b", "an ordinal"),
    (r"\bH\d\b|\bh\d\b", "a heading level"),
    (r"^\s*#+", "a Markdown heading mark"),
    (r"\(\s*\d+(?:\.\d+)?\s*s\s*\)", "the run time in seconds"),
    (r"^simulated study:.*$", "the simulated study's truth (the demo's first line)"),
    (r"\d+ mm either side|10 × mm", "the fold contrast's and index's definition: method constants"),
    (r"\b0 by construction", "a change that is zero by construction, not measured"),
    (r"\b3-D\b", "three-dimensional"),
    (r"cases with a [\w/ ]+ verdict: \d+", "a count of cases"),
    (r"simulated truth: [^()\n]*\([^)\n]*\)", "the simulated study's truth (validate's claim test)"),
    (r"opening \d+\.\d+(?=, limit)", "the mouth-opening ratio (dimensionless), defined in its parenthesis"),
    (r"(?:smile index|mouth-corner elevation|mouth opening) changed by [+\-]?\d+\.\d+(?= ±)|"
     r"(?:an index|a ratio|the inner-lip gap over the mouth width), no unit: from [+\-]?\d+\.\d+ to [+\-]?\d+\.\d+",
     "the expression check's lip-shape cues: an index or ratio, which its message says has no unit (stop 62), "
     "their change masked only with its ± (one without it is still found)"),
    (r"the sample photo lifted \d+ mm", "the bundled example's simulated truth"),
    (r"the face fills \d+ % vs \d+ % of the frame's", "framing: the face's share of each frame (face-oval width / "
     "image width or longer side), a check of the photos read against its limit (1.20x), not a measurement of the "
     "face; as photos.csv's `face_width_px` (schema.NO_UNCERTAINTY: a check of the photo), no uncertainty of its own"),
    (r"At \d+\.\d+ mm the photos may also be", "the registration residual again, said above with the ranges "
     "it is read against (one person's, different people's)"),
)

#: words just before a number that make it no measurement: a limit, a threshold, a margin, a setting, a
#: simulated truth, an example, an uncertainty itself (a floor, a ± or an interval's end); each is a number the
#: code or the user chose, or the uncertainty of another figure
NOT_MEASURED = (r"±\s*|floor\s*|floors?\s+of\s+|limit\s*|limits?\s+of\s+|at least\s*|at most\s*|more than\s*|"
                r"less than\s*|fewer than\s*|beyond\s*|above\s*|below\s*|over\s*|under\s*|up to\s*|within\s*|"
                r"threshold\s*|margin\s*|default\s*|e\.g\.\s*|simulated\s*|true\s*|truth\s*|CI\s*|CI \[?|"
                r"interval\s*|to\s*|and\s*|-|–|\[|,\s*|between\s*|outside\s*|every\s*|each\s*|"
                r"scale ±\s*|SD\s*|of\s*|by ±\s*|was checked on\s*|checked on the\s*|a\s+|the\s+|x\s*|×\s*|"
                r"\bvs\s*|from\s*|read\s*|\(|≥\s*|≤\s*|<\s*|>\s*|/\s*|√")

_NUMBER = re.compile(r"(?<![\w.])([+\-−]?\d+(?:\.\d+)?)")
_UNCERTAIN = re.compile(r"±|\bCI\b|interval|\bSD\b|noise floor|\bfloor\b|\bRMS\b|largest|\[[^\]]*,[^\]]*\]|uncertain|"
                        r"not resolved|to [+\-−]?\d", re.I)


@dataclass(frozen=True)
class Finding:
    source: str
    rule: str  # no_unit / no_uncertainty / csv_no_unit / csv_no_uncertainty / a WORD_RULES rule
    figure: str
    context: str

    def line(self) -> str:
        return f"{self.source}: {self.rule}: {self.figure!r} in ... {self.context} ..."


def _mask(text: str) -> str:
    """``text`` with every :data:`NOT_FIGURES` match blanked (same length, so positions hold)."""
    for pattern, _why in NOT_FIGURES:
        text = re.sub(pattern, lambda m: " " * len(m.group(0)), text, flags=re.M)
    return text


_UNIT_RE = "(" + "|".join(re.escape(u) for u in UNITS) + r")(?![A-Za-z])"
#: what may stand between a figure and its unit: its ``± u`` or the other end of its range (``0.15-1.36 mm``,
#: ``1.56 to 1.83 mm``); a ± may be a bound (``± < 0.05 mm``: rounding.fixed_uncertainty, Round 22)
_BETWEEN = r"(?:\s?±\s?(?:<\s?)?[\d.]+|\s?(?:-|–|to|and)\s?[+\-−]?[\d.]+)?"


def _unit_after(masked: str, end: int) -> str:
    m = re.match(_BETWEEN + r"\s?" + _UNIT_RE, masked[end:end + 30])
    return m.group(1) if m else ""


def _clause(text: str, start: int, end: int) -> str:
    """The figure's clause: ~40 characters before it and the text after it up to the next ``;``, ``)`` or a
    sentence's end (at most 90 characters)."""
    after, depth, stop = text[end:end + 90], 0, None
    for k, ch in enumerate(after):
        if ch == "(":
            depth += 1
        elif ch == ")" and depth == 0 or ch == "\n" or after[k:k + 2] == ". " or ch == ";" and depth == 0:
            stop = k
            break
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0 and re.match(r", (?!whose)[a-z ]+ [+\-−]?\d", after[k:]):
            stop = k
            break
    before = re.sub(r"\(limit[^)]*\)?", "", text[max(0, start - 40):start])
    clause = before + text[start:end] + after[:stop]
    # a figure in a list after a line's lead-in ("noise floor from 6 repeats (t x RMS): a 0.158 mm, b 0.160 mm"):
    # the lead-in says what the list's figures are
    line = text.rfind("\n", 0, start) + 1
    colon = text.find(": ", line, start)
    if colon >= 0:
        clause += " " + text[line:colon]
    # a figure inside a parenthesis: its whole parenthesis (``(left -1.02 index ...; floor 0.84 index)``)
    opened = text.rfind("(", max(0, start - 200), start)
    if opened >= 0 and text.find(")", opened, start) < 0:
        closed = text.find(")", end)
        clause += " " + text[opened:closed if closed >= 0 else end + 200]
    return re.sub(r"limit ±", "limit", clause)


def _table_cells(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, header)`` of every cell of the Markdown tables in ``text`` below their header row."""
    cells, header, pos = [], None, 0
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if line.startswith("|") and k + 1 < len(lines) and re.match(r"^\|[-|: ]+\|$", lines[k + 1]):
            header = [h.strip() for h in line.strip("|").split("|")]
        elif line.startswith("|") and header and not re.match(r"^\|[-|: ]+\|$", line):
            at = pos + 1
            for j, cell in enumerate(line.strip("|").split("|")):
                cells.append((at, at + len(cell), header[j] if j < len(header) else ""))
                at += len(cell) + 1
        elif not line.startswith("|"):
            header = None
        pos += len(line) + 1
    return cells


def audit_text(text: str, source: str) -> list[Finding]:
    """The findings of one text: numbers with no unit, measured figures with no uncertainty in their clause
    (in a Markdown table: in their cell, the column's header giving the unit or the interval)."""
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~<>])", r"\1", text)  # Markdown escapes (the app's ``md``)
    masked = _mask(text)
    cells = _table_cells(text)
    out = []
    for m in _NUMBER.finditer(masked):
        start, end = m.span(1)
        before = masked[max(0, start - 24):start]
        context = text[max(0, start - 50):end + 50].replace("\n", " ")
        if re.search(r"(?:" + NOT_MEASURED + r")$", before):
            continue
        header = next((h for a, b, h in cells if a <= start < b), None)
        unit = _unit_after(masked, end)
        if header is not None and not unit:
            named = re.sub(r"\[[^\]]*\]|\d+ ?% CI", "", header)  # "[95% CI]": the interval's level, no unit
            unit = next(iter(re.findall(r"(?<![A-Za-z])" + _UNIT_RE, named)), "")
            if not unit and re.search(r"\b(?:" + COUNT_NOUNS + r")\b", header, re.I):
                continue
        if not unit:
            if re.match(r"\s?(?:" + COUNT_NOUNS + r")\b", masked[end:end + 24], re.I):
                continue
            out.append(Finding(source, "no_unit", m.group(1), context))
            continue
        clause = _clause(text, start, end) if header is None else (
            next(text[a:b] for a, b, h in cells if a <= start < b) + " " + header)
        ranged = re.match(r"\s?(?:-|–|to)\s?[+\-−]?\d", masked[end:end + 6])  # a range is its own spread
        if unit in MEASURE_UNITS and not ranged and not _UNCERTAIN.search(clause):
            out.append(Finding(source, "no_uncertainty", f"{m.group(1)} {unit}", context))
    return out + word_findings(text, source)


#: the word rules (Round 22, stop 61), each ``(rule, pattern, what it finds)``, on the text with its code spans
#: blanked (a column name, `pct` or `None` in backticks, is meant): a unit's column code where a sentence writes its
#: word, a missing value printed as Python writes it, a ± that rounds to zero, a CI whose upper end has no unit
#: where its figure has one
WORD_RULES = (
    ("raw_code", r"(?<![\w/.-])pct(?![\w`])", "the unit code `pct` where a sentence writes % (a level) or pp (a "
     "change): \"No smallest meaningful change is known for pct\" (stop 60)"),
    ("missing_word", r"(?<![\w`.])(?:[+\-]?nan|NaN|None(?! of\b|:)|[+\-]?inf)(?![\w`])",
     "a missing value as Python prints it, where the texts write n/a or say why"),
    ("zero_uncertainty", r"±\s?0(?:\.0+)?(?![\d.])", "a ± that rounds to zero: read as no uncertainty (\"± 0.0 mm\", "
     "Round 21); rounding.fixed_uncertainty writes \"< 0.05\""),
    ("ci_end_no_unit", r"\d (" + "|".join(re.escape(u) for u in ("mm²", "mm2", "mm", "deg", "index", "pp", "%"))
     + r") \((?:\d+% CI|CI) [+\-−]?[\d.]+ to [+\-−]?[\d.]+\)",
     "a CI in parentheses whose upper end has no unit where the figure before it has one (the phone Timeline "
     "table's \"+0.20 mm (90% CI 0.00 to +0.41)\", stop 60)"),
)


def word_findings(text: str, source: str) -> list[Finding]:
    """The :data:`WORD_RULES` findings of one text (code spans blanked first)."""
    plain = re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), text)
    out = []
    for rule, pattern, _what in WORD_RULES:
        for m in re.finditer(pattern, plain):
            out.append(Finding(source, rule, m.group(0), text[max(0, m.start() - 50):m.end() + 50].replace("\n", " ")))
    return out


# --- the CSVs against the schema --------------------------------------------------------------------------

_UNCERTAINTY_SUFFIXES = ("_noise_floor", "_ci_low", "_ci_high", "_scale_sd", "_uncertainty_pct", "_sd")


def _schema_units() -> dict[str, tuple[str, str]]:
    """Every schema column's ``(unit, uncertainty)``: the photo table's with :func:`schema.photo_uncertainty`."""
    from facemetrics import schema

    cols = {}
    for defs in (schema.PHOTO_COLUMNS_DEF, schema.BATCH_COLUMNS_DEF, schema.CHANGE_COLUMNS_DEF,
                 schema.LONG_COLUMNS_DEF, schema.COMPARISON_CSV_COLUMNS_DEF, schema.TIMELINE_COLUMNS_DEF,
                 schema.REGIMEN_COLUMNS_DEF):
        for c in defs:
            cols.setdefault(c.name, (c.unit, schema.photo_uncertainty(c) if defs is schema.PHOTO_COLUMNS_DEF else ""))
    return cols


def audit_csv(path: Path, source: str) -> list[Finding]:
    """A CSV's numeric columns (:func:`audit_frame`)."""
    import pandas as pd

    return audit_frame(pd.read_csv(path), source)


def audit_frame(frame, source: str) -> list[Finding]:
    """A table's numeric columns: a unit for each, an uncertainty column (or the schema's word) for each
    measurement."""
    import pandas as pd
    from facemetrics import schema

    known = _schema_units()
    has_unit_col = "unit" in frame.columns
    out = []
    for name in frame.columns:
        col = frame[name]
        if col.dtype == bool or not pd.api.types.is_numeric_dtype(col) or col.isna().all():
            continue
        stem, unit = schema.split_unit(name)
        entry = known.get(name)
        wide = re.match(r"(.+?)(_noise_floor|_scale_sd)?$", name)  # changes.csv: <metric>[_noise_floor|_scale_sd]
        base = wide.group(1)
        if entry is None and (schema.split_unit(base)[1] or base in known):
            entry = known.get(base, (schema.split_unit(base)[1], ""))  # the data dictionary's changes.csv rule
            if wide.group(2):
                continue  # an uncertainty column, in its metric's unit
            stem, unit = schema.split_unit(base)
        if not unit and not has_unit_col and entry is None:
            out.append(Finding(source, "csv_not_in_schema", name, "a numeric column the schema does not name"))
            continue
        if not unit and not has_unit_col and not entry[0] and name not in _UNITLESS:
            out.append(Finding(source, "csv_no_unit", name, "no unit suffix, no unit column, schema unit ''"))
        if name.endswith(_UNCERTAINTY_SUFFIXES) or name == "noise_floor" or name in _NOT_MEASUREMENTS or unit in ("ipd", "ipd2"):
            continue
        if entry and entry[1]:
            continue  # the schema's uncertainty cell names it
        partners = [f"{name}{s}" for s in _UNCERTAINTY_SUFFIXES] + [f"{stem}_ci_low{'_' + unit if unit else ''}"]
        partners += [f"{name}_test_ci_low", f"{stem}_{unit}_ci_low"]
        if has_unit_col and name in ("before", "after", "change", "value"):
            partners.append("noise_floor")
        if not any(p in frame.columns for p in partners):
            out.append(Finding(source, "csv_no_uncertainty", name, "no uncertainty column beside it"))
    return out


#: numeric columns that are no measurement (counts, settings, flags, ids, times of capture), each a reason
_NOT_MEASUREMENTS = {
    "hours_since_treatment": "a time difference of two clocks, not estimated",
    "n_subjects": "a count", "n_boot": "a count", "n_photos": "a count", "n_points": "a count",
    "confidence": "the interval's level, a setting", "test_confidence": "a setting",
    "smallest_meaningful_change": "a margin, a setting (raised to the floor)",
    "image_width_px": "the photo's size, counted", "image_height_px": "the photo's size, counted",
    "n_faces": "a count", "day_n": "a day chosen", "last_time_h": "the last photo's time, not estimated",
    "half_life_h_min": "the shortest half-life the series resolves, a bound",
    "n_baseline": "a count", "n_times": "a count", "n_photos_18_30h": "a count",
    "rmse": "the fit's residual spread: itself an uncertainty, in `unit`",
}
_UNITLESS = {"n_subjects", "n_boot", "confidence", "test_confidence", "n_faces", "n_photos", "n_points",
             "n_baseline", "n_times", "n_photos_18_30h"}

#: the tables the schema owns (validate's own tables and the simulated studies' manifests are not among them)
SCHEMA_TABLES = ("photos.csv", "changes.csv", "long.csv", "comparison.csv", "timeline.csv", "analyze.csv",
                 "analyze_faces.csv")


# --- making the outputs and the app's text -------------------------------------------------------------


def make_outputs(out: Path) -> None:
    """Run every command into ``out`` (each console output as ``out/<name>.out``)."""
    out.mkdir(parents=True, exist_ok=True)
    py = [sys.executable, "-m", "facemetrics"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FACEMETRICS_STORE": str(out / "store")}
    before, after = SAMPLES / "astronaut_before.jpg", SAMPLES / "astronaut_after.jpg"
    runs = [("analyze", ["analyze", str(before), str(after), "-o", str(out / "analyze.csv"), "--force"]),
            ("compare", ["compare", str(before), str(after), "-o", str(out / "cmp"), "--force"]),
            ("demo", ["demo", "-o", str(out / "demo"), "--n-boot", "100", "--force"]),
            ("batch", ["batch", str(out / "demo" / "study"), "-o", str(out / "batch"), "--force"]),
            ("timeline", ["timeline", str(out / "batch"), "--n-boot", "100", "--force"]),
            ("study_add1", ["study", "add", str(before), "--subject", "anna", "--treatment", "microcurrent",
                            "--treated-at", "2026-11-02T09:00"]),
            ("study_add2", ["study", "add", str(after), "--subject", "anna", "--treatment", "microcurrent",
                            "--treated-at", "2026-11-02T09:00"]),
            ("study_list", ["study", "list"]),
            ("study_report", ["study", "report", "-o", str(out / "sreport"), "--n-boot", "100", "--force"]),
            ("validate", ["validate", "--quick", "-o", str(out / "validate"), "--force"])]
    if FACES.is_dir():
        faces = out / "faces"
        faces.mkdir(exist_ok=True)
        for name, rel in (("n003.jpg", "london_ccby/london_003_f38_white_neutral.jpg"),
                          ("s003.jpg", "london_ccby/london_003_f38_white_smiling.jpg"),
                          ("p1.jpg", "debruine_cc0/debruine_pose_variation_1.jpg"),
                          ("p2.jpg", "debruine_cc0/debruine_pose_variation_2.jpg")):
            if not (faces / name).exists():
                (faces / name).symlink_to(FACES / rel)
        runs += [("analyze_faces", ["analyze", str(faces), "-o", str(out / "analyze_faces.csv"), "--force"]),
                 ("compare_smile", ["compare", str(faces / "n003.jpg"), str(faces / "s003.jpg"), "-o",
                                    str(out / "cmp2"), "--force"]),
                 ("compare_pose", ["compare", str(faces / "p1.jpg"), str(faces / "p2.jpg"), "-o",
                                   str(out / "cmp3"), "--force"])]
    for name, args in runs:
        done = subprocess.run(py + args, env=env, capture_output=True, text=True, cwd=ROOT)
        (out / f"{name}.out").write_text(done.stdout + done.stderr)


def app_texts() -> tuple[dict[str, str], list]:
    """The app's page text (every title, header, markdown, caption, alert, metric and table cell) after the
    bundled pair is uploaded and after the bundled example is loaded (:class:`streamlit.testing.v1.AppTest`), and
    its dataframes as ``(frame, source)``."""
    from streamlit.testing.v1 import AppTest

    def read(at, source: str) -> str:
        lines = []
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
            lines += [str(e.value) for e in getattr(at, kind)]
        lines += [f"{m.label}: {m.value}" for m in at.metric]
        for element in at.table:  # texts as shown: a Markdown table, its header naming units and intervals
            frame = element.value
            lines += ["", "| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
            lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
            lines.append("")
        for k, element in enumerate(at.dataframe):  # numbers under a unit column: audited as a table's columns
            frames.append((element.value, f"{source} dataframe {k}"))
        return "\n".join(lines).replace("\u200b", "").replace("\u00ad", "")

    out, frames = {}, []
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    pair = [(f"{k}.jpg", (SAMPLES / f"astronaut_{k}.jpg").read_bytes(), "image/jpeg") for k in ("before", "after")]
    at.file_uploader[0].set_value(pair)
    at.run()
    out["app (sample pair)"] = read(at, "app (sample pair)")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    next(b for b in at.sidebar.button if b.label == "Load the bundled example").click()
    at.run(timeout=300)
    out["app (example)"] = read(at, "app (example)")
    return out, frames


def audit_folder(folder: Path, app: bool = False) -> list[Finding]:
    findings = []
    for path in sorted(folder.rglob("*.out")) + sorted(folder.rglob("report.md")):
        findings += audit_text(path.read_text(errors="replace"), str(path.relative_to(folder)))
    for path in sorted(folder.rglob("*.csv")):
        if path.name not in SCHEMA_TABLES:
            continue
        findings += audit_csv(path, str(path.relative_to(folder)))
    if app:
        texts, frames = app_texts()
        for source, text in texts.items():
            findings += audit_text(text, source)
        for frame, source in frames:
            findings += audit_frame(frame, source)
    return findings


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("folder", nargs="?", type=Path)
    p.add_argument("--make", type=Path, help="run every command into this folder first, then audit it")
    p.add_argument("--app", action="store_true", help="also audit the app's page text (AppTest)")
    a = p.parse_args(argv)
    folder = a.make or a.folder
    if folder is None:
        p.error("give a folder of outputs, or --make DIR")
    if a.make:
        make_outputs(a.make)
    findings = audit_folder(folder, a.app)
    counts: dict[str, int] = {}
    for f in findings:
        print(f.line())
        counts[f.rule] = counts.get(f.rule, 0) + 1
    print("counts:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
