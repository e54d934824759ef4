"""'Export chart as PNG…' and 'Export data as CSV…' on every chart's context menu."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from services.files.atomic import write_atomically


def export_png(layout: pg.GraphicsLayoutWidget, path: Path) -> None:
    """Render the whole chart layout to a PNG, written atomically."""
    def render(temp: Path) -> None:
        exporter = ImageExporter(layout.ci)
        exporter.parameters()["width"] = max(1200, int(layout.width()))
        exporter.export(str(temp))

    write_atomically(Path(path), render)


def add_export_actions(owner: QWidget, add: Callable[[str], QAction], name: Callable[[], str],
                       png: Callable[[Path], None], csv: Callable[[Path], None]) -> None:
    """Add the two export entries to the chart's right-click menu (`add` puts one there)."""
    def ask(kind: str, suffix: str, action: Callable[[Path], None]) -> None:
        chosen, _ = QFileDialog.getSaveFileName(owner, f"Export {kind}", f"{name()}.{suffix}",
                                                f"{kind} (*.{suffix})")
        if not chosen:
            return
        try:
            action(Path(chosen))
        except OSError as error:
            QMessageBox.warning(owner, "Export failed", f"{chosen}\n\n{error}\n\nNothing was "
                                "written; an existing file there is unchanged.")

    add("Export chart as PNG…").triggered.connect(lambda: ask("PNG image", "png", png))
    add("Export data as CSV…").triggered.connect(lambda: ask("CSV data", "csv", csv))
