"""What every chart shares, set up once: date plots stacked on one time axis (zooming one zooms
them all; the dates show under the last), colours that follow the light or dark palette, and the
PNG and CSV entries on each plot's menu for the charts that export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.charts.chart_export import add_export_actions, export_png
from ui.charts.theme import current_theme, date_plot, show_grid, style_plots


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
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(margin, margin, margin, margin)
        self.box.addWidget(self.graphics, 1)

    def add_export(self, file_name: Callable[[], str], csv: Callable[[Path], None]) -> None:
        """'Export chart as PNG…' and 'Export data as CSV…' on every plot's menu."""
        add_export_actions(self, self.plots, file_name, self.export_png, csv)

    def apply_theme(self) -> None:
        """Follow the application palette (light or dark); charts that colour their data
        redraw after this."""
        self.theme = current_theme()
        style_plots(self.graphics, self.plots, self.theme)

    def export_png(self, path: Path) -> None:
        export_png(self.graphics, path)
