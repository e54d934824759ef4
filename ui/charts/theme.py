"""Chart colours that stay readable on the light and the dark application palette."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

UTC_OFFSET_HK = -8 * 3600  # pyqtgraph's DateAxisItem wants seconds *west* of UTC


@dataclass(frozen=True)
class ChartTheme:
    dark: bool
    background: str
    foreground: str
    line: str
    up: str
    down: str
    volume: str
    drawdown: str
    reference: str
    demo: str
    target: str
    ipo: str
    lockup_past: str
    lockup_next: str
    listing: str
    alert: str
    band_alpha: int
    palette: tuple[str, ...]  # one colour a symbol in comparisons


LIGHT = ChartTheme(False, "#ffffff", "#24292f", "#0969da", "#1a7f37", "#cf222e", "#8c959f",
                   "#cf222e", "#8250df", "#bc4c00", "#9a6700", "#57606a", "#6e7781", "#cf222e",
                   "#1a7f37", "#d1242f", 40,
                   ("#0969da", "#bc4c00", "#1a7f37", "#8250df", "#cf222e", "#1b7c83"))
DARK = ChartTheme(True, "#0d1117", "#e6edf3", "#58a6ff", "#3fb950", "#f85149", "#6e7681",
                  "#f85149", "#d2a8ff", "#ffa657", "#e3b341", "#8b949e", "#8b949e", "#ff7b72",
                  "#3fb950", "#ff7b72", 50,
                  ("#58a6ff", "#ffa657", "#3fb950", "#d2a8ff", "#ff7b72", "#39c5cf"))


def current_theme() -> ChartTheme:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return LIGHT
    window = app.palette().color(QPalette.ColorRole.Window)
    return DARK if window.lightness() < 128 else LIGHT


def with_alpha(color: str, alpha: int) -> QColor:
    qcolor = QColor(color)
    qcolor.setAlpha(alpha)
    return qcolor


def date_plot(graphics: pg.GraphicsLayoutWidget, row: int, label: str) -> pg.PlotItem:
    """A plot in `graphics` with a Hong Kong time axis below."""
    plot = graphics.addPlot(row=row, col=0,
                            axisItems={"bottom": pg.DateAxisItem(utcOffset=UTC_OFFSET_HK)})
    plot.setLabel("left", label)
    plot.getAxis("left").setWidth(70)
    return plot


def show_grid(plots: list[pg.PlotItem], on: bool) -> None:
    """Grid lines cost about 25 ms a pane per frame in Qt's raster engine (bench/chart.py),
    so they are a choice, off by default."""
    for plot in plots:
        plot.showGrid(x=on, y=on, alpha=0.15)


def style_plots(graphics: pg.GraphicsLayoutWidget, plots: list[pg.PlotItem],
                theme: ChartTheme) -> None:
    """Background and axis colours for the current palette."""
    graphics.setBackground(theme.background)
    for plot in plots:
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(theme.foreground)
            axis.setTextPen(theme.foreground)
