"""A home user's month of daily sessions (stop 56's audit, bench/audit_home_month.py; docs/validation.md §12,
"Round 13"): what the study surfaces say to a user whose every session follows the day before's.

Simulated at the level of measured changes (numbers, no images), as tests/test_follow_on.py."""

from __future__ import annotations

import pandas as pd

from facemetrics.batch import LONG_COLUMNS, run_timeline

from test_follow_on import RF, two_sessions


def _report(tmp_path, long: pd.DataFrame):
    out = tmp_path / "batch"
    out.mkdir()
    long.reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame({"photo": ["a.jpg"], "excluded": [""]}).to_csv(out / "photos.csv", index=False)
    _, table = run_timeline(out, n_boot=100, seed=0)
    return (out / "report.md").read_text(), table


def test_the_follow_on_section_does_not_say_the_first_sessions_judged_when_all_sessions_did(tmp_path):
    """One subject whose first session has too few photos to fit: the fit of all sessions judged, and each line
    of report.md's follow-on section says so; the section's own sentence said "the fit of the subjects' first
    sessions does not show that session's change inside the margin" above them (the home-month audit: every
    daily session of a fading lift, judged by the fit of all sessions)."""
    long = two_sessions(96.0, RF, n_subjects=1, first_times=(1.0, 24.0), second_times=(1.0, 6.0, 24.0, 72.0))
    md, _ = _report(tmp_path, long)
    section = md[md.index("### Sessions left out of the decay fits"):]
    assert "the fit of every session (the first-session fit alone cannot tell)" in section
    assert "(the fit of the subjects' first sessions does not show" not in section
    assert "the fit of every session when the first-session fit alone cannot tell" in section
    # one subject, one first session: no plural words for them (Round 19's (ii): "the first sessions' alone")
    assert "first sessions" not in section and "subjects'" not in section, section


def test_report_and_console_say_once_what_photo_would_let_a_follow_on_session_count(tmp_path, capsys):
    """A daily user whose every later session is left out as a follow-on read "only 1 photo (need at least 6)" and
    a list of sessions: nothing said what to do (more photos of the same days do not help: the home-month audit's
    fading user, 47 photos, 4 weeks, no fit).  What did: a photo about 24 h after a session, before the next one
    (its fading_skip user, photos on the days without a session: `fades_within_a_day` at week 4).  report.md's
    follow-on section and the console say it once, in words a user acts on."""
    from facemetrics.cli import _print_verdicts
    from facemetrics.report import FOLLOW_ON_ADVICE, follow_on_advice

    long = two_sessions(96.0, RF, n_subjects=1, first_times=(1.0, 24.0), second_times=(1.0, 6.0, 24.0, 72.0))
    md, table = _report(tmp_path, long)
    assert "about 24 h later" in FOLLOW_ON_ADVICE and "--follow-up" in FOLLOW_ON_ADVICE
    # its first session's fit has too few data: the advice says more photos after it help (stop 62, h8)
    advice = follow_on_advice(table)
    assert advice != FOLLOW_ON_ADVICE and "about 24 h later" in advice and "--follow-up" in advice
    assert md.count(advice) == 1
    assert md.index(advice) > md.index("### Sessions left out of the decay fits")
    _print_verdicts(table)
    assert capsys.readouterr().out.count(advice) == 1


def test_without_follow_on_sessions_no_advice_is_given(tmp_path, capsys):
    from facemetrics.cli import _print_verdicts
    from facemetrics.report import FOLLOW_ON_ADVICE

    long = two_sessions(96.0, RF, n_subjects=1)
    long = long[long["photo"].str.contains("/s1/")]  # the first sessions only
    md, table = _report(tmp_path, long)
    _print_verdicts(table)
    assert FOLLOW_ON_ADVICE not in md and FOLLOW_ON_ADVICE not in capsys.readouterr().out


def _turned(path, deg: float) -> bytes:
    """The photo at ``path`` turned by ``deg`` (another capture to the copy check: more than 0.05 deg), as JPEG."""
    import cv2

    rgb = cv2.imread(str(path))
    h, w = rgb.shape[:2]
    ok, data = cv2.imencode(".jpg", cv2.warpAffine(rgb, cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0), (w, h),
                                                   borderMode=cv2.BORDER_REPLICATE), [cv2.IMWRITE_JPEG_QUALITY, 92])
    return data.tobytes()


def two_daily_sessions(store_dir, samples) -> None:
    """Fill the store at ``store_dir`` with subject "me"'s two microcurrent sessions a day apart (2 and 3 Nov 2026,
    08:00), one photo before (07:50) and one after (08:10) each: the bundled samples, each turned a little
    (:func:`_turned`) so that no two are one capture to the copy check."""
    from facemetrics.store import Store

    with Store(store_dir) as store:
        for day, (a, b) in enumerate(((0.3, -0.3), (0.6, -0.6)), start=2):
            store.add_photos("me", [("pre.jpg", _turned(samples / "astronaut_before.jpg", a))],
                             treatment="microcurrent", treated_at=f"2026-11-0{day}T08:00",
                             taken_at=f"2026-11-0{day}T07:50")
            store.add_photos("me", [("post.jpg", _turned(samples / "astronaut_after.jpg", b))],
                             treatment="microcurrent", treated_at=f"2026-11-0{day}T08:00",
                             taken_at=f"2026-11-0{day}T08:10")


def daily_store(tmp_path, monkeypatch):
    """A store at ``tmp_path / "store"`` (``FACEMETRICS_STORE`` set to it) filled by :func:`two_daily_sessions`:
    ``(project root, its sample_images folder, the store folder)``."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    store_dir = tmp_path / "store"
    monkeypatch.setenv("FACEMETRICS_STORE", str(store_dir))
    two_daily_sessions(store_dir, root / "sample_images")
    return root, root / "sample_images", store_dir


def my_study_page(root, subject: str):
    """The app (``root / "app.py"``, AppTest) run on its *My study* page with ``subject`` chosen, checked to have
    raised nothing."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
    at.run()
    at.sidebar.radio(key="mode").set_value("My study").run()
    at.selectbox(key="study-subject").set_value(subject)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at



def test_my_study_says_what_would_let_a_follow_on_session_count(tmp_path, monkeypatch):
    """*My study* showed a daily user's verdicts with every later session left out as a follow-on and no word of
    what to do (the home-month audit's app week): the page says the advice once under the verdicts, with what is
    missing (:func:`facemetrics.report.follow_on_advice`: one photo of each day is too few to fit, stop 62)."""
    pytest = __import__("pytest")
    pytest.importorskip("streamlit")
    from facemetrics.report import FEW_HOURS_ADVICE, FEW_PHOTOS_ADVICE, FOLLOW_ON_ADVICE

    FOLLOW_ON_ADVICE = FOLLOW_ON_ADVICE.replace(FEW_HOURS_ADVICE, FEW_PHOTOS_ADVICE)  # noqa: N806

    root, _, _ = daily_store(tmp_path, monkeypatch)
    at = my_study_page(root, "me")
    shown = [str(e.value) for kind in ("markdown", "caption", "info") for e in getattr(at, kind)]
    assert any("follow-on session" in t for t in shown), shown  # the verdicts name them
    assert sum(FOLLOW_ON_ADVICE.replace("*", "") in t.replace("\\", "").replace("*", "") for t in shown) == 1, shown
