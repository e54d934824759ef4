"""Chart speed, each figure against a baseline measured in the same run.

1. Load: one year of 1-minute bars (247 HKEX sessions x 330 minutes) from SQLite into the price
   chart (query, arrays, drawdown, setData on every curve) against a raw sqlite3 `fetchall` of
   the same rows into numpy. Goal: at most 1.3x.
2. Frames: settled time of one pan and of one zoom step (view change + synchronous repaint) with
   1M and 5M points on the chart. Goal: under 50 ms at 5M.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/chart.py
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from bench._timing import alternating_medians, timed
from db import market_repo
from db.connection import open_connection, transaction
from db.migrations import migrate
from services.charts import series as chart_series
from services.charts.service import PriceChartData
from services.core.models import Instrument
from services.market import history
from tests.ui.charts.test_chart_robustness import NoService, million_bars
from ui.charts.price_chart import PriceChart

SESSIONS, MINUTES = 247, 330
INSTRUMENT = Instrument("2513.HK", "Zhipu AI", "HKD", "Asia/Hong_Kong")


def seed(path: Path) -> int:
    conn = open_connection(path)
    migrate(conn)
    rng = np.random.default_rng(1)
    n = SESSIONS * MINUTES
    ts = (1_767_835_800 + np.repeat(np.arange(SESSIONS) * 86_400, MINUTES)
          + np.tile(np.arange(MINUTES) * 60, SESSIONS))
    close = 800 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    rows = [("2513.HK", "1m", int(t), float(c), float(c) * 1.001, float(c) * 0.999, float(c),
             int(v), "yahoo", 0) for t, c, v in zip(ts, close, rng.integers(1, 99, n),
                                                   strict=True)]
    with transaction(conn):
        conn.execute("INSERT INTO instruments (symbol, name, currency) "
                     "VALUES ('2513.HK', 'Zhipu AI', 'HKD')")
        market_repo.upsert_bars(conn, rows)
    conn.close()
    return n


def raw_load(path: Path) -> np.ndarray:
    conn = sqlite3.connect(path)  # plain tuples: the fastest sqlite3 gives
    rows = conn.execute("SELECT ts, open, high, low, close, volume FROM bars WHERE symbol = ? "
                        "AND interval = '1m' ORDER BY ts", ["2513.HK"]).fetchall()
    array = np.array(rows, dtype=float)
    conn.close()
    return array


def chart_load(path: Path, chart: PriceChart) -> None:
    conn = open_connection(path)
    bars = history.load_bars(conn, "2513.HK", "HKD", "1m")
    chart.show_data(PriceChartData(INSTRUMENT, "1Y", int(bars.ts[0]), bars,
                                   chart_series.drawdown(bars), (), (), (), (),
                                   dt.date(2026, 11, 23)))
    conn.close()


def frame_times(chart: PriceChart, points: int, frames: int = 40) -> tuple[float, float]:
    data = million_bars() if points == 1_000_000 else scaled(points)
    chart.show_data(data)
    view = chart.price_plot.getViewBox()
    app = QApplication.instance()
    step = [0]

    def settle() -> None:
        chart.graphics.viewport().repaint()
        app.processEvents()

    def pan() -> None:
        step[0] += 1
        (x0, x1), _ = view.viewRange()
        view.translateBy(x=(x1 - x0) * (0.02 if step[0] % 2 else -0.02))
        settle()

    def zoom() -> None:
        view.scaleBy((0.9 if step[0] % 2 else 1 / 0.9, 1))
        settle()

    times = alternating_medians(frames, pan=timed(pan), zoom=timed(zoom))
    return times["pan"], times["zoom"]


def scaled(points: int) -> PriceChartData:
    base = million_bars()
    reps = points // len(base.bars)
    b = base.bars
    ts = b.ts[0] + 60.0 * np.arange(points)
    arrays = [np.tile(a, reps) for a in (b.open, b.high, b.low, b.close, b.volume, b.source)]
    bars = history.BarSeries(b.symbol, b.interval, b.currency, ts, *arrays)
    return PriceChartData(base.instrument, "Max", int(ts[0]), bars, np.tile(base.drawdown, reps),
                          (), (), (), (), base.today)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    chart = PriceChart(NoService())  # type: ignore[arg-type]
    chart.resize(1280, 760)
    chart.show()
    app.processEvents()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "year.sqlite3"
        n = seed(path)
        raw_load(path)
        chart_load(path, chart)  # warm both
        times = alternating_medians(7, raw=timed(lambda: raw_load(path)),
                                    ours=timed(lambda: chart_load(path, chart)))
    r, o = times["raw"], times["ours"]
    print(f"load one year of 1-minute bars ({n:,} bars):")
    print(f"  raw sqlite3 fetchall -> numpy : {r * 1000:7.1f} ms")
    print(f"  into the price chart          : {o * 1000:7.1f} ms")
    print(f"  ratio chart / raw             : {o / r:7.2f}x   (goal <= 1.3x)")
    for points in (1_000_000, 5_000_000):
        pan, zoom = frame_times(chart, points)
        print(f"settled frame with {points / 1e6:.0f}M points: pan {pan * 1000:5.1f} ms, "
              f"zoom {zoom * 1000:5.1f} ms   (goal < 50 ms at 5M)")


if __name__ == "__main__":
    main()
