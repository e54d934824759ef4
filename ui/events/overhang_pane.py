"""The Lock-ups tab: each lock-up of the selected symbol with what its expiry releases (share of
the outstanding shares and of the free float, value, days of volume), the price path around the
stock's past expiries, and the rule-derived lock-ups offered for a recent listing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core import formatting as fmt
from services.core.lockup_rules import SuggestedLockup
from services.core.overhang import PATH_SESSIONS
from services.events.overhang_text import FREE_FLOAT_DEFINITION, figure_rows
from ui.common.list_table_model import Index, ListTableModel
from ui.common.prompts import warn

if TYPE_CHECKING:  # the chart is built when the tab is first shown: no pyqtgraph at start-up
    import pyqtgraph as pg

    from services.events.overhang import OverhangReport, OverhangService


class FiguresModel(ListTableModel[tuple[str, str]]):
    headers: ClassVar[tuple[str, ...]] = ("Figure", "Value")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None or role not in (Qt.ItemDataRole.DisplayRole,
                                       Qt.ItemDataRole.ToolTipRole):
            return None
        return row[index.column()]


class OffersModel(ListTableModel[SuggestedLockup]):
    headers: ClassVar[tuple[str, ...]] = ("Basis", "Holders", "First free day",
                                          "Locked through", "From")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        offer = self.item(index)
        if offer is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return offer.note
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (offer.rule.basis, offer.rule.holders, offer.first_free_day.isoformat(),
                offer.locked_through.isoformat(), offer.rule.source)[index.column()]


def _table(parent: QWidget, model: ListTableModel, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class OverhangPane(QWidget):
    lockups_changed = Signal()  # the trader confirmed an offered lock-up
    edit_requested = Signal()  # "Edit lock-ups…": the reference data editor

    def __init__(self, service: Callable[[], OverhangService], parent: QWidget | None = None):
        """`service` gives the overhang service when the tab is first shown."""
        super().__init__(parent)
        self.setObjectName("overhang_pane")
        self._service = service
        self._symbol: str | None = None
        self.report: OverhangReport | None = None
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.lockup = QComboBox(self)
        self.lockup.setObjectName("overhang_lockup")
        self.lockup.currentIndexChanged.connect(self._show_figures)
        edit = QPushButton("Edit lock-ups…", self)
        edit.clicked.connect(self.edit_requested)
        self.figures = FiguresModel(self)
        self.missing = QLabel(self)
        self.missing.setWordWrap(True)
        self._plot: pg.PlotWidget | None = None
        self.path_note = QLabel(self)
        self.path_note.setWordWrap(True)
        self.offers = OffersModel(self)
        self.offers_view = _table(self, self.offers, "overhang_offers")
        self.offers_box = QGroupBox("Lock-ups the Listing Rules imply (not filings: confirm "
                                    "to record them as yours, then edit as needed)", self)
        confirm = QPushButton("Confirm selected", self.offers_box)
        confirm.setObjectName("overhang_confirm")
        confirm.clicked.connect(self.confirm_selected)
        box = QVBoxLayout(self.offers_box)
        box.addWidget(self.offers_view)
        box.addWidget(confirm, 0, Qt.AlignmentFlag.AlignRight)

        top = QHBoxLayout()
        top.addWidget(QLabel("Lock-up:", self))
        top.addWidget(self.lockup, 1)
        top.addWidget(edit)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(_table(self, self.figures, "overhang_figures"), 1)
        left.addWidget(self.missing)
        self._right = right = QVBoxLayout()
        right.addWidget(self.path_note)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addWidget(self.offers_box)

    @Slot(str)
    def show_symbol(self, symbol: str | None) -> None:
        self._symbol = symbol
        if self.isVisible():
            self.reload()

    @Slot()
    def refresh(self) -> None:
        """New prices or facts: redraw now when shown, else when next shown."""
        if self.isVisible():
            self.reload()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.reload()

    @Slot()
    def reload(self) -> None:
        if not self._symbol:
            self.report = None
            self.title.setText("Select a symbol to see its lock-ups.")
            return
        try:
            report = self._service().report(self._symbol)
        except KeyError:
            return
        self.report = report
        ins = report.instrument
        self.title.setText(f"<b>{ins.name} {ins.symbol}</b> — lock-ups on "
                           f"{report.today.isoformat()} (Hong Kong). {FREE_FLOAT_DEFINITION}")
        chosen = self.lockup.currentIndex()
        self.lockup.blockSignals(True)
        self.lockup.clear()
        for figures in report.figures:
            self.lockup.addItem(f"{fmt.lockup_day(figures.lockup, report.today)} · "
                                f"{figures.lockup.holders}")
        upcoming = [i for i, f in enumerate(report.figures) if f.days_left >= 0]
        keep = 0 <= chosen < len(report.figures) and self.lockup.count() == len(report.figures)
        self.lockup.setCurrentIndex(chosen if keep and chosen >= 0 else
                                    upcoming[0] if upcoming else len(report.figures) - 1)
        self.lockup.blockSignals(False)
        self._show_figures()
        self._draw_paths(report)
        self.offers.reset_items(report.offers)
        self.offers_box.setVisible(bool(report.offers))

    @Slot()
    def _show_figures(self) -> None:
        report, index = self.report, self.lockup.currentIndex()
        if report is None or not 0 <= index < len(report.figures):
            self.figures.reset_items([])
            self.missing.setText("No lock-up recorded." if report else "")
            return
        figures = report.figures[index]
        self.figures.reset_items(figure_rows(figures, report.instrument.timezone))
        reasons = figures.missing()
        self.missing.setText("Not shown: " + "; ".join(reasons) + "." if reasons else "")

    @property
    def plot(self) -> pg.PlotWidget:
        """The price-path chart, made on first use."""
        if self._plot is None:
            import pyqtgraph as pg

            plot = pg.PlotWidget(self)
            plot.setObjectName("overhang_chart")
            plot.setMinimumHeight(160)
            plot.setLabel("bottom", "sessions from the first free trading day (T)")
            plot.setLabel("left", "close, T−1 = 100")
            plot.addLegend(offset=(10, 10))
            self._right.insertWidget(0, plot, 1)
            self._plot = plot
        return self._plot

    def _draw_paths(self, report: OverhangReport) -> None:
        import pyqtgraph as pg

        from ui.charts.theme import current_theme

        theme = current_theme()
        self.plot.clear()
        self.plot.setBackground(theme.background)
        self.plot.setXRange(-PATH_SESSIONS, PATH_SESSIONS)
        self.plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen(
            theme.lockup_next, style=Qt.PenStyle.DashLine)))
        self.plot.addItem(pg.InfiniteLine(100, angle=0, pen=pg.mkPen(
            theme.foreground, style=Qt.PenStyle.DotLine)))
        for i, path in enumerate(report.paths):
            color = theme.palette[i % len(theme.palette)]
            self.plot.plot(list(path.offsets), list(path.rebased),
                           pen=pg.mkPen(color, width=2), symbol="o", symbolSize=4,
                           symbolBrush=color,
                           name=f"{path.lockup.free_to_trade.isoformat()} "
                                f"{path.lockup.holders}")
        self.plot.setVisible(bool(report.paths))  # an empty frame would only look broken
        if report.paths:
            notes = [f"{p.lockup.free_to_trade.isoformat()}: T {p.rebased[p.offsets.index(0)]:.1f}"
                     f", T{p.offsets[-1]:+d} {p.rebased[-1]:.1f} ({p.source} daily closes, "
                     f"100 = close of {p.base_day.isoformat()})" for p in report.paths]
            self.path_note.setText("Price around past expiries — " + "; ".join(notes))
        else:
            self.path_note.setText("No past expiry of this stock has daily closes stored "
                                   "around it (Yahoo history or an imported file).")

    @Slot()
    def confirm_selected(self) -> None:
        rows = sorted({index.row() for index in self.offers_view.selectionModel().selectedRows()})
        if not rows:
            warn(self, "Nothing confirmed", "Select the offered lock-ups to confirm first.")
            return
        for row in rows:
            self._service().confirm(self.offers.items[row])
        self.reload()
        self.lockups_changed.emit()
