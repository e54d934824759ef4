"""The poller lock in one process: refused while held (naming the holder), free again once
released, and a lock file whose holder is gone is taken over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.app.poller_lock import AlreadyPollingError, Holder, PollerLock, lock_path


def test_the_lock_refuses_a_second_poller_until_released(db_path: Path) -> None:
    first = PollerLock(db_path)
    assert first.acquire("window") is None
    with pytest.raises(AlreadyPollingError) as refused:
        PollerLock(db_path).acquire("headless")
    assert refused.value.holder == Holder(os.getpid(), "window")
    assert str(refused.value) == (f"{db_path} is already being polled by the HarbourWatch "
                                  f"window (process {os.getpid()})")
    first.release()
    assert lock_path(db_path).read_text() == ""
    with PollerLock(db_path) as second:
        assert second.acquire("headless") is None
        assert lock_path(db_path).read_text() == f"{os.getpid()} headless\n"


def test_a_lock_file_left_behind_is_taken_over_and_its_holder_named(db_path: Path) -> None:
    lock_path(db_path).parent.mkdir(parents=True, exist_ok=True)
    lock_path(db_path).write_text("999999 headless\n")  # written by a process long gone
    lock = PollerLock(db_path)
    assert lock.acquire("window") == Holder(999999, "headless")
    lock.release()
