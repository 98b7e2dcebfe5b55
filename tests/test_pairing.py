"""The one pairing rule (facemetrics.pairing) and its two shells: the batch and the app.

The rule is checked on hand-made sessions (no baseline, one baseline, several,
failed photos, two treatments, duplicate content, unknown times), then as a
property on random photo sets: the app's ``pairs_of`` and the batch's
``_comparison_jobs`` give the same comparisons for the same photos, in any
order of upload or discovery.
"""

from __future__ import annotations

import copy
import math
import random
from types import SimpleNamespace

import pytest

from conftest import app_module
from facemetrics.batch.tables import _comparison_jobs
from facemetrics.pairing import BASELINE, POST, PairingPhoto, PhotoPair, pair_photos
from facemetrics.timekeys import clock_text

def _photo(name, hours, role=None, session=("s",), content=""):
    role = role if role is not None else (BASELINE if hours is not None and hours < 0 else POST)
    return PairingPhoto(name, session, role, hours, content)


def _pairs(pairing):
    return [(p.photo, p.before, p.repeats, p.no_change) for p in pairing.pairs]


def test_earliest_baseline_is_the_before_photo_the_others_its_repeats_and_checked():
    photos = [_photo("post4", 4.0), _photo("b_late", -0.5), _photo("post1", 0.5), _photo("b_early", -2.0),
              _photo("b_mid", -1.0)]
    got = pair_photos(photos)
    assert _pairs(got) == [
        ("post1", "b_early", ("b_mid", "b_late"), False),
        ("post4", "b_early", ("b_mid", "b_late"), False),
        ("b_early", "b_mid", ("b_late",), True),
        ("b_mid", "b_early", ("b_late",), True),
        ("b_late", "b_early", ("b_mid",), True),
    ]
    assert got.no_baseline == () and got.duplicates == ()
    assert got.pairs[0].baselines == ("b_early", "b_mid", "b_late")
    assert got.pairs[0].hours_since_treatment == 0.5 and got.pairs[2].hours_since_treatment == -2.0
    assert all(p.on_timeline for p in got.pairs)  # roles follow the times, as in the batch


def test_equal_times_are_ordered_by_name():
    got = pair_photos([_photo("b", -1.0), _photo("a", -1.0), _photo("p", 1.0)])
    assert got.pairs[0] == PhotoPair(("s",), "p", "a", ("b",), 1.0)


def test_one_baseline_makes_no_no_change_check():
    got = pair_photos([_photo("p2", 2.0), _photo("b", -1.0), _photo("p1", 1.0)])
    assert _pairs(got) == [("p1", "b", (), False), ("p2", "b", (), False)]


def test_no_baseline_no_comparison_and_the_post_photos_reported():
    got = pair_photos([_photo("p2", 2.0), _photo("p1", 1.0)])
    assert got.pairs == () and got.no_baseline == ("p1", "p2")
    assert pair_photos([]) == pair_photos([_photo("x", 1.0, role="")])
    assert pair_photos([]).pairs == ()


def test_baselines_without_post_photos_are_only_checked_against_each_other():
    got = pair_photos([_photo("b1", -1.0), _photo("b2", -0.5)])
    assert _pairs(got) == [("b1", "b2", (), True), ("b2", "b1", (), True)]


def test_failed_or_ignored_photos_are_never_compared():
    got = pair_photos([_photo("failed_b", -3.0, role=""), _photo("b", -1.0), _photo("failed_p", 1.0, role=""),
                       _photo("p", 2.0)])
    assert _pairs(got) == [("p", "b", (), False)]


def test_two_treatments_are_two_sessions_in_key_order():
    got = pair_photos([_photo("rf_p", 1.0, session=("rf",)), _photo("mc_b", -1.0, session=("mc",)),
                       _photo("rf_b", -1.0, session=("rf",)), _photo("mc_p", 1.0, session=("mc",)),
                       _photo("led_p", 1.0, session=("led",))])
    assert [(p.session, p.photo, p.before) for p in got.pairs] == [(("mc",), "mc_p", "mc_b"),
                                                                   (("rf",), "rf_p", "rf_b")]
    assert got.no_baseline == ("led_p",)


def test_duplicate_content_is_used_once():
    """A copy of a baseline photo would be compared with itself (change 0 by construction) and, as a
    repeat, shrink the noise floor; a post photo identical to a baseline is a mix-up: a conflict
    (an audit, 2026-12: it was 'compared once' as the baseline although its other copy was an
    after photo), every copy left out."""
    photos = [_photo("b", -1.0, content="A"), _photo("b_copy", -1.0, content="A"), _photo("b2", -0.5, content="B"),
              _photo("b3", -0.25, content="D"), _photo("p", 1.0, content="C"),
              _photo("p_same_as_b2", 2.0, content="B"),
              _photo("unknown1", 3.0, content=""), _photo("unknown2", 3.0, content="")]
    got = pair_photos(photos)
    assert got.duplicates == (("b_copy", "b"),)
    assert got.conflicts == (("b2", "p_same_as_b2"),)
    assert _pairs(got) == [("p", "b", ("b3",), False), ("unknown1", "b", ("b3",), False),
                           ("unknown2", "b", ("b3",), False), ("b", "b3", (), True), ("b3", "b", (), True)]
    # the same content in another session is another photo there
    other = pair_photos([_photo("b", -1.0, content="A"), _photo("p", 1.0, content="C"),
                         _photo("b_s2", -1.0, content="A", session=("t",)), _photo("p_s2", 1.0, session=("t",))])
    assert other.duplicates == () and len(other.pairs) == 2


