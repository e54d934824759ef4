"""Importing 1M daily price rows from CSV (`import prices`, ten files of 100,000 days for ten
symbols) against raw sqlite3 multi-row inserts of the same, already parsed rows in the same run.
Goal: at least 0.5x raw speed.

HarbourWatch's side includes everything a user waits for: reading and decoding the file,
checking every row (dates, numbers, low <= close <= high, duplicates), converting local
dates to UTC epochs, and the upsert in one transaction. Each run starts from an empty table.

    .venv/bin/python bench/import.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench._timing import alternating_medians
from services.app.database import open_app_database
from services.core.clock import FixedClock
from services.files.ledger_transfer import LedgerTransfer
from services.watchlists.editing import WatchlistEditor

ROWS = 1_000_000
SYMBOLS = [f"{code}.HK" for code in range(1001, 1011)]
PER_SYMBOL = ROWS // len(SYMBOLS)
COLUMNS = "symbol, interval, ts, open, high, low, close, volume, source, partial"


def make_csv(folder: Path) -> list[tuple]:
    """One CSV per symbol; returns the parsed rows the raw side inserts."""
    days = np.datetime64("1750-01-01") + np.arange(PER_SYMBOL)
    ts = (days - np.datetime64("1970-01-01")).astype(np.int64) * 86400 + 3600  # 09:30 HKT
    rng = np.random.default_rng(1)
    rows = []
    for symbol in SYMBOLS:
        close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, PER_SYMBOL)))
        with (folder / f"{symbol}.csv").open("w") as handle:
            handle.write("date,open,high,low,close,volume\n")
            for d, c in zip(days.astype(str), close, strict=True):
                handle.write(f"{d},{c:.4f},{c * 1.01:.4f},{c * 0.99:.4f},{c:.4f},1000\n")
        rows += [(symbol, "1d", int(t), c, c * 1.01, c * 0.99, c, 1000, "import", 0)
                 for t, c in zip(ts, close, strict=True)]
    return rows


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    os.environ["HARBOURWATCH_HOME"] = str(folder)
    rows = make_csv(folder)
    clock = FixedClock(dt.datetime(2026, 11, 23, 2, 15, tzinfo=dt.UTC))
    conn = open_app_database(folder / "hw.sqlite3")
    editor = WatchlistEditor(conn)
    for symbol in SYMBOLS:
        editor.add("Main", symbol)

    def empty() -> None:
        conn.execute("DELETE FROM bars")
        conn.commit()

    def ours() -> float:
        empty()
        start = time.perf_counter()
        ledger = LedgerTransfer(conn, clock)
        for symbol in SYMBOLS:
            report = ledger.import_prices(folder / f"{symbol}.csv", symbol)
            assert report.added == PER_SYMBOL, report.summary()
        return time.perf_counter() - start

    def raw() -> float:
        empty()
        per = 999 // 10
        sql = f"INSERT INTO bars ({COLUMNS}) VALUES " + ",".join(["(?,?,?,?,?,?,?,?,?,?)"] * per)
        start = time.perf_counter()
        conn.execute("BEGIN")
        for i in range(0, len(rows) - per + 1, per):
            conn.execute(sql, [v for r in rows[i:i + per] for v in r])
        tail = rows[len(rows) - len(rows) % per:]
        if tail:
            conn.execute(f"INSERT INTO bars ({COLUMNS}) VALUES "
                         + ",".join(["(?,?,?,?,?,?,?,?,?,?)"] * len(tail)),
                         [v for r in tail for v in r])
        conn.execute("COMMIT")
        return time.perf_counter() - start

    times = alternating_medians(3, raw=raw, ours=ours)
    size = sum((folder / f"{s}.csv").stat().st_size for s in SYMBOLS) / 2**20
    print(f"{ROWS:,} daily rows ({size:.0f} MB of CSV):")
    print(f"  raw sqlite3 multi-row INSERT (parsed rows) : {times['raw']:6.2f} s")
    print(f"  HarbourWatch import prices (from the CSV)  : {times['ours']:6.2f} s")
    print(f"  speed vs raw                               : {times['raw'] / times['ours']:6.2f}x"
          "   (goal >= 0.5x)")
    conn.close()


if __name__ == "__main__":
    main()
