"""Price chart of one symbol with volume and drawdown panes sharing its time axis.

The axis is real time in Hong Kong time; the line breaks wherever the market was shut (lunch,
nights, weekends) and between sparse reference points, so no flat line ever bridges a closure.
Reference points are hollow circles on a dotted line; demo bars are dashed and the title says
DEMO. A poll lands through `refresh()`, which keeps the trader's zoom.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from services.charts.series import RANGES
from services.charts.service import ChartService, PriceChartData
from services.core import formatting as fmt
from services.core.clock import daily_bar_ts, from_epoch
from services.files.atomic import write_csv
from services.market.history import SOURCE_CODES
from ui.charts.candles import MAX_VISIBLE, CandlestickItem
from ui.charts.chart_base import ChartBase, file_stem
from ui.charts.price_overlays import overlay_items
from ui.charts.theme import show_grid, with_alpha

GAP_S = {"1m": 5 * 60, "1d": 6 * 24 * 3600}  # longer than this between bars: the market was shut
SOURCE_NAMES = {code: name for name, code in SOURCE_CODES.items()}


def with_gaps(x: np.ndarray, y: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN after every gap longer than `gap`, so connect='finite' breaks the line."""
    if x.size < 2:
        return x, y
    cuts = np.flatnonzero(np.diff(x) > gap) + 1
    return np.insert(x, cuts, np.nan), np.insert(y, cuts, np.nan)