def test_unknown_times_come_last_and_stay_off_the_timeline():
    got = pair_photos([_photo("b_notime", None, role=BASELINE), _photo("b", 0.0, role=BASELINE),
                       _photo("p_notime", float("nan"), role=POST), _photo("p", 1.5)])
    assert _pairs(got)[:2] == [("p", "b", ("b_notime",), False), ("p_notime", "b", ("b_notime",), False)]
    on = {(p.photo, p.no_change): p.on_timeline for p in got.pairs}
    assert on == {("p", False): True, ("p_notime", False): False,
                  ("b", True): False,  # a 'before' photo at 0 h: not a zero-change observation after treatment
                  ("b_notime", True): False}
    assert got.pairs[1].hours_since_treatment is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="role"):
        pair_photos([_photo("x", 1.0, role="after")])
    with pytest.raises(ValueError, match="named 'x'"):
        pair_photos([_photo("x", 1.0), _photo("x", -1.0)])
    for bad in (math.nan, None, "1", True):
        with pytest.raises(ValueError, match="baseline_rank"):
            pair_photos([PairingPhoto("x", ("s",), BASELINE, -1.0, baseline_rank=bad)])


def _ranked(name, hours, rank=0):
    return PairingPhoto(name, ("s",), BASELINE if hours < 0 else POST, hours, baseline_rank=rank)


def test_a_baseline_photo_unfit_as_the_before_photo_is_passed_over_for_the_earliest_fit_one():
    """An audit: a smiling or head-turned first before photo made every comparison of its session
    'uncertain'.  The before photo is the earliest of the lowest rank; the one passed over stays a
    repeat, in the rule's order, and is named."""
    photos = [_ranked("b_early", -2.0, rank=1), _ranked("b_mid", -1.0), _ranked("b_late", -0.5),
              _ranked("post1", 0.5, rank=5)]  # a post photo's rank is ignored
    got = pair_photos(photos)
    assert [(p.photo, p.before, p.repeats, p.no_change, p.passed_over) for p in got.pairs] == [
        ("post1", "b_mid", ("b_early", "b_late"), False, ("b_early",)),
        ("b_early", "b_mid", ("b_late",), True, ()),  # checked against the others: b_mid is their earliest
        ("b_mid", "b_late", ("b_early",), True, ("b_early",)),
        ("b_late", "b_mid", ("b_early",), True, ("b_early",)),
    ]
    # every photo unfit alike: the earliest, as before ranks existed
    same = pair_photos([_ranked("b1", -2.0, 2), _ranked("b2", -1.0, 2), _ranked("p", 1.0)])
    assert (same.pairs[0].before, same.pairs[0].passed_over) == ("b1", ())
    # fewer faults win over none being fit: the first of the lowest rank, both earlier ones named
    mixed = pair_photos([_ranked("b1", -3.0, 2), _ranked("b2", -2.0, 1), _ranked("b3", -1.0, 1), _ranked("p", 1.0)])
    assert (mixed.pairs[0].before, mixed.pairs[0].repeats, mixed.pairs[0].passed_over) == ("b2", ("b1", "b3"), ("b1",))


def test_default_ranks_keep_the_earliest_rule_and_the_result_does_not_depend_on_input_order():
    photos = [_photo("post4", 4.0), _photo("b_late", -0.5), _photo("b_early", -2.0), _photo("post1", 0.5)]
    got = pair_photos(photos)
    assert [(p.before, p.passed_over) for p in got.pairs if not p.no_change] == [("b_early", ()), ("b_early", ())]
    ranked = [_ranked("b_early", -2.0, 1), _ranked("b_late", -0.5), _ranked("post1", 0.5)]
    assert pair_photos(ranked) == pair_photos(list(reversed(ranked)))


# ---------------------------------------------------------------- the batch and the app


def _batch_rows(photos: list[dict]) -> list[dict]:
    """``photos.csv`` rows as ``batch.tables._table_row`` makes them (the role from the time's sign)."""
    rows = []
    for p in photos:
        usable = p["ok"] and not p["ignored"] and p["hours"] is not None
        rows.append(dict(photo=p["name"], subject="you", treatment=p["treatment"], treated_at="2026-12-02T08:00:00",
                         hours_since_treatment=p["hours"] if p["hours"] is not None else math.nan,
                         role=("baseline" if p["hours"] < 0 else "post") if usable else "",
                         excluded="" if usable else "not usable", sha256=p["sha"]))
    return rows


def _app_inputs(photos: list[dict]):
    """The app's roles table and analyses for the same photos (an after photo may have no time there)."""
    import pandas as pd

    roles = pd.DataFrame([dict(photo=p["name"], taken="", treatment=p["treatment"],
                               role="ignore" if p["ignored"] else ("before" if (p["hours"] or 0) < 0 else "after"),
                               hours_since_treatment=math.nan if p["hours"] is None else p["hours"])
                          for p in photos])
    by_name = {p["name"]: SimpleNamespace(name=p["name"], ok=p["ok"], photo=SimpleNamespace(sha256=p["sha"]))
               for p in photos}
    return roles, by_name


