"""Watchlists in and out: CSV, JSON, TradingView's list text and XLSX.

CSV, JSON and XLSX carry each symbol's note, its alert rules and its analyst targets, so a round
trip restores them; TradingView's format holds symbols only (`HKEX:2513`, one per line). Every
file is written atomically; demo data is marked DEMO in the file. Importing the same file twice
adds nothing the second time.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from db import alert_repo, facts_repo, watchlist_repo
from db.connection import transaction
from services.alerts.records import rule_from_row
from services.alerts.rules import RuleError, validate
from services.alerts.service import AlertService
from services.core.clock import Clock, from_epoch
from services.core.formatting import source_label
from services.core.tickers import TickerError, is_hkex, normalise_symbol
from services.core.ticks import round_price
from services.files import workbook
from services.files.atomic import restore_cell, write_atomically, write_csv
from services.files.rule_specs import rule_key, rule_spec, spec_rule
from services.files.tables import (
    FileProblemError,
    ImportRejectedError,
    ImportReport,
    RowProblem,
    read_rows,
    read_text,
)
from services.market.calendar import MarketClock
from services.reference import store as reference_store
from services.watchlists.editing import WatchlistEditor, WatchlistError, check_name, check_note
from services.watchlists.service import WatchlistService
from services.watchlists.snapshots import WatchlistRow

FORMATS = ("csv", "json", "tradingview", "xlsx")
# The price columns are for reading (a spreadsheet, another app): an import takes symbols, notes,
# alerts and targets, never a price from a file of ours.
CSV_HEADER = ("symbol", "name", "note", "alerts", "targets", "last_price", "currency",
              "change_pct", "price_time", "price_source", "data")


@dataclass
class Item:
    symbol: str
    name: str = ""
    note: str = ""
    alerts: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    line: int = 0
    section: str = ""  # TradingView: the ###section it is listed under ("" before any)
    quote: tuple = (None, None, None, None, None)  # last, currency, change %, time, source


def _quote(row: WatchlistRow) -> tuple:
    """The last price at the instrument's precision, its change in % (2 decimals), its time
    in the exchange's zone and where it came from."""
    last = row.last
    if last is None:
        return Item.quote
    change = None if row.change is None else round(row.change * 100.0, 2)
    return (round_price(last.amount), last.currency, change,
            from_epoch(last.ts, row.instrument.timezone), source_label(last))


def format_of(path: Path, given: str | None = None) -> str:
    fmt = (given or {".csv": "csv", ".json": "json", ".txt": "tradingview",
                     ".xlsx": "xlsx"}.get(Path(path).suffix.lower(), "")).lower()
    if fmt not in FORMATS:
        raise FileProblemError(f"Unknown format {fmt or Path(path).suffix!r}: use one of "
                          f"{', '.join(FORMATS)}.")
    return fmt


def tradingview_symbol(symbol: str) -> str:
    return f"HKEX:{symbol.removesuffix('.HK').lstrip('0') or '0'}" if is_hkex(symbol) else symbol


