"""The refusals of a face sideways or a head turned too far give their limits as the quality flags give theirs,
"limit ±45 deg" ("head turned (yaw +23 ± 2 deg, limit ±8 deg)"), not "+/-45" (a newcomer's walk, stop 63, h6: one
`analyze` run printed both forms)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import facemetrics as fm

SAMPLE = Path(__file__).resolve().parents[1] / "sample_images" / "astronaut_before.jpg"


def test_a_sideways_face_is_refused_with_its_limit_as_plus_minus():
    photo = fm.load_photo(SAMPLE)
    result = fm.analyze_photo(np.ascontiguousarray(np.rot90(photo.rgb)))
    assert result.status == "sideways", (result.status, result.error)
    assert "limit ±45 deg" in result.error and "+/-" not in result.error, result.error


def test_the_turned_head_refusal_writes_its_limits_the_same_way():
    """The second refusal's words, read from its source line (a photo turned beyond 25 deg yet still found is
    costly to make): both limits with "±"."""
    import inspect

    from facemetrics import analyze

    text = inspect.getsource(analyze)
    assert "limits ±{HARD_MAX_YAW_DEG:.0f} and " in text and 'f"±{HARD_MAX_PITCH_DEG:.0f} deg)' in text
    assert "+/-{HARD_MAX" not in text
