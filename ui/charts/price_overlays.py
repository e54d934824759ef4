"""What the price chart draws over the prices: analyst targets (older ones fainter), the IPO
price, alert thresholds, the previous close (intraday), P/S band price ranges, lock-up expiries
and the listing date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Overlay:
    """One marker over the prices, as values. A redraw after a poll almost always asks for
    the markers it already shows, and the chart then keeps their items (building them again
    was a third of a poll's redraw)."""

    kind: str  # "h": a level, "v": a day, "band": a price range
    at: tuple[float, ...]
    color: object
    label: str
    position: float
    style: Qt.PenStyle = Qt.PenStyle.DashLine
    anchor: tuple[int, int] = (0, 1)

    def item(self, t: ChartTheme) -> pg.GraphicsObject:
        if self.kind == "band":
            region = pg.LinearRegionItem(values=self.at, orientation="horizontal",
                                         movable=False, brush=with_alpha(t.foreground, 18),
                                         pen=pg.mkPen(with_alpha(t.foreground, 60)))
            # hung below the range's top line, so the label sits inside its own range
            pg.InfLineLabel(region.lines[1], text=self.label, position=self.position,
                            anchors=[self.anchor, self.anchor], color=self.color)
            return region
        return pg.InfiniteLine(pos=self.at[0], angle=0 if self.kind == "h" else 90,
                               movable=False, pen=pg.mkPen(self.color, width=1.2,
                                                           style=self.style),
                               label=self.label,
                               labelOpts={"position": self.position, "color": self.color,
                                          "anchors": [self.anchor, self.anchor]})


def overlay_labels(items: list[pg.GraphicsObject]) -> list[Placed]:
    """Every label of `items`, with the place it was given (its preferred place)."""
    labels: list[pg.InfLineLabel] = []
    for item in items:
        if isinstance(item, pg.InfiniteLine) and item.label is not None:
            labels.append(item.label)
        elif isinstance(item, pg.LinearRegionItem):
            labels += [c for c in item.lines[1].childItems() if isinstance(c, pg.InfLineLabel)]
    return [placed(label) for label in labels]


def overlays(data: PriceChartData, t: ChartTheme, y: YTransform,
             x: XTransform) -> list[Overlay]:
    ins = data.instrument
    items: list[Overlay] = []
    targets = sorted(data.targets, key=lambda target: target.date)
    for rank, target in enumerate(targets):
        age = len(targets) - 1 - rank  # 0 = newest
        approx = "~" if target.date_approximate else ""
        rating = target.rating.split(" (")[0]  # "Buy (initiation)" -> "Buy"
        confidence = f"({target.provenance.confidence})" if target.provenance else ""
        label = " ".join(part for part in (target.broker, approx + target.date.isoformat(),
                                           rating, fmt.price_money(target.price), confidence)
                         if part)
        items.append(Overlay("h", (y(target.price.amount),),
                             with_alpha(t.target, max(255 - 45 * age, 80)), label,
                             0.02 + 0.19 * (rank % 5)))
    if ins.offer_price:
        items.append(Overlay("h", (y(ins.offer_price),), t.ipo,
                             f"IPO {fmt.money(Money(ins.offer_price, ins.currency))}", 0.62,
                             Qt.PenStyle.DotLine))
    items += [Overlay("h", (y(level),), t.alert, f"alert {level:,.2f}", 0.75,
                      Qt.PenStyle.DashDotLine) for level in data.alert_levels]
    if data.previous_close and data.bars.interval == "1m":
        items.append(Overlay("h", (y(data.previous_close),), with_alpha(t.foreground, 150),
                             f"prev close {data.previous_close:,.2f}", 0.9))
    for i, band in enumerate(data.band_prices):  # one commentator's taxonomy: the label says so
        items.append(Overlay("band", (y(band.low.amount), y(band.high.amount)),
                             with_alpha(t.foreground, 160), f"{band.band.name} "
                             f"({band.band.ps_low:g}–{band.band.ps_high:g}x P/S, article's bands)",
                             0.98 - 0.16 * i, anchor=(1, 0)))
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
        items.append(Overlay("v", (at,), t.lockup_past if days < 0 else t.lockup_next,
                             f"lock-up {'' if exact else '≥ '}{day.isoformat()} "
                             f"({fmt.days_label(days, at_least=not exact)}): "
                             f"{holders}", 0.95 - 0.07 * (i % 4),
                             anchor=(1, 0) if days >= 0 else (0, 0)))  # upcoming: left
    listed = x(daily_bar_ts(ins.listing_date, ins.timezone)) if ins.listing_date else None
    if ins.listing_date and listed is not None:
        items.append(Overlay("v", (listed,), t.listing,
                             f"listed {ins.listing_date.isoformat()}", 0.6,
                             Qt.PenStyle.SolidLine, (0, 0)))
    return items
