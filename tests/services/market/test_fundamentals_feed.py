"""Yahoo's fundamentals through the real yfinance client against the fake Yahoo: a third HKEX
symbol gets market cap, P/S, consensus target and next results date with source and date; a
symbol Yahoo lacks them for says so; an outage keeps the old values and backs off; bundled and
user facts win; a refresh happens at most once a Hong Kong day."""

from __future__ import annotations

import datetime as dt
import io
import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from cli.context import Context
from cli.main import dispatch
from cli.parser import parse_args
from db import yahoo_repo
from services.app.poll_cycle import PollCycle
from services.core import formatting as fmt
from services.core.clock import FixedClock, epoch
from services.core.models import Money
from services.core.paths import AppPaths
from services.market import fundamentals_feed
from services.market.fetching import FetchPool
from services.market.yahoo_source import YahooQuoteSource
from services.reference import yahoo_facts
from services.reference.editing import ReferenceEditor
from services.watchlists.columns import COLUMNS, Column
from services.watchlists.editing import WatchlistEditor
from services.watchlists.service import WatchlistService
from services.watchlists.yahoo_view import IN_USE, yahoo_lines
from tests.conftest import hkt
from tests.fake_fundamentals import hk_fundamentals
from tests.fake_yahoo import FakeSymbol, FakeYahoo, FakeYahooSession, random_walk_minutes

DAYS = [(dt.date(2026, 11, d), False) for d in (19, 20, 23, 24)]


@pytest.fixture
def source(fake_yahoo: FakeYahoo, tmp_path: Path) -> YahooQuoteSource:
    return YahooQuoteSource(tmp_path / "yf-cache", FakeYahooSession(fake_yahoo.proxy_url),
                            timeout=2.0)


def add_symbol(fake: FakeYahoo, conn: sqlite3.Connection, symbol: str, fundamentals: bool = True,
               price: float = 150.0) -> None:
    fake.symbols[symbol] = FakeSymbol(symbol, minute_bars=random_walk_minutes(DAYS, price, 5),
                                      fundamentals=hk_fundamentals() if fundamentals else None)
    WatchlistEditor(conn).add("Main", symbol)


def row_of(conn: sqlite3.Connection, clock: FixedClock, symbol: str) -> dict[Column, str]:
    row = next(r for r in WatchlistService(conn, clock).rows() if r.symbol == symbol)
    return {c: COLUMNS[c].text(row) for c in Column}


