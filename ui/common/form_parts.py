"""Pieces every editing dialog and table here shares: the line that explains what is wrong,
Save/Cancel wired so that nothing closes until the input is valid, and keyboard shortcuts that
act only on the table that has the focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from ui.common.shortcuts import keys

ERROR_STYLE = "color: #cf222e;"
WARNING_STYLE = "color: #9a6700;"


class MessageLabel(QLabel):
    """A wrapped message that makes its dialog taller when it needs the room: a dialog sized
    before the message arrived would otherwise clip it. In the main window (the portfolio's
    warnings) it never resizes: the trader chose that window's size."""

    def setText(self, text: str) -> None:
        super().setText(text)
        window = self.window()
        layout = window.layout()
        if not isinstance(window, QDialog) or layout is None:
            return
        layout.activate()
        width = window.width()
        needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        if needed > window.height():
            window.resize(width, needed)


def message_label(parent: QWidget, name: str, style: str = ERROR_STYLE) -> QLabel:
    label = MessageLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    return label


def save_cancel(dialog: QDialog, try_save: Callable[[], None]) -> QDialogButtonBox:
    """Save calls `try_save`, which accepts the dialog itself once the input is good."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(try_save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def focus_shortcut(action: QAction, widget: QWidget) -> QAction:
    """Make `action`'s shortcut work only while `widget` (or a child) has the focus: Del in the
    transactions table must never remove a watchlist symbol."""
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    widget.addAction(action)
    return action


def delete_key(widget: QWidget, slot: Callable[[], object], name: str) -> QAction:
    """Del acts on `widget`'s selection while it has the focus, and nowhere else (`name`: its
    entry in the shortcut table)."""
    return focus_key(widget, slot, name, "Delete")


def focus_key(widget: QWidget, slot: Callable[[], object], name: str, text: str) -> QAction:
    """The shortcut `name` acts on `widget` while it has the focus, and nowhere else."""
    action = QAction(text, widget)
    action.setShortcut(keys(name))
    action.triggered.connect(slot)
    return focus_shortcut(action, widget)

