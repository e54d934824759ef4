from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.core.clock import FixedClock
from services.core.paths import AppPaths
from ui.app import launch
from ui.common.workers import WorkerPool
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def worker_pool_ends() -> Iterator[None]:
    """The window's worker pool ends with each test, as it does when the app quits."""
    yield
    assert WorkerPool.shutdown_instance(5.0), "a background task was still running"


@pytest.fixture
def window(qtbot, db_path: Path, isolated_home: AppPaths, clock: FixedClock) -> MainWindow:
    """The main window on the test database, without a feed."""
    win = launch(db_path, isolated_home, clock, start_feed=False)
    qtbot.addWidget(win)
    return win
