"""The watchlist table and the selector of which list it shows.

The table sorts by value (not by the formatted text) and keeps one row selected; the selected
symbol and the chosen list are remembered for the next start. It shows a few columns by default
so it fits a narrow column beside the chart; the header's right-click menu (also View › Columns)
shows or hides the others, and the choice is saved with the header's layout.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QSettings,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QMenu,
    QTableView,
    QWidget,
)

from services.watchlists.columns import COLUMNS, DEFAULT_VISIBLE, Column
from services.watchlists.snapshots import WatchlistRow
from ui.common import settings as cfg
from ui.watchlist.table_model import SORT_ROLE, SYMBOL_ROLE, WatchlistTableModel


class WatchlistView(QTableView):
    symbol_selected = Signal(object)  # the symbol now selected, or None
    list_chosen = Signal(str)  # the trader picked another list in the selector

    def __init__(self, names: Callable[[], list[str]], store: QSettings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("watchlist_table")
        self._names = names
        self._store = store
        self._fit_columns = True  # until a saved column layout is restored
        self.rows_model = WatchlistTableModel(self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self.rows_model)
        self._proxy.setSortRole(SORT_ROLE)
        self.setModel(self._proxy)
        self.setSortingEnabled(True)
        self.show_stored_order()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)  # one line a row: a long note is elided, read in its tooltip
        self.setTabKeyNavigation(False)  # Tab moves on to the next part of the window
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column in Column:
            header.setSectionHidden(column, column not in DEFAULT_VISIBLE)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.columns_menu = QMenu("&Columns", self)
        self.columns_menu.aboutToShow.connect(self._fill_columns_menu)
        self.selectionModel().selectionChanged.connect(self._selection_changed)

        self.selector = QComboBox(self)  # lives in the window's toolbar
        self.selector.setObjectName("watchlist_box")
        # wide enough for the longest list name, never eliding it
        self.selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_selector(cfg.ACTIVE_WATCHLIST.get(store))
        self.selector.currentTextChanged.connect(self._list_chosen)

    @Slot()
    def focus_selector(self) -> None:
        """Ctrl+L: the list selector, open, to pick a list with the arrows or by typing."""
        self.selector.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selector.showPopup()

    def current_watchlist(self) -> str:
        return self.selector.currentText() or "Main"

    @Slot(str)
    def reload_lists(self, wanted: str = "") -> None:
        """Lists were made, renamed, deleted or imported: show `wanted`, else the current one
        while it exists."""
        self.selector.blockSignals(True)
        self.selector.clear()
        self._fill_selector(wanted or self.current_watchlist())
        self.selector.blockSignals(False)
        self._list_chosen(self.selector.currentText())

    def _fill_selector(self, wanted: str) -> None:
        names = self._names()
        self.selector.addItems(names)
        self.selector.setCurrentText(wanted if wanted in names else names[0])

    def show_rows(self, rows: list[WatchlistRow]) -> None:
        self.rows_model.set_rows(rows)
        if self._fit_columns:  # once; after that the widths are the trader's
            self._fit_columns = False
            self.resizeColumnsToContents()
            # a note is read whole in its tooltip: its column takes what room is left
            self.setColumnWidth(Column.NOTE, self.horizontalHeader().sectionSizeHint(Column.NOTE))

    @Slot()
    def _fill_columns_menu(self) -> None:
        self.columns_menu.clear()
        header = self.horizontalHeader()
        for column in Column:
            action = QAction(COLUMNS[column].header, self.columns_menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != Column.SYMBOL)  # a row always says what it is
            action.toggled.connect(lambda on, c=column: self.show_column(c, on))
            self.columns_menu.addAction(action)

    def _header_menu(self, position: object) -> None:
        self.columns_menu.popup(self.horizontalHeader().mapToGlobal(position))

    def show_column(self, column: Column, on: bool) -> None:
        header = self.horizontalHeader()
        header.setSectionHidden(column, not on)
        if on and header.sectionSize(column) < header.sectionSizeHint(column):
            self.resizeColumnToContents(column)

    def visible_columns(self) -> list[Column]:
        header = self.horizontalHeader()
        return [c for c in Column if not header.isSectionHidden(c)]

    def restore_header(self, state: QByteArray) -> None:
        """The trader's column order and widths, instead of fitting them to the first rows."""
        self.horizontalHeader().restoreState(state)
        self._fit_columns = False

    def show_stored_order(self) -> None:
        """Unsorted: the rows in the list's own order (the one the trader arranged)."""
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def selected_symbol(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].data(SYMBOL_ROLE) if rows else None

    def select_symbol(self, symbol: str) -> bool:
        for row in range(self._proxy.rowCount()):
            if self._proxy.index(row, 0).data(SYMBOL_ROLE) == symbol:
                self.selectRow(row)
                return True
        return False

    def select_remembered(self) -> None:
        """At start: the symbol selected last time, else the first row."""
        if not self.select_symbol(cfg.SELECTED_SYMBOL.get(self._store)):
            self.keep_a_selection()

    def keep_a_selection(self, symbol: str = "") -> None:
        """Select `symbol` if given; without one, the first row when nothing is selected."""
        if symbol:
            self.select_symbol(symbol)
        elif self._proxy.rowCount() and not self.selected_symbol():
            self.selectRow(0)

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        symbol = self.selected_symbol()
        if symbol:
            cfg.SELECTED_SYMBOL.set(self._store, symbol)
        self.symbol_selected.emit(symbol)

    @Slot(str)
    def _list_chosen(self, name: str) -> None:
        cfg.ACTIVE_WATCHLIST.set(self._store, name)
        self.list_chosen.emit(name)
