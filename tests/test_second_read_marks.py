"""The photo read a second time (a session's before photo, also the previous session's photo at that time: stop 56) is
marked where a user looks (stop 57, e1; docs/validation.md section 12, Round 17): timeline.png (a square frame and a
legend entry), *My study*'s photo table (its second role) and ``study add`` (one line)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from facemetrics.decay import analyze_series
from test_follow_on_next_before import _comparison_jobs, _fading, _simulated, daily

#: the legend entry, literal so that the test fails by assertion on the code before it
LABEL = "next session's before photo: read also as this session's photo at that time"


def _labels(fig):
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def test_the_timeline_figure_frames_the_before_photos_read_twice_and_names_them_in_its_legend():
    from facemetrics.plots import plot_timeline

    rows = daily(3, after=(0.17, 1.0, 5.0, 12.0))
    jobs = _comparison_jobs(rows)
    changes = _simulated(jobs, _fading)
    res = analyze_series(changes, n_boot=0, seed=0)
    twice = {(r["photo"], r["treated_at"]) for r, _ in jobs if r.get("_next_session")}
    assert len(twice) == 2
    marked = changes.assign(second_read=[(p, t) in twice for p, t in zip(changes["photo"], changes["treated_at"])])
    for layout in ("wide", "narrow"):
        fig = plot_timeline(marked, res, layout=layout)
        assert any(LABEL in t.replace("\n", " ") for t in _labels(fig)), _labels(fig)
        framed = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_label() == "_second_read"]
        assert len(framed) == 1 and framed[0].get_marker() == "s" and len(framed[0].get_xdata()) == 2
        assert sorted(round(float(h), 2) for h in framed[0].get_xdata()) == [23.83, 23.83]
    plain = plot_timeline(changes, res)
    assert not any(LABEL in t.replace("\n", " ") for t in _labels(plain))


def test_run_timeline_marks_them_in_timeline_png_and_hands_them_to_the_app(tmp_path):
    from facemetrics.batch import LONG_COLUMNS, run_timeline

    rows = daily(3, after=(0.17, 1.0, 5.0, 12.0))
    jobs = _comparison_jobs(rows)
    out = tmp_path / "batch"
    out.mkdir()
    _simulated(jobs, _fading).reindex(columns=LONG_COLUMNS).to_csv(out / "long.csv", index=False)
    pd.DataFrame(rows).to_csv(out / "photos.csv", index=False)
    pd.DataFrame([dict(photo=r["photo"], role=r["role"], hours_since_treatment=r["hours_since_treatment"],
                       subject=r["subject"], treatment=r["treatment"], treated_at=r["treated_at"], status="ok",
                       messages="", baseline_photos="") for r, _ in jobs]).to_csv(out / "changes.csv", index=False)
    got = []
    run_timeline(out, n_boot=0, seed=0, fits_done=got.append)
    drawn = got[0].changes
    assert sorted(drawn.loc[drawn["second_read"], "photo"].unique()) == ["me_d2_pre.jpg", "me_d3_pre.jpg"]


def _store_rows(days=3, post_last=True):
    rows, i = [], 0
    for d in range(days):
        at = f"2026-11-0{d + 2}T08:00"
        for taken, role in ((f"2026-11-0{d + 2}T07:50", "baseline"), (f"2026-11-0{d + 2}T08:10", "post")):
            if d == days - 1 and role == "post" and not post_last:
                continue
            i += 1
            rows.append(dict(id=i, subject="me", treatment="microcurrent", treated_at=at, taken_at=taken, role=role,
                             sha256=f"s{i}"))
    return pd.DataFrame(rows)


def test_the_stored_second_reads_follow_the_batchs_rule():
    from facemetrics.batch.tables import stored_second_reads

    got = stored_second_reads(_store_rows(post_last=False))
    assert {k: (v[0], round(v[1], 2), v[2]) for k, v in got.items()} == {
        3: ("2026-11-02T08:00", 23.83, True), 5: ("2026-11-03T08:00", 23.83, False)}
    # day 2 measured nothing: day 3's before photo is not day 1's photo (its session is not compared)
    assert stored_second_reads(_store_rows(), ok={3: False, 4: False}) == {}


def test_my_study_table_gives_the_second_role():
    import importlib.util

    spec = importlib.util.spec_from_file_location("app_for_roles", Path(__file__).resolve().parents[1] / "app.py")
    pytest = __import__("pytest")
    pytest.importorskip("streamlit")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    photos = _store_rows()
    roles = app.study_roles(photos, ["ok"] * len(photos))
    assert roles == ["baseline", "post", "baseline; also the 23.8 h photo of the session of 2026-11-02 08:00", "post",
                     "baseline; also the 23.8 h photo of the session of 2026-11-03 08:00", "post"]


def test_study_add_and_my_study_say_the_second_role_on_a_real_store(tmp_path, monkeypatch, capsys):
    """``study add`` of day 3's before photo says it is also day 2's photo at 23.8 h; *My study*'s table says so."""
    pytest = __import__("pytest")
    from facemetrics.cli import main
    from test_study_home import _turned, daily_store, my_study_page

    root, samples, store_dir = daily_store(tmp_path, monkeypatch)
    pre = tmp_path / "pre4.jpg"
    pre.write_bytes(_turned(samples / "astronaut_before.jpg", 0.9))
    assert main(["study", "add", str(pre), "--subject", "me", "--treatment", "microcurrent", "--treated-at",
                 "2026-11-04T08:00", "--taken-at", "2026-11-04T07:50", "--store", str(store_dir)]) == 0
    said = capsys.readouterr().out
    # day 3's before photo, read so already, had its line say why (SECOND_READ_WHY): this one says like it (stop 60)
    line = ("pre4.jpg: also read as the photo at 23.8 h of the session treated at 2026-11-03 08:00, like 1 earlier "
            "before photo of subject me (once its session has an after photo)")
    assert line in said, said
    pytest.importorskip("streamlit")
    at = my_study_page(root, "me")
    cells = [str(v) for df in at.dataframe for v in df.value.get("role", [])]
    assert "baseline; also the 23.8 h photo of the session of 2026-11-02 08:00" in cells, cells


