"""HKEX price steps, money in its currency's decimals, and no negative zero."""

from __future__ import annotations

import pytest

from services.core import formatting as fmt
from services.core.models import Money
from services.core.ticks import hkex_tick, price_decimals, round_to_tick


@pytest.mark.parametrize(("price", "tick"), [
    (0.1, "0.001"), (0.25, "0.001"), (0.3, "0.005"), (0.5, "0.005"), (5, "0.01"),
    (10, "0.01"), (15, "0.02"), (50, "0.05"), (150, "0.1"), (300, "0.2"), (873, "0.5"),
    (1500, "1"), (3000, "2"), (6000, "5")])
def test_the_spread_table(price: float, tick: str) -> None:
    assert str(hkex_tick(price)) == tick


@pytest.mark.parametrize(("picked", "level"), [
    (873.3817, 873.5), (873.2, 873.0), (1234.567, 1235.0), (15.013, 15.02), (0.2634, 0.265),
    (0.12345, 0.123), (99.97, 99.95), (9.996, 10.0), (0.004, 0.01), (20000, 9995.0)])
def test_a_picked_level_lands_on_a_tick(picked: float, level: float) -> None:
    assert round_to_tick(picked) == level


def test_money_in_its_currencys_decimals() -> None:
    assert fmt.money(Money(811.66, "HKD")) == "HK$811.66"
    assert fmt.money(Money(1500, "JPY")) == "¥1,500"
    assert fmt.price_money(Money(811.66, "HKD")) == "HK$811.66"
    assert fmt.price_money(Money(0.125, "HKD")) == "HK$0.125"  # the step needs three
    assert price_decimals(0.125) == 3 and price_decimals(811.66) == 2


def test_no_negative_zero() -> None:
    assert fmt.percent(-0.0004) == "0.0%"
    assert fmt.percent(-0.0006) == "−0.1%"
    assert fmt.percent(0.0004) == "0.0%"
    assert fmt.money(Money(-0.001, "HKD")) == "HK$0.00"
    assert fmt.money(Money(-1.5, "HKD")) == "−HK$1.50"
