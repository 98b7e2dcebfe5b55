"""What each place a user types a time says of the times users write (docs/validation.md §12, round 3).

    PYTHONPATH=. python bench/time_messages.py            # a markdown table: the reading each place gives
    PYTHONPATH=. python bench/time_messages.py --full     # each message in full, one per line

It runs on the code before round 3 too (it imports nothing added since), for a before/after table.

The places (every one reads its time through :mod:`facemetrics.timekeys`):

- a manifest's ``taken_at`` / ``treated_at`` cell (``batch --manifest``, ``study import --manifest``): the
  reason in photos.csv / the import's note, and the console line ``batch`` and ``study import`` print;
- ``treated_at.txt`` (``batch FOLDER``, ``study import FOLDER``);
- ``study add --treated-at`` / ``--taken-at`` (:func:`facemetrics.store.Study.add_photos`,
  ``log_session``), which the app's "Treated at" and "Taken at" fields call too.

The accepted forms (:data:`facemetrics.timekeys.ACCEPTED_TIME_FORMS`), which end most messages, are shown
as FORMS.  Nothing is written to disk but a temporary ``treated_at.txt``.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from facemetrics.batch.console import manifest_lines
from facemetrics.batch.discover import Excluded, _manifest_time_reasons, _read_treated_at
from facemetrics.sessions import iso_time
from facemetrics.store import StoreError
from facemetrics.timekeys import ACCEPTED_TIME_FORMS

TIMES = ("8.20pm", "08.20", "9am", "9 am", "9:30pm", "12am", "12pm", "noon", "21h", "9h30", "2026-12-01 9am",
         "1/12/2026 9:00", "yesterday",
         "2026-12-01 8.20pm", "2026-12-01 08.20")


def _short(text: str) -> str:
    return text.replace(ACCEPTED_TIME_FORMS, "FORMS")


def messages(value: str) -> dict[str, str]:
    """``{place: message}`` for one time as written ("(accepted)" when the place reads it)."""
    out = {}
    reasons = _manifest_time_reasons(Path("m.csv"), {"_row": 3, "taken_at": value, "treated_at": "2026-12-01T08:00"})
    note = "; ".join(r.text for r in reasons)
    out["manifest taken_at: photos.csv"] = note or "(accepted)"
    lines = manifest_lines([Excluded("me/rf/b.jpg", note, reasons)], "m.csv") if note else []
    out["manifest: console"] = " / ".join(lines) or "(no line)"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "treated_at.txt"
        path.write_text(value + "\n", encoding="utf-8")
        when, problem = _read_treated_at(path, "treated_at.txt in me/rf")
    out["treated_at.txt"] = problem or f"(accepted: {when})"
    for label, treatment in (("study add --treated-at (app: Treated at)", True),
                             ("study add --taken-at (app: Taken at)", False)):
        try:
            out[label] = f"(accepted: {iso_time(value, treatment=treatment)})"
        except StoreError as exc:
            out[label] = str(exc)
    return out


def main(argv=None) -> int:
    full = "--full" in (argv if argv is not None else sys.argv[1:])
    rows = {v: messages(v) for v in TIMES}
    places = list(next(iter(rows.values())))
    if full:
        for v, said in rows.items():
            print(f"== {v!r}")
            for place in places:
                print(f"  {place}: {_short(said[place])}")
        return 0
    print("| written | " + " | ".join(places) + " |")
    print("|" + "---|" * (len(places) + 1))
    for v, said in rows.items():
        print(f"| `{v}` | " + " | ".join(_cell(said[p]) for p in places) + " |")
    return 0


def _cell(message: str) -> str:
    """A table cell: the reading a message gives ("(if 09:00 was meant: ...)"), else what it gives instead."""
    if message.startswith("(accepted"):
        return message
    m = re.search(r"\(if [^()]* was meant: [^()]*\)", message)  # as timekeys.meant_in (not on older code)
    if m:
        return m[0].replace("|", "\\|")
    if "(use ISO 8601, e.g. 2026-11-02T08:00)" in message:
        return "not a time, e.g. 2026-11-02T08:00"
    if "relative to the day it was written" in message:
        return "relative day named, no reading"
    return "forms alone" if "FORMS" in _short(message) else message


if __name__ == "__main__":
    raise SystemExit(main())