def test_study_add_per_morning_says_why_a_before_photo_is_read_twice_once(tmp_path, capsys):
    """A daily user's ``study add`` per morning said the whole "also read as ... (taken after that treatment and before
    this one's, it is the face then, ...)" for every morning's before photo (13 times in 14 mornings: docs/validation.md
    section 12, Round 20's (v)).  Why is said the first time; each later line names its photo, its time and like how
    many earlier ones (stop 60, g2).  Fails on the old code (the sentence three times)."""
    from facemetrics.cli import MSG_ALSO_READ, main
    from test_study_home import _turned

    why = "taken after that treatment and before this one's, it is the face then, as a --follow-up photo would be"

    samples = Path(__file__).resolve().parents[1] / "sample_images"
    store_dir, said = tmp_path / "store", []
    for day in range(2, 6):  # four mornings, each its before and after photo in one `study add`
        folder = tmp_path / f"d{day}"
        folder.mkdir()
        (folder / f"pre{day}.jpg").write_bytes(_turned(samples / "astronaut_before.jpg", 0.1 * day))
        assert main(["study", "add", str(folder / f"pre{day}.jpg"), "--subject", "me", "--treatment", "mc",
                     "--treated-at", f"2026-11-0{day}T08:00", "--taken-at", f"2026-11-0{day}T07:50", "--store",
                     str(store_dir), "--no-measure"]) == 0
        (folder / f"post{day}.jpg").write_bytes(_turned(samples / "astronaut_after.jpg", -0.1 * day))
        assert main(["study", "add", str(folder / f"post{day}.jpg"), "--subject", "me", "--treatment", "mc",
                     "--treated-at", f"2026-11-0{day}T08:00", "--taken-at", f"2026-11-0{day}T08:10", "--store",
                     str(store_dir), "--no-measure"]) == 0
        said += capsys.readouterr().out.splitlines()
    lines = [x for x in said if MSG_ALSO_READ in x]
    assert [x.split(":")[0] for x in lines] == ["pre3.jpg", "pre4.jpg", "pre5.jpg"], said
    assert sum(why in x for x in said) == 1, lines  # three times before
    assert lines[0] == (f"pre3.jpg: {MSG_ALSO_READ} photo at 23.8 h of the session treated at 2026-11-02 08:00 if it "
                        f"measures ({why}; once this session has an after photo)"), lines
    assert lines[2] == (f"pre5.jpg: {MSG_ALSO_READ} photo at 23.8 h of the session treated at 2026-11-04 08:00 if it "
                        "measures, like 2 earlier before photos of subject me (once its session has an after photo)")


def test_study_add_names_several_before_photos_read_twice_in_one_line(monkeypatch):
    """Several before photos of one ``study add`` read a second time: one line naming them, why said once."""
    from types import SimpleNamespace

    import facemetrics.batch.tables as tables
    from facemetrics.cli import MSG_ALSO_READ, SECOND_READ_WHY, SECOND_READS_WHY, _second_read_lines

    results = [SimpleNamespace(photo_id=k, status="added", role="baseline", name=f"pre{k}.jpg", measured="ok")
               for k in (3, 4)]
    store = SimpleNamespace(photos=lambda subject: None)
    reads = {3: ("2026-11-02T08:00", 23.8, True), 4: ("2026-11-03T08:00", 23.8, False)}
    monkeypatch.setattr(tables, "stored_second_reads", lambda photos, ok=None: dict(reads))
    (line,) = _second_read_lines(store, "me", results)
    assert line == (f"2 before photos {MSG_ALSO_READ} previous session's photo at that time ({SECOND_READS_WHY}): "
                    "pre3.jpg, the photo at 23.8 h of the session treated at 2026-11-02 08:00; pre4.jpg, the photo at "
                    "23.8 h of the session treated at 2026-11-03 08:00 (once its session has an after photo)")
    reads[1] = ("2026-11-01T08:00", 24.0, True)  # a before photo stored earlier, read so: its line said why
    (line,) = _second_read_lines(store, "me", results)
    assert SECOND_READ_WHY not in line and SECOND_READS_WHY not in line
    assert line.startswith(f"2 before photos {MSG_ALSO_READ} previous session's photo at that time, like 1 earlier "
                           "before photo of subject me: pre3.jpg, "), line
