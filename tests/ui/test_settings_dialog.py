"""Settings: saved where the window and `run --headless` read them, applied live."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

from services.app.preferences import read_preferences
from services.core.clock import FixedClock
from services.core.paths import AppPaths
from ui.app import launch
from ui.common import settings as cfg
from ui.main_window import MainWindow


def test_round_trip_and_live_apply(window: MainWindow, isolated_home: AppPaths) -> None:
    dialog = window.open_settings()
    dialog.interval.setValue(120)
    dialog.duration.setCurrentIndex(dialog.duration.findData(30))
    dialog.urgency.setCurrentText("critical")
    dialog.sound.setChecked(False)
    dialog.webhook.setText("https://hooks.example.com/a,b")
    dialog.theme.setCurrentText("dark")
    dialog.minimised.setChecked(True)
    dialog.try_save()
    assert not dialog.isVisible()
    assert not window.sound_action.isChecked() and window.dark_action.isChecked()
    store = window._store
    assert cfg.POLL_INTERVAL.get(store) == 120 and cfg.NOTIFY_URGENCY.get(store) == "critical"
    stored = read_preferences(isolated_home.settings_file)  # as `run --headless` reads it
    assert (stored.poll_interval_s, stored.notify_seconds, stored.expire_ms) == (120, 30, 30_000)
    assert stored.notify_urgency == "critical" and stored.sound is False
    assert stored.webhook_url == "https://hooks.example.com/a,b"
    again = window.open_settings()  # the dialog shows what was stored
    assert again.interval.value() == 120 and again.duration.currentData() == 30
    assert again.theme.currentText() == "dark" and again.minimised.isChecked()
    again.reject()


def test_bad_webhook_is_explained_and_nothing_saved(window: MainWindow) -> None:
    dialog = window.open_settings()
    dialog.webhook.setText("ftp://example.com/x")
    dialog.interval.setValue(300)
    dialog.try_save()
    assert "Not saved" in dialog.errors.text() and dialog.isVisible()
    assert cfg.POLL_INTERVAL.get(window._store) == 60


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_send_test_runs_off_the_gui_thread_and_reports(qtbot, window: MainWindow) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dialog = window.open_settings()
        dialog.webhook.setText(f"http://127.0.0.1:{server.server_address[1]}/hook")
        dialog.send_test()
        qtbot.waitUntil(lambda: "answered 204" in dialog.test_result.text(), timeout=10_000)
        assert dialog.test_button.isEnabled()
        dialog.reject()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_hand_edited_settings_file_cannot_make_polling_run_wild(window: MainWindow) -> None:
    from services.alerts.notify import Dispatcher

    store = window._store
    store.setValue(cfg.POLL_INTERVAL.key, 0)
    store.setValue(cfg.NOTIFY_SECONDS.key, -40)
    store.setValue(cfg.NOTIFY_URGENCY.key, "shouting")
    assert cfg.poll_interval(store) == 60
    dispatcher = Dispatcher(desktop=False)
    cfg.apply_notifications(store, dispatcher)
    assert (dispatcher.expire_ms, dispatcher.urgency) == (0, "normal")


def test_start_minimised_is_honoured_at_the_next_start(qtbot, db_path: Path,
                                                       isolated_home: AppPaths,
                                                       clock: FixedClock) -> None:
    isolated_home.settings_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_home.settings_file.write_text("[prefs]\nstart_minimised=true\n", encoding="utf-8")
    win = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.desktop.notification_actions is not None)  # started in tray
    assert not win.isVisible() or win.isMinimized()


def test_settings_sits_in_the_file_menu_above_quit(window: MainWindow) -> None:
    texts = [a.text() for a in window.file_actions.menu.actions()]
    assert texts.index("&Settings…") < texts.index("&Quit")
