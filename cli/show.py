"""Headless commands behind `python main.py ...`: plain text out, an exit code back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from services.app.database import DatabaseModeError, open_app_database
from services.core.clock import Clock, SystemClock
from services.watchlists.columns import render_text_table
from services.watchlists.service import WatchlistService
from services.watchlists.status import price_status


def show_watchlist(
    db_path: Path, watchlist: str, clock: Clock | None = None, out: TextIO = sys.stdout,
    demo: bool = False,
) -> int:
    """Print a watchlist as a text table, with the same figures the window shows."""
    clock = clock or SystemClock()
    try:
        conn = open_app_database(db_path, demo)
    except DatabaseModeError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        service = WatchlistService(conn, clock)
        try:
            rows = service.rows(watchlist)
        except KeyError:
            names = ", ".join(service.watchlist_names())
            print(f"No watchlist named {watchlist!r}. Watchlists: {names}", file=sys.stderr)
            return 2
        print(f"{watchlist}{' — DEMO' if demo else ''} — {db_path}", file=out)
        print(render_text_table(rows), file=out)
        print(price_status(rows, clock.now()), file=out)
        return 0
    finally:
        conn.close()
