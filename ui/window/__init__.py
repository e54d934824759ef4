"""The main window's own parts: status bar and banner, saved layout, commands, tray and feed."""
