"""HKEX price steps (the spread table): a level the trader picks on a chart is a price the
exchange can trade at, and a price shows as many decimals as its step has."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# (upper bound of the band, step): from 0.01 to 9,995 HKD. A price exactly on a bound takes
# the lower band's step (HKEX: "from 0.25 up to 0.50" trades in 0.005 above 0.25).
HKEX_SPREADS: tuple[tuple[Decimal, Decimal], ...] = tuple(
    (Decimal(upper), Decimal(step)) for upper, step in (
        ("0.25", "0.001"), ("0.50", "0.005"), ("10", "0.01"), ("20", "0.02"), ("100", "0.05"),
        ("200", "0.1"), ("500", "0.2"), ("1000", "0.5"), ("2000", "1"), ("5000", "2"),
        ("9995", "5"),
    ))
MIN_PRICE = Decimal("0.01")
MAX_PRICE = Decimal("9995")


def hkex_tick(price: float) -> Decimal:
    """The step a price of this size trades in."""
    value = Decimal(str(abs(price)))
    for upper, step in HKEX_SPREADS:
        if value <= upper:
            return step
    return HKEX_SPREADS[-1][1]


def round_to_tick(price: float) -> float:
    """The nearest price HKEX can trade at (clamped to the table's 0.01–9,995)."""
    value = min(max(Decimal(str(price)), MIN_PRICE), MAX_PRICE)
    step = hkex_tick(float(value))
    # Every band's bounds are whole steps of both bands they separate, so rounding never
    # leaves a price off the grid of the band it lands in.
    rounded = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return float(rounded)


def round_price(price: float) -> float:
    """A price with no more decimals than its HKEX step shows (exports, not trading)."""
    return round(price, price_decimals(price))


def price_decimals(price: float) -> int:
    """Decimals that show every step of this price's band, at least two (HK$0.125, HK$5.20)."""
    exponent = hkex_tick(price).normalize().as_tuple().exponent
    return max(2, -exponent if isinstance(exponent, int) else 2)
