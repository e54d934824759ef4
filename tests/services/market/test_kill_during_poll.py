"""SIGKILL in the middle of writing polls, again and again: the database stays sound and holds
only whole polls (bars and quotes of a poll commit together or not at all)."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from db.connection import open_connection
from tests.kill_child import BARS, SYMBOLS

ROOT = Path(__file__).resolve().parents[3]
KILLS = 12


def check_whole_polls(db_path: Path) -> int:
    conn = open_connection(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        polls = conn.execute(
            "SELECT volume, COUNT(*), COUNT(DISTINCT symbol) FROM bars "
            "WHERE interval = '1m' GROUP BY volume").fetchall()
        for poll, rows, symbols in polls:
            assert (rows, symbols) == (BARS * len(SYMBOLS), len(SYMBOLS)), f"poll {poll} torn"
        newest = max((row[0] for row in polls), default=None)
        quotes = conn.execute(
            f"SELECT price FROM quotes WHERE symbol IN ({','.join('?' * len(SYMBOLS))})",
            SYMBOLS).fetchall()
        if newest is None:
            assert quotes == []
        else:
            assert [q[0] for q in quotes] == [100.0 + newest] * len(SYMBOLS)
        return len(polls)
    finally:
        conn.close()


def test_sigkill_during_polls_never_tears_a_poll(app_db: sqlite3.Connection,
                                                 db_path: Path) -> None:
    rng = random.Random(20261123)
    polls_seen = []
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "kill_child.py"),
                                  str(db_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        # The kill lands at a random moment of a later poll, however slow the machine is: a
        # fixed delay after "ready" could end every child before its first commit under load.
        assert child.stdout.readline().strip() == "polled"
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        polls_seen.append(check_whole_polls(db_path))
    assert polls_seen[-1] > 0, "no poll ever committed: the test exercised nothing"
    assert polls_seen == sorted(polls_seen)  # committed polls are never lost
