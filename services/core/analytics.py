"""Drawdown, upside and lock-up countdowns (valuation: services.core.valuation).

Pure functions over domain values: nothing here reads the database or the clock, so every figure
can be checked by hand against the sources the bundled reference data cites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.core.models import Lockup, Money, Target

if TYPE_CHECKING:  # the array functions import numpy when called: the watchlist needs none
    import numpy as np


class MissingDataError(LookupError):
    """A figure cannot be computed because an input (share count, revenue, FX rate) is missing."""


def drawdown(price: float, peak: float) -> float:
    """Fall from the peak as a fraction: 427 against a 1,330 peak is -0.679."""
    if peak <= 0:
        raise ValueError("peak must be positive")
    return price / peak - 1.0


def gain_to_recover(drawdown_fraction: float) -> float:
    """The rise needed to get back to the peak: -50% needs +100%."""
    if drawdown_fraction <= -1.0:
        raise ValueError("a -100% drawdown cannot recover")
    return 1.0 / (1.0 + drawdown_fraction) - 1.0


def reached(highs: np.ndarray, closes: np.ndarray) -> np.ndarray:
    """The price each bar reached: its high, or its close where no high is known."""
    import numpy as np

    return np.where(np.isnan(highs), closes, highs)


def drawdown_series(highs: np.ndarray, closes: np.ndarray,
                    prior_peak: float | None = None) -> np.ndarray:
    """Drawdown of each close from the running peak (NaN where close is unknown).

    `prior_peak`: the peak before the first bar, when the bars are a window of a longer history.
    """
    import numpy as np

    marks = reached(highs, closes)
    if prior_peak is not None and marks.size:
        marks[0] = np.fmax(marks[0], prior_peak)
    peaks = np.fmax.accumulate(marks) if marks.size else marks
    with np.errstate(invalid="ignore", divide="ignore"):
        return closes / peaks - 1.0


@dataclass(frozen=True)
class MaxDrawdown:
    depth: float  # most negative drawdown, e.g. -0.85
    peak_index: int
    trough_index: int


def max_drawdown(highs: np.ndarray, closes: np.ndarray) -> MaxDrawdown | None:
    """The deepest fall from a running peak, with where the peak and the trough were."""
    import numpy as np

    series = drawdown_series(highs, closes)
    if np.all(np.isnan(series)):
        return None
    trough = int(np.nanargmin(series))
    marks = reached(highs, closes)[: trough + 1]
    peak = int(np.nanargmax(marks))
    return MaxDrawdown(float(series[trough]), peak, trough)


def upside(price: Money, target: Money) -> float:
    """Return to the target as a fraction (+1.076 = +107.6%)."""
    if price.currency != target.currency:
        raise MissingDataError(f"target in {target.currency}, price in {price.currency}")
    return target.amount / price.amount - 1.0


def latest_target(targets: Sequence[Target]) -> Target | None:
    return max(targets, key=lambda t: (t.date, t.price.amount), default=None)


def current_targets(targets: Sequence[Target]) -> list[Target]:
    """Each broker's newest target: an older one from the same broker is superseded."""
    newest: dict[str, Target] = {}
    for target in targets:
        key = target.broker.strip().casefold()
        if key not in newest or target.date > newest[key].date:
            newest[key] = target
    return sorted(newest.values(), key=lambda t: (t.date, t.broker))


def days_until(day: dt.date, today: dt.date) -> int:
    """Calendar days from today to day (negative once it has passed)."""
    return (day - today).days


def next_lockup(lockups: Sequence[Lockup], today: dt.date) -> Lockup | None:
    """The next lock-up whose shares become tradable on or after today, else the most recent
    past one."""
    upcoming = [lock for lock in lockups if lock.free_to_trade >= today]
    if upcoming:
        return min(upcoming, key=lambda lock: lock.free_to_trade)
    return max(lockups, key=lambda lock: lock.free_to_trade, default=None)
