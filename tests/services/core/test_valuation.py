"""Point-in-time valuation against hand calculations from the bundled facts (companies.md)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from services.core import formatting as fmt
from services.core import valuation
from services.core.analytics import MissingDataError
from services.core.fx import FxTable
from services.core.models import FxRate, Money, Price, Provenance, Revenue, SharesCount
from services.reference import store

D = dt.date
OBSERVED = Provenance("Yahoo daily close", "observed", "feed")
# Observed rates, as after the first FX fetch: one exact figure each.
FX_OBSERVED = FxTable([FxRate("USD", "HKD", D(2026, 1, 2), 7.80, provenance=OBSERVED),
                       FxRate("CNY", "HKD", D(2026, 1, 2), 1.08, provenance=OBSERVED)])


def price(amount: float) -> Price:
    return Price(amount, "HKD", 0, "reference", "press", daily=True)


@pytest.fixture
def minimax(app_db: sqlite3.Connection):
    return store.fundamentals(app_db, "0100.HK")


@pytest.fixture
def zhipu(app_db: sqlite3.Connection):
    return store.fundamentals(app_db, "2513.HK")


def periods(revenue, day: dt.date) -> dict[str, str | None]:
    return {basis: getattr(valuation.revenue_on(revenue, day, basis), "period", None)
            for basis in valuation.BASES}


def test_revenue_counts_only_from_its_publication_date(minimax, zhipu) -> None:
    # MiniMax: prospectus figures from the listing; FY2025 from its results on 2026-03-02;
    # the ARR from the article (2026-06-27, assumed)
    assert periods(minimax.revenue, D(2026, 1, 8)) == {"fy": None, "annualised": None,
                                                       "arr": None}
    assert periods(minimax.revenue, D(2026, 1, 9)) == {"fy": "FY2024", "annualised": "9M 2025",
                                                       "arr": None}
    assert periods(minimax.revenue, D(2026, 3, 1))["fy"] == "FY2024"
    assert periods(minimax.revenue, D(2026, 3, 2)) == {"fy": "FY2025", "annualised": "FY2025",
                                                       "arr": None}
    assert periods(minimax.revenue, D(2026, 6, 26))["arr"] is None
    assert periods(minimax.revenue, D(2026, 6, 27))["arr"] == "ARR Feb 2026"
    # Zhipu's FY2025: no publication date found, HKEX's deadline (2026-03-31) assumed
    fy2025 = next(r for r in zhipu.revenue if r.period == "FY2025")
    assert valuation.revenue_published(fy2025) == (D(2026, 3, 31), False)
    assert periods(zhipu.revenue, D(2026, 3, 30)) == {"fy": "FY2024", "annualised": "H1 2025",
                                                      "arr": None}
    assert periods(zhipu.revenue, D(2026, 3, 31))["fy"] == "FY2025"
    results = next(r for r in minimax.revenue if r.period == "FY2025")
    assert valuation.revenue_published(results) == (D(2026, 3, 2), True)


def test_a_figure_without_a_publication_date_waits_for_the_reporting_deadline() -> None:
    unpublished = Revenue("X", "FY2026", "annual", D(2026, 12, 31), 12, Money(1.0, "USD"))
    assert valuation.revenue_published(unpublished) == (D(2027, 4, 2), False)


def test_a_share_count_counts_from_its_date_and_its_publication() -> None:
    counts = [SharesCount("X", D(2026, 1, 9), 100),
              SharesCount("X", D(2026, 2, 20), 120, published=D(2026, 2, 25))]
    assert valuation.shares_on(counts, D(2026, 2, 24)).shares == 100  # not yet public
    assert valuation.shares_on(counts, D(2026, 2, 25)).shares == 120
    with pytest.raises(MissingDataError):
        valuation.shares_on(counts, D(2026, 1, 8))


def test_minimax_on_its_listing_day_is_valued_on_what_the_market_could_see(minimax) -> None:
    """The audit's case: 345 x 309.26m = HK$106,694.7m; the market saw FY2024 (US$30.52m) or
    9M 2025 annualised (US$71.25m), not FY2025 (US$79.04m, published 2026-03-02)."""
    day = D(2026, 1, 9)
    cap = 345 * 309_260_000
    assert cap == 106_694_700_000
    fy = valuation.valuation_on(day, price(345), minimax.shares, minimax.revenue,
                                FX_OBSERVED, "HKD", "fy")
    assert fy.revenue is not None and fy.revenue.period == "FY2024"
    assert fy.ps is not None and fy.ps.value == pytest.approx(448.19, abs=0.01)  # / 7.8 / 30.52m
    annualised = valuation.valuation_on(day, price(345), minimax.shares, minimax.revenue,
                                        FX_OBSERVED, "HKD", "annualised")
    assert annualised.ps is not None
    assert annualised.ps.value == pytest.approx(cap / 7.8 / (53_440_000 * 12 / 9))  # 191.97x
    assert annualised.ps.value == pytest.approx(191.97, abs=0.01)
    arr = valuation.valuation_on(day, price(345), minimax.shares, minimax.revenue,
                                 FX_OBSERVED, "HKD", "arr")
    assert arr.ps is None and arr.revenue is None  # no ARR was public yet: no made-up P/S
    usd = valuation.valuation_on(day, price(345), minimax.shares, minimax.revenue,
                                 FX_OBSERVED, "USD", "fy")
    assert usd.market_cap == Money(pytest.approx(cap / 7.8), "USD")


def test_a_lower_bound_revenue_makes_the_ps_an_upper_bound(minimax) -> None:
    """ARR "> US$150m": at 199.30 x 349.2m = HK$69,595.6m, / 7.80 / 150m = 59.48x at most."""
    day = D(2026, 7, 23)
    point = valuation.valuation_on(day, price(199.30), minimax.shares, minimax.revenue,
                                   FX_OBSERVED, "HKD", "arr")
    assert point.ps is not None and point.ps.bound == "at most"
    assert point.ps.value == pytest.approx(199.30 * 349_200_000 / 7.8 / 150_000_000)
    assert fmt.estimate(point.ps) == "≤ 59.5x"
    assert "ARR Feb 2026 revenue is at least" in fmt.estimate_note(point.ps)


def test_a_placeholder_fx_rate_gives_a_range(app_db: sqlite3.Connection, zhipu) -> None:
    """Zhipu at HK$819 on 2026-09-10: HK$381,326.4m over RMB 724.33m at 1.05-1.11 HKD/RMB."""
    day = D(2026, 9, 10)
    point = valuation.valuation_on(day, price(819), zhipu.shares, zhipu.revenue,
                                   store.fx_table(app_db), "HKD", "fy")
    cap = 819 * 465_600_000
    assert point.ps is not None and point.revenue_fx is not None
    assert point.revenue_fx.placeholder
    assert point.ps.value == pytest.approx(cap / 1.08 / 724_330_000)  # 487.5x
    assert (point.ps.low, point.ps.high) == (pytest.approx(cap / 1.11 / 724_330_000),
                                             pytest.approx(cap / 1.05 / 724_330_000))
    assert point.ps.approximate  # digest share count and digest revenue
    assert fmt.estimate(point.ps) == "≈474.3–501.4x"
    assert "FX placeholder CNY/HKD 1.0500–1.1100" in fmt.estimate_note(point.ps)


@pytest.mark.parametrize(("basis", "period", "annual", "bound"), [
    ("fy", "FY2025", 79_040_000, "exact"),
    ("annualised", "FY2025", 79_040_000, "exact"),
    ("arr", "ARR Feb 2026", 150_000_000, "at least"),
])
@pytest.mark.parametrize(("currency", "per_usd"), [("HKD", 7.80), ("USD", 1.0),
                                                   ("CNY", 7.80 / 1.08)])
def test_band_implied_prices_on_every_basis_and_currency(
    app_db: sqlite3.Connection, minimax, basis: str, period: str, annual: float, bound: str,
    currency: str, per_usd: float,
) -> None:
    """L2 infrastructure (20–30x) for MiniMax on 2026-11-23: shares 349.2m in force; the price
    is in HK$ (what it trades in), the market cap in the chosen currency."""
    bands = [b for b in store.valuation_bands(app_db) if b.name.startswith("L2")]
    [l2] = valuation.band_prices(bands, minimax.shares, minimax.revenue, FX_OBSERVED, "HKD",
                                 currency, basis, D(2026, 11, 23))
    assert l2.revenue.period == period and l2.bound == bound
    assert l2.low == Money(pytest.approx(20 * annual * 7.80 / 349_200_000), "HKD")
    assert l2.high == Money(pytest.approx(30 * annual * 7.80 / 349_200_000), "HKD")
    assert l2.cap_low == Money(pytest.approx(20 * annual * per_usd), currency)
    assert l2.cap_high == Money(pytest.approx(30 * annual * per_usd), currency)


def test_band_prices_across_the_placeholder_band(app_db: sqlite3.Connection, minimax) -> None:
    bands = [b for b in store.valuation_bands(app_db) if b.name.startswith("L2")]
    [l2] = valuation.band_prices(bands, minimax.shares, minimax.revenue, store.fx_table(app_db),
                                 "HKD", "HKD", "fy", D(2026, 11, 23))
    # lowest multiple at the weakest rate to the highest multiple at the strongest
    assert l2.low.amount == pytest.approx(20 * 79_040_000 * 7.75 / 349_200_000)
    assert l2.high.amount == pytest.approx(30 * 79_040_000 * 7.85 / 349_200_000)
    with pytest.raises(MissingDataError):  # before the listing nothing was public
        valuation.band_prices(bands, minimax.shares, minimax.revenue, FX_OBSERVED, "HKD", "HKD",
                              "fy", D(2026, 1, 8))


def test_target_caps_use_the_share_count_in_force_on_the_target_date(
    app_db: sqlite3.Connection, minimax
) -> None:
    targets = store.targets(app_db, "0100.HK")
    caps = {(c.target.broker, c.target.date): c
            for c in valuation.target_caps(targets, minimax.shares, FX_OBSERVED, "USD")}
    jpm = caps[("J.P. Morgan", D(2026, 2, 9))]  # before the 313.6m count of 2026-02-20
    assert jpm.shares.shares == 309_260_000
    assert jpm.cap == Money(pytest.approx(700 * 309_260_000 / 7.8), "USD")
    ms = caps[("Morgan Stanley", D(2026, 8, 10))]
    assert ms.cap.amount == pytest.approx(900 * 349_200_000 / 7.8)
    newest_first = [c.target.date for c in valuation.target_caps(targets, minimax.shares,
                                                                 FX_OBSERVED, "HKD")]
    assert newest_first == sorted(newest_first, reverse=True)