class PriceChart(ChartBase):
    alert_requested = Signal(float)  # "alert when price crosses here", at that price

    def __init__(self, service: ChartService, parent: QWidget | None = None):
        # Antialiasing and fills cost most of a frame with dense data (measured: bench/chart.py).
        pg.setConfigOptions(antialias=False)
        super().__init__(["Price", "Volume", "From peak %"], parent, grid=False)
        self.price_plot, self.volume_plot, self.drawdown_plot = self.plots
        self._service = service
        self._symbol: str | None = None
        self._range = "Max"
        self.data: PriceChartData | None = None
        self.overlays: list[pg.GraphicsObject] = []

        self.range_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        controls = QHBoxLayout()
        for key in RANGES:
            button = QToolButton(self)
            button.setText(key)
            button.setCheckable(True)
            button.setObjectName(f"range_{key}")
            group.addButton(button)
            button.clicked.connect(self._range_clicked)
            controls.addWidget(button)
            self.range_buttons[key] = button
        self.range_buttons[self._range].setChecked(True)
        self.mode = QComboBox(self)
        self.mode.addItems(["Line", "Candles"])
        self.mode.currentTextChanged.connect(self._redraw)
        self.log_scale = QCheckBox("Log", self)
        self.log_scale.toggled.connect(self._redraw)
        self.grid = QCheckBox("Grid", self)
        self.grid.toggled.connect(self._grid_toggled)
        self.readout = QLabel(self)
        self.readout.setObjectName("chart_readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        controls.addSpacing(12)
        controls.addWidget(self.mode)
        controls.addWidget(self.log_scale)
        controls.addWidget(self.grid)
        controls.addSpacing(12)
        controls.addWidget(self.readout, 1)
        self.box.insertLayout(0, controls)
        for row, stretch in enumerate((5, 1, 2)):
            self.graphics.ci.layout.setRowStretchFactor(row, stretch)

        self.line = self._curve(self.price_plot)
        self.reference = self.price_plot.plot(pen=None, symbol="o", symbolSize=9)
        self.reference_path = self.price_plot.plot(connect="finite")
        self.candles = CandlestickItem(self.theme.up, self.theme.down)
        self.price_plot.addItem(self.candles)
        self.volume = self._curve(self.volume_plot)
        self.drawdown = self._curve(self.drawdown_plot)
        self.reference_drawdown = self.drawdown_plot.plot(pen=None, symbol="o", symbolSize=7)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False)
        self.price_plot.addItem(self.crosshair, ignoreBounds=True)
        self._mouse = pg.SignalProxy(self.graphics.scene().sigMouseMoved, rateLimit=60,
                                     slot=self._mouse_moved)
        self.price_plot.sigXRangeChanged.connect(self._choose_line_or_candles)
        self.add_export(self._file_name, self.export_csv)
        self._hover_price: float | None = None
        menu = self.price_plot.getViewBox().menu
        menu.addSeparator()
        menu.addAction("Alert when price crosses here…").triggered.connect(self._alert_here)
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
        self.crosshair.setPen(pg.mkPen(with_alpha(t.foreground, 90), width=1))
        self.candles.set_colors(t.up, t.down)
        self._redraw()

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
        """New bars landed: redraw in place, keeping the trader's zoom and pan."""
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
        """Draw `data`; without reset_view the visible range stays where the trader left it."""
        self.data = data
        self._redraw()
        if reset_view:
            self.fit_view()

    # -- drawing -----------------------------------------------------------------------------
    def _y(self, values: np.ndarray | float) -> np.ndarray | float:
        """Prices in view coordinates (log10 when the log scale is on)."""
        if not self.log_scale.isChecked():
            return values
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(values)

    @Slot()
    def _redraw(self) -> None:
        for item in self.overlays:
            self.price_plot.removeItem(item)
        self.overlays = []
        data, t = self.data, self.theme
        log = self.log_scale.isChecked()
        self.price_plot.setLogMode(y=log)
        if data is None or not len(data.bars):
            for curve in (self.line, self.reference, self.reference_path, self.volume,
                          self.drawdown, self.reference_drawdown):
                curve.setData([], [])
            self.candles.set_data(*(np.empty(0),) * 5)
            self.price_plot.setTitle("No prices stored for this symbol yet")
            return
        bars = data.bars
        market = ~bars.of_source("reference")
        gap = GAP_S[bars.interval]
        x, y = with_gaps(bars.ts[market], bars.close[market], gap)
        demo = data.has_demo
        color = t.demo if demo else t.line
        self.line.setData(x, y, pen=pg.mkPen(color, width=1.6,
                                             style=Qt.PenStyle.DashLine if demo else
                                             Qt.PenStyle.SolidLine))
        ref = bars.of_source("reference")
        ref_y = np.where(np.isnan(bars.close[ref]), bars.high[ref], bars.close[ref])
        self.reference.setData(bars.ts[ref], ref_y, symbolPen=pg.mkPen(t.reference, width=1.6),
                               symbolBrush=None)
        self.reference_path.setData(bars.ts[ref], ref_y,
                                    pen=pg.mkPen(with_alpha(t.reference, 120), width=1,
                                                 style=Qt.PenStyle.DotLine))
        self.candles.set_data(bars.ts[market], *(np.asarray(self._y(a[market])) for a in
                                                 (bars.open, bars.high, bars.low, bars.close)))
        vx, vy = with_gaps(bars.ts[market], bars.volume[market], gap)
        self.volume.setData(vx, vy, pen=pg.mkPen(t.volume))
        dx, dy = with_gaps(bars.ts[market], data.drawdown[market] * 100.0, gap)
        self.drawdown.setData(dx, dy, pen=pg.mkPen(t.drawdown))
        self.reference_drawdown.setData(bars.ts[ref], data.drawdown[ref] * 100.0,
                                        symbolPen=pg.mkPen(t.drawdown, width=1.4),
                                        symbolBrush=None)
        self._draw_overlays(data)
        ins = data.instrument
        title = (f"{ins.name} {ins.symbol} · {'1-minute' if bars.interval == '1m' else 'daily'}"
                 f" · {ins.currency}")
        if ref.any():
            title += " · ○ reference points (sparse public prices, not exchange data)"
        if demo:
            title += " · <b>DEMO — simulated prices</b>"
        self.price_plot.setTitle(title, color=t.foreground, size="10pt")
        self.drawdown_plot.setTitle(self.drawdown_headline(), color=t.foreground, size="9pt")
        self._choose_line_or_candles()

    def drawdown_headline(self) -> str:
        """Now, deepest (with dates), from the 52-week high, and the gain needed to recover."""
        facts = self.data.drawdowns if self.data else None
        if facts is None:
            return ""
        now = self.data.drawdown[~np.isnan(self.data.drawdown)] if self.data else np.empty(0)
        current = f"now {fmt.percent(float(now[-1]))} · " if now.size else ""
        return (f"{current}max {fmt.percent(facts.deepest)} (peak {facts.peak.isoformat()} → "
                f"trough {facts.trough.isoformat()}) · from 52-week high "
                f"{fmt.percent(facts.from_52w_high)} · needs {fmt.percent(facts.to_recover)} "
                "to recover")

    def _add(self, item: pg.GraphicsObject) -> None:
        self.price_plot.addItem(item, ignoreBounds=True)
        self.overlays.append(item)

    def _draw_overlays(self, data: PriceChartData) -> None:
        for item in overlay_items(data, self.theme, self._y):
            self._add(item)

    def fit_view(self) -> None:
        """Show the whole range, targets and the next lock-up included."""
        data = self.data
        if data is None or not len(data.bars):
            return
        bars = data.bars
        x0, x1 = float(bars.ts[0]), float(bars.ts[-1])
        if bars.interval == "1d":
            if data.range_key != "Max":  # the whole window, however sparse the bars in it
                x0 = min(x0, float(data.start))
            ahead = [daily_bar_ts(lock.first_free_day, data.instrument.timezone)
                     for lock in data.lockups if lock.first_free_day >= data.today]
            if ahead:  # keep the next lock-up expiry in view
                x1 = max(x1, min(ahead) + 5 * 86400)
        levels = []  # daily views also frame the targets and the IPO price
        if bars.interval == "1d":
            levels = [t.price.amount for t in data.targets] + [data.instrument.offer_price or 0]
        prices = np.concatenate([bars.low, bars.high, bars.close, levels])
        prices = prices[np.isfinite(prices) & (prices > 0)]
        y0, y1 = float(prices.min()), float(prices.max())
        pad = (x1 - x0) * 0.02 or 3600
        self.price_plot.setXRange(x0 - pad, x1 + pad, padding=0)
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

    # -- readout -----------------------------------------------------------------------------
    def bar_at(self, x: float) -> int | None:
        data = self.data
        if data is None or not len(data.bars):
            return None
        i = int(np.clip(np.searchsorted(data.bars.ts, x), 0, len(data.bars) - 1))
        if i > 0 and abs(data.bars.ts[i - 1] - x) < abs(data.bars.ts[i] - x):
            i -= 1
        return i

    def readout_text(self, i: int) -> str:
        assert self.data is not None
        b, ins = self.data.bars, self.data.instrument
        ts = int(b.ts[i])
        when = from_epoch(ts, ins.timezone)
        stamp = when.date().isoformat() if b.interval == "1d" else when.strftime(
            "%Y-%m-%d %H:%M %Z")

        def num(a: np.ndarray) -> str:
            return "—" if np.isnan(a[i]) else f"{a[i]:,.2f}"

        volume = "—" if np.isnan(b.volume[i]) else f"{int(b.volume[i]):,}"
        dd = self.data.drawdown[i]
        return (f"{stamp} · O {num(b.open)} H {num(b.high)} L {num(b.low)} C {num(b.close)} · "
                f"Vol {volume} · from peak {fmt.percent(None if np.isnan(dd) else float(dd))} · "
                f"{SOURCE_NAMES[int(b.source[i])]}")

    def _mouse_moved(self, event: tuple) -> None:
        position = event[0]
        if not self.price_plot.sceneBoundingRect().contains(position):
            return
        point = self.price_plot.getViewBox().mapSceneToView(position)
        self._hover_price = float(10 ** point.y() if self.log_scale.isChecked() else point.y())
        i = self.bar_at(point.x())
        if i is None or self.data is None:
            return
        self.crosshair.setPos(float(self.data.bars.ts[i]))
        self.readout.setText(self.readout_text(i))

    @Slot()
    def _alert_here(self) -> None:
        if self._hover_price is not None and self._hover_price > 0:
            self.alert_requested.emit(round(self._hover_price, 2))

    # -- export ------------------------------------------------------------------------------
    def _file_name(self) -> str:
        return file_stem(self._symbol, self._range, bool(self.data and self.data.has_demo))

    def export_csv(self, path: Path) -> None:
        """The bars on the chart with their drawdown, times in the exchange's zone."""
        if self.data is None:
            raise OSError("no chart to export")
        b, tz = self.data.bars, self.data.instrument.timezone

        def cell(a: np.ndarray, i: int) -> float | str:
            return "" if np.isnan(a[i]) else float(a[i])

        rows = ([from_epoch(int(b.ts[i]), tz).isoformat(), int(b.ts[i]), cell(b.open, i),
                 cell(b.high, i), cell(b.low, i), cell(b.close, i), cell(b.volume, i),
                 SOURCE_NAMES[int(b.source[i])], b.currency, cell(self.data.drawdown, i)]
                for i in range(len(b)))
        write_csv(path, ["time", "ts_utc", "open", "high", "low", "close", "volume", "source",
                         "currency", "drawdown"], rows)
