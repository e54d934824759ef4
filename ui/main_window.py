"""The main window: the watchlist over the tabs of the selected symbol, the menus, the status bar.

It only assembles the parts (ui.watchlist, ui.charts, ui.alerts, ui.portfolio, ui.window) and
wires one to another, so each part can do its own job without knowing the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter

from services.app.workspace import Workspace
from services.core.tickers import TickerError, normalise_symbol
from ui.alerts.panes import AlertLogPane, AlertRulesPane
from ui.charts.tabs import PRICE, ChartTabs
from ui.common import settings as cfg
from ui.common.first_paint import FirstPaint
from ui.events.overhang_pane import OverhangPane
from ui.portfolio.pane import PortfolioPane
from ui.watchlist.view import WatchlistView
from ui.window.commands import Commands
from ui.window.desktop import Desktop
from ui.window.feed import FeedRefresh
from ui.window.persistence import restore_window, save_window
from ui.window.status import FeedStatus

if TYPE_CHECKING:
    from services.alerts.notify import Dispatcher
    from services.market.scheduler import PollScheduler
    from ui.alerts.tray import AlertTray
    from ui.charts.comparison_chart import ComparisonChart
    from ui.charts.price_chart import PriceChart
    from ui.charts.valuation_chart import ValuationChart
    from ui.events.events_dialog import EventsDialog
    from ui.reference.dialog import ReferenceDialog
    from ui.window.settings_dialog import Choices, SettingsDialog


STATUS_MESSAGE_MS = 10_000
WATCHLIST_WIDTH = 480  # the default columns, unscrolled, beside a chart of 800 px at 1280


class MainWindow(QMainWindow):
    refresh_requested = Signal()  # "Refresh now" was triggered: the app routes it to the scheduler

    def __init__(self, workspace: Workspace, store: QSettings, demo: bool = False):
        super().__init__()
        self.workspace = workspace
        self._store = store
        self.scheduler: PollScheduler | None = None  # set by ui.app once polling starts
        self.dispatcher: Dispatcher | None = None  # likewise
        self.setWindowTitle("HarbourWatch — DEMO (simulated prices)" if demo else "HarbourWatch")
        self.setObjectName("main_window")

        self.table = WatchlistView(workspace.watchlists.watchlist_names, store, self)
        self.model, self.watchlist_box = self.table.rows_model, self.table.selector
        self.tabs = ChartTabs(lambda: workspace.charts, self)
        self.detail = self.tabs.detail
        self.alert_log = AlertLogPane(workspace.alerts, self)
        self.alert_rules = AlertRulesPane(workspace.alerts, self.table.selected_symbol, self)
        self.portfolio = PortfolioPane(workspace.portfolio, store, self.table.selected_symbol,
                                       demo, self)
        self._log_tab = self.tabs.addTab(self.alert_log, "Alerts")
        self.tabs.addTab(self.alert_rules, "Rules")
        self.tabs.addTab(self.portfolio, "Portfolio")
        self.overhang = OverhangPane(lambda: workspace.overhang, self)
        self.tabs.addTab(self.overhang, "Lock-ups")
        # the watchlist a full-height column on the left, the charts and panes the main area
        self._splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._splitter.addWidget(self.table)
        self._splitter.addWidget(self.tabs)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setSizes([WATCHLIST_WIDTH, 1280 - WATCHLIST_WIDTH])
        self._splitter.setCollapsible(0, False)
        self.status = FeedStatus(self, demo)
        self.banner, self.status_label = self.status.banner, self.status.status_label
        self.feed_label = self.status.feed_label
        self.setCentralWidget(self.status.with_banner(self._splitter))
        commands = Commands(self, workspace, store, self.table, self.portfolio,
                            (self.tabs.apply_theme, self.portfolio.apply_theme,
                             self.status.restyle))
        self.watchlist_actions, self.file_actions = commands.lists, commands.files
        self.refresh_action, self.sound_action = commands.refresh, commands.sound
        self.dark_action, self.reference_action = commands.dark, commands.reference
        self.commands = commands
        self.desktop = Desktop(self, store, demo, self.table.select_symbol)
        self.feed = FeedRefresh(workspace.watchlists, workspace.clock, self.table, self.status,
                                self.tabs, self.portfolio, self, workspace.market)

        # What ui.app, the tests and the menus ask of the window, answered by its parts
        self.current_watchlist = self.table.current_watchlist
        self.set_dark_theme = commands.set_dark_theme
        self.selected_symbol, self.select_symbol = (self.table.selected_symbol,
                                                    self.table.select_symbol)
        self.refresh, self.on_poll_finished = self.feed.refresh, self.feed.poll_finished
        self.on_poll_failed = self.feed.poll_failed
        self.open_symbol, self.bring_to_front = (self.desktop.open_symbol,
                                                 self.desktop.bring_to_front)

        self.refresh_action.triggered.connect(self.refresh_requested)
        self.reference_action.triggered.connect(self.open_reference_data)
        commands.events.triggered.connect(self.open_events)
        commands.lockups.triggered.connect(self.show_overhang)
        self.table.symbol_selected.connect(self.overhang.show_symbol)
        self.overhang.lockups_changed.connect(self.refresh)
        self.feed.data_loaded.connect(self.overhang.refresh)
        self.overhang.edit_requested.connect(self.open_reference_data)
        commands.record.triggered.connect(self.record_transaction)
        commands.webhook_changed.connect(self._webhook_changed)
        commands.settings.triggered.connect(self.open_settings)
        commands.new_rule.triggered.connect(self._new_rule)
        commands.acknowledge_all.triggered.connect(self.alert_log.acknowledge_all)
        for key, action in commands.ranges.items():
            action.triggered.connect(lambda _=False, k=key: self.show_range(k))
        self.table.list_chosen.connect(self.refresh)
        self.table.symbol_selected.connect(self.feed.show_symbol)
        self.watchlist_actions.lists_changed.connect(self.table.reload_lists)
        self.watchlist_actions.items_changed.connect(self._items_changed)
        self.watchlist_actions.symbol_added.connect(self.refresh_requested)
        self.file_actions.imported.connect(self._data_imported)
        self.portfolio.changed.connect(self.feed.update_table)
        self.feed.alerts_fired.connect(self.alert_log.reload)
        self.feed.alerts_fired.connect(self.alert_rules.reload)
        self.feed.alerts_fired.connect(self.desktop.announce)
        self.alert_rules.rules_changed.connect(self.tabs.refresh)  # threshold lines
        self.tabs.alert_requested.connect(self.alert_rules.new_rule)
        self.alert_log.unread_changed.connect(self._unread_changed)
        self.alert_log.open_requested.connect(self.go_to_symbol)
        self._unread_changed(self.alert_log.model.unread())

        restore_window(self, self._splitter, self.table, store)
        self.feed.load()
        self.table.select_remembered()
        self.tabs.setCurrentIndex(cfg.DETAIL_TAB.get(store))
        FirstPaint(self, self.tabs.window_painted)
        self.tabs.currentChanged.connect(self._tab_changed)

    @Slot(str)
    def _items_changed(self, symbol: str) -> None:
        """Symbols were added, removed, moved or noted: show the stored order and `symbol`."""
        self.table.show_stored_order()
        self.refresh()
        self.table.keep_a_selection(symbol)

    @Slot(object)
    def _data_imported(self, _result: object) -> None:
        self.table.reload_lists()
        self.alert_rules.reload()

    @Slot(str)
    def _webhook_changed(self, url: str) -> None:
        if self.dispatcher is not None:
            self.dispatcher.set_webhook(url)

    @Slot()
    def _new_rule(self) -> None:
        self.alert_rules.new_rule()

    def show_range(self, key: str) -> None:
        """Alt+1…: the price chart over that range."""
        self.tabs.setCurrentIndex(PRICE)
        self.price_chart.range_buttons[key].click()

    @Slot()
    def open_settings(self) -> SettingsDialog:
        from ui.window.settings_dialog import SettingsDialog  # not needed to start

        login = self.commands.login.action
        dialog = SettingsDialog(self._store, self.workspace.portfolio.base_currencies(),
                                login.isEnabled(), login.isChecked(), self.workspace.demo, self)
        dialog.saved.connect(self._settings_saved)
        dialog.open()
        return dialog

    @Slot(object)
    def _settings_saved(self, chosen: Choices) -> None:
        """Everything applies now; nothing needs a restart."""
        if self.dispatcher is not None:
            self.dispatcher.set_webhook(chosen.webhook_url)
            cfg.apply_notifications(self._store, self.dispatcher)
        if self.scheduler is not None:
            self.scheduler.set_interval(chosen.poll_interval_s)
        self.sound_action.setChecked(chosen.sound)
        self.set_dark_theme(chosen.dark_theme)
        self.portfolio.base.setCurrentText(chosen.base_currency)
        self.commands.login.action.setChecked(chosen.start_at_login)

    @Slot()
    def open_reference_data(self) -> ReferenceDialog:
        from ui.reference.dialog import ReferenceDialog  # not needed to start

        dialog = ReferenceDialog(self.workspace.reference,
                                 sorted(self.workspace.alerts.known_symbols()),
                                 self.selected_symbol(), self)
        dialog.changed.connect(self.refresh)
        dialog.open()
        return dialog

    @Slot()
    def open_events(self) -> EventsDialog:
        from ui.events.events_dialog import EventsDialog  # not needed to start

        dialog = EventsDialog(self.workspace.events, self.workspace.demo, self)
        self.alert_rules.rules_changed.connect(dialog.reload)
        dialog.open()
        return dialog

    @Slot()
    def show_overhang(self) -> None:
        self.tabs.setCurrentWidget(self.overhang)

    @Slot()
    def record_transaction(self) -> None:
        self.tabs.setCurrentWidget(self.portfolio)
        self.portfolio.record_transaction()

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        cfg.DETAIL_TAB.set(self._store, index)

    @property
    def price_chart(self) -> PriceChart:
        return self.tabs.price_chart

    @property
    def valuation_chart(self) -> ValuationChart:
        return self.tabs.valuation_chart

    @property
    def comparison_chart(self) -> ComparisonChart:
        return self.tabs.comparison_chart

    @property
    def tray(self) -> AlertTray | None:
        return self.desktop.tray

    @Slot(int)
    def _unread_changed(self, count: int) -> None:
        self.tabs.setTabText(self._log_tab, f"Alerts ({count})" if count else "Alerts")
        self.desktop.set_unread(count)

    @Slot()
    def start_desktop_integration(self) -> None:
        """Tray icon and notification clicks; ui.app calls it just after the first paint."""
        self.desktop.start(self.alert_log.model.unread())

    @Slot()
    def start_in_tray(self) -> None:
        """Instead of showing the window (`gui --minimised`, start at login)."""
        self.desktop.start_in_tray(self.alert_log.model.unread())

    @Slot(str)
    def reveal(self, symbol: str = "") -> None:
        """Another launch on this database asked for the window (and `symbol`)."""
        self.desktop.show_window()
        if symbol:
            self.go_to_symbol(symbol)

    def go_to_symbol(self, text: str) -> bool:
        """Select a symbol named on the command line: in the shown watchlist, else in the
        first other list holding it."""
        try:
            symbol = normalise_symbol(text)
        except TickerError as error:
            self.statusBar().showMessage(str(error), STATUS_MESSAGE_MS)
            return False
        if self.select_symbol(symbol):
            return True
        for name in self.workspace.watchlists.watchlist_names():
            if symbol in self.workspace.editor.symbols(name):
                self.table.reload_lists(name)
                return self.select_symbol(symbol)
        self.statusBar().showMessage(f"{symbol} is in no watchlist: add it with Watchlist › "
                                     "Add symbol…", STATUS_MESSAGE_MS)
        return False

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized():
            self.desktop.minimised()

    def save_state(self) -> None:
        save_window(self, self._splitter, self.table, self._store)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.feed.stop()
        self.save_state()
        super().closeEvent(event)
