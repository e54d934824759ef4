"""What every chart shares, set up once: date plots stacked on one time axis (zooming one zooms
them all; the dates show under the last), colours that follow the light or dark palette, and a
right-click menu holding HarbourWatch's own commands only (PNG and CSV export for the charts
that export): pyqtgraph's view menu, plot options and scene "Export…" are removed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.charts.chart_export import add_export_actions, export_png
from ui.charts.theme import current_theme, date_plot, show_grid, style_plots

DAILY_GAP_S = 6 * 24 * 3600  # longer than this between daily bars: the market was shut


def with_gaps(x: np.ndarray, y: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN after every gap longer than `gap`, so connect='finite' breaks the line."""
    if x.size < 2:
        return x, y
    cuts = np.flatnonzero(np.diff(x) > gap) + 1
    return np.insert(x, cuts, np.nan), np.insert(y, cuts, np.nan)


def frame(plot: pg.PlotItem, x: np.ndarray, y: np.ndarray, min_span: float = 3 * 86400) -> None:
    """Fit the view to the data, sensibly when it is degenerate: pyqtgraph's auto-range over a
    single point or a flat series zooms into rounding noise (one value repeated down the axis,
    seconds on a date axis)."""
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return
    x, y = x[keep], y[keep]
    x0, x1, y0, y1 = float(x.min()), float(x.max()), float(y.min()), float(y.max())
    plot.enableAutoRange()
    if x1 - x0 < min_span:
        middle = (x0 + x1) / 2
        plot.setXRange(middle - min_span, middle + min_span, padding=0)
    if y1 - y0 <= 1e-9 * max(abs(y1), 1.0):
        pad = max(abs(y1) * 0.05, 1.0)
        plot.setYRange(y0 - pad, y1 + pad, padding=0)


def set_title(plot: pg.PlotItem, text: str, **style: str) -> None:
    """A title that never widens the chart beyond its window: pyqtgraph makes a title's width
    the plot's minimum, which pushed the right of the chart out of view; a title too long for
    the chart is cut instead."""
    if getattr(plot, "harbourwatch_title", None) == (text, style):
        return  # a poll's redraw: laying out the same rich text again is not free
    plot.setTitle(text, **style)
    plot.titleLabel.setMinimumWidth(0)
    plot.harbourwatch_title = (text, style)


def file_stem(symbol: str | None, what: str, demo: bool) -> str:
    """An export's suggested name: the symbol, what was shown, and DEMO for simulated prices."""
    return f"{symbol or 'chart'}-{what}{'-DEMO' if demo else ''}"


class ChartBase(QWidget):
    """`self.plots` top to bottom, one a label; `self.box` holds the plots and whatever the
    chart adds above or below them (controls, a summary). Grid lines are on unless the chart
    draws dense data, where they cost frames (see theme.show_grid)."""

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None, grid: bool = True,
                 margin: int = 4):
        super().__init__(parent)
        self.theme = current_theme()
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.plots = [date_plot(self.graphics, row, label) for row, label in enumerate(labels)]
        for plot in self.plots[1:]:
            plot.setXLink(self.plots[0])
        for plot in self.plots[:-1]:
            plot.hideAxis("bottom")
        style_plots(self.graphics, self.plots, self.theme)
        show_grid(self.plots, grid)
        self.graphics.scene().contextMenu = []  # pyqtgraph's "Export…": ours write atomically
        for plot in self.plots:
            plot.setMenuEnabled(False, None)  # "Plot Options"
            plot.getViewBox().menu.clear()  # "View All", the axes, "Mouse Mode"
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(margin, margin, margin, margin)
        self.box.addWidget(self.graphics, 1)

    def menu_action(self, text: str) -> QAction:
        """A command on the right-click menu of every plot of the chart."""
        action = QAction(text, self)
        for plot in self.plots:
            plot.getViewBox().menu.addAction(action)
        return action

    def menu_actions(self) -> list[str]:
        """What the right-click menu holds (the same on every plot)."""
        return [a.text() for a in self.plots[0].getViewBox().menu.actions()]

    def add_export(self, file_name: Callable[[], str], csv: Callable[[Path], None]) -> None:
        """'Export chart as PNG…' and 'Export data as CSV…' on every plot's menu."""
        add_export_actions(self, self.menu_action, file_name, self.export_png, csv)

    def apply_theme(self) -> None:
        """Follow the application palette (light or dark); charts that colour their data
        redraw after this."""
        self.theme = current_theme()
        style_plots(self.graphics, self.plots, self.theme)

    def export_png(self, path: Path) -> None:
        export_png(self.graphics, path)
