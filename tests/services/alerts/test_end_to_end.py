"""A threshold crossed on the (fake) exchange reaches the desktop exactly once, over a real
D-Bus session bus, through the real headless runner; and the webhook gets the JSON body."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from cli.context import Context
from cli.polling import run_headless
from services.alerts.notify import Dispatcher, coalesce, post_webhook, webhook_body
from services.alerts.rules import AlertRule, Direction, RuleKind
from services.alerts.service import AlertService
from services.app.poll_cycle import PollCycle
from services.core.clock import FastClock, epoch
from services.core.paths import AppPaths
from services.market.calendar import MarketClock
from tests.conftest import hkt
from tests.dbus_session import NotificationListener
from tests.fake_yahoo import FakeYahoo
from tests.waiting import wait_for


@pytest.fixture
def clock() -> FastClock:
    return FastClock(hkt(2026, 11, 23, 10, 15), 300.0)



def lift_after(fake: FakeYahoo, symbol: str, after: int, to: float) -> None:
    """From `after` on, the price trades at `to` (a clean crossing of anything below it)."""
    bars = fake.symbols[symbol].minute_bars
    for i, bar in enumerate(bars):
        if bar[0] > after:
            bars[i] = (bar[0], to, to + 1, to - 1, to, bar[5])


def test_crossing_fires_one_event_and_one_desktop_notification(
    bus: NotificationListener, cycle: PollCycle, fake_yahoo: FakeYahoo, app_db: sqlite3.Connection,
    db_path: Path, isolated_home: AppPaths, clock: FastClock,
) -> None:
    cycle.run()
    last = app_db.execute("SELECT price FROM quotes WHERE symbol = '2513.HK'").fetchone()[0]
    level = round(last * 1.05, 2)
    alerts = AlertService(app_db, clock, MarketClock())
    rule_id = alerts.add_rule(AlertRule("2513.HK", RuleKind.PRICE_CROSS, level, Direction.UP))
    lift_after(fake_yahoo, "2513.HK", epoch(hkt(2026, 11, 23, 10, 20)), level * 1.03)

    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=run_headless, args=(Context(db_path, isolated_home, out=out),
                                                         stop, clock, lambda: cycle.poller))
    runner.start()
    try:
        wait_for(lambda: "ALERT" in out.getvalue() and clock.now() >= hkt(2026, 11, 23, 10, 40),
                 30, out.getvalue)
    finally:
        stop.set()
        runner.join(timeout=30)
    events = app_db.execute("SELECT * FROM alert_events WHERE rule_id = ?", [rule_id]).fetchall()
    assert len(events) == 1
    assert len(bus.calls) == 1
    app, _, _, title, body, actions, _, _ = bus.calls[0]
    assert app == "HarbourWatch" and title.startswith("2513.HK price crosses")
    assert f"HK${level:,.6g}" in title and body.startswith("Reached HK$")
    assert "2513.HK" not in body and "crosses" not in body  # said once, in the title
    assert "HKT" in body and "open:2513.HK" in actions
    assert out.getvalue().count("ALERT") == 1


class Capture(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict]] = []
    fail_first = 0

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        if Capture.fail_first:
            Capture.fail_first -= 1
            self.send_response(503)
        else:
            Capture.bodies.append(body)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_posts_the_documented_json_and_retries(
    cycle: PollCycle, fake_yahoo: FakeYahoo, app_db: sqlite3.Connection, clock: FastClock,
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        cycle.run()
        last = app_db.execute("SELECT price FROM quotes WHERE symbol = '0100.HK'").fetchone()[0]
        AlertService(app_db, clock, MarketClock()).add_rule(
            AlertRule("0100.HK", RuleKind.PRICE_ABOVE, round(last * 1.02, 2)))
        lift_after(fake_yahoo, "0100.HK", epoch(clock.now()), last * 1.05)
        wait_for(lambda: clock.now() >= hkt(2026, 11, 23, 10, 25))
        outcome = cycle.run()
        assert len(outcome.events) == 1
        Capture.bodies, Capture.fail_first = [], 1  # the first attempt gets a 503
        assert post_webhook(url, webhook_body(outcome.events, False))
        body = Capture.bodies[0]
        assert body["app"] == "HarbourWatch" and body["demo"] is False
        event = body["events"][0]
        assert event["symbol"] == "0100.HK" and event["rule"].startswith("0100.HK price above")
        assert event["source"] == "yahoo" and event["observed_at"].endswith("+00:00")
        dispatcher = Dispatcher(desktop=False, webhook_url="http://127.0.0.1:9/refused")
        started = time.monotonic()
        dispatcher.dispatch(outcome.events)  # an unreachable hook never blocks the poll
        assert time.monotonic() - started < 0.5
        assert coalesce(outcome.events) is not None
    finally:
        server.shutdown()
