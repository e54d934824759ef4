"""Quitting while a poll is stuck on a Yahoo that never answers: the window exits within
seconds, and the database is intact with nothing of the stuck symbol in it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from services.core.paths import AppPaths
from tests.fake_yahoo import FakeYahoo
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
EXIT_LIMIT_S = 3.0


def test_quit_while_yahoo_hangs_exits_fast_with_the_database_intact(
    db_path: Path, isolated_home: AppPaths, fake_yahoo: FakeYahoo,
) -> None:
    fake_yahoo.fail("slow", "2513.HK", delay=120)  # 0100.HK answers, 2513.HK never does
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, str(ROOT / "tests/ui/quit_child.py"), str(db_path),
                              fake_yahoo.proxy_url], cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        # Both symbols are asked for at once: 0100.HK is answered (its backfill may be stored
        # already: each backfilled symbol commits on its own), the poll is stuck waiting for
        # 2513.HK.
        wait_for(lambda: fake_yahoo.chart_requests("2513.HK")
                 and fake_yahoo.chart_requests("0100.HK"), 60)
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)  # what a desktop logout or File › Quit leads to
        code = child.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert code == 0, child.stderr.read() if child.stderr else ""
    assert took < EXIT_LIMIT_S, f"quitting took {took:.1f} s"
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stuck = conn.execute("SELECT COUNT(*) FROM bars WHERE source = 'yahoo' "
                             "AND symbol = '2513.HK'").fetchone()[0]
        assert stuck == 0  # the stuck symbol's fetch was given up: nothing of it written
        answered = {r[0] for r in conn.execute(
            "SELECT DISTINCT interval FROM bars WHERE source = 'yahoo' AND symbol = '0100.HK'")}
        backfilled = conn.execute("SELECT daily_backfilled + intraday_backfilled FROM "
                                  "feed_health WHERE symbol = '0100.HK'").fetchone()
        # the answered symbol: all of its backfill with its feed state, or nothing half-written
        assert (answered, backfilled) in ((set(), None), ({"1d", "1m"}, (2,)))
        assert conn.execute("SELECT COUNT(*) FROM instruments").fetchone()[0] >= 2
    finally:
        conn.close()
