"""The main window: watchlist table, detail pane for the selected symbol, feed status bar."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QSettings, QSortFilterProxyModel, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QToolBar,
)

from services.clock import Clock
from services.feed_status import price_status
from services.watchlist_service import WatchlistService
from ui import settings as cfg
from ui.detail_pane import DetailPane
from ui.watchlist_table_model import SORT_ROLE, SYMBOL_ROLE, WatchlistTableModel

# How often the snapshot is re-read from the database, so ages in the status bar keep moving.
REFRESH_MS = 30_000


class MainWindow(QMainWindow):
    def __init__(self, service: WatchlistService, store: QSettings, clock: Clock):
        super().__init__()
        self._service = service
        self._store = store
        self._clock = clock
        self.setWindowTitle("HarbourWatch")
        self.setObjectName("main_window")

        self.model = WatchlistTableModel(self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self.model)
        self._proxy.setSortRole(SORT_ROLE)
        self.table = self._build_table()
        self.detail = DetailPane(self)
        self._splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._splitter.addWidget(self.table)
        self._splitter.addWidget(self.detail)
        self._splitter.setStretchFactor(0, 1)
        self._splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self._splitter)

        self.watchlist_box = QComboBox(self)
        self.watchlist_box.setObjectName("watchlist_box")
        toolbar = QToolBar("Watchlist", self)
        toolbar.setObjectName("watchlist_toolbar")
        toolbar.addWidget(QLabel(" Watchlist: "))
        toolbar.addWidget(self.watchlist_box)
        refresh = toolbar.addAction("Refresh")
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        self.addToolBar(toolbar)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("feed_status")
        self.statusBar().addWidget(self.status_label, 1)

        self._restore_state()
        self._load_watchlist_names()
        self.watchlist_box.currentTextChanged.connect(self._watchlist_chosen)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.refresh()
        self._select_initial_row()

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("watchlist_table")
        table.setModel(self._proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        return table

    def _load_watchlist_names(self) -> None:
        names = self._service.watchlist_names()
        self.watchlist_box.addItems(names)
        wanted = cfg.ACTIVE_WATCHLIST.get(self._store)
        self.watchlist_box.setCurrentText(wanted if wanted in names else names[0])

    def current_watchlist(self) -> str:
        return self.watchlist_box.currentText() or "Main"

    @Slot()
    def refresh(self) -> None:
        """Re-read the snapshot from the database and update only what changed."""
        rows = self._service.rows(self.current_watchlist())
        self.model.set_rows(rows)
        self.status_label.setText(price_status(rows, self._clock.now()))
        if not self._store.contains(cfg.WATCHLIST_HEADER.key):
            self.table.resizeColumnsToContents()
        symbol = self.selected_symbol()
        if symbol:
            self.detail.show_detail(self._service.detail(symbol))

    @Slot(str)
    def _watchlist_chosen(self, name: str) -> None:
        cfg.ACTIVE_WATCHLIST.set(self._store, name)
        self.refresh()

    def selected_symbol(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(SYMBOL_ROLE) if rows else None

    def select_symbol(self, symbol: str) -> bool:
        for row in range(self._proxy.rowCount()):
            index = self._proxy.index(row, 0)
            if index.data(SYMBOL_ROLE) == symbol:
                self.table.selectRow(row)
                return True
        return False

    def _select_initial_row(self) -> None:
        if not self.select_symbol(cfg.SELECTED_SYMBOL.get(self._store)) and self._proxy.rowCount():
            self.table.selectRow(0)

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        symbol = self.selected_symbol()
        self.detail.show_detail(self._service.detail(symbol) if symbol else None)
        if symbol:
            cfg.SELECTED_SYMBOL.set(self._store, symbol)

    def _restore_state(self) -> None:
        geometry = cfg.WINDOW_GEOMETRY.get(self._store)
        if geometry.isEmpty():
            self.resize(1280, 760)
        else:
            self.restoreGeometry(geometry)
        self.restoreState(cfg.WINDOW_STATE.get(self._store))
        self._splitter.restoreState(cfg.SPLITTER.get(self._store))
        self.table.horizontalHeader().restoreState(cfg.WATCHLIST_HEADER.get(self._store))

    def save_state(self) -> None:
        cfg.WINDOW_GEOMETRY.set(self._store, self.saveGeometry())
        cfg.WINDOW_STATE.set(self._store, self.saveState())
        cfg.SPLITTER.set(self._store, self._splitter.saveState())
        cfg.WATCHLIST_HEADER.set(self._store, self.table.horizontalHeader().saveState())
        self._store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self.save_state()
        super().closeEvent(event)
