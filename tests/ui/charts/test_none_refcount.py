"""The probe behind the PySide6 pin in pyproject.toml: panning a chart must not leak refs to None.

PySide6 6.12.0 on CPython 3.11 decrements None's refcount on void calls made while painting, and
the process aborts after a few hundred pans. A good build keeps the count steady.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg

PANS = 3_000


def test_panning_a_chart_keeps_the_refcount_of_none(qtbot) -> None:
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.show()
    qtbot.waitExposed(widget)
    x = np.arange(200_000, dtype=float)
    item = widget.plot(x, np.cumsum(np.random.default_rng(1).normal(size=x.size)))
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)
    view = widget.getViewBox()
    view.setXRange(0, 20_000, padding=0)

    start = sys.getrefcount(None)
    lowest = start
    for step in range(PANS):
        view.translateBy(x=(1 if step % 400 < 200 else -1) * 50.0)
        widget.viewport().repaint()
        if step % 100 == 0:
            lowest = min(lowest, sys.getrefcount(None))
    end = sys.getrefcount(None)
    assert lowest >= start - 1_000, f"None refcount fell from {start} to {lowest}"
    assert end >= start - 1_000, f"None refcount fell from {start} to {end}"
