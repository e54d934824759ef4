"""The poll cycle end to end, and the rule book it keeps for as long as it lives."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from dataclasses import asdict, replace

import pytest

from db import alert_repo
from db.connection import open_connection
from services.alerts.engine import RuleBook
from services.alerts.evaluation import PROGRESS_EVERY_S, AlertEvaluator
from services.alerts.records import AlertEvent, rule_from_row
from services.alerts.rules import AlertRule, Direction, Policy, RuleKind
from services.alerts.service import AlertService
from services.app.poll_cycle import PollCycle
from services.core.clock import FixedClock, epoch
from services.market.calendar import MarketClock
from services.market.feed_types import BarsWritten
from services.market.fetching import PollCancelledError
from services.market.poller import Poller
from services.watchlists.service import WatchlistService
from services.watchlists.snapshots import WatchlistRow
from tests.fake_yahoo import FakeYahoo


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


def test_the_pass_reads_no_bar_back_and_holds_quiet_state_changes_for_the_next_poll(
    cycle: PollCycle, app_db: sqlite3.Connection, clock: FixedClock, fake_yahoo: FakeYahoo,
) -> None:
    """A pass that fires nothing builds from what the poll changed (no statement reads a
    bar) and writes nothing: a rule state that moved without a fire is written in the next
    poll's transaction. At every moment a restart from what is stored fires nothing twice. A
    rule edited meanwhile keeps its edit's state."""
    service = rearming_rules(app_db, clock, fake_yahoo)
    evaluator = cycle.evaluator
    assert evaluator is not None
    evaluate, quiet = evaluator.evaluate, []
    held: dict[int, dict] = {}  # rule id: its state the last pass held back
    times_held = 0

    def traced(conn: sqlite3.Connection, written: BarsWritten | None = None
               ) -> list[AlertEvent]:
        stored = stored_states(app_db)
        assert all(stored[rule_id] == state for rule_id, state in held.items())  # the poll's
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        before = conn.total_changes
        try:
            events = evaluate(conn, written)
        finally:
            conn.set_trace_callback(None)
        reads = [sql for sql in statements if re.search(r"\bbars\b", sql)]
        if not any(sql.startswith("SELECT source FROM bars") for sql in reads):  # no fire
            quiet.append((conn.total_changes - before, reads))
        return events

    evaluator.evaluate = traced  # type: ignore[method-assign]
    for _ in range(40):
        cycle.run()
        book = evaluator.book
        assert book is not None
        held = {int(book.ids[i]): asdict(book.state(i)) for i in book.dirty}
        times_held += bool(held)
        assert not held or quiet[-1][0] == 0  # the pass that held them wrote nothing
        assert_a_restart_fires_nothing_again(app_db, clock)
        clock.advance(60)
    assert times_held >= 3 and len(quiet) > 20
    assert all(reads == [] for _, reads in quiet[3:])  # after the first reads
    assert sum(wrote > 0 for wrote, _ in quiet) <= 40 * 60 // PROGRESS_EVERY_S + 1

    book = evaluator.book
    assert book is not None
    if not book.dirty:  # hold a change back again, to see an edit win over it
        book.dirty.add(0)
    rule_id = int(book.ids[min(book.dirty)])
    rule = rule_from_row(alert_repo.rule(app_db, rule_id))[0]  # type: ignore[arg-type]
    service.update_rule(rule_id, replace(rule, hysteresis_pct=0.3))
    edited = alert_repo.rule(app_db, rule_id)["state"]  # type: ignore[index]
    cycle.close()  # writes what is held, unless a rule changed meanwhile
    assert alert_repo.rule(app_db, rule_id)["state"] == edited  # type: ignore[index]
    assert evaluator.book is None  # read again on the next pass


def test_the_connection_kept_between_cycles_holds_no_snapshot(
    cycle: PollCycle, app_db: sqlite3.Connection, clock: FixedClock,
) -> None:
    """The cycle keeps its connection from poll to poll; between them it must not hold a read
    open, or the write-ahead log could not be checkpointed and would grow all day."""
    AlertService(app_db, clock, MarketClock()).add_rule(
        AlertRule("2513.HK", RuleKind.PRICE_ABOVE, 1.0))  # fires: the pass writes too
    for _ in range(3):
        cycle.run()
        busy, _, _ = app_db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
        clock.advance(60)
    cycle.close()


