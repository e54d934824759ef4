"""Market cap with the share count valid on each date, and P/S against the valuation bands."""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from services.charts.series import REVENUE_BASES, revenue_on
from services.charts.service import ChartService, ValuationChartData
from services.charts.valuation_text import band_position, implied_market_caps
from services.core import formatting as fmt
from services.core.clock import from_epoch
from services.core.models import Money
from services.files.atomic import write_csv
from ui.charts.chart_base import ChartBase, file_stem
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
        for key, label in REVENUE_BASES.items():
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
        self.overlays: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []
        self.summary = QLabel(self)
        self.summary.setObjectName("valuation_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.box.addWidget(self.summary)
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
        s = data.series
        known = ~np.isnan(s.market_cap)
        color = t.demo if data.has_demo else t.line
        self.cap_curve.setData(s.ts[known], s.market_cap[known] / 1e9,
                               pen=pg.mkPen(color, width=1.6), symbol="o", symbolSize=5,
                               symbolBrush=color)
        self.cap_plot.setLabel("left", f"Market cap ({s.currency} bn)")
        has_ps = ~np.isnan(s.price_to_sales)
        self.ps_curve.setData(s.ts[has_ps], s.price_to_sales[has_ps],
                              pen=pg.mkPen(color, width=1.6), symbol="o", symbolSize=5,
                              symbolBrush=color)
        for i, band in enumerate(sorted(data.bands, key=lambda b: b.ps_low)):
            region = pg.LinearRegionItem(values=(np.log10(band.ps_low), np.log10(band.ps_high)),
                                         orientation="horizontal", movable=False,
                                         brush=with_alpha(t.palette[i % len(t.palette)], 45),
                                         pen=pg.mkPen(None))
            pg.InfLineLabel(region.lines[1], text=f"{band.name} {band.ps_low:g}–{band.ps_high:g}x",
                            position=0.02 + 0.2 * i, anchors=[(0, 1), (0, 1)],
                            color=with_alpha(t.foreground, 200))
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
        self.summary.setText(self.summary_html())
        title = f"{data.instrument.name} {data.instrument.symbol} · valuation"
        if data.has_demo:
            title += " · <b>DEMO — simulated prices</b>"
        self.cap_plot.setTitle(title, color=t.foreground, size="10pt")

    def summary_html(self) -> str:
        """'At HK$x, Zhipu trades at y times FY2025 revenue — inside the L2 band', plus the
        price each band implies and the market cap each analyst target implies."""
        data = self.data
        assert data is not None
        s, ins = data.series, data.instrument
        has_ps = np.flatnonzero(~np.isnan(s.price_to_sales))
        if data.last_close is None or not has_ps.size:
            return "Not enough data (price, share count, revenue and FX rate) for P/S."
        i = int(has_ps[-1])
        ps = float(s.price_to_sales[i])
        when = from_epoch(int(s.ts[i]), ins.timezone).date().isoformat()
        price = fmt.money(Money(data.last_close, ins.currency))
        figure = revenue_on(data.revenue, from_epoch(int(s.ts[i]), ins.timezone).date(),
                            s.basis)
        period = f"{figure.period} " if figure else ""
        demo = " <b>(DEMO price)</b>" if data.has_demo else ""
        lines = [f"At {price} on {when}{demo}, {escape(ins.name)} trades at <b>{ps:,.1f} times"
                 f"</b> {escape(period)}revenue ({REVENUE_BASES[s.basis]}) — "
                 f"{escape(band_position(ps, data.bands))}."]
        if data.band_prices:
            lines.append("Price implied by each band today: " + "; ".join(
                f"{escape(b.band.name)} {fmt.money(b.low)}–{fmt.money(b.high)}"
                for b in data.band_prices) + ".")
        caps = implied_market_caps(data.targets, s.shares)
        if caps:
            lines.append("Market cap implied by each analyst target: " + "; ".join(
                f"{escape(name)} {fmt.compact_money(cap)}" for name, cap in caps) + ".")
        return "<br>".join(lines)

    def _file_name(self) -> str:
        return file_stem(self._symbol, "valuation", bool(self.data and self.data.has_demo))

    def export_csv(self, path: Path) -> None:
        if self.data is None:
            raise OSError("no chart to export")
        s, tz = self.data.series, self.data.instrument.timezone
        source = "demo" if self.data.has_demo else "stored"
        rows = ([from_epoch(int(s.ts[i]), tz).date().isoformat(), int(s.shares[i]),
                 float(s.market_cap[i]), s.currency,
                 "" if np.isnan(s.price_to_sales[i]) else float(s.price_to_sales[i]), s.basis,
                 source]
                for i in range(s.ts.size) if not np.isnan(s.market_cap[i]))
        write_csv(path, ["date", "shares", "market_cap", "currency", "price_to_sales",
                         "revenue_basis", "prices"], rows)
