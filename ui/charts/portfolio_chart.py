"""The portfolio's daily value in the base currency and its drawdown from the running peak."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from services.core.formatting import money, percent
from services.core.models import Money
from ui.charts.theme import current_theme, date_plot, show_grid, style_plots


class PortfolioChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = current_theme()
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.value_plot = date_plot(self.graphics, 0, "Value")
        self.drawdown_plot = date_plot(self.graphics, 1, "From peak %")
        self.drawdown_plot.setXLink(self.value_plot)
        self.value_plot.hideAxis("bottom")
        self.graphics.ci.layout.setRowStretchFactor(0, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.plots = [self.value_plot, self.drawdown_plot]
        style_plots(self.graphics, self.plots, self.theme)
        show_grid(self.plots, True)
        self.value_curve = self.value_plot.plot([], [])
        self.drawdown_curve = self.drawdown_plot.plot([], [])

    def apply_theme(self) -> None:
        self.theme = current_theme()
        style_plots(self.graphics, self.plots, self.theme)

    def show_history(self, ts: np.ndarray, values: np.ndarray, drawdown: np.ndarray,
                     base: str, demo: bool) -> None:
        """NaN (a day without a price or FX rate) leaves a gap rather than a made-up value."""
        self.value_curve.setData(ts, values, connect="finite",
                                 pen=pg.mkPen(self.theme.line, width=1.8))
        self.drawdown_curve.setData(ts, drawdown * 100.0, connect="finite",
                                    pen=pg.mkPen(self.theme.drawdown, width=1.5),
                                    fillLevel=0,
                                    brush=pg.mkBrush(self.theme.drawdown + "40"))
        self.value_plot.setLabel("left", f"Value ({base})")
        known = np.isfinite(values)
        if known.any():
            title = (f"{money(Money(float(values[known][-1]), base), 0)} · worst drawdown "
                     f"{percent(float(np.nanmin(drawdown)))} (time-weighted)")
        else:
            title = "No history yet: record a transaction and let prices arrive"
        if demo:
            title = "<b>DEMO</b> · " + title
        self.value_plot.setTitle(title, color=self.theme.foreground, size="10pt")
        if known.any():
            self.value_plot.enableAutoRange()
            self.drawdown_plot.enableAutoRange()
