"""Child process for bench/backfill.py: one poller backfilling N new symbols through the real
yfinance from the fake Yahoo the parent serves, reporting its own resident memory.

    _backfill_child.py PROXY_URL FOLDER N new|known

`known` marks the symbols as backfilled already: its first poll is a normal one (the steady
state of N symbols without a backfill, for comparison).

Prints `name value` lines (memory in kB), then `done`.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd
from yfinance import shared as yf_shared
from yfinance.data import YfData

from db.connection import open_connection, transaction
from db.migrations import migrate
from services.core.clock import HONG_KONG, FixedClock
from services.market.calendar import MarketClock
from services.market.poller import Poller
from services.market.yahoo_source import StandInSession, YahooQuoteSource

SAMPLE_S = 0.005
NOW = pd.Timestamp("2026-11-23 15:50", tz=HONG_KONG).to_pydatetime()  # a Monday, trading


def symbols(count: int) -> list[str]:
    return [f"{3000 + i}.HK" for i in range(count)]


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux >= 4.0); the sampler covers older kernels."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, status_kb("VmRSS"))
            time.sleep(SAMPLE_S)


def yfinance_state() -> dict[str, int]:
    """The sizes of yfinance's process-global stores, and the DataFrames still alive."""
    return {
        "yf_response_cache": YfData().cache_get.cache_info().currsize,
        "yf_shared_dicts": sum(len(d) for d in (yf_shared._DFS, yf_shared._ERRORS,
                                                 yf_shared._TRACEBACKS, yf_shared._ISINS)),
        "yf_singletons": len(type(YfData())._instances),
        "dataframes_alive": sum(isinstance(o, pd.DataFrame) for o in gc.get_objects()),
    }


def main() -> None:
    proxy, folder, count, known = (sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]),
                                   sys.argv[4] == "known")
    path = folder / "backfill.sqlite3"
    conn = open_connection(path)
    migrate(conn)
    with transaction(conn):
        conn.execute("DELETE FROM watchlist_items")
        for symbol in symbols(count):
            conn.execute("INSERT INTO instruments (symbol, name, currency) VALUES (?, ?, 'HKD')",
                         [symbol, symbol])
            conn.execute("INSERT INTO watchlist_items (watchlist_id, symbol) VALUES (1, ?)",
                         [symbol])
            if known:
                conn.execute("INSERT INTO feed_health (symbol, daily_backfilled, "
                             "intraday_backfilled) VALUES (?, 1, 1)", [symbol])
    conn.close()
    source = YahooQuoteSource(folder / "yf", StandInSession(proxy), timeout=30.0)
    poller = Poller(path, source, FixedClock(NOW), MarketClock())
    gc.collect()
    print(f"baseline {status_kb('VmRSS')}")
    reset_peak()
    sampler = Sampler()
    sampler.start()
    start = time.perf_counter()
    outcome = poller.poll(force=True)
    elapsed = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    assert len(outcome.succeeded) == count, [r for r in outcome.results if not r.ok][:3]
    print(f"peak {max(sampler.peak, status_kb('VmHWM'))}")
    print(f"after {status_kb('VmRSS')}")
    print(f"bars {sum(r.bars_written for r in outcome.results)}")
    print(f"seconds {elapsed:.1f}")
    del outcome
    gc.collect()
    print(f"after_gc {status_kb('VmRSS')}")
    for name, value in yfinance_state().items():
        print(f"{name} {value}")
    poller.poll(force=True)  # the steady state: one session's minutes a symbol
    gc.collect()
    print(f"steady {status_kb('VmRSS')}")
    poller.close()
    print("done")


if __name__ == "__main__":
    main()
