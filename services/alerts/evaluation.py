"""The evaluation pass after each poll: every enabled rule over what is new since it last looked.

Runs on the poll worker's connection right after a poll commits. Fires and rule states commit
together in one transaction, so the event exists before anyone is notified and a restart neither
re-fires nor forgets. The rule book (numpy arrays) lives as long as the evaluator and is rebuilt
only when a rule changes (a trigger counts every change, from any connection).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import asdict
from typing import Any

import numpy as np

from db import alert_repo, market_repo, reference_repo
from db.connection import transaction
from services.alerts.engine import Batch, Fire, Path, RuleBook
from services.alerts.records import AlertEvent, rule_from_row
from services.alerts.rules import (
    DAYS_BEFORE,
    PRICE_DRIVEN,
    AlertRule,
    RuleKind,
)
from services.core import analytics, valuation
from services.core import formatting as fmt
from services.core.analytics import MissingDataError
from services.core.clock import Clock, daily_bar_ts, epoch, from_epoch, local_date, midnight
from services.core.fx import FxTable
from services.core.models import Fundamentals, Instrument, Money
from services.market import history
from services.market.calendar import AFTER_CLOSE_DELAY, MarketClock, Phase
from services.reference import company_events
from services.reference import store as reference_store

CLOSED_LABEL = "while HarbourWatch was closed"
DayValues = dict[str, float]  # ISO date -> value
_Reference = tuple[dict[str, Instrument], dict[str, Fundamentals], FxTable]


class AlertEvaluator:
    def __init__(self, clock: Clock, market: MarketClock, started_at: int | None = None):
        """`started_at`: bars older than this arrived while the app was closed (labelled so)."""
        self._clock = clock
        self._market = market
        self._started_at = started_at if started_at is not None else epoch(clock.now())
        self._book: RuleBook | None = None
        self._book_version = -1
        self._calendar_rules: list[AlertRule] = []
        self._by_id: dict[int, AlertRule] = {}
        self._reference_read: tuple[int, _Reference] | None = None

    @property
    def book(self) -> RuleBook | None:
        """The rule book of the last pass (None before the first)."""
        return self._book

    def evaluate(self, conn: sqlite3.Connection) -> list[AlertEvent]:
        """Run every enabled rule over what is new since it last looked; commit fires and
        states together; return the events actually inserted (each (rule, observation) once).
        """
        now = self._clock.now()
        book, calendar = self._rule_book(conn)
        instruments, funds, fx = self._reference(conn)
        since = book.since()
        paths: list[Path | None] = [
            self._path(conn, symbol, instruments[symbol], int(since[row]),
                       funds.get(symbol, Fundamentals((), ())), fx)
            if symbol in instruments else None for row, symbol in enumerate(book.symbols)]
        try:
            fires = [(self._by_id[f.rule_id], f) for f in book.evaluate(Batch(paths))]
            for rule in calendar:
                if rule.symbol in instruments:
                    fires += self._calendar(conn, rule, instruments[rule.symbol], now)
            rows = [self._event_row(conn, rule, instruments[rule.symbol], fire, now)
                    for rule, fire in fires]
            progress = [(book.symbols[row], int(path.complete_through))
                        for row, path in enumerate(paths)
                        if path is not None and path.complete_through is not None]
            states = [(json.dumps(asdict(book.state(i))), int(book.ids[i]))
                      for i in sorted(book.dirty)]
            with transaction(conn):
                ids = alert_repo.insert_events(conn, rows)
                alert_repo.save_states(conn, states)
                alert_repo.save_progress(conn, progress)
            book.dirty.clear()
        except BaseException:
            self._book = None  # memory may be ahead of the database: reload next time
            raise
        return [AlertEvent.from_row(r) for r in alert_repo.events(conn, ids)] if ids \
            else []

    def _reference(self, conn: sqlite3.Connection) -> _Reference:
        """Instruments, fundamentals and FX, read again only when a reference fact changed."""
        version = reference_repo.version(conn)
        if self._reference_read is None or self._reference_read[0] != version:
            self._reference_read = (version, (reference_store.instruments(conn),
                                              reference_store.all_fundamentals(conn),
                                              reference_store.fx_table(conn)))
        return self._reference_read[1]

    def _rule_book(self, conn: sqlite3.Connection) -> tuple[RuleBook, list[AlertRule]]:
        """Enabled rules as a RuleBook (price-driven) and a list (calendar), kept while no rule
        changes (a trigger counts every change by any connection)."""
        version = alert_repo.rules_version(conn)
        if self._book is None or self._book_version != version:
            loaded = [rule_from_row(row)
                      for row in alert_repo.rules(conn, enabled_only=True)]
            book = RuleBook([(r, s) for r, s in loaded if r.kind in PRICE_DRIVEN])
            row = {symbol: i for i, symbol in enumerate(book.symbols)}
            for symbol, ts in alert_repo.progress(conn):
                if symbol in row:
                    book.advance(row[symbol], ts)
            self._book, self._book_version = book, version
            self._calendar_rules = [r for r, _ in loaded if r.kind not in PRICE_DRIVEN]
            self._by_id = {int(r.id or 0): r for r, _ in loaded}
        return self._book, self._calendar_rules

    def _calendar(self, conn: sqlite3.Connection, rule: AlertRule, ins: Instrument,
                  now: dt.datetime) -> list[tuple[AlertRule, Fire]]:
        """Lock-up and stale-feed rules: one fire per lock-up, one per stale episode."""
        assert rule.id is not None
        if rule.expires_at is not None and now.timestamp() > rule.expires_at:
            return []
        fired = []
        if rule.kind in DAYS_BEFORE:
            today = local_date(epoch(now), ins.timezone)
            for day in self._event_days(conn, rule):
                days = analytics.days_until(day, today)
                if 0 <= days <= rule.level:
                    fired.append((rule, Fire(rule.id, daily_bar_ts(day, ins.timezone),
                                             float(days), 1)))
        elif rule.kind == RuleKind.FEED_STALE:
            quote = market_repo.latest_quote(conn, rule.symbol)
            if quote is not None and self._market.phase(now) == Phase.OPEN:
                # trading minutes: the lunch break and the night do not make a quote stale
                minutes = self._market.trading_seconds(
                    dt.datetime.fromtimestamp(quote["ts"], dt.UTC), now) / 60
                if minutes > rule.level:
                    fired.append((rule, Fire(rule.id, int(quote["ts"]), minutes, 1)))
        return fired

    def _event_days(self, conn: sqlite3.Connection, rule: AlertRule) -> list[dt.date]:
        """The days a days-before rule counts down to: each lock-up's first trading day free,
        or each results date."""
        if rule.kind == RuleKind.RESULTS:
            return [event.day for event in company_events.results_dates(conn, rule.symbol)]
        return [self._market.first_session_on_or_after(lock.first_free_day)
                or lock.first_free_day for lock in reference_store.lockups(conn, rule.symbol)]

    def _path(self, conn: sqlite3.Connection, symbol: str, ins: Instrument, after: int,
              funds: Fundamentals, fx: FxTable) -> Path:
        currency, tz = ins.currency, ins.timezone
        rows = alert_repo.minute_bars_after(conn, symbol, after)
        if not rows:
            empty = np.empty(0)
            return Path(symbol, empty.astype(np.int64), empty, empty, empty, empty.astype(bool),
                        [], empty, float("nan"), empty, empty)
        ts = np.array([r[0] for r in rows], dtype=np.int64)
        hi, lo, close = (np.array([r[i] for r in rows], dtype=float) for i in (1, 2, 3))
        days = [local_date(int(t), tz).isoformat() for t in ts]
        partial = [r[4] for r in rows]
        complete = [int(t) for t, p in zip(ts, partial, strict=True) if not p]
        valid = (np.isfinite(hi) & np.isfinite(lo) & np.isfinite(close) & (lo > 0)
                 & self._in_session(ts, days, symbol))
        prev, shares, factor = self._day_context(conn, symbol, currency, tz, sorted(set(days)),
                                                 funds, fx)
        peak = history.peak_before(conn, symbol, int(ts[0]), tz)
        return Path(symbol, ts, hi, lo, close, valid, days,
                    np.array([prev[d] for d in days]), np.nan if peak is None else peak,
                    np.array([shares[d] for d in days]), np.array([factor[d] for d in days]),
                    max(complete) if complete else int(ts[0]) - 1)

    def _in_session(self, ts: np.ndarray, days: list[str], symbol: str) -> np.ndarray:
        """Bars inside continuous trading or the closing auction; never lunch or night."""
        if not symbol.endswith(".HK"):
            return np.ones(ts.size, dtype=bool)  # other exchanges: trust the feed
        ok = np.zeros(ts.size, dtype=bool)
        for day in set(days):
            session = self._market.session(dt.date.fromisoformat(day))
            if session is None:
                continue
            mask = np.array([d == day for d in days])
            within = (ts >= session.open.timestamp()) & (
                ts < (session.close + AFTER_CLOSE_DELAY).timestamp())
            if session.break_start and session.break_end:
                within &= ~((ts >= session.break_start.timestamp())
                            & (ts < session.break_end.timestamp()))
            ok |= mask & within
        return ok

    def _day_context(self, conn: sqlite3.Connection, symbol: str, currency: str, tz: str,
                     days: list[str], funds: Fundamentals, fx: FxTable
                     ) -> tuple[DayValues, DayValues, DayValues]:
        """Previous close, shares outstanding and the P/S factor for each day (one indexed
        read a day: the history before it is never scanned)."""
        prev, shares, factor = {}, {}, {}
        for day in days:
            date = dt.date.fromisoformat(day)
            close = market_repo.close_before(conn, symbol, midnight(date, tz))
            prev[day] = np.nan if close is None else close
            try:  # point in time: only figures published by that day
                count = valuation.shares_on(funds.shares, date).shares
                shares[day] = float(count)
                revenue = valuation.revenue_on(funds.revenue, date, "fy")
                if revenue is None:
                    raise MissingDataError(f"no annual revenue published by {day}")
                rate = fx.quote(currency, revenue.amount.currency, date)
                factor[day] = valuation.price_to_sales(Money(1.0, currency), revenue, rate).value
            except MissingDataError:
                shares.setdefault(day, np.nan)
                factor[day] = np.nan
        return prev, shares, factor

    def _event_row(self, conn: sqlite3.Connection, rule: AlertRule, ins: Instrument, fire: Fire,
                   now: dt.datetime) -> dict[str, Any]:
        currency = ins.currency
        when = from_epoch(fire.ts, ins.timezone).strftime("%Y-%m-%d %H:%M %Z")
        if rule.kind == RuleKind.LOCKUP:
            what = f"lock-up expires {local_date(fire.ts, ins.timezone).isoformat()} " \
                   f"(in {int(fire.value)} d)"
        elif rule.kind == RuleKind.RESULTS:
            what = f"results due {local_date(fire.ts, ins.timezone).isoformat()} " \
                   f"(in {int(fire.value)} d)"
        elif rule.kind == RuleKind.FEED_STALE:
            what = f"no new price for {fire.value:.0f} min (last {when})"
        elif rule.kind in (RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PRICE_CROSS,
                           RuleKind.TARGET):
            verb = "reached" if fire.direction > 0 else "fell to"
            what = f"{verb} {fmt.price_money(Money(fire.value, currency))} at {when}"
        elif rule.kind == RuleKind.PCT_MOVE:
            what = f"moved {fmt.percent(fire.value / 100.0, decimals=2)} since the previous " \
                   f"close at {when}"
        elif rule.kind == RuleKind.DRAWDOWN:
            what = f"{fmt.percent(fire.value / 100.0)} from its peak at {when}"
        elif rule.kind == RuleKind.MARKET_CAP:
            what = f"market cap {fmt.compact_money(Money(fire.value, currency))} at {when}"
        else:
            what = f"P/S {fire.value:,.1f}x at {when}"
        closed = fire.ts < self._started_at and rule.kind in PRICE_DRIVEN
        message = f"{rule.symbol} {what} — {rule.describe(currency, with_symbol=False)}"
        if rule.note:
            message += f" ({rule.note})"
        if closed:
            message += f" [{CLOSED_LABEL}]"
        return {"rule_id": rule.id, "symbol": rule.symbol, "observed_ts": fire.ts,
                "fired_at": epoch(now), "value": fire.value,
                "rule_text": rule.describe(currency), "message": message,
                "source": self._source(conn, rule.symbol, fire.ts), "while_closed": int(closed)}

    def _source(self, conn: sqlite3.Connection, symbol: str, ts: int) -> str:
        row = conn.execute("SELECT source FROM bars WHERE symbol = ? AND ts = ? LIMIT 1",
                                 [symbol, ts]).fetchone()
        return row[0] if row else "calendar"
