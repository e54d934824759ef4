"""The stacked read of a poll's new bars (one statement for every symbol, context from
symbol_stats and kept values) must hand the rules exactly what reading each symbol alone does;
and a poll that changes nothing writes nothing, yet a restart neither re-fires nor forgets."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import numpy as np

from db import alert_repo, reference_repo
from db.connection import open_connection, transaction
from services.alerts.engine import Batch
from services.alerts.evaluation import PROGRESS_EVERY_S, AlertEvaluator
from services.alerts.observations import Observations
from services.alerts.rules import AlertRule, Direction, Policy, RuleKind
from services.alerts.service import AlertService
from services.core.clock import FixedClock, daily_bar_ts, epoch
from services.core.fx import FxTable
from services.core.models import Fundamentals, Instrument
from services.market import stats
from services.market.bars import daily_from_minutes
from services.market.calendar import MarketClock
from services.market.feed_types import BarsWritten
from services.reference import store as reference_store
from tests.conftest import hkt

SYMBOLS = ["0100.HK", "2513.HK", "7001.HK", "7002.HK", "7003.HK", "ZZZ"]
ZONE = {"ZZZ": "America/New_York"}  # another exchange: its own days, no HKEX sessions
DAY = dt.date(2026, 11, 23)  # a Monday session
OPEN = epoch(hkt(2026, 11, 23, 9, 30))
HKT = "Asia/Hong_Kong"
FIELDS = ("ts", "high", "low", "close", "valid", "day", "prev_close", "shares", "ps_factor",
          "done", "last_day")


def running_peak(batch: Batch) -> np.ndarray:
    """The peak each drawdown is measured from, bar by bar: what the rules see of the peak."""
    return np.fmax.accumulate(np.fmax(batch.high, batch.peak_floor), axis=1)


def bar(symbol: str, interval: str, ts: int, price: float, partial: int = 0,
        source: str = "yahoo", spread: float = 0.01) -> tuple:
    return (symbol, interval, ts, price, price * (1 + spread), price * (1 - spread), price,
            1000, source, partial)


def history(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Six weeks of daily bars below today's prices (so the day high is the peak): reference
    points among them, a stale partial bar last Friday, and one symbol with last Friday's
    closing minutes not yet evaluated."""
    with transaction(conn):
        for symbol in SYMBOLS[2:]:
            conn.execute("INSERT INTO instruments (symbol, name, currency, timezone) "
                         "VALUES (?, ?, 'HKD', ?)",
                         [symbol, symbol, ZONE.get(symbol, "Asia/Hong_Kong")])
        conn.execute(f"DELETE FROM bars WHERE symbol IN ({','.join('?' * len(SYMBOLS))})",
                     SYMBOLS)
        rows = []
        for symbol in SYMBOLS:
            for back in range(42, 0, -1):
                day = DAY - dt.timedelta(days=back)
                if day.weekday() < 5:
                    source = rng.choice(["yahoo"] * 8 + ["reference", "import"])
                    partial = int(back == 3 and symbol == "7002.HK")
                    rows.append(bar(symbol, "1d", daily_bar_ts(day, ZONE.get(symbol, HKT)),
                                    rng.uniform(50, 90), partial, source))
        friday = epoch(hkt(2026, 11, 20, 15, 55))
        rows += [bar("7003.HK", "1m", friday + 60 * k, 100.0) for k in range(3)]
        stats.write_bars(conn, rows)


class Feed:
    """Yahoo's one-day minutes as polls see them: each poll a new minute per symbol (some
    partial, some a few polls late and out of order), earlier minutes corrected up or down,
    and today's daily bar from the minutes (now and then not quite)."""

    def __init__(self, rng: random.Random, corrections: float = 0.3, late: float = 0.1,
                 odd_days: float = 0.1, start: int = OPEN):
        self._rng, self._corrections, self._late, self._odd_days = (rng, corrections, late,
                                                                     odd_days)
        self._start = start  # the first poll's minute
        self.minutes: dict[str, dict[int, tuple]] = {s: {} for s in SYMBOLS}
        self._held_back: dict[str, list[tuple]] = {s: [] for s in SYMBOLS}
        self._price = {s: rng.uniform(80, 120) for s in SYMBOLS}

    def poll(self, poll: int) -> list[tuple]:
        rng, rows = self._rng, []
        for symbol in SYMBOLS:
            mine = self.minutes[symbol]
            ts = self._start + 60 * poll
            self._price[symbol] *= np.exp(rng.gauss(0, 0.01))
            new = bar(symbol, "1m", ts, self._price[symbol], partial=int(rng.random() < 0.3))
            if rng.random() < self._late:
                self._held_back[symbol].append(new)  # arrives a few polls late, out of order
            else:
                mine[ts] = new
            if self._held_back[symbol] and rng.random() < 0.3:
                late = self._held_back[symbol].pop(0)
                mine[late[2]] = late
            for t, old in list(mine.items()):
                if old[9] and t < ts:  # the minute is over: its bar is final
                    mine[t] = (*old[:9], 0)
            if mine and rng.random() < self._corrections:  # a correction of an earlier minute,
                t = rng.choice(sorted(mine))  # up or down, or up to just below the new high
                old = mine[t]
                mine[t] = (*old[:4], old[4] * rng.uniform(0.97, 1.04) if rng.random() < 0.5
                           else max(old[4], new[4] * 0.999), *old[5:])
            rows += [mine[t] for t in sorted(mine)]
            if mine:
                day = daily_from_minutes([b[2:8] for b in sorted(mine.values())],
                                         ZONE.get(symbol, HKT))[-1]
                if rng.random() < self._odd_days:  # a daily bar not made from these minutes
                    day = (day[0], day[1], day[2] * 1.001, *day[3:])
                rows.append((symbol, "1d", *day, "yahoo", 1))
        return rows


