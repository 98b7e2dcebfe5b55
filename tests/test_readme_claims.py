"""docs/readme_claims.md's table still describes README.md (h5, stop 47, 2026-12-05).

The table traces every README figure to the measurement behind it.  Its rows cite README by quoted phrases (its
line numbers drifted with every README edit: at stop 47, 53 of its 56 rows were off by 1-116 lines), so two things
can go stale, and each test here names them:

- a quoted phrase README no longer holds: a claim reworded or a figure changed without its row;
- a README line with a figure that no row's span covers: a claim added without a row.

Each check is also run on a deliberately broken README (the negative control), and on a table in the stale form
(README line numbers, no quotes), which must fail.  Text only, nothing measured: about a second.

Since stop 52 (task r1, 2026-12-06) README's details are docs/guide.md's and its speed figures docs/speed.md's: the
rows of the claims that moved are the tables 'Moved to docs/guide.md' and 'Moved to docs/speed.md' of
docs/readme_claims.md, checked here against the doc they moved to as README's table is against README (the guide's
lines with a figure each in some row's span too; speed.md is a doc of measurements, only its quotes are checked)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CLAIMS = ROOT / "docs" / "readme_claims.md"
GUIDE, SPEED = ROOT / "docs" / "guide.md", ROOT / "docs" / "speed.md"
GUIDE_TABLE, SPEED_TABLE = "## Moved to docs/guide.md", "## Moved to docs/speed.md"

sys.path.insert(0, str(ROOT / "bench"))
import readme_claims as rc  # noqa: E402  (bench/ is not a package)


def _texts() -> tuple[str, str]:
    return README.read_text(encoding="utf-8"), CLAIMS.read_text(encoding="utf-8")


def test_every_quoted_phrase_is_in_readme():
    """Every row quotes README, each phrase found once (a span's last phrase after its first), and each row's
    phrases name at least one figure, so a changed figure breaks its quote."""
    readme, claims_md = _texts()
    rows = rc.table_rows(claims_md)
    assert len(rows) >= 10, f"the table has {len(rows)} rows"
    problems, _ = rc.table_problems(readme, claims_md)
    assert problems == [], "docs/readme_claims.md's table quotes what README no longer says:\n" + "\n".join(problems)


def test_every_readme_figure_line_has_a_row():
    """Every README prose line with a figure (bench/readme_claims.py's listing) lies in some row's span."""
    readme, claims_md = _texts()
    _, uncovered = rc.table_problems(readme, claims_md)
    assert uncovered == [], "README lines with a figure that docs/readme_claims.md's table has no row for:\n" + \
        "\n".join(f"{c.line}: {', '.join(c.figures)} | {c.text[:90]}" for c in uncovered)


def test_a_changed_figure_breaks_its_quote():
    """Negative control: README with one quoted figure changed (the demo's half-life interval) fails."""
    readme, claims_md = _texts()
    assert "95 % CI 2.4–5.2 h" in readme
    broken = readme.replace("95 % CI 2.4–5.2 h", "95 % CI 2.4–5.3 h", 1)
    problems, _ = rc.table_problems(broken, claims_md)
    assert any("2.4–5.2" in p for p in problems), problems


def test_a_new_figure_line_needs_a_row():
    """Negative control: a README line with a new figure, added without a row, is named."""
    readme, claims_md = _texts()
    broken = readme.replace("## Bad photos\n", "## Bad photos\n\nA new claim: 17 of 20 photos read right.\n", 1)
    assert broken != readme
    _, uncovered = rc.table_problems(broken, claims_md)
    assert [c.figures for c in uncovered] == [("17", "20")]


def test_the_stale_table_form_fails():
    """Negative control: rows citing README line numbers (the table's form until stop 46) name no phrase; a phrase
    quoted twice in README or a span whose last phrase comes before its first are problems too."""
    readme, _ = _texts()
    stale = ("## The table\n\n| README line | claim |\n|---|---|\n| 37-39 | demo verdicts: 3.4 h, 2.4–5.2 h |\n"
             "| 145 | a 20.16 mm floor |\n\n## Next\n")
    problems, uncovered = rc.table_problems(readme, stale)
    assert len(problems) == 2 and all("no quoted README phrase" in p for p in problems), problems
    assert len(uncovered) == len(rc.claims(readme))
    twice = '## The table\n\n| README | claim |\n|---|---|\n| "`fades_within_a_day`" | x |\n\n## Next\n'
    assert any("more than once" in p for p in rc.table_problems(readme, twice)[0])
    backwards = ('## The table\n\n| README | claim |\n|---|---|\n| "1.52 / 3.82 mm (30 faces)" … '
                 '"3 subjects, a microcurrent" | x |\n\n## Next\n')
    assert any("after" in p for p in rc.table_problems(readme, backwards)[0])


def test_a_phrase_may_run_over_a_line_break():
    """README wraps its prose; a quote is matched with white space folded, and its span covers both lines."""
    text = "intro\nthe jawline read 0.43 ×\nits floor, seeds 1 and 2\n"
    spans, problems = rc.locate(text, '"read 0.43 × its floor"')
    assert problems == [] and spans == [rc.Span(2, 3)]
    assert re.search(r"\d", '"read 0.43 × its floor"')


# ------------------------------------------------------------------------ the claims that moved (stop 52)

def test_the_moved_tables_are_docs_readme_claims_own():
    """The two tables of moved claims are there, and README's own table ends before them (a row of the guide's
    table read as README's would fail as a phrase README lacks, not pass)."""
    claims_md = CLAIMS.read_text(encoding="utf-8")
    assert set(rc.MOVED_TABLES) == {GUIDE_TABLE, SPEED_TABLE}
    assert len(rc.table_rows(claims_md, GUIDE_TABLE)) >= 50 and len(rc.table_rows(claims_md, SPEED_TABLE)) >= 4
    own = {r[0] for r in rc.table_rows(claims_md)}
    assert not own & {r[0] for r in rc.table_rows(claims_md, SPEED_TABLE)}


def test_every_moved_quote_is_in_the_guide_and_every_guide_figure_line_has_a_row():
    guide, claims_md = GUIDE.read_text(encoding="utf-8"), CLAIMS.read_text(encoding="utf-8")
    problems, uncovered = rc.table_problems(guide, claims_md, GUIDE_TABLE)
    assert problems == [], "docs/readme_claims.md's guide table quotes what docs/guide.md no longer says:\n" + \
        "\n".join(problems)
    assert uncovered == [], "docs/guide.md lines with a figure that no row covers:\n" + \
        "\n".join(f"{c.line}: {', '.join(c.figures)} | {c.text[:90]}" for c in uncovered)


def test_every_moved_speed_quote_is_in_docs_speed():
    speed, claims_md = SPEED.read_text(encoding="utf-8"), CLAIMS.read_text(encoding="utf-8")
    problems, _ = rc.table_problems(speed, claims_md, SPEED_TABLE)
    assert problems == [], "docs/readme_claims.md's speed table quotes what docs/speed.md no longer says:\n" + \
        "\n".join(problems)


def test_a_changed_figure_in_the_guide_breaks_its_quote():
    """Negative control: the guide with one quoted figure changed (the follow-on study's half-life) fails, and a new
    line with a figure there needs a row, as in README."""
    guide, claims_md = GUIDE.read_text(encoding="utf-8"), CLAIMS.read_text(encoding="utf-8")
    assert "half-life 53 h" in guide
    problems, _ = rc.table_problems(guide.replace("half-life 53 h", "half-life 54 h", 1), claims_md, GUIDE_TABLE)
    assert any("half-life 53 h" in p for p in problems), problems
    broken = guide.replace("## Bad photos\n", "## Bad photos\n\nA new claim: 17 of 20 photos read right.\n", 1)
    assert [c.figures for c in rc.table_problems(broken, claims_md, GUIDE_TABLE)[1]] == [("17", "20")]
