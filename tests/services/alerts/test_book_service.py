"""The poller keeps its rule book in memory between polls: it must follow rule changes made on
other connections and write back only what a poll changed."""

from __future__ import annotations

import json
import sqlite3

from services.alerts.rules import AlertRule, Direction, RuleKind
from services.alerts.service import AlertService
from services.app.poll_cycle import PollCycle
from services.core.clock import FixedClock
from services.market.calendar import MarketClock


def test_book_follows_other_connections_and_writes_back_only_changes(
    cycle: PollCycle, app_db: sqlite3.Connection, clock: FixedClock,
) -> None:
    cycle.run()  # backfill; the poller's book is built (no rules yet)
    last = app_db.execute("SELECT price FROM quotes WHERE symbol = '2513.HK'").fetchone()[0]
    ui = AlertService(app_db, clock, MarketClock())  # the window's own connection
    far = ui.add_rule(AlertRule("2513.HK", RuleKind.PRICE_ABOVE, last * 3))
    near = ui.add_rule(AlertRule("2513.HK", RuleKind.PRICE_CROSS, last * 0.5, Direction.DOWN))
    stored = {r: app_db.execute("SELECT state FROM alert_rules WHERE id = ?", [r]).fetchone()[0]
              for r in (far, near)}

    clock.advance(300)
    cycle.run()
    progress = dict(app_db.execute("SELECT symbol, last_ts FROM alert_progress").fetchall())
    assert progress["2513.HK"] > json.loads(stored[far])["last_ts"]
    # neither rule could change this poll: their rows were not rewritten
    for rule_id, state in stored.items():
        assert app_db.execute("SELECT state FROM alert_rules WHERE id = ?",
                              [rule_id]).fetchone()[0] == state

    ui.update_rule(near, AlertRule("2513.HK", RuleKind.PRICE_ABOVE, last * 0.5))
    clock.advance(300)
    fired = cycle.run().events
    assert [e.rule_id for e in fired] == [near]  # the edit reached the poller's book
    ui.set_enabled(near, False)
    ui.remove_rule(far)
    clock.advance(300)
    assert cycle.run().events == ()


def test_event_texts_say_each_figure_in_its_unit(cycle: PollCycle, app_db: sqlite3.Connection,
                                                 clock: FixedClock) -> None:
    """One currency notation (HK$), the symbol once, and a drawdown or cap in its own unit."""
    cycle.run()
    last = app_db.execute("SELECT price FROM quotes WHERE symbol = '2513.HK'").fetchone()[0]
    service = AlertService(app_db, clock, MarketClock())
    service.add_rule(AlertRule("2513.HK", RuleKind.PRICE_ABOVE, round(last * 0.5)))
    service.add_rule(AlertRule("2513.HK", RuleKind.DRAWDOWN, 1))
    service.add_rule(AlertRule("2513.HK", RuleKind.MARKET_CAP, 1e9))
    clock.advance(300)
    messages = sorted(e.message for e in cycle.run().events)
    assert len(messages) == 3, messages
    for message in messages:
        assert message.count("2513.HK") == 1 and "HKD" not in message
    price, drawdown, cap = (next(m for m in messages if word in m)
                            for word in ("price above", "from its peak", "market cap HK$"))
    assert "reached HK$" in price and f"price above HK${round(last * 0.5):,}" in price
    assert "%" in drawdown and "bn" in cap
