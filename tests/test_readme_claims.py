"""docs/readme_claims.md's table still describes README.md (h5, stop 47, 2026-12-05).

The table traces every README figure to the measurement behind it.  Its rows cite README by quoted phrases (its
line numbers drifted with every README edit: at stop 47, 53 of its 56 rows were off by 1-116 lines), so two things
can go stale, and each test here names them:

- a quoted phrase README no longer holds: a claim reworded or a figure changed without its row;
- a README line with a figure that no row's span covers: a claim added without a row.

Each check is also run on a deliberately broken README (the negative control), and on a table in the stale form
(README line numbers, no quotes), which must fail.  Text only, nothing measured: about a second."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CLAIMS = ROOT / "docs" / "readme_claims.md"

sys.path.insert(0, str(ROOT / "bench"))
import readme_claims as rc  # noqa: E402  (bench/ is not a package)


def _texts() -> tuple[str, str]:
    return README.read_text(encoding="utf-8"), CLAIMS.read_text(encoding="utf-8")


def test_every_quoted_phrase_is_in_readme():
    """Every row quotes README, each phrase found once (a span's last phrase after its first), and each row's
    phrases name at least one figure, so a changed figure breaks its quote."""
    readme, claims_md = _texts()
    rows = rc.table_rows(claims_md)
    assert len(rows) >= 50, f"the table has {len(rows)} rows"
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
    backwards = ('## The table\n\n| README | claim |\n|---|---|\n| "Photos above 100 megapixels are refused" … '
                 '"It took 12-41 s on this shared" | x |\n\n## Next\n')
    assert any("after" in p for p in rc.table_problems(readme, backwards)[0])


def test_a_phrase_may_run_over_a_line_break():
    """README wraps its prose; a quote is matched with white space folded, and its span covers both lines."""
    text = "intro\nthe jawline read 0.43 ×\nits floor, seeds 1 and 2\n"
    spans, problems = rc.locate(text, '"read 0.43 × its floor"')
    assert problems == [] and spans == [rc.Span(2, 3)]
    assert re.search(r"\d", '"read 0.43 × its floor"')
