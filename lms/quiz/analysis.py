"""Item analysis with the definitions of Moodle's quiz statistics report.

Pure functions over a matrix of marks: one row per attempt, one column per item, ``None`` where an
attempt did not include the item. Units follow Moodle: facility and item SD as fractions of the
item's max mark; discrimination index, discriminative efficiency, effective weight, CIC and error
ratio as percentages; mean, median, SD and standard error in marks. Undefined values are ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

#: Review flags (Moodle's own guidance: facility above 90% is very easy, below 20% very hard;
#: a discrimination index below 20% is weak, below 0 means the item works against the test).
TOO_EASY, TOO_HARD, LOW_DISCRIMINATION = 0.90, 0.20, 20.0


@dataclass(frozen=True)
class TestStats:
    n: int
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class ItemStats:
    item: str
    n: int
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    effective_weight: float | None

    @property
    def flags(self) -> list[str]:
        """``too-easy``, ``too-hard``, ``low-discrimination``, ``negative-discrimination``."""
        found = []
        if self.facility is not None and self.facility >= TOO_EASY:
            found.append("too-easy")
        if self.facility is not None and self.facility <= TOO_HARD:
            found.append("too-hard")
        if self.discrimination_index is not None:
            if self.discrimination_index < 0:
                found.append("negative-discrimination")
            elif self.discrimination_index < LOW_DISCRIMINATION:
                found.append("low-discrimination")
        return found


@dataclass(frozen=True)
class Analysis:
    test: TestStats
    items: list[ItemStats]

    def as_json(self) -> dict[str, object]:
        test = asdict(self.test)
        return {
            "test": test,
            "items": [{k: v for k, v in asdict(item).items() if k != "n"} for item in self.items],
        }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def _test_stats(totals: list[float], item_variances: list[float] | None) -> TestStats:
    n = len(totals)
    if n == 0:
        return TestStats(0, None, None, None, None, None, None, None, None)
    mean = _mean(totals)
    median = _median(totals)
    sd = skew = kurt = cic = error_ratio = standard_error = None
    if n > 1:
        powers = [sum((t - mean) ** k for t in totals) for k in (2, 3, 4)]
        sd = math.sqrt(powers[0] / (n - 1))
        if n > 2:
            m2, m3, m4 = (p / n for p in powers)
            k2 = n * m2 / (n - 1)
            k3 = n * n * m3 / ((n - 1) * (n - 2))
            if k2:
                skew = k3 / k2**1.5
                if n > 3:
                    k4 = (
                        n
                        * n
                        * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2)
                        / ((n - 1) * (n - 2) * (n - 3))
                    )
                    kurt = k4 / (k2 * k2)
                p = len(item_variances or [])
                if item_variances is not None and p > 1:
                    cic = (100 * p / (p - 1)) * (1 - sum(item_variances) / k2)
                    error_ratio = 100 * math.sqrt(1 - cic / 100) if cic <= 100 else None
                    standard_error = None if error_ratio is None else error_ratio * sd / 100
    return TestStats(n, mean, median, sd, skew, kurt, cic, error_ratio, standard_error)


def analyse(
    item_ids: Sequence[str],
    marks: Sequence[Sequence[float | None]],
    max_marks: Sequence[float],
) -> Analysis:
    """Moodle's test and item statistics for ``marks`` (attempts x items)."""
    totals = [sum(m for m in row if m is not None) for row in marks]
    complete = all(m is not None for row in marks for m in row)
    partial: list[tuple[ItemStats, float | None]] = []
    variances: list[float] = []
    for column, item in enumerate(item_ids):
        rows = [(row[column], totals[r]) for r, row in enumerate(marks) if row[column] is not None]
        stats, variance, cov_overall = _item_stats(item, rows, max_marks[column])
        partial.append((stats, cov_overall))
        if variance is not None:
            variances.append(variance)
    weights_sum = sum(math.sqrt(c) for _s, c in partial if c is not None and c >= 0)
    items = [
        ItemStats(
            s.item,
            s.n,
            s.facility,
            s.sd,
            s.discrimination_index,
            s.discriminative_efficiency,
            (100 * math.sqrt(c) / weights_sum)
            if weights_sum and c is not None and c >= 0
            else None,
        )
        for s, c in partial
    ]
    usable_variances = variances if complete and len(variances) == len(item_ids) else None
    return Analysis(_test_stats(totals, usable_variances), items)


def _item_stats(
    item: str, rows: list[tuple[float, float]], max_mark: float
) -> tuple[ItemStats, float | None, float | None]:
    """One item's statistics, its mark variance and its covariance with the total."""
    n = len(rows)
    marks = [mark for mark, _total in rows]
    rest = [total - mark for mark, total in rows]
    totals = [total for _mark, total in rows]
    facility = (_mean(marks) / max_mark) if n and max_mark else None
    if n < 2:
        return ItemStats(item, n, facility, None, None, None, None), None, None
    variance = _covariance(marks, marks)
    rest_variance = _covariance(rest, rest)
    covariance = _covariance(marks, rest)
    covariance_max = _covariance(sorted(marks), sorted(rest))
    discrimination = (
        100 * covariance / math.sqrt(variance * rest_variance) if variance * rest_variance else None
    )
    efficiency = 100 * covariance / covariance_max if covariance_max else None
    sd = math.sqrt(variance) / max_mark if max_mark else None
    stats = ItemStats(item, n, facility, sd, discrimination, efficiency, None)
    return stats, variance, _covariance(marks, totals)
