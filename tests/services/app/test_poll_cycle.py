"""The poll cycle end to end, and the rule book it keeps for as long as it lives."""

from __future__ import annotations

import sqlite3

from services.alerts.rules import AlertRule, RuleKind
from services.alerts.service import AlertService
from services.app.poll_cycle import PollCycle
from services.core.clock import FixedClock
from services.market.calendar import MarketClock
from services.market.poller import Poller
from services.watchlists.service import WatchlistService
from services.watchlists.snapshots import WatchlistRow


def test_the_rule_book_is_kept_across_polls_until_a_rule_changes(
    cycle: PollCycle, app_db: sqlite3.Connection, clock: FixedClock,
) -> None:
    AlertService(app_db, clock, MarketClock()).add_rule(
        AlertRule("2513.HK", RuleKind.PRICE_ABOVE, 10_000.0))
    cycle.run()
    book = cycle.evaluator.book if cycle.evaluator else None
    assert book is not None
    for _ in range(3):
        clock.advance(60)
        outcome = cycle.run()
        assert len(outcome.poll.succeeded) == 2 and outcome.events == ()
        assert cycle.evaluator is not None and cycle.evaluator.book is book  # not rebuilt
    AlertService(app_db, clock, MarketClock()).add_rule(
        AlertRule("0100.HK", RuleKind.PRICE_BELOW, 1.0))
    clock.advance(60)
    cycle.run()
    assert cycle.evaluator is not None and cycle.evaluator.book is not book  # a rule changed


def test_the_window_s_cycle_hands_over_the_rows_as_it_left_the_database(
    poller: Poller, app_db: sqlite3.Connection, clock: FixedClock,
) -> None:
    """The rows the worker builds are the rows the window would build itself; a poll that
    changed nothing rebuilds none."""
    cycle = PollCycle(poller, clock=clock, prepare_rows=True)

    def handed_over() -> dict[str, WatchlistRow]:
        prepared = cycle.run().rows
        assert prepared is not None
        rows = {symbol: row for symbol, (_, row) in prepared.rows.items()}
        assert rows == {row.symbol: row for row in WatchlistService(app_db, clock).rows()}
        return rows

    first = handed_over()
    again = handed_over()  # the same minute: nothing new
    assert all(again[symbol] is first[symbol] for symbol in first)
    clock.advance(60)
    later = handed_over()
    assert later["0100.HK"].last != first["0100.HK"].last
    assert PollCycle(poller, clock=clock).run().rows is None  # the headless runner's cycle
