"""The tabs under the watchlist: Details, Price, Valuation, Compare.

Charts are built the first time their tab is shown, never before the window's first paint, and
only the visible one redraws; hidden ones catch up when shown. That keeps start-up at the cost
of the table and the details, even when the last session left a chart open (it follows the
first paint, saying it is on its way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.watchlist.detail_pane import DetailPane

if TYPE_CHECKING:  # imported when a chart tab is first shown: pyqtgraph is not needed before
    from services.charts.service import ChartService
    from ui.charts.comparison_chart import ComparisonChart
    from ui.charts.price_chart import PriceChart
    from ui.charts.valuation_chart import ValuationChart

DETAILS, PRICE, VALUATION, COMPARE = range(4)


class ChartTabs(QTabWidget):
    alert_requested = Signal(float)  # relayed from the price chart's context menu

    def __init__(self, charts: Callable[[], ChartService], parent: QWidget | None = None):
        """`charts` gives the chart service when a chart is first built (it loads numpy)."""
        super().__init__(parent)
        self.setObjectName("detail_tabs")
        self.detail = DetailPane(self)
        self._charts = charts
        self._factories: dict[int, Callable[[], QWidget]] = {
            PRICE: self._price, VALUATION: self._valuation, COMPARE: self._comparison}
        self._built: dict[int, QWidget] = {}
        self._stale: set[int] = set()  # built charts whose data changed while hidden
        self._new_symbol: set[int] = set()  # ... and whose symbol changed: reload and fit
        self._symbol: str | None = None
        self._symbols: list[str] = []
        self._painted = False  # charts wait for the window's first paint
        self.addTab(self.detail, "Details")
        for index, title in ((PRICE, "Price"), (VALUATION, "Valuation"), (COMPARE, "Compare")):
            holder = QWidget(self)
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            waiting = QLabel(f"Loading the {title.lower()} chart…", holder)
            waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(waiting)
            self.insertTab(index, holder, title)
        self.currentChanged.connect(self._shown)

    def window_painted(self) -> None:
        """The window is on screen: the chart left open, if any, is built now."""
        self._painted = True
        self._shown(self.currentIndex())

    def _price(self) -> QWidget:
        from ui.charts.price_chart import PriceChart

        chart = PriceChart(self._charts(), self)
        chart.alert_requested.connect(self.alert_requested)
        return chart

    def _valuation(self) -> QWidget:
        from ui.charts.valuation_chart import ValuationChart

        return ValuationChart(self._charts(), self)

    def _comparison(self) -> QWidget:
        from ui.charts.comparison_chart import ComparisonChart

        return ComparisonChart(self._charts(), self)

    def chart(self, index: int) -> QWidget:
        """The chart of a tab, built (and filled) on first use."""
        if index not in self._built:
            chart = self._factories[index]()
            layout = self.widget(index).layout()
            assert layout is not None
            waiting = layout.takeAt(0).widget()  # the "Loading…" label
            waiting.deleteLater()
            layout.addWidget(chart)
            self._built[index] = chart
            self._update(index)
        return self._built[index]

    @property
    def price_chart(self) -> PriceChart:
        return self.chart(PRICE)  # type: ignore[return-value]

    @property
    def valuation_chart(self) -> ValuationChart:
        return self.chart(VALUATION)  # type: ignore[return-value]

    @property
    def comparison_chart(self) -> ComparisonChart:
        return self.chart(COMPARE)  # type: ignore[return-value]

    def set_symbol(self, symbol: str | None) -> None:
        self._symbol = symbol
        self._invalidate((PRICE, VALUATION), reset=True)

    def set_symbols(self, symbols: list[str]) -> None:
        if symbols != self._symbols:
            self._symbols = list(symbols)
            self._invalidate((COMPARE,), reset=True)

    def refresh(self) -> None:
        """New data landed: redraw the visible chart in place, the others when shown."""
        self._invalidate((PRICE, VALUATION, COMPARE), reset=False)

    def apply_theme(self) -> None:
        for chart in self._built.values():
            chart.apply_theme()  # type: ignore[attr-defined]

    def _invalidate(self, indices: tuple[int, ...], reset: bool) -> None:
        for index in indices:
            if index not in self._built:
                continue
            self._stale.add(index)
            if reset:
                self._new_symbol.add(index)
            if self.currentIndex() == index:
                self._update(index)

    @Slot(int)
    def _shown(self, index: int) -> None:
        if index in self._factories:
            if index not in self._built:
                if self._painted:
                    self.chart(index)
            elif index in self._stale:
                self._update(index)

    def _update(self, index: int) -> None:
        reset = index in self._new_symbol or index not in self._stale  # not stale: first build
        self._stale.discard(index)
        self._new_symbol.discard(index)
        if index == PRICE:
            if reset:
                self.price_chart.show_symbol(self._symbol)
            else:
                self.price_chart.refresh()
        elif index == VALUATION:
            self.valuation_chart.show_symbol(self._symbol)
        elif index == COMPARE:
            self.comparison_chart.show_symbols(self._symbols)