class WatchlistTransfer:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, demo: bool = False):
        self._conn = conn
        self._clock = clock
        self._demo = demo
        self._editor = WatchlistEditor(conn)

    # -- export --------------------------------------------------------------------------------
    def items(self, name: str) -> list[Item]:
        list_id = self._editor.list_id(name)
        instruments = reference_store.instruments(self._conn)
        rules: dict[str, list[dict[str, Any]]] = {}
        for row in alert_repo.rules(self._conn):
            rule, _ = rule_from_row(row)
            rules.setdefault(rule.symbol, []).append(rule_spec(rule))
        quotes = {row.instrument.symbol: _quote(row)
                  for row in WatchlistService(self._conn, self._clock).rows(name)}
        out = []
        for row in watchlist_repo.items(self._conn, list_id):
            symbol = row["symbol"]
            targets = [{"broker": t.broker, "date": t.date.isoformat(), "rating": t.rating,
                        "price": t.price.amount, "currency": t.price.currency,
                        "source": t.provenance.source}
                       for t in reference_store.targets(self._conn, symbol)]
            ins = instruments.get(symbol)
            out.append(Item(symbol, ins.name if ins else symbol, row["note"],
                            rules.get(symbol, []), targets,
                            quote=quotes.get(symbol, Item.quote)))
        return out

    def rows(self, items: list[Item]) -> list[tuple]:
        """CSV/XLSX rows (CSV_HEADER): alerts and targets as JSON cells."""
        data = "DEMO" if self._demo else ""
        return [(i.symbol, i.name, i.note, json.dumps(i.alerts, ensure_ascii=False),
                 json.dumps(i.targets, ensure_ascii=False), *i.quote, data) for i in items]

    def workbook_sheets(self) -> dict[str, workbook.Sheet]:
        """One sheet per watchlist, for the everything-workbook (keyed by the full name; the
        workbook makes sheet names legal and unique and lists them on its Contents sheet)."""
        return {f"List {row['name']}": (CSV_HEADER, self.rows(self.items(row["name"])))
                for row in watchlist_repo.watchlists(self._conn)}

    def export(self, name: str, fmt: str, path: Path) -> int:
        items = self.items(name)
        if fmt == "csv":
            write_csv(path, CSV_HEADER, self.rows(items))
        elif fmt == "json":
            document = {"app": "HarbourWatch", "format": "watchlist", "version": 1,
                        "name": name, "demo": self._demo,
                        "items": [{"symbol": i.symbol, "name": i.name, "note": i.note,
                                   "alerts": i.alerts, "targets": i.targets} for i in items]}
            _write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        elif fmt == "tradingview":
            head = f"###{name}{' (DEMO)' if self._demo else ''}\n"
            _write_text(path, head + "".join(tradingview_symbol(i.symbol) + "\n"
                                             for i in items))
        else:
            workbook.write(path, {"Watchlist": (CSV_HEADER, self.rows(items))}, demo=self._demo)
        return len(items)

    # -- import --------------------------------------------------------------------------------
    def import_file(self, path: Path, fmt: str | None = None, name: str | None = None,
                    skip_bad: bool = False) -> tuple[str, ImportReport]:
        """Read, check every row, then import all of it in one transaction (or nothing).
        Returns the list's name (names, for a TradingView file with several sections) and what
        happened."""
        fmt = format_of(path, fmt)
        list_name, items, report = self._parse(Path(path), fmt)
        lists = _list_names(items, list_name, name)
        known = set(reference_store.instruments(self._conn)) | {i.symbol for i in items}
        good = []
        for item in items:
            problems = self._check(item, known)
            report.problems += [RowProblem(item.line, p) for p in problems]
            if not problems:
                good.append(item)
        report.problems.sort(key=lambda p: p.line)
        if report.problems and not skip_bad:
            raise ImportRejectedError(report)
        alerts = AlertService(self._conn, self._clock, MarketClock())
        rules = {rule_key(rule_from_row(r)[0]) for r in alert_repo.rules(self._conn)}
        with transaction(self._conn):
            ids: dict[str, int] = {}
            for section, list_name in lists.items():
                found = watchlist_repo.watchlist_id(self._conn, list_name)
                ids[section] = found if found is not None else \
                    watchlist_repo.create(self._conn, list_name)
            for item in good:
                self._store(ids[item.section], item, alerts, rules, report)
        return ", ".join(lists.values()), report

    def _parse(self, path: Path, fmt: str) -> tuple[str, list[Item], ImportReport]:
        report = ImportReport()
        name = path.stem
        if fmt == "tradingview":
            items = _tradingview_items(read_text(path))
        elif fmt == "json":
            name, items = _json_items(path)
        else:
            header, rows = (read_rows(path) if fmt == "csv" else workbook.read(path, "Watchlist"))
            if "symbol" not in [h.lower() for h in header]:
                raise FileProblemError(f"{path.name} has no 'symbol' column (found: "
                                  f"{', '.join(header) or 'nothing'}). Is the delimiter right?")
            lower = [h.lower() for h in header]
            items = []
            for line, cells in rows:
                cell = dict(zip(lower, cells, strict=False))
                items.append(_item_from_dict({
                    "symbol": cell.get("symbol", ""),
                    "note": restore_cell(cell.get("note", "")),
                    "alerts": _json_cell(cell.get("alerts")),
                    "targets": _json_cell(cell.get("targets"))}, line))
        if not items:
            raise FileProblemError(f"{path.name} lists no symbols.")
        report.read = len(items)
        return name, items, report

    def _check(self, item: Item, known: set[str]) -> list[str]:
        problems = []
        try:
            item.symbol = normalise_symbol(item.symbol)
        except TickerError as error:
            return [str(error)]
        try:
            check_note(item.note)
        except WatchlistError as error:
            problems.append(str(error))
        now = self._clock.now()
        for spec in item.alerts:
            try:
                rule = spec_rule(item.symbol, spec)
                # a rule that expired since the export is kept as it was: it never fires
                validate(replace(rule, expires_at=None), now, known | {item.symbol})
            except (RuleError, ValueError, KeyError, TypeError, OverflowError) as error:
                problems.append(f"alert {spec!r}: {error}")
        for target in item.targets:
            if not _target_ok(target):
                problems.append(f"target {target!r}: needs broker, date (YYYY-MM-DD), "
                                "a price above zero and a currency")
        return problems

    def _store(self, list_id: int, item: Item, alerts: AlertService, rules: set[tuple],
               report: ImportReport) -> None:
        """One item inside the import's transaction; `rules` (keys of stored rules) grows."""
        self._editor.ensure_instrument(item.symbol)
        added = watchlist_repo.add_item(self._conn, list_id, item.symbol, item.note)
        if not added and item.note:
            watchlist_repo.set_note(self._conn, list_id, item.symbol, item.note)
        for spec in item.alerts:
            rule = spec_rule(item.symbol, spec)
            if rule_key(rule) not in rules:
                alerts.insert_valid(rule)
                rules.add(rule_key(rule))
        have = {(t.broker, t.date.isoformat(), round(t.price.amount, 6))
                for t in reference_store.targets(self._conn, item.symbol)}
        for t in item.targets:
            if (t["broker"], t["date"], round(float(t["price"]), 6)) not in have:
                facts_repo.add_fact(self._conn, "targets", {
                    "symbol": item.symbol, "broker": t["broker"], "date": t["date"],
                    "rating": t.get("rating", ""), "price": float(t["price"]),
                    "currency": t["currency"], "source": t.get("source", "")})
        report.added += int(added)
        report.already_there += int(not added)


