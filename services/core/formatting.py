"""How amounts, percentages and times read, shared by the window, the CLI and exports."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.core.clock import from_epoch
from services.core.models import Money, Price

CURRENCY_PREFIX = {"HKD": "HK$", "USD": "US$", "CNY": "RMB ", "EUR": "€", "GBP": "£", "JPY": "¥"}
MINUS = "−"
NO_VALUE = "—"


def currency_prefix(currency: str) -> str:
    return CURRENCY_PREFIX.get(currency, f"{currency} ")


def money(value: Money, decimals: int = 2) -> str:
    sign = MINUS if value.amount < 0 else ""
    return f"{sign}{currency_prefix(value.currency)}{abs(value.amount):,.{decimals}f}"


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
    value = fraction * 100.0
    sign = "+" if signed and value > 0 else (MINUS if value < 0 else "")
    return f"{sign}{abs(value):.{decimals}f}%"


def multiple(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:,.1f}x"


def price_time(price: Price, tz: str) -> str:
    """A daily close shows its date; an intraday price its exchange-local time and zone."""
    local = from_epoch(price.ts, ZoneInfo(tz))
    if price.daily:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%d %H:%M %Z")


def source_label(price: Price) -> str:
    """'Yahoo (delayed)', 'reference (digest)', 'DEMO' — never ambiguous about what a price is."""
    if price.source == "yahoo":
        return "Yahoo (delayed)"
    if price.source == "demo":
        return "DEMO"
    if price.source == "reference":
        return f"reference ({price.confidence})" if price.confidence else "reference"
    if price.source == "import":
        return "imported file"
    return price.source


def days_label(days: int) -> str:
    if days > 0:
        return f"in {days} d"
    if days == 0:
        return "today"
    return f"past ({-days} d ago)"
