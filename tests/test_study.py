"""``facemetrics.study.example_series``: the app's bundled example timeline."""

from __future__ import annotations

from facemetrics.study import example_series


def test_the_example_series_has_no_picture_compared_with_itself(sample_path):
    """The example's before photo (t < 0) and a lift too small to move a pixel (2 mm after 16 half-lives)
    were the base photo's own pixels: compared with the base photo they read 0 by construction, and the
    app's example fitted those zeros (review of 674ec27, 8).  They are now another picture of the same
    face (the study's photo jitter), a measured change of about 0 that the fits keep."""
    design = {"mc": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0, times_h=[-0.5, 1.0, 24.0, 48.0])}
    df = example_series(sample_path, design=design, max_side=400)
    jaw = df[(df["metric"] == "jawline_lift_mm") & (df["side"] == "mean")].set_index("hours_since_treatment")
    assert list(jaw.index) == [-0.5, 1.0, 24.0, 48.0]
    # 24 h: 0.008 mm, a few hundredths of a pixel: read a re-saved copy of the base photo ('uncertain', left out
    # of the fits, so the example had no photo near 24 h and its claim went unjudged); now jittered too
    for t in (-0.5, 24.0, 48.0):
        assert jaw.loc[t, "verdict"] == "within_noise", jaw.loc[t]
        assert 1e-6 < abs(jaw.loc[t, "value"]) < 0.3  # measured, not 0 by construction (~1e-16)
    assert jaw.loc[1.0, "verdict"] == "lift" and jaw.loc[1.0, "value"] > 1.0
    assert not (df["verdict"] == "uncertain").any()
