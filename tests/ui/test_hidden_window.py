"""A window nobody sees does no refresh work: polls landing while it is hidden in the tray or
minimised cost nothing on the GUI thread, and it catches up once when shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.app.poll_cycle import CycleOutcome
from services.core.clock import FixedClock
from services.core.paths import AppPaths
from services.market.poller import PollOutcome
from services.watchlists.service import WatchlistService
from ui.app import launch


def test_hidden_and_minimised_windows_skip_refreshes_and_catch_up_once(
    qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = launch(db_path, isolated_home, clock, start_feed=False, verify=None)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    reads: list[str] = []
    rows = WatchlistService.rows

    def counting_rows(self: WatchlistService, *args: object, **kwargs: object) -> list:
        reads.append("rows")
        return rows(self, *args, **kwargs)

    monkeypatch.setattr(WatchlistService, "rows", counting_rows)
    landed = CycleOutcome(PollOutcome(0, 0, "open", "yahoo"))

    window.on_poll_finished(landed)
    assert reads == ["rows"]  # seen: refreshed at once

    for hide, show in ((window.hide, window.show), (window.showMinimized, window.showNormal)):
        reads.clear()
        hide()
        qtbot.waitUntil(lambda: not window.isVisible() or window.isMinimized())
        for _ in range(5):
            window.on_poll_finished(landed)
            window.feed._tick()
        assert reads == []  # no work while nobody looks
        show()
        qtbot.waitUntil(lambda: reads == ["rows"])  # one catch-up for all five polls
        qtbot.wait(50)
        assert reads == ["rows"]
