"""The exchange's trading days, stored in the database so the window and the commands can name a
lock-up's first trading day without loading the calendar library (about 1.5 s): the poller
refreshes them once a day, a command fills them in when they are missing."""

from __future__ import annotations

import sqlite3

from db import calendar_repo
from db.connection import transaction
from services.market.calendar import MarketClock


def sessions_to_store(conn: sqlite3.Connection, market: MarketClock) -> list[str] | None:
    """Every session the calendar knows (ISO dates), or None when the database has them."""
    days = [day.isoformat() for day in market.session_days()]
    if days and calendar_repo.trading_days_through(conn, market.name) == days[-1]:
        return None
    return days


def ensure_stored(conn: sqlite3.Connection, market: MarketClock) -> None:
    days = sessions_to_store(conn, market)
    if days is not None:
        with transaction(conn):
            calendar_repo.save_trading_days(conn, market.name, days)
