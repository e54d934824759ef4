"""One plain sentence about where the prices on screen come from and how old they are, and the
warning across the window when the feed is down."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from services.core import formatting as fmt
from services.core.clock import HKEX_TZ, from_epoch
from services.watchlists.service import LIVE_SOURCES as LIVE
from services.watchlists.snapshots import WatchlistRow

if TYPE_CHECKING:  # the window's status bar loads before any poll (and the poller)
    from services.market.poller import PollOutcome

STORED = {"reference": "bundled reference", "import": "imported"}


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
    live = [row for row in priced if row.last and row.last.source in LIVE]
    if live:
        newest = max(live, key=lambda row: row.last.ts if row.last else 0)
        assert newest.last is not None
        label = "DEMO feed (simulated)" if newest.last.source == "demo" else (
            "Yahoo Finance, delayed at least 15 min")
        when = fmt.price_time(newest.last, newest.instrument.timezone)
        return f"Prices: {label} — last price {when} ({_age(now.timestamp() - newest.last.ts)})."
    newest_ref = max(priced, key=lambda row: row.last.ts if row.last else 0)
    assert newest_ref.last is not None
    kinds = " and ".join(sorted({STORED.get(row.last.source, row.last.source)
                                 for row in priced if row.last}))
    return (
        f"No live prices yet — showing {kinds} prices (latest "
        f"{fmt.price_time(newest_ref.last, newest_ref.instrument.timezone)}, "
        f"{_age(now.timestamp() - newest_ref.last.ts)}). Not real-time."
    )


def _showing(rows: list[WatchlistRow]) -> str:
    """What the table shows while the feed is down: the newest price Yahoo gave, and never a
    bundled reference or imported price passed off as one."""
    live = [row for row in rows if row.last is not None and row.last.source in LIVE]
    if live:
        newest = max(live, key=lambda row: row.last.ts if row.last else 0)
        assert newest.last is not None
        return (f"showing {'DEMO' if newest.last.source == 'demo' else 'Yahoo'} prices as of "
                f"{fmt.price_time(newest.last, newest.instrument.timezone)}")
    stored = [row for row in rows if row.last is not None]
    if not stored:
        return "no price stored yet"
    newest = max(stored, key=lambda row: row.last.ts if row.last else 0)
    assert newest.last is not None
    kinds = " and ".join(sorted({STORED.get(row.last.source, row.last.source)
                                 for row in stored if row.last}))
    return (f"no live price yet; showing {kinds} prices (latest "
            f"{fmt.price_time(newest.last, newest.instrument.timezone)}), not quotes")


def feed_banner(outcome: PollOutcome | None, rows: list[WatchlistRow],
                tz: str = HKEX_TZ) -> str:
    """The warning across the window when the feed is down, or '' when it is fine."""
    if outcome is None:
        return ""
    showing = _showing(rows)
    if outcome.rate_limited_until:
        until = from_epoch(outcome.rate_limited_until, tz).strftime("%H:%M")
        return (f"Yahoo Finance is limiting requests (HTTP 429) — {showing}. "
                f"Next try after {until} HKT.")
    if outcome.offline:
        return (f"Cannot reach Yahoo Finance — {showing}. "
                "Retrying automatically with backoff; nothing is lost.")
    unknown = [r.symbol for r in outcome.results if r.error_kind == "unknown symbol"]
    if unknown:
        return f"Yahoo Finance does not know {', '.join(unknown)} — check the symbol."
    return ""
