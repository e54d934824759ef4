"""Child process for tests/services/test_kill_during_poll.py: polls forever, as fast as it can,
through the real Poller and write path, until the parent kills it.

Poll n writes 390 one-minute bars for each of SYMBOLS symbols with volume n and close 100 + n,
and quotes at 100 + n, so the parent can tell whole polls from torn ones. The bars are spaced
back to back (not in trading sessions) and start years back, so the symbols are not HKEX ones
(whose minute bars must lie in a session) and no bar reaches the future.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.connection import open_connection, transaction
from services.core.clock import FixedClock, daily_bar_ts
from services.market.calendar import MarketClock
from services.market.feed_types import Fetched, QuoteMeta
from services.market.poller import Poller
from tests.conftest import hkt

SYMBOLS = [f"KILL{i}" for i in range(40)]
BARS = 390
NOW = hkt(2026, 11, 23, 10, 15)


class CountingSource:
    name = "yahoo"

    def __init__(self, start: int):
        self.n = start

    def fetch(self, symbol: str, interval: str, period: str, currency: str | None) -> Fetched:
        base = daily_bar_ts(NOW.date()) - 3 * 365 * 24 * 3600
        bars = () if interval == "1d" else tuple(
            (base + (self.n * BARS + i) * 60, 1.0, 200.0 + self.n, 1.0, 100.0 + self.n, self.n)
            for i in range(BARS))
        meta = QuoteMeta(symbol, "HKD", 100.0 + self.n, int(NOW.timestamp()), None,
                         "Asia/Hong_Kong", "HKG")
        return Fetched(symbol, interval, bars, meta)


def main() -> None:
    db_path = Path(sys.argv[1])
    conn = open_connection(db_path)
    with transaction(conn):
        conn.execute("DELETE FROM watchlist_items")  # only the synthetic symbols are polled
        for symbol in SYMBOLS:
            conn.execute("INSERT OR IGNORE INTO instruments (symbol, name, currency) "
                         "VALUES (?, ?, 'HKD')", [symbol, symbol])
            conn.execute("INSERT INTO watchlist_items (watchlist_id, symbol) VALUES (1, ?)",
                         [symbol])
    last = conn.execute("SELECT MAX(volume) FROM bars WHERE interval = '1m'").fetchone()[0]
    conn.close()
    source = CountingSource((last or 0) + 1)
    poller = Poller(db_path, source, FixedClock(NOW), MarketClock())
    print("ready", flush=True)
    while True:
        poller.poll(force=True)
        print("polled", flush=True)  # the parent kills only after one poll committed
        source.n += 1


if __name__ == "__main__":
    main()
