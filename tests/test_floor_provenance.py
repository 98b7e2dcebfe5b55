"""Every default noise floor is at or above its own rule's figure (pure data: no bench is run).

``docs/data/noise_floor_rule.csv`` holds, per row of :data:`facemetrics.compare.DEFAULT_NOISE_FLOORS`,
the largest |change| its rule's run measured and the floor that rule gives (1.25 x the largest, rounded up
to two significant digits): written by ``python bench/bench_compare.py --noise-floors --write-rule-csv
docs/data/noise_floor_rule.csv`` (325 nuisance-only pairs: every row but the pose rows) and ``... --pose-floors
--write-rule-csv ...`` (the four pose rows: 14 nuisances on the 5 tuning faces).  A re-run whose rule moves
above a constant fails here until the constant is re-decided (the constants went stale below their own rule
once: docs/compare.md 'Default noise floors', 2026-12-04).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from facemetrics.compare import DEFAULT_NOISE_FLOORS

RULE_CSV = Path(__file__).resolve().parents[1] / "docs" / "data" / "noise_floor_rule.csv"

COLUMNS = ["metric", "side", "largest_abs_change", "rule_floor", "pair", "command", "measured_on"]

#: the benches that may write a row, and the rows each owns
COMMANDS = {"python bench/bench_compare.py --noise-floors", "python bench/bench_compare.py --pose-floors"}
POSE_ROWS = {("head_pitch_change_deg", "mean"), ("head_yaw_change_deg", "mean"),
             ("head_roll_change_deg", "mean"), ("camera_distance_change_pct", "mean")}

#: DEFAULT_NOISE_FLOORS keys whose floor is not measured by a script's rule, each with the reason.
#: Empty: every row has one (2026-12-04).  A key added here needs a comment saying where its floor came from.
ALLOW_WITHOUT_RULE: dict[tuple[str, str], str] = {}


def _rows() -> list[dict]:
    with open(RULE_CSV, newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS, reader.fieldnames
        return list(reader)


def test_rule_csv_keys_are_real_and_unique():
    keys = [(r["metric"], r["side"]) for r in _rows()]
    assert len(keys) == len(set(keys)), "a row appears twice"
    unknown = [k for k in keys if k not in DEFAULT_NOISE_FLOORS]
    assert not unknown, f"rows of no DEFAULT_NOISE_FLOORS key: {unknown}"


def test_every_default_floor_has_a_rule_or_is_allowed():
    in_csv = {(r["metric"], r["side"]) for r in _rows()}
    missing = [k for k in DEFAULT_NOISE_FLOORS if k not in in_csv and k not in ALLOW_WITHOUT_RULE]
    assert not missing, f"DEFAULT_NOISE_FLOORS rows with neither a rule row nor an allow-list entry: {missing}"
    stale = [k for k in ALLOW_WITHOUT_RULE if k in in_csv or k not in DEFAULT_NOISE_FLOORS]
    assert not stale, f"allow-list entries that have a rule row or are no key: {stale}"


def test_no_default_floor_is_below_its_rule():
    below = [(r["metric"], r["side"], DEFAULT_NOISE_FLOORS[(r["metric"], r["side"])], float(r["rule_floor"]), r["pair"])
             for r in _rows() if DEFAULT_NOISE_FLOORS[(r["metric"], r["side"])] < float(r["rule_floor"])]
    assert not below, f"floors below their rule (metric, side, floor, rule, worst pair): {below}"


def test_rule_rows_are_the_rule_of_their_largest_change():
    """rule_floor is 1.25 x largest_abs_change rounded up to two significant digits (the CSV was written by the
    bench, not edited by hand), and each row names the bench that owns it and the date."""
    for r in _rows():
        key = (r["metric"], r["side"])
        largest, rule = float(r["largest_abs_change"]), float(r["rule_floor"])
        x = 1.25 * largest
        step = 10.0 ** (math.floor(math.log10(x)) - 1)  # one unit of the second significant digit
        assert x * (1 - 1e-6) <= rule <= x + step * (1 + 1e-6), (key, largest, rule)
        assert r["command"] in COMMANDS, (key, r["command"])
        assert (key in POSE_ROWS) == r["command"].endswith("--pose-floors"), (key, r["command"])
        assert len(r["measured_on"]) == 10 and r["measured_on"][4] == "-", (key, r["measured_on"])
        assert r["pair"].strip(), key