def with_history(conn: sqlite3.Connection, seed: int) -> tuple[
        random.Random, dict[str, Instrument], dict[str, Fundamentals], FxTable, int]:
    """`history` from a seeded generator, then the generator and the reference facts."""
    rng = random.Random(seed)
    history(conn, rng)
    return (rng, reference_store.instruments(conn), reference_store.all_fundamentals(conn),
            reference_store.fx_table(conn), reference_repo.version(conn))


def first_since() -> np.ndarray:
    since = np.full(len(SYMBOLS), OPEN - 60)
    since[SYMBOLS.index("7003.HK")] = epoch(hkt(2026, 11, 20, 15, 50))
    return since


def test_stacked_read_equals_reading_each_symbol_alone_through_late_and_corrected_bars(
        app_db: sqlite3.Connection) -> None:
    rng, instruments, funds, fx, version = with_history(app_db, 13)
    market = MarketClock()
    stacked, alone = Observations(market), Observations(market)
    stacked.reset(SYMBOLS)
    read_alone = stacked.path
    calls = []
    stacked.path = lambda *args: calls.append(args[1]) or read_alone(*args)  # type: ignore
    since = first_since()
    feed = Feed(rng)
    for poll in range(60):
        with transaction(app_db):
            stats.write_bars(app_db, feed.poll(poll))

        got = stacked.batch(app_db, SYMBOLS, since, instruments, funds, fx, version)
        want = Batch([alone.path(app_db, s, instruments[s], int(since[i]),
                                 funds.get(s, Fundamentals((), ())), fx)
                      for i, s in enumerate(SYMBOLS)])
        for field in FIELDS:
            np.testing.assert_array_equal(getattr(got, field), getattr(want, field),
                                          err_msg=f"{field} after poll {poll}")
        np.testing.assert_array_equal(running_peak(got), running_peak(want))
        # the peak before may stay lower only where the first new bar rises above both
        differ = ~((got.peak_before == want.peak_before)
                   | (np.isnan(got.peak_before) & np.isnan(want.peak_before)))
        assert (got.peak_before[differ] < want.peak_before[differ]).all()
        assert (want.peak_before[differ] <= got.high[differ, 0]).all()
        since = np.maximum(since, got.done)
    # most symbols were answered from kept values, and the doubtful ones were read alone
    assert 0 < len(calls) < 60 * len(SYMBOLS) / 3
    assert calls.count("7003.HK") >= 2  # its first new bars spanned two days


