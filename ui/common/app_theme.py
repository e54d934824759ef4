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
    # Fusion draws bevels, checked buttons and frames from these; the light defaults glare
    QPalette.ColorRole.Light: "#484f58", QPalette.ColorRole.Midlight: "#30363d",
    QPalette.ColorRole.Mid: "#21262d", QPalette.ColorRole.Dark: "#0d1117",
    QPalette.ColorRole.Shadow: "#010409",
}
DISABLED_ROLES = (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                  QPalette.ColorRole.WindowText)


def apply_theme(app: QApplication, dark: bool) -> None:
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if dark:
        for role, color in DARK_ROLES.items():
            palette.setColor(role, QColor(color))
        for role in DISABLED_ROLES:  # greyed, still legible
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
    app.setPalette(palette)
