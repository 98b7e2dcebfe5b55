"""Every numeric claim in README.md, with its line, and where docs/*.md state the same figures.

    python bench/readme_claims.py            # a Markdown table: line, figures, command and date cited, docs
    python bench/readme_claims.py --missing  # only the lines with a figure that no docs/*.md holds

A *figure* is a number in README's prose (code blocks, inline code, link targets, dates and stop numbers left
out) written as it would be quoted: ``0.98``, ``4.3 %``, ``13-36``, ``1 of 58``.  For each line the table
gives the figures, the command (an inline ``bench/...``, ``facemetrics ...`` or ``python ...``) and the dates
(``2026-12-0N``) that line or its paragraph cites, and for each figure the docs that hold it as a token
(``docs/compare.md``: not a substring of a longer number).  A figure found in no doc is untraceable from the
docs by text alone (it may still be measured: the command is the trace then); docs/readme_claims.md is the
hand-checked table built from this listing (2026-12-05, task h7).

Reads text only; nothing is measured.
"""

from __future__ import annotations

import argparse
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


def load_docs(root: Path = ROOT) -> dict[str, str]:
    """``{file name: text}`` of docs/*.md (docs/readme_claims.md, built from this listing, left out)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "docs").glob("*.md"))
            if p.name != "readme_claims.md"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--missing", action="store_true", help="only lines with a figure no doc section beside it holds")
    ap.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = ap.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
