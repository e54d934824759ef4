"""The window opens as the trader left it: size and place, toolbars, the split between table and
tabs, and the watchlist's column order, widths and which columns are shown.

A column layout is stored with the columns it describes; one saved by a version with other
columns is ignored, so it cannot scramble the new ones.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMainWindow, QSplitter

from services.watchlists.columns import COLUMNS, Column
from ui.common import settings as cfg
from ui.watchlist.view import WatchlistView

DEFAULT_SIZE = (1280, 760)


def column_signature() -> str:
    return "|".join(COLUMNS[c].header for c in Column)


def restore_window(window: QMainWindow, splitter: QSplitter, table: WatchlistView,
                   store: QSettings) -> None:
    geometry = cfg.WINDOW_GEOMETRY.get(store)
    if geometry.isEmpty():
        window.resize(*DEFAULT_SIZE)
    else:
        window.restoreGeometry(geometry)
    window.restoreState(cfg.WINDOW_STATE.get(store))
    sizes = splitter.sizes()
    splitter.restoreState(cfg.SPLITTER.get(store))
    if splitter.orientation() != Qt.Orientation.Horizontal:  # saved by the stacked layout
        splitter.setOrientation(Qt.Orientation.Horizontal)
        splitter.setSizes(sizes)
    if cfg.WATCHLIST_COLUMNS.get(store) == column_signature():
        table.restore_header(cfg.WATCHLIST_HEADER.get(store))


def save_window(window: QMainWindow, splitter: QSplitter, table: WatchlistView,
                store: QSettings) -> None:
    cfg.WINDOW_GEOMETRY.set(store, window.saveGeometry())
    cfg.WINDOW_STATE.set(store, window.saveState())
    cfg.SPLITTER.set(store, splitter.saveState())
    cfg.WATCHLIST_HEADER.set(store, table.horizontalHeader().saveState())
    cfg.WATCHLIST_COLUMNS.set(store, column_signature())
    store.sync()