def test_a_third_hkex_symbol_gets_cap_ps_target_and_results_from_yahoo(
        app_db: sqlite3.Connection, cycle: PollCycle, fake_yahoo: FakeYahoo,
        clock: FixedClock, db_path: Path, isolated_home: AppPaths) -> None:
    add_symbol(fake_yahoo, app_db, "9988.HK")
    before = row_of(app_db, clock, "9988.HK")
    assert before[Column.CONSENSUS] == "not fetched yet"
    PollCycle(cycle.poller, cycle.evaluator, clock=clock).run()  # prices, then fundamentals

    cells = row_of(app_db, clock, "9988.HK")
    snap = yahoo_facts.snapshots(app_db)["9988.HK"]
    assert snap.fetched == dt.date(2026, 11, 23) and snap.shares == 19_100_000_000
    last = next(r for r in WatchlistService(app_db, clock).rows() if r.symbol == "9988.HK").last
    assert last is not None and last.source == "yahoo"
    # market cap: the live price × Yahoo's share count in force today (as of 2026-06-30)
    cap = last.amount * 19_100_000_000
    assert cells[Column.MARKET_CAP] == fmt.compact_money(Money(cap, "HKD"))
    row = next(r for r in WatchlistService(app_db, clock).rows() if r.symbol == "9988.HK")
    assert row.market_cap is not None and row.market_cap.amount == pytest.approx(cap)
    # P/S on FY2026 (to 2026-03-31, CNY 1,020.5bn, usable from HKEX's deadline), converted at
    # the stored CNYHKD rate of the price's day
    assert row.ps_basis == "FY2026" and row.ps is not None
    rate = app_db.execute("SELECT rate FROM fx_bars WHERE base = 'CNY' AND day <= '2026-11-23' "
                          "ORDER BY day DESC LIMIT 1").fetchone()[0]
    assert row.ps.value == pytest.approx(cap / (1_020_500_000_000 * rate), rel=1e-6)
    assert cells[Column.CONSENSUS] == "HK$185.2 (Yahoo mean, 38 analysts, 2026-11-23)"
    assert cells[Column.NEXT_RESULTS] == "2027-02-19 est. (Yahoo, 2026-11-23)"
    assert row.latest_target is not None and row.latest_target.broker == "Yahoo consensus"
    assert cells[Column.UPSIDE] != "—"
    # the revenue keeps Yahoo's currency; the history and the listing date are stored
    assert {r["currency"] for r in yahoo_repo.rows(app_db, "yahoo_revenue")} == {"CNY"}
    assert len(yahoo_repo.rows(app_db, "yahoo_shares", "9988.HK")) == 3
    detail = WatchlistService(app_db, clock).detail("9988.HK")
    assert detail.row.instrument.listing_date == dt.date(2019, 11, 26)
    assert detail.row.instrument.name == "Alibaba Group Holding Limited"  # none recorded
    uses = {line.label: line for line in yahoo_lines(detail)}
    assert uses["Shares outstanding"].use == IN_USE
    assert uses["Revenue, last fiscal year"].as_of == "2026-03-31"
    assert uses["Consensus target"].use.startswith(IN_USE)
    assert all(s.provenance and s.provenance.source == "Yahoo Finance, fetched 2026-11-23"
               for s in detail.fundamentals.shares)
    out = io.StringIO()  # the valuation command: every input with its source
    assert dispatch(parse_args(["--db", str(db_path), "valuation", "9988.HK"]),
                    Context(db_path, isolated_home, out=out, clock=clock, verify=None)) == 0
    text = out.getvalue()
    assert "19,100,000,000  2026-06-30 (yahoo)" in text and "FY2026 RMB 1.0tn/yr" in text
    assert "Yahoo consensus 2026-11-23 HK$185.20 (yahoo)" in text
    assert yahoo_facts.results_dates(app_db) == [yahoo_facts.ResultsDate(
        "9988.HK", dt.date(2027, 2, 19), "yahoo", dt.date(2026, 11, 23), True)]