def _random_photos(rng: random.Random) -> list[dict]:
    photos = []
    for i in range(rng.randint(0, 9)):
        dup = photos and rng.random() < 0.15
        photos.append(dict(
            name=f"{rng.choice(['img', 'IMG', 'a', 'z'])}_{i}.jpg", treatment=rng.choice(["mc", "rf"]),
            hours=rng.choice([-24.0, -1.0, -1.0, -0.25, 0.0, 0.5, 3.0, 3.0, 26.0]),
            ok=rng.random() > 0.15, ignored=rng.random() < 0.1,
            sha=rng.choice(photos)["sha"] if dup else f"{i:064x}"))
    return photos


def test_the_app_and_the_batch_pair_the_same_photos_in_any_upload_order():
    app = app_module()
    rng = random.Random(20261202)
    n_pairs = n_checks = n_dup = 0
    for _ in range(250):
        photos = _random_photos(rng)
        first_app = first_batch = first_excluded = None
        for _ in range(4):
            shuffled = rng.sample(photos, len(photos))
            rows = _batch_rows(shuffled)
            jobs = _comparison_jobs(rows)
            batch = [(r["treatment"], r["photo"], b[0]["photo"], tuple(x["photo"] for x in b[1:]),
                      r["role"] == "baseline") for r, b in jobs]
            pairs = app.pairs_of(*_app_inputs(shuffled))
            in_app = [(p.treatment, p.after.name, p.before.name, tuple(x.name for x in p.repeats), p.no_change)
                      for p in pairs.values()]
            assert sorted(in_app) == sorted(batch)
            # and neither depends on the order: the same list, the app's labels in the same order,
            # the same photos marked excluded in the batch
            excluded = sorted((r["photo"], r["excluded"]) for r in rows)
            if first_app is None:
                first_app, first_batch, first_excluded = list(pairs), batch, excluded
            assert list(pairs) == first_app and batch == first_batch and excluded == first_excluded
            assert all(p.on_timeline for p in pairs.values())  # roles follow the times here
        n_pairs += len(batch)
        n_checks += sum(b[-1] for b in batch)
        n_dup += len(photos) - len({p["sha"] for p in photos})
    assert n_pairs > 300 and n_checks > 50 and n_dup > 20  # the property was exercised


def test_the_batch_marks_duplicates_and_sessions_without_baseline():
    photos = [dict(name="b.jpg", treatment="mc", hours=-1.0, ok=True, ignored=False, sha="A" * 64),
              dict(name="b_copy.jpg", treatment="mc", hours=-1.0, ok=True, ignored=False, sha="A" * 64),
              dict(name="p.jpg", treatment="mc", hours=2.0, ok=True, ignored=False, sha="C" * 64),
              dict(name="rf.jpg", treatment="rf", hours=2.0, ok=True, ignored=False, sha="D" * 64)]
    rows = _batch_rows(photos)
    before = copy.deepcopy(rows)
    jobs = _comparison_jobs(rows)
    assert [(r["photo"], [b["photo"] for b in base]) for r, base in jobs] == [("p.jpg", ["b.jpg"])]
    assert jobs[0][0] is rows[2] and jobs[0][1][0] is rows[0]  # the rows themselves
    excluded = {r["photo"]: r["excluded"] for r in rows}
    assert excluded == {"b.jpg": "", "b_copy.jpg": "same file content as b.jpg (compared once)", "p.jpg": "",
                        "rf.jpg": "no baseline photo (taken before treated_at) in this session"}
    assert [r["role"] for r in rows] == [r["role"] for r in before]  # roles are kept


def test_the_batch_names_a_before_photo_compared_with_nothing():
    """A clinic's audit (2026-12-05): a client photographed before a session and never after (one session of
    that treatment) had her photo in photos.csv with no word: not in `excluded`, not on the console, not in
    report.md, while an after photo without a before photo is named.  It is now left out with the reason and
    what to do; a before photo with a no-change check (two before photos), or of a subject and treatment with
    another session (the regimen study compares the sessions' before photos), is still used and not named."""
    from facemetrics.batch.tables import NO_AFTER_PHOTO

    photos = [dict(name="b.jpg", treatment="mc", hours=-1.0, ok=True, ignored=False, sha="A" * 64),
              dict(name="p.jpg", treatment="mc", hours=2.0, ok=True, ignored=False, sha="C" * 64),
              dict(name="rf_pre.jpg", treatment="rf", hours=-0.25, ok=True, ignored=False, sha="D" * 64),
              dict(name="lift_1.jpg", treatment="lift", hours=-1.0, ok=True, ignored=False, sha="E" * 64),
              dict(name="lift_2.jpg", treatment="lift", hours=-0.5, ok=True, ignored=False, sha="F" * 64)]
    rows = _batch_rows(photos)
    rows.append(dict(rows[2], photo="rf_pre_2.jpg", treatment="rf", treated_at="2026-12-09T08:00:00",
                     sha256="G" * 64))  # the same subject's second rf session, before photo only: a regimen
    rows.append(dict(rows[2], photo="hifu_pre.jpg", treatment="hifu", sha256="H" * 64))
    jobs = _comparison_jobs(rows)
    assert sorted(r["photo"] for r, _ in jobs) == ["lift_1.jpg", "lift_2.jpg", "p.jpg"]  # lift: no-change checks
    excluded = {r["photo"]: r["excluded"] for r in rows}
    assert excluded == {"b.jpg": "", "p.jpg": "", "rf_pre.jpg": "", "lift_1.jpg": "", "lift_2.jpg": "",
                        "rf_pre_2.jpg": "", "hifu_pre.jpg": NO_AFTER_PHOTO}
    assert "add the photos taken after treated_at" in NO_AFTER_PHOTO
    assert rows[-1]["role"] == "baseline"  # the role stays (the regimen study reads roles)


