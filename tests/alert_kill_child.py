"""Child process for tests/services/test_kill_during_alerts.py: polls a scripted path that
crosses 100 again and again, one new minute bar per poll, with alert evaluation, until the
path ends or the parent kills it. Restarted, it carries on from what the database holds."""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.connection import open_connection
from services.alerts.evaluation import AlertEvaluator
from services.app.poll_cycle import PollCycle
from services.core.clock import FixedClock
from services.market.calendar import MarketClock
from services.market.feed_types import Fetched, QuoteMeta
from services.market.poller import Poller
from tests.conftest import hkt

SYMBOL = "2513.HK"
OPEN = int(hkt(2026, 11, 23, 9, 30).timestamp())
TOTAL = 140  # minutes 09:30-11:49: inside the morning session


def close_at(n: int) -> float:
    return round(100.0 + 3.0 * math.sin(n / 4.0), 2)  # a crossing every ~12.5 min


class ScriptedSource:
    name = "yahoo"

    def __init__(self, db_path: Path):
        self.db_path = db_path

    def fetch(self, symbol: str, interval: str, period: str, currency: str | None) -> Fetched:
        conn = open_connection(self.db_path)
        stored = conn.execute("SELECT COUNT(*) FROM bars WHERE symbol = ? AND interval = '1m'",
                              [symbol]).fetchone()[0]
        conn.close()
        n = min(stored + 1, TOTAL)
        bars = tuple((OPEN + 60 * i, close_at(i), close_at(i), close_at(i), close_at(i), 100)
                     for i in range(n)) if interval == "1m" else ()
        meta = QuoteMeta(symbol, "HKD", close_at(n - 1), OPEN + 60 * (n - 1), None,
                         "Asia/Hong_Kong", "HKG")
        return Fetched(symbol, interval, bars, meta)


def main() -> None:
    db_path = Path(sys.argv[1])
    clock, market = FixedClock(hkt(2026, 11, 23, 12, 30)), MarketClock()
    cycle = PollCycle(Poller(db_path, ScriptedSource(db_path), clock, market),
                      AlertEvaluator(clock, market))
    print("ready", flush=True)
    while True:
        cycle.run(force=True)
        conn = open_connection(db_path)
        done = conn.execute("SELECT COUNT(*) FROM bars WHERE interval = '1m'").fetchone()[0]
        conn.close()
        if done >= TOTAL:
            cycle.run(force=True)  # evaluate what the last poll brought
            return


if __name__ == "__main__":
    main()
