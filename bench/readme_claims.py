"""Every numeric claim in README.md, with its line, and where docs/*.md state the same figures.

    python bench/readme_claims.py            # a Markdown table: line, figures, command and date cited, docs
    python bench/readme_claims.py --missing  # only the lines with a figure that no docs/*.md holds
    python bench/readme_claims.py --table    # docs/readme_claims.md's rows: the README lines each quote is on now,
                                             # quotes README no longer holds, README figure lines no row covers;
                                             # then the same of the tables of claims moved out of README (stop 52)

A *figure* is a number in README's prose (code blocks, inline code, link targets, dates and stop numbers left
out) written as it would be quoted: ``0.98``, ``4.3 %``, ``13-36``, ``1 of 58``.  For each line the table
gives the figures, the command (an inline ``bench/...``, ``facemetrics ...`` or ``python ...``) and the dates
(``2026-12-0N``) that line or its paragraph cites, and for each figure the docs that hold it as a token
(``docs/compare.md``: not a substring of a longer number).  A figure found in no doc is untraceable from the
docs by text alone (it may still be measured: the command is the trace then); docs/readme_claims.md is the
hand-checked table built from this listing (2026-12-05, task h7).

Since stop 47 (task h5) that table cites README by **quoted phrases**, not line numbers (which drifted with every
README edit): a row's first cell holds one or more spans separated by ``;``, each ``"phrase"`` or
``"first phrase" … "last phrase"``; a phrase is README's text with its white space folded (it may run over a line
break) and names at least one figure.  :func:`table_problems` lists what no longer holds: a phrase README does not
hold (a claim reworded or a figure changed without the table) or holds more than once, a row without a phrase, and
a README line with a figure that no span covers (a claim added without a row).

Reads text only; nothing is measured.
"""

from __future__ import annotations

