"""Reference data for one symbol: analyst targets, lock-ups, share counts and revenue, each a
table with add, edit and delete. The forms are built from services.reference.editing.KINDS,
so what the window asks for and what the service checks cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.reference.editing import KINDS, FactKind, FactRow, ReferenceEditor
from ui.common.form_parts import message_label, save_cancel
from ui.common.list_table_model import Index, ListTableModel
from ui.common.prompts import confirm

EXPLAIN = ("Bundled facts come with HarbourWatch and are refreshed by its updates; a fact you "
           "edit or add is yours, and updates never overwrite it.")


class FactsModel(ListTableModel[FactRow]):
    def __init__(self, kind: FactKind, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.headers = ("Origin", *(f.label for f in kind.fields))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if index.column() == 0:
            return row.origin
        return row.values[self.kind.fields[index.column() - 1].name]


class FactForm(QDialog):
    """One fact's fields; Save passes the typed text to `save`, which raises on a bad field."""

    def __init__(self, kind: FactKind, values: dict[str, str],
                 save: Callable[[dict[str, str]], object], title: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a form per add or edit
        self.setWindowTitle(title)
        self._save = save
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout(self)
        for field in kind.fields:
            widget: QLineEdit | QComboBox
            if field.kind == "choice":
                widget = QComboBox(self)
                widget.addItems(list(field.choices))
                widget.setCurrentText(values.get(field.name, ""))
            else:
                widget = QLineEdit(values.get(field.name, ""), self)
                widget.setPlaceholderText(field.hint or ("YYYY-MM-DD" if field.kind == "date"
                                                         else ""))
            self.inputs[field.name] = widget
            form.addRow(field.label + ("" if field.required else " (optional)"), widget)
        self.errors = message_label(self, "fact_errors")
        form.addRow(self.errors)
        form.addRow(save_cancel(self, self.try_save))
        self.resize(460, self.sizeHint().height())

    def values(self) -> dict[str, str]:
        return {name: w.currentText() if isinstance(w, QComboBox) else w.text()
                for name, w in self.inputs.items()}

    @Slot()
    def try_save(self) -> None:
        try:
            self._save(self.values())
        except ValueError as error:
            self.errors.setText(str(error))
            return
        self.accept()


class FactsTab(QWidget):
    changed = Signal()

    def __init__(self, editor: ReferenceEditor, kind: FactKind, parent: QWidget | None = None):
        super().__init__(parent)
        self._editor = editor
        self.kind = kind
        self.symbol = ""
        self.model = FactsModel(kind, self)
        self.table = QTableView(self)
        self.table.setObjectName(f"facts_{kind.table}")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.edit_selected)
        bar = QHBoxLayout()
        for text, slot in (("Add…", self.add), ("Edit…", self.edit_selected),
                           ("Delete", self.delete_selected)):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def show_symbol(self, symbol: str) -> None:
        self.symbol = symbol
        self.model.reset_items(self._editor.rows(self.kind.table, symbol) if symbol else [])

    def _saved(self) -> None:
        self.show_symbol(self.symbol)
        self.changed.emit()

    def selected(self) -> FactRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.items[rows[0].row()] if rows else None

    @Slot()
    def add(self) -> FactForm:
        def save(values: dict[str, str]) -> None:
            self._editor.add(self.kind.table, self.symbol, values)
            self._saved()

        form = FactForm(self.kind, self._editor.defaults(self.kind.table, self.symbol), save,
                        f"Add to {self.kind.title.lower()} — {self.symbol}", self)
        form.open()
        return form

    @Slot()
    def edit_selected(self) -> FactForm | None:
        row = self.selected()
        if row is None:
            return None

        def save(values: dict[str, str]) -> None:
            self._editor.edit(self.kind.table, row.id, values)
            self._saved()

        form = FactForm(self.kind, row.values, save,
                        f"Edit {self.kind.title.lower()} — {self.symbol}", self)
        form.open()
        return form

    @Slot()
    def delete_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        what = ", ".join(v for v in list(row.values.values())[:3] if v)
        extra = " It is bundled: it stays deleted when the app updates." \
            if row.origin.startswith("bundled") else ""
        if confirm(self, "Delete", f"Delete {what}?{extra}"):
            self._editor.delete(self.kind.table, row.id)
            self._saved()


class ReferenceDialog(QDialog):
    changed = Signal()  # a fact was added, edited or deleted: charts and details redraw

    def __init__(self, editor: ReferenceEditor, symbols: list[str], symbol: str | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # opened afresh each time
        self.setWindowTitle("Reference data")
        self.setObjectName("reference_dialog")
        self.symbol = QComboBox(self)
        self.symbol.addItems(symbols)
        if symbol:
            self.symbol.setCurrentText(symbol)
        self.tabs = QTabWidget(self)
        self.pages: dict[str, FactsTab] = {}
        for kind in KINDS.values():
            page = FactsTab(editor, kind, self)
            page.changed.connect(self.changed)
            self.pages[kind.table] = page
            self.tabs.addTab(page, kind.title)
        explain = QLabel(EXPLAIN, self)
        explain.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Symbol"))
        top.addWidget(self.symbol)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(explain)
        layout.addWidget(buttons)
        self.symbol.currentTextChanged.connect(self.show_symbol)
        self.show_symbol(self.symbol.currentText())
        self.resize(1000, 480)

    @Slot(str)
    def show_symbol(self, symbol: str) -> None:
        for page in self.pages.values():
            page.show_symbol(symbol)
