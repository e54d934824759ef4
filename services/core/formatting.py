"""How amounts, percentages and times read, shared by the window, the CLI and exports."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services.core.clock import from_epoch
from services.core.models import Lockup, Money, Price
from services.core.ticks import price_decimals
from services.core.valuation import Estimate

CURRENCY_PREFIX = {"HKD": "HK$", "USD": "US$", "CNY": "RMB ", "EUR": "€", "GBP": "£", "JPY": "¥"}
# ISO 4217 minor units of the currencies that are not cents-based; the rest have two.
CURRENCY_DECIMALS = {"JPY": 0, "KRW": 0, "TWD": 2, "KWD": 3, "BHD": 3}
MINUS = "−"
NO_VALUE = "—"


def currency_prefix(currency: str) -> str:
    return CURRENCY_PREFIX.get(currency, f"{currency} ")


def currency_decimals(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency, 2)


def money(value: Money, decimals: int | None = None) -> str:
    """HK$811.66: the currency's own decimals unless told otherwise; an amount that rounds
    to zero carries no minus sign."""
    places = currency_decimals(value.currency) if decimals is None else decimals
    text = f"{abs(value.amount):,.{places}f}"
    sign = MINUS if value.amount < 0 and text.strip("0.,") else ""
    return f"{sign}{currency_prefix(value.currency)}{text}"


def price_money(value: Money) -> str:
    """A quoted price: the currency's decimals, or more where the exchange's step needs them
    (HK$0.125 trades in 0.001)."""
    return money(value, max(currency_decimals(value.currency), price_decimals(value.amount)))


def compact_money(value: Money) -> str:
    """HK$381.3bn, US$79.0m: for market caps and revenue."""
    amount = abs(value.amount)
    for divisor, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if amount >= divisor:
            text = f"{amount / divisor:,.1f}{suffix}"
            break
    else:
        text = f"{amount:,.0f}"
    sign = MINUS if value.amount < 0 else ""
    return f"{sign}{currency_prefix(value.currency)}{text}"


def percent(fraction: float | None, signed: bool = True, decimals: int = 1) -> str:
    if fraction is None:
        return NO_VALUE
    text = f"{abs(fraction * 100.0):.{decimals}f}"
    nonzero = bool(text.strip("0."))  # -0.04% at one decimal reads 0.0%, never −0.0%
    sign = "" if not nonzero else "+" if signed and fraction > 0 else MINUS if fraction < 0 else ""
    return f"{sign}{text}%"


def multiple(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:,.1f}x"


def estimate(value: Estimate | None, unit: str = "x") -> str:
    """'487.5x'; '≤ 59.5x' (an upper bound); '474.3–501.4x' (across an input's range);
    '≈112.9x' (resting on a derived or digest input)."""
    if value is None:
        return NO_VALUE
    if value.bound == "at most":  # a bound is inexact by nature; its caveats say why
        return f"≤ {value.high:,.1f}{unit}"
    if value.bound == "at least":
        return f"≥ {value.low:,.1f}{unit}"
    approx = "≈" if value.approximate else ""
    if value.is_range and f"{value.low:,.1f}" != f"{value.high:,.1f}":
        return f"{approx}{value.low:,.1f}–{value.high:,.1f}{unit}"
    return f"{approx}{value.value:,.1f}{unit}"


def estimate_note(value: Estimate | None) -> str:
    """Why a figure is a range, a bound or approximate, for a tooltip or a footnote."""
    if value is None or not value.caveats:
        return ""
    central = f"central {value.value:,.1f}; " if value.is_range or value.bound != "exact" else ""
    return central + "; ".join(value.caveats)


def price_time(price: Price, tz: str) -> str:
    """A daily close shows its date; an intraday price its exchange-local time and zone."""
    local = from_epoch(price.ts, ZoneInfo(tz))
    if price.daily:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%d %H:%M %Z")


def source_label(price: Price) -> str:
    """'Yahoo · delayed 15 min', 'reference (digest)', 'DEMO' — never ambiguous about what a
    price is."""
    if price.source == "yahoo":
        return f"Yahoo · delayed {price.delay_min} min" if price.delay_min else "Yahoo (delayed)"
    if price.source == "demo":
        return "DEMO"
    if price.source == "reference":
        return f"reference ({price.confidence})" if price.confidence else "reference"
    if price.source == "import":
        return "imported file"
    return price.source


def price_caveat(price: Price | None, stale_minutes: int | None = None,
                 tz: str = "Asia/Hong_Kong") -> str:
    """What a figure computed from this price must admit: '' for a live quote, else
    'reference price 2026-09-10', 'imported price …', 'stale price …', 'DEMO price'."""
    if price is None:
        return ""
    day = from_epoch(price.ts, tz).date().isoformat()
    if price.source == "reference":
        return f"reference price {day}"
    if price.source == "import":
        return f"imported price {day}"
    if price.source == "demo":
        return "DEMO price"
    if stale_minutes is not None:
        return f"stale price ({stale_minutes} trading min)"
    return ""


def days_label(days: int, at_least: bool = False) -> str:
    """'in 46 d', 'today', 'past (52 d ago)'; `at_least`: the date is only a lower bound
    ('in ≥ 49 d')."""
    earliest = "≥ " if at_least else ""
    if days > 0:
        return f"in {earliest}{days} d"
    if days == 0:
        return "today" if not at_least else "today at the earliest"
    return f"past ({-days} d ago)"


def lockup_day(lock: Lockup, today: dt.date) -> str:
    """The first trading day the shares are free, with the countdown: '2027-01-08 (in 46 d)',
    '≥ 2027-01-11 (in ≥ 49 d)' when only "on or after" is known."""
    earliest = "" if lock.date_exact else "≥ "
    day = lock.free_to_trade
    return (f"{earliest}{day.isoformat()} "
            f"({days_label((day - today).days, at_least=not lock.date_exact)})")
