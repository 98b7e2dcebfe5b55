"""README.md's references that can drift when the code or the docs change under it (h8, 2026-12-05): every link
to a file and section (``docs/x.md#anchor``) resolves, every output column it names exists in the schema, every
code name it quotes (a column, a status, a verdict, a function, ``module.CONSTANT``) is in the code, every
``facemetrics`` sub-command and option it names is in the CLI's parser, and every ``bench/`` script it names
exists with the options it is given.  Each check is a function from README's text to the problems it finds, so
each test also runs it on a deliberately broken copy (the negative control) and asserts that copy fails.

These read text and the parser only (no photo is measured): the whole file takes about a second.

Since stop 52 (task r1, 2026-12-06) README's details are docs/guide.md's: every check runs on the guide too (its
links relative to docs/), so a passage that moved is held to what it was held to in README."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide.md"

#: unit and key suffixes of a name README gives as a column of a CSV (``schema.UNIT_SUFFIXES`` and the rest)
COLUMN_SUFFIXES = ("_mm", "_mm2", "_pct", "_deg", "_px", "_ipd", "_ipd2", "_h", "_sha256", "_at", "_source",
                   "_scale_sd")


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _prose(text: str) -> str:
    """``text`` without its fenced code blocks (the commands there are run by tests/test_readme_commands.py)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def _spans(text: str) -> set[str]:
    """The inline code spans of ``text``'s prose, white space folded: a span may run over a line break, as
    Markdown allows (a span broken over two lines was not checked until stop 53), but not over a blank line."""
    return {" ".join(m.split()) for m in re.findall(r"`((?:[^`\n]|\n(?!\s*\n))+)`", _prose(text))}


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation but ``-`` and ``_`` dropped, spaces ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """The anchors of ``path``'s headings (outside code blocks), a repeated heading numbered ``-1``, ``-2`` ..."""
    count: dict[str, int] = {}
    out = set()
    for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", _prose(path.read_text(encoding="utf-8")), flags=re.M):
        s = _slug(m.group(1))
        out.add(f"{s}-{count[s]}" if s in count else s)
        count[s] = count.get(s, 0) + 1
    return out


def broken_links(text: str, doc: Path = README) -> list[str]:
    """The relative links ``[..](path#anchor)`` of ``text`` (the text of ``doc``, whose folder the paths are
    relative to) whose file does not exist or has no such heading."""
    bad = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked here (no network in the tests)
        path, _, anchor = target.partition("#")
        file = doc.parent / path if path else doc
        if not file.exists():
            bad.append(f"{target}: no file {path}")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            bad.append(f"{target}: {path or doc.name} has no heading with this anchor")
    return bad


def _schema_names() -> set[str]:
    """Every column of every table the package writes, and the comparison's rows (metrics, not columns: the pose
    rows, and ``jaw_width_flow_mm``, which has no per-photo column)."""
    from facemetrics import schema
    from facemetrics.compare.table import METRICS

    names = {spec.metric for spec in METRICS}
    for attr in dir(schema):
        value = getattr(schema, attr)
        if attr.endswith("COLUMNS") and isinstance(value, (list, tuple)):
            names |= {v for v in value if isinstance(v, str)}
    return names


def unknown_columns(text: str) -> list[str]:
    """The names in ``text``'s inline code that read as a column (snake case with a unit or key suffix:
    ``hours_since_treatment``, ``pixel_sha256``, ``taken_at``) but are no column of :mod:`facemetrics.schema`;
    ``<metric>_scale_sd`` stands for the ``changes.csv`` columns of that ending."""
    names = _schema_names()
    bad = []
    for s in sorted(_spans(text)):
        if s.startswith("<metric>_"):
            if not any(n.endswith(s[len("<metric>"):]) for n in names):
                bad.append(s)
        elif re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", s) and s.endswith(COLUMN_SUFFIXES) and s not in names:
            bad.append(s)
    return bad


def _source() -> str:
    files = sorted((ROOT / "facemetrics").rglob("*.py")) + [ROOT / "app.py"]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def _resolves(dotted: str) -> bool:
    """Whether ``dotted`` (``eyes.MIN_IRIS_STEP``, ``facemetrics.timekeys.time_from_name``) names an attribute
    of the package, read from the package down (a third-party name, ``cv2.solvePnP``, from its module)."""
    parts = dotted.split(".")
    for start in ([] if parts[0] == "facemetrics" else ["facemetrics"], []):
        names = start + parts
        for cut in range(len(names), 0, -1):
            try:
                obj = importlib.import_module(".".join(names[:cut]))
            except ImportError:
                continue
            try:
                for attr in names[cut:]:
                    obj = getattr(obj, attr)
                return True
            except AttributeError:
                break
    return False


