"""The valuation history as a table: every day's figures with the provenance of each input, for
the `valuation` command (text or CSV) and the chart's CSV export, so the numbers on the chart
can be checked by hand."""

from __future__ import annotations

from collections.abc import Iterator

from services.charts.series import ValuationSeries
from services.core import formatting as fmt
from services.core.fx import FxQuote
from services.core.models import Money, Provenance
from services.core.valuation import ValuationPoint, annualised, revenue_published, shares_published

HEADER = (
    "date", "price", "price_currency", "price_source", "price_confidence",
    "shares", "shares_as_of", "shares_published", "shares_published_basis", "shares_source",
    "shares_confidence",
    "market_cap", "market_cap_low", "market_cap_high", "cap_currency", "cap_fx_rate",
    "cap_fx_date", "cap_fx_source",
    "revenue_basis", "revenue_period", "revenue", "revenue_currency", "revenue_annualised",
    "revenue_bound", "revenue_published", "revenue_published_basis", "revenue_source",
    "revenue_confidence",
    "ps_fx_pair", "ps_fx_rate", "ps_fx_low", "ps_fx_high", "ps_fx_date", "ps_fx_source",
    "ps", "ps_low", "ps_high", "ps_bound", "ps_text",
)
TEXT_COLUMNS = ("Date", "Price", "Price source", "Shares", "Shares source", "Mkt cap",
                "Revenue", "Published", "FX", "FX date", "P/S")


def _source(p: Provenance | None) -> str:
    return p.source if p else ""


def _confidence(p: Provenance | None) -> str:
    return p.confidence if p else ""


def revenue_rate(point: ValuationPoint) -> FxQuote | None:
    """The rate a P/S used, quoted the way a trader reads it: 1 unit of the revenue's currency
    in the trading currency (USD/HKD 7.80), so P/S = market cap / (revenue x rate)."""
    return None if point.revenue_fx is None else point.revenue_fx.inverse()


def _fx_cells(quote: FxQuote | None) -> list[object]:
    if quote is None:
        return ["", "", "", "", "", ""]
    return [f"{quote.base}/{quote.quote}", quote.rate, quote.low, quote.high,
            quote.as_of.isoformat() if quote.as_of else "",
            ("placeholder: " if quote.placeholder else "") + quote.source]


def row(point: ValuationPoint) -> list[object]:
    """One day as CSV cells in HEADER order."""
    price, shares = point.price, point.shares
    published, published_known = shares_published(shares)
    low, high = point.market_cap_range
    cells: list[object] = [
        point.day.isoformat(), price.amount, price.currency, price.source, price.confidence,
        shares.shares, shares.as_of.isoformat(), published.isoformat(),
        "known" if published_known else "assumed", _source(shares.provenance),
        _confidence(shares.provenance),
        point.market_cap.amount, low, high, point.market_cap.currency, point.cap_fx.rate,
        point.cap_fx.as_of.isoformat() if point.cap_fx.as_of else "",
        ("placeholder: " if point.cap_fx.placeholder else "") + point.cap_fx.source,
        point.basis]
    revenue = point.revenue
    if revenue is None:
        cells += ["", "", "", "", "", "", "", "", ""]
    else:
        day, known = revenue_published(revenue)
        cells += [revenue.period, revenue.amount.amount, revenue.amount.currency,
                  annualised(revenue).amount, revenue.bound, day.isoformat(),
                  "known" if known else "assumed", _source(revenue.provenance),
                  _confidence(revenue.provenance)]
    cells += _fx_cells(revenue_rate(point))
    ps = point.ps
    cells += (["", "", "", "", ""] if ps is None else
              [ps.value, ps.low, ps.high, ps.bound, fmt.estimate(ps)])
    return cells


def rows(series: ValuationSeries) -> Iterator[list[object]]:
    return (row(p) for p in series.points if p is not None)


def text_row(point: ValuationPoint) -> list[str]:
    price, shares, revenue = point.price, point.shares, point.revenue
    low, high = point.market_cap_range
    cap = fmt.compact_money(point.market_cap)
    if point.cap_fx.placeholder:
        currency = point.market_cap.currency
        cap += (f" ({fmt.compact_money(Money(low, currency))}–"
                f"{fmt.compact_money(Money(high, currency))})")
    revenue_text = published = fx = fx_day = ""
    if revenue is not None:
        bound = {"at least": "≥ ", "at most": "≤ "}.get(revenue.bound, "")
        revenue_text = f"{revenue.period} {bound}{fmt.compact_money(annualised(revenue))}/yr"
        day, known = revenue_published(revenue)
        published = day.isoformat() + ("" if known else " (assumed)")
    quote = revenue_rate(point)
    if quote is not None and not quote.is_identity:
        fx = f"{quote.base}/{quote.quote} {quote.rate:.4f}"
        if quote.placeholder:
            fx += f" placeholder {quote.low:.4f}–{quote.high:.4f}"
        fx_day = quote.as_of.isoformat() if quote.as_of else ""
    return [point.day.isoformat(), fmt.price_money(price.money), fmt.source_label(price),
            f"{shares.shares:,}", f"{shares.as_of.isoformat()} "
                                  f"({_confidence(shares.provenance)})",
            cap, revenue_text, published, fx, fx_day, fmt.estimate(point.ps)]


def render_text(series: ValuationSeries) -> str:
    """A plain-text table for terminals."""
    cells = [text_row(p) for p in series.points if p is not None]
    widths = [max(len(h), *(len(line[i]) for line in cells)) if cells else len(h)
              for i, h in enumerate(TEXT_COLUMNS)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(list(TEXT_COLUMNS)), line(["-" * w for w in widths]),
                      *map(line, cells)])
