"""What this copy of HarbourWatch is, for a bug report: its version and what it runs on.

VERSION is written here only; the package's metadata reads it (pyproject.toml, dynamic version),
so a source checkout, an installed package and a bundle all report the same number.
"""

from __future__ import annotations

import platform
import sqlite3

VERSION = "0.1.0"


def runtime_versions() -> list[tuple[str, str]]:
    """Python, SQLite and yfinance as loaded by this process (yfinance is imported: slow)."""
    from services.market.yahoo_source import yfinance_version

    return [("Python", platform.python_version()), ("SQLite", sqlite3.sqlite_version),
            ("yfinance", yfinance_version())]