def test_an_after_photo_taken_after_another_treatment_began_is_read_uncertain():
    """A clinic's audit (2026-12-05): a client's RF photo of 24 h filed under her microcurrent session of the day
    before read +1.57 mm at 49 h and turned the pooled microcurrent verdict from fades_within_a_day (half-life
    3.1 h) into inconclusive, with nothing said.  An after photo taken once another treatment of its subject had
    begun (after its own session's treatment) is now marked; its comparison says so, its rows but the pose read
    'uncertain' (the fits leave it out) and report.md quotes why.  Photos taken before that treatment, and a later
    session of the same treatment (the decay fit's follow-on rule), are not marked."""
    from facemetrics.batch.results import comparison_result
    from facemetrics.batch.tables import MSG_AFTER_ANOTHER_TREATMENT
    from facemetrics.batch.timeline import uncertain_notes

    def row(name, treatment, treated_at, taken_at, hours, sha):
        return dict(photo=name, subject="Renée", treatment=treatment, treated_at=treated_at, taken_at=taken_at,
                    hours_since_treatment=hours, role="baseline" if hours < 0 else "post", excluded="", sha256=sha)

    mc, rf, mc2 = "2026-11-23T09:00:00", "2026-11-24T10:00:00", "2026-11-26T09:00:00"
    rows = [row("mc_pre.jpg", "microcurrent", mc, "2026-11-23T08:45:00", -0.25, "A" * 64),
            row("mc_24h.jpg", "microcurrent", mc, "2026-11-24T09:00:00", 24.0, "B" * 64),
            row("mc_49h.jpg", "microcurrent", mc, "2026-11-25T10:00:00", 49.0, "C" * 64),
            row("rf_pre.jpg", "rf", rf, "2026-11-24T09:45:00", -0.25, "D" * 64),
            row("rf_24h.jpg", "rf", rf, "2026-11-25T10:00:00", 24.0, "E" * 64),
            row("mc2_pre.jpg", "microcurrent", mc2, "2026-11-26T08:45:00", -0.25, "F" * 64),
            row("mc2_1h.jpg", "microcurrent", mc2, "2026-11-26T10:00:00", 1.0, "G" * 64)]
    jobs = _comparison_jobs(rows)
    marked = {r["photo"]: r.get("_later_treatments") for r, _ in jobs}
    assert marked == {"mc_24h.jpg": None, "mc_49h.jpg": (("rf", rf),), "rf_24h.jpg": None, "mc2_1h.jpg": None}
    raw = dict(status="ok", messages=[], rows=[dict(metric="jawline_lift_mm", side="mean", verdict="lift"),
                                               dict(metric="head_pitch_change_deg", side="", verdict="within_noise")])
    jobs = dict((r["photo"], (r, base)) for r, base in jobs)
    late = comparison_result(*jobs["mc_49h.jpg"], raw)
    assert late["status"] == "warning" and late["messages"][-1].startswith(
        f"{MSG_AFTER_ANOTHER_TREATMENT}: rf treated at {clock_text(rf)} (24.0 h before this photo)"), late["messages"]
    assert [m["verdict"] for m in late["rows"]] == ["uncertain", "within_noise"]
    assert comparison_result(*jobs["mc_24h.jpg"], raw) == raw
    (line,) = uncertain_notes([dict(photo="mc_49h.jpg", subject="Renée", treatment="microcurrent",
                                    hours_since_treatment=49.0, status="warning", jawline_lift_mm_verdict="uncertain",
                                    messages="; ".join(["resolution too low in the before photo: 0.53 mm/px (limit "
                                                        "0.5)", *late["messages"]]))], ["jawline_lift_mm"])
    assert MSG_AFTER_ANOTHER_TREATMENT in line and "resolution" not in line, line


def test_the_batch_says_a_file_given_as_a_before_and_an_after_photo_is_both_and_leaves_them_out():
    """An audit: a copy of a 2 h photo dated before the treatment was 'same file content as ...
    (compared once)' and, as the earliest baseline, the before photo of the whole session."""
    photos = [dict(name="pre_copy.jpg", treatment="mc", hours=-2.0, ok=True, ignored=False, sha="B" * 64),
              dict(name="pre.jpg", treatment="mc", hours=-0.5, ok=True, ignored=False, sha="A" * 64),
              dict(name="p2h.jpg", treatment="mc", hours=2.0, ok=True, ignored=False, sha="B" * 64),
              dict(name="p4h.jpg", treatment="mc", hours=4.0, ok=True, ignored=False, sha="C" * 64)]
    rows = _batch_rows(photos)
    jobs = _comparison_jobs(rows)
    assert [(r["photo"], [b["photo"] for b in base]) for r, base in jobs] == [("p4h.jpg", ["pre.jpg"])]
    excluded = {r["photo"]: r["excluded"] for r in rows}
    assert excluded["pre.jpg"] == excluded["p4h.jpg"] == ""
    assert excluded["pre_copy.jpg"].startswith("same file content as p2h.jpg (an after photo, 2.0 h after the "
                                               "treatment), but this is a before photo (2.0 h before the treatment)")
    assert excluded["p2h.jpg"].startswith("same file content as pre_copy.jpg (a before photo, 2.0 h before the "
                                          "treatment), but this is an after photo")
    assert "compared once" not in excluded["p2h.jpg"] and "every copy is left out" in excluded["p2h.jpg"]


