"""Pan and zoom the real price chart over 1M points 3,000 times: the process survives and the
refcount of None does not fall (the PySide6 6.12 failure mode)."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np

from services.charts.service import PriceChartData
from services.core.models import Instrument
from services.market.history import BarSeries
from ui.charts.price_chart import PriceChart

POINTS = 1_000_000
FRAMES = 3_000


class NoService:
    """The chart is fed directly; it never asks the service for anything here."""


def million_bars() -> PriceChartData:
    rng = np.random.default_rng(7)
    ts = 1_700_000_000 + 60.0 * np.arange(POINTS)
    close = 800 * np.exp(np.cumsum(rng.normal(0, 0.001, POINTS)))
    rows = np.column_stack([ts, close, close * 1.001, close * 0.999, close,
                            rng.integers(100, 5000, POINTS), np.zeros(POINTS)])
    bars = BarSeries("2513.HK", "1m", "HKD", *(rows[:, i].copy() for i in range(7)))
    instrument = Instrument("2513.HK", "Zhipu AI", "HKD", "Asia/Hong_Kong")
    drawdown = close / np.maximum.accumulate(close) - 1
    return PriceChartData(instrument, "Max", int(ts[0]), bars, drawdown, (), (), (), (),
                          dt.date(2026, 11, 23))


def test_pan_and_zoom_a_million_points_three_thousand_times(qtbot) -> None:
    chart = PriceChart(NoService())  # type: ignore[arg-type]
    qtbot.addWidget(chart)
    chart.resize(1200, 700)
    chart.show()
    qtbot.waitExposed(chart)
    chart.show_data(million_bars())
    view = chart.price_plot.getViewBox()
    start = sys.getrefcount(None)
    lowest = start
    for frame in range(FRAMES):
        if frame % 3 == 2:
            view.scaleBy((0.97 if frame % 6 == 2 else 1 / 0.97, 1))
        else:
            (x0, x1), _ = view.viewRange()
            view.translateBy(x=(x1 - x0) * (0.01 if frame % 400 < 200 else -0.01))
        chart.graphics.viewport().repaint()
        if frame % 100 == 0:
            lowest = min(lowest, sys.getrefcount(None))
    assert chart.isVisible()
    assert lowest >= start - 1_000, f"None refcount fell from {start} to {lowest}"
    assert sys.getrefcount(None) >= start - 1_000
