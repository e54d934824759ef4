"""The selected symbol's facts — targets, lock-ups, fundamentals — each with its source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from services.charts.valuation_text import BANDS_CAVEAT
from services.core import analytics
from services.core import formatting as fmt
from services.core.lockup_rules import is_recent_listing
from services.core.models import KeyFact, Money, Provenance
from services.core.valuation import BASES, revenue_published, shares_published
from services.reference.yahoo_facts import NOT_AVAILABLE
from services.watchlists.snapshots import InstrumentDetail
from services.watchlists.yahoo_view import IN_USE, yahoo_lines

STYLE = """
<style>
 h2 { margin: 0 0 2px 0; }
 h3 { margin: 10px 0 2px 0; }
 table { border-collapse: collapse; }
 th { text-align: left; padding: 1px 10px 1px 0; font-weight: 600; }
 td { padding: 1px 10px 1px 0; }
 td.num { text-align: right; }
 .muted { color: #6e7781; }
 .warn { color: #9a6700; }
 .opinion { font-style: italic; }
</style>
"""
UNCERTAIN = {"digest", "derived", "approximate"}


def _conf(p: Provenance | None) -> str:
    if p is None:
        return ""
    label = escape(p.confidence + (", edited" if p.user_edited else ""))
    css = "warn" if p.confidence in UNCERTAIN else "muted"
    return f'<span class="{css}" title="{escape(p.source)}">{label}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _published(day: dt.date, known: bool) -> str:
    """A publication date, marked when it is an assumption rather than a known date."""
    text = day.isoformat()
    return text if known else f'{text} <span class="warn" title="assumed">(assumed)</span>'


def _key_facts(facts: Sequence[KeyFact]) -> list[str]:
    """Further sourced facts grouped by topic; a commentator's reading set apart as opinion."""
    parts = []
    topics: dict[str, list[KeyFact]] = {}
    for fact in facts:
        topics.setdefault(fact.topic, []).append(fact)
    for topic, group in sorted(topics.items(), key=lambda item: item[1][0].opinion):
        opinion = group[0].opinion
        parts.append(f"<h3>{escape(topic)}</h3>")
        parts.append(_table(
            ["Fact", "Value", "Date", "Confidence", "Note"],
            ([escape(f.label), f"<span class='opinion'>{escape(f.value)}</span>" if opinion
              else escape(f.value), f.date.isoformat() if f.date else "—",
              _conf(f.provenance), escape(f.note)] for f in group),
            set(),
        ))
    return parts


def _yahoo(detail: InstrumentDetail) -> list[str]:
    """Yahoo's values with their dates, each marked in use or not (bundled and user facts
    win)."""
    snap = detail.row.yahoo
    if snap is None:
        return []
    status = snap.status()
    parts = ["<h3>From Yahoo Finance</h3>",
             f"<div class='muted'>{escape(status[:1].upper() + status[1:])}.</div>"]
    lines = yahoo_lines(detail)
    if lines:
        parts.append(_table(
            ["Figure", "Yahoo's value", "As of", "Used?"],
            ([escape(line.label),
              f"<span class='warn'>{escape(line.value)}</span>" if line.value == NOT_AVAILABLE
              else escape(line.value), line.as_of or "—",
              f"<b>{escape(line.use)}</b>" if line.use.startswith(IN_USE)
              else f"<span class='muted'>{escape(line.use)}</span>"]
             for line in lines),
            set()))
    return parts


def detail_html(detail: InstrumentDetail) -> str:
    row = detail.row
    ins = row.instrument
    tz = ins.timezone
    parts = [STYLE, f"<h2>{escape(ins.name)} &nbsp;<span class='muted'>{escape(ins.symbol)}</span>"
             f"</h2><div>{escape(ins.legal_name)} {escape(ins.local_name)}</div>"]
    facts = []
    if ins.listing_date:
        facts.append(f"Listed {ins.listing_date.isoformat()} on {escape(ins.exchange)}")
    if ins.offer_price:
        facts.append(f"offer price {fmt.money(Money(ins.offer_price, ins.currency))}")
    if ins.board_lot:
        facts.append(f"board lot {ins.board_lot}")
    parts.append(f"<div>{' · '.join(facts)} {_conf(ins.provenance)}</div>")
    if ins.notes:
        parts.append(f"<div class='muted'>{escape(ins.notes)}</div>")
    if row.note:
        parts.append(f"<div><b>Your note:</b> {escape(row.note)}</div>")

    if row.last is not None:
        line = (f"<b>{fmt.price_money(row.last.money)}</b> ({fmt.price_time(row.last, tz)}, "
                f"{escape(fmt.source_label(row.last))})")
        if row.peak is not None and row.drawdown is not None:
            line += (f" · peak {fmt.price_money(row.peak.money)} on {fmt.price_time(row.peak, tz)}"
                     f" · {fmt.percent(row.drawdown)} from peak, needs "
                     f"{fmt.percent(analytics.gain_to_recover(row.drawdown))} to recover")
        parts.append(f"<h3>Price</h3><div>{line}</div>")
        if row.price_caveat:
            parts.append(f"<div class='warn'>Upside, market cap and P/S below are computed from "
                         f"a {escape(row.price_caveat)}, not a live quote.</div>")
        if row.ps is not None:
            note = fmt.estimate_note(row.ps)
            parts.append(f"<div>P/S {fmt.estimate(row.ps)} on {escape(row.ps_basis)} revenue "
                         f"(as published by the price's date)"
                         f"{' — ' + escape(note) if note else ''}</div>")

    parts += _yahoo(detail)

    price = row.last.money if row.last else None
    parts.append("<h3>Analyst targets</h3>")
    parts.append(_table(
        ["Date", "Broker", "Rating", "Target", "Upside", "Confidence", "Note"],
        ([("~" if t.date_approximate else "") + t.date.isoformat(), escape(t.broker),
          escape(t.rating or "—"), fmt.price_money(t.price),
          fmt.percent(analytics.upside(price, t.price)) if price else fmt.NO_VALUE,
          _conf(t.provenance), escape(t.note)]
         for t in sorted(detail.targets, key=lambda t: t.date, reverse=True)),
        {3, 4},
    ))

    parts.append("<h3>Lock-ups</h3>")
    listed = detail.row.instrument.listing_date
    if not detail.lockups and listed and is_recent_listing(listed, detail.today):
        parts.append("<div class='muted'>No lock-up recorded for this recent listing: the "
                     "Lock-ups tab offers those the Listing Rules imply (rule-derived, to "
                     "confirm).</div>")
    parts.append(_table(
        ["Holders", "Shares", "Free from", "First trading day", "", "Confidence", "Note"],
        ([escape(lock.holders), f"{lock.shares:,}" if lock.shares else "—",
          ("" if lock.date_exact else "≥ ") + lock.first_free_day.isoformat(),
          (("" if lock.date_exact else "≥ ") + lock.first_trading_day.isoformat())
          if lock.first_trading_day else "not yet checked",
          fmt.days_label(analytics.days_until(lock.free_to_trade, detail.today),
                         at_least=not lock.date_exact),
          _conf(lock.provenance), escape(lock.note)]
         for lock in detail.lockups),
        {1},
    ))

    funds = detail.fundamentals
    parts.append("<h3>Shares outstanding</h3>")
    parts.append(_table(
        ["As of", "Published", "Shares", "Confidence", "Note"],
        ([s.as_of.isoformat(), _published(*shares_published(s)), f"{s.shares:,}",
          _conf(s.provenance), escape(s.note)]
         for s in funds.shares),
        {2},
    ))
    parts.append("<h3>Revenue</h3><div class='muted'>A valuation uses each figure only from "
                 "the day it was published.</div>")
    parts.append(_table(
        ["Period", "Period end", "Published", "Revenue", "Confidence", "Note"],
        ([escape(r.period), r.period_end.isoformat(), _published(*revenue_published(r)),
          {"at least": "≥ ", "at most": "≤ "}.get(r.bound, "") + fmt.compact_money(r.amount),
          _conf(r.provenance), escape(r.note)]
         for r in funds.revenue),
        {3},
    ))
    if detail.band_prices:
        first = detail.band_prices[0]
        bound = "≥ " if first.bound == "at least" else ""
        parts.append(f"<h3>Price implied today by P/S bands ({escape(first.revenue.period)} "
                     f"revenue, {escape(BASES[detail.basis])})</h3>"
                     f"<div class='warn'>{escape(BANDS_CAVEAT)}.</div>")
        parts.append(_table(
            ["Band", "P/S", "Implied price", "Meaning"],
            ([escape(b.band.name), f"{b.band.ps_low:g}–{b.band.ps_high:g}x",
              f"{bound}{fmt.money(b.low)} – {fmt.money(b.high)}", escape(b.band.meaning)]
             for b in detail.band_prices),
            {1, 2},
        ))
    parts += _key_facts(detail.key_facts)
    if detail.fx_notes:
        parts.append("<h3>FX rates used</h3>")
        parts.append("".join(f"<div class='muted'>{escape(n)}</div>" for n in detail.fx_notes))
    parts.append("<h3>Reference price points</h3>")
    parts.append(_table(
        ["Date", "Close", "High", "Confidence", "Note"],
        ([p.date.isoformat(),
          fmt.price_money(Money(p.close, ins.currency)) if p.close else "—",
          fmt.price_money(Money(p.high, ins.currency)) if p.high else "—",
          _conf(p.provenance), escape(p.note)]
         for p in detail.reference_points),
        {1, 2},
    ))
    return "".join(parts)


class DetailPane(QTextBrowser):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenExternalLinks(True)
        self.setPlaceholderText("Select a symbol to see its targets, lock-ups and fundamentals.")
        self._html = ""
        self._symbol: str | None = None

    def show_detail(self, detail: InstrumentDetail | None) -> None:
        """Re-render only when the text changed; the same symbol keeps its scroll position."""
        html = "" if detail is None else detail_html(detail)
        symbol = None if detail is None else detail.row.symbol
        if html == self._html:
            return
        scroll = self.verticalScrollBar().value() if symbol == self._symbol else 0
        self._html, self._symbol = html, symbol
        self.setHtml(html)
        self.verticalScrollBar().setValue(scroll)