def test_app_labels_of_same_named_uploads_do_not_depend_on_upload_order():
    """Phones upload every photo as image.jpg: the labels (the rule's tie-break) follow the contents."""
    app = app_module()
    files = [("image.jpg", bytes([k]) * 64) for k in range(4)] + [("other.jpg", b"x" * 64), ("image.jpg", bytes([2]) * 64)]
    labels = None
    for order in ([0, 1, 2, 3, 4, 5], [5, 3, 1, 0, 4, 2], [4, 2, 5, 0, 3, 1]):
        kept, notes = app.unique_uploads([files[i] for i in order])
        by_content = {data: label for label, data, _ in kept}
        assert len(kept) == 5 and len(notes) == 1 and "used once" in notes[0]
        assert labels is None or by_content == labels
        labels = by_content
    assert sorted(labels.values()) == ["image (2).jpg", "image (3).jpg", "image (4).jpg", "image.jpg", "other.jpg"]


# ---------------------------------------------------------------- sessions: the treatment time as an instant


def _row(name, hours, treated_at, subject="S1", treatment="rf"):
    return dict(photo=name, subject=subject, treatment=treatment, treated_at=treated_at, hours_since_treatment=hours,
                role="baseline" if hours < 0 else "post", excluded="", sha256=name.ljust(64, "0"))


def _jobs(rows):
    return sorted((r["photo"], tuple(b["photo"] for b in base)) for r, base in _comparison_jobs(rows))


def test_one_treatment_time_written_four_ways_is_one_session():
    """Issue 9: the session was keyed by the text, so these were 4 sessions and the post photos lost
    their baseline ('no baseline photo ... in this session')."""
    rows = [_row("pre.jpg", -1.0, "2026-11-02T08:00"), _row("p1.jpg", 1.0, "2026-11-02T08:00:00"),
            _row("p2.jpg", 2.0, "2026-11-02 08:00"), _row("p3.jpg", 4.0, "2026-11-02T08:00:00.000")]
    assert _jobs(rows) == [("p1.jpg", ("pre.jpg",)), ("p2.jpg", ("pre.jpg",)), ("p3.jpg", ("pre.jpg",))]
    assert all(r["excluded"] == "" for r in rows)
    # the same instant with two offsets is one session; another time is another session
    rows = [_row("pre.jpg", -1.0, "2026-11-02T07:00Z"), _row("p1.jpg", 1.0, "2026-11-02T08:00+01:00"),
            _row("p2.jpg", 1.0, "2026-11-02T08:00Z")]
    assert _jobs(rows) == [("p1.jpg", ("pre.jpg",))]
    assert "no baseline" in rows[2]["excluded"]


def test_a_time_without_offset_joins_the_one_session_with_its_wall_clock_time():
    """As batch.hours_between compares them: a naive time with an aware one as wall-clock times."""
    rows = [_row("pre.jpg", -1.0, "2026-11-02T08:00"), _row("p1.jpg", 1.0, "2026-11-02T08:00Z"),
            _row("p2.jpg", 2.0, "2026-11-02T08:00:00+01:00"), _row("p3.jpg", 3.0, "2026-11-02T08:00:00+01:00",
                                                                  subject="S2")]
    # 08:00 matches two sessions with offsets (08:00Z and 08:00+01:00 are two instants): refused, said so
    jobs = _jobs(rows)
    assert [j for j in jobs if j[0] == "pre.jpg"] == [] and rows[0]["role"] == ""
    assert "no UTC offset" in rows[0]["excluded"] and "cannot be told" in rows[0]["excluded"]
    assert "'2026-11-02T08:00Z'" in rows[0]["excluded"] and "'2026-11-02T08:00:00+01:00'" in rows[0]["excluded"]
    # with one session at that wall-clock time it is that session
    rows = [_row("pre.jpg", -1.0, "2026-11-02T08:00"), _row("p1.jpg", 1.0, "2026-11-02T08:00Z")]
    assert _jobs(rows) == [("p1.jpg", ("pre.jpg",))] and rows[1]["excluded"] == ""
    # two naive times both matching one session with offsets (08:00Z = 09:00+01:00): refused, said so
    rows = [_row("pre.jpg", -1.0, "2026-11-02T08:00"), _row("pre2.jpg", -1.0, "2026-11-02T09:00"),
            _row("p1.jpg", 1.0, "2026-11-02T08:00Z"), _row("p2.jpg", 2.0, "2026-11-02T09:00+01:00")]
    _jobs(rows)
    assert rows[0]["role"] == rows[1]["role"] == "" and "cannot be told" in rows[1]["excluded"]
    assert "no baseline" in rows[2]["excluded"]


