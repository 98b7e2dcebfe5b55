"""``study report`` prints a photo that stands out (docs/validation.md §16, ``batch/flow_read.py``) once, with both
facts: it was kept in the fits with the warning "expression may differ", and it stands out from the curve of the
other photos so its series reads inconclusive (h3, stop 47).  Before, the batch's line ("kept in the fit with a
warning: `p24h.jpg` ...") and the timeline's (the same line + "; stands out ...") were both printed.

The store's measuring is replaced by tests/test_flow_read.py's batch folder (a linear fade, a 'smile' +0.8 mm on the
24 h photo, the gate's flow warning on it): the batch's console lines (``console.batch_lines``), the timeline
(``run_timeline``, the §16 rule) and the command's printing are the real ones (fast)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from facemetrics.batch import run_timeline
from facemetrics.batch.console import KEPT_WITH_WARNING
from facemetrics.cli import main
from facemetrics.store import Store, StoreError

sys.path.insert(0, str(Path(__file__).parent))
from test_flow_read import SMILE, _batch  # noqa: E402

STANDS_OUT = "stands out from the curve of the other photos: its series reads inconclusive"


def _stand_in(monkeypatch, fail: bool = False):
    """``Store.report`` replaced: the batch folder written, ``batch_done`` called with its rows, the real timeline
    run on it (or, ``fail``, the refusal after the batch)."""
    def report(self, out_dir, *a, batch_done=None, n_boot=400, seed=0, **k):
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        _batch(out, 0.8)
        changes = pd.read_csv(out / "changes.csv").to_dict("records")
        res = SimpleNamespace(merged=[], time_notes=[], taken_at_notes=[], photo_rows=changes, change_rows=changes,
                              n_ok=len(changes))
        batch_done(res, None)
        if fail:
            raise StoreError("the fits stopped")
        _, table = run_timeline(out, n_boot=50, per_subject=False)
        return res, table

    monkeypatch.setattr(Store, "report", report)


def test_a_photo_that_stands_out_is_printed_once_with_both_facts(tmp_path, capsys, monkeypatch):
    _stand_in(monkeypatch)
    Store(tmp_path / "store").close()  # a store there (the report of none is an error)
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    named = [line for line in out.splitlines() if f"`{SMILE}`" in line and line.startswith(KEPT_WITH_WARNING)]
    assert len(named) == 1, out
    assert named[0].endswith(f"; {STANDS_OUT}"), named


def test_the_kept_line_is_still_printed_when_the_fits_stop(tmp_path, capsys, monkeypatch):
    """The batch's line is held for the fits' words; a report stopped after the batch prints it as the batch said it."""
    _stand_in(monkeypatch, fail=True)
    Store(tmp_path / "store").close()
    assert main(["study", "report", "-o", str(tmp_path / "r"), "--store", str(tmp_path / "store")]) == 2
    said = capsys.readouterr()
    named = [line for line in said.out.splitlines() if f"`{SMILE}`" in line]
    assert len(named) == 1 and named[0].startswith(KEPT_WITH_WARNING) and STANDS_OUT not in named[0], said.out
    assert said.err.startswith("facemetrics study report: the fits stopped"), said.err
