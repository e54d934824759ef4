"""The File menu: import (one dialog for every kind) and every export, written atomically by
the services (an interrupted export leaves the previous file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMenu

from services.app.workspace import Workspace
from services.core.clock import trading_day
from ui.common import settings as cfg
from ui.common.prompts import ask_save_path, warn
from ui.common.shortcuts import keys

if TYPE_CHECKING:
    from services.files.imports import ImportResult
    from ui.files.import_dialog import ImportDialog

WATCHLIST_FORMATS = (("csv", "CSV", "csv"), ("json", "JSON", "json"),
                     ("tradingview", "TradingView list", "txt"), ("xlsx", "Excel workbook", "xlsx"))
TABLE_EXPORTS = (("holdings", "csv", "Holdings (CSV)"), ("transactions", "csv",
                                                         "Transactions (CSV)"),
                 ("alerts", "csv", "Alert history (CSV)"), ("alerts", "json",
                                                            "Alert history (JSON)"))


class FileActions(QObject):
    imported = Signal(object)  # ImportResult: lists, prices or the ledger changed

    def __init__(self, workspace: Workspace, window: QMainWindow, store: QSettings,
                 current_list: Callable[[], str], base_currency: Callable[[], str]):
        super().__init__(window)
        self._ws = workspace
        self._window = window
        self._store = store
        self._list = current_list
        self._base = base_currency
        self.menu = QMenu("&File", window)
        self.import_action = self.menu.addAction("&Import…")
        self.import_action.setShortcut(keys("import"))
        self.import_action.triggered.connect(self.open_import)
        self.export_menu = self.menu.addMenu("&Export")
        for fmt, label, _ in WATCHLIST_FORMATS:
            self.export_menu.addAction(f"Watchlist as {label}…").triggered.connect(
                lambda _=False, f=fmt: self.export_watchlist(f))
        self.export_menu.addSeparator()
        for what, fmt, label in TABLE_EXPORTS:
            self.export_menu.addAction(f"{label}…").triggered.connect(
                lambda _=False, w=what, f=fmt: self.export_table(w, f))
        self.export_menu.addAction("Everything (Excel workbook)…").triggered.connect(
            self.export_everything)
        self.menu.addSeparator()
        quit_action = self.menu.addAction("&Quit")
        quit_action.setShortcut(keys("quit"))
        quit_action.triggered.connect(window.close)
        window.addAction(self.import_action)

    @Slot()
    def open_import(self) -> ImportDialog:
        from ui.files.import_dialog import ImportDialog  # file parsing loads on first use

        dialog = ImportDialog(self._ws.import_file, sorted(self._ws.alerts.known_symbols()),
                              cfg.LAST_FOLDER.get(self._store), self._window, self._list())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._imported)
        dialog.open()
        return dialog

    @Slot(object)
    def _imported(self, result: ImportResult) -> None:
        from ui.files.import_dialog import ImportDialog

        dialog = self.sender()
        if isinstance(dialog, ImportDialog):
            cfg.LAST_FOLDER.set(self._store, str(Path(dialog.path.text()).parent))
        self.imported.emit(result)

    def _target(self, title: str, stem: str, suffix: str) -> Path | None:
        day = trading_day(self._ws.clock).isoformat()
        demo = "-DEMO" if self._ws.demo else ""
        folder = Path(cfg.LAST_FOLDER.get(self._store) or Path.home())
        suggested = folder / f"{stem}{demo}-{day}.{suffix}".replace(" ", "-")
        path = ask_save_path(self._window, title, str(suggested),
                             f"{suffix.upper()} (*.{suffix})")
        if path is None:
            return None
        chosen = Path(path)
        cfg.LAST_FOLDER.set(self._store, str(chosen.parent))
        return chosen if chosen.suffix else chosen.with_suffix(f".{suffix}")

    def _write(self, title: str, stem: str, suffix: str, write: Callable[[Path], str]) -> None:
        path = self._target(title, stem, suffix)
        if path is None:
            return
        try:
            done = write(path)
        except (OSError, ValueError) as error:
            warn(self._window, title, f"Nothing was written: {error}")
            return
        self._window.statusBar().showMessage(f"{done} → {path}", 15_000)

    def export_watchlist(self, fmt: str) -> None:
        name = self._list()
        suffix = next(s for f, _, s in WATCHLIST_FORMATS if f == fmt)
        self._write(f"Export watchlist {name}", f"watchlist-{name}", suffix,
                    lambda p: f"Wrote {self._ws.lists.export(name, fmt, p)} symbols")

    def export_table(self, what: str, fmt: str) -> None:
        base = self._base()
        self._write(f"Export {what}", what, fmt,
                    lambda p: f"Wrote {self._ws.ledger.export_table(what, fmt, p, base)} rows")

    @Slot()
    def export_everything(self) -> None:
        def write(path: Path) -> str:
            self._ws.export_everything(path, self._base())
            return "Wrote every list, holdings, transactions and alerts"

        self._write("Export everything", "harbourwatch", "xlsx", write)