def test_one_file_dated_twice_is_left_out_at_both_times():
    """A copy of a 4 h photo listed at 30 h was 'compared once' at 4 h: a measurement at a time nobody knew
    was right (a wrong timestamp may be either one).  Two known times of one content: a conflict, every copy
    left out; the same time (one file in two folders), or no time, is still a duplicate used once."""
    photos = [_photo("b", -1.0, content="A"), _photo("p4", 4.0, content="C"), _photo("p4_at_30h", 30.0, content="C"),
              _photo("p8", 8.0, content="D"), _photo("p8_again", 8.0, content="D"),
              _photo("p9", 9.0, content="E"), _photo("p9_notime", None, content="E")]
    got = pair_photos(photos)
    assert got.conflicts == (("p4", "p4_at_30h"),)
    assert got.duplicates == (("p8_again", "p8"), ("p9_notime", "p9"))
    assert [p.photo for p in got.pairs] == ["p8", "p9"]
    # the batch's reason names the other copy and both times
    rows = _batch_rows([dict(name="b.jpg", treatment="mc", hours=-1.0, ok=True, ignored=False, sha="A" * 64),
                        dict(name="p4.jpg", treatment="mc", hours=4.0, ok=True, ignored=False, sha="C" * 64),
                        dict(name="p4_at_30h.jpg", treatment="mc", hours=30.0, ok=True, ignored=False, sha="C" * 64)])
    assert _comparison_jobs(rows) == []
    excluded = {r["photo"]: r["excluded"] for r in rows}
    assert excluded["p4_at_30h.jpg"].startswith("same file content as p4.jpg (an after photo, 4.0 h after the "
                                                "treatment), but this one is dated 30.0 h after the treatment")
    assert "every copy is left out" in excluded["p4.jpg"] and "compared once" not in excluded["p4.jpg"]


def test_same_pixels_under_other_bytes_are_one_picture_in_one_role():
    """An audit (copy_after): an after photo copied with its EXIF time rewritten has other bytes but the
    same pixels; it was compared as a measurement at its new time.  In one role the same ``pixels`` are
    one picture (two times: a conflict; one time: a duplicate); across roles they are still compared."""
    s = ("S",)
    photos = [PairingPhoto("pre.jpg", s, BASELINE, -1.0, "a", "A"),
              PairingPhoto("p1.jpg", s, POST, 1.0, "b", "B"), PairingPhoto("p8.jpg", s, POST, 8.0, "c", "B"),
              PairingPhoto("p4.jpg", s, POST, 4.0, "d", "D"), PairingPhoto("p4_copy.jpg", s, POST, 4.0, "e", "D"),
              PairingPhoto("pre_at_2h.jpg", s, POST, 2.0, "f", "A")]
    got = pair_photos(photos)
    assert got.conflicts == (("p1.jpg", "p8.jpg"),)
    assert got.duplicates == (("p4_copy.jpg", "p4.jpg"),)
    assert [p.photo for p in got.pairs] == ["pre_at_2h.jpg", "p4.jpg"]  # compare says it is the same picture
    no_pixels = pair_photos(PairingPhoto(p.photo, s, p.role, p.hours_since_treatment, p.content) for p in photos)
    assert not no_pixels.conflicts and not no_pixels.duplicates and len(no_pixels.pairs) == 5


def test_a_before_photo_copied_at_another_before_time_is_compared_once():
    """Review of 85fba1e (A): a copy of the before photo at another before time (bytes or rewritten EXIF) was a
    conflict, so the session lost its only baseline and every after photo read 'no baseline photo'.  A before
    photo's exact time does not matter: the copy is a duplicate (the first in the rule's order kept), no repeat."""
    s = ("S",)
    photos = [PairingPhoto("pre.jpg", s, BASELINE, -2.0, "a", "A"),
              PairingPhoto("pre_rewritten.jpg", s, BASELINE, -1.0, "b", "A"),
              PairingPhoto("pre_bytes.jpg", s, BASELINE, -0.5, "a", "A"),
              PairingPhoto("p4.jpg", s, POST, 4.0, "c", "C")]
    got = pair_photos(photos)
    assert got.conflicts == () and not got.no_baseline
    assert got.duplicates == (("pre_rewritten.jpg", "pre.jpg"), ("pre_bytes.jpg", "pre.jpg"))
    assert _pairs(got) == [("p4.jpg", "pre.jpg", (), False)]  # the copy is no repeat (and no no-change check)
    # an after photo at two times is still a conflict
    after = pair_photos(photos + [PairingPhoto("p4_at_30h.jpg", s, POST, 30.0, "d", "C")])
    assert after.conflicts == (("p4.jpg", "p4_at_30h.jpg"),)
    # the batch says which copy was kept and that the times differ
    rows = [_row("pre.jpg", -2.0, "2026-11-02T08:00"), _row("pre_copy.jpg", -1.0, "2026-11-02T08:00"),
            _row("p4.jpg", 4.0, "2026-11-02T08:00")]
    rows[1]["sha256"] = rows[0]["sha256"]
    assert _jobs(rows) == [("p4.jpg", ("pre.jpg",))]
    assert rows[1]["excluded"].startswith("same file content as pre.jpg (compared once); dated 1.0 h before")
    assert rows[0]["excluded"] == rows[2]["excluded"] == ""


def test_a_conflict_says_per_photo_whether_it_is_the_same_file_or_the_same_pixels():
    """Review of 85fba1e, C: the reason said "same pixels as A and B" though A was a byte-identical copy."""
    rows = [_row("p1.jpg", 1.0, "2026-11-02T08:00"), _row("p1_copy.jpg", 8.0, "2026-11-02T08:00"),
            _row("p1_rewritten.jpg", 30.0, "2026-11-02T08:00")]
    rows[1]["sha256"] = rows[0]["sha256"]
    for r in rows:
        r["pixel_sha256"] = "P" * 64
    assert _jobs(rows) == []
    why = {r["photo"]: r["excluded"] for r in rows}
    assert why["p1.jpg"].startswith("same file content as p1_copy.jpg (an after photo, 8.0 h after the treatment) "
                                    "and same pixels as p1_rewritten.jpg (an after photo, 30.0 h after"), why
    assert why["p1_rewritten.jpg"].startswith("same pixels as p1.jpg (an after photo, 1.0 h after the treatment) "
                                              "and p1_copy.jpg"), why


