"""The Watchlist menu: lists (new, rename, delete) and their symbols (add, remove, move up or
down, move to another list, note). Every change goes through services.watchlists.editing; a
refusal is shown in words and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMenu,
    QWidget,
)

from services.watchlists.editing import Checked, WatchlistEditor
from ui.common.form_parts import MessageLabel
from ui.common.prompts import ask_choice, ask_text, confirm, warn
from ui.common.shortcuts import keys
from ui.common.workers import Background


class AddSymbolDialog(QDialog):
    """Type a symbol the way a broker writes it (2513, 0100.HK, HKEX:100, AAPL); it is checked
    with Yahoo on a worker thread, and the dialog stays open for the next one."""

    added = Signal(str)

    def __init__(self, editor: WatchlistEditor, watchlist: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Add to {watchlist}")
        self._editor = editor
        self._watchlist = watchlist
        self.symbol = QLineEdit(self)
        self.symbol.setPlaceholderText("2513, 0100.HK, HKEX:100, AAPL, 7203.T …")
        self.note = QLineEdit(self)
        self.status = MessageLabel(self)
        self.status.setObjectName("add_status")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.add_button = buttons.addButton("Add", QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self._check = Background(self)
        self._check.finished.connect(self._checked)
        self._check.failed.connect(self._refused)
        form = QFormLayout(self)
        form.addRow("Symbol", self.symbol)
        form.addRow("Note", self.note)
        form.addRow(self.status)
        form.addRow(buttons)
        self.resize(420, self.sizeHint().height())

    @Slot()
    def submit(self) -> None:
        text = self.symbol.text()
        if not text.strip() or self._check.busy:
            return
        self.add_button.setEnabled(False)
        self.status.setText(f"Checking {text.strip()} with Yahoo…")
        self._check.run(lambda: self._editor.check(text))

    @Slot(object)
    def _checked(self, checked: Checked) -> None:
        self.add_button.setEnabled(True)
        try:
            added = self._editor.add_checked(self._watchlist, checked, self.note.text())
        except ValueError as error:
            self._refused(error)
            return
        self.status.setText(added.message)
        self.symbol.clear()
        self.note.clear()
        self.added.emit(added.symbol)

    @Slot(object)
    def _refused(self, error: Exception) -> None:
        self.add_button.setEnabled(True)
        self.status.setText(f"Not added: {error}")


class WatchlistActions(QObject):
    lists_changed = Signal(str)  # the list to show next ("" keeps the current one if it exists)
    items_changed = Signal(str)  # the symbol to select next
    symbol_added = Signal(str)  # a new symbol: poll now (its prices, then its fundamentals)

    def __init__(self, editor: WatchlistEditor, parent: QWidget,
                 list_names: Callable[[], list[str]], current_list: Callable[[], str],
                 current_symbol: Callable[[], str | None]):
        super().__init__(parent)
        self._editor = editor
        self._names = list_names
        self._parent = parent
        self._list = current_list
        self._symbol = current_symbol
        self.menu = QMenu("&Watchlist", parent)
        self.add_action = self._action("&Add symbol…", self.add_symbol, keys("add_symbol"))
        # Keys that act on the selected symbol work only in the watchlist table (see
        # `symbol_actions`), so Del in another table never removes a symbol.
        self.remove_action = self._action("&Remove symbol", self.remove_symbol,
                                          keys("remove_symbol"), window_wide=False)
        self._action("Move &up", lambda: self.move_by(-1), keys("move_up"), window_wide=False)
        self._action("Move &down", lambda: self.move_by(1), keys("move_down"),
                     window_wide=False)
        self._action("Move to &list…", self.move_to_list)
        self._action("Edit &note…", self.edit_note)
        self.menu.addSeparator()
        self._action("&New list…", self.new_list)
        self._action("Re&name list…", self.rename_list)
        self._action("Delete list…", self.delete_list)

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: str | QKeySequence.StandardKey | None = None,
                window_wide: bool = True) -> QAction:
        action = self.menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if window_wide:
            self._parent.addAction(action)  # shortcuts work without opening the menu
        else:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return action

    def symbol_actions(self) -> list[QAction]:
        """For the watchlist table (its context menu, and the keys that act on the selected
        symbol while the table has the focus)."""
        return self.menu.actions()[:6]

    def _do(self, title: str, change: Callable[[], object]) -> bool:
        try:
            change()
        except ValueError as error:  # WatchlistError, TickerError: already in words
            warn(self._parent, title, str(error))
            return False
        return True

    @Slot()
    def add_symbol(self) -> AddSymbolDialog:
        dialog = AddSymbolDialog(self._editor, self._list(), self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(self.items_changed)
        dialog.added.connect(self.symbol_added)
        dialog.open()
        return dialog

    @Slot()
    def remove_symbol(self) -> None:
        symbol, name = self._symbol(), self._list()
        if symbol and confirm(self._parent, "Remove symbol",
                              f"Remove {symbol} and its note from {name}? Its prices, alerts "
                              "and transactions stay.") \
                and self._do("Remove symbol", lambda: self._editor.remove(name, symbol)):
            self.items_changed.emit("")

    def move_by(self, step: int) -> None:
        symbol, name = self._symbol(), self._list()
        if not symbol:
            return
        order = self._editor.symbols(name)
        i = order.index(symbol)
        j = i + step
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            if self._do("Reorder", lambda: self._editor.reorder(name, order)):
                self.items_changed.emit(symbol)

    @Slot()
    def move_to_list(self) -> None:
        symbol, name = self._symbol(), self._list()
        others = [n for n in self._names() if n != name]
        if not symbol:
            return
        if not others:
            warn(self._parent, "Move to list", "There is no other list yet: make one with "
                                               "Watchlist › New list.")
            return
        target = ask_choice(self._parent, "Move to list", f"Move {symbol} to:", others)
        if target and self._do("Move to list", lambda: self._editor.move(symbol, name, target)):
            self.items_changed.emit("")

    @Slot()
    def edit_note(self) -> None:
        symbol, name = self._symbol(), self._list()
        if not symbol:
            return
        note = ask_text(self._parent, "Note", f"Note for {symbol} on {name}:",
                        self._editor.note(name, symbol))
        if note is not None and self._do(
                "Note", lambda: self._editor.set_note(name, symbol, note)):
            self.items_changed.emit(symbol)

    @Slot()
    def new_list(self) -> None:
        name = ask_text(self._parent, "New watchlist", "Name:")
        if name is not None and self._do("New watchlist", lambda: self._editor.create(name)):
            self.lists_changed.emit(name.strip())

    @Slot()
    def rename_list(self) -> None:
        old = self._list()
        new = ask_text(self._parent, "Rename watchlist", f"New name for {old}:", old)
        if new is not None and self._do("Rename watchlist",
                                        lambda: self._editor.rename(old, new)):
            self.lists_changed.emit(new.strip())

    @Slot()
    def delete_list(self) -> None:
        name = self._list()
        if confirm(self._parent, "Delete watchlist",
                   f"Delete the list {name}? Its symbols' prices, alerts and transactions "
                   "stay.") and self._do("Delete watchlist", lambda: self._editor.delete(name)):
            self.lists_changed.emit("")
