"""Overhang figures in words, for the window's panel and the `lockups` command alike."""

from __future__ import annotations

from services.core import formatting as fmt
from services.core.lockup_rules import SuggestedLockup
from services.core.overhang import Overhang

FREE_FLOAT_DEFINITION = ("Free float = shares outstanding minus the shares still locked up the "
                         "day before this expiry (this lock-up included).")


def _pct(value: float | None, bound: str = "") -> str:
    return "—" if value is None else f"{bound}{value * 100:.2f}%"


def figure_rows(o: Overhang, tz: str) -> list[tuple[str, str]]:
    """(label, value) pairs, every figure with its inputs; '—' where an input is missing."""
    lock = o.lockup
    source = lock.provenance.source if lock.provenance else ""
    confidence = lock.provenance.confidence if lock.provenance else ""
    rows = [("Holders", lock.holders),
            ("Source", f"{source} ({confidence})" if confidence else source),
            ("First trading day free", fmt.lockup_day(lock, o.today)),
            ("Shares released", f"{o.released:,}" if o.released else "not recorded")]
    out = o.shares_outstanding
    rows.append(("Shares outstanding", "—" if out is None else
                 f"{out.shares:,} (as of {out.as_of.isoformat()}"
                 f"{', ' + out.provenance.confidence if out.provenance else ''})"))
    unknown = f"; not counted (share count unknown): {', '.join(o.unknown_locked)}" \
        if o.unknown_locked else ""
    free = o.free_float
    rows.append(("Free float before release", "—" if free is None else
                 f"{'≤ ' if o.float_is_upper_bound else ''}{free:,} (outstanding minus "
                 f"{o.still_locked:,} still locked{unknown})"))
    rows.append(("Released / outstanding", _pct(o.pct_outstanding)))
    rows.append(("Released / free float", _pct(o.pct_float,
                                                "≥ " if o.float_is_upper_bound else "")))
    price = o.price
    if o.value is not None and price is not None:
        rows.append(("Value at the last price",
                     f"{fmt.compact_money(o.value)} at {fmt.money(price.money)} "
                     f"({fmt.source_label(price)}, {fmt.price_time(price, tz)})"))
    else:
        rows.append(("Value at the last price", "—"))
    adv = o.adv
    if adv is not None and o.adv_days is not None:
        rows.append((f"Days of average volume ({adv.sessions} sessions)",
                     f"{o.adv_days:,.1f} days of {adv.shares:,.0f} shares a day "
                     f"({adv.source}, {adv.first.isoformat()} to {adv.last.isoformat()})"))
    else:
        rows.append(("Days of average volume", "—"))
    return rows


def offer_line(offer: SuggestedLockup) -> str:
    return (f"[{offer.rule.basis}] {offer.rule.holders}: free from "
            f"{offer.first_free_day.isoformat()} (locked through "
            f"{offer.locked_through.isoformat()}, {offer.rule.months} months; "
            f"{offer.rule.source}) — key {offer.key}")
