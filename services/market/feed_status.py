"""How the last poll went, in words: lines for a terminal and the status bar's feed cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.core import formatting as fmt
from services.core.clock import HKEX_TZ, from_epoch
from services.core.models import Price

if TYPE_CHECKING:  # the window's status bar loads before any poll (and the poller)
    from services.market.poller import PollOutcome


def describe_outcome(outcome: PollOutcome, tz: str = HKEX_TZ) -> list[str]:
    """Lines for a terminal: what each symbol did in one poll."""
    when = from_epoch(outcome.started_at, tz).strftime("%Y-%m-%d %H:%M:%S %Z")
    demo = " DEMO" if outcome.source == "demo" else ""
    lines = [f"{when}{demo}  market {outcome.phase}  {len(outcome.succeeded)}/"
             f"{len(outcome.results)} symbols updated"]
    for r in outcome.results:
        if r.ok and r.price is not None and r.price_ts is not None:
            price = Price(r.price, r.currency, r.price_ts, outcome.source)
            dropped = (f"; {r.bars_dropped} bad bars dropped: {r.dropped_why}"
                       if r.bars_dropped else "")
            lines.append(f"  {r.symbol:<10} {fmt.price_money(price.money):>12}  last trade "
                         f"{fmt.price_time(price, tz)}  ({r.bars_written} bars{dropped})")
        elif r.skipped:
            lines.append(f"  {r.symbol:<10} skipped: {r.skipped}")
        else:
            lines.append(f"  {r.symbol:<10} FAILED: {r.error_kind}: {r.error}")
    for r in outcome.fx_results:  # daily FX rates, fetched once a day
        lines.append(f"  {r.symbol:<10} {r.price:.4f} {r.currency}  ({r.bars_written} daily rates)"
                     if r.ok and r.price is not None else
                     f"  {r.symbol:<10} FX FAILED: {r.error_kind}: {r.error} (placeholder kept)")
    if outcome.rate_limited_until:
        until = from_epoch(outcome.rate_limited_until, tz).strftime("%H:%M:%S %Z")
        lines.append(f"  Yahoo is rate-limiting: next request after {until}")
    if outcome.offline:
        lines.append("  Cannot reach Yahoo Finance: stored prices are kept; retrying with backoff")
    return lines


def feed_summary(outcome: PollOutcome, tz: str = HKEX_TZ) -> str:
    """The status bar's feed cell: health of the last poll."""
    when = from_epoch(outcome.finished_at, tz).strftime("%H:%M:%S %Z")
    ok, total = len(outcome.succeeded), len(outcome.results)
    name = "DEMO" if outcome.source == "demo" else "Yahoo"
    failed = [r.symbol for r in outcome.results if not r.ok and not r.skipped]
    extra = f" · failing: {', '.join(failed)}" if failed else ""
    dropped = {r.symbol: r.bars_dropped for r in outcome.results if r.bars_dropped}
    if dropped:
        extra += (f" · {sum(dropped.values())} bad bars dropped "
                  f"({', '.join(sorted(dropped))})")
    return f"Feed: {name} · market {outcome.phase} · {ok}/{total} OK at {when}{extra}"
