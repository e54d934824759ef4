"""The window's commands: the menu bar, the toolbar and the watchlist's context menu, which
command sits where and its shortcut, and the two preferences the toolbar toggles (sound, dark
theme). What the other commands do belongs to the window or to the part that owns them
(Settings › Start at login: ui/window/login.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QToolBar

from services.app.workspace import Workspace
from services.charts.ranges import RANGES
from ui.common import settings as cfg
from ui.common.app_theme import apply_theme
from ui.common.prompts import ask_text, warn
from ui.common.shortcuts import keys
from ui.files.actions import FileActions
from ui.portfolio.pane import PortfolioPane
from ui.watchlist.actions import WatchlistActions
from ui.watchlist.view import WatchlistView
from ui.window.login import StartAtLogin


class Commands(QObject):
    webhook_changed = Signal(str)  # the alert webhook URL the trader set ("" for none)

    def __init__(self, window: QMainWindow, workspace: Workspace, store: QSettings,
                 table: WatchlistView, portfolio: PortfolioPane,
                 restyle: Sequence[Callable[[], None]]):
        super().__init__(window)
        self._store = store
        self._restyle = restyle
        self._window = window
        self.lists = WatchlistActions(workspace.editor, window,
                                      workspace.watchlists.watchlist_names,
                                      table.current_watchlist, table.selected_symbol)
        self.files = FileActions(workspace, window, store, table.current_watchlist,
                                 portfolio.base_currency)
        portfolio.import_button.clicked.connect(self.files.open_import)
        portfolio.set_export_menu(self.files.export_menu)

        toolbar = QToolBar("Watchlist", window)
        toolbar.setObjectName("watchlist_toolbar")
        toolbar.addWidget(QLabel(" Watchlist: "))
        toolbar.addWidget(table.selector)
        toolbar.addAction(self.lists.add_action)
        self.refresh = toolbar.addAction("Refresh now")
        self.refresh.setObjectName("refresh_now")
        self.refresh.setShortcut(keys("refresh"))
        self.refresh.setToolTip("Poll prices now (F5)")
        self.sound = toolbar.addAction("Sound")
        self.sound.setCheckable(True)
        self.sound.setChecked(cfg.SOUND.get(store))
        self.sound.toggled.connect(self._sound_toggled)
        self.dark = toolbar.addAction("Dark theme")
        self.dark.setCheckable(True)
        self.dark.setChecked(cfg.DARK_THEME.get(store))
        self.dark.toggled.connect(self.set_dark_theme)
        window.addToolBar(toolbar)

        self.reference = self._add(window, "&Reference data…", "reference")
        self.reference.setToolTip("Targets, lock-ups, share counts and revenue (Ctrl+E)")
        self.record = self._add(window, "Record &transaction…", "record")
        self.events = self._add(window, "&Events calendar…", "events")
        self.events.setToolTip("Lock-up expiries, results, targets, rule expiries and HKEX "
                               "holidays across the watchlists (Ctrl+Shift+E)")
        self.lockups = QAction("&Lock-up overhang", window)
        self.webhook = QAction("Alert &webhook…", window)
        self.webhook.setToolTip("POST each poll's alerts as JSON to an http(s) URL")
        self.webhook.triggered.connect(self.set_webhook)
        bar = window.menuBar()
        bar.addMenu(self.files.menu)
        bar.addMenu(self.lists.menu)
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addAction(self.dark)
        self.view_menu.addMenu(table.columns_menu)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.events)
        self.view_menu.addAction(self.lockups)
        data = bar.addMenu("&Data")
        data.addAction(self.reference)
        data.addAction(self.record)
        data.addAction(self.webhook)
        self.login = StartAtLogin(window, store, workspace.db_path, workspace.demo)
        self.settings = self._add(window, "&Settings…", "settings")
        self.settings.setObjectName("open_settings")
        quit_separator = self.files.menu.actions()[-2]  # File › Settings…, above Quit
        self.files.menu.insertAction(quit_separator, self.settings)
        bar.addMenu("&Settings").addAction(self.login.action)
        go = bar.addMenu("&Go")
        self.choose_list = self._add(window, "Choose &watchlist", "choose_list")
        self.choose_list.triggered.connect(table.focus_selector)
        self.new_rule = self._add(window, "New alert &rule…", "new_rule")
        self.acknowledge_all = self._add(window, "Mark all alerts &read", "acknowledge_all")
        go.addActions([self.choose_list, self.new_rule, self.acknowledge_all])
        ranges = go.addMenu("Price chart &range")
        self.ranges = {key: self._add(window, key, f"range_{key}") for key in RANGES}
        ranges.addActions(list(self.ranges.values()))
        self.shortcuts = self._add(window, "&Keyboard shortcuts", "help_keys")
        self.shortcuts.triggered.connect(self.show_shortcuts)
        bar.addMenu("&Help").addAction(self.shortcuts)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addActions([*self.lists.symbol_actions(), self.reference])

    @staticmethod
    def _add(window: QMainWindow, text: str, shortcut: str) -> QAction:
        """An action whose shortcut (its name in the shortcut table) works anywhere in the
        window, menu open or not."""
        action = QAction(text, window)
        action.setShortcut(keys(shortcut))
        window.addAction(action)
        return action

    @Slot()
    def show_shortcuts(self) -> QDialog:
        from ui.window.shortcuts_dialog import ShortcutsDialog  # not needed to start

        dialog = ShortcutsDialog(self._window)
        dialog.open()
        return dialog

    @Slot()
    def set_webhook(self) -> None:
        """Ask for the URL; one that is no http(s) URL is refused in words and not stored."""
        url = ask_text(self._window, "Alert webhook", "POST alerts as JSON to (empty: none):",
                       cfg.WEBHOOK_URL.get(self._store))
        if url is None:
            return
        from services.alerts.notify import check_webhook_url  # urllib: not needed to start

        try:
            url = check_webhook_url(url)
        except ValueError as error:
            warn(self._window, "Alert webhook", f"Not changed: {error}")
            return
        cfg.WEBHOOK_URL.set(self._store, url)
        self.webhook_changed.emit(url)

    @Slot(bool)
    def _sound_toggled(self, on: bool) -> None:
        cfg.SOUND.set(self._store, on)

    @Slot(bool)
    def set_dark_theme(self, dark: bool) -> None:
        """The application palette, then the parts that draw their own colours (charts)."""
        cfg.DARK_THEME.set(self._store, dark)
        self.dark.setChecked(dark)  # no-op when the toggle itself called
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, dark)
        for restyle in self._restyle:
            restyle()
