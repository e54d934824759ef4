"""Every persisted setting declared once, with its type and default.

Window state (geometry, splitter, column layout) lives under `window/`; the trader's preferences
under `prefs/`. The file is an INI in the app's config dir, so tests point it at a temp file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from services.app import preferences as prefs

if TYPE_CHECKING:
    from services.alerts.notify import Dispatcher

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    kind: type
    default: T

    def get(self, store: QSettings) -> T:
        value = store.value(self.key, self.default, type=self.kind)
        return self.default if value is None else value

    def set(self, store: QSettings, value: T) -> None:
        store.setValue(self.key, value)


WINDOW_GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("window/state", QByteArray, QByteArray())
WATCHLIST_HEADER = Setting("window/watchlist_header", QByteArray, QByteArray())
# Which columns the saved header state describes: a layout saved by an older version with other
# columns is ignored instead of scrambling the new ones.
WATCHLIST_COLUMNS = Setting("window/watchlist_columns", str, "")
SPLITTER = Setting("window/splitter", QByteArray, QByteArray())
ACTIVE_WATCHLIST = Setting("prefs/watchlist", str, "Main")
SELECTED_SYMBOL = Setting("prefs/selected_symbol", str, "")
DARK_THEME = Setting("prefs/dark_theme", bool, False)
DETAIL_TAB = Setting("prefs/detail_tab", int, 0)
SOUND = Setting(prefs.SOUND, bool, True)
MINIMISE_TO_TRAY = Setting("prefs/minimise_to_tray", bool, True)
# Mirrors whether the XDG autostart entry exists (ui/window/login.py): the entry is the truth.
START_AT_LOGIN = Setting("prefs/start_at_login", bool, False)
WEBHOOK_URL = Setting(prefs.WEBHOOK_URL, str, "")
BASE_CURRENCY = Setting(prefs.BASE_CURRENCY, str, "HKD")
# The keys `run --headless` reads too (services/app/preferences.py).
POLL_INTERVAL = Setting(prefs.POLL_INTERVAL, int, prefs.Preferences.poll_interval_s)
NOTIFY_SECONDS = Setting(prefs.NOTIFY_SECONDS, int, prefs.DEFAULT_NOTIFY_SECONDS)
NOTIFY_URGENCY = Setting(prefs.NOTIFY_URGENCY, str, "normal")
START_MINIMISED = Setting("prefs/start_minimised", bool, False)
LAST_FOLDER = Setting("prefs/last_folder", str, "")  # where the last import/export looked


def poll_interval(store: QSettings) -> int:
    """The stored interval, or the default when a hand-edited file holds one out of range (a
    zero there must not poll Yahoo in a loop)."""
    seconds = POLL_INTERVAL.get(store)
    return POLL_INTERVAL.default if prefs.interval_problem(seconds) else seconds


def apply_notifications(store: QSettings, dispatcher: Dispatcher) -> None:
    """How long alert notifications stay and how urgent they are, as the trader set them."""
    seconds = NOTIFY_SECONDS.get(store)
    seconds = seconds if seconds >= -1 else NOTIFY_SECONDS.default
    dispatcher.expire_ms = seconds * 1000 if seconds > 0 else seconds
    urgency = NOTIFY_URGENCY.get(store)
    dispatcher.urgency = urgency if urgency in prefs.URGENCIES else NOTIFY_URGENCY.default


def open_settings(path: Path) -> QSettings:
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)
