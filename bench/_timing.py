"""The one way these benchmarks time things: candidates alternate run by run (so drift in the
machine's load hits all of them alike) and each reports its median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(work: Callable[[], object]) -> Callable[[], float]:
    """A measurement that runs `work` and returns its wall time in seconds."""
    def measure() -> float:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start

    return measure


def alternating_medians(runs: int, **measures: Callable[[], float]) -> dict[str, float]:
    """Run every measurement once per round, `runs` rounds; median seconds by name."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}
