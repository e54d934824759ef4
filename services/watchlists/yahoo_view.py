"""Yahoo's fundamentals beside the figures in use: for each value Yahoo gave, its date, and
whether a figure uses it or a bundled or user fact wins (the detail pane shows these lines)."""

from __future__ import annotations

from dataclasses import dataclass

from services.core import formatting as fmt
from services.reference.yahoo_facts import CONFIDENCE, NOT_AVAILABLE, YahooSnapshot
from services.watchlists.snapshots import InstrumentDetail

IN_USE = "in use"


@dataclass(frozen=True)
class YahooLine:
    label: str
    value: str  # NOT_AVAILABLE when Yahoo has none
    as_of: str  # Yahoo's own date (as of, period end), "" when it gives none
    use: str  # IN_USE, or which figure is used instead and why


def _from_yahoo(provenance_confidence: str | None) -> bool:
    return provenance_confidence == CONFIDENCE


def yahoo_lines(detail: InstrumentDetail) -> list[YahooLine]:
    """Empty before the first fetch (the status line says so)."""
    snap = detail.row.yahoo
    if snap is None or snap.fetched is None:
        return []
    return [*_shares(detail, snap), *_revenue(detail), *_target(detail, snap),
            *_calendar(detail, snap)]


def _shares(detail: InstrumentDetail, snap: YahooSnapshot) -> list[YahooLine]:
    used = detail.fundamentals.shares
    own = bool(used) and not _from_yahoo(used[-1].provenance and
                                         used[-1].provenance.confidence)
    use = "bundled or your share counts win" if own else IN_USE
    history = detail.yahoo_fundamentals.shares if detail.yahoo_fundamentals else ()
    lines = [YahooLine("Shares outstanding", f"{snap.shares:,}" if snap.shares else NOT_AVAILABLE,
                       "", use if snap.shares else "")]
    if history:
        lines.append(YahooLine("Share count history", f"{len(history)} counts, latest "
                               f"{history[-1].shares:,}", history[-1].as_of.isoformat(), use))
    if snap.float_shares:
        lines.append(YahooLine("Free float", f"{snap.float_shares:,}", "", "shown only"))
    cap = detail.row.market_cap
    if cap is not None and not own:
        lines.append(YahooLine("Market cap", fmt.compact_money(cap), "",
                               "price × Yahoo's share count"))
    return lines


def _revenue(detail: InstrumentDetail) -> list[YahooLine]:
    theirs = detail.yahoo_fundamentals.revenue if detail.yahoo_fundamentals else ()
    if not theirs:
        return [YahooLine("Revenue", NOT_AVAILABLE, "", "")]
    used = detail.fundamentals.revenue
    own = bool(used) and not any(_from_yahoo(r.provenance and r.provenance.confidence)
                                 for r in used)
    lines = []
    for kind, label in (("annual", "Revenue, last fiscal year"),
                        ("interim", "Revenue, latest quarter")):
        latest = [r for r in theirs if r.kind == kind]
        if latest:
            r = max(latest, key=lambda r: r.period_end)
            lines.append(YahooLine(label, f"{fmt.compact_money(r.amount)} ({r.amount.currency})",
                                   r.period_end.isoformat(),
                                   "bundled or your revenue wins" if own else IN_USE))
    return lines


def _target(detail: InstrumentDetail, snap: YahooSnapshot) -> list[YahooLine]:
    c = snap.consensus
    if c is None:
        return [YahooLine("Consensus target", NOT_AVAILABLE, "", "")]
    latest = detail.row.latest_target
    in_use = latest is not None and latest.provenance is not None and \
        _from_yahoo(latest.provenance.confidence)
    use = IN_USE + " (upside)" if in_use else \
        f"the recorded target ({latest.broker}) wins" if latest else "shown only"
    spread = " · ".join(f"{name} {fmt.money(m, 1)}" for name, m in
                        (("median", c.median), ("high", c.high), ("low", c.low)) if m)
    lines = [YahooLine("Consensus target", c.text(), "", use)]
    if spread:
        lines.append(YahooLine("Target range", spread, "", "shown only"))
    if snap.recommendation or snap.trend:
        now = snap.trend[0] if snap.trend else None
        counts = "" if now is None else (
            f" — {now.strong_buy} strong buy, {now.buy} buy, {now.hold} hold, {now.sell} sell, "
            f"{now.strong_sell} strong sell")
        lines.append(YahooLine("Recommendation", (snap.recommendation or "—") + counts,
                               "", "shown only"))
    return lines


def _calendar(detail: InstrumentDetail, snap: YahooSnapshot) -> list[YahooLine]:
    results = YahooLine("Next results", NOT_AVAILABLE, "", "") if snap.next_results is None \
        else YahooLine("Next results", snap.next_results.isoformat() +
                       (" (Yahoo's estimate)" if snap.next_results_estimate else ""), "",
                       IN_USE + " (events)")
    if snap.first_trade is None:
        return [results, YahooLine("First trade", NOT_AVAILABLE, "", "")]
    listed = detail.row.instrument.listing_date
    use = IN_USE + " (listing date)" if listed == snap.first_trade else \
        f"the recorded listing date ({listed.isoformat()}) wins" if listed else "shown only"
    return [results, YahooLine("First trade", snap.first_trade.isoformat(), "", use)]

