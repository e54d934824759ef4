"""The valuation in words: where the P/S stands against the bands, what each band and each
analyst target implies, and what every figure rests on (a reference price, a placeholder FX
rate, an assumed publication date) — plain text, shared by the chart and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.core import formatting as fmt
from services.core.models import ValuationBand
from services.core.valuation import (
    BASES,
    BandPrice,
    Estimate,
    TargetCap,
    ValuationPoint,
    revenue_published,
)

# The bands are one commentator's taxonomy; every place that draws them says so.
BANDS_CAVEAT = "P/S bands: the article's taxonomy — one commentator's view, not a market standard"


def band_position(ps: float, bands: Sequence[ValuationBand]) -> str:
    """'inside the L2 infrastructure band (20–30x)', 'above every band (…)', …"""
    inside = [b for b in bands if b.ps_low <= ps <= b.ps_high]
    if inside:
        return " and ".join(f"inside the {b.name} band ({b.ps_low:g}–{b.ps_high:g}x)"
                            for b in inside)
    top = max(bands, key=lambda b: b.ps_high, default=None)
    if top is not None and ps > top.ps_high:
        return f"above every band, {ps / top.ps_high:,.1f}x the top of {top.name} " \
               f"({top.ps_low:g}–{top.ps_high:g}x)"
    below = [b for b in bands if ps < b.ps_low]
    nearest = min(below, key=lambda b: b.ps_low, default=None)
    if nearest is None:
        return "outside the bands"
    return f"below the {nearest.name} band ({nearest.ps_low:g}–{nearest.ps_high:g}x)"


def position_words(ps: Estimate, bands: Sequence[ValuationBand]) -> str:
    """Where a multiple stands; a bound says which way the true figure lies."""
    if ps.bound == "at most":
        return f"an upper bound (the true multiple is lower), {band_position(ps.high, bands)}"
    if ps.bound == "at least":
        return f"a lower bound (the true multiple is higher), {band_position(ps.low, bands)}"
    return band_position(ps.value, bands)


def price_words(point: ValuationPoint, today: dt.date) -> str:
    """'HK$819.00 on 2026-09-10 (bundled reference price, digest — not a live quote, 74 days
    before today)' or 'HK$905.00 on 2026-11-20 (Yahoo · delayed 15 min)'."""
    price = point.price
    when = f"{fmt.price_money(price.money)} on {point.day.isoformat()}"
    if price.source == "reference":
        confidence = f", {price.confidence}" if price.confidence else ""
        return (f"{when} (bundled reference price{confidence} — not a live quote; "
                f"{(today - point.day).days} days before today)")
    return f"{when} ({fmt.source_label(price)})"


def published_words(point: ValuationPoint) -> str:
    assert point.revenue is not None
    day, known = revenue_published(point.revenue)
    return f"published {day.isoformat()}{'' if known else ', date assumed'}"


def summary_lines(name: str, point: ValuationPoint | None, bands: Sequence[ValuationBand],
                  band_prices: Sequence[BandPrice], caps: Sequence[TargetCap],
                  today: dt.date) -> list[str]:
    """The valuation summary, one sentence a line."""
    if point is None:
        return ["Not enough data (price, share count and FX rate) for a valuation."]
    basis = BASES[point.basis]
    lines = []
    if point.ps is None:
        lines.append(f"At {price_words(point, today)}, no {basis} revenue had been published, "
                     "so there is no P/S on this basis.")
    else:
        assert point.revenue is not None
        lines.append(
            f"At {price_words(point, today)}, {name} trades at {fmt.estimate(point.ps)} "
            f"{point.revenue.period} revenue ({basis}; {published_words(point)}) — "
            f"{position_words(point.ps, bands)}.")
        caveats = fmt.estimate_note(point.ps)
        if caveats:
            lines.append(f"Uncertain inputs: {caveats}.")
    lines.append(f"Shares in force: {point.shares.shares:,} since "
                 f"{point.shares.as_of.isoformat()} "
                 f"({point.shares.provenance.confidence if point.shares.provenance else ''}).")
    if band_prices:
        first = band_prices[0]
        bound = "at least " if first.bound == "at least" else ""
        lines.append(
            f"Price each band implies today on {first.revenue.period} revenue ({basis}) and "
            f"{first.shares.shares:,} shares — {BANDS_CAVEAT}: " + "; ".join(
                f"{b.band.name} {bound}{fmt.money(b.low)}–{fmt.money(b.high)} "
                f"(market cap {fmt.compact_money(b.cap_low)}–{fmt.compact_money(b.cap_high)})"
                for b in band_prices) + ".")
    if caps:
        lines.append("Market cap implied by each analyst target (shares in force on the "
                     "target's date): " + "; ".join(
                         f"{c.target.broker} {'~' if c.target.date_approximate else ''}"
                         f"{c.target.date.isoformat()} {fmt.price_money(c.target.price)} "
                         f"({c.target.provenance.confidence if c.target.provenance else ''}) "
                         f"→ {fmt.compact_money(c.cap)}" for c in caps) + ".")
    return lines
