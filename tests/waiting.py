"""Waiting for a condition instead of sleeping a fixed time: fast when things are fast, patient
on a loaded machine, and a clear failure when the condition never comes."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_S = 0.02


def wait_for(condition: Callable[[], object], timeout: float = 20.0,
             message: Callable[[], str] = lambda: "timed out") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message()
        time.sleep(POLL_S)
