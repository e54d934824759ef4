"""Alert rules and events on top of the database, and the evaluation pass after each poll.

Evaluation runs on the poll worker's connection right after a poll commits. Fires and rule
states commit together in one transaction, so the event exists before anyone is notified and a
restart neither re-fires nor forgets.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import asdict, dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from db import alert_repo, market_repo
from db.connection import transaction
from services import analytics, reference_store
from services import formatting as fmt
from services.alert_engine import Batch, Fire, Path, RuleBook
from services.alert_rules import (
    PRICE_DRIVEN,
    AlertRule,
    Direction,
    Policy,
    RuleKind,
    RuleState,
    validate,
)
from services.analytics import FxTable, MissingDataError
from services.clock import Clock, daily_bar_ts, epoch, from_epoch, local_date
from services.market_clock import AFTER_CLOSE_DELAY, MarketClock, Phase
from services.models import Instrument, Money

CLOSED_LABEL = "while HarbourWatch was closed"


@dataclass(frozen=True)
class AlertEvent:
    id: int
    rule_id: int | None
    symbol: str
    observed_ts: int
    fired_at: int
    value: float
    rule_text: str
    message: str
    source: str
    while_closed: bool
    acknowledged: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AlertEvent:
        return cls(row["id"], row["rule_id"], row["symbol"], row["observed_ts"], row["fired_at"],
                   row["value"], row["rule_text"], row["message"], row["source"],
                   bool(row["while_closed"]), bool(row["acknowledged"]))


def rule_from_row(row: sqlite3.Row) -> tuple[AlertRule, RuleState]:
    rule = AlertRule(row["symbol"], RuleKind(row["kind"]), row["level"],
                     Direction(row["direction"]), Policy(row["policy"]), row["hysteresis_pct"],
                     row["cooldown_min"], row["band_pct"], row["expires_at"],
                     bool(row["enabled"]), row["note"], row["id"], row["start_ts"])
    return rule, RuleState(**json.loads(row["state"] or "{}"))


def _rule_row(rule: AlertRule, state: RuleState, now: int) -> dict[str, Any]:
    return {"symbol": rule.symbol, "kind": rule.kind.value, "level": rule.level,
            "direction": rule.direction.value, "policy": rule.policy.value,
            "hysteresis_pct": rule.hysteresis_pct, "cooldown_min": rule.cooldown_min,
            "band_pct": rule.band_pct, "expires_at": rule.expires_at,
            "enabled": int(rule.enabled), "note": rule.note, "start_ts": rule.start_ts,
            "created_at": now, "state": json.dumps(asdict(state))}


class AlertService:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, market: MarketClock,
                 started_at: int | None = None):
        self._conn = conn
        self._clock = clock
        self._market = market
        self._started_at = started_at if started_at is not None else epoch(clock.now())
        self._book: RuleBook | None = None
        self._book_version = -1
        self._calendar_rules: list[AlertRule] = []
        self._by_id: dict[int, AlertRule] = {}

    # -- rules ---------------------------------------------------------------------------------
    def known_symbols(self) -> set[str]:
        return set(reference_store.instruments(self._conn))

    def rules(self) -> list[tuple[AlertRule, RuleState]]:
        return [rule_from_row(row) for row in alert_repo.rules(self._conn)]

    def add_rule(self, rule: AlertRule) -> int:
        """Validate (RuleError explains what is wrong) and store; bars already stored are
        history for the new rule, and a crossing rule starts on the price's current side."""
        validate(rule, self._clock.now(), self.known_symbols())
        with transaction(self._conn):
            return self.insert_valid(rule)

    def insert_valid(self, rule: AlertRule) -> int:
        """Store a validated rule inside the caller's transaction."""
        rule, state = self._fresh(rule)
        return alert_repo.insert_rule(self._conn, _rule_row(rule, state, epoch(self._clock.now())))

    def update_rule(self, rule_id: int, rule: AlertRule) -> None:
        validate(rule, self._clock.now(), self.known_symbols())
        rule, state = self._fresh(rule)
        with transaction(self._conn):
            if not alert_repo.update_rule(self._conn, rule_id, _rule_row(rule, state, 0)):
                raise KeyError(f"no alert rule {rule_id}")

    def duplicate(self, rule_id: int) -> int:
        row = alert_repo.rule(self._conn, rule_id)
        if row is None:
            raise KeyError(f"no alert rule {rule_id}")
        return self.add_rule(replace(rule_from_row(row)[0], id=None))

    def set_enabled(self, rule_id: int, enabled: bool) -> None:
        """Enabling also lifts a storm-breaker pause."""
        row = alert_repo.rule(self._conn, rule_id)
        if row is None:
            raise KeyError(f"no alert rule {rule_id}")
        _, state = rule_from_row(row)
        state.paused = False
        state.recent_fires = []
        with transaction(self._conn):
            alert_repo.update_rule(self._conn, rule_id, {"enabled": int(enabled),
                                                         "state": json.dumps(asdict(state))})

    def remove_rule(self, rule_id: int) -> None:
        with transaction(self._conn):
            if not alert_repo.delete_rule(self._conn, rule_id):
                raise KeyError(f"no alert rule {rule_id}")

    def _fresh(self, rule: AlertRule) -> tuple[AlertRule, RuleState]:
        last = alert_repo.last_live_minute_bar(self._conn, rule.symbol)
        rule = replace(rule, start_ts=int(last[0]) if last else epoch(self._clock.now()))
        state = RuleState(last_ts=rule.start_ts)
        if last and rule.kind == RuleKind.PRICE_CROSS and last[1] != rule.threshold():
            state.side = 1 if last[1] > rule.threshold() else -1
        return rule, state

    def preset_targets(self, symbol: str, band_pct: float = 0.0) -> list[int]:
        """One rule per analyst target: fire when the price reaches it (within band_pct)."""
        last = self._last_close(symbol)
        ids = []
        for target in reference_store.targets(self._conn, symbol):
            direction = Direction.UP if last is None or target.price.amount >= last else \
                Direction.DOWN
            ids.append(self.add_rule(AlertRule(
                symbol, RuleKind.TARGET, target.price.amount, direction, band_pct=band_pct,
                note=f"{target.broker} {target.date.isoformat()} target")))
        return ids

    def preset_lockups(self, symbol: str, days: int = 30) -> int:
        """One rule that fires once per lock-up, `days` before it expires."""
        return self.add_rule(AlertRule(symbol, RuleKind.LOCKUP, float(days),
                                       note=f"{days} days before each lock-up expiry"))

    def _last_close(self, symbol: str) -> float | None:
        bars = market_repo.last_daily_bars(self._conn, symbol, 1)
        return float(bars[0]["close"]) if bars else None

    # -- events --------------------------------------------------------------------------------
    def events(self, limit: int = 1000) -> list[AlertEvent]:
        return [AlertEvent.from_row(r) for r in alert_repo.events(self._conn, limit=limit)]

    def acknowledge(self, ids: list[int]) -> None:
        with transaction(self._conn):
            alert_repo.acknowledge(self._conn, ids)

    def unread_count(self) -> int:
        return alert_repo.unread_count(self._conn)

    # -- evaluation ----------------------------------------------------------------------------
    def evaluate(self) -> list[AlertEvent]:
        """Run every enabled rule over what is new since it last looked; commit fires and
        states together; return the events actually inserted (each (rule, observation) once).
        """
        now = self._clock.now()
        book, calendar = self._rule_book()
        instruments = reference_store.instruments(self._conn)
        since = book.since()
        paths: list[Path | None] = [
            self._path(symbol, instruments[symbol], int(since[row]))
            if symbol in instruments else None for row, symbol in enumerate(book.symbols)]
        try:
            fires = [(self._by_id[f.rule_id], f) for f in book.evaluate(Batch(paths))]
            for rule in calendar:
                if rule.symbol in instruments:
                    fires += self._calendar(rule, instruments[rule.symbol], now)
            rows = [self._event_row(rule, instruments[rule.symbol], fire, now)
                    for rule, fire in fires]
            progress = [(book.symbols[row], int(path.complete_through))
                        for row, path in enumerate(paths)
                        if path is not None and path.complete_through is not None]
            states = [(json.dumps(asdict(book.state(i))), int(book.ids[i]))
                      for i in sorted(book.dirty)]
            with transaction(self._conn):
                ids = alert_repo.insert_events(self._conn, rows)
                alert_repo.save_states(self._conn, states)
                alert_repo.save_progress(self._conn, progress)
            book.dirty.clear()
        except BaseException:
            self._book = None  # memory may be ahead of the database: reload next time
            raise
        return [AlertEvent.from_row(r) for r in alert_repo.events(self._conn, ids)] if ids \
            else []

    def _rule_book(self) -> tuple[RuleBook, list[AlertRule]]:
        """Enabled rules as a RuleBook (price-driven) and a list (calendar), kept while no rule
        changes (a trigger counts every change by any connection)."""
        version = alert_repo.rules_version(self._conn)
        if self._book is None or self._book_version != version:
            loaded = [rule_from_row(row)
                      for row in alert_repo.rules(self._conn, enabled_only=True)]
            book = RuleBook([(r, s) for r, s in loaded if r.kind in PRICE_DRIVEN])
            row = {symbol: i for i, symbol in enumerate(book.symbols)}
            for symbol, ts in alert_repo.progress(self._conn):
                if symbol in row:
                    book.advance(row[symbol], ts)
            self._book, self._book_version = book, version
            self._calendar_rules = [r for r, _ in loaded if r.kind not in PRICE_DRIVEN]
            self._by_id = {int(r.id or 0): r for r, _ in loaded}
        return self._book, self._calendar_rules

    def _calendar(self, rule: AlertRule, ins: Instrument, now: dt.datetime
                  ) -> list[tuple[AlertRule, Fire]]:
        """Lock-up and stale-feed rules: one fire per lock-up, one per stale episode."""
        assert rule.id is not None
        if rule.expires_at is not None and now.timestamp() > rule.expires_at:
            return []
        fired = []
        if rule.kind == RuleKind.LOCKUP:
            today = now.astimezone(ZoneInfo(ins.timezone)).date()
            for lock in reference_store.lockups(self._conn, rule.symbol):
                days = analytics.days_until(lock.first_free_day, today)
                if 0 <= days <= rule.level:
                    fired.append((rule, Fire(rule.id, daily_bar_ts(lock.first_free_day,
                                                                   ins.timezone),
                                             float(days), 1)))
        elif rule.kind == RuleKind.FEED_STALE:
            quote = market_repo.latest_quote(self._conn, rule.symbol)
            if (quote is not None and self._market.phase(now) == Phase.OPEN
                    and now.timestamp() - quote["ts"] > rule.level * 60):
                minutes = (now.timestamp() - quote["ts"]) / 60
                fired.append((rule, Fire(rule.id, int(quote["ts"]), minutes, 1)))
        return fired

    def _path(self, symbol: str, ins: Instrument, after: int) -> Path:
        currency, tz = ins.currency, ins.timezone
        rows = alert_repo.minute_bars_after(self._conn, symbol, after)
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
        prev, shares, factor = self._day_context(symbol, currency, tz, sorted(set(days)))
        peak = market_repo.peak_before(self._conn, symbol, int(ts[0]))
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

    def _day_context(self, symbol: str, currency: str, tz: str, days: list[str]
                     ) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """Previous close, shares outstanding and the P/S factor for each day."""
        daily = self._conn.execute(
            "SELECT ts, close FROM bars WHERE symbol = ? AND interval = '1d' AND "
            "source != 'reference' AND close IS NOT NULL ORDER BY ts", [symbol]).fetchall()
        funds = reference_store.fundamentals(self._conn, symbol)
        fx = FxTable(reference_store.fx_rates(self._conn))
        prev, shares, factor = {}, {}, {}
        for day in days:
            date = dt.date.fromisoformat(day)
            before = [c for t, c in daily if local_date(t, tz) < date]
            prev[day] = float(before[-1]) if before else np.nan
            try:
                count = analytics.shares_on(funds.shares, date).shares
                shares[day] = float(count)
                revenue = analytics.latest_revenue(funds.revenue, "annual", date)
                ps_per_cap = analytics.price_to_sales(Money(1.0, currency), revenue, fx, date)
                factor[day] = ps_per_cap
            except MissingDataError:
                shares.setdefault(day, np.nan)
                factor[day] = np.nan
        return prev, shares, factor

    def _event_row(self, rule: AlertRule, ins: Instrument, fire: Fire, now: dt.datetime
                   ) -> dict[str, Any]:
        currency = ins.currency
        when = from_epoch(fire.ts, ins.timezone).strftime("%Y-%m-%d %H:%M %Z")
        if rule.kind == RuleKind.LOCKUP:
            what = f"lock-up expires {local_date(fire.ts, ins.timezone).isoformat()} " \
                   f"(in {int(fire.value)} d)"
        elif rule.kind == RuleKind.FEED_STALE:
            what = f"no new price for {fire.value:.0f} min (last {when})"
        elif rule.kind in (RuleKind.PRICE_ABOVE, RuleKind.PRICE_BELOW, RuleKind.PRICE_CROSS,
                           RuleKind.TARGET):
            verb = "reached" if fire.direction > 0 else "fell to"
            what = f"{verb} {fmt.money(Money(fire.value, currency))} at {when}"
        else:
            what = f"{rule.kind} at {fire.value:,.2f} at {when}"
        closed = fire.ts < self._started_at and rule.kind in PRICE_DRIVEN
        message = f"{rule.symbol} {what} — {rule.describe(currency)}"
        if rule.note:
            message += f" ({rule.note})"
        if closed:
            message += f" [{CLOSED_LABEL}]"
        return {"rule_id": rule.id, "symbol": rule.symbol, "observed_ts": fire.ts,
                "fired_at": epoch(now), "value": fire.value,
                "rule_text": rule.describe(currency), "message": message,
                "source": self._source(rule.symbol, fire.ts), "while_closed": int(closed)}

    def _source(self, symbol: str, ts: int) -> str:
        row = self._conn.execute("SELECT source FROM bars WHERE symbol = ? AND ts = ? LIMIT 1",
                                 [symbol, ts]).fetchone()
        return row[0] if row else "calendar"
