"""What happens to an error nobody expected: it is logged with its traceback and the trader is
told where the log is, instead of the window dying silently or printing to a terminal nobody
watches. A database that is busy, full or read-only is told in words, not as a bug."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from services.app.database import explain

log = logging.getLogger("harbourwatch.crash")
Hook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def make_excepthook(log_file: Path | None,
                    show: Callable[[str, str], None] | None = None) -> Hook:
    """A `sys.excepthook` that logs, then shows `show(title, text)` (a message box by
    default) naming the log file."""
    def tell(title: str, text: str) -> None:
        if QApplication.instance() is not None:
            QMessageBox.critical(None, title, text)

    show = show or tell

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        where = f"Details are in the log:\n{log_file}" if log_file else \
            "The log could not be written; details went to the terminal."
        words = explain(error)
        if words is not None:  # a busy, full or read-only database: not a bug
            log.warning("could not finish: %s", error, exc_info=(kind, error, trace))
            show("HarbourWatch could not finish that", f"{words}\n\n{where}")
            return
        log.critical("unexpected error", exc_info=(kind, error, trace))
        show("HarbourWatch hit an unexpected error",
             f"{kind.__name__}: {error}\n\nWhat was stored is safe. {where}\n\n"
             "Please attach the log when you report this.")

    return hook


def install(log_file: Path | None) -> None:
    """For the GUI thread (a dialog) and worker threads (the log only: no widgets there)."""
    sys.excepthook = make_excepthook(log_file)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.critical("unexpected error in thread %s",
                     args.thread.name if args.thread else "?",
                     exc_info=(args.exc_type, args.exc_value or args.exc_type(),
                               args.exc_traceback))

    threading.excepthook = thread_hook
