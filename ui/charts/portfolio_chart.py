"""The portfolio's daily value in the base currency and its drawdown from the running peak."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from services.core.formatting import money, percent
from services.core.models import Money
from ui.charts.chart_base import ChartBase, frame, set_title


class PortfolioChart(ChartBase):
    """Restyled by `apply_theme`; the pane redraws it with its next `show_history`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(["Value", "From peak %"], parent, margin=0)
        self.value_plot, self.drawdown_plot = self.plots
        self.graphics.ci.layout.setRowStretchFactor(0, 2)
        self.value_curve = self.value_plot.plot([], [])
        self.drawdown_curve = self.drawdown_plot.plot([], [])
        self.drawdown_plot.setLimits(yMin=-100.0, yMax=100.0)

    def show_history(self, ts: np.ndarray, values: np.ndarray, drawdown: np.ndarray,
                     base: str, demo: bool) -> None:
        """NaN (a day without a price or FX rate) leaves a gap rather than a made-up value;
        a single day is a dot on a week's axis."""
        known = np.isfinite(values)
        dot = {"symbol": "o" if known.sum() == 1 else None, "symbolSize": 7}
        self.value_curve.setData(ts, values, connect="finite",
                                 pen=pg.mkPen(self.theme.line, width=1.8),
                                 symbolBrush=self.theme.line, symbolPen=self.theme.line, **dot)
        self.drawdown_curve.setData(ts, drawdown * 100.0, connect="finite",
                                    pen=pg.mkPen(self.theme.drawdown, width=1.5),
                                    fillLevel=0,
                                    brush=pg.mkBrush(self.theme.drawdown + "40"),
                                    symbolBrush=self.theme.drawdown,
                                    symbolPen=self.theme.drawdown, **dot)
        self.value_plot.setLabel("left", f"Value ({base})")
        if known.any():
            title = (f"{money(Money(float(values[known][-1]), base), 0)} · worst drawdown "
                     f"{percent(float(np.nanmin(drawdown)))} (time-weighted)")
        else:
            title = "No history yet: record a transaction and let prices arrive"
        if demo:
            title = "<b>DEMO</b> · " + title
        set_title(self.value_plot, title, color=self.theme.foreground, size="10pt")
        frame(self.value_plot, ts.astype(float), values)
        frame(self.drawdown_plot, ts.astype(float), drawdown * 100.0)
