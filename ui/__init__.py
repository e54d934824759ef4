"""PySide6 + pyqtgraph front end. Talks to services/ only; never to db/ (import-linter checks)."""