def unknown_code_names(text: str) -> list[str]:
    """The code names in ``text``'s inline code that the package (and app.py) no longer has: a snake-case or
    upper-case name (a column, a status, a verdict, a function, a constant) not a word of the source, or a
    dotted name (``module.NAME``) that does not resolve.  File names (``IMG_20261201_091403``: a part of digits
    only) and dotted file names are not code names."""
    src, bad = _source(), []
    for s in sorted(_spans(text)):
        if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", s):
            if not any(p.isdigit() for p in s.split("_")) and not re.search(rf"\b{re.escape(s)}\b", src):
                bad.append(s)
        elif re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", s) and not re.search(
                r"(?i)\.(py|csv|md|png|jpe?g|heic|heif|webp|tiff?|txt|json|toml|sqlite|cache)$", s) and not _resolves(s):
            bad.append(s)
    return bad


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """The CLI's parser by command path: ``""`` the top level, ``"study add"`` a sub-command."""
    from facemetrics.cli import build_parser

    out = {}

    def walk(parser, path):
        out[" ".join(path)] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, path + [name])

    walk(build_parser(), [])
    return out


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for action in parser._actions for o in action.option_strings}


def _bench_options(text: str) -> set[str]:
    """Every option the ``bench/`` scripts ``text`` names define (``"--fit"`` in their source)."""
    out = set()
    for name in set(re.findall(r"bench/(\w+\.py)", text)):
        if (ROOT / "bench" / name).exists():
            out |= set(re.findall(r"[\"'](--[a-z][\w-]*)[\"']", (ROOT / "bench" / name).read_text(encoding="utf-8")))
    return out


def unknown_cli_words(text: str) -> list[str]:
    """The ``facemetrics`` commands and options ``text``'s inline code names that the CLI's parser does not have:
    a span ``facemetrics WORD ...`` or ``COMMAND [SUB] --option ...`` (``study add --taken-at``, ``compare
    --before-repeat``) is read as the shell would give it to the parser, its options checked against that
    command's own; a span of options alone (``--workers 2``) against every command's, or a ``bench/`` script's
    the README names beside it (``--fit``).  ``bench/``, ``python``, ``streamlit`` spans are not the CLI's."""
    parsers = _parsers()
    every = set().union(*(_options(p) for p in parsers.values())) | _bench_options(text)
    bad = []
    for span in sorted(_spans(text)):
        words = span.split()
        named = words[0] == "facemetrics"
        words = words[1:] if named else words
        if not words or re.match(r"(PYTHONPATH=|python|bench/|streamlit|<)", words[0]):
            continue
        if named and words[0].endswith(":"):
            continue  # a message the command prints ("facemetrics batch: no comparison could be made ..."), not a call
        path = []
        while words and f"{' '.join(path + words[:1])}".strip() in parsers and not words[0].startswith("-"):
            path.append(words.pop(0))
        if named and words and not path and not words[0].startswith("-") and not words[0].startswith("<"):
            bad.append(f"`{span}`: no command {words[0]!r}")
            continue
        if not named and not path and not words[0].startswith("--"):
            continue  # not a command: a column, a file name, a word
        allowed = every if not path else _options(parsers[" ".join(path)]) | _options(parsers[""])
        bad += [f"`{span}`: {o}" for o in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", " ".join(words))
                if o not in allowed]
    return bad


def unknown_bench_words(text: str) -> list[str]:
    """The ``bench/`` scripts ``text`` names that do not exist, and the options given to one (in the same inline
    code span or command) that its source does not define (``"--option"``)."""
    bad = []
    prose = " ".join(_prose(text).split())
    for m in re.finditer(r"bench/([\w]+\.py)((?: (?:--[a-z][\w-]*|[\w./-]+|\[--[a-z][\w-]* [A-Z]+\]))*)", prose):
        script = ROOT / "bench" / m.group(1)
        if not script.exists():
            bad.append(f"bench/{m.group(1)}: no such script")
            continue
        code = script.read_text(encoding="utf-8")
        bad += [f"bench/{m.group(1)} {o}" for o in re.findall(r"--[a-z][\w-]*", m.group(2)) if f'"{o}"' not in code]
    return bad


# ------------------------------------------------------------------------------------------------ the tests

def _broken(old: str, new: str) -> str:
    """README's text with ``old`` (which must be there) replaced by ``new``: a deliberately broken copy; the guide's
    when README no longer holds ``old`` (a passage moved there at stop 52; the checks run on both)."""
    text = _readme() if old in _readme() else _guide()
    assert old in text, old
    return text.replace(old, new)


def test_every_link_in_readme_resolves_to_a_file_and_heading():
    assert broken_links(_readme()) == []


def test_a_renamed_docs_heading_breaks_a_readme_link():
    text = _broken("docs/accuracy.md#tuning-and-held-out-faces", "docs/accuracy.md#tuning-and-held-out-face")
    assert broken_links(text) == \
        ["docs/accuracy.md#tuning-and-held-out-face: docs/accuracy.md has no heading with this anchor"]
    moved = text.replace("](docs/metrics.md)", "](docs/metric.md)")
    assert "docs/metric.md: no file docs/metric.md" in broken_links(moved)


