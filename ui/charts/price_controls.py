"""The row above the price chart: range buttons, line or candles, log scale, grid, "Back to
live" (shown only while the trader has panned away from the newest bar) and the readout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from services.charts.ranges import RANGES


class PriceControls(QHBoxLayout):
    def __init__(self, owner: QWidget, selected: str):
        super().__init__()
        self.range_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(owner)
        for key in RANGES:
            button = QToolButton(owner)
            button.setText(key)
            button.setCheckable(True)
            button.setObjectName(f"range_{key}")
            group.addButton(button)
            self.addWidget(button)
            self.range_buttons[key] = button
        self.range_buttons[selected].setChecked(True)
        self.mode = QComboBox(owner)
        self.mode.addItems(["Line", "Candles"])
        self.log_scale = QCheckBox("Log", owner)
        self.grid = QCheckBox("Grid", owner)
        self.live_button = QToolButton(owner)
        self.live_button.setObjectName("back_to_live")
        self.live_button.setText("Back to live ▶")
        self.live_button.setToolTip("Move the view to the newest bar; it then follows new bars")
        self.live_button.hide()
        self.readout = QLabel(owner)
        self.readout.setObjectName("chart_readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long readout is cut, never widening the chart into the watchlist
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.addSpacing(12)
        for widget in (self.mode, self.log_scale, self.grid, self.live_button):
            self.addWidget(widget)
        self.addSpacing(12)
        self.addWidget(self.readout, 1)
