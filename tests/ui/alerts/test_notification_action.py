"""Clicking "Open 0100.HK" on a desktop notification brings the window up on that symbol.

Runs in its own process: Qt keeps one session-bus connection per process, and this test needs
it on a private bus started here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.dbus_session import start_bus

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import sys
import time
from pathlib import Path
from PySide6.QtCore import QTimer
from jeepney import DBusAddress, new_signal
from jeepney.io.blocking import open_dbus_connection
from services.core.paths import AppPaths
from ui.app import application, launch

home = Path(sys.argv[1])
paths = AppPaths(home / "data", home / "cache", home / "config")
window = launch(paths.database, paths, start_feed=False)
app = application()
assert window.selected_symbol() == "2513.HK"

def click():
    with open_dbus_connection(bus="SESSION") as conn:
        conn.send(new_signal(DBusAddress("/org/freedesktop/Notifications",
                                         interface="org.freedesktop.Notifications"),
                             "ActionInvoked", "us", (3, "open:0100.HK")))

deadline = time.monotonic() + 30

def step():
    # Click once the window listens (it subscribes after its first paint, later on a loaded
    # machine), again until the click is heard: a subscription may reach the bus a moment
    # after it was made.
    if window.selected_symbol() == "0100.HK" or time.monotonic() > deadline:
        print("selected:", window.selected_symbol(), "visible:", window.isVisible())
        app.quit()
    elif window.desktop.notification_actions is not None:
        click()

timer = QTimer()
timer.timeout.connect(step)
timer.start(100)
app.exec()
"""


def test_notification_action_opens_the_symbol(tmp_path: Path) -> None:
    daemon, address = start_bus()
    try:
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "QT_QPA_PLATFORM": "offscreen",
               "PYTHONPATH": str(ROOT)}
        result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert "selected: 0100.HK visible: True" in result.stdout
