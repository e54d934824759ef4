"""The log a trader can attach to a bug report: a rotating file in the app's data directory.

Set up once at start by `main.py` for the window and every command. When the data directory
cannot be written the log goes to stderr instead of stopping the app.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from services.core.paths import AppPaths

LOG_FILE = "harbourwatch.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
_MARK = "_harbourwatch"  # our handler, replaced when logging is configured again (tests)
_current: Path | None = None


def log_path(paths: AppPaths) -> Path:
    return paths.data_dir / "logs" / LOG_FILE


def configure_logging(paths: AppPaths, level: str = "INFO") -> Path | None:
    """Route every logger to the rotating file at `level`; the file's path, or None when it
    could not be created (then warnings and errors go to stderr)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    path = log_path(paths)
    written: Path | None = path
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES,
                                                       backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        written, handler = None, logging.StreamHandler()
        handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(FORMAT))
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(level)
    # A log that cannot be written (a full disk) must not print tracebacks at the trader.
    logging.raiseExceptions = False
    global _current
    _current = written
    return written


def current_log_file() -> Path | None:
    """Where the log goes now (None: not configured, or stderr), to name in error messages."""
    return _current
