"""One poll cycle: fetch every watched symbol, store bars and quotes in one transaction, and
return what happened. Runs on a worker thread with its own SQLite connection; expected failures
are collected in the outcome, never raised.

A symbol being backfilled (years of daily bars, days of minutes) is the exception: it is stored
in a transaction of its own as soon as its answer is in, so a 200-symbol backfill holds a few
symbols' bars at a time instead of all of them until the end (bench/backfill.py: a peak of
144 MB instead of 479 MB), and the symbols already backfilled stay stored when a later one is
rate-limited or the poll is cancelled. Each symbol's bars, figures, quote and feed state still
commit together.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from db import calendar_repo, feed_repo, fx_repo, meta_repo, watchlist_repo
from db.connection import open_connection, transaction
from services.core.clock import Clock, epoch, local_date
from services.market import fx_feed, stats, trading_days
from services.market.backoff import FAILURE, NOT_FOUND_LIMIT, RATE_LIMIT
from services.market.bar_checks import BarCheck
from services.market.bars import daily_from_minutes
from services.market.calendar import MarketClock, Phase
from services.market.feed_types import AlsoWrite, BarsWritten, ErrorKind, FeedError, Fetched
from services.market.fetching import (
    FETCH_WORKERS,
    Batch,
    FetchPool,
    Plan,
    PollCancelledError,
    QuoteSource,
    RateLimitedError,
)

RATE_LIMIT_UNTIL = "rate_limited_until"
RATE_LIMIT_STRIKES = "rate_limit_strikes"
UNKNOWN_SYMBOL = "unknown symbol"
Health = sqlite3.Row | None  # a feed_health row, None before a symbol's first poll


@dataclass(frozen=True)
class SymbolResult:
    symbol: str
    ok: bool
    bars_written: int = 0
    price: float | None = None
    currency: str = ""
    price_ts: int | None = None
    error_kind: str = ""
    error: str = ""
    skipped: str = ""  # why no request was made (backing off, rate limited)
    bars_dropped: int = 0  # bad bars the source sent, not stored (services.market.bar_checks)
    dropped_why: str = ""


@dataclass(frozen=True)
class PollOutcome:
    started_at: int
    finished_at: int
    phase: str
    source: str
    results: tuple[SymbolResult, ...] = field(default_factory=tuple)
    rate_limited_until: int | None = None
    requests: int = 0
    fx_results: tuple[SymbolResult, ...] = ()  # FX pairs fetched this poll (daily, not per poll)
    written: BarsWritten | None = None  # what it changed in `bars`, on the connection it used

    @property
    def succeeded(self) -> list[SymbolResult]:
        return [r for r in self.results if r.ok]

    @property
    def offline(self) -> bool:
        """Every request failed to reach Yahoo (no network, DNS, outage page, timeouts)."""
        tried = [r for r in self.results if not r.skipped]
        return bool(tried) and all(r.error_kind == ErrorKind.TRANSPORT for r in tried)


class Poller:
    """Plans and runs poll cycles against one database file and one quote source."""

    def __init__(self, db_path: Path, source: QuoteSource, clock: Clock, market: MarketClock,
                 rng: random.Random | None = None, workers: int = FETCH_WORKERS,
                 poll_fx: bool = False):
        """`poll_fx`: also fetch the daily FX rates conversions need (a real feed; the demo
        feed has none, so its conversions keep the labelled placeholders)."""
        self.db_path = db_path
        self._source = source
        self._clock = clock
        self._market = market
        self._rng = rng or random.Random()
        self._pool = FetchPool(workers)
        self._bar_check = BarCheck({}, 0)
        self._poll_fx = poll_fx
        self._days_synced_on: object = None  # the local day the trading days were last stored

    @property
    def source(self) -> QuoteSource:
        return self._source

    @property
    def pool(self) -> FetchPool:
        """The request threads (a fetch the poll gives up on must not hold up quitting)."""
        return self._pool

    def close(self) -> None:
        """End the request threads (after their current request)."""
        self._pool.close()

    def poll(self, force: bool = False, cancel: threading.Event | None = None,
             conn: sqlite3.Connection | None = None, also: AlsoWrite | None = None
             ) -> PollOutcome:
        """One cycle. `force` ignores per-symbol backoff (a trader's "refresh now"), never a
        rate limit: hammering Yahoo during a 429 only lengthens it. `cancel` set stops the poll
        between symbols, or while a fetch waits for Yahoo, with nothing more written
        (PollCancelledError): only symbols already backfilled stay stored. Off the GUI thread.
        `conn`: the caller's connection (the poll cycle's, whose next readers then find what
        the poll wrote in its page cache, or are told: `PollOutcome.written`); else one of its
        own. `also`: the caller's writes to commit with the poll's (AlsoWrite)."""
        if conn is not None:
            return self._poll(conn, force, cancel, also)
        conn = open_connection(self.db_path)
        try:
            return self._poll(conn, force, cancel, also)
        finally:
            conn.close()

    def _poll(self, conn: sqlite3.Connection, force: bool, cancel: threading.Event | None,
              also: AlsoWrite | None) -> PollOutcome:
        changes_before = conn.total_changes
        now_dt = self._clock.now()
        now = epoch(now_dt)
        phase = self._market.phase(now_dt)
        symbols = feed_repo.polled_symbols(conn)
        self._bar_check = BarCheck(feed_repo.listing_dates(conn), now, self._market)
        health = feed_repo.health(conn)
        limited_until = int(meta_repo.get_meta(conn, RATE_LIMIT_UNTIL) or 0)
        if now < limited_until:
            results = tuple(SymbolResult(s["symbol"], False, skipped="rate limited")
                            for s in symbols)
            return PollOutcome(now, now, phase, self._source.name, results, limited_until,
                               written=BarsWritten(changes_before, changes_before))

        bars: list[tuple] = []
        quotes: list[tuple] = []
        updates: dict[str, dict] = {}
        found: dict[str, SymbolResult] = {}
        learned: list[tuple[str, str, str, str]] = []  # (currency, tz, exchange, symbol)
        whole: set[str] = set()
        rate_limited = False
        plans = []
        by_symbol = {row["symbol"]: row for row in symbols}
        for row in symbols:
            symbol, state = row["symbol"], health.get(row["symbol"])
            if state is not None and now < state["next_attempt"] and not force:
                found[symbol] = SymbolResult(symbol, False, skipped="backing off",
                                             error_kind=state["last_error_kind"],
                                             error=state["last_error"])
            else:
                plans.append(Plan(symbol, row["currency"],
                                  tuple(self._requests_for(state, phase))))
        batch = Batch(self._pool, self._source, plans, cancel)
        for plan, answer in batch.answers():
            symbol, state = plan.symbol, health.get(plan.symbol)
            if isinstance(answer, RateLimitedError):
                found[symbol] = SymbolResult(symbol, False, skipped="rate limited")
                continue
            if isinstance(answer, FeedError):
                rate_limited |= answer.kind == ErrorKind.RATE_LIMIT
                updates[symbol] = self._failure(state, answer, now)
                found[symbol] = SymbolResult(symbol, False, error_kind=answer.kind,
                                             error=answer.detail)
                continue
            if isinstance(answer, Exception):
                raise answer  # a bug in a source: the scheduler reports it, polling goes on
            fetched = answer
            backfill = self._backfilling(state)
            own_bars: list[tuple] = [] if backfill else bars
            own_quotes: list[tuple] = [] if backfill else quotes
            written = self._collect(symbol, by_symbol[symbol]["timezone"], fetched,
                                    list(plan.requests), phase, own_bars, own_quotes, now)
            meta = fetched[-1].meta
            updates[symbol] = {
                "last_attempt": now, "last_success": now, "last_error": "",
                "last_error_kind": "", "consecutive_failures": 0, "not_found_count": 0,
                "next_attempt": 0,
                "daily_backfilled": int(any(f.interval == "1d" for f in fetched)
                                        or bool(state and state["daily_backfilled"])),
                "intraday_backfilled": int(any(f.interval == "1m" for f in fetched)
                                           or bool(state and state["intraday_backfilled"])),
            }
            found[symbol] = SymbolResult(symbol, True, written, meta.price, meta.currency,
                                         meta.ts)
            instrument = (meta.currency, meta.timezone, meta.exchange, symbol)
            if backfill:
                self._store_backfill(conn, cancel, own_bars, own_quotes[0], instrument,
                                     updates.pop(symbol))
                whole.add(symbol)
            else:
                learned.append(instrument)

        results = [self._with_dropped(found[row["symbol"]]) for row in symbols]
        self._mark_unknown_symbols(results, updates)
        fx_rows: list[tuple] = []
        fx_updates: dict[str, dict] = {}
        fx_results: list[SymbolResult] = []
        fx_requests = 0
        if self._poll_fx and not rate_limited:
            rate_limited, fx_requests = self._fetch_fx(conn, now, cancel, fx_rows, fx_updates,
                                                       fx_results)
        sessions = self._trading_days_to_store(conn, now_dt)
        strikes = int(meta_repo.get_meta(conn, RATE_LIMIT_STRIKES) or 0)
        limited_until, strikes = self._rate_limit(strikes, rate_limited,
                                                  any(r.ok for r in results), now)
        if cancel is not None and cancel.is_set():
            raise PollCancelledError("cancelled before writing")
        changed: list[tuple] = []
        with transaction(conn):  # the whole poll commits together or not at all
            stats.write_bars(conn, bars, changed)
            for quote in quotes:
                feed_repo.save_quote(conn, *quote)
            watchlist_repo.learn_instruments(conn, learned)
            for symbol, values in updates.items():
                feed_repo.save_health(conn, symbol, values)
            fx_repo.upsert_rates(conn, fx_rows)
            for symbol, values in fx_updates.items():
                fx_repo.save_feed_state(conn, symbol, values)
            if sessions is not None:
                calendar_repo.save_trading_days(conn, self._market.name, sessions)
            meta_repo.set_meta(conn, RATE_LIMIT_UNTIL, str(limited_until))
            meta_repo.set_meta(conn, RATE_LIMIT_STRIKES, str(strikes))
            committed = also(conn) if also is not None else None
        if committed is not None:
            committed()
        if sessions is not None:
            self._days_synced_on = self._market.local_day(now_dt)
        return PollOutcome(now, epoch(self._clock.now()), phase, self._source.name,
                           tuple(results), limited_until or None, batch.requests + fx_requests,
                           tuple(fx_results), BarsWritten(changes_before, conn.total_changes,
                                                          tuple(changed), frozenset(whole)))

    @staticmethod
    def _backfilling(state: Health) -> bool:
        return state is None or not state["daily_backfilled"] or not state["intraday_backfilled"]

    @staticmethod
    def _store_backfill(conn: sqlite3.Connection, cancel: threading.Event | None,
                        rows: list[tuple], quote: tuple, instrument: tuple[str, str, str, str],
                        health: dict) -> None:
        """One backfilled symbol, whole, in its own transaction (see the module's docstring)."""
        if cancel is not None and cancel.is_set():
            raise PollCancelledError("cancelled before writing")
        with transaction(conn):
            stats.write_bars(conn, rows)
            feed_repo.save_quote(conn, *quote)
            watchlist_repo.learn_instruments(conn, [instrument])
            feed_repo.save_health(conn, instrument[3], health)

    def _fetch_fx(self, conn: sqlite3.Connection, now: int, cancel: threading.Event | None,
                  rows: list[tuple], updates: dict[str, dict],
                  results: list[SymbolResult]) -> tuple[bool, int]:
        """Fetch the FX pairs that are due (at most one request a pair a day). Returns whether
        Yahoo answered with a rate limit (which stops the poll's requests like a symbol's) and
        how many requests were made."""
        state = fx_repo.feed_state(conn)
        due = [(pair, period) for pair in fx_feed.wanted_pairs(conn)
               if (period := fx_feed.request_for(state.get(pair.symbol), now)) is not None]
        batch = Batch(self._pool, self._source,
                      [Plan(pair.symbol, pair.quote, (("1d", period),)) for pair, period in due],
                      cancel)
        limited = False
        for (pair, _), (_, answer) in zip(due, batch.answers(), strict=True):
            if isinstance(answer, RateLimitedError):
                continue  # due again on the next poll
            if isinstance(answer, FeedError):
                updates[pair.symbol] = fx_feed.failure(pair, state.get(pair.symbol), answer, now,
                                                       self._rng)
                results.append(SymbolResult(pair.symbol, False, error_kind=answer.kind,
                                            error=answer.detail))
                limited |= answer.kind == ErrorKind.RATE_LIMIT
                continue
            if isinstance(answer, Exception):
                raise answer
            fetched = answer[0]
            pair_rows = fx_feed.rate_rows(pair, fetched, self._source.name)
            rows.extend(pair_rows)
            updates[pair.symbol] = fx_feed.success(pair, now)
            results.append(SymbolResult(pair.symbol, True, len(pair_rows), fetched.meta.price,
                                        fetched.meta.currency, fetched.meta.ts))
        return limited, batch.requests

    def _trading_days_to_store(self, conn: sqlite3.Connection,
                               now: dt.datetime) -> list[str] | None:
        """The exchange's sessions, stored once a day when the calendar knows more than the
        database, so the window and the CLI can name a trading day without loading it."""
        today = self._market.local_day(now)
        if self._days_synced_on == today:
            return None
        days = trading_days.sessions_to_store(conn, self._market)
        if days is None:
            self._days_synced_on = today
        return days

    @staticmethod
    def _requests_for(state: Health, phase: Phase) -> list[tuple[str, str]]:
        """Steady state is one chart request a symbol: 1-minute bars of the current session
        while it trades, daily bars once it has closed. A new symbol is backfilled first."""
        plan = []
        if state is None or not state["daily_backfilled"]:
            plan.append(("1d", "max"))
        elif phase in (Phase.AFTER_CLOSE, Phase.CLOSED):
            plan.append(("1d", "5d"))
        if state is None or not state["intraday_backfilled"]:
            plan.append(("1m", "5d"))
        elif phase in (Phase.OPEN, Phase.LUNCH) or not plan:
            plan.append(("1m", "1d"))
        return plan

    def _collect(self, symbol: str, tz: str, fetched: list[Fetched],
                 plan: list[tuple[str, str]], phase: Phase, bars: list[tuple],
                 quotes: list[tuple], now: int) -> int:
        """Turn fetched bars into rows. The newest 1-minute bar is partial while its minute is
        still trading, and so is today's daily bar until the session has closed."""
        source = self._source.name
        count = 0
        trading = phase in (Phase.OPEN, Phase.LUNCH)  # the day is not over
        fetched = [self._bar_check.clean(symbol, tz, f) for f in fetched]
        for result in fetched:
            last_index = len(result.bars) - 1
            for i, (ts, o, h, low, c, v) in enumerate(result.bars):
                if result.interval == "1m":
                    partial = int(i == last_index and phase == Phase.OPEN
                                  and result.meta.ts < ts + 60)
                else:
                    partial = int(i == last_index and trading
                                  and local_date(ts, tz) == local_date(now, tz))
                bars.append((symbol, result.interval, ts, o, h, low, c, v, source, partial))
                count += 1
        minute = next((f for f in fetched if f.interval == "1m"), None)
        has_daily = any(f.interval == "1d" for f in fetched)
        if (minute is not None and minute.bars and not has_daily
                and local_date(minute.bars[-1][0], tz) == local_date(now, tz)):
            # Before today's first trade Yahoo's one-day minutes are yesterday's: its official
            # daily bar stays as stored, never rewritten as a partial bar from minutes.
            bars.append(self._today_from_minutes(symbol, tz, minute, trading, source))
        meta = fetched[-1].meta
        quotes.append((symbol, meta.price, meta.currency, meta.ts,
                       self._previous_close(fetched, plan, tz), source, now))
        return count

    def _with_dropped(self, result: SymbolResult) -> SymbolResult:
        count, why = self._bar_check.dropped(result.symbol)
        return replace(result, bars_dropped=count, dropped_why=why) if count else result

    @staticmethod
    def _previous_close(fetched: list[Fetched], plan: list[tuple[str, str]],
                        tz: str) -> float | None:
        """The previous session's official close. Yahoo's chartPreviousClose is the close
        before the requested range — right for one day of minutes, wrong for a 5-day backfill
        (it is the close before those five days) — so daily bars, when fetched, decide."""
        meta = fetched[-1].meta
        daily = next((f for f in fetched if f.interval == "1d"), None)
        if daily is not None:
            today = local_date(meta.ts, tz)
            before = [bar[4] for bar in daily.bars if local_date(bar[0], tz) < today]
            return before[-1] if before else None
        return meta.previous_close if plan[-1] == ("1m", "1d") else None

    @staticmethod
    def _today_from_minutes(symbol: str, tz: str, minute: Fetched, trading: bool,
                            source: str) -> tuple:
        """Today's daily bar so far, from its minutes: partial until the close replaces it."""
        ts, o, h, low, c, v = daily_from_minutes(minute.bars, tz)[-1]
        return (symbol, "1d", ts, o, h, low, c, v, source, int(trading))

    def _failure(self, state: Health, error: FeedError, now: int) -> dict:
        failures = (state["consecutive_failures"] if state else 0) + 1
        not_found = ((state["not_found_count"] if state else 0) + 1
                     if error.kind == ErrorKind.NOT_FOUND else 0)
        delay = 0.0 if error.kind == ErrorKind.RATE_LIMIT else FAILURE.delay(failures, self._rng)
        return {"last_attempt": now, "last_error": error.detail, "last_error_kind": error.kind,
                "consecutive_failures": failures, "not_found_count": not_found,
                "next_attempt": now + int(delay)}

    @staticmethod
    def _mark_unknown_symbols(results: list[SymbolResult], updates: dict[str, dict]) -> None:
        """Repeated 404s while other symbols succeed mean Yahoo does not know the symbol; 404s
        for everything mean something else is wrong, so nobody is called unknown."""
        if not any(r.ok for r in results):
            return
        for i, result in enumerate(results):
            values = updates.get(result.symbol, {})
            if values.get("not_found_count", 0) >= NOT_FOUND_LIMIT:
                values["last_error_kind"] = UNKNOWN_SYMBOL
                results[i] = SymbolResult(result.symbol, False, error_kind=UNKNOWN_SYMBOL,
                                          error=f"Yahoo does not know {result.symbol} "
                                                f"({values['not_found_count']} x HTTP 404)")

    def _rate_limit(self, strikes: int, limited: bool, any_ok: bool, now: int) -> tuple[int, int]:
        """(rate limited until, consecutive 429 strikes) after this poll."""
        if limited:
            return now + int(RATE_LIMIT.delay(strikes + 1, self._rng)), strikes + 1
        return 0, 0 if any_ok else strikes

