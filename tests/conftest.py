"""Fixtures shared by every test: an isolated home, a real SQLite file, a clock standing still."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.clock import HONG_KONG, FixedClock
from services.database import open_app_database
from services.paths import AppPaths


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    """No test reads or writes the real user directories or settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("HARBOURWATCH_HOME", str(home))
    return AppPaths(home / "data", home / "cache", home / "config")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hw.sqlite3"


@pytest.fixture
def app_db(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A migrated database with the bundled reference data, in a real file."""
    conn = open_app_database(db_path)
    yield conn
    conn.close()


def hkt(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HONG_KONG)


@pytest.fixture
def clock() -> FixedClock:
    """10:15 Hong Kong time on Monday 2026-11-23, a trading day."""
    return FixedClock(hkt(2026, 11, 23, 10, 15))
