"""Item analysis against hand-checked values and an independent computation."""

from __future__ import annotations

import json
import math
import random
import statistics
from pathlib import Path

import pytest
from flask import Flask

from lms.quiz.analysis import analyse

# Five attempts at three one-mark items. Worked by hand:
#   totals 2, 3, 1, 2, 0: mean 1.6, median 2, squared deviations sum 5.2 -> SD sqrt(5.2/4) = 1.1402
#   every item variance: p(1-p) n/(n-1) = 0.24 * 5/4 = 0.3; CIC = 100 * 3/2 * (1 - 0.9/1.3) = 46.15
#   item a: marks 1,1,0,1,0; rest-of-test 1,2,1,1,0 (mean 1): covariance (0.4+0.6)/4 = 0.25,
#   rest variance 2/4 = 0.5, so discrimination index = 100 * 0.25 / sqrt(0.3 * 0.5) = 64.55.
#   Sorting both columns gives the same pairing, so discriminative efficiency is 100.
HAND = [[1, 0, 1], [1, 1, 1], [0, 0, 1], [1, 1, 0], [0, 0, 0]]


def test_hand_checked_test_statistics() -> None:
    t = analyse(["a", "b", "c"], HAND, [1, 1, 1]).test
    assert t.n == 5 and t.mean == pytest.approx(1.6) and t.median == 2
    assert t.sd == pytest.approx(math.sqrt(1.3))
    assert t.cic == pytest.approx(46.1538, abs=1e-4)
    assert t.error_ratio == pytest.approx(100 * math.sqrt(1 - 0.461538), abs=1e-3)
    assert t.standard_error == pytest.approx(t.error_ratio / 100 * math.sqrt(1.3))


def test_hand_checked_item_statistics() -> None:
    a, b, c = analyse(["a", "b", "c"], HAND, [1, 1, 1]).items
    assert (a.facility, b.facility, c.facility) == (0.6, 0.4, 0.6)
    assert a.sd == pytest.approx(math.sqrt(0.3))
    assert a.discrimination_index == pytest.approx(100 * 0.25 / math.sqrt(0.15))
    assert a.discriminative_efficiency == pytest.approx(100)
    assert c.discrimination_index == pytest.approx(0) and "low-discrimination" in c.flags
    # Effective weights: 100 * sqrt(cov(item, total)) / sum of the square roots.
    covs = [statistics.covariance([r[i] for r in HAND], [sum(r) for r in HAND]) for i in range(3)]
    expected = [100 * math.sqrt(v) / sum(math.sqrt(w) for w in covs) for v in covs]
    assert [i.effective_weight for i in (a, b, c)] == pytest.approx(expected)
    assert sum(i.effective_weight for i in (a, b, c)) == pytest.approx(100)


def _own_data(seed: int = 7) -> list[list[float]]:
    """200 simulated learners of varying ability at 12 items, some worth 2 marks."""
    rng = random.Random(seed)
    rows = []
    for _ in range(200):
        ability = rng.gauss(0, 1)
        row = []
        for item in range(12):
            difficulty = -1.5 + item * 0.3
            p = 1 / (1 + math.exp(-(ability - difficulty)))
            got = 1.0 if rng.random() < p else 0.0
            row.append(got * (2 if item % 4 == 0 else 1))
        rows.append(row)
    return rows


