"""report.md's opening paragraph says which question the verdicts answer and where the report says whether a change
lasted: it led with the 24 h claim whatever the treatment, when an RF user's question is whether it lasted
(docs/validation.md section 12, Round 19's (iii); words only, no verdict rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_the_opening_names_the_question_and_where_lasting_is_read(tmp_path):
    from facemetrics.batch import timeline_report
    from facemetrics.decay import analyze_series
    from facemetrics.decay.claim import FADES, PERSISTS
    from facemetrics.decay.margin import INCONCLUSIVE

    times = np.array([0.5, 1, 2, 4, 8, 24, 48])
    long = pd.DataFrame(dict(subject="S01", treatment="rf", hours_since_treatment=times,
                             value=0.6 + 0.05 * np.cos(times), metric="jawline_lift_mm", side="mean", unit="mm",
                             verdict="lifted"))
    table = analyze_series(long, per_subject=False, n_boot=0).to_frame()
    md = timeline_report(table, tmp_path)
    opening = md.split("\n\n", 2)[1]  # after the title, before the verdicts
    assert opening.startswith("Changes of each photo versus its session's baseline"), opening
    for verdict in (PERSISTS, FADES, INCONCLUSIVE):
        assert f"`{verdict}`" in opening, opening
    assert "Whether a change lasted longer is not a verdict" in opening, opening
    assert "`lasting` column" in opening and "| lasting [95% CI] |" in md  # the column it names exists
    assert "Regimen section" in opening and "follow-on sessions" in opening, opening
