"""What a lock-up expiry releases onto the market, in the units a trader weighs it in.

Free float here means shares outstanding minus the shares still locked up just before the
expiry (this lock-up included): the shares that could trade the day before it. Lock-ups whose
share count is unknown cannot be subtracted, so the free float is then an upper bound and the
percentage of it a lower bound; the figures say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.core.models import Lockup, Money, Price, SharesCount

ADV_SESSIONS = 20
PATH_SESSIONS = 10  # sessions either side of an expiry on the price-path chart


@dataclass(frozen=True)
class AverageVolume:
    """Average daily volume (shares) over the newest sessions with a volume."""

    shares: float
    sessions: int
    first: dt.date
    last: dt.date
    source: str


@dataclass(frozen=True)
class Overhang:
    lockup: Lockup
    today: dt.date
    shares_outstanding: SharesCount | None
    still_locked: int  # known shares locked the day before the expiry, this lock-up included
    unknown_locked: tuple[str, ...]  # holders of still-locked lock-ups without a share count
    price: Price | None
    adv: AverageVolume | None

    @property
    def days_left(self) -> int:
        return (self.lockup.free_to_trade - self.today).days

    @property
    def released(self) -> int | None:
        return self.lockup.shares

    @property
    def free_float(self) -> int | None:
        if self.shares_outstanding is None:
            return None
        return self.shares_outstanding.shares - self.still_locked

    @property
    def float_is_upper_bound(self) -> bool:
        return bool(self.unknown_locked)

    @property
    def pct_outstanding(self) -> float | None:
        if self.released is None or self.shares_outstanding is None:
            return None
        return self.released / self.shares_outstanding.shares

    @property
    def pct_float(self) -> float | None:
        free = self.free_float
        if self.released is None or free is None or free <= 0:
            return None
        return self.released / free

    @property
    def value(self) -> Money | None:
        if self.released is None or self.price is None:
            return None
        return Money(self.released * self.price.amount, self.price.currency)

    @property
    def adv_days(self) -> float | None:
        if self.released is None or self.adv is None or self.adv.shares <= 0:
            return None
        return self.released / self.adv.shares

    def missing(self) -> list[str]:
        """Why a figure is not shown, in words."""
        reasons = []
        if self.released is None:
            reasons.append("the number of shares this lock-up releases is not recorded "
                           "(enter it in Data › Reference data, Lock-ups)")
        if self.shares_outstanding is None:
            reasons.append("no share count outstanding is known")
        if self.price is None:
            reasons.append("no price is stored yet")
        if self.adv is None:
            reasons.append(f"no daily volumes are stored (the average needs up to "
                           f"{ADV_SESSIONS} sessions)")
        return reasons


def still_locked(lock: Lockup, locks: Sequence[Lockup]) -> tuple[int, tuple[str, ...]]:
    """Shares locked the day before `lock` frees its own (every lock-up not yet free by then,
    `lock` included), and the holders of those whose count is unknown."""
    before = [other for other in locks if other.free_to_trade >= lock.free_to_trade]
    known = sum(other.shares for other in before if other.shares)
    unknown = tuple(other.holders for other in before if not other.shares)
    return known, unknown


def overhang(lock: Lockup, locks: Sequence[Lockup], outstanding: SharesCount | None,
             price: Price | None, adv: AverageVolume | None, today: dt.date) -> Overhang:
    known, unknown = still_locked(lock, locks)
    return Overhang(lock, today, outstanding, known, unknown, price, adv)


@dataclass(frozen=True)
class ExpiryPath:
    """Closes from PATH_SESSIONS sessions before an expiry to PATH_SESSIONS after, rebased to
    100 at the close before the shares were free (offset -1)."""

    lockup: Lockup
    offsets: tuple[int, ...]  # sessions from the first free trading day (0)
    rebased: tuple[float, ...]
    base_day: dt.date
    source: str


def expiry_path(lock: Lockup, days: Sequence[dt.date], closes: Sequence[float],
                source: str) -> ExpiryPath | None:
    """The path around `lock`'s expiry from daily closes (ascending days, one a session);
    None without the close before the expiry or any close from the expiry on."""
    free = lock.free_to_trade
    index = next((i for i, day in enumerate(days) if day >= free), None)
    if index is None or index == 0 or days[index - 1] < free - dt.timedelta(days=10):
        return None
    base = closes[index - 1]
    lo, hi = max(0, index - PATH_SESSIONS), min(len(days), index + PATH_SESSIONS + 1)
    return ExpiryPath(lock, tuple(i - index for i in range(lo, hi)),
                      tuple(100.0 * closes[i] / base for i in range(lo, hi)),
                      days[index - 1], source)
