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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db import alert_repo, facts_repo, watchlist_repo
from db.connection import transaction
from services.alerts.records import rule_from_row
from services.alerts.rules import AlertRule, Direction, Policy, RuleError, RuleKind, validate
from services.alerts.service import AlertService
from services.core.clock import Clock
from services.core.tickers import TickerError, is_hkex, normalise_symbol
from services.files import workbook
from services.files.atomic import restore_cell, write_atomically, write_csv
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

FORMATS = ("csv", "json", "tradingview", "xlsx")
CSV_HEADER = ("symbol", "name", "note", "alerts", "targets", "data")
RULE_FIELDS = ("kind", "level", "direction", "policy", "hysteresis_pct", "cooldown_min",
               "band_pct", "note")


@dataclass
class Item:
    symbol: str
    name: str = ""
    note: str = ""
    alerts: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    line: int = 0


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
            rules.setdefault(rule.symbol, []).append(
                {f: (getattr(rule, f).value if f in ("kind", "direction", "policy")
                     else getattr(rule, f)) for f in RULE_FIELDS})
        out = []
        for row in watchlist_repo.items(self._conn, list_id):
            symbol = row["symbol"]
            targets = [{"broker": t.broker, "date": t.date.isoformat(), "rating": t.rating,
                        "price": t.price.amount, "currency": t.price.currency,
                        "source": t.provenance.source}
                       for t in reference_store.targets(self._conn, symbol)]
            ins = instruments.get(symbol)
            out.append(Item(symbol, ins.name if ins else symbol, row["note"],
                            rules.get(symbol, []), targets))
        return out

    def rows(self, items: list[Item]) -> list[tuple]:
        """CSV/XLSX rows (CSV_HEADER): alerts and targets as JSON cells."""
        data = "DEMO" if self._demo else ""
        return [(i.symbol, i.name, i.note, json.dumps(i.alerts, ensure_ascii=False),
                 json.dumps(i.targets, ensure_ascii=False), data) for i in items]

    def workbook_sheets(self) -> dict[str, workbook.Sheet]:
        """One sheet per watchlist, for the everything-workbook."""
        return {f"List {row['name']}"[:31]: (CSV_HEADER, self.rows(self.items(row["name"])))
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
        Returns the list's name and what happened."""
        fmt = format_of(path, fmt)
        list_name, items, report = self._parse(Path(path), fmt)
        list_name = check_name(name or list_name)
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
        rules = {_rule_key(rule_from_row(r)[0]) for r in alert_repo.rules(self._conn)}
        with transaction(self._conn):
            list_id = watchlist_repo.watchlist_id(self._conn, list_name)
            if list_id is None:
                list_id = watchlist_repo.create(self._conn, list_name)
            for item in good:
                self._store(list_id, item, alerts, rules, report)
        return list_name, report

    def _parse(self, path: Path, fmt: str) -> tuple[str, list[Item], ImportReport]:
        report = ImportReport()
        if fmt == "tradingview":
            items, name = [], path.stem
            for n, line in enumerate(read_text(path).splitlines(), 1):
                line = line.strip()
                if line.startswith("###"):
                    name = line[3:].strip() or name
                    continue
                items += [Item(token.strip(), line=n) for token in line.split(",")
                          if token.strip()]
        elif fmt == "json":
            try:
                document = json.loads(read_text(path))
            except json.JSONDecodeError as error:
                raise FileProblemError(f"{path.name} is not valid JSON (line {error.lineno}: "
                                  f"{error.msg}).") from None
            if not isinstance(document, dict) or document.get("format") != "watchlist":
                raise FileProblemError(f"{path.name} is not a HarbourWatch watchlist file.")
            name = str(document.get("name") or path.stem)
            items = [_item_from_dict(d, n) for n, d in enumerate(document.get("items", []), 1)]
        else:
            header, rows = (read_rows(path) if fmt == "csv" else workbook.read(path, "Watchlist"))
            if "symbol" not in [h.lower() for h in header]:
                raise FileProblemError(f"{path.name} has no 'symbol' column (found: "
                                  f"{', '.join(header) or 'nothing'}). Is the delimiter right?")
            lower = [h.lower() for h in header]
            name = path.stem
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
                validate(_rule(item.symbol, spec), now, known | {item.symbol})
            except (RuleError, ValueError, KeyError, TypeError) as error:
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
            rule = _rule(item.symbol, spec)
            if _rule_key(rule) not in rules:
                alerts.insert_valid(rule)
                rules.add(_rule_key(rule))
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


def _json_cell(text: str | None) -> list[Any]:
    if not text or not text.strip():
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return [{"unreadable": text[:40]}]
    return value if isinstance(value, list) else [{"unreadable": text[:40]}]


def _rule(symbol: str, spec: dict[str, Any]) -> AlertRule:
    level = float(spec["level"])
    return AlertRule(symbol, RuleKind(spec["kind"]), level,
                     Direction(spec.get("direction", "up")), Policy(spec.get("policy", "once")),
                     float(spec.get("hysteresis_pct", 0)), int(spec.get("cooldown_min", 0)),
                     float(spec.get("band_pct", 0)), note=str(spec.get("note", "")))


def _rule_key(rule: AlertRule) -> tuple:
    return (rule.symbol, rule.kind, round(rule.level, 9), rule.direction, rule.policy,
            rule.hysteresis_pct, rule.cooldown_min, rule.band_pct)


def _target_ok(t: Any) -> bool:
    try:
        price = float(t["price"])
        date.fromisoformat(t["date"])
        return (bool(str(t["broker"]).strip()) and math.isfinite(price) and price > 0
                and bool(str(t["currency"]).strip()))
    except (KeyError, TypeError, ValueError):
        return False


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))
