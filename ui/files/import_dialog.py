"""Import a watchlist, transactions or price history from a file.

The file is previewed (kind guessed, first rows shown); for transactions the trader maps the
file's columns to the fields. Nothing is written while any row is bad unless "skip bad rows" is
ticked; every bad row is listed with its line number. Reading and importing run on a worker
thread with a connection of their own, so a big price file never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.files.imports import KINDS, FilePreview, ImportRequest, ImportResult, preview
from services.files.tables import ImportRejectedError
from services.files.trade_columns import FIELDS, REQUIRED
from ui.common.list_table_model import Index, ListTableModel
from ui.common.workers import Background

NOT_IN_FILE = "(not in the file)"
FILE_FILTER = "Tables and lists (*.csv *.json *.txt *.xlsx);;All files (*)"


class PreviewModel(ListTableModel[list[str]]):
    """The first rows of the file, under the file's own header."""

    def show(self, header: list[str], rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.headers = tuple(header)
        self.items = [list(r) + [""] * (len(header) - len(r)) for r in rows]
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        return row[index.column()] if index.column() < len(row) else ""


class ImportDialog(QDialog):
    imported = Signal(object)  # ImportResult

    def __init__(self, run: Callable[[ImportRequest], ImportResult], symbols: list[str],
                 folder: str = "", parent: QWidget | None = None, watchlist: str | None = None):
        super().__init__(parent)
        self._watchlist = watchlist  # where symbols new to HarbourWatch go
        self.setWindowTitle("Import")
        self.setObjectName("import_dialog")
        self._run = run
        self._folder = folder
        self.path = QLineEdit(self)
        self.path.setPlaceholderText("Choose a CSV, JSON, TradingView .txt or XLSX file")
        self.path.editingFinished.connect(lambda: self.set_file(self.path.text()))
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.kind = QComboBox(self)
        for key, label in KINDS.items():
            self.kind.addItem(label, key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.list_name = QLineEdit(self)
        self.list_name.setPlaceholderText("the name in the file")
        self.symbol = QComboBox(self)
        self.symbol.setEditable(True)
        self.symbol.addItems(symbols)
        self.mapping_box = QGroupBox("Columns (* required)", self)
        mapping_form = QFormLayout(self.mapping_box)
        self.mapping: dict[str, QComboBox] = {}
        for name in FIELDS:
            combo = QComboBox(self.mapping_box)
            combo.setObjectName(f"map_{name}")
            self.mapping[name] = combo
            mapping_form.addRow(name + (" *" if name in REQUIRED else ""), combo)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView(self)
        self.preview.setModel(self.preview_model)
        self.preview.verticalHeader().setVisible(False)
        self.preview.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.preview.setMaximumHeight(170)
        self.skip_bad = QCheckBox("Skip bad rows and import the good ones", self)
        self.summary = QLabel(self)
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.problems = QPlainTextEdit(self)
        self.problems.setObjectName("import_problems")
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText("Problems with rows are listed here, by line number.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("What it holds", self.kind)
        form.addRow("List name", self.list_name)
        form.addRow("Symbol", self.symbol)
        self._form = form
        columns = QHBoxLayout()
        columns.addWidget(self.mapping_box)
        columns.addWidget(self.preview, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(columns)
        layout.addWidget(self.skip_bad)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        layout.addWidget(buttons)

        self._reader = Background(self)
        self._reader.finished.connect(self._previewed)
        self._reader.failed.connect(self._failed)
        self._importer = Background(self)
        self._importer.finished.connect(self._done)
        self._importer.failed.connect(self._failed)
        self._kind_changed()
        self.resize(860, 620)

    @Slot()
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import from", self._folder, FILE_FILTER)
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> None:
        """Preview the file on a worker thread; the kind and mapping are guessed from it."""
        self.path.setText(path)
        if not path:
            return
        self.import_button.setEnabled(False)
        self.summary.setText("Reading…")
        self._reader.run(lambda: preview(Path(path)))

    @Slot(object)
    def _previewed(self, found: FilePreview) -> None:
        self.import_button.setEnabled(True)
        self.preview_model.show(found.header, found.rows)
        for name, combo in self.mapping.items():
            combo.clear()
            combo.addItems([NOT_IN_FILE, *found.header])
            guessed = found.mapping.get(name, NOT_IN_FILE)
            if combo.findText(guessed) < 0:  # several fee columns added up
                combo.addItem(guessed)
            combo.setCurrentText(guessed)
        self.kind.setCurrentIndex(self.kind.findData(found.kind))
        self.summary.setText(f"Looks like {KINDS[found.kind].lower()}"
                             + (f" with columns {', '.join(found.header)}." if found.header
                                else "."))
        self.problems.clear()

    @Slot()
    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        for widget, shown in ((self.list_name, kind == "watchlist"),
                              (self.symbol, kind == "prices")):
            self._form.setRowVisible(widget, shown)
        self.mapping_box.setVisible(kind == "transactions")

    def request(self) -> ImportRequest:
        mapping = {name: combo.currentText() for name, combo in self.mapping.items()
                   if combo.currentText() not in ("", NOT_IN_FILE)}
        return ImportRequest(self.kind.currentData(), Path(self.path.text()),
                             self.skip_bad.isChecked(), mapping or None,
                             self.symbol.currentText().strip(),
                             self.list_name.text().strip() or None, self._watchlist)

    @Slot()
    def start_import(self) -> None:
        if not self.path.text() or self._importer.busy:
            return
        self.import_button.setEnabled(False)
        self.summary.setText("Importing…")
        self.problems.clear()
        request = self.request()
        self._importer.run(lambda: self._run(request))

    @Slot(object)
    def _done(self, result: ImportResult) -> None:
        self.import_button.setEnabled(True)
        self.summary.setText(result.headline)
        lines = [f"skipped {p}" for p in result.report.problems]
        lines += [f"warning: {w}" for w in result.warnings]
        self.problems.setPlainText("\n".join(lines))
        self.imported.emit(result)

    @Slot(object)
    def _failed(self, error: Exception) -> None:
        self.import_button.setEnabled(True)
        if isinstance(error, ImportRejectedError):
            report = error.report
            self.summary.setText(
                f"Nothing was imported: {len(report.problems)} of {report.read} rows are bad. "
                "Fix them, or tick “Skip bad rows” to import the good ones.")
            self.problems.setPlainText("\n".join(str(p) for p in report.problems))
        else:
            self.summary.setText(f"Nothing was imported: {error}")
