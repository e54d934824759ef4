"""Several stocks on one chart, rebased to 100 at a chosen date or at their IPO price, with
their drawdowns overlaid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from services.charts.service import ChartService, ComparisonLine
from services.core.clock import from_epoch
from services.files.atomic import write_csv
from ui.charts.chart_base import ChartBase


class ComparisonChart(ChartBase):
    def __init__(self, service: ChartService, parent: QWidget | None = None):
        super().__init__(["Index (100 = base)", "From peak %"], parent)
        self.index_plot, self.drawdown_plot = self.plots
        self._service = service
        self._symbols: list[str] = []
        self.lines: list[ComparisonLine] = []
        self.base = QComboBox(self)
        self.base.addItems(["IPO price", "Date"])
        self.base_date = QDateEdit(QDate(2026, 2, 20), self)
        self.base_date.setCalendarPopup(True)
        self.base_date.setDisplayFormat("yyyy-MM-dd")
        self.base.currentTextChanged.connect(self.refresh)
        self.base_date.dateChanged.connect(self.refresh)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Rebase to 100 at"))
        controls.addWidget(self.base)
        controls.addWidget(self.base_date)
        controls.addStretch(1)
        self.box.insertLayout(0, controls)
        self.legend = self.index_plot.addLegend(offset=(10, 10))
        self.add_export(lambda: "comparison", self.export_csv)

    def apply_theme(self) -> None:
        super().apply_theme()
        self.refresh()

    def show_symbols(self, symbols: list[str]) -> None:
        self._symbols = list(symbols)
        self.refresh()

    def base_day(self) -> dt.date | None:
        if self.base.currentText() == "IPO price":
            return None
        return self.base_date.date().toPython()

    @Slot()
    def refresh(self) -> None:
        self.base_date.setEnabled(self.base.currentText() == "Date")
        self.lines = self._service.comparison(self._symbols, self.base_day())
        self.index_plot.clear()
        self.drawdown_plot.clear()
        self.legend.clear()
        demo = any(line.has_demo for line in self.lines)
        for i, line in enumerate(self.lines):
            color = self.theme.palette[i % len(self.theme.palette)]
            pen = pg.mkPen(color, width=1.8,
                           style=Qt.PenStyle.DashLine if line.has_demo else Qt.PenStyle.SolidLine)
            label = f"{line.name} {line.symbol}" + (" (DEMO)" if line.has_demo else "")
            self.index_plot.plot(line.ts, line.index, pen=pen, symbol="o", symbolSize=5,
                                 symbolBrush=color, symbolPen=color, name=label)
            self.drawdown_plot.plot(line.ts, line.drawdown * 100.0, pen=pen, symbol="o",
                                    symbolSize=4, symbolBrush=color, symbolPen=color)
        self.index_plot.addItem(pg.InfiniteLine(pos=100, angle=0, movable=False,
                                                pen=pg.mkPen(self.theme.foreground,
                                                             style=Qt.PenStyle.DotLine)))
        base = "IPO price" if self.base_day() is None else self.base_day().isoformat()
        title = f"Rebased to 100 at {base}" + (" · <b>DEMO — simulated prices</b>" if demo
                                                else "")
        self.index_plot.setTitle(title, color=self.theme.foreground, size="10pt")

    def export_csv(self, path: Path) -> None:
        rows = ([line.symbol, from_epoch(int(t), "Asia/Hong_Kong").date().isoformat(),
                 float(v), float(d), line.base, source]
                for line in self.lines for t, v, d, source in zip(
                    line.ts, line.index, line.drawdown, line.sources, strict=True)
                if not np.isnan(v))
        write_csv(path, ["symbol", "date", "index", "drawdown", "base_price", "price_source"],
                  rows)
