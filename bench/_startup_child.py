"""Child process for bench/startup.py: show a window, print once it has painted, quit.

Modes: `bare` (a QMainWindow holding a pyqtgraph PlotWidget: the floor for any PySide6 +
pyqtgraph app) and `app` (HarbourWatch's own start-up path, ui.app.launch).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    mode, home = sys.argv[1], Path(sys.argv[2])
    if mode == "bare":
        import pyqtgraph as pg
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv)
        window = QMainWindow()
        window.setCentralWidget(pg.PlotWidget())
        window.resize(1280, 760)
        window.show()
    else:
        from services.core.paths import AppPaths
        from ui.app import application, launch

        paths = AppPaths(home / "data", home / "cache", home / "config")
        window = launch(paths.database, paths)
        app = application()

    from ui.common.first_paint import FirstPaint

    def done() -> None:
        print("painted", flush=True)
        app.quit()

    FirstPaint(window, done)
    app.exec()


if __name__ == "__main__":
    main()