import argparse
import bisect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: a number as README writes figures: 12, 0.98, 1.25, 13 976 (thin thousands), −0.56 (Unicode minus)
_NUMBER = r"[−+-]?\d+(?: \d{3}(?!\d))*(?:\.\d+)?"
#: a figure: a number or a range of two (``13-36``, ``0.12-0.14``, ``2.4–5.2``)
FIGURE = re.compile(rf"(?<![\w.\-/–]){_NUMBER}(?:[-–]{_NUMBER[5:]})?(?![\w/])")
DATE = re.compile(r"20\d\d-\d\d-\d\d")
CODE_SPAN = re.compile(r"`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
COMMAND = re.compile(r"`((?:PYTHONPATH=\. )?(?:python |facemetrics |bench/)[^`]*)`")
#: numbers that are names, not figures: stop numbers, section numbers, Python / library versions
NOT_A_FIGURE = re.compile(r"(stop \d+|§\s?\d+(?:-§?\d+)?|section \d+|Python 3\.\d+|round \d+|issue \d+|0\.2\.14"
                          r"|sha256|\b\d+-D\b|h\d+\b|S0\d|pose \d|\bx\b)")


@dataclass(frozen=True)
class Claim:
    """One README line's figures.

    Attributes
    ----------
    line : int
        1-based line number in README.md.
    figures : tuple of str
        The numbers as written (Unicode minus kept), in order.
    commands : tuple of str
        The inline commands the line cites.
    dates : tuple of str
        The ISO dates the line cites.
    text : str
        The line, stripped.
    """

    line: int
    figures: tuple
    commands: tuple
    dates: tuple
    text: str


def prose_lines(readme: str) -> list[tuple[int, str]]:
    """``(line number, text)`` of README's lines outside fenced code blocks."""
    out, fenced = [], False
    for i, line in enumerate(readme.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append((i, line))
    return out


def figures_of(line: str) -> tuple:
    """The figures of one prose line (see the module docstring), in order."""
    bare = CODE_SPAN.sub(" ", LINK_TARGET.sub("]", line))
    bare = NOT_A_FIGURE.sub(" ", DATE.sub(" ", bare))
    return tuple(m.group(0).strip() for m in FIGURE.finditer(bare))


def claims(readme: str) -> list[Claim]:
    """Every README prose line that holds at least one figure."""
    out = []
    for i, line in prose_lines(readme):
        figs = figures_of(line)
        if figs:
            out.append(Claim(i, figs, tuple(COMMAND.findall(line)), tuple(DATE.findall(line)), line.strip()))
    return out


def _plain(figure: str) -> str:
    return figure.replace("−", "-").replace("–", "-").lstrip("+")


def _token(figure: str) -> re.Pattern:
    """``figure`` as a token of a doc's text (minus signs, en dashes and a range's spelling alike)."""
    f = _plain(figure).lstrip("-")
    parts = [re.escape(x) for x in re.split(r"(?<=\d)-(?=\d)", f)]
    body = r"\s?(?:-|to|and)\s?".join(parts)
    return re.compile(rf"(?<![\d.]){body}(?![\d]|\.\d)")


def _norm(text: str) -> str:
    return text.replace("−", "-").replace("–", "-")


@dataclass(frozen=True)
class Section:
    """One heading's text in a doc: ``doc`` (file name), ``heading`` (its title), ``text`` (normalised)."""

    doc: str
    heading: str
    text: str


def sections(docs: dict[str, str]) -> list[Section]:
    """Every doc split at its Markdown headings (the text before the first heading is the doc's title)."""
    out = []
    for name, text in docs.items():
        head, buf = name, []
        for line in text.splitlines():
            if line.startswith("#"):
                out.append(Section(name, head, _norm("\n".join(buf))))
                head, buf = line.lstrip("#").strip(), []
            else:
                buf.append(line)
        out.append(Section(name, head, _norm("\n".join(buf))))
    return out


def docs_holding(figure: str, docs: dict[str, str]) -> list[str]:
    """The docs (file names) that hold ``figure`` as a token."""
    pat = _token(figure)
    return [name for name, text in docs.items() if pat.search(_norm(text))]


def best_section(claim: Claim, secs: list[Section]) -> tuple[Section | None, tuple]:
    """The section holding the most of ``claim``'s figures (the first such, by doc and order), and the figures
    it lacks.  Figures of one or two characters (``2``, ``12``) count only when a longer one matched too."""
    pats = [(f, _token(f)) for f in claim.figures]
    best, best_n = None, 0
    for sec in secs:
        n = sum(bool(p.search(sec.text)) * (1 + (len(_plain(f).lstrip("-")) > 2)) for f, p in pats)
        if n > best_n:
            best, best_n = sec, n
    if best is None:
        return None, claim.figures
    return best, tuple(f for f, p in pats if not p.search(best.text))


#: a quoted phrase of the table's first cell
QUOTE = re.compile(r'"([^"]+)"')
#: one span of the first cell: a phrase, or a first and a last phrase joined by an ellipsis
SPAN = re.compile(r'"[^"]+"(?:\s*…\s*"[^"]+")?')
#: the table's heading in docs/readme_claims.md; the table is the first Markdown table after it
TABLE_HEADING = "## The table"
#: the tables of the claims that moved out of README at stop 52 (task r1), each quoting the doc they moved to, by
#: heading: docs/guide.md (every line with a figure there in a row's span, as README's) and docs/speed.md (the quotes
#: found; a doc of measurements, whose own figures need no row)
MOVED_TABLES = {"## Moved to docs/guide.md": "guide.md", "## Moved to docs/speed.md": "speed.md"}


@dataclass(frozen=True)
class Span:
    """One span of a table row: README's lines ``first`` to ``last`` (1-based, inclusive) that its phrases are on."""

    first: int
    last: int


def table_rows(claims_md: str, heading: str = TABLE_HEADING) -> list[tuple[str, ...]]:
    """The cells of each body row of the table under ``heading`` (README's: :data:`TABLE_HEADING`) in
    ``claims_md``."""
    part = claims_md.split(heading + "\n", 1)[1] if heading + "\n" in claims_md else ""
    rows, started = [], False
    for line in part.splitlines():
        if line.startswith("|"):
            started = True
            cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
            if not set(cells[0]) <= set("-: "):
                rows.append(cells)
        elif started:
            break
    return rows[1:]  # the header row left out


def _folded(readme: str) -> tuple[str, list[int], list[int]]:
    """README with its white space folded to single spaces, each word's start offset in it and its line."""
    starts, lines, words, pos = [], [], [], 0
    for i, line in enumerate(readme.splitlines(), 1):
        for w in line.split():
            starts.append(pos)
            lines.append(i)
            words.append(w)
            pos += len(w) + 1
    return " ".join(words), starts, lines


def _line_at(offset: int, starts: list[int], lines: list[int]) -> int:
    return lines[bisect.bisect_right(starts, offset) - 1]


def locate(readme: str, cell: str) -> tuple[list[Span], list[str]]:
    """The README spans a row's first cell quotes, and the problems found (a phrase missing or not unique).

    Parameters
    ----------
    readme : str
        README.md's text.
    cell : str
        The row's first cell: spans separated by ``;``, each ``"phrase"`` or ``"first" … "last"``.

    Returns
    -------
    spans : list of Span
        One per span whose phrases were found (lines of README, 1-based).
    problems : list of str
        One sentence per phrase README does not hold (or holds more than once, for a span's first phrase), and
        one for a cell without a phrase.
    """
    text, starts, lines = _folded(readme)
    spans, problems = [], []
    segments = SPAN.findall(cell)
    if not segments:
        return [], [f"row {cell[:40]!r}: no quoted README phrase"]
    if SPAN.sub("", cell).strip("; "):
        problems.append(f"row {cell[:40]!r}: {SPAN.sub('', cell).strip('; ')[:40]!r} is not a quoted README phrase")
    for seg in segments:
        quotes = [" ".join(q.split()) for q in QUOTE.findall(seg)]
        at = text.find(quotes[0])
        if at < 0:
            problems.append(f"README has no {quotes[0]!r}")
            continue
        if text.find(quotes[0], at + 1) >= 0:
            problems.append(f"README has {quotes[0]!r} more than once")
        end = at + len(quotes[0])
        if len(quotes) > 1:
            at2 = text.find(quotes[-1], at)
            if at2 < 0:
                problems.append(f"README has no {quotes[-1]!r} after {quotes[0]!r}")
                continue
            end = at2 + len(quotes[-1])
        spans.append(Span(_line_at(at, starts, lines), _line_at(end - 1, starts, lines)))
    return spans, problems


def table_problems(readme: str, claims_md: str, heading: str = TABLE_HEADING) -> tuple[list[str], list[Claim]]:
    """What docs/readme_claims.md's table no longer says of README.

    Parameters
    ----------
    readme : str
        The text the table quotes: README.md's, or for a table of :data:`MOVED_TABLES` its doc's.
    claims_md : str
        docs/readme_claims.md's text.
    heading : str
        The heading of the table to read (README's by default).

    Returns
    -------
    problems : list of str
        Phrases README does not hold, rows without a phrase, rows whose phrases name no figure.
    uncovered : list of Claim
        README's lines with a figure (:func:`claims`) that no row's span covers.
    """
    problems, covered = [], set()
    for cells in table_rows(claims_md, heading):
        spans, probs = locate(readme, cells[0])
        problems += probs
        if spans and not any(figures_of(q) for q in QUOTE.findall(cells[0])):
            problems.append(f"row {cells[0][:40]!r}: its phrases name no figure")
        for s in spans:
            covered |= set(range(s.first, s.last + 1))
    return problems, [c for c in claims(readme) if c.line not in covered]


def load_docs(root: Path = ROOT) -> dict[str, str]:
    """``{file name: text}`` of docs/*.md (docs/readme_claims.md, built from this listing, left out)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "docs").glob("*.md"))
            if p.name != "readme_claims.md"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--missing", action="store_true", help="only lines with a figure no doc section beside it holds")
    ap.add_argument("--table", action="store_true",
                    help="docs/readme_claims.md's rows with the README lines they quote, and what no longer holds")
    ap.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = ap.parse_args(argv)
    if args.table:
        claims_md = (ROOT / "docs" / "readme_claims.md").read_text(encoding="utf-8")
        failed = print_table(args.readme.read_text(encoding="utf-8"), claims_md)
        for heading, doc in MOVED_TABLES.items():
            print(f"\n{heading}:")
            failed |= print_table((ROOT / "docs" / doc).read_text(encoding="utf-8"), claims_md, heading,
                                  uncovered_too=doc == "guide.md")
        return failed
    docs = load_docs()
    secs = sections(docs)
    rows = claims(args.readme.read_text(encoding="utf-8"))
    print("| README line | figures | best docs section (most figures) | figures not in it | not in any doc | "
          "command cited | date cited |")
    print("|---|---|---|---|---|---|---|")
    n_fig = n_off = n_missing = 0
    for c in rows:
        sec, off = best_section(c, secs)
        missing = [f for f in c.figures if not docs_holding(f, docs)]
        n_fig += len(c.figures)
        n_off += len(off)
        n_missing += len(missing)
        if args.missing and not off:
            continue
        cmd = "; ".join(f"`{x}`" for x in c.commands) or "-"
        where = f"{sec.doc} '{sec.heading[:60]}'" if sec else "-"
        print(f"| {c.line} | {', '.join(c.figures)} | {where} | {', '.join(off) or '-'} | {', '.join(missing) or '-'} "
              f"| {cmd} | {', '.join(c.dates) or '-'} |")
    print(f"\n{len(rows)} lines with figures, {n_fig} figures; {n_off} not in the line's best docs section, "
          f"{n_missing} in no docs/*.md", file=sys.stderr)
    return 0


def print_table(readme: str, claims_md: str, heading: str = TABLE_HEADING, uncovered_too: bool = True) -> int:
    """Print each row's lines of the doc the table quotes (README's by default), then the problems and (unless
    ``uncovered_too`` is False) the lines with a figure no row covers; 1 if any, else 0."""
    for cells in table_rows(claims_md, heading):
        spans, _ = locate(readme, cells[0])
        where = ", ".join(f"{s.first}" if s.first == s.last else f"{s.first}-{s.last}" for s in spans) or "-"
        print(f"{where}: {cells[1][:90] if len(cells) > 1 else ''}")
    problems, uncovered = table_problems(readme, claims_md, heading)
    uncovered = uncovered if uncovered_too else []
    for p in problems:
        print("PROBLEM:", p)
    for c in uncovered:
        print(f"UNCOVERED {c.line}: {', '.join(c.figures)} | {c.text[:100]}")
    print(f"{len(problems)} problems, {len(uncovered)} README lines with a figure in no row", file=sys.stderr)
    return int(bool(problems or uncovered))


if __name__ == "__main__":
    raise SystemExit(main())