def test_what_the_poll_changed_answers_as_reading_it_back_does_and_other_writes_are_read(
        app_db: sqlite3.Connection, db_path: Path) -> None:
    """The poll hands over its changed rows; the pass builds from them and what it kept
    exactly the batch a full read gives, and reads instead whenever it cannot be sure. From
    12:20 to 13:40 Hong Kong time: the lunch break, and a new day in New York at 13:00."""
    rng, instruments, funds, fx, version = with_history(app_db, 29)
    market = MarketClock()
    read, handed = Observations(market), Observations(market)
    read.reset(SYMBOLS)
    handed.reset(SYMBOLS)
    full_reads = []
    read_all = handed._read
    handed._read = lambda *args: full_reads.append(1) or read_all(*args)  # type: ignore
    other = open_connection(db_path)
    since = first_since()
    feed = Feed(rng, corrections=0.02, late=0.01, odd_days=0.01,
                start=epoch(hkt(2026, 11, 23, 12, 20)))
    doubts = {"another connection": 0, "this connection": 0, "backfill": 0,
              "an earlier daily bar": 0, "a reference fact": 0}
    for poll in range(80):
        rows, whole = feed.poll(poll), frozenset[str]()
        doubt = rng.choice([*doubts, *[""] * 16]) if poll > 2 else ""
        if doubt == "an earlier daily bar":
            yesterday = daily_bar_ts(DAY - dt.timedelta(days=1), HKT)
            rows.append(bar(rng.choice(SYMBOLS[:5]), "1d", yesterday, rng.uniform(50, 130)))
        if doubt == "backfill":  # stored whole in its own transaction, its rows not told
            whole = frozenset([rng.choice(SYMBOLS)])
        changed: list[tuple] = []
        before = app_db.total_changes
        with transaction(app_db):
            stats.write_bars(app_db, rows, changed)
        written = BarsWritten(before, app_db.total_changes, tuple(changed), whole)
        if doubt in ("another connection", "this connection"):  # a minute not yet evaluated
            symbol = rng.choice(SYMBOLS[:5])  # rewritten by someone else
            newest = max(feed.minutes[symbol])
            writer = other if doubt == "another connection" else app_db
            with transaction(writer):
                writer.execute("UPDATE bars SET high = high * 1.02 WHERE symbol = ? AND "
                               "interval = '1m' AND ts = ?", [symbol, newest])
            doubts[doubt] += 1
        elif doubt:
            doubts[doubt] += 1
            version += doubt == "a reference fact"  # (a trigger moves it in the app)
        data_version = alert_repo.pass_versions(app_db)[2]
        reads = len(full_reads)
        want = read.batch(app_db, SYMBOLS, since, instruments, funds, fx, version)
        got = handed.batch(app_db, SYMBOLS, since, instruments, funds, fx, version, written,
                           data_version)
        if doubt:
            assert len(full_reads) == reads + 1, doubt
        for field in (*FIELDS, "peak_before"):
            np.testing.assert_array_equal(getattr(got, field), getattr(want, field),
                                          err_msg=f"{field} after poll {poll} ({doubt})")
        read.committed(app_db)
        handed.committed(app_db)
        since = np.maximum(since, got.done)
    other.close()
    assert all(doubts.values()), doubts
    assert sum(doubts.values()) < len(full_reads) < 40  # the rest: what the polls changed


def test_a_poll_that_changes_nothing_writes_nothing_and_a_restart_neither_refires_nor_forgets(
        app_db: sqlite3.Connection) -> None:
    symbol = "2513.HK"
    with transaction(app_db):
        app_db.execute("DELETE FROM bars WHERE symbol = ? AND interval = '1m'", [symbol])
    clock = FixedClock(hkt(2026, 11, 23, 9, 29))
    market = MarketClock()
    rule = AlertService(app_db, clock, market).add_rule(
        AlertRule(symbol, RuleKind.PRICE_CROSS, 100.0, Direction.EITHER, Policy.REARM))
    closes = [99, 99.5, 99.2, 101, 101.5, 102, 101, 99.4, 99, 98, 98.5, 99, 100.6, 101, 102]
    minutes: list[tuple] = []

    def poll(evaluator: AlertEvaluator, i: int) -> tuple[list[int], int]:
        minutes.append(bar(symbol, "1m", OPEN + 60 * i, closes[i], spread=0))
        day = daily_from_minutes([b[2:8] for b in minutes])[-1]
        with transaction(app_db):
            stats.write_bars(app_db, [*minutes, (symbol, "1d", *day, "yahoo", 1)])
        clock.advance(60)
        before = app_db.total_changes
        fired = [(e.observed_ts - OPEN) // 60 for e in evaluator.evaluate(app_db)]
        return fired, app_db.total_changes - before

    first = AlertEvaluator(clock, market, 0)
    assert poll(first, 0)[1] > 0  # the first pass stores where it got to
    assert poll(first, 1) == ([], 0)  # nothing fired, nothing changed: no write at all
    assert poll(first, 2) == ([], 0)
    fired, wrote = poll(first, 3)
    assert fired == [3] and wrote > 0
    assert poll(first, 4) == ([], 0)
    stored = app_db.execute("SELECT last_ts FROM alert_progress WHERE symbol = ?",
                            [symbol]).fetchone()[0]
    assert stored == OPEN + 3 * 60  # minute 4 is not stored yet

    restarted = AlertEvaluator(clock, market, 0)  # the app started again
    events = [3]
    for i in range(5, len(closes)):
        events += poll(restarted, i)[0]
    assert events == [3, 7, 12]  # each crossing once: minute 4 seen again, nothing re-fired
    assert app_db.execute("SELECT COUNT(*) FROM alert_events WHERE rule_id = ?",
                          [rule]).fetchone()[0] == 3

    clock.advance(PROGRESS_EVERY_S)
    minutes.append(bar(symbol, "1m", OPEN + 60 * len(closes), 103.0, spread=0))
    with transaction(app_db):
        stats.write_bars(app_db, minutes)
    restarted.evaluate(app_db)  # nothing fires, but progress is due: stored
    assert app_db.execute("SELECT last_ts FROM alert_progress WHERE symbol = ?",
                          [symbol]).fetchone()[0] == OPEN + 60 * len(closes)
