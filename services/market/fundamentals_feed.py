"""Refreshing Yahoo's fundamentals: once when a symbol is added, then at most once a Hong Kong
day, after a poll on the poll's worker thread (never on the GUI thread).

Fundamentals change with results, not with trades, and quoteSummary is Yahoo's strictest
endpoint, so a refresh asks about a few symbols a poll (the rest follow on the next polls) and
backs off like the price feed: a failure leaves the stored values as they were and retries a
symbol after 30 s doubling to 10 min; a 429 pauses every fundamentals request for about 60 s
doubling to 15 min.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from db import feed_repo, meta_repo, yahoo_repo
from db.connection import transaction
from services.core.clock import HONG_KONG, local_date
from services.market.backoff import FAILURE, RATE_LIMIT
from services.market.feed_types import ErrorKind, FeedError
from services.market.fetching import CANCEL_CHECK_S, FetchPool, PollCancelledError
from services.market.yahoo_fundamentals import YahooFundamentals

PER_POLL = 4  # symbols refreshed after one poll (three requests each)
LIMITED_UNTIL = "fundamentals_rate_limited_until"
STRIKES = "fundamentals_rate_limit_strikes"


@runtime_checkable
class FundamentalsSource(Protocol):
    def fetch_fundamentals(self, symbol: str, timezone: str) -> YahooFundamentals: ...


@dataclass(frozen=True)
class Refreshed:
    symbol: str
    ok: bool
    error_kind: str = ""
    error: str = ""
    missing: tuple[str, ...] = ()  # modules Yahoo has none of for this symbol


def is_due(state: sqlite3.Row | None, now: int) -> bool:
    """Never fetched, or last fetched on an earlier Hong Kong day, and not backing off."""
    if state is not None and now < state["next_attempt"]:
        return False
    last = state["last_success"] if state is not None else None
    return last is None or local_date(last, HONG_KONG) < local_date(now, HONG_KONG)


def refresh(conn: sqlite3.Connection, source: FundamentalsSource, now: int,
            rng: random.Random | None = None, cancel: threading.Event | None = None,
            only: set[str] | None = None, limit: int = PER_POLL,
            pool: FetchPool | None = None) -> list[Refreshed]:
    """Fetch and store the fundamentals that are due (of `only`, when given), at most `limit`
    symbols; each symbol commits on its own, so a failure never undoes another's refresh.
    With a `pool`, requests run on its threads and `cancel` stops the refresh at once, even
    while Yahoo hangs (the symbol being fetched keeps its stored values)."""
    rng = rng or random.Random()
    if now < int(meta_repo.get_meta(conn, LIMITED_UNTIL) or 0):
        return []
    state = yahoo_repo.feed_state(conn)
    due = [(row["symbol"], row["timezone"]) for row in feed_repo.polled_symbols(conn)
           if (only is None or row["symbol"] in only) and is_due(state.get(row["symbol"]), now)]
    due.sort(key=lambda item: item[0] in state)  # symbols never asked about first
    results = []
    for symbol, timezone in due[:limit]:
        if cancel is not None and cancel.is_set():
            break
        try:
            facts = _fetch(source, symbol, timezone, pool, cancel)
        except PollCancelledError:
            break
        except FeedError as error:
            results.append(Refreshed(symbol, False, error.kind, error.detail))
            with transaction(conn):
                yahoo_repo.save_feed_state(conn, symbol,
                                           _failure(state.get(symbol), error, now, rng))
                if error.kind == ErrorKind.RATE_LIMIT:
                    _pause(conn, now, rng)
            if error.kind == ErrorKind.RATE_LIMIT:
                break
            continue
        with transaction(conn):
            store(conn, facts, now)
            yahoo_repo.save_feed_state(conn, symbol, _success(now))
            meta_repo.set_meta(conn, STRIKES, "0")
        results.append(Refreshed(symbol, True, missing=facts.missing))
    return results


def _fetch(source: FundamentalsSource, symbol: str, timezone: str, pool: FetchPool | None,
           cancel: threading.Event | None) -> YahooFundamentals:
    if pool is None:
        return source.fetch_fundamentals(symbol, timezone)
    future = pool.submit(lambda: source.fetch_fundamentals(symbol, timezone))
    while True:
        if cancel is not None and cancel.is_set():
            future.cancel()
            raise PollCancelledError(f"cancelled while fetching the fundamentals of {symbol}")
        try:
            result: YahooFundamentals = future.result(timeout=CANCEL_CHECK_S)
            return result
        except FutureTimeout:
            continue


def store(conn: sqlite3.Connection, facts: YahooFundamentals, now: int) -> None:
    """One answer, inside the caller's transaction."""
    snapshot: dict[str, Any] = {
        "fetched_at": now, "name": facts.name, "shares": facts.shares,
        "float_shares": facts.float_shares,
        "financial_currency": facts.financial_currency, "target_mean": facts.target_mean,
        "target_median": facts.target_median, "target_high": facts.target_high,
        "target_low": facts.target_low, "target_currency": facts.target_currency,
        "analysts": facts.analysts, "recommendation_key": facts.recommendation_key,
        "recommendation_mean": facts.recommendation_mean,
        "next_results": facts.next_results.isoformat() if facts.next_results else None,
        "next_results_estimate": int(facts.next_results_estimate),
        "first_trade": facts.first_trade.isoformat() if facts.first_trade else None,
        "missing": ",".join(facts.missing),
    }
    yahoo_repo.save(
        conn, facts.symbol, snapshot,
        [(day.isoformat(), shares) for day, shares in facts.shares_history],
        [(p.kind, p.period_end.isoformat(), p.amount, p.currency) for p in facts.revenue],
        [(t.period, t.strong_buy, t.buy, t.hold, t.sell, t.strong_sell) for t in facts.trend])


def _success(now: int) -> dict[str, Any]:
    return {"last_attempt": now, "last_success": now, "last_error": "", "last_error_kind": "",
            "consecutive_failures": 0, "next_attempt": 0}


def _failure(state: sqlite3.Row | None, error: FeedError, now: int,
             rng: random.Random) -> dict[str, Any]:
    failures = (state["consecutive_failures"] if state else 0) + 1
    delay = 0.0 if error.kind == ErrorKind.RATE_LIMIT else FAILURE.delay(failures, rng)
    return {"last_attempt": now, "last_error": error.detail, "last_error_kind": error.kind,
            "consecutive_failures": failures, "next_attempt": now + int(delay)}


def _pause(conn: sqlite3.Connection, now: int, rng: random.Random) -> None:
    strikes = int(meta_repo.get_meta(conn, STRIKES) or 0) + 1
    meta_repo.set_meta(conn, STRIKES, str(strikes))
    meta_repo.set_meta(conn, LIMITED_UNTIL, str(now + int(RATE_LIMIT.delay(strikes, rng))))