def test_anchors_are_githubs():
    """The slug rule on headings of the kinds README links to (a colon, a comma, an apostrophe, brackets)."""
    assert _slug("Scale calibration: are the irises visible?") == "scale-calibration-are-the-irises-visible"
    assert _slug("The app's comparisons and My study in the worker too (2026-12-05, h10, stop 44)") == \
        "the-apps-comparisons-and-my-study-in-the-worker-too-2026-12-05-h10-stop-44"


def test_every_column_named_in_readme_is_in_the_schema():
    assert unknown_columns(_readme()) == []


def test_a_renamed_column_in_readme_fails():
    assert unknown_columns(_broken("`hours_since_treatment`", "`hours_since_treatment_h`")) == \
        ["hours_since_treatment_h"]
    assert unknown_columns(_broken("`<metric>_scale_sd`", "`<metric>_scale_sd_mm`")) == ["<metric>_scale_sd_mm"]


def test_every_code_name_in_readme_is_in_the_code():
    assert unknown_code_names(_readme()) == []


def test_a_code_name_the_code_lost_fails():
    assert unknown_code_names(_broken("`fades_within_a_day`", "`fades_within_one_day`")) == ["fades_within_one_day"]
    assert unknown_code_names(_broken("`eyes.MIN_IRIS_STEP`", "`eyes.MIN_IRIS_STEPS`")) == ["eyes.MIN_IRIS_STEPS"]


def test_every_cli_command_and_option_in_readme_is_in_the_parser():
    assert unknown_cli_words(_readme()) == []


def test_an_option_the_parser_lacks_fails():
    assert unknown_cli_words(_broken("`study add --taken-at`", "`study add --taken`")) == \
        ["`study add --taken`: --taken"]
    assert unknown_cli_words(_broken("`--workers 1`", "`--worker 1`")) == ["`--worker 1`: --worker"]
    assert unknown_cli_words(_broken("`facemetrics study`", "`facemetrics studies`")) == \
        ["`facemetrics studies`: no command 'studies'"]
    # an option of another command is not this one's
    assert unknown_cli_words(_broken("`validate --quick`", "`timeline --quick`")) == ["`timeline --quick`: --quick"]
    # a span broken over a line, as Markdown allows, is read whole (it was passed over until stop 53)
    assert unknown_cli_words(_broken("`--workers 1`", "`study add\n--taken 1`")) == ["`study add --taken 1`: --taken"]


def test_every_bench_script_and_option_in_readme_exists():
    assert unknown_bench_words(_readme()) == []


def test_a_bench_option_or_script_that_does_not_exist_fails():
    assert unknown_bench_words(_broken("bench/bench_pose3d.py --set heldout", "bench/bench_pose3d.py --sets heldout")) \
        == ["bench/bench_pose3d.py --sets"]
    assert unknown_bench_words(_broken("bench/bench_giants.py", "bench/bench_giant.py")) == \
        ["bench/bench_giant.py: no such script"]


def test_a_repeated_heading_gets_a_numbered_anchor(tmp_path):
    doc = tmp_path / "d.md"
    doc.write_text("# A\n\n## Results\n\n```\n# not a heading\n```\n\n## Results\n", encoding="utf-8")
    assert _anchors(doc) == {"a", "results", "results-1"}


# ------------------------------------------------------------------------ docs/guide.md (stop 52)

def test_every_link_in_the_guide_resolves_to_a_file_and_heading():
    """docs/guide.md's links (relative to docs/) and README's links into the guide resolve."""
    assert broken_links(_guide(), GUIDE) == []
    assert any("docs/guide.md#" in target for target in re.findall(r"\]\(([^)\s]+)\)", _readme()))


def test_a_broken_guide_link_fails():
    """Negative control: a guide link to a renamed heading, to a file named from the project folder (as README
    names it, which from docs/ does not exist), and a README link to a guide heading that is not there."""
    text = _guide()
    assert "](accuracy.md#smiling-flag)" in text
    assert broken_links(text.replace("](accuracy.md#smiling-flag)", "](accuracy.md#smiling-flags)"), GUIDE) == \
        ["accuracy.md#smiling-flags: accuracy.md has no heading with this anchor"]
    assert broken_links(text.replace("](accuracy.md#smiling-flag)", "](docs/accuracy.md#smiling-flag)"), GUIDE) == \
        ["docs/accuracy.md#smiling-flag: no file docs/accuracy.md"]
    readme = _readme().replace("docs/guide.md#bad-photos", "docs/guide.md#bad-photo")
    assert broken_links(readme) == ["docs/guide.md#bad-photo: docs/guide.md has no heading with this anchor"]


def test_every_column_code_name_command_and_bench_script_in_the_guide_exists():
    text = _guide()
    assert unknown_columns(text) == []
    assert unknown_code_names(text) == []
    assert unknown_cli_words(text) == []
    assert unknown_bench_words(text) == []
