"""Settings › Start at login writes and removes the autostart entry that reopens this database
in the tray; a window launched that way stays out of sight until asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.desktop import autostart
from tests.services.desktop.test_entries import read_entry, split_exec, validate
from ui.app import launch
from ui.common import settings as cfg
from ui.common.settings import open_settings
from ui.window import login

LAUNCHER = ["/opt/harbourwatch/harbourwatch"]


def test_start_at_login_writes_and_removes_the_autostart_entry(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(login, "launch_command", lambda: LAUNCHER)
    window = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(window)
    action = window.findChild(QAction, "start_at_login")
    assert action is not None and action.isEnabled() and not action.isChecked()
    assert any(a.text() == "&Settings" for a in window.menuBar().actions())

    action.trigger()
    assert action.isChecked() and autostart.enabled()
    validate(autostart.entry_path())
    exec_args = split_exec(read_entry(autostart.entry_path())["Exec"])
    assert exec_args == [*LAUNCHER, "--db", str(db_path.resolve()), "gui", "--minimised"]
    store = open_settings(isolated_home.settings_file)
    assert cfg.START_AT_LOGIN.get(store) is True

    action.trigger()
    assert not action.isChecked() and not autostart.entry_path().exists()
    assert cfg.START_AT_LOGIN.get(open_settings(isolated_home.settings_file)) is False


def test_the_entry_is_the_truth_and_the_default_database_needs_no_option(
    qtbot, isolated_home: AppPaths, clock: FixedClock,
) -> None:
    autostart.enable(autostart.login_command(LAUNCHER))  # e.g. set by an earlier version
    window = launch(isolated_home.database, isolated_home, clock, start_feed=False)
    qtbot.addWidget(window)
    assert window.findChild(QAction, "start_at_login").isChecked()
    assert login.login_options(isolated_home.database, demo=False) == []
    assert login.login_options(isolated_home.demo_database, demo=True) == ["--demo"]


def test_a_window_started_at_login_waits_out_of_sight_until_asked_for(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock,
) -> None:
    window = launch(db_path, isolated_home, clock, start_feed=False, minimised=True)
    qtbot.addWidget(window)
    assert not window.isVisible()
    # Offscreen there is no tray to wait in: the window goes to the taskbar minimised.
    qtbot.waitUntil(lambda: window.isMinimized(), timeout=5000)
    assert window.tray is None and window.selected_symbol() == "2513.HK"

    window.reveal("00100")  # another launch: `harbourwatch gui 00100`
    assert window.isVisible() and not window.isMinimized()
    assert window.selected_symbol() == "0100.HK"
    window.reveal("not a ticker!")
    assert window.selected_symbol() == "0100.HK"
    assert "not" in window.statusBar().currentMessage()
    window.reveal("AAPL")
    assert "AAPL is in no watchlist" in window.statusBar().currentMessage()

    window.workspace.editor.create("Later")
    window.workspace.editor.move("0100.HK", "Main", "Later")
    window.table.reload_lists("Main")
    window.reveal("0100.HK")  # not in the list shown: the list holding it is
    assert window.current_watchlist() == "Later" and window.selected_symbol() == "0100.HK"
