"""Edit › Settings…: the trader's preferences in one dialog, stored in the settings file
(ui/common/settings.py) and applied to the running window when saved.

`run --headless` reads the same keys (services/app/preferences.py)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from services.alerts.notify import check_webhook_url, send_test
from services.app.preferences import (
    MAX_POLL_INTERVAL_S,
    MIN_POLL_INTERVAL_S,
    NOTIFY_DURATIONS,
    URGENCIES,
)
from ui.common import settings as cfg
from ui.common.form_parts import message_label, save_cancel
from ui.common.workers import Background


@dataclass(frozen=True)
class Choices:
    """What the dialog saved; the window applies each part live."""

    poll_interval_s: int
    notify_seconds: int
    notify_urgency: str
    sound: bool
    webhook_url: str
    base_currency: str
    dark_theme: bool
    start_minimised: bool
    start_at_login: bool


class SettingsDialog(QDialog):
    saved = Signal(object)  # Choices

    def __init__(self, store: QSettings, currencies: list[str], login_available: bool,
                 start_at_login: bool, demo: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Settings")
        self._store = store
        self._demo = demo
        self.interval = QSpinBox(self)
        self.interval.setRange(MIN_POLL_INTERVAL_S, MAX_POLL_INTERVAL_S)
        self.interval.setSuffix(" s")
        self.interval.setValue(cfg.poll_interval(store))
        self.duration = QComboBox(self)
        for seconds, label in NOTIFY_DURATIONS.items():
            self.duration.addItem(label, seconds)
        self.duration.setCurrentIndex(max(0, self.duration.findData(cfg.NOTIFY_SECONDS.get(store))))
        self.urgency = QComboBox(self)
        self.urgency.addItems(list(URGENCIES))
        self.urgency.setCurrentText(cfg.NOTIFY_URGENCY.get(store))
        self.sound = QCheckBox("Beep when alerts fire", self)
        self.sound.setChecked(cfg.SOUND.get(store))
        self.webhook = QLineEdit(cfg.WEBHOOK_URL.get(store), self)
        self.webhook.setPlaceholderText("https://… (empty: none)")
        self.webhook.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)
        self.test_button = QPushButton("Send test", self)
        self.test_button.clicked.connect(self.send_test)
        self.test_result = QLabel(self)
        self.test_result.setWordWrap(True)
        self.test_result.setObjectName("webhook_test_result")
        hook = QHBoxLayout()
        hook.addWidget(self.webhook, 1)
        hook.addWidget(self.test_button)
        self.base = QComboBox(self)
        self.base.addItems(currencies)
        self.base.setCurrentText(cfg.BASE_CURRENCY.get(store))
        self.theme = QComboBox(self)
        self.theme.addItems(["light", "dark"])
        self.theme.setCurrentIndex(int(cfg.DARK_THEME.get(store)))
        self.minimised = QCheckBox("Start minimised to the tray", self)
        self.minimised.setChecked(cfg.START_MINIMISED.get(store))
        self.login = QCheckBox("Start at login", self)
        self.login.setChecked(start_at_login)
        self.login.setEnabled(login_available)
        self.errors = message_label(self, "settings_errors")
        form = QFormLayout(self)
        for label, field in (("Poll every (while trading)", self.interval),
                             ("Alert notifications stay", self.duration),
                             ("Notification urgency", self.urgency), ("", self.sound),
                             ("Alert webhook", hook), ("", self.test_result),
                             ("Portfolio base currency", self.base), ("Theme", self.theme),
                             ("", self.minimised), ("", self.login)):
            form.addRow(label, field)
        form.addRow(self.errors)
        form.addRow(save_cancel(self, self.try_save))
        self._tester = Background(self)
        self._tester.finished.connect(self._tested)
        self._tester.failed.connect(self._tested)

    @Slot()
    def send_test(self) -> None:
        """One POST on a worker thread; the answer shows under the URL."""
        url = self.webhook.text()
        self.test_button.setEnabled(False)
        self.test_result.setText("Sending…")
        self._tester.run(lambda: send_test(url, self._demo))

    @Slot(object)
    def _tested(self, result: object) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(str(result))

    def choices(self) -> Choices:
        """ValueError for a webhook URL that cannot be one."""
        return Choices(self.interval.value(), int(self.duration.currentData()),
                       self.urgency.currentText(), self.sound.isChecked(),
                       check_webhook_url(self.webhook.text()), self.base.currentText(),
                       self.theme.currentIndex() == 1, self.minimised.isChecked(),
                       self.login.isChecked())

    @Slot()
    def try_save(self) -> None:
        try:
            chosen = self.choices()
        except ValueError as error:
            self.errors.setText(f"Not saved: {error}")
            return
        store = self._store
        for setting, value in ((cfg.POLL_INTERVAL, chosen.poll_interval_s),
                               (cfg.NOTIFY_SECONDS, chosen.notify_seconds),
                               (cfg.NOTIFY_URGENCY, chosen.notify_urgency),
                               (cfg.SOUND, chosen.sound), (cfg.WEBHOOK_URL, chosen.webhook_url),
                               (cfg.BASE_CURRENCY, chosen.base_currency),
                               (cfg.DARK_THEME, chosen.dark_theme),
                               (cfg.START_MINIMISED, chosen.start_minimised)):
            setting.set(store, value)
        store.sync()
        self.saved.emit(chosen)
        self.accept()
