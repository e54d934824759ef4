"""Light and dark application palettes (Fusion), chosen in View → Dark theme."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

DARK_ROLES = {
    QPalette.ColorRole.Window: "#161b22", QPalette.ColorRole.WindowText: "#e6edf3",
    QPalette.ColorRole.Base: "#0d1117", QPalette.ColorRole.AlternateBase: "#161b22",
    QPalette.ColorRole.Text: "#e6edf3", QPalette.ColorRole.Button: "#21262d",
    QPalette.ColorRole.ButtonText: "#e6edf3", QPalette.ColorRole.Highlight: "#1f6feb",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#161b22",
    QPalette.ColorRole.ToolTipText: "#e6edf3", QPalette.ColorRole.PlaceholderText: "#8b949e",
    QPalette.ColorRole.Link: "#58a6ff",
}


def apply_theme(app: QApplication, dark: bool) -> None:
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if dark:
        for role, color in DARK_ROLES.items():
            palette.setColor(role, QColor(color))
    app.setPalette(palette)
