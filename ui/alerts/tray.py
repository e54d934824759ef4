"""The tray icon: unread alert count, messages where there is no notification service, and
a way back to a window minimised to the tray (polling goes on meanwhile)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget


class AlertTray(QSystemTrayIcon):
    open_requested = Signal()

    def __init__(self, icon: QIcon, parent: QWidget):
        super().__init__(icon, parent)
        self._base = icon
        self.unread = 0
        menu = QMenu(parent)
        menu.addAction("Show HarbourWatch").triggered.connect(self.open_requested)
        menu.addAction("Quit").triggered.connect(QApplication.quit)
        self.setContextMenu(menu)
        self.activated.connect(self._activated)
        self.messageClicked.connect(self.open_requested)
        self.set_unread(0)

    def set_unread(self, count: int) -> None:
        self.unread = count
        self.setToolTip(f"HarbourWatch — {count} unread alert{'s' if count != 1 else ''}")
        self.setIcon(self._badged(count) if count else self._base)

    def _badged(self, count: int) -> QIcon:
        pixmap = self._base.pixmap(64, 64)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor("#cf222e"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(28, 0, 36, 36)
        painter.setPen(QColor("white"))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(22)
        painter.setFont(font)
        painter.drawText(28, 0, 36, 36, Qt.AlignmentFlag.AlignCenter,
                         str(count) if count < 100 else "99+")
        painter.end()
        return QIcon(QPixmap(pixmap))

    @Slot(QSystemTrayIcon.ActivationReason)
    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.open_requested.emit()
