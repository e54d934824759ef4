"""`main.py events` and `main.py lockups`: output, the .ics file and exit codes."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from icalendar import Calendar

from cli.context import Context
from cli.main import dispatch
from cli.parser import parse_args
from services.app.database import open_app_database
from services.core.clock import FixedClock
from services.core.paths import default_paths


def run(db_path: Path, clock: FixedClock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = parse_args(["--db", str(db_path), *argv])
    code = dispatch(args, Context(db_path, default_paths(), out=out, err=err, clock=clock))
    return code, out.getvalue(), err.getvalue()


def test_events_lists_the_next_days_and_writes_ics(db_path: Path, clock: FixedClock,
                                                   tmp_path: Path) -> None:
    ics = tmp_path / "hw.ics"
    code, out, err = run(db_path, clock, "events", "--days", "60", "--ics", str(ics))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Events from 0 days back to 60 days ahead of 2026-11-23")
    assert ("2027-01-08      in 46 d  2513.HK   lock-up expiry      Lock-up expiry: "
            "Controlling shareholders and pre-IPO holders  [HKEX filing (filing)]") in lines
    assert any("2026-12-24" in line and "HKEX half day" in line for line in lines)
    assert lines[-1] == f"wrote {len(lines) - 2} events to {ics}"
    assert len(Calendar.from_ical(ics.read_bytes()).walk("VEVENT")) == len(lines) - 2


def test_events_filters_by_kind_and_symbol(db_path: Path, clock: FixedClock) -> None:
    code, out, _ = run(db_path, clock, "events", "--days", "400", "--past", "400",
                       "--kind", "results", "--symbol", "100")
    assert code == 0
    [_header, line] = out.splitlines()
    assert "0100.HK" in line and "Results: FY2025" in line and "266 d ago" in line


@pytest.mark.parametrize(("argv", "code", "words"), [
    (["events", "--days", "-3"], 2, "--days must be a whole number of days"),
    (["events", "--days", "many"], 2, "--days must be a whole number of days"),
    (["events", "--past", "1.5"], 2, "--past must be a whole number of days"),
    (["events", "--symbol", "9988"], 2, "9988.HK is not on any watchlist"),
    (["events", "--symbol", "!!"], 2, ""),
    (["lockups", "9988"], 2, "9988.HK is not on any watchlist"),
    (["lockups", "2513", "--confirm", "nope"], 2, "No offered lock-up nope; offered: none"),
])
def test_bad_input_is_one_line_and_exit_2(db_path: Path, clock: FixedClock, argv: list[str],
                                          code: int, words: str) -> None:
    result, out, err = run(db_path, clock, *argv)
    assert result == code and out == "" and len(err.splitlines()) == 1 and words in err


def test_an_unwritable_ics_target_fails_with_exit_1(db_path: Path, clock: FixedClock,
                                                    tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.ics"
    folder.mkdir()
    code, _, err = run(db_path, clock, "events", "--ics", str(folder))
    assert code == 1 and "is a folder; nothing was written" in err


def test_lockups_offers_and_confirms_for_a_recent_listing(db_path: Path,
                                                          clock: FixedClock) -> None:
    conn: sqlite3.Connection = open_app_database(db_path)
    with conn:
        conn.execute("INSERT INTO instruments (symbol, name, currency, exchange, listing_date) "
                     "VALUES ('2631.HK', 'New Co', 'HKD', 'HKEX', '2026-06-30')")
        conn.execute("INSERT INTO watchlist_items (watchlist_id, symbol) VALUES (1, '2631.HK')")
    conn.close()
    code, out, _ = run(db_path, clock, "lockups", "2631")
    assert code == 0 and "No lock-up recorded." in out
    assert ("[rule-derived] Controlling shareholders (must stay controlling): free from "
            "2027-06-30 (locked through 2027-06-29, 12 months; HKEX Main Board Listing Rule "
            "10.07(1)(b)) — key 2631.HK:controlling-12m") in out
    code, out, _ = run(db_path, clock, "lockups", "2631", "--confirm",
                       "2631.HK:cornerstone-6m")
    assert code == 0 and "confirmed 2631.HK:cornerstone-6m" in out
    assert "customary cornerstone investment agreement; confirmed by you (market practice)" \
        in out
    assert "2631.HK:cornerstone-6m" not in out.split("Offered")[1]