def test_missing_modules_say_not_available_from_yahoo(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    add_symbol(fake_yahoo, app_db, "1810.HK")
    facts = fake_yahoo.symbols["1810.HK"].fundamentals
    assert facts is not None
    for module in ("financialData", "calendarEvents", "defaultKeyStatistics"):
        del facts.modules[module]
    facts.shares.clear()
    facts.revenue.clear()
    add_symbol(fake_yahoo, app_db, "0700.HK", fundamentals=False)  # Yahoo: 404, no modules
    done = fundamentals_feed.refresh(app_db, source, epoch(clock.now()))
    assert {r.symbol for r in done if r.ok} >= {"1810.HK", "0700.HK"}
    for symbol in ("1810.HK", "0700.HK"):
        cells = row_of(app_db, clock, symbol)
        for column in (Column.CONSENSUS, Column.NEXT_RESULTS):
            assert cells[column] == "not available from Yahoo", (symbol, column)
    status = yahoo_facts.snapshots(app_db)["0700.HK"].status()
    assert "not available from Yahoo: share count, revenue, analyst targets" in status
    assert "quoteType" not in yahoo_facts.snapshots(app_db)["1810.HK"].missing
    detail = WatchlistService(app_db, clock).detail("1810.HK")
    values = {line.label: line.value for line in yahoo_lines(detail)}
    assert values["Consensus target"] == values["Revenue"] == "not available from Yahoo"
    assert values["First trade"] == "2019-11-26"


def test_an_outage_keeps_the_old_values_and_backs_off(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    add_symbol(fake_yahoo, app_db, "9988.HK")
    rng = random.Random(3)
    assert fundamentals_feed.refresh(app_db, source, epoch(clock.now()), rng)[0].ok
    clock.set(hkt(2026, 11, 24, 10, 0))  # the next day: due again, and Yahoo is down
    facts = fake_yahoo.symbols["9988.HK"].fundamentals
    assert facts is not None
    facts.modules["financialData"]["targetMeanPrice"] = 999.0
    fake_yahoo.fail("500", "9988.HK", endpoint="fundamentals")
    now = epoch(clock.now())
    failed = fundamentals_feed.refresh(app_db, source, now, rng, only={"9988.HK"})
    assert [(r.ok, r.error_kind) for r in failed] == [(False, "cannot reach Yahoo")]
    snap = yahoo_facts.snapshots(app_db)["9988.HK"]
    assert snap.consensus is not None and snap.consensus.mean.amount == 185.2  # kept
    assert snap.fetched == dt.date(2026, 11, 23) and "the last refresh failed" in snap.status()
    state = yahoo_repo.feed_state(app_db)["9988.HK"]
    assert 24 <= state["next_attempt"] - now <= 36  # 30 s ± 20 %, as a symbol's price feed
    asked = len(fake_yahoo.fundamentals_requests("9988.HK"))
    assert fundamentals_feed.refresh(app_db, source, now + 10, rng, only={"9988.HK"}) == []
    assert len(fake_yahoo.fundamentals_requests("9988.HK")) == asked
    again = fundamentals_feed.refresh(app_db, source, now + 40, rng, only={"9988.HK"})
    assert not again[0].ok  # the second failure
    second = yahoo_repo.feed_state(app_db)["9988.HK"]["next_attempt"] - (now + 40)
    assert 48 <= second <= 72  # doubled
    fake_yahoo.clear_faults()
    assert fundamentals_feed.refresh(app_db, source, now + 200, rng, only={"9988.HK"})[0].ok
    snap = yahoo_facts.snapshots(app_db)["9988.HK"]
    assert snap.consensus is not None and snap.consensus.mean.amount == 999.0
    assert snap.last_error == ""


def test_a_rate_limit_pauses_every_fundamentals_request(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    add_symbol(fake_yahoo, app_db, "0700.HK")
    add_symbol(fake_yahoo, app_db, "9988.HK")
    fake_yahoo.fail("429", endpoint="quoteSummary")
    now = epoch(clock.now())
    done = fundamentals_feed.refresh(app_db, source, now, random.Random(1))
    assert [r.error_kind for r in done] == ["rate limit"]  # stopped after the first 429
    asked = len(fake_yahoo.fundamentals_requests())
    assert fundamentals_feed.refresh(app_db, source, now + 30, random.Random(1)) == []
    assert len(fake_yahoo.fundamentals_requests()) == asked
    fake_yahoo.clear_faults()
    assert all(r.ok for r in fundamentals_feed.refresh(app_db, source, now + 80,
                                                       random.Random(1)))


def test_refreshed_at_most_once_a_hong_kong_day(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    add_symbol(fake_yahoo, app_db, "9988.HK")
    now = epoch(clock.now())
    assert len(fundamentals_feed.refresh(app_db, source, now, only={"9988.HK"})) == 1
    asked = len(fake_yahoo.fundamentals_requests("9988.HK"))
    assert asked >= 3  # quoteSummary, share counts, revenue
    assert fundamentals_feed.refresh(app_db, source, now + 13 * 3600, only={"9988.HK"}) == []
    assert len(fake_yahoo.fundamentals_requests("9988.HK")) == asked
    next_day = epoch(hkt(2026, 11, 24, 0, 5))
    assert fundamentals_feed.refresh(app_db, source, next_day, only={"9988.HK"})[0].ok


def test_bundled_and_user_facts_win_over_yahoos(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    fake_yahoo.symbols["2513.HK"].fundamentals = hk_fundamentals(shares=999_000_000,
                                                                 target_mean=500.0)
    add_symbol(fake_yahoo, app_db, "9988.HK")
    ReferenceEditor(app_db, clock).add("shares_outstanding", "9988.HK", {
        "as_of": "2026-09-30", "shares": "19000000000", "published": "2026-10-02"})
    assert all(r.ok for r in fundamentals_feed.refresh(app_db, source, epoch(clock.now())))
    service = WatchlistService(app_db, clock)
    zhipu = service.detail("2513.HK")
    assert all(s.provenance and s.provenance.confidence != "yahoo"
               for s in zhipu.fundamentals.shares + zhipu.fundamentals.revenue)
    assert zhipu.row.latest_target is not None and zhipu.row.latest_target.broker != \
        "Yahoo consensus"
    uses = {line.label: line.use for line in yahoo_lines(zhipu)}
    assert uses["Shares outstanding"] == "bundled or your share counts win"
    assert uses["Consensus target"].startswith("the recorded target")
    assert uses["First trade"].startswith("the recorded listing date")
    alibaba = service.detail("9988.HK")
    assert [s.shares for s in alibaba.fundamentals.shares] == [19_000_000_000]  # the user's
    assert alibaba.fundamentals.revenue[0].provenance is not None  # Yahoo's: none of their own
    assert alibaba.fundamentals.revenue[0].provenance.confidence == "yahoo"
    assert {line.label: line.use for line in yahoo_lines(alibaba)}["Shares outstanding"] == \
        "bundled or your share counts win"


def test_cli_watchlist_add_fetches_fundamentals_and_show_has_the_columns(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock, db_path: Path, isolated_home: AppPaths) -> None:
    fake_yahoo.symbols["9988.HK"] = FakeSymbol(
        "9988.HK", minute_bars=random_walk_minutes(DAYS, 150.0, 5),
        fundamentals=hk_fundamentals())

    def run(*argv: str) -> str:
        out = io.StringIO()
        ctx = Context(db_path, isolated_home, out=out, clock=clock,
                      verify=lambda s: source.fetch(s, "1d", "5d", None).meta,
                      fundamentals=source)
        assert dispatch(parse_args(["--db", str(db_path), *argv]), ctx) == 0
        return out.getvalue()

    added = run("watchlist", "add", "Main", "9988")
    assert "Fundamentals of 9988.HK: fetched from Yahoo on 2026-11-23." in added
    shown = run("show")
    assert "Consensus target" in shown and "Next results" in shown
    line = next(text for text in shown.splitlines() if text.startswith("9988.HK"))
    assert "HK$185.2 (Yahoo mean, 38 analysts, 2026-11-23)" in line
    assert "2027-02-19 est. (Yahoo, 2026-11-23)" in line
    zhipu = next(text for text in shown.splitlines() if text.startswith("2513.HK"))
    assert "not fetched yet" in zhipu  # the poller fetches it; `show` never asks Yahoo


def test_quitting_does_not_wait_for_a_hanging_yahoo(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    add_symbol(fake_yahoo, app_db, "9988.HK")
    fake_yahoo.fail("slow", "9988.HK", delay=20.0, endpoint="quoteSummary")
    pool, cancel = FetchPool(1), threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    started = time.monotonic()
    try:
        done = fundamentals_feed.refresh(app_db, source, epoch(clock.now()), cancel=cancel,
                                         only={"9988.HK"}, pool=pool)
    finally:
        timer.join()
        pool.close()
        fake_yahoo.clear_faults()
    assert done == [] and time.monotonic() - started < 2.0
    assert "9988.HK" not in yahoo_facts.snapshots(app_db)  # nothing written


def test_empty_answers_read_as_nothing_available_not_as_a_failure(
        app_db: sqlite3.Connection, source: YahooQuoteSource, fake_yahoo: FakeYahoo,
        clock: FixedClock) -> None:
    add_symbol(fake_yahoo, app_db, "9988.HK")
    fake_yahoo.fail("empty", "9988.HK", endpoint="fundamentals")
    done = fundamentals_feed.refresh(app_db, source, epoch(clock.now()), only={"9988.HK"})
    assert [r.ok for r in done] == [True]
    cells = row_of(app_db, clock, "9988.HK")
    assert cells[Column.CONSENSUS] == cells[Column.NEXT_RESULTS] == "not available from Yahoo"
    assert "not available from Yahoo: share count, revenue" in \
        yahoo_facts.snapshots(app_db)["9988.HK"].status()
