"""Fixtures shared by every test: an isolated home, a real SQLite file, a clock standing still."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.alerts.evaluation import AlertEvaluator
from services.app.database import open_app_database
from services.app.poll_cycle import PollCycle
from services.core.clock import HONG_KONG, FixedClock, epoch
from services.core.paths import AppPaths
from services.market.calendar import MarketClock
from services.market.poller import Poller
from services.market.yahoo_source import YahooQuoteSource
from tests.dbus_session import NotificationListener, start_bus
from tests.fake_yahoo import (
    FakeSymbol,
    FakeYahoo,
    FakeYahooSession,
    fx_pair,
    random_walk_minutes,
    recent_fake_yahoo,
)

# A thread a test started may take this long to notice it was stopped.
THREAD_GRACE_S = 5.0


@pytest.fixture(autouse=True)
def no_threads_left_running() -> Iterator[None]:
    """A test that leaves a thread running fails: such a thread races the next test (a poll
    writing into its database, a scheduler firing) and hides a missing shutdown."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"threads left running: {', '.join(t.name for t in left)}"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    """No test reads or writes the real user directories, settings, menu or autostart."""
    home = tmp_path / "home"
    monkeypatch.setenv("HARBOURWATCH_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    return AppPaths(home / "data", home / "cache", home / "config")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hw.sqlite3"


@pytest.fixture
def app_db(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A migrated database with the bundled reference data, in a real file."""
    conn = open_app_database(db_path)
    yield conn
    conn.close()


def hkt(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HONG_KONG)


@pytest.fixture
def clock() -> FixedClock:
    """10:15 Hong Kong time on Monday 2026-11-23, a trading day."""
    return FixedClock(hkt(2026, 11, 23, 10, 15))


@pytest.fixture
def fake_yahoo(clock: FixedClock) -> Iterator[FakeYahoo]:
    """Yahoo on 127.0.0.1 serving 2513.HK and 0100.HK, in step with the test's clock."""
    # Lunar New Year 2026: a half day on the 16th, closed 17-19 February.
    days = [(dt.date(2026, 2, 13), False), (dt.date(2026, 2, 16), True),
            (dt.date(2026, 2, 20), False)]
    days += [(dt.date(2026, 11, d), False) for d in (19, 20, 23, 24)]
    fake = FakeYahoo(lambda: clock.now().timestamp())
    for symbol, start, seed in (("2513.HK", 820.0, 1), ("0100.HK", 200.0, 2)):
        minutes = random_walk_minutes(days, start, seed)
        fake.symbols[symbol] = FakeSymbol(symbol, "HKD", minutes)
    # the FX pairs conversions need: every weekday of 2026, HKD a dollar and a yuan
    weekdays = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    weekdays = [day for day in weekdays if day.weekday() < 5]
    fake.symbols["USDHKD=X"] = fx_pair("USDHKD=X", weekdays, 7.7800, 0.0001)
    fake.symbols["CNYHKD=X"] = fx_pair("CNYHKD=X", weekdays, 1.0700, 0.00005)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def recent_yahoo() -> Iterator[FakeYahoo]:
    """The fake on the real clock, with sessions up to today (tests/fake_yahoo.py)."""
    fake = recent_fake_yahoo()
    yield fake
    fake.stop()


@pytest.fixture
def program_env(isolated_home: AppPaths, recent_yahoo: FakeYahoo) -> dict[str, str]:
    """The environment for a whole program run as a process (main.py, the installed package,
    the bundle): the isolated home, offscreen Qt, and Yahoo replaced by the fake."""
    return {**os.environ, "HARBOURWATCH_FAKE_YAHOO": recent_yahoo.proxy_url,
            "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def poller(db_path: Path, app_db: sqlite3.Connection, fake_yahoo: FakeYahoo, clock: FixedClock,
           tmp_path: Path) -> Iterator[Poller]:
    """The real poll cycle and the real yfinance, pointed at the fake."""
    source = YahooQuoteSource(tmp_path / "yf-cache", FakeYahooSession(fake_yahoo.proxy_url),
                              timeout=1.0)
    poller = Poller(db_path, source, clock, MarketClock(), random.Random(7), poll_fx=True)
    yield poller
    poller.close()


@pytest.fixture
def cycle(poller: Poller, clock: FixedClock) -> PollCycle:
    """Poll, then alerts on what arrived: the cycle the scheduler runs (no notifications)."""
    return PollCycle(poller, AlertEvaluator(clock, MarketClock(), epoch(clock.now())))


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[NotificationListener]:
    """A private D-Bus session with a stand-in notification server that records each call."""
    daemon, address = start_bus()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    listener = NotificationListener(address).start()
    yield listener
    listener.stop()
    daemon.terminate()
    daemon.wait(timeout=10)
