"""Pieces every editing dialog here shares: the line that explains what is wrong, and
Save/Cancel wired so that nothing closes until the input is valid."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

ERROR_STYLE = "color: #cf222e;"
WARNING_STYLE = "color: #9a6700;"


def message_label(parent: QWidget, name: str, style: str = ERROR_STYLE) -> QLabel:
    label = QLabel(parent)
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
