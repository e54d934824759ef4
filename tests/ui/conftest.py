from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest

from ui.common.workers import WorkerPool


@pytest.fixture(autouse=True)
def worker_pool_ends() -> Iterator[None]:
    """The window's worker pool ends with each test, as it does when the app quits."""
    yield
    assert WorkerPool.shutdown_instance(5.0), "a background task was still running"