def test_agrees_with_an_independent_computation() -> None:
    rows = _own_data()
    maxima = [2 if i % 4 == 0 else 1 for i in range(12)]
    result = analyse([f"q{i}" for i in range(12)], rows, maxima)
    totals = [sum(r) for r in rows]
    n = len(totals)
    assert result.test.mean == pytest.approx(statistics.fmean(totals))
    assert result.test.median == statistics.median(totals)
    assert result.test.sd == pytest.approx(statistics.stdev(totals))
    # Sample skewness and excess kurtosis (the adjusted Fisher-Pearson estimators).
    mean, sd = statistics.fmean(totals), statistics.stdev(totals)
    g = sum(((t - mean) / sd) ** 3 for t in totals) * n / ((n - 1) * (n - 2))
    assert result.test.skewness == pytest.approx(g)
    m2 = sum((t - mean) ** 2 for t in totals) / n
    m4 = sum((t - mean) ** 4 for t in totals) / n
    excess = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * m4 / m2**2 - 3 * (n - 1))
    assert result.test.kurtosis == pytest.approx(excess)
    # Cronbach's alpha is Moodle's CIC (in per cent).
    k = 12
    alpha = (
        k
        / (k - 1)
        * (
            1
            - sum(statistics.variance([r[i] for r in rows]) for i in range(k))
            / statistics.variance(totals)
        )
    )
    assert result.test.cic == pytest.approx(100 * alpha)
    for i, item in enumerate(result.items):
        marks = [r[i] for r in rows]
        rest = [t - m for t, m in zip(totals, marks, strict=True)]
        assert item.facility == pytest.approx(statistics.fmean(marks) / maxima[i])
        assert item.sd == pytest.approx(statistics.stdev(marks) / maxima[i])
        assert item.discrimination_index == pytest.approx(100 * statistics.correlation(marks, rest))
        best = statistics.covariance(sorted(marks), sorted(rest))
        assert item.discriminative_efficiency == pytest.approx(
            100 * statistics.covariance(marks, rest) / best
        )
    # Harder items (later ones) have lower facility: the simulation is not noise.
    assert result.items[1].facility > result.items[11].facility


def test_undefined_values_are_none() -> None:
    same = analyse(["a", "b"], [[1, 1], [1, 1], [1, 1]], [1, 1])
    assert same.test.sd == 0 and same.test.skewness is None and same.test.cic is None
    assert same.items[0].discrimination_index is None
    assert same.items[0].discriminative_efficiency is None
    assert same.items[0].effective_weight is None
    one = analyse(["a"], [[1]], [1])
    assert one.test.sd is None and one.items[0].sd is None and one.items[0].facility == 1


def test_flags_for_review() -> None:
    rows = [
        [1, 0, 1, 0],
        [1, 0, 1, 1],
        [1, 0, 0, 0],
        [1, 1, 1, 1],
        [1, 0, 0, 1],
        [1, 0, 1, 0],
        [1, 0, 0, 1],
        [1, 0, 1, 1],
        [1, 0, 0, 0],
        [1, 0, 1, 1],
    ]
    items = analyse(["easy", "hard", "x", "y"], rows, [1] * 4).items
    assert "too-easy" in items[0].flags
    assert "too-hard" in items[1].flags


CSV = "attempt,a,b,c\n1,1,0,1\n2,1,1,1\n3,0,0,1\n4,1,1,0\n5,0,0,0\n"


def test_command_prints_moodle_units_as_json(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(CSV)
    result = app.test_cli_runner().invoke(
        args=["lms", "item-analysis", "--csv", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["test"]) == {
        "n",
        "mean",
        "median",
        "sd",
        "skewness",
        "kurtosis",
        "cic",
        "error_ratio",
        "standard_error",
    }
    assert data["test"]["cic"] == pytest.approx(46.1538, abs=1e-4)
    first = data["items"][0]
    assert set(first) == {
        "item",
        "facility",
        "sd",
        "discrimination_index",
        "discriminative_efficiency",
        "effective_weight",
    }
    assert first["item"] == "a" and first["facility"] == 0.6
    assert first["discrimination_index"] == pytest.approx(64.5497, abs=1e-4)


def test_command_with_max_mark_and_a_table(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(CSV.replace(",1", ",2"))
    out = app.test_cli_runner().invoke(
        args=["lms", "item-analysis", "--csv", str(path), "--max-mark", "2"]
    )
    assert out.exit_code == 0
    assert "CIC 46.15%" in out.output and "mean 3.20" in out.output
    assert "a                            60.00" in out.output


def test_command_undefined_values_are_null(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text("attempt,a,b\n1,1,1\n2,1,1\n3,1,1\n")
    data = json.loads(
        app.test_cli_runner()
        .invoke(args=["lms", "item-analysis", "--csv", str(path), "--json"])
        .output
    )
    assert data["test"]["cic"] is None and data["items"][0]["discrimination_index"] is None


def test_command_reports_bad_files(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("attempt,a,b\n1,1\n")
    out = app.test_cli_runner().invoke(args=["lms", "item-analysis", "--csv", str(path)])
    assert out.exit_code == 1 and "bad.csv:2: 2 cells, the header has 3" in out.output
    path.write_text("attempt,a\n1,x\n")
    out = app.test_cli_runner().invoke(args=["lms", "item-analysis", "--csv", str(path)])
    assert out.exit_code == 1 and "bad.csv:2: not a number" in out.output
