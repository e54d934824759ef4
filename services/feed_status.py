"""One plain sentence about where the prices on screen come from and how old they are."""

from __future__ import annotations

import datetime as dt

from services import formatting as fmt
from services.watchlist_service import WatchlistRow


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def price_status(rows: list[WatchlistRow], now: dt.datetime) -> str:
    priced = [row for row in rows if row.last is not None]
    if not rows:
        return "Watchlist is empty."
    if not priced:
        return "No prices stored yet."
    live = [row for row in priced if row.last and row.last.source in {"yahoo", "demo"}]
    if live:
        newest = max(live, key=lambda row: row.last.ts if row.last else 0)
        assert newest.last is not None
        label = "DEMO feed (simulated)" if newest.last.source == "demo" else (
            "Yahoo Finance, delayed at least 15 min")
        when = fmt.price_time(newest.last, newest.instrument.timezone)
        return f"Prices: {label} — last price {when} ({_age(now.timestamp() - newest.last.ts)})."
    newest_ref = max(priced, key=lambda row: row.last.ts if row.last else 0)
    assert newest_ref.last is not None
    return (
        "No live prices yet — showing bundled reference prices (latest "
        f"{fmt.price_time(newest_ref.last, newest_ref.instrument.timezone)}, "
        f"{_age(now.timestamp() - newest_ref.last.ts)}). Not real-time."
    )