def test_quitting_during_a_poll_still_writes_what_the_alert_pass_holds(
    cycle: PollCycle, app_db: sqlite3.Connection, clock: FixedClock, fake_yahoo: FakeYahoo,
) -> None:
    book = poll_until_a_state_is_held(cycle, app_db, clock, fake_yahoo)
    held = {int(book.ids[i]): asdict(book.state(i)) for i in book.dirty}
    quitting = threading.Event()
    quitting.set()
    with pytest.raises(PollCancelledError):
        cycle.run(cancel=quitting)
    cycle.close()
    stored = stored_states(app_db)
    assert all(stored[rule_id] == state for rule_id, state in held.items())


def test_a_failing_write_of_held_states_costs_one_poll_not_polling(
    cycle: PollCycle, app_db: sqlite3.Connection, clock: FixedClock, fake_yahoo: FakeYahoo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The held states are written in the poll's transaction: if that fails, the poll's bars
    roll back with them, and the next poll starts again from what is stored."""
    poll_until_a_state_is_held(cycle, app_db, clock, fake_yahoo)
    evaluator = cycle.evaluator
    assert evaluator is not None
    save_states, failures = alert_repo.save_states, [sqlite3.OperationalError("disk I/O error")]

    def failing(*args: object) -> None:
        if failures:
            raise failures.pop()
        save_states(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(alert_repo, "save_states", failing)
    newest = newest_minute(app_db)
    with pytest.raises(sqlite3.OperationalError):
        cycle.run()
    assert newest_minute(app_db) == newest  # the poll's bars rolled back with the held states
    assert evaluator.book is None  # read again from what is stored
    outcome = cycle.run()
    assert outcome.poll.succeeded and evaluator.book is not None
    assert newest_minute(app_db) > newest
    assert_a_restart_fires_nothing_again(app_db, clock)
    cycle.close()


def stored_states(app_db: sqlite3.Connection) -> dict[int, dict]:
    """Each rule's engine state as stored."""
    return {row["id"]: json.loads(row["state"]) for row in alert_repo.rules(app_db)}


def newest_minute(app_db: sqlite3.Connection) -> int:
    return app_db.execute("SELECT MAX(ts) FROM bars WHERE interval = '1m'").fetchone()[0]


def poll_until_a_state_is_held(cycle: PollCycle, app_db: sqlite3.Connection,
                               clock: FixedClock, fake_yahoo: FakeYahoo) -> RuleBook:
    """The rule book once a pass has held back a state (`rearming_rules`)."""
    rearming_rules(app_db, clock, fake_yahoo)
    assert cycle.evaluator is not None
    for _ in range(40):
        cycle.run()
        clock.advance(60)
        book = cycle.evaluator.book
        if book is not None and book.dirty:
            return book
    raise AssertionError("no pass held a state back")


def rearming_rules(app_db: sqlite3.Connection, clock: FixedClock,
                   fake_yahoo: FakeYahoo) -> AlertService:
    """Two rules on 2513.HK over the next 40 minutes of the fake's walk that fire, then re-arm
    without a fire when the price falls back beyond their bands."""
    start = epoch(clock.now())
    closes = sorted(b[4] for b in fake_yahoo.symbols["2513.HK"].minute_bars
                    if start <= b[0] < start + 40 * 60)
    service = AlertService(app_db, clock, MarketClock())
    for share, hysteresis in ((0.6, 0.3), (0.75, 0.5)):
        service.add_rule(AlertRule("2513.HK", RuleKind.PRICE_ABOVE,
                                   closes[int(len(closes) * share)], Direction.UP,
                                   Policy.REARM, hysteresis_pct=hysteresis))
    return service


def assert_a_restart_fires_nothing_again(app_db: sqlite3.Connection, clock: FixedClock) -> None:
    """A copy of the database as committed, evaluated by a new evaluator (a restart): it looks
    again at the bars after the stored marks, from the stored states, and every fire among
    them is stored already. (Its states may differ from the live ones where the live pass saw
    a minute while it was still trading: the restart sees it final.)"""
    copy = open_connection(":memory:")
    app_db.backup(copy)
    assert AlertEvaluator(clock, MarketClock(), 0).evaluate(copy) == []
    copy.close()
