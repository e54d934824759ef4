"""The main window: watchlist table, detail pane for the selected symbol, feed status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QSettings,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QSystemTrayIcon,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from services.alerts.notify import coalesce
from services.app.poll_cycle import CycleOutcome
from services.app.workspace import Workspace
from services.core.paths import RESOURCES
from services.market.feed_status import describe_outcome, feed_summary
from services.watchlists.columns import COLUMNS, Column
from services.watchlists.service import WatchlistRow
from services.watchlists.status import feed_banner, price_status
from ui.alerts.panes import AlertLogPane, AlertRulesPane
from ui.alerts.tray import AlertTray
from ui.charts.tabs import ChartTabs
from ui.common import settings as cfg
from ui.common.app_theme import apply_theme
from ui.files.actions import FileActions
from ui.portfolio.pane import PortfolioPane
from ui.reference.dialog import ReferenceDialog
from ui.watchlist.actions import WatchlistActions
from ui.watchlist.table_model import SORT_ROLE, SYMBOL_ROLE, WatchlistTableModel

if TYPE_CHECKING:
    from services.market.scheduler import PollScheduler
    from ui.charts.comparison_chart import ComparisonChart
    from ui.charts.price_chart import PriceChart
    from ui.charts.valuation_chart import ValuationChart

# How often the snapshot is re-read from the database, so ages in the status bar keep moving.
REFRESH_MS = 30_000


def column_signature() -> str:
    return "|".join(COLUMNS[c].header for c in Column)


BANNER_STYLE = {
    "offline": "background:#fff1c2; color:#5c3c00; border:1px solid #d4a72c;",
    "demo": "background:#ddf4ff; color:#0a3069; border:1px solid #54aeff;",
}


class MainWindow(QMainWindow):
    refresh_requested = Signal()  # "Refresh now": the app routes it to the scheduler

    def __init__(self, workspace: Workspace, store: QSettings, demo: bool = False):
        super().__init__()
        self.workspace = workspace
        self._service = workspace.watchlists
        self._store = store
        self._clock = workspace.clock
        self._demo = demo
        self._last_outcome: CycleOutcome | None = None
        self._columns_sized = False
        self.scheduler: PollScheduler | None = None  # set by ui.app once polling starts
        self.setWindowTitle("HarbourWatch — DEMO (simulated prices)" if demo else "HarbourWatch")
        self.setObjectName("main_window")

        self.model = WatchlistTableModel(self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self.model)
        self._proxy.setSortRole(SORT_ROLE)
        self.table = self._build_table()
        self.tabs = ChartTabs(workspace.charts, self)
        self.detail = self.tabs.detail
        self.alert_log = AlertLogPane(workspace.alerts, self)
        self.alert_rules = AlertRulesPane(workspace.alerts, self.selected_symbol, self)
        self.portfolio = PortfolioPane(workspace.portfolio, store, self.selected_symbol, demo,
                                       self)
        self._log_tab = self.tabs.addTab(self.alert_log, "Alerts")
        self.tabs.addTab(self.alert_rules, "Rules")
        self.tabs.addTab(self.portfolio, "Portfolio")
        self.reference_dialog: ReferenceDialog | None = None
        self.alert_rules.rules_changed.connect(self.tabs.refresh)  # threshold lines
        self.tabs.alert_requested.connect(self.alert_rules.new_rule)
        self._splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._splitter.addWidget(self.table)
        self._splitter.addWidget(self.tabs)
        self._splitter.setStretchFactor(0, 1)
        self._splitter.setStretchFactor(1, 2)
        self.banner = QLabel(self)
        self.banner.setObjectName("feed_banner")
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(8, 6, 8, 6)
        self.banner.hide()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self._splitter)
        self.setCentralWidget(central)

        self.watchlist_box = QComboBox(self)
        self.watchlist_box.setObjectName("watchlist_box")
        toolbar = QToolBar("Watchlist", self)
        toolbar.setObjectName("watchlist_toolbar")
        toolbar.addWidget(QLabel(" Watchlist: "))
        toolbar.addWidget(self.watchlist_box)
        self.watchlist_actions = WatchlistActions(workspace.editor, self,
                                                  self._service.watchlist_names,
                                                  self.current_watchlist, self.selected_symbol)
        toolbar.addAction(self.watchlist_actions.add_action)
        self.refresh_action = toolbar.addAction("Refresh now")
        self.refresh_action.setObjectName("refresh_now")
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.setToolTip("Poll prices now (F5)")
        self.refresh_action.triggered.connect(self.refresh_requested)
        self.sound_action = toolbar.addAction("Sound")
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(cfg.SOUND.get(store))
        self.sound_action.toggled.connect(lambda on: cfg.SOUND.set(self._store, on))
        self.dark_action = toolbar.addAction("Dark theme")
        self.dark_action.setCheckable(True)
        self.dark_action.setChecked(cfg.DARK_THEME.get(store))
        self.dark_action.toggled.connect(self.set_dark_theme)
        self.addToolBar(toolbar)
        self._build_menus()

        self.status_label = QLabel(self)
        self.status_label.setObjectName("price_status")
        self.statusBar().addWidget(self.status_label, 1)
        self.feed_label = QLabel("Feed: starting…", self)
        self.feed_label.setObjectName("feed_status")
        self.statusBar().addPermanentWidget(self.feed_label)
        if demo:
            self._show_banner("demo", "DEMO — simulated prices on a fast clock, in a separate "
                              "database. Nothing here is a real quote.")

        self.tray: AlertTray | None = None
        self.alert_log.unread_changed.connect(self._unread_changed)
        self._alert_symbol: str | None = None

        self._restore_state()
        self._load_watchlist_names()
        self.watchlist_box.currentTextChanged.connect(self._watchlist_chosen)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.refresh()
        self._select_initial_row()
        self.tabs.setCurrentIndex(cfg.DETAIL_TAB.get(store))
        self.tabs.currentChanged.connect(self._tab_changed)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _build_menus(self) -> None:
        self.file_actions = FileActions(self.workspace, self, self._store,
                                        self.current_watchlist, self.portfolio.base_currency)
        self.file_actions.imported.connect(self._data_imported)
        self.portfolio.import_button.clicked.connect(self.file_actions.open_import)
        self.portfolio.set_export_menu(self.file_actions.export_menu)
        self.portfolio.changed.connect(self._update_table)
        lists = self.watchlist_actions
        lists.lists_changed.connect(self._lists_changed)
        lists.items_changed.connect(self._items_changed)
        self.reference_action = QAction("&Reference data…", self)
        self.reference_action.setShortcut(QKeySequence("Ctrl+E"))
        self.reference_action.setToolTip("Targets, lock-ups, share counts and revenue (Ctrl+E)")
        self.reference_action.triggered.connect(self.open_reference_data)
        self.addAction(self.reference_action)
        record = QAction("Record &transaction…", self)
        record.setShortcut(QKeySequence("Ctrl+T"))
        record.triggered.connect(self.record_transaction)
        self.addAction(record)
        bar = self.menuBar()
        bar.addMenu(self.file_actions.menu)
        bar.addMenu(lists.menu)
        data = bar.addMenu("&Data")
        data.addAction(self.reference_action)
        data.addAction(record)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions([*lists.symbol_actions(), self.reference_action])

    @Slot()
    def open_reference_data(self) -> ReferenceDialog:
        self.reference_dialog = ReferenceDialog(
            self.workspace.reference, sorted(self.workspace.alerts.known_symbols()),
            self.selected_symbol(), self)
        self.reference_dialog.changed.connect(self.refresh)
        self.reference_dialog.open()
        return self.reference_dialog

    @Slot()
    def record_transaction(self) -> None:
        self.tabs.setCurrentWidget(self.portfolio)
        self.portfolio.record_transaction()

    @Slot(object)
    def _data_imported(self, _result: object) -> None:
        self._lists_changed("")
        self.alert_rules.reload()

    @Slot(str)
    def _lists_changed(self, wanted: str) -> None:
        """Lists were made, renamed, deleted or imported: reload the selector."""
        current = wanted or self.current_watchlist()
        names = self._service.watchlist_names()
        self.watchlist_box.blockSignals(True)
        self.watchlist_box.clear()
        self.watchlist_box.addItems(names)
        self.watchlist_box.setCurrentText(current if current in names else names[0])
        self.watchlist_box.blockSignals(False)
        self._watchlist_chosen(self.watchlist_box.currentText())

    @Slot(str)
    def _items_changed(self, symbol: str) -> None:
        """Symbols were added, removed, moved or noted: show the stored order and `symbol`."""
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.refresh()
        if symbol:
            self.select_symbol(symbol)
        elif self._proxy.rowCount() and not self.selected_symbol():
            self.table.selectRow(0)

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
    def _tick(self) -> None:
        """The clock moved on: ages and staleness change, the data did not (no chart redraw)."""
        self._update_table()

    def _update_table(self) -> list[WatchlistRow]:
        last = self._last_outcome
        market_open = last is not None and last.poll.phase == "open"
        rows = self._service.rows(self.current_watchlist(), market_open)
        self.model.set_rows(rows)
        self.status_label.setText(price_status(rows, self._clock.now()))
        if not self._demo:
            banner = feed_banner(last.poll if last else None, rows)
            if banner:
                self._show_banner("offline", banner)
            else:
                self.banner.hide()
        if not self._columns_sized:  # once; after that the widths are the trader's
            self._columns_sized = True
            if cfg.WATCHLIST_COLUMNS.get(self._store) != column_signature():
                self.table.resizeColumnsToContents()
        return rows

    @Slot()
    def refresh(self) -> None:
        """New data (a poll landed, a list was chosen): table, details and charts."""
        rows = self._update_table()
        symbol = self.selected_symbol()
        if symbol:
            self.detail.show_detail(self._service.detail(symbol))
        self.tabs.set_symbols([row.symbol for row in rows])
        self.tabs.refresh()
        self.portfolio.data_changed()

    @Slot(bool)
    def set_dark_theme(self, dark: bool) -> None:
        cfg.DARK_THEME.set(self._store, dark)
        self.dark_action.setChecked(dark)  # no-op when the toggle itself called
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, dark)
        self.tabs.apply_theme()
        self.portfolio.apply_theme()

    @property
    def price_chart(self) -> PriceChart:
        return self.tabs.price_chart

    @property
    def valuation_chart(self) -> ValuationChart:
        return self.tabs.valuation_chart

    @property
    def comparison_chart(self) -> ComparisonChart:
        return self.tabs.comparison_chart

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        cfg.DETAIL_TAB.set(self._store, index)

    @Slot(object)
    def on_poll_finished(self, outcome: CycleOutcome) -> None:
        """A poll committed (queued here from the worker thread by the JobBridge)."""
        self._last_outcome = outcome
        self.feed_label.setText(feed_summary(outcome.poll))
        self.feed_label.setToolTip("\n".join(describe_outcome(outcome.poll)))
        self.refresh()
        if outcome.events:
            self.alert_log.reload()
            self.alert_rules.reload()
            self._announce(outcome)

    def _announce(self, outcome: CycleOutcome) -> None:
        """Sound, and the tray's message when no desktop notification could be shown."""
        note = coalesce(outcome.events, self._demo)
        if note is None:
            return
        self._alert_symbol = note.symbol
        if not outcome.desktop_notified and self.tray is not None:
            self.tray.showMessage(note.title, note.body, QSystemTrayIcon.MessageIcon.Warning)
        if cfg.SOUND.get(self._store):
            QApplication.beep()

    @Slot(int)
    def _unread_changed(self, count: int) -> None:
        self.tabs.setTabText(self._log_tab, f"Alerts ({count})" if count else "Alerts")
        if self.tray is not None:
            self.tray.set_unread(count)

    @Slot()
    def start_desktop_integration(self) -> None:
        """Tray icon and notification clicks; set up just after the first paint (the D-Bus
        connection and the tray are not needed to show the prices)."""
        from ui.alerts.notification_actions import NotificationActions

        if QSystemTrayIcon.isSystemTrayAvailable() and self.tray is None:
            self.tray = AlertTray(QIcon(str(RESOURCES / "icon.svg")), self)
            self.tray.open_requested.connect(self.bring_to_front)
            self.tray.set_unread(self.alert_log.model.unread())
            self.tray.show()
        self.notification_actions = NotificationActions(self)
        self.notification_actions.open_symbol.connect(self.open_symbol)
        self.notification_actions.listen()

    @Slot(str)
    def open_symbol(self, symbol: str) -> None:
        """A notification's "Open SYMBOL" was clicked."""
        self._alert_symbol = symbol
        self.bring_to_front()

    @Slot()
    def bring_to_front(self) -> None:
        """From the tray or a notification: show the window and the alert's symbol."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        if self._alert_symbol:
            self.select_symbol(self._alert_symbol)

    def changeEvent(self, event: QEvent) -> None:
        """Minimised to the tray, the window hides and polling goes on."""
        super().changeEvent(event)
        if (event.type() == QEvent.Type.WindowStateChange and self.isMinimized()
                and self.tray is not None and cfg.MINIMISE_TO_TRAY.get(self._store)):
            QTimer.singleShot(0, self.hide)

    @Slot(str)
    def on_poll_failed(self, message: str) -> None:
        self.feed_label.setText("Feed: poll failed")
        self.statusBar().showMessage(f"Poll failed: {message}", 30_000)

    def _show_banner(self, kind: str, text: str) -> None:
        self.banner.setStyleSheet(f"QLabel#feed_banner {{ {BANNER_STYLE[kind]} }}")
        self.banner.setText(text)
        self.banner.show()

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
        self.tabs.set_symbol(symbol)
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
        if cfg.WATCHLIST_COLUMNS.get(self._store) == column_signature():
            self.table.horizontalHeader().restoreState(cfg.WATCHLIST_HEADER.get(self._store))

    def save_state(self) -> None:
        cfg.WINDOW_GEOMETRY.set(self._store, self.saveGeometry())
        cfg.WINDOW_STATE.set(self._store, self.saveState())
        cfg.SPLITTER.set(self._store, self._splitter.saveState())
        cfg.WATCHLIST_HEADER.set(self._store, self.table.horizontalHeader().saveState())
        cfg.WATCHLIST_COLUMNS.set(self._store, column_signature())
        self._store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self.save_state()
        super().closeEvent(event)