def _item_from_dict(d: Any, line: int) -> Item:
    if not isinstance(d, dict):
        return Item("", line=line)
    alerts = d.get("alerts") or []
    targets = d.get("targets") or []
    return Item(str(d.get("symbol", "")), str(d.get("name", "")), str(d.get("note") or ""),
                alerts if isinstance(alerts, list) else [{"bad": alerts}],
                targets if isinstance(targets, list) else [{"bad": targets}], line)


def _tradingview_items(text: str) -> list[Item]:
    """TradingView's lists: one symbol a line, or everything on one line separated by commas
    (its own export), `###Name` starting a section, any exchange prefix (`NASDAQ:AAPL`)."""
    items, section = [], ""
    for n, line in enumerate(text.splitlines(), 1):
        for token in (t.strip() for t in line.split(",")):
            if token.startswith("###"):
                section = token[3:].strip() or section
            elif token:
                items.append(Item(token, line=n, section=section))
    return items


def _json_items(path: Path) -> tuple[str, list[Item]]:
    """(list name, items) of a HarbourWatch JSON watchlist; FileProblemError for anything else
    (not JSON, nested past any sense, another shape)."""
    try:
        document = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise FileProblemError(f"{path.name} is not valid JSON (line {error.lineno}: "
                               f"{error.msg}).") from None
    except RecursionError:
        raise FileProblemError(f"{path.name} nests its JSON too deeply to be a watchlist.") \
            from None
    if not isinstance(document, dict) or document.get("format") != "watchlist":
        raise FileProblemError(f"{path.name} is not a HarbourWatch watchlist file.")
    entries, name = document.get("items", []), document.get("name") or path.stem
    if not isinstance(entries, list) or not isinstance(name, str):
        raise FileProblemError(f"{path.name}: 'items' must be a list and 'name' a text; this "
                               "is not a HarbourWatch watchlist file.")
    return name, [_item_from_dict(d, n) for n, d in enumerate(entries, 1)]


def _list_names(items: list[Item], file_name: str, given: str | None) -> dict[str, str]:
    """Each section's list name, checked. Symbols before any section go to `given` or the
    file's name; with several sections, `given` prefixes each section's name."""
    sections = list(dict.fromkeys(i.section for i in items))
    if len(sections) == 1:
        return {sections[0]: check_name(given or sections[0] or file_name)}
    return {s: check_name(" — ".join(p for p in (given, s or (None if given else file_name))
                                     if p)) for s in sections}


def _json_cell(text: str | None) -> list[Any]:
    if not text or not text.strip():
        return []
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return [{"unreadable": text[:40]}]
    return value if isinstance(value, list) else [{"unreadable": text[:40]}]


def _target_ok(t: Any) -> bool:
    try:
        price = float(t["price"])
        date.fromisoformat(t["date"])
        return (bool(str(t["broker"]).strip()) and math.isfinite(price) and price > 0
                and bool(str(t["currency"]).strip()))
    except (KeyError, TypeError, ValueError, OverflowError):
        return False


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))
