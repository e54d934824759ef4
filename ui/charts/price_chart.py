"""Price chart of one symbol with volume and drawdown panes sharing its time axis.

Daily ranges are drawn on real time in Hong Kong time, the line broken wherever the market was
shut for long and between sparse reference points. Intraday ranges (1D, 5D) are drawn by bar
index, so the lunch break and nights take no room, as in every trading app, with the previous
close as a dashed line. Reference points are hollow circles on a dotted line; demo bars are
dashed and the title says DEMO.

A poll lands through `refresh()`: while the newest bar is in view the view moves with the new
bars; once the trader has panned away it stays put, and "Back to live" brings it back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QWidget,
)

from services.charts.service import ChartService, PriceChartData
from services.core import formatting as fmt
from services.core.clock import daily_bar_ts
from ui.charts.axes import PriceAxis, SessionAxis, price_label
from ui.charts.candles import MAX_VISIBLE, CandlestickItem
from ui.charts.chart_base import DAILY_GAP_S, ChartBase, file_stem, set_title, with_gaps
from ui.charts.crosshair import Crosshair
from ui.charts.label_layout import Placed, spread_labels
from ui.charts.price_controls import PriceControls
from ui.charts.price_overlays import Overlay, overlay_labels, overlays
from ui.charts.price_readout import bar_time, drawdown_headline, readout_text, write_price_csv
from ui.charts.theme import show_grid, with_alpha
from ui.charts.volume_bars import VolumeBars


class PriceChart(ChartBase):
    alert_requested = Signal(float)  # "alert when price crosses here", at that price

    def __init__(self, service: ChartService, parent: QWidget | None = None):
        # Antialiasing and fills cost most of a frame with dense data (measured: bench/chart.py).
        pg.setConfigOptions(antialias=False)
        super().__init__(["Price", "Volume", "From peak %"], parent, grid=False)
        self.price_plot, self.volume_plot, self.drawdown_plot = self.plots
        self.time_axis = SessionAxis()
        self.drawdown_plot.setAxisItems({"bottom": self.time_axis})
        self.price_plot.setAxisItems({"left": PriceAxis("left")})
        self.price_plot.setLabel("left", "Price")
        self.price_plot.getAxis("left").setWidth(70)
        self.drawdown_plot.setLimits(yMin=-100.0, yMax=100.0)  # a fall never exceeds 100 %
        self._service = service
        self._symbol: str | None = None
        self._range = "Max"
        self.data: PriceChartData | None = None
        self.x = np.empty(0)  # each bar's x: its time, or its index on intraday ranges
        self.overlays: list[pg.GraphicsObject] = []
        self.labels: list[Placed] = []
        self._overlaid: list[Overlay] = []  # what self.overlays draw, in which theme
        self._overlaid_theme: object = None
        self.controls = PriceControls(self, self._range)
        c = self.controls
        self.range_buttons, self.mode, self.log_scale = c.range_buttons, c.mode, c.log_scale
        self.grid, self.live_button, self.readout = c.grid, c.live_button, c.readout
        for button in self.range_buttons.values():
            button.clicked.connect(self._range_clicked)
        self.mode.currentTextChanged.connect(self._redraw)
        self.log_scale.toggled.connect(self._log_toggled)
        self.grid.toggled.connect(self._grid_toggled)
        self.live_button.clicked.connect(self.back_to_live)
        self.box.insertLayout(0, c)
        for row, stretch in enumerate((5, 1, 2)):
            self.graphics.ci.layout.setRowStretchFactor(row, stretch)

        self.line = self._curve(self.price_plot)
        self.reference = self.price_plot.plot(pen=None, symbol="o", symbolSize=9)
        self.reference_path = self.price_plot.plot(connect="finite")
        self.candles = CandlestickItem(self.theme.up, self.theme.down)
        self.price_plot.addItem(self.candles)
        self.volume = VolumeBars(self.theme.up, self.theme.down)
        self.volume_plot.addItem(self.volume)
        self.drawdown = self._curve(self.drawdown_plot)
        self.reference_drawdown = self.drawdown_plot.plot(pen=None, symbol="o", symbolSize=7)
        self.crosshair = Crosshair(self.graphics, self.plots, self._axis_value)
        self._mouse = pg.SignalProxy(self.graphics.scene().sigMouseMoved, rateLimit=60,
                                     slot=self._mouse_moved)
        self._relabel = QTimer(self, singleShot=True, interval=40)  # once the view settles
        self._relabel.timeout.connect(self.lay_out_labels)
        self.price_plot.sigXRangeChanged.connect(self._view_changed)
        self.price_plot.sigYRangeChanged.connect(self._relabel.start)
        self.price_plot.getViewBox().sigResized.connect(self._relabel.start)
        self.add_export(self._file_name, self.export_csv)
        self._hover_price: float | None = None
        self.menu_action("Alert when price crosses here…").triggered.connect(self._alert_here)
        self.menu_action("Show the whole range").triggered.connect(self.fit_view)
        self.apply_theme()

    @staticmethod
    def _curve(plot: pg.PlotItem) -> pg.PlotDataItem:
        curve = plot.plot(connect="finite")
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        return curve

    def apply_theme(self) -> None:
        super().apply_theme()
        t = self.theme
        self.crosshair.apply_theme(t)
        self.candles.set_colors(t.up, t.down)
        self.volume.set_colors(with_alpha(t.up, 170), with_alpha(t.down, 170))
        self._redraw()

    @Slot()
    def _log_toggled(self) -> None:
        """Prices change scale: the same time span, the prices framed again."""
        (x0, x1), _ = self.price_plot.viewRange()
        self._redraw()
        self.fit_view()
        if self.x.size:
            self.price_plot.setXRange(x0, x1, padding=0)

    @Slot(bool)
    def _grid_toggled(self, on: bool) -> None:
        show_grid(self.plots, on)

    # -- what to show ------------------------------------------------------------------------
    def show_symbol(self, symbol: str | None) -> None:
        self._symbol = symbol
        self.reload(reset_view=True)

    def set_range(self, key: str) -> None:
        self._range = key
        self.range_buttons[key].setChecked(True)
        self.reload(reset_view=True)

    @Slot()
    def refresh(self) -> None:
        """New bars landed: redraw in place, following them while the newest bar is in view."""
        self.reload(reset_view=False)

    @Slot()
    def _range_clicked(self) -> None:
        button = self.sender()
        key = next(k for k, b in self.range_buttons.items() if b is button)
        self.set_range(key)

    def reload(self, reset_view: bool) -> None:
        data = None if self._symbol is None else self._service.price_chart(self._symbol,
                                                                          self._range)
        self.show_data(data, reset_view)

    def show_data(self, data: PriceChartData | None, reset_view: bool = True) -> None:
        """Draw `data`; without reset_view the view keeps the bars it showed, moved along with
        new ones when the newest bar was in view (the live edge)."""
        old = self.data
        (x0, x1), _ = self.price_plot.viewRange()
        anchor = None  # the newest bar shown before, and the view around it
        if not reset_view and old is not None and len(old.bars) and self.x.size:
            anchor = (int(old.bars.ts[-1]), x0 - self.x[-1], x1 - self.x[-1], self.at_live_edge())
        self.data = data
        self._redraw()
        if reset_view or anchor is None or data is None or not len(data.bars):
            self.readout.clear()  # it described a bar of the chart before
            self.crosshair.hide()
            self.fit_view()
            return
        last_ts, left, right, live = anchor
        base = self.x[-1] if live else self.x_of(last_ts)
        self.price_plot.setXRange(base + left, base + right, padding=0)

    def intraday(self) -> bool:
        return self.data is not None and self.data.bars.interval == "1m"

    def x_of(self, ts: float) -> float:
        """A time's x on the chart (on intraday ranges: the index of the bar at that time)."""
        if not self.intraday() or self.data is None:
            return float(ts)
        return float(np.searchsorted(self.data.bars.ts, ts))

    def at_live_edge(self) -> bool:
        """The newest bar is in view (the trader has not panned back in time)."""
        if not self.x.size:
            return True
        (x0, x1), _ = self.price_plot.viewRange()
        return x1 >= self.x[-1] and x0 <= self.x[-1]

    @Slot()
    def back_to_live(self) -> None:
        (x0, x1), _ = self.price_plot.viewRange()
        if self.x.size:
            right = self.x[-1] + max((x1 - x0) * 0.02, 1.0 if self.intraday() else 3600.0)
            self.price_plot.setXRange(right - (x1 - x0), right, padding=0)

    @Slot()
    def _view_changed(self) -> None:
        self.live_button.setVisible(bool(self.x.size) and not self.at_live_edge())
        self._choose_line_or_candles()
        self._relabel.start()

    # -- drawing -----------------------------------------------------------------------------
    def _y(self, values: np.ndarray | float) -> np.ndarray | float:
        """Prices in view coordinates (log10 when the log scale is on)."""
        if not self.log_scale.isChecked():
            return values
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(values)

    @Slot()
    def _redraw(self) -> None:
        data, t = self.data, self.theme
        self.price_plot.setLogMode(y=self.log_scale.isChecked())
        if data is None or not len(data.bars):
            self.x = np.empty(0)
            for curve in (self.line, self.reference, self.reference_path, self.drawdown,
                          self.reference_drawdown):
                curve.setData([], [])
            self.volume.set_data(*(np.empty(0),) * 4)
            self.candles.set_data(*(np.empty(0),) * 5)
            self.time_axis.set_bars(None)
            self._show_overlays([])
            set_title(self.price_plot, "No prices stored for this symbol yet")
            self.live_button.hide()
            return
        bars = data.bars
        intraday = bars.interval == "1m"
        self.x = np.arange(len(bars), dtype=float) if intraday else bars.ts.astype(float)
        self.time_axis.set_bars(bars.ts if intraday else None, data.instrument.timezone)
        market = ~bars.of_source("reference")
        gap = np.inf if intraday else DAILY_GAP_S
        xm = self.x[market]
        x, y = with_gaps(xm, bars.close[market], gap)
        demo = data.has_demo
        color = t.demo if demo else t.line
        self.line.setData(x, y, pen=pg.mkPen(color, width=1.6, style=Qt.PenStyle.DashLine
                                             if demo else Qt.PenStyle.SolidLine),
                          symbol="o" if market.sum() == 1 else None, symbolSize=7,
                          symbolBrush=color, symbolPen=color)  # one bar: a dot, not nothing
        ref = bars.of_source("reference")
        ref_y = np.where(np.isnan(bars.close[ref]), bars.high[ref], bars.close[ref])
        self.reference.setData(self.x[ref], ref_y, symbolPen=pg.mkPen(t.reference, width=1.6),
                               symbolBrush=None)
        self.reference_path.setData(self.x[ref], ref_y,
                                    pen=pg.mkPen(with_alpha(t.reference, 120), width=1,
                                                 style=Qt.PenStyle.DotLine))
        self.candles.set_data(xm, *(np.asarray(self._y(a[market])) for a in
                                    (bars.open, bars.high, bars.low, bars.close)))
        self.volume.set_data(xm, bars.volume[market], bars.open[market], bars.close[market])
        dx, dy = with_gaps(xm, data.drawdown[market] * 100.0, gap)
        self.drawdown.setData(dx, dy, pen=pg.mkPen(t.drawdown))
        self.reference_drawdown.setData(self.x[ref], data.drawdown[ref] * 100.0,
                                        symbolPen=pg.mkPen(t.drawdown, width=1.4),
                                        symbolBrush=None)
        self._show_overlays(overlays(data, t, self._y, self._overlay_x))
        ins = data.instrument
        title = (f"{ins.name} {ins.symbol} · {'1-minute' if intraday else 'daily'}"
                 f" · {ins.currency}")
        if ref.any():
            title += " · ○ reference points, not exchange data"
        if demo:
            title += " · <b>DEMO — simulated prices</b>"
        set_title(self.price_plot, title, color=t.foreground, size="10pt")
        set_title(self.drawdown_plot, self.drawdown_headline(), color=t.foreground, size="8pt")
        self._view_changed()

    def _show_overlays(self, wanted: list[Overlay]) -> None:
        """Draw `wanted`, keeping the items when the same markers are drawn already."""
        if wanted == self._overlaid and self.theme is self._overlaid_theme:
            return
        for item in self.overlays:
            self.price_plot.removeItem(item)
        self.overlays = [overlay.item(self.theme) for overlay in wanted]
        for item in self.overlays:
            self.price_plot.addItem(item, ignoreBounds=True)
        self.labels = overlay_labels(self.overlays)
        self._overlaid, self._overlaid_theme = wanted, self.theme

    def _overlay_x(self, ts: int) -> float | None:
        """Where a dated marker goes; None when its day is not on an intraday chart."""
        if not self.intraday():
            return float(ts)
        assert self.data is not None
        bars = self.data.bars
        if not bars.ts[0] <= ts <= bars.ts[-1]:
            return None
        return self.x_of(ts)

    @Slot()
    def lay_out_labels(self) -> None:
        spread_labels(self.labels)

    def drawdown_headline(self) -> str:
        return drawdown_headline(self.data) if self.data else ""

    @Slot()
    def fit_view(self) -> None:
        """Show the whole range, targets and the next lock-up included."""
        data = self.data
        if data is None or not len(data.bars):
            return
        bars = data.bars
        x0, x1 = float(self.x[0]), float(self.x[-1])
        levels: list[float] = []
        if bars.interval == "1d":
            if data.range_key != "Max":  # the whole window, however sparse the bars in it
                x0 = min(x0, float(data.start))
            ahead = [daily_bar_ts(lock.first_free_day, data.instrument.timezone)
                     for lock in data.lockups if lock.first_free_day >= data.today]
            if ahead:  # keep the next lock-up expiry in view
                x1 = max(x1, min(ahead) + 5 * 86400)
            # daily views also frame the targets and the IPO price
            levels = [t.price.amount for t in data.targets] + [data.instrument.offer_price or 0]
        elif data.previous_close:
            levels = [data.previous_close]
        prices = np.concatenate([bars.low, bars.high, bars.close, levels])
        prices = prices[np.isfinite(prices) & (prices > 0)]
        y0, y1 = float(prices.min()), float(prices.max())
        pad = (x1 - x0) * 0.02 or (3.0 if self.intraday() else 3 * 86400)
        # intraday: room on the left for the session's date under its first bar
        left = max(pad, (x1 - x0) * 0.06) if self.intraday() else pad
        self.price_plot.setXRange(x0 - left, x1 + pad, padding=0)
        self.price_plot.setYRange(float(self._y(y0 * 0.95)), float(self._y(y1 * 1.05)),
                                  padding=0)
        self.volume_plot.enableAutoRange(y=True)
        self.drawdown_plot.enableAutoRange(y=True)

    @Slot()
    def _choose_line_or_candles(self) -> None:
        """Candles when asked for and few enough are in view; the line otherwise."""
        (x0, x1), _ = self.price_plot.viewRange()
        candles = (self.mode.currentText() == "Candles"
                   and self.candles.visible_count(x0, x1) <= MAX_VISIBLE)
        self.candles.setVisible(candles)
        self.line.setVisible(not candles)

    # -- crosshair and readout ---------------------------------------------------------------
    def bar_at(self, x: float) -> int | None:
        if not self.x.size:
            return None
        i = int(np.clip(np.searchsorted(self.x, x), 0, self.x.size - 1))
        if i > 0 and abs(self.x[i - 1] - x) < abs(self.x[i] - x):
            i -= 1
        return i

    def _axis_value(self, plot: pg.PlotItem, y: float) -> str:
        if plot is self.price_plot:
            return price_label(10 ** y if self.log_scale.isChecked() else y)
        if plot is self.volume_plot:
            return f"{max(y, 0):,.0f}"
        return fmt.percent(y / 100.0)

    def _mouse_moved(self, event: tuple) -> None:
        position = event[0]
        view = self.price_plot.getViewBox()
        point = view.mapSceneToView(position)
        i = self.bar_at(point.x())
        if i is None or self.data is None:
            self.crosshair.hide()
            return
        if self.price_plot.sceneBoundingRect().contains(position):
            self._hover_price = float(10 ** point.y() if self.log_scale.isChecked()
                                      else point.y())
        self.crosshair.show_at(position, float(self.x[i]), bar_time(self.data, i))
        self.readout.setText(self.readout_text(i))

    def readout_text(self, i: int) -> str:
        assert self.data is not None
        return readout_text(self.data, i)

    @Slot()
    def _alert_here(self) -> None:
        if self._hover_price is not None and self._hover_price > 0:
            self.alert_requested.emit(round(self._hover_price, 2))

    # -- export ------------------------------------------------------------------------------
    def _file_name(self) -> str:
        return file_stem(self._symbol, self._range, bool(self.data and self.data.has_demo))

    def export_csv(self, path: Path) -> None:
        if self.data is None:
            raise OSError("no chart to export")
        write_price_csv(self.data, path)
