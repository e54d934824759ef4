"""Kill the polling process at random moments around alert firing, many times; afterwards every
crossing of the scripted path has exactly one event."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from db.connection import transaction
from services.alerts.rules import AlertRule, Direction, Policy, RuleKind
from services.alerts.service import AlertService
from services.core.clock import FixedClock
from services.market.calendar import MarketClock
from tests.alert_kill_child import OPEN, SYMBOL, TOTAL, close_at
from tests.conftest import hkt
from tests.services.alerts.test_engine import reference_crossings

ROOT = Path(__file__).resolve().parents[3]
CHILD = ROOT / "tests" / "alert_kill_child.py"
KILLS = 15


def test_every_crossing_has_exactly_one_event_despite_kills(app_db: sqlite3.Connection,
                                                            db_path: Path) -> None:
    with transaction(app_db):
        app_db.execute("DELETE FROM watchlist_items WHERE symbol != ?", [SYMBOL])
        app_db.execute("DELETE FROM bars WHERE symbol = ?", [SYMBOL])
    service = AlertService(app_db, FixedClock(hkt(2026, 11, 23, 9, 0)), MarketClock())
    rule_id = service.add_rule(AlertRule(SYMBOL, RuleKind.PRICE_CROSS, 100.0, Direction.EITHER,
                                         Policy.REARM))
    rng = random.Random(11)
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, str(CHILD), str(db_path)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert app_db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finished = subprocess.run([sys.executable, str(CHILD), str(db_path)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr

    events = app_db.execute("SELECT observed_ts FROM alert_events WHERE rule_id = ? "
                            "ORDER BY observed_ts", [rule_id]).fetchall()
    fired = [(ts - OPEN) // 60 for (ts,) in events]
    closes = [close_at(i) for i in range(TOTAL)]
    assert fired == reference_crossings(closes)  # none missed, none twice
    assert len(fired) == len(set(fired))
    assert len(fired) >= 5
