"""Alert rules and events for the window and the command line: add, edit, enable, remove,
presets, the log and its unread count."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, replace
from functools import cached_property
from typing import TYPE_CHECKING

from db import alert_repo, market_repo
from db.connection import transaction
from services.alerts.records import AlertEvent, rule_from_row, rule_row
from services.alerts.rules import (
    AlertRule,
    Direction,
    RuleKind,
    RuleState,
    validate,
)
from services.core.analytics import current_targets
from services.core.clock import Clock, epoch
from services.market.calendar import MarketClock
from services.reference import store as reference_store

if TYPE_CHECKING:
    from services.alerts.evaluation import AlertEvaluator


class AlertService:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, market: MarketClock,
                 started_at: int | None = None):
        self._conn = conn
        self._clock = clock
        self._market = market
        self._started_at = started_at if started_at is not None else epoch(clock.now())

    # -- rules ---------------------------------------------------------------------------------
    def known_symbols(self) -> set[str]:
        return set(reference_store.instruments(self._conn))

    def currencies(self) -> dict[str, str]:
        """Each symbol's trading currency (rules name their levels in it)."""
        return {symbol: ins.currency
                for symbol, ins in reference_store.instruments(self._conn).items()}

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
        return alert_repo.insert_rule(self._conn, rule_row(rule, state, epoch(self._clock.now())))

    def update_rule(self, rule_id: int, rule: AlertRule) -> None:
        validate(rule, self._clock.now(), self.known_symbols())
        rule, state = self._fresh(rule)
        with transaction(self._conn):
            if not alert_repo.update_rule(self._conn, rule_id, rule_row(rule, state, 0)):
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

    def rearm(self, rule_id: int) -> None:
        """A rule that fired (a "once" rule is done then) watches again from now, as if new:
        enabled, armed, what is stored already is history."""
        row = alert_repo.rule(self._conn, rule_id)
        if row is None:
            raise KeyError(f"no alert rule {rule_id}")
        rule, state = self._fresh(replace(rule_from_row(row)[0], enabled=True))
        with transaction(self._conn):
            alert_repo.update_rule(self._conn, rule_id, rule_row(rule, state, 0))

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
        """One rule per broker's current target (an older one it superseded gets none): fire
        when the price reaches it (within band_pct)."""
        last = self._last_close(symbol)
        ids = []
        for target in current_targets(reference_store.targets(self._conn, symbol)):
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

    def preset_results(self, symbol: str, days: int = 3) -> int:
        """One rule that fires once per results date, `days` before it."""
        return self.add_rule(AlertRule(symbol, RuleKind.RESULTS, float(days),
                                       note=f"{days} days before each results date"))

    def _last_close(self, symbol: str) -> float | None:
        bars = market_repo.last_daily_bars(self._conn, symbol, 1)
        return float(bars[0]["close"]) if bars else None

    # -- events --------------------------------------------------------------------------------
    def events(self, limit: int = 1000) -> list[AlertEvent]:
        return [AlertEvent.from_row(r) for r in alert_repo.events(self._conn, limit=limit)]

    def acknowledge(self, ids: list[int]) -> None:
        with transaction(self._conn):
            alert_repo.acknowledge(self._conn, ids)

    def delete_events(self, ids: list[int]) -> None:
        """Alerts the trader no longer wants in the log (their rules stay as they are)."""
        with transaction(self._conn):
            alert_repo.delete_events(self._conn, ids)

    def unread_count(self) -> int:
        return alert_repo.unread_count(self._conn)

    def evaluate(self) -> list[AlertEvent]:
        """One evaluation pass on this service's connection (the CLI and tests; the poll cycle
        keeps its own evaluator across polls)."""
        return self._evaluator.evaluate(self._conn)

    @cached_property
    def _evaluator(self) -> AlertEvaluator:
        """Built on the first pass: the window never evaluates on its own connection, so it
        starts without the engine and numpy."""
        from services.alerts.evaluation import AlertEvaluator

        return AlertEvaluator(self._clock, self._market, self._started_at)
