"""Dated FX: observed rates win, placeholders are a labelled fallback with their range."""

from __future__ import annotations

import datetime as dt

import pytest

from services.core.analytics import MissingDataError
from services.core.fx import DailyRates, FxTable
from services.core.models import FxRate, Money, Provenance

D = dt.date
PLACEHOLDER = Provenance("HKMA band", "approximate")
YAHOO = Provenance("Yahoo USDHKD=X daily close", "observed", "feed")
RATES = [
    FxRate("USD", "HKD", D(2026, 1, 2), 7.80, provenance=PLACEHOLDER, low=7.75, high=7.85),
    FxRate("CNY", "HKD", D(2026, 1, 2), 1.08, provenance=PLACEHOLDER, low=1.05, high=1.11),
    FxRate("USD", "HKD", D(2026, 1, 9), 7.7812, provenance=YAHOO),
    FxRate("USD", "HKD", D(2026, 3, 2), 7.8150, provenance=YAHOO),
]
FX = FxTable(RATES)


def test_the_placeholder_is_used_only_before_the_first_observed_rate() -> None:
    before = FX.quote("USD", "HKD", D(2026, 1, 8))
    assert (before.rate, before.low, before.high, before.placeholder) == (7.80, 7.75, 7.85, True)
    assert "placeholder" in before.describe() and "7.7500–7.8500" in before.describe()
    observed = FX.quote("USD", "HKD", D(2026, 1, 9))
    assert (observed.rate, observed.as_of, observed.placeholder) == (7.7812, D(2026, 1, 9), False)
    assert observed.low == observed.high == 7.7812
    # each day converts at the latest rate on or before it, never a later one
    assert FX.rate("USD", "HKD", D(2026, 3, 1)) == 7.7812
    assert FX.rate("USD", "HKD", D(2026, 3, 2)) == 7.8150
    assert "Yahoo USDHKD=X" in FX.quote("USD", "HKD", D(2026, 11, 23)).describe()


def test_inverse_and_cross_rates_keep_the_range_and_the_older_date() -> None:
    inverse = FX.quote("HKD", "CNY", D(2026, 9, 10))
    assert inverse.rate == pytest.approx(1 / 1.08)
    assert (inverse.low, inverse.high) == (pytest.approx(1 / 1.11), pytest.approx(1 / 1.05))
    cross = FX.quote("USD", "CNY", D(2026, 9, 10))  # through HKD: 7.8150 / 1.08
    assert cross.rate == pytest.approx(7.8150 / 1.08)
    assert cross.low == pytest.approx(7.8150 / 1.11) and cross.high == pytest.approx(7.815 / 1.05)
    assert cross.placeholder and cross.as_of == D(2026, 1, 2)
    assert FX.convert(Money(100.0, "USD"), "HKD", D(2026, 1, 9)) == Money(778.12, "HKD")


def test_no_rate_is_guessed() -> None:
    assert FX.rate("HKD", "HKD", D(2000, 1, 1)) == 1.0
    with pytest.raises(MissingDataError):
        FX.rate("USD", "HKD", D(2025, 12, 31))
    with pytest.raises(MissingDataError):
        FX.rate("EUR", "HKD", D(2026, 3, 1))


def test_the_feeds_daily_rates_and_a_typed_rate_mix_by_date() -> None:
    daily = DailyRates("USD", "HKD", "Yahoo USDHKD=X daily close",
                       (D(2026, 1, 9), D(2026, 1, 12)), (7.7812, 7.7830))
    typed = FxRate("USD", "HKD", D(2026, 1, 10), 7.7900, provenance=Provenance("bank", "press"))
    fx = FxTable([*RATES[:2], typed], [daily])
    assert fx.quote("USD", "HKD", D(2026, 1, 9)).source == "Yahoo USDHKD=X daily close"
    assert fx.rate("USD", "HKD", D(2026, 1, 11)) == 7.7900
    assert fx.quote("USD", "HKD", D(2026, 1, 12)).as_of == D(2026, 1, 12)
    assert fx.quote("USD", "HKD", D(2026, 1, 8)).placeholder
    assert fx.rate("HKD", "USD", D(2026, 1, 12)) == pytest.approx(1 / 7.7830)
