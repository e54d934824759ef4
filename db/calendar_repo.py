"""The exchange's trading days, as the market calendar computed them (so readers need no
calendar library)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def save_trading_days(conn: sqlite3.Connection, calendar: str, days: Sequence[str]) -> None:
    """Replace the stored sessions of an exchange calendar (ISO dates)."""
    conn.execute("DELETE FROM trading_days WHERE calendar = ?", [calendar])
    conn.executemany("INSERT INTO trading_days (calendar, day) VALUES (?, ?)",
                     [(calendar, day) for day in days])


def first_trading_day(conn: sqlite3.Connection, calendar: str, on_or_after: str) -> str | None:
    """The first stored session on or after a date; None beyond the stored range."""
    row = conn.execute(
        "SELECT MIN(day) FROM trading_days WHERE calendar = ? AND day >= ?",
        [calendar, on_or_after]).fetchone()
    return row[0] if row else None


def trading_days_through(conn: sqlite3.Connection, calendar: str) -> str | None:
    row = conn.execute("SELECT MAX(day) FROM trading_days WHERE calendar = ?",
                       [calendar]).fetchone()
    return row[0] if row else None


def previous_trading_day(conn: sqlite3.Connection, calendar: str, before: str) -> str | None:
    """The last stored session before a date; None when none is stored."""
    row = conn.execute(
        "SELECT MAX(day) FROM trading_days WHERE calendar = ? AND day < ?",
        [calendar, before]).fetchone()
    return row[0] if row else None