@pytest.mark.parametrize("copy_name", ["IMG_4816(1).JPG", "IMG_4816 (1).JPG", "IMG_4816 copy.JPG", "IMG_4816 copy 2.JPG",
                                       "IMG_4816 - Copy.JPG", "IMG_4816 - Copy (2).JPG", "IMG_4816-1.JPG",
                                       "IMG_4816 2.JPG",
                                       # stop 47: localized Windows Explorer and macOS Finder copies
                                       "IMG_4816 - Kopie.JPG", "IMG_4816 - Kopie (2).JPG", "IMG_4816 - Copie.JPG",
                                       "IMG_4816 - copia.JPG", "IMG_4816 - Cópia.JPG", "IMG_4816 - kopie.JPG",
                                       "IMG_4816 - kopia.JPG", "IMG_4816 - Kopi.JPG", "IMG_4816 — копия.JPG",
                                       "IMG_4816 - копия (3).JPG", "IMG_4816 - コピー.JPG", "IMG_4816 - 副本.JPG",
                                       "IMG_4816 - 복사본.JPG", "IMG_4816 Kopie.JPG", "IMG_4816 copie.JPG",
                                       "IMG_4816 Kopie 2.JPG", "IMG_4816 のコピー.JPG", "IMG_4816 副本 2.JPG",
                                       "IMG_4816 - KOPIE.JPG", "IMG_4816 - Co\u0301pia.JPG",
                                       # stop 47 (h8): Windows XP/Vista Explorer's prefixes
                                       "Copy of IMG_4816.JPG", "Copy (2) of IMG_4816.JPG", "copy of IMG_4816.JPG",
                                       "Kopie von IMG_4816.JPG", "Kopie (3) von IMG_4816.JPG",
                                       "Copie de IMG_4816.JPG", "Copie (2) de IMG_4816.JPG"])
@pytest.mark.parametrize("hours", [-1.0, 3.0])
def test_the_original_is_kept_over_its_copy_and_the_copys_row_names_it(copy_name, hours):
    """Stop 45's audit: 'IMG_4816(1).JPG' was kept over 'IMG_4816.JPG' ("(" sorts before "."), and the original's
    row said it was the copy's duplicate.  Firefox/Takeout '(1)', Chrome/Drive/Windows ' (1)', macOS ' copy',
    ' copy 2' and ' 2', Windows ' - Copy', Safari '-1': the original is kept, the copy's row names it."""
    from facemetrics.pairing import original_name

    assert original_name(f"S01/mc/{copy_name}") == "S01/mc/IMG_4816.JPG"
    photos = [dict(name=f"S01/mc/{n}", treatment="mc", hours=h, ok=True, ignored=False, sha=s * 64)
              for n, h, s in ((copy_name, hours, "A"), ("IMG_4816.JPG", hours, "A"), ("b0.jpg", -2.0, "B"),
                              ("p9.jpg", 9.0, "C"))]
    got = pair_photos(_photo(p["name"], p["hours"], content=p["sha"]) for p in photos)
    assert got.duplicates == ((f"S01/mc/{copy_name}", "S01/mc/IMG_4816.JPG"),)
    rows = _batch_rows(photos)
    _comparison_jobs(rows)
    excluded = {r["photo"]: r["excluded"] for r in rows}
    assert excluded["S01/mc/IMG_4816.JPG"] == ""
    assert excluded[f"S01/mc/{copy_name}"].startswith("same file content as S01/mc/IMG_4816.JPG"), excluded


def test_a_name_without_a_copy_suffix_keeps_its_order():
    """Names that only look alike keep the order by name; a stem that is all suffix is left whole."""
    from facemetrics.pairing import original_name

    assert original_name("IMG_4816.JPG") == "IMG_4816.JPG" and original_name("(1).jpg") == "(1).jpg"
    got = pair_photos([_photo("a0.jpg", -1.0, content="X"), _photo("a.jpg", -1.0, content="X")])
    assert got.duplicates == (("a0.jpg", "a.jpg"),)


def test_a_localized_copy_is_told_from_its_original_whatever_the_case_or_composition():
    """Stop 47: 'IMG_1 - Kopie.jpg' (a German Windows' copy) was kept over 'IMG_1.jpg' (" " sorts before ".").
    The original's name in other letter case or composition (macOS writes 'Zoë' decomposed) is still its
    original; the copy's row names the original, and the batch's words read as for an English copy."""
    import unicodedata

    from facemetrics.pairing import original_name

    nfd = unicodedata.normalize("NFD", "S01/Zoë/IMG_1.jpg")
    for copy_name, original in (("S01/Zoë/img_1 - Kopie.JPG", "S01/Zoë/IMG_1.jpg"), ("S01/Zoë/IMG_1 Kopie.jpg", nfd)):
        photos = [dict(name=n, treatment="mc", hours=-1.0, ok=True, ignored=False, sha="A" * 64)
                  for n in (copy_name, original)]
        photos.append(dict(name="S01/Zoë/p.jpg", treatment="mc", hours=2.0, ok=True, ignored=False, sha="B" * 64))
        got = pair_photos(_photo(p["name"], p["hours"], content=p["sha"]) for p in photos)
        assert got.duplicates == ((copy_name, original),), got.duplicates
        rows = _batch_rows(photos)
        _comparison_jobs(rows)
        excluded = {r["photo"]: r["excluded"] for r in rows}
        assert excluded[original] == "" and excluded[copy_name] == f"same file content as {original} (compared once)"
    assert original_name(unicodedata.normalize("NFD", "a/IMG_1 - Cópia.jpg")) == "a/IMG_1.jpg"


