"""The alert log, the rule editor, the tray icon and notification clicks."""
