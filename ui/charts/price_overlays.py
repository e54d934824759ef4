"""What the price chart draws over the prices: analyst targets (older ones fainter), the IPO
price, alert thresholds, the previous close (intraday), P/S band price ranges, lock-up expiries
and the listing date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt

from services.charts.service import PriceChartData
from services.core import formatting as fmt
from services.core.clock import daily_bar_ts
from services.core.models import Lockup, Money
from ui.charts.label_layout import Placed, placed
from ui.charts.theme import ChartTheme, with_alpha

YTransform = Callable[[float], float]  # price -> view coordinate (log10 on a log scale)
XTransform = Callable[[int], "float | None"]  # time -> x on the chart; None: not on it


def _hline(y: YTransform, value: float, color: object, label: str, position: float,
           style: Qt.PenStyle = Qt.PenStyle.DashLine) -> pg.InfiniteLine:
    return pg.InfiniteLine(pos=y(value), angle=0, movable=False,
                           pen=pg.mkPen(color, width=1.2, style=style), label=label,
                           labelOpts={"position": position, "color": color,
                                      "anchors": [(0, 1), (0, 1)]})


def _vline(at: float, color: object, label: str, position: float, anchor: tuple[int, int],
           style: Qt.PenStyle) -> pg.InfiniteLine:
    return pg.InfiniteLine(pos=at, angle=90, movable=False,
                           pen=pg.mkPen(color, width=1.2, style=style), label=label,
                           labelOpts={"position": position, "color": color,
                                      "anchors": [anchor, anchor]})


def overlay_labels(items: list[pg.GraphicsObject]) -> list[Placed]:
    """Every label of `items`, with the place it was given (its preferred place)."""
    labels: list[pg.InfLineLabel] = []
    for item in items:
        if isinstance(item, pg.InfiniteLine) and item.label is not None:
            labels.append(item.label)
        elif isinstance(item, pg.LinearRegionItem):
            labels += [c for c in item.lines[1].childItems() if isinstance(c, pg.InfLineLabel)]
    return [placed(label) for label in labels]


def overlay_items(data: PriceChartData, t: ChartTheme, y: YTransform,
                  x: XTransform) -> list[pg.GraphicsObject]:
    ins = data.instrument
    items: list[pg.GraphicsObject] = []
    targets = sorted(data.targets, key=lambda target: target.date)
    for rank, target in enumerate(targets):
        age = len(targets) - 1 - rank  # 0 = newest
        approx = "~" if target.date_approximate else ""
        rating = target.rating.split(" (")[0]  # "Buy (initiation)" -> "Buy"
        confidence = f"({target.provenance.confidence})" if target.provenance else ""
        label = " ".join(part for part in (target.broker, approx + target.date.isoformat(),
                                           rating, fmt.price_money(target.price), confidence)
                         if part)
        items.append(_hline(y, target.price.amount, with_alpha(t.target, max(255 - 45 * age, 80)),
                            label, 0.02 + 0.19 * (rank % 5)))
    if ins.offer_price:
        items.append(_hline(y, ins.offer_price, t.ipo,
                            f"IPO {fmt.money(Money(ins.offer_price, ins.currency))}", 0.62,
                            Qt.PenStyle.DotLine))
    items += [_hline(y, level, t.alert, f"alert {level:,.2f}", 0.75, Qt.PenStyle.DashDotLine)
              for level in data.alert_levels]
    if data.previous_close and data.bars.interval == "1m":
        items.append(_hline(y, data.previous_close, with_alpha(t.foreground, 150),
                            f"prev close {data.previous_close:,.2f}", 0.9, Qt.PenStyle.DashLine))
    for i, band in enumerate(data.band_prices):
        region = pg.LinearRegionItem(values=(y(band.low.amount), y(band.high.amount)),
                                     orientation="horizontal", movable=False,
                                     brush=with_alpha(t.foreground, 18),
                                     pen=pg.mkPen(with_alpha(t.foreground, 60)))
        # hung below the range's top line, so the label sits inside its own range; the bands
        # are one commentator's taxonomy, and the label says so
        pg.InfLineLabel(region.lines[1], text=f"{band.band.name} "
                        f"({band.band.ps_low:g}–{band.band.ps_high:g}x P/S, article's bands)",
                        position=0.98 - 0.16 * i, anchors=[(1, 0), (1, 0)],
                        color=with_alpha(t.foreground, 160))
        items.append(region)
    by_day: dict[dt.date, list[Lockup]] = {}
    for lock in data.lockups:  # lock-ups sharing a first trading day get one merged marker
        by_day.setdefault(lock.free_to_trade, []).append(lock)
    for i, (day, locks) in enumerate(sorted(by_day.items())):
        at = x(daily_bar_ts(day, ins.timezone))
        if at is None:
            continue
        days = (day - data.today).days
        exact = all(lock.date_exact for lock in locks)
        holders = "; ".join(lock.holders for lock in locks)
        items.append(_vline(at, t.lockup_past if days < 0 else t.lockup_next,
                            f"lock-up {'' if exact else '≥ '}{day.isoformat()} "
                            f"({fmt.days_label(days, at_least=not exact)}): "
                            f"{holders}", 0.95 - 0.07 * (i % 4),
                            (1, 0) if days >= 0 else (0, 0),  # upcoming: left of the line
                            Qt.PenStyle.DashLine))
    listed = x(daily_bar_ts(ins.listing_date, ins.timezone)) if ins.listing_date else None
    if ins.listing_date and listed is not None:
        items.append(_vline(listed, t.listing,
                            f"listed {ins.listing_date.isoformat()}", 0.6, (0, 0),
                            Qt.PenStyle.SolidLine))
    return items
