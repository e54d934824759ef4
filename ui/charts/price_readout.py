"""What the price chart says in words: about one bar (the readout over the chart, the
crosshair's time label), the drawdown pane's headline, and the bars it writes to CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from services.charts.service import PriceChartData
from services.core import formatting as fmt
from services.core.clock import from_epoch
from services.files.atomic import write_csv
from services.market.history import SOURCE_CODES

SOURCE_NAMES = {code: name for name, code in SOURCE_CODES.items()}


def bar_time(data: PriceChartData, i: int) -> str:
    """The bar's time in the exchange's zone: its date for a daily bar."""
    when = from_epoch(int(data.bars.ts[i]), data.instrument.timezone)
    return when.date().isoformat() if data.bars.interval == "1d" else when.strftime(
        "%a %d %b %H:%M")


def drawdown_headline(data: PriceChartData) -> str:
    """Now, deepest (with dates), from the 52-week high, and the gain needed to recover."""
    facts = data.drawdowns
    if facts is None:
        return ""
    now = data.drawdown[~np.isnan(data.drawdown)]
    current = f"now {fmt.percent(float(now[-1]))} · " if now.size else ""
    return (f"{current}max {fmt.percent(facts.deepest)} (peak {facts.peak.isoformat()} → "
            f"trough {facts.trough.isoformat()}) · from 52-week high "
            f"{fmt.percent(facts.from_52w_high)} · needs {fmt.percent(facts.to_recover)} "
            "to recover")


def readout_text(data: PriceChartData, i: int) -> str:
    b, ins = data.bars, data.instrument
    when = from_epoch(int(b.ts[i]), ins.timezone)
    stamp = when.date().isoformat() if b.interval == "1d" else when.strftime("%Y-%m-%d %H:%M %Z")

    def num(a: np.ndarray) -> str:
        return "—" if np.isnan(a[i]) else f"{a[i]:,.2f}"

    volume = "—" if np.isnan(b.volume[i]) else f"{int(b.volume[i]):,}"
    dd = data.drawdown[i]
    return (f"{stamp} · O {num(b.open)} H {num(b.high)} L {num(b.low)} C {num(b.close)} · "
            f"Vol {volume} · from peak {fmt.percent(None if np.isnan(dd) else float(dd))} · "
            f"{SOURCE_NAMES[int(b.source[i])]}")


def write_price_csv(data: PriceChartData, path: Path) -> None:
    """The bars on the chart with their drawdown, times in the exchange's zone."""
    b, tz = data.bars, data.instrument.timezone

    def cell(a: np.ndarray, i: int) -> float | str:
        return "" if np.isnan(a[i]) else float(a[i])

    rows = ([from_epoch(int(b.ts[i]), tz).isoformat(), int(b.ts[i]), cell(b.open, i),
             cell(b.high, i), cell(b.low, i), cell(b.close, i), cell(b.volume, i),
             SOURCE_NAMES[int(b.source[i])], b.currency, cell(data.drawdown, i)]
            for i in range(len(b)))
    write_csv(path, ["time", "ts_utc", "open", "high", "low", "close", "volume", "source",
                     "currency", "drawdown"], rows)
