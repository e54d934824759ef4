"""A click on the notification bubble (the "default" action) opens the symbol of a notification
this window sent, and ignores every other application's."""

from __future__ import annotations

from pathlib import Path

from services.alerts.notify import Dispatcher
from services.core.clock import FixedClock
from services.core.paths import AppPaths
from ui.alerts.notification_actions import NotificationActions
from ui.app import launch


def test_default_click_opens_our_notifications_symbol_only(qtbot, db_path: Path,
                                                           isolated_home: AppPaths,
                                                           clock: FixedClock) -> None:
    window = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(window)
    window.dispatcher = Dispatcher(desktop=False)
    window.dispatcher._shown[7] = "0100.HK"  # as if notification 7 told of 0100.HK
    actions = NotificationActions(window)
    actions.default_clicked.connect(window.desktop.notification_clicked)
    window.select_symbol("2513.HK")
    actions.action_invoked(99, "default")  # another application's bubble
    assert window.selected_symbol() == "2513.HK"
    actions.action_invoked(7, "default")
    assert window.selected_symbol() == "0100.HK"
