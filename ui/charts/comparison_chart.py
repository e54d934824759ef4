"""Several stocks on one chart, rebased to 100 at a chosen date or at their IPO price, with
their drawdowns overlaid.

A symbol keeps its colour however the list is ordered (colours go by symbol); lines break
across long gaps and reference points are hollow circles, as on the price chart; the symbols
that cannot be drawn are named with the reason."""

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
from ui.charts.chart_base import DAILY_GAP_S, ChartBase, frame, set_title, with_gaps


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
        self.drawdown_plot.setLimits(yMin=-100.0, yMax=100.0)
        self.left_out = QLabel(self)
        self.left_out.setObjectName("compare_left_out")
        self.left_out.setWordWrap(True)
        self.box.addWidget(self.left_out)
        self.colours: dict[str, str] = {}
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
        comparison = self._service.compare(self._symbols, self.base_day())
        self.lines = list(comparison.lines)
        self.index_plot.clear()
        self.drawdown_plot.clear()
        self.legend.clear()
        demo = any(line.has_demo for line in self.lines)
        palette = self.theme.palette
        self.colours = {symbol: palette[i % len(palette)]
                        for i, symbol in enumerate(sorted(self._symbols))}
        for line in self.lines:
            self._draw(line, self.colours[line.symbol])
        if self.lines:
            frame(self.index_plot, np.concatenate([line.ts for line in self.lines]).astype(float),
                  np.concatenate([line.index for line in self.lines]))
        self.left_out.setText("Not drawn: " + "; ".join(
            f"{symbol} ({why})" for symbol, why in comparison.left_out)
            if comparison.left_out else "")
        self.left_out.setVisible(bool(comparison.left_out))
        self.index_plot.addItem(pg.InfiniteLine(pos=100, angle=0, movable=False,
                                                pen=pg.mkPen(self.theme.foreground,
                                                             style=Qt.PenStyle.DotLine)))
        base = "IPO price" if self.base_day() is None else self.base_day().isoformat()
        title = f"Rebased to 100 at {base}" + (" · <b>DEMO — simulated prices</b>" if demo
                                                else "")
        set_title(self.index_plot, title, color=self.theme.foreground, size="10pt")

    def _draw(self, line: ComparisonLine, color: str) -> None:
        """Market closes as a line broken across long gaps; reference points hollow."""
        pen = pg.mkPen(color, width=1.8,
                       style=Qt.PenStyle.DashLine if line.has_demo else Qt.PenStyle.SolidLine)
        label = f"{line.name} {line.symbol}" + (" (DEMO)" if line.has_demo else "")
        reference = np.array([s == "reference" for s in line.sources], dtype=bool)
        market = ~reference
        x, y = with_gaps(line.ts[market].astype(float), line.index[market], DAILY_GAP_S)
        one = market.sum() == 1  # a single close: a dot, not nothing
        self.index_plot.plot(x, y, pen=pen, connect="finite", name=label,
                             symbol="o" if one else None, symbolBrush=color, symbolPen=color)
        dx, dy = with_gaps(line.ts[market].astype(float), line.drawdown[market] * 100.0,
                           DAILY_GAP_S)
        self.drawdown_plot.plot(dx, dy, pen=pen, connect="finite",
                                symbol="o" if one else None, symbolBrush=color, symbolPen=color)
        if reference.any():
            dotted = pg.mkPen(color, width=1, style=Qt.PenStyle.DotLine)
            self.index_plot.plot(line.ts[reference], line.index[reference], pen=dotted,
                                 symbol="o", symbolSize=7, symbolBrush=None,
                                 symbolPen=pg.mkPen(color, width=1.4))
            self.drawdown_plot.plot(line.ts[reference], line.drawdown[reference] * 100.0,
                                    pen=None, symbol="o", symbolSize=6, symbolBrush=None,
                                    symbolPen=pg.mkPen(color, width=1.4))

    def export_csv(self, path: Path) -> None:
        rows = ([line.symbol, from_epoch(int(t), "Asia/Hong_Kong").date().isoformat(),
                 float(v), float(d), line.base, source]
                for line in self.lines for t, v, d, source in zip(
                    line.ts, line.index, line.drawdown, line.sources, strict=True)
                if not np.isnan(v))
        write_csv(path, ["symbol", "date", "index", "drawdown", "base_price", "price_source"],
                  rows)
