"""Market cap with the share count valid on each date, and P/S against the valuation bands."""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from services.charts import valuation_table
from services.charts.service import ChartService, ValuationChartData
from services.charts.valuation_text import BANDS_CAVEAT, summary_lines
from services.core.valuation import BASES
from services.files.atomic import write_csv
from ui.charts.chart_base import DAILY_GAP_S, ChartBase, file_stem, set_title, with_gaps
from ui.charts.label_layout import Placed, placed, spread_labels
from ui.charts.theme import with_alpha

CURRENCIES = ("HKD", "USD", "CNY")
PS_TICKS = (5, 10, 20, 30, 50, 100, 200, 500, 1000, 2000, 5000)


class ValuationChart(ChartBase):
    def __init__(self, service: ChartService, parent: QWidget | None = None):
        super().__init__(["Market cap", "P/S (x, log scale)"], parent)
        self.cap_plot, self.ps_plot = self.plots
        self._service = service
        self._symbol: str | None = None
        self.data: ValuationChartData | None = None
        self.currency = QComboBox(self)
        self.currency.addItems(CURRENCIES)
        self.basis = QComboBox(self)
        for key, label in BASES.items():
            self.basis.addItem(f"P/S on {label}", key)
        self.currency.currentTextChanged.connect(self.refresh)
        self.basis.currentIndexChanged.connect(self.refresh)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Market cap in"))
        controls.addWidget(self.currency)
        controls.addSpacing(12)
        controls.addWidget(self.basis)
        controls.addStretch(1)
        self.box.insertLayout(0, controls)
        self.ps_plot.setLogMode(y=True)  # P/S spans 10x to 1,000x+: bands stay readable
        self.ps_plot.getAxis("left").setTicks([[(float(np.log10(v)), f"{v:,}x") for v in PS_TICKS]])
        self.cap_curve = self.cap_plot.plot(connect="finite")
        self.ps_curve = self.ps_plot.plot(connect="finite")
        self.ps_points = self.ps_plot.plot(pen=None)
        self.cap_reference = self.cap_plot.plot(symbol="o", symbolSize=7)
        # where an input is uncertain (a placeholder FX rate), the P/S is drawn as a range
        self.ps_low = self.ps_plot.plot(connect="finite")
        self.ps_high = self.ps_plot.plot(connect="finite")
        self.bands_note = QLabel(BANDS_CAVEAT + ".", self)
        self.bands_note.setObjectName("bands_caveat")
        self.box.addWidget(self.bands_note)
        self.overlays: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []
        self.band_labels: list[pg.InfLineLabel] = []
        self.summary = QLabel(self)
        self.summary.setObjectName("valuation_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.box.addWidget(self.summary)
        self.labels: list[Placed] = []
        self._relabel = QTimer(self, singleShot=True, interval=40)  # once the view settles
        self._relabel.timeout.connect(lambda: spread_labels(self.labels))
        for plot in self.plots:
            plot.sigRangeChanged.connect(self._relabel.start)
            plot.getViewBox().sigResized.connect(self._relabel.start)
        self.add_export(self._file_name, self.export_csv)

    def apply_theme(self) -> None:
        super().apply_theme()
        self.refresh()

    def show_symbol(self, symbol: str | None) -> None:
        self._symbol = symbol
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._symbol is None:
            return
        self.data = self._service.valuation_chart(self._symbol, self.currency.currentText(),
                                                  self.basis.currentData())
        self._draw()

    def _draw(self) -> None:
        assert self.data is not None
        data, t = self.data, self.theme
        for plot, item in self.overlays:
            plot.removeItem(item)
        self.overlays = []
        self.band_labels = []
        s = data.series
        known = ~np.isnan(s.market_cap)
        color = t.demo if data.has_demo else t.line
        reference = np.array([p is not None and p.price.source == "reference"
                              for p in s.points], dtype=bool)
        market = known & ~reference
        x, y = with_gaps(s.ts[market].astype(float), s.market_cap[market] / 1e9, DAILY_GAP_S)
        self.cap_curve.setData(x, y, pen=pg.mkPen(color, width=1.6),
                               symbol="o" if market.sum() == 1 else None, symbolSize=5,
                               symbolBrush=color)  # a single day: a dot, not nothing
        hollow = {"symbolPen": pg.mkPen(t.reference, width=1.4), "symbolBrush": None}
        self.cap_reference.setData(s.ts[known & reference],
                                   s.market_cap[known & reference] / 1e9,
                                   pen=pg.mkPen(with_alpha(t.reference, 120),
                                                style=Qt.PenStyle.DotLine), **hollow)
        self.cap_plot.setLabel("left", f"Market cap ({s.currency} bn)")
        has_ps = ~np.isnan(s.price_to_sales)
        bounded = np.array([p is not None and p.ps is not None and p.ps.bound != "exact"
                            for p in s.points], dtype=bool)
        # a bound (ARR "> US$150m") is a ▽ at every day; a reference day a hollow circle
        shown = has_ps & (bounded | reference | (market.sum() == 1))
        x, y = with_gaps(s.ts[has_ps & market].astype(float), s.price_to_sales[has_ps & market],
                         DAILY_GAP_S)
        self.ps_curve.setData(x, y, pen=pg.mkPen(color, width=1.6))
        self.ps_points.setData(
            s.ts[shown], s.price_to_sales[shown], pen=None,
            symbol=["t" if b else "o" for b in bounded[shown]], symbolSize=7,
            symbolBrush=[None if r else color for r in reference[shown]],
            symbolPen=[pg.mkPen(t.reference if r else color, width=1.4)
                       for r in reference[shown]])
        ranged = has_ps & (s.ps_high - s.ps_low > 1e-9 * s.price_to_sales)
        dotted = pg.mkPen(with_alpha(color, 150), width=1, style=Qt.PenStyle.DotLine)
        for curve, values in ((self.ps_low, s.ps_low), (self.ps_high, s.ps_high)):
            curve.setData(*with_gaps(s.ts[ranged].astype(float), values[ranged], DAILY_GAP_S),
                          pen=dotted)
        for i, band in enumerate(sorted(data.bands, key=lambda b: b.ps_low)):
            region = pg.LinearRegionItem(values=(np.log10(band.ps_low), np.log10(band.ps_high)),
                                         orientation="horizontal", movable=False,
                                         brush=with_alpha(t.palette[i % len(t.palette)], 45),
                                         pen=pg.mkPen(None))
            # hung below the band's top line, so the label sits inside its own band
            self.band_labels.append(pg.InfLineLabel(
                region.lines[1], text=f"{band.name} {band.ps_low:g}–{band.ps_high:g}x",
                position=0.02 + 0.2 * i, anchors=[(0, 0), (0, 0)],
                color=with_alpha(t.foreground, 200)))
            self.ps_plot.addItem(region)
            self.overlays.append((self.ps_plot, region))
        for change in np.flatnonzero(np.diff(s.shares[known]) != 0) + 1:
            at = float(s.ts[known][change])
            line = pg.InfiniteLine(pos=at, angle=90, movable=False,
                                   pen=pg.mkPen(t.lockup_past, style=Qt.PenStyle.DotLine),
                                   label=f"shares {int(s.shares[known][change]) / 1e6:,.1f}m",
                                   labelOpts={"position": 0.9, "color": t.lockup_past})
            self.cap_plot.addItem(line, ignoreBounds=True)
            self.overlays.append((self.cap_plot, line))
        self.labels = [placed(label) for label in self.band_labels] + [
            placed(item.label) for plot, item in self.overlays
            if isinstance(item, pg.InfiniteLine) and item.label is not None]
        self._relabel.start()
        self.summary.setText(self.summary_html())
        title = f"{data.instrument.name} {data.instrument.symbol} · valuation"
        if data.has_demo:
            title += " · <b>DEMO — simulated prices</b>"
        set_title(self.cap_plot, title, color=t.foreground, size="10pt")

    def summary_html(self) -> str:
        """Where the P/S stands on the chosen basis, what each band and each analyst target
        implies (in the chosen currency), and what every figure rests on."""
        data = self.data
        assert data is not None
        lines = summary_lines(data.instrument.name, data.last, data.bands, data.band_prices,
                              data.target_caps, data.today)
        html = [escape(line) for line in lines]
        if data.has_demo:
            html[0] += " <b>(DEMO prices)</b>"
        html += [f"<i>{escape(f.topic)}: {escape(f.value)}</i>" for f in data.opinions]
        return "<br>".join(html)

    def _file_name(self) -> str:
        return file_stem(self._symbol, "valuation", bool(self.data and self.data.has_demo))

    def export_csv(self, path: Path) -> None:
        """Every day's figures with the date, source and confidence of each input (the same
        columns as `main.py valuation --csv`)."""
        if self.data is None:
            raise OSError("no chart to export")
        write_csv(path, valuation_table.HEADER, valuation_table.rows(self.data.series))
