"""Small modal questions and warnings, in one place so tests can answer them instead of a
person clicking (they replace these functions)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def warn(parent: QWidget, title: str, text: str) -> None:
    """Tests replace this to read the message instead of clicking a modal box."""
    QMessageBox.warning(parent, title, text)


def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_choice(parent: QWidget, title: str, label: str, choices: list[str]) -> str | None:
    value, ok = QInputDialog.getItem(parent, title, label, choices, 0, False)
    return value if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question whose default (Enter, a stray key press) is No: every question here
    is about deleting something."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, title, text, buttons.Yes | buttons.No, buttons.No)
    return answer == buttons.Yes


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None
