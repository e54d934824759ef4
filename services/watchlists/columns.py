"""The watchlist's columns, defined once: header, cell text, sort key and tooltip.

The Qt table model and the `show` command both render from this table, so the window and the
terminal always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from services.core import formatting as fmt
from services.reference.yahoo_facts import NOT_AVAILABLE
from services.watchlists.snapshots import WatchlistRow

SortKey = float | str | None


class Column(IntEnum):
    SYMBOL = 0
    NAME = 1
    LAST = 2
    TIME = 3
    SOURCE = 4
    CHANGE = 5
    DRAWDOWN = 6
    MAX_DRAWDOWN = 7
    FROM_52W_HIGH = 8
    TO_RECOVER = 9
    TARGET = 10
    UPSIDE = 11
    MARKET_CAP = 12
    PS = 13
    LOCKUP = 14
    CONSENSUS = 15
    NEXT_RESULTS = 16
    NOTE = 17


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    text: Callable[[WatchlistRow], str]
    sort_key: Callable[[WatchlistRow], SortKey]
    tooltip: Callable[[WatchlistRow], str] = lambda row: ""
    numeric: bool = True
    signed: bool = False  # coloured green/red by sign


def _last(row: WatchlistRow) -> str:
    return fmt.NO_VALUE if row.last is None else fmt.price_money(row.last.money)


def _time(row: WatchlistRow) -> str:
    return fmt.NO_VALUE if row.last is None else fmt.price_time(row.last, row.instrument.timezone)


def _source(row: WatchlistRow) -> str:
    if row.last is None:
        return "no price yet"
    stale = (f" · STALE {row.stale_minutes} trading min" if row.stale_minutes is not None
             else "")
    return fmt.source_label(row.last) + stale


def _target(row: WatchlistRow) -> str:
    """'HK$900 Morgan Stanley (digest)': a digest figure never passes for a filing."""
    t = row.latest_target
    if t is None:
        return fmt.NO_VALUE
    conf = f" ({t.provenance.confidence})" if t.provenance else ""
    return f"{fmt.price_money(t.price)} {t.broker}{conf}"


def _marked(text: str, row: WatchlistRow) -> str:
    """A figure computed from a reference, imported or stale price says so in its cell."""
    if text in (fmt.NO_VALUE, NOT_AVAILABLE) or row.last is None:
        return text
    mark = {"reference": "ref.", "import": "import"}.get(row.last.source, "")
    if row.stale_minutes is not None:
        mark = "stale"
    return f"{text} ({mark})" if mark else text


def _caveat_tip(row: WatchlistRow, tip: str) -> str:
    caveat = row.price_caveat
    return f"{tip}\nComputed from a {caveat}." if caveat and tip else tip


def _target_tip(row: WatchlistRow) -> str:
    t = row.latest_target
    if t is None:
        return ""
    approx = "~" if t.date_approximate else ""
    conf = t.provenance.confidence if t.provenance else ""
    return f"{t.broker}, {approx}{t.date.isoformat()}, {t.rating or 'rating n/a'} ({conf})"


def _drawdown_tip(row: WatchlistRow) -> str:
    if row.peak is None:
        return ""
    return (f"Peak {fmt.price_money(row.peak.money)} on "
            f"{fmt.price_time(row.peak, row.instrument.timezone)}")


def _max_dd_tip(row: WatchlistRow) -> str:
    d = row.drawdowns
    if d is None:
        return ""
    return f"Deepest fall since listing: peak {d.peak.isoformat()} → trough {d.trough.isoformat()}"


def _dd(attribute: str) -> Callable[[WatchlistRow], float | None]:
    return lambda row: None if row.drawdowns is None else getattr(row.drawdowns, attribute)


def _ps_tip(row: WatchlistRow) -> str:
    if row.ps is None:
        return row.ps_basis
    note = fmt.estimate_note(row.ps)
    tip = f"Market cap / {row.ps_basis} revenue, as published by the price's date"
    return _caveat_tip(row, f"{tip}{chr(10) + note if note else ''}")


def _lockup(row: WatchlistRow) -> str:
    lock = row.next_lockup
    if lock is None or row.lockup_days is None:
        return fmt.NO_VALUE
    return fmt.lockup_day(lock, lock.free_to_trade - dt.timedelta(days=row.lockup_days))


def _lockup_tip(row: WatchlistRow) -> str:
    lock = row.next_lockup
    if lock is None:
        return ""
    conf = lock.provenance.confidence if lock.provenance else ""
    earliest = "" if lock.date_exact else "at the earliest "
    trading = (f"; first trading day {earliest}{lock.first_trading_day.isoformat()}"
               if lock.first_trading_day else "; trading day not yet checked")
    return (f"{lock.holders}: free {earliest}from {lock.first_free_day.isoformat()}{trading} "
            f"({conf}). {lock.note}")


def _price_tip(row: WatchlistRow) -> str:
    if row.last is None:
        return "No price stored yet"
    if row.last.source == "reference":
        return "A sparse public price point from the bundled reference data, not a live quote"
    if row.stale_minutes is not None:
        return (f"The market is open but this price has not changed for {row.stale_minutes} "
                "minutes of trading (beyond Yahoo's 15-minute delay)")
    if row.last.delay_min:
        return (f"Yahoo shows HKEX trades {row.last.delay_min} minutes late (HKEX's minimum "
                "delay for redistributed data); not real-time")
    return ""


def _yahoo_missing(row: WatchlistRow, module: str) -> str | None:
    """What a Yahoo-only cell says when Yahoo has nothing for it (None: it has a value)."""
    snap = row.yahoo
    if snap is None or snap.fetched is None:
        return "not fetched yet" if snap is None or not snap.last_error else "Yahoo unreachable"
    return NOT_AVAILABLE if snap.lacks(module) else None


def _consensus(row: WatchlistRow) -> str:
    snap = row.yahoo
    if snap is not None and snap.consensus is not None:
        return snap.consensus.text()
    return _yahoo_missing(row, "financialData") or NOT_AVAILABLE


def _results(row: WatchlistRow) -> str:
    snap = row.yahoo
    if snap is not None and snap.next_results is not None and snap.fetched is not None:
        estimate = " est." if snap.next_results_estimate else ""
        return f"{snap.next_results.isoformat()}{estimate} (Yahoo, {snap.fetched.isoformat()})"
    return _yahoo_missing(row, "calendarEvents") or NOT_AVAILABLE


def _lacking(row: WatchlistRow, module: str) -> str:
    """A blank figure whose input Yahoo does not have says so."""
    return NOT_AVAILABLE if _yahoo_missing(row, module) == NOT_AVAILABLE else fmt.NO_VALUE


def _yahoo_tip(row: WatchlistRow) -> str:
    return "" if row.yahoo is None else row.yahoo.status()


COLUMNS: dict[Column, ColumnSpec] = {
    Column.SYMBOL: ColumnSpec("Symbol", lambda r: r.symbol, lambda r: r.symbol, numeric=False),
    Column.NAME: ColumnSpec("Name", lambda r: r.instrument.name, lambda r: r.instrument.name,
                            lambda r: r.instrument.legal_name, numeric=False),
    Column.LAST: ColumnSpec("Last", _last, lambda r: r.last.amount if r.last else None,
                            _price_tip),
    Column.TIME: ColumnSpec("As of", _time, lambda r: r.last.ts if r.last else None,
                            numeric=False),
    Column.SOURCE: ColumnSpec("Source", _source, _source, _price_tip, numeric=False),
    Column.CHANGE: ColumnSpec("Chg %", lambda r: fmt.percent(r.change), lambda r: r.change,
                              lambda r: "" if r.change is not None else
                              "No previous close from the same feed", signed=True),
    Column.DRAWDOWN: ColumnSpec("From peak", lambda r: fmt.percent(r.drawdown),
                                lambda r: r.drawdown, _drawdown_tip, signed=True),
    Column.MAX_DRAWDOWN: ColumnSpec("Max DD", lambda r: fmt.percent(_dd("deepest")(r)),
                                    _dd("deepest"), _max_dd_tip, signed=True),
    Column.FROM_52W_HIGH: ColumnSpec("From 52w high",
                                     lambda r: fmt.percent(_dd("from_52w_high")(r)),
                                     _dd("from_52w_high"), signed=True),
    Column.TO_RECOVER: ColumnSpec("To recover", lambda r: fmt.percent(_dd("to_recover")(r)),
                                  _dd("to_recover"),
                                  lambda r: "Rise needed to get back to the peak"),
    Column.TARGET: ColumnSpec("Latest target", _target,
                              lambda r: r.latest_target.price.amount if r.latest_target else None,
                              _target_tip),
    Column.UPSIDE: ColumnSpec("Upside", lambda r: _marked(fmt.percent(r.upside), r),
                              lambda r: r.upside, lambda r: _caveat_tip(r, _target_tip(r)),
                              signed=True),
    Column.MARKET_CAP: ColumnSpec(
        "Mkt cap", lambda r: _marked(fmt.compact_money(r.market_cap) if r.market_cap
                                     else _lacking(r, "defaultKeyStatistics"), r),
        lambda r: r.market_cap.amount if r.market_cap else None,
        lambda r: _caveat_tip(r, "Price × shares in force (and published) on the price's "
                                 "date")),
    Column.PS: ColumnSpec("P/S", lambda r: _marked(fmt.estimate(r.ps) if r.ps
                                                   else _lacking(r, "revenue"), r),
                          lambda r: r.price_to_sales, _ps_tip),
    Column.LOCKUP: ColumnSpec("Next lock-up expiry", _lockup, lambda r: r.lockup_days,
                              _lockup_tip, numeric=False),
    Column.CONSENSUS: ColumnSpec(
        "Consensus target", _consensus,
        lambda r: r.yahoo.consensus.mean.amount if r.yahoo and r.yahoo.consensus else None,
        _yahoo_tip, numeric=False),
    Column.NEXT_RESULTS: ColumnSpec(
        "Next results", _results,
        lambda r: r.yahoo.next_results.isoformat() if r.yahoo and r.yahoo.next_results else "",
        _yahoo_tip, numeric=False),
    Column.NOTE: ColumnSpec("Note", lambda r: " ".join(r.note.split()), lambda r: r.note,
                            lambda r: r.note, numeric=False),
}
# What the window shows until the trader picks other columns (View › Columns): enough to
# read the list in a narrow column beside the chart.
DEFAULT_VISIBLE = (Column.SYMBOL, Column.NAME, Column.LAST, Column.CHANGE, Column.DRAWDOWN,
                   Column.NOTE)


def render_text_table(rows: list[WatchlistRow]) -> str:
    """A plain-text table for terminals and scripts."""
    headers = [COLUMNS[c].header for c in Column]
    cells = [[COLUMNS[c].text(row) for c in Column] for row in rows]
    widths = [max(len(h), *(len(line[i]) for line in cells)) if cells else len(h)
              for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if COLUMNS[Column(i)].numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])
