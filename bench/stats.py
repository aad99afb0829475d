"""Repeated timings and their summary: median and p95 (nearest rank), and the ratio to a baseline.

A figure is a list of samples in one unit. For times (``s``) lower is better and p95 is the
slow tail (95th percentile); for rates (``records/s``) higher is better, so p95 is also the
slow tail: the 5th percentile. The **ratio** says how many times faster ours is than the
baseline: baseline time / our time, or our rate / baseline rate (both of the medians); above
1 ours is faster.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["HIGHER_IS_BETTER", "median", "p95", "percentile", "ratio", "repeat", "timed"]

HIGHER_IS_BETTER = frozenset({"records/s", "requests/s"})
"""Units where a larger number is the better one (rates)."""


def percentile(samples: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of non-empty ``samples``.

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 95)
    5.0
    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50)
    3.0
    """
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def median(samples: list[float]) -> float:
    return float(statistics.median(samples))


def p95(samples: list[float], unit: str) -> float:
    """The slow tail: 95th percentile of times, 5th percentile of rates."""
    return percentile(samples, 5 if unit in HIGHER_IS_BETTER else 95)


def ratio(ours: float, baseline: float, unit: str) -> float | None:
    """How many times faster ours is (medians); ``None`` when a side is zero.

    >>> ratio(0.5, 2.0, "s"), ratio(300.0, 100.0, "records/s")
    (4.0, 3.0)
    """
    if unit in HIGHER_IS_BETTER:
        return ours / baseline if baseline > 0 else None
    return baseline / ours if ours > 0 else None


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``work()`` took, and what it returned."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def repeat(work: Callable[[], float], runs: int, budget: float) -> list[float]:
    """Up to ``runs`` samples of ``work()`` (each returns its own measured sample), stopping
    early once ``budget`` seconds have been spent: at least one sample, whatever it costs."""
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < runs:
        samples.append(work())
        if time.perf_counter() - started >= budget:
            break
    return samples
