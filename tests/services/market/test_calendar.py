"""HKEX sessions and the poll schedule, at the moments a trader cares about."""

from __future__ import annotations

import datetime as dt

import pytest

from services.core.clock import HONG_KONG
from services.market.calendar import MarketClock, Phase, next_poll_at
from tests.conftest import hkt

MARKET = MarketClock()


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (hkt(2026, 11, 23, 9, 15), Phase.CLOSED),  # pre-opening auction: no continuous trading
        (hkt(2026, 11, 23, 10, 15), Phase.OPEN),
        (hkt(2026, 11, 23, 12, 30), Phase.LUNCH),
        (hkt(2026, 11, 23, 15, 59), Phase.OPEN),
        (hkt(2026, 11, 23, 16, 5), Phase.AFTER_CLOSE),
        (hkt(2026, 11, 23, 16, 30), Phase.CLOSED),
        (hkt(2026, 11, 22, 11, 0), Phase.CLOSED),  # Sunday
        (hkt(2026, 12, 25, 11, 0), Phase.CLOSED),  # Christmas
        (hkt(2026, 12, 24, 11, 0), Phase.OPEN),  # half day: morning only
        (hkt(2026, 12, 24, 13, 30), Phase.CLOSED),
        (hkt(2026, 2, 17, 10, 0), Phase.CLOSED),  # Lunar New Year
    ],
)
def test_phases(at: dt.datetime, phase: Phase) -> None:
    assert MARKET.phase(at) == phase


def local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(HONG_KONG)


@pytest.mark.parametrize(
    ("now", "last", "due"),
    [
        # every minute while trading
        (hkt(2026, 11, 23, 10, 15), hkt(2026, 11, 23, 10, 14, 30), hkt(2026, 11, 23, 10, 15, 30)),
        # one poll at the lunch break for the morning's last bars, then the afternoon open
        (hkt(2026, 11, 23, 12, 0, 30), hkt(2026, 11, 23, 11, 59, 50),
         hkt(2026, 11, 23, 12, 0, 30)),
        (hkt(2026, 11, 23, 12, 30), hkt(2026, 11, 23, 12, 0, 30), hkt(2026, 11, 23, 13, 0)),
        # once after the closing auction (random close 16:08-16:10)
        (hkt(2026, 11, 23, 16, 5), hkt(2026, 11, 23, 15, 59, 30), hkt(2026, 11, 23, 16, 12)),
        # closed: rarely
        (hkt(2026, 11, 23, 16, 20), hkt(2026, 11, 23, 16, 12), hkt(2026, 11, 23, 16, 42)),
        # before the open: at the open at the latest
        (hkt(2026, 11, 24, 9, 20), hkt(2026, 11, 24, 9, 0), hkt(2026, 11, 24, 9, 30)),
        # half day: the post-close poll at 12:12
        (hkt(2026, 12, 24, 12, 5), hkt(2026, 12, 24, 11, 59), hkt(2026, 12, 24, 12, 12)),
        # first poll ever: now
        (hkt(2026, 12, 25, 11, 0), None, hkt(2026, 12, 25, 11, 0)),
    ],
)
def test_next_poll(now: dt.datetime, last: dt.datetime | None, due: dt.datetime) -> None:
    assert local(next_poll_at(MARKET, now, last)) == due
