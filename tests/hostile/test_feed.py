"""Bars Yahoo should never have sent, served by the fake Yahoo through the real yfinance: each
is dropped before it is stored and counted (the feed's health says so), the rest stored; a
repeated timestamp no longer fails every poll of its symbol."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.core.clock import daily_bar_ts
from services.market.feed_status import describe_outcome, feed_summary
from services.market.poller import Poller
from tests.conftest import hkt
from tests.fake_yahoo import FakeYahoo
from tests.hostile.support import assert_sound

Result = dict[str, Any]


def append_bar(ts: int, o: float, h: float, low: float, c: float, interval: str = "1m"
               ) -> Callable[[str, dict[str, str], Result], None]:
    """A tamper that adds one bar to every `interval` answer for 2513.HK."""
    def tamper(symbol: str, query: dict[str, str], result: Result) -> None:
        if symbol != "2513.HK" or query.get("interval") != interval or "timestamp" not in \
                result:
            return
        result["timestamp"].append(ts)
        quote = result["indicators"]["quote"][0]
        for key, value in zip(("open", "high", "low", "close", "volume"),
                              (o, h, low, c, 100), strict=True):
            quote[key].append(value)
        if "adjclose" in result["indicators"]:
            result["indicators"]["adjclose"][0]["adjclose"].append(c)
    return tamper


NOW = int(hkt(2026, 11, 23, 10, 15).timestamp())
MORNING = int(hkt(2026, 11, 23, 10, 0).timestamp())
BAD_BARS = [
    ("a minute bar an hour in the future", append_bar(NOW + 3600, 800, 801, 799, 800),
     "a time in the future"),
    ("a daily bar years before the listing", append_bar(
        daily_bar_ts(dt.date(2019, 5, 6)), 5, 6, 4, 5, "1d"), "a date long before the listing"),
    ("a negative low", append_bar(MORNING + 30, 800, 801, -799, 800),
     "a zero or negative price"),
    ("a zero high", append_bar(MORNING + 30, 800, 0, 799, 800), "a zero or negative price"),
    ("a high below the low", append_bar(MORNING + 30, 800, 790, 810, 800),
     "a high below the low"),
    ("a minute bar on National Day (closed)", append_bar(
        int(hkt(2026, 10, 1, 10, 0).timestamp()), 800, 801, 799, 800),
     "a time outside the trading session"),
    ("a minute bar on a Sunday", append_bar(int(hkt(2026, 11, 22, 10, 0).timestamp()), 800,
                                            801, 799, 800), "a time outside the trading session"),
]


@pytest.mark.parametrize(("case", "tamper", "why"), BAD_BARS, ids=[b[0] for b in BAD_BARS])
def test_a_bad_bar_is_dropped_counted_and_the_rest_stored(
        poller: Poller, fake_yahoo: FakeYahoo, db_path: Path, app_db: sqlite3.Connection,
        case: str, tamper: Callable, why: str) -> None:
    fake_yahoo.tamper = tamper
    outcome = poller.poll(force=True)
    zhipu = next(r for r in outcome.results if r.symbol == "2513.HK")
    assert zhipu.ok and zhipu.bars_dropped == 1 and why in zhipu.dropped_why, zhipu
    assert "1 bad bars dropped: 1 with " + why in "\n".join(describe_outcome(outcome))
    assert "1 bad bars dropped (2513.HK)" in feed_summary(outcome)
    rows = app_db.execute("SELECT COUNT(*), MIN(low), MAX(ts) FROM bars WHERE symbol = "
                          "'2513.HK' AND source = 'yahoo'").fetchone()
    assert rows[0] > 300 and rows[1] > 0 and rows[2] <= NOW
    assert app_db.execute("SELECT COUNT(*) FROM bars WHERE high < low").fetchone()[0] == 0
    assert_sound(db_path)


def test_repeated_timestamps_keep_the_last_and_polls_keep_working(
        poller: Poller, fake_yahoo: FakeYahoo, app_db: sqlite3.Connection,
        db_path: Path) -> None:
    """Yahoo repeats the last minute and adds a live row: yfinance used to fail on it with
    "truth value of a Series is ambiguous" on every poll of the symbol."""
    def tamper(symbol: str, query: dict[str, str], result: Result) -> None:
        if query.get("interval") != "1m" or "timestamp" not in result:
            return
        stamps, quote = result["timestamp"], result["indicators"]["quote"][0]
        stamps += [stamps[-1], stamps[-1] + 37]
        for key in quote:
            last = quote[key][-1]
            quote[key] += [last + 1 if key == "close" else last, last]
    fake_yahoo.tamper = tamper
    for _ in range(2):
        outcome = poller.poll(force=True)
        assert len(outcome.succeeded) == 2, describe_outcome(outcome)
    repeated = app_db.execute("SELECT symbol, ts, COUNT(*) FROM bars GROUP BY symbol, "
                              "interval, ts HAVING COUNT(*) > 1").fetchall()
    assert repeated == []
    assert_sound(db_path)


def test_a_locked_database_fails_one_poll_in_words_and_the_next_succeeds(
        poller: Poller, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import db.connection
    from services.app.database import explain

    monkeypatch.setattr(db.connection, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError) as error:
            poller.poll(force=True)
        assert explain(error.value).startswith("The database is busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(poller.poll(force=True).succeeded) == 2
    assert_sound(db_path)


def test_every_source_is_checked_not_only_yahoo() -> None:
    """yfinance drops some bad rows itself; the check runs on whatever a source hands over
    (the DEMO feed, a future source): a daily bar of next year is dropped too."""
    from services.market.bar_checks import BarCheck
    from services.market.calendar import MarketClock
    from services.market.feed_types import Fetched, QuoteMeta

    good = (daily_bar_ts(dt.date(2026, 11, 20)), 800.0, 810.0, 790.0, 805.0, 100)
    future = (daily_bar_ts(dt.date(2027, 11, 23)), 800.0, 810.0, 790.0, 805.0, 100)
    meta = QuoteMeta("2513.HK", "HKD", 805.0, NOW, None, "Asia/Hong_Kong", "HKG")
    check = BarCheck({"2513.HK": "2026-01-08"}, NOW, MarketClock())
    cleaned = check.clean("2513.HK", "Asia/Hong_Kong",
                          Fetched("2513.HK", "1d", (good, future, good), meta))
    assert cleaned.bars == (good,)
    assert check.dropped("2513.HK") == (1, "1 with a time in the future")
    night = (int(hkt(2026, 11, 20, 3, 0).timestamp()), 800.0, 810.0, 790.0, 805.0, 100)
    minutes = check.clean("2513.HK", "Asia/Hong_Kong", Fetched("2513.HK", "1m", (night,), meta))
    assert minutes.bars == () and check.dropped("2513.HK")[0] == 2
