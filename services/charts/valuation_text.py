"""Words for where a valuation stands: which P/S band, and what targets imply."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from services.core.models import Money, Target, ValuationBand


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


def implied_market_caps(targets: Sequence[Target], shares: np.ndarray
                        ) -> list[tuple[str, Money]]:
    """Each target price times the latest known share count, newest target first."""
    known = shares[~np.isnan(shares)]
    if not known.size:
        return []
    count = float(known[-1])
    return [(f"{t.broker} {t.date.isoformat()}", Money(t.price.amount * count, t.price.currency))
            for t in sorted(targets, key=lambda t: t.date, reverse=True)]