@pytest.mark.parametrize("name", ["Kopie.jpg", "copia.jpg", "Kopie/IMG_1.jpg", "のコピー.jpg", "S01/Kopie (1)/a.jpg",
                                  "IMG_1-Kopie.jpg", "IMG_1 Kopiec.jpg", "IMG_1 - Copyright.jpg",
                                  "Copy of .jpg", "Copyof IMG_1.jpg", "Copy ofIMG_1.jpg", "Copy of/IMG_1.jpg",
                                  "Copy (1234) of IMG_1.jpg", "Kopie de IMG_1.jpg"])
def test_a_name_that_is_a_copy_word_alone_is_no_copy(name):
    """A subject folder genuinely named 'Kopie', a file 'copia.jpg': no copy's suffix (nothing would be left of
    the stem, or the word is part of another word or the folder)."""
    from facemetrics.pairing import original_name

    assert original_name(name) == name


def test_a_name_that_looks_like_a_copy_of_an_absent_photo_keeps_its_place():
    """'Anna Kopie.jpg' (a surname) without 'Anna.jpg' is no copy: it is ordered by its own name, so of two
    identical photos at one time the first by name is kept, as for any other names."""
    photos = [_photo("Anna Kopie.jpg", -1.0, content="A"), _photo("Anna-1b.jpg", -1.0, content="A")]
    # as a copy of the absent 'Anna.jpg' it would sort after 'Anna-1b.jpg' ("-" before "."); by its own name first
    assert pair_photos(photos).duplicates == (("Anna-1b.jpg", "Anna Kopie.jpg"),)
    # with 'Anna.jpg' there, it is its copy: the original is kept
    with_original = [photos[0], _photo("Anna.jpg", -1.0, content="A")]
    assert pair_photos(with_original).duplicates == (("Anna Kopie.jpg", "Anna.jpg"),)


def test_a_name_that_looks_like_an_older_windows_copy_of_an_absent_photo_keeps_its_place():
    """'Copy of notes.jpg' without 'notes.jpg' is no copy: ordered by its own name ("C" before "d"), it is kept
    over an identical 'd.jpg'; with 'notes.jpg' there, it is that photo's copy and the original is kept."""
    photos = [_photo("Copy of notes.jpg", -1.0, content="A"), _photo("d.jpg", -1.0, content="A")]
    # as a copy of the absent 'notes.jpg' it would sort after 'd.jpg'
    assert pair_photos(photos).duplicates == (("d.jpg", "Copy of notes.jpg"),)
    with_original = [photos[0], _photo("notes.jpg", -1.0, content="A")]
    assert pair_photos(with_original).duplicates == (("Copy of notes.jpg", "notes.jpg"),)


@pytest.mark.parametrize("copy_name", ["Copia de IMG_4816.JPG", "copia de IMG_4816.JPG", "Copia di IMG_4816.JPG",
                                       "Cópia de IMG_4816.JPG", "Co\u0301pia de IMG_4816.JPG", "Kopie van IMG_4816.JPG",
                                       "KOPIE VAN IMG_4816.JPG"])
def test_a_spanish_italian_portuguese_or_dutch_copy_prefix_is_a_copy(copy_name):
    """Session 48: 'Copia de IMG_4816.JPG' (Spanish; Italian 'Copia di', Portuguese 'Cópia de', Dutch 'Kopie van',
    the prefixes found on copies' names in public code, :data:`facemetrics.pairing.COPY_PREFIX_WORDS`) was no copy:
    'C' sorts before 'I', so of the two identical photos the copy was kept and the original's row named it."""
    from facemetrics.pairing import original_name

    assert original_name(f"S01/mc/{copy_name}") == "S01/mc/IMG_4816.JPG"
    photos = [_photo(f"S01/mc/{copy_name}", -1.0, content="A"), _photo("S01/mc/IMG_4816.JPG", -1.0, content="A")]
    assert pair_photos(photos).duplicates == ((f"S01/mc/{copy_name}", "S01/mc/IMG_4816.JPG"),)


@pytest.mark.parametrize("name", ["Copia de.jpg", "Copia deIMG_1.jpg", "Copia de .jpg", "Kopie vanIMG_1.jpg",
                                  "Copia (2) de IMG_1.jpg", "Kopie van/IMG_1.jpg", "Copia dei IMG_1.jpg"])
def test_a_name_that_only_starts_like_a_localized_copy_prefix_is_no_copy(name):
    """The added prefixes need their space and something after it; their numbered form ('Copia (2) de') was found
    on no file name and is not read as a copy; a folder named 'Kopie van' is no copy's prefix."""
    from facemetrics.pairing import original_name

    assert original_name(name) == name
