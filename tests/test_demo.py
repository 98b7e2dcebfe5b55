"""``facemetrics demo`` end to end (quick): a simulated study from the bundled
sample, batch, timeline, verdicts on stdout and every promised file written.

The default design (two treatments, 18 photos per subject, about a minute)
is replaced by a seven-photo microcurrent session of one subject (the quick
mode): the same code path with fewer photos.
"""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from facemetrics import study as study_module
from facemetrics.cli import main
from facemetrics.decay import INCONCLUSIVE, MIN_PHOTOS
from facemetrics.decay.claim import decay_resolved
from facemetrics.report import short_reason

#: 2 mm peak fading with a 3 h half-life; a baseline photo and the least a fit accepts:
#: MIN_PHOTOS changes versus that baseline, the last at 24 h
QUICK_DESIGN = {"microcurrent": dict(peak_mm=2.0, half_life_h=3.0, lasting_mm=0.0,
                                     times_h=[-0.5, 0.5, 2, 4, 6, 12, 24])}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(study_module, "DEFAULT_DESIGN", QUICK_DESIGN)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(["demo", "-o", str(out), "--subjects", "1", "--n-boot", "50", "--workers", "1"])
    return code, buf.getvalue(), out


def test_demo_writes_every_promised_file(demo):
    code, stdout, out = demo
    assert code == 0, stdout
    for name in ("report.md", "timeline.png", "photos.csv", "changes.csv", "long.csv", "timeline.csv"):
        assert (out / name).is_file(), name
    manifest = pd.read_csv(out / "study" / "manifest.csv")
    assert len(manifest) == len(QUICK_DESIGN["microcurrent"]["times_h"])
    photos = pd.read_csv(out / "photos.csv")
    assert (photos["status"] == "ok").all()
    long = pd.read_csv(out / "long.csv")
    jaw = long[(long["metric"] == "jawline_lift_mm") & (long["side"] == "mean")]
    assert len(jaw) == MIN_PHOTOS  # every photo after the baseline, compared with it


def test_demo_prints_one_verdict_per_pooled_fit(demo):
    _, stdout, out = demo
    table = pd.read_csv(out / "timeline.csv")
    pooled = table[table["subject"].isna()]
    lines = [ln for ln in stdout.splitlines() if " / " in ln and " - " in ln]
    assert len(lines) == len(pooled) > 0
    jaw = pooled[pooled["metric"] == "jawline_lift_mm"].iloc[0]
    # the causes of 'uncertain', if any, are said once under the lines (h12): short_reason refers to them
    assert f"microcurrent / jawline_lift_mm (mean): {jaw['verdict']} - {short_reason(jaw['reason'])}" in lines
    # one simulated subject: a residual bootstrap, and a real fit of the 2 mm peak
    assert jaw["bootstrap"] == "residual" and jaw["fit_ok"]
    assert 1.0 < jaw["peak_change"] < 3.0, jaw["reason"]
    assert jaw["verdict"] in ("fades_within_a_day", INCONCLUSIVE)
    # report.md carries the same verdict and sentence
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"**microcurrent, jawline_lift_mm (mean)**: `{jaw['verdict']}`. {short_reason(jaw['reason'])}" in report
    # the figures table gives the transient part with its CI, as timeline.csv does (when the decay is resolved)
    assert "| transient [95% CI] |" in report
    if decay_resolved(jaw):
        cell = f"{jaw['transient']:.2f} mm [{jaw['transient_ci_low']:.2f}, {jaw['transient_ci_high']:.2f}]"
        assert cell in report, cell


def test_readme_commands_after_the_demo_do_not_write_over_its_outputs():
    """The README's "other commands", run after ``facemetrics demo -o results`` as it says, wrote
    ``analyze``'s table over the demo's ``results/photos.csv`` and ``batch``'s tables into the demo's
    simulated study photos (``results/study``; a new user's audit, 2026-12-04)."""
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    demo = re.search(r"^facemetrics demo -o (\S+)$", readme, re.M).group(1)
    block = readme.split("The other commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    demo_files = {f"{demo}/{n}" for n in ("photos.csv", "changes.csv", "long.csv", "timeline.csv", "timeline.png",
                                          "report.md", "regimen.png")}
    outputs = []
    for line in block.splitlines():
        if not line.startswith("facemetrics "):
            continue
        for part in line.split("&&"):
            words = shlex.split(part)
            outputs += [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-o", "--overlays", "--geometry")]
    assert len(outputs) >= 6, outputs  # analyze (3), compare, batch, validate
    for out in outputs:
        out = out.rstrip("/")
        assert out not in demo_files and out != demo, out
        assert not (out + "/").startswith(f"{demo}/study/"), out  # the demo's simulated study photos
