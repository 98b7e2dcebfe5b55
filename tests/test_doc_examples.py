"""Every Python example a user is shown runs (docs/readme_claims.md 'Code examples', 2026-12-05).

The fenced ```python blocks of README.md, docs/guide.md and docs/compare.md (the docs a user is pointed to for the
API) are extracted and each is executed as it is written, in a fresh namespace, from a temporary folder in which the
project's ``sample_images/`` is reachable under that name (as from the project folder, where README says to
run them).  An HTML comment on the line before a block says what it needs:

- ``<!-- example: needs sample_images ... -->``: the block reads the bundled sample photos;
- ``<!-- example: not runnable: WHY -->``: the block is not code to run (an output listing, a fragment); it
  is skipped, and :data:`EXPECTED_NOT_RUNNABLE` counts those blocks, so a new block cannot skip silently.

A block without a marker runs in an empty temporary folder.  The public API's docstrings (the functions
``facemetrics`` exports) are checked for their numpydoc sections here too.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"

#: The docs whose Python blocks are run: README.md and the docs it points a user to for the API (docs/guide.md, README's
#: details since stop 52: its example of before repeats was README's).
DOCS = ("README.md", "docs/guide.md", "docs/compare.md")

#: Blocks marked ``not runnable`` in :data:`DOCS` (none today: every Python block there runs).
EXPECTED_NOT_RUNNABLE = 0

#: At least this many blocks are found (README's 'The library', the guide's before repeats, compare.md's call and its
#: loop over after photos): a change of the fence syntax that hid them from the extractor fails here instead of
#: passing empty.
MIN_BLOCKS = 4

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
_MARKER = re.compile(r"<!--\s*example:\s*(?P<what>.*?)\s*-->")


@dataclass(frozen=True)
class Block:
    """One fenced code block: ``doc`` (path relative to the project), ``line`` (1-based line of its opening
    fence), ``lang`` (the fence's language, "" for none), ``code`` (dedented) and ``marker`` (the text of an
    ``<!-- example: ... -->`` comment on the line before the fence, "" for none)."""

    doc: str
    line: int
    lang: str
    code: str
    marker: str

    @property
    def runnable(self) -> bool:
        return not self.marker.startswith("not runnable")

    @property
    def needs_samples(self) -> bool:
        return "needs sample_images" in self.marker


def fenced_blocks(text: str, doc: str = "<text>") -> list[Block]:
    """Every fenced code block of Markdown ``text`` (indented fences, as in a list item, included)."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:  # outside a block: a fence line here opens one
            i += 1
            continue
        start, indent = i, m["indent"]
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        if j == len(lines):
            raise ValueError(f"{doc}:{start + 1}: a code fence that is never closed")
        body = [ln[len(indent):] if ln.startswith(indent) else ln for ln in lines[start + 1:j]]
        prev = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        marker = _MARKER.search(prev)
        blocks.append(Block(doc, start + 1, m["lang"], textwrap.dedent("\n".join(body)) + "\n",
                            marker["what"] if marker else ""))
        i = j + 1
    return blocks


def python_blocks() -> list[Block]:
    out = []
    for doc in DOCS:
        out += [b for b in fenced_blocks((ROOT / doc).read_text(encoding="utf-8"), doc) if b.lang == "python"]
    return out


def run_block(block: Block, folder: Path) -> dict:
    """Execute ``block`` as a script run from ``folder`` (the bundled samples linked in when it needs them);
    returns its namespace.  Raises what the block raises."""
    if block.needs_samples and not (folder / "sample_images").exists():
        (folder / "sample_images").symlink_to(SAMPLES, target_is_directory=True)
    namespace = {"__name__": "__main__"}
    code = compile(block.code, f"{block.doc}:{block.line}", "exec")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        exec(code, namespace)  # noqa: S102 - the docs' own examples, run as a user would paste them
    return namespace


BLOCKS = python_blocks()


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.runnable], ids=lambda b: f"{b.doc}:{b.line}")
def test_python_example_runs(block, tmp_path, capsys):
    run_block(block, tmp_path)
    capsys.readouterr()  # what the example prints is for the reader; running it is the test


def test_the_examples_are_found_and_none_skips_silently():
    assert len(BLOCKS) >= MIN_BLOCKS, [f"{b.doc}:{b.line}" for b in BLOCKS]
    skipped = [f"{b.doc}:{b.line} ({b.marker})" for b in BLOCKS if not b.runnable]
    assert len(skipped) == EXPECTED_NOT_RUNNABLE, skipped
    # every example that reads a sample photo says so (else it would run without them and fail for a user
    # who copies it into another folder without knowing why)
    for b in BLOCKS:
        if "sample_images/" in b.code:
            assert b.needs_samples, f"{b.doc}:{b.line} reads sample_images/ without the marker"


def test_readme_library_example_shows_units_and_uncertainties():
    """README's library example prints every figure with its unit and uncertainty: the iris scale's % beside
    the mm, each change's floor and scale SD, the decay fit's intervals."""
    code = next(b.code for b in BLOCKS if b.doc == "README.md")
    for shown in ("mm_per_px_uncertainty_pct", "noise_floor", "change_scale_sd", "unit", "half_life_h_ci_low",
                  "change_24h_ci_high"):
        assert shown in code, shown


