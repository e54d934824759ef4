"""Child for tests/ui/test_single_instance.py: `main.py`'s real window start (poller lock, local
server, window; Yahoo replaced through $HARBOURWATCH_FAKE_YAHOO) with a watcher that prints the
main window's state whenever it changes: "window visible=1 minimised=0 symbol=2513.HK"."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import main
from ui.app import application
from ui.main_window import MainWindow

WATCH_MS = 50


def watch(app: QApplication) -> QTimer:
    last = ""

    def report() -> None:
        nonlocal last
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow):
                state = (f"window visible={int(widget.isVisible())} "
                         f"minimised={int(widget.isMinimized())} "
                         f"symbol={widget.selected_symbol() or '-'}")
                if state != last:
                    print(state, flush=True)
                    last = state

    timer = QTimer(app)
    timer.timeout.connect(report)
    timer.start(WATCH_MS)
    return timer


if __name__ == "__main__":
    app = application()
    watcher = watch(app)
    sys.exit(main.main(sys.argv[1:]))
