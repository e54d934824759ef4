"""The evaluation pass after each poll: every enabled rule over what is new since it last looked.

Runs on the poll worker's connection right after a poll commits. Fires and rule states commit
together in one transaction, so the event exists before anyone is notified and a restart neither
re-fires nor forgets. The rule book (numpy arrays) lives as long as the evaluator and is rebuilt
only when a rule changes (a trigger counts every change, from any connection).

Under a poll cycle a pass that fires nothing writes nothing: rule states that changed without
a fire (a side of the level, a re-arm) and each symbol's progress mark are held and written
with the next write — a fire, the next poll's own transaction (`write_held`), the cycle's end,
or after PROGRESS_EVERY_S at the latest (other callers write changed states at once). Nothing
held ever overwrites a rule edited meanwhile. States and marks are always written together, so a
restart starts from one consistent point and looks at the bars after it again, and a fire
stored already is never stored twice (a minute seen while still trading is final by then, so
a state may come out as the final bars have it).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np

from db import alert_repo, market_repo
from db.connection import transaction
from services.alerts.engine import Fire, RuleBook
from services.alerts.observations import Observations
from services.alerts.records import AlertEvent, rule_from_row
from services.alerts.rules import (
    DAYS_BEFORE,
    PRICE_DRIVEN,
    AlertRule,
    RuleKind,
)
from services.core import analytics
from services.core import formatting as fmt
from services.core.clock import Clock, daily_bar_ts, epoch, from_epoch, local_date
from services.core.fx import FxTable
from services.core.models import Fundamentals, Instrument, Money
from services.market.calendar import MarketClock, Phase
from services.market.feed_types import BarsWritten
from services.reference import company_events
from services.reference import store as reference_store

CLOSED_LABEL = "while HarbourWatch was closed"
PROGRESS_EVERY_S = 300
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
        self._observations = Observations(market)
        # per book row: the progress mark reached and the one stored; when it was last stored
        self._reached = self._stored = np.zeros(0, dtype=np.int64)
        self._stored_at = 0

    @property
    def book(self) -> RuleBook | None:
        """The rule book of the last pass (None before the first)."""
        return self._book

    def evaluate(self, conn: sqlite3.Connection, written: BarsWritten | None = None
                 ) -> list[AlertEvent]:
        """Run every enabled rule over what is new since it last looked; commit fires with what
        is held; return the events actually inserted (each (rule, observation) once).

        `written`: what the poll just before changed on `conn`, so it need not be read back.
        A caller that passes it is a poll cycle: its polls write what this holds (`write_held`
        as the poller's AlsoWrite) and it calls `flush` when it ends.
        """
        now = self._clock.now()
        rules_version, reference_version, data_version = alert_repo.pass_versions(conn)
        book, calendar = self._rule_book(conn, rules_version)
        instruments, funds, fx = self._reference(conn, reference_version)
        try:
            batch = self._observations.batch(conn, book.symbols, book.since(), instruments,
                                             funds, fx, reference_version, written,
                                             data_version)
            fires = [(self._by_id[f.rule_id], f) for f in book.evaluate(batch)]
            for rule in calendar:
                if rule.symbol in instruments:
                    fires += self._calendar(conn, rule, instruments[rule.symbol], now)
            rows = [self._event_row(conn, rule, instruments[rule.symbol], fire, now)
                    for rule, fire in fires]
            np.maximum(self._reached, batch.done, out=self._reached)
            ids: list[int] = []
            if rows or (book.dirty and written is None) or self._due(epoch(now)):
                with transaction(conn):
                    ids = alert_repo.insert_events(conn, rows)
                    stored = self._write_held(conn, epoch(now))
                stored()
            self._observations.committed(conn)
        except BaseException:
            self._book = None  # memory may be ahead of the database: reload (and reset) next time
            raise
        return [AlertEvent.from_row(r) for r in alert_repo.events(conn, ids)] if ids \
            else []

    def write_held(self, conn: sqlite3.Connection) -> Callable[[], None]:
        """The poller's AlsoWrite: the rule states held, with the progress marks, in the poll's
        transaction (progress alone only once due)."""
        book, now = self._book, epoch(self._clock.now())
        if book is None or not (book.dirty or self._due(now)):
            return lambda: None
        return self._write_held(conn, now)

    def flush(self, conn: sqlite3.Connection) -> None:
        """Write everything held now (the poll cycle ends)."""
        if not self._holds():
            return
        with transaction(conn):
            stored = self._write_held(conn, epoch(self._clock.now()))
        stored()

    def _holds(self) -> bool:
        """A changed rule state or progress not written yet."""
        return self._book is not None and (
            bool(self._book.dirty) or bool((self._reached > self._stored).any()))

    def _due(self, now: int) -> bool:
        """Something held for PROGRESS_EVERY_S (a poll cycle rate-limited for long, or one
        whose passes change only progress): write it now."""
        return self._holds() and now - self._stored_at >= PROGRESS_EVERY_S

    def _write_held(self, conn: sqlite3.Connection, now: int) -> Callable[[], None]:
        """Inside the caller's transaction: the changed rule states and the progress marks;
        returns what to call once it has committed. Nothing is written when a rule changed
        since the rule book was read (its edit has reset its state): the book is read again,
        and the bars after the stored marks looked at again."""
        book = self._book
        assert book is not None
        try:
            if alert_repo.pass_versions(conn)[0] != self._book_version:
                self._book = None
                return lambda: None
            moved = np.flatnonzero(self._reached > self._stored)
            alert_repo.save_states(conn, [(json.dumps(asdict(book.state(i))), int(book.ids[i]))
                                          for i in sorted(book.dirty)])
            alert_repo.save_progress(conn, [(book.symbols[i], int(self._reached[i]))
                                            for i in moved])
        except BaseException:
            self._book = None  # what the transaction held is gone: read the book again
            raise
        reached = self._reached.copy()

        def stored() -> None:
            book.dirty.clear()
            self._stored, self._stored_at = reached, now

        return stored

    def _reference(self, conn: sqlite3.Connection, version: int) -> _Reference:
        """Instruments, fundamentals and FX, read again only when a reference fact changed."""
        if self._reference_read is None or self._reference_read[0] != version:
            self._reference_read = (version, (reference_store.instruments(conn),
                                              reference_store.all_fundamentals(conn),
                                              reference_store.fx_table(conn)))
        return self._reference_read[1]

    def _rule_book(self, conn: sqlite3.Connection, version: int
                   ) -> tuple[RuleBook, list[AlertRule]]:
        """Enabled rules as a RuleBook (price-driven) and a list (calendar), kept while no rule
        changes (a trigger counts every change by any connection)."""
        if self._book is None or self._book_version != version:
            loaded = [rule_from_row(row)
                      for row in alert_repo.rules(conn, enabled_only=True)]
            book = RuleBook([(r, s) for r, s in loaded if r.kind in PRICE_DRIVEN])
            row = {symbol: i for i, symbol in enumerate(book.symbols)}
            self._stored = np.zeros(len(book.symbols), dtype=np.int64)
            for symbol, ts in alert_repo.progress(conn):
                if symbol in row:
                    book.advance(row[symbol], ts)
                    self._stored[row[symbol]] = ts
            self._reached = self._stored.copy()
            self._observations.reset(book.symbols)
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
