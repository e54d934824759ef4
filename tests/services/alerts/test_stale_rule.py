"""The stale-feed rule counts trading minutes: the lunch break does not make a quote stale."""

from __future__ import annotations

import sqlite3

from db.connection import transaction
from services.alerts.evaluation import AlertEvaluator
from services.alerts.rules import AlertRule, RuleKind
from services.alerts.service import AlertService
from services.core.clock import FixedClock, epoch
from services.market.calendar import MarketClock
from tests.conftest import hkt


def test_a_quote_from_before_lunch_is_stale_only_after_enough_trading_minutes(
    app_db: sqlite3.Connection,
) -> None:
    market = MarketClock()
    clock = FixedClock(hkt(2026, 11, 23, 11, 0))
    rule_id = AlertService(app_db, clock, market).add_rule(
        AlertRule("2513.HK", RuleKind.FEED_STALE, 20))
    last = epoch(hkt(2026, 11, 23, 11, 59))
    with transaction(app_db):
        app_db.execute("INSERT INTO quotes (symbol, price, currency, ts, source, fetched_at) "
                       "VALUES ('2513.HK', 905.0, 'HKD', ?, 'yahoo', ?)", [last, last])
    evaluator = AlertEvaluator(clock, market, 0)
    clock.set(hkt(2026, 11, 23, 13, 10))  # 71 wall-clock minutes, 11 trading minutes
    assert evaluator.evaluate(app_db) == []
    clock.set(hkt(2026, 11, 23, 13, 25))  # 26 trading minutes
    [event] = evaluator.evaluate(app_db)
    assert event.rule_id == rule_id and round(event.value) == 26
