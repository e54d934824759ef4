"""The events calendar: every dated event across the watchlists, with days left, filtered by
kind, symbol and horizon, and saved as an iCalendar file on request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.events import MARKET, DatedEvent, EventKind
from services.events.agenda import EventsService, Horizon
from services.events.ics import write_ics
from ui.common.prompts import ask_save_path, warn
from ui.common.workers import Background
from ui.events.events_model import Column, EventsFilter, EventsModel

ANY = "All"
# What the horizon box offers: (label, first day, last day) relative to today.
HORIZONS: tuple[tuple[str, int, int | None], ...] = (
    ("Next 7 days", 0, 7), ("Next 30 days", 0, 30), ("Next 90 days", 0, 90),
    ("Next 365 days", 0, 365), ("All upcoming", 0, None), ("Past 90 days", -90, -1),
    ("Past year and next year", -365, 365))
LOADED = Horizon(ahead=None, past=365)  # everything the filters can show, read once


class EventsDialog(QDialog):
    def __init__(self, service: EventsService, demo: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("events_dialog")
        self.setWindowTitle("Events calendar" + (" — DEMO" if demo else ""))
        self._service = service
        self._demo = demo
        self.model = EventsModel(self)
        self.proxy = EventsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.kind = QComboBox(self)
        self.kind.setObjectName("events_kind")
        self.kind.addItems([ANY, *(str(k) for k in EventKind)])
        self.symbol = QComboBox(self)
        self.symbol.setObjectName("events_symbol")
        self.horizon = QComboBox(self)
        self.horizon.setObjectName("events_horizon")
        self.horizon.addItems([label for label, _, _ in HORIZONS])
        self.horizon.setCurrentText("Next 90 days")
        self.table = QTableView(self)
        self.table.setObjectName("events_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.DATE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.EVENT, QHeaderView.ResizeMode.Stretch)
        self.count = QLabel(self)
        export = QPushButton("Save as iCalendar (.ics)…", self)
        export.clicked.connect(self.export)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)

        filters = QHBoxLayout()
        for label, box in (("Kind", self.kind), ("Symbol", self.symbol),
                           ("When", self.horizon)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(box)
        filters.addStretch(1)
        filters.addWidget(self.count)
        buttons = QHBoxLayout()
        demo_note = "DEMO database. " if demo else ""
        buttons.addWidget(QLabel(f"{demo_note}Dates from the reference data (each with its "
                                 "source), your alert rules and the HKEX trading calendar.",
                                 self), 1)
        buttons.addWidget(export)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        for box in (self.kind, self.symbol, self.horizon):
            box.currentIndexChanged.connect(self._filter)
        self.resize(1100, 560)
        self._calendar = Background(self)
        self._calendar.finished.connect(self.reload)
        self._calendar.failed.connect(self.reload)  # then without holidays, not stuck
        if service.market.loaded:
            self.reload()
        else:  # before the first poll: the exchange calendar loads on a worker thread
            self.count.setText("Loading the HKEX calendar…")
            self._calendar.run(service.market.load)

    @Slot()
    def reload(self) -> None:
        """Read the events again (after reference data or alert rules changed)."""
        if self._calendar.busy:
            return  # the calendar's arrival reloads
        chosen = self.symbol.currentText()
        self.symbol.blockSignals(True)
        self.symbol.clear()
        self.symbol.addItems([ANY, *self._service.symbols(), MARKET])
        self.symbol.setCurrentText(chosen or ANY)
        self.symbol.blockSignals(False)
        self.model.set_events(self._service.events(LOADED), self._service.today())
        self._filter()

    @Slot()
    def _filter(self) -> None:
        kind = None if self.kind.currentText() == ANY else EventKind(self.kind.currentText())
        symbol = None if self.symbol.currentText() == ANY else self.symbol.currentText()
        _, first, last = HORIZONS[self.horizon.currentIndex()]
        self.proxy.set_filter(kind, symbol, (first, last))
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} events")

    def shown_events(self) -> list[DatedEvent]:
        return [self.model.items[self.proxy.mapToSource(self.proxy.index(row, 0)).row()]
                for row in range(self.proxy.rowCount())]

    @Slot()
    def export(self) -> None:
        """The events the filters show, as an .ics file (replaced atomically)."""
        path = ask_save_path(self, "Save events as iCalendar", "harbourwatch-events.ics",
                             "iCalendar (*.ics)")
        if path:
            self.save_ics(Path(path))

    def save_ics(self, path: Path) -> bool:
        try:
            write_ics(path, self.shown_events(), self._service.now(), self._demo)
        except OSError as error:
            warn(self, "Events not saved", str(error))
            return False
        return True