# ------------------------------------------------------------------------ negative controls

BROKEN_DOC = '''
Some text.

<!-- example: needs sample_images -->
```python
import facemetrics as fm
result = fm.analyze_photo("sample_images/astronaut_before.jpg")
result.to_row()["jawline_height_millimetres"]   # a column that does not exist
```

<!-- example: not runnable: an output listing -->
```python
>>> 1 + 1
2
```

```bash
facemetrics analyze sample_images
```
'''


def test_a_broken_example_is_caught(tmp_path):
    blocks = fenced_blocks(BROKEN_DOC, "broken.md")
    assert [(b.lang, b.line, b.runnable) for b in blocks] == [("python", 5, True), ("python", 12, False),
                                                             ("bash", 17, True)]
    assert blocks[0].needs_samples and blocks[1].marker == "not runnable: an output listing"
    with pytest.raises(KeyError, match="jawline_height_millimetres"):
        run_block(blocks[0], tmp_path)
    # a block that reads a sample photo but lacks the marker has none to read: the loader says so
    from facemetrics import PhotoError

    bare = Block("broken.md", 5, "python",
                 'import facemetrics as fm\nfm.load_photo("sample_images/astronaut_before.jpg")\n', "")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PhotoError, match="file not found"):
        run_block(bare, tmp_path / "empty")


def test_an_unclosed_fence_is_an_error():
    with pytest.raises(ValueError, match="never closed"):
        fenced_blocks("text\n```python\nprint(1)\n", "open.md")


# ------------------------------------------------------------------------ the public API's docstrings

def _exported_functions():
    import facemetrics

    return [(n, getattr(facemetrics, n)) for n in facemetrics.__all__
            if inspect.isfunction(getattr(facemetrics, n))]


def _sections(doc: str) -> set[str]:
    doc = inspect.cleandoc(doc)
    return set(re.findall(r"^(\w[\w ]*)\n-{3,}$", doc, flags=re.M))


def test_exported_functions_are_the_four_verbs():
    assert sorted(n for n, _ in _exported_functions()) == [
        "analyze_photo", "analyze_series", "compare_photos", "load_photo"]


@pytest.mark.parametrize("name", ["load_photo", "analyze_photo", "compare_photos", "analyze_series"])
def test_exported_function_docstring_has_numpydoc_sections(name):
    import facemetrics

    func = getattr(facemetrics, name)
    sections = _sections(func.__doc__ or "")
    assert {"Parameters", "Returns", "Examples"} <= sections, (name, sections)
    # every parameter of the signature is documented ("name : type" or "a, b : type" lines)
    named = {n for pair in re.findall(r"^(\w+)(?:, (\w+))? :", inspect.cleandoc(func.__doc__), flags=re.M)
             for n in pair if n}
    assert set(inspect.signature(func).parameters) <= named, (name, set(inspect.signature(func).parameters) - named)


#: What each verb's Returns section names: shapes, units and coordinate order of what it gives back.
RETURNS_NAME = {
    "load_photo": ("(H, W, 3)", "uint8", "R, G, B", "row 0 the top", "px"),
    "analyze_photo": ("mm", "mm_per_px_uncertainty_pct", "(478, 3)", "x to the right, y down", "px"),
    "compare_photos": ("unit", "mm", "noise_floor", "positive = up", "1 SD"),
    "analyze_series": ("hours since treatment", "unit", "_ci_low", "confidence"),
}


@pytest.mark.parametrize("name", sorted(RETURNS_NAME))
def test_exported_function_returns_say_shapes_units_and_coordinates(name):
    import facemetrics

    doc = inspect.cleandoc(getattr(facemetrics, name).__doc__)
    returns = doc.split("Returns\n-------", 1)[1].split("\n\nRaises\n", 1)[0]
    returns = " ".join(returns.split())
    missing = [term for term in RETURNS_NAME[name] if term not in returns]
    assert not missing, (name, missing)


@pytest.mark.parametrize("name", ["Photo", "PhotoAnalysis", "Comparison", "SeriesResult"])
def test_exported_result_classes_document_their_attributes(name):
    import facemetrics

    assert "Attributes" in _sections(getattr(facemetrics, name).__doc__ or ""), name


def test_exported_function_examples_run():
    """The ``Examples`` sections of the four verbs are doctests: run from the project folder (they read the
    bundled sample photos as README's example does)."""
    import doctest

    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS
                                                                     | doctest.NORMALIZE_WHITESPACE)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        for name, func in _exported_functions():
            tests = finder.find(func, name, globs={})
            assert tests and tests[0].examples, f"{name}: no doctest examples"
            for t in tests:
                runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted >= 4, result


def test_compare_docs_list_comparison_csv_columns_as_the_schema_orders_them():
    """docs/compare.md's list of ``comparison.csv``'s columns is the schema's, name for name and in order (it had
    left out ``change_scale_sd``)."""
    import re

    from facemetrics.schema import COMPARISON_CSV_COLUMNS

    text = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    found = re.search(r"`comparison\.csv`: columns `([^`]*)`", text)
    assert found, "docs/compare.md no longer lists comparison.csv's columns"
    listed = [c.strip() for c in found[1].replace("\n", " ").split(",")]
    assert listed == list(COMPARISON_CSV_COLUMNS)
