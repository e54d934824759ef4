"""Every keyboard shortcut, defined once: the actions take their keys from here and Help ›
Keyboard shortcuts lists this table, so the two never disagree.

"where" says which widget must have the focus: a key bound to a table acts only there (Del in
the transactions table never removes a watchlist symbol)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

from services.charts.ranges import RANGES

ANYWHERE = "anywhere"


@dataclass(frozen=True)
class Shortcut:
    keys: str  # QKeySequence's portable text
    what: str
    where: str = ANYWHERE


SHORTCUTS: dict[str, Shortcut] = {
    "refresh": Shortcut("F5", "Poll prices now"),
    "settings": Shortcut("Ctrl+,", "Settings…"),
    "help_keys": Shortcut("F1", "This list of keyboard shortcuts"),
    "quit": Shortcut("Ctrl+Q", "Quit"),
    "import": Shortcut("Ctrl+I", "Import a file…"),
    "reference": Shortcut("Ctrl+E", "Reference data (targets, lock-ups, shares, revenue)…"),
    "record": Shortcut("Ctrl+T", "Record a transaction…"),
    "events": Shortcut("Ctrl+Shift+E", "Events calendar (lock-ups, results, holidays)…"),
    "choose_list": Shortcut("Ctrl+L", "Choose the watchlist shown"),
    "add_symbol": Shortcut("Ctrl+N", "Add a symbol to the watchlist…"),
    "remove_symbol": Shortcut("Del", "Remove the selected symbol", "watchlist"),
    "move_up": Shortcut("Ctrl+Up", "Move the selected symbol up", "watchlist"),
    "move_down": Shortcut("Ctrl+Down", "Move the selected symbol down", "watchlist"),
    "find_symbol": Shortcut("type letters", "Jump to the symbol that starts with them",
                            "watchlist"),
    "new_rule": Shortcut("Ctrl+R", "New alert rule for the selected symbol…"),
    "delete_rule": Shortcut("Del", "Delete the selected rule", "alert rules"),
    "delete_transaction": Shortcut("Del", "Delete the selected transaction", "transactions"),
    "delete_alert": Shortcut("Del", "Delete the selected alerts from the log", "alert log"),
    "open_alert": Shortcut("Return", "Open the alert's symbol and mark it read", "alert log"),
    "acknowledge": Shortcut("Ctrl+K", "Mark the selected alerts read", "alert log"),
    "acknowledge_all": Shortcut("Ctrl+Shift+K", "Mark every alert read"),
    **{f"range_{key}": Shortcut(f"Alt+{i}", f"Price chart: {key}")
       for i, key in enumerate(RANGES, start=1)},
}


def keys(name: str) -> QKeySequence:
    return QKeySequence(SHORTCUTS[name].keys)


def rows() -> list[tuple[str, str, str]]:
    """(keys as this desktop writes them, what they do, where the focus must be)."""
    out = []
    for shortcut in SHORTCUTS.values():
        sequence = QKeySequence(shortcut.keys)
        text = sequence.toString(QKeySequence.SequenceFormat.NativeText) \
            if not sequence.isEmpty() else shortcut.keys
        out.append((text or shortcut.keys, shortcut.what, shortcut.where))
    return out
