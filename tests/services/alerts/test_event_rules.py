"""Rules that fire N days before each dated event: results dates and lock-up expiries."""

from __future__ import annotations

import sqlite3

import pytest

from services.alerts.evaluation import AlertEvaluator
from services.alerts.rules import AlertRule, RuleError, RuleKind
from services.alerts.service import AlertService
from services.core.clock import FixedClock
from services.market.calendar import MarketClock
from tests.conftest import hkt


def test_three_days_before_each_results_date(app_db: sqlite3.Connection) -> None:
    """MiniMax's FY2025 results came out on 2026-03-02 (bundled, publication date known)."""
    market = MarketClock()
    clock = FixedClock(hkt(2026, 2, 26, 10, 0))  # 4 days before
    service = AlertService(app_db, clock, market)
    rule_id = service.preset_results("0100.HK", 3)
    evaluator = AlertEvaluator(clock, market, 0)
    assert evaluator.evaluate(app_db) == []
    clock.set(hkt(2026, 2, 27, 9, 0))  # 3 days before
    [event] = evaluator.evaluate(app_db)
    assert event.rule_id == rule_id and event.value == 3
    assert event.message == ("0100.HK results due 2026-03-02 (in 3 d) — results date within "
                             "3 days (3 days before each results date)")  # the symbol once
    clock.set(hkt(2026, 3, 1, 9, 0))
    assert evaluator.evaluate(app_db) == []  # once per results date
    assert service.preset_results("2513.HK", 3)  # no known results date yet: never fires
    clock.set(hkt(2026, 3, 2, 9, 0))
    assert evaluator.evaluate(app_db) == []


def test_n_days_before_each_lockup_expiry(app_db: sqlite3.Connection) -> None:
    market = MarketClock()
    clock = FixedClock(hkt(2026, 12, 28, 10, 0))  # 11 days before Zhipu's 2027-01-08
    AlertService(app_db, clock, market).preset_lockups("2513.HK", 10)
    evaluator = AlertEvaluator(clock, market, 0)
    assert evaluator.evaluate(app_db) == []
    clock.set(hkt(2026, 12, 29, 10, 0))
    [event] = evaluator.evaluate(app_db)
    assert event.value == 10 and "lock-up expires 2027-01-08" in event.message


def test_days_before_must_be_whole_days(app_db: sqlite3.Connection, clock: FixedClock) -> None:
    service = AlertService(app_db, clock, MarketClock())
    with pytest.raises(RuleError, match="Days before a results date"):
        service.add_rule(AlertRule("0100.HK", RuleKind.RESULTS, 2.5))
