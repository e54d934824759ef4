"""Child process for bench/startup.py: show a window, print once it has painted, quit.

Modes: `bare` (a QMainWindow holding a pyqtgraph PlotWidget: the floor for any PySide6 +
pyqtgraph app), `app` (HarbourWatch's own start-up path, ui.app.launch) and `app-chart` (the
same, then also waits for the price chart left open to paint, and prints "chart").
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
        if mode == "app-chart":  # then the price chart the last session left open
            app.installEventFilter(chart_painted)
        else:
            app.quit()

    FirstPaint(window, done)
    chart_painted = chart_filter(window, app) if mode == "app-chart" else None
    app.exec()


def chart_filter(window: object, app: object) -> object:
    """An event filter that prints "chart" and quits at the first paint inside the price
    chart's tab (its "Loading" line aside)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QLabel, QWidget

    from ui.charts.tabs import PRICE

    holder = window.tabs.widget(PRICE)  # type: ignore[attr-defined]

    class Filter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                    and not isinstance(watched, QLabel) and holder.isAncestorOf(watched)):
                print("chart", flush=True)
                app.quit()  # type: ignore[attr-defined]
            return False

    return Filter()


if __name__ == "__main__":
    main()
