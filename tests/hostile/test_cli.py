"""The command line as a hostile user types it: out-of-range numbers, ids that are not whole,
bytes that are not UTF-8, absurd intervals, unknown choices. One line on stderr, exit code 2,
the database unchanged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.support import db_run, unchanged

ROOT = Path(__file__).resolve().parents[2]
HUGE = "99999999999999999999999"

CASES = [
    # (case, arguments after --db, words in the one line on stderr)
    ("alerts remove 1.5", ["alerts", "remove", "1.5"], "must be a whole number"),
    ("alerts remove 0", ["alerts", "remove", "0"], "must be from 1 to"),
    ("alerts remove -3", ["alerts", "remove", "-3"], "must be from 1 to"),
    ("alerts remove a huge id", ["alerts", "remove", HUGE], "must be from 1 to"),
    ("alerts remove words", ["alerts", "remove", "first"], "is not a number"),
    ("alerts remove an id that is not there", ["alerts", "remove", "42"], "no alert rule 42"),
    ("alerts add level beyond floats", ["alerts", "add", "2513.HK", "above", "1e400"],
     "finite number"),
    ("alerts add cooldown of 10^20 minutes",
     ["alerts", "add", "2513.HK", "cross", "900", "--cooldown", "1e20"], "cooldown must be"),
    ("alerts preset lockups 10^20 days",
     ["alerts", "preset", "lockups", "2513.HK", "--days", "1e20"], "whole number from 0"),
    ("alerts add an unknown kind", ["alerts", "add", "2513.HK", "sideways", "5"],
     "invalid choice"),
    ("alerts add expiry in year 99999",
     ["alerts", "add", "2513.HK", "cross", "900", "--expires", "99999-01-01"],
     "a date like 2026-12-31"),
    ("transactions delete 1.5", ["transactions", "delete", "1.5"], "must be a whole number"),
    ("transactions delete 0", ["transactions", "delete", "0"], "must be from 1 to"),
    ("transactions delete a huge id", ["transactions", "delete", HUGE], "must be from 1 to"),
    ("transactions delete one that is not there", ["transactions", "delete", "7"],
     "There is no transaction 7"),
    ("--poll-interval below 15 s", ["--poll-interval", "5", "show"], "at least 15 seconds"),
    ("--poll-interval of a thousand years", ["--poll-interval", "31536000000", "show"],
     "at most 86400 seconds"),
    ("--poll-interval in words", ["--poll-interval", "often", "show"], "invalid int value"),
    ("an unknown command", ["dance"], "invalid choice"),
    ("export in a format that does not exist",
     ["export", "transactions", "--format", "xlsx", "-o", "x.xlsx"], "invalid choice"),
    ("show a list that does not exist", ["show", "--watchlist", "Nope"],
     "No watchlist named 'Nope'"),
    ("watchlist create with a 61-character name", ["watchlist", "create", "x" * 61],
     "Keep the name to 60"),
    ("watchlist create with an empty name", ["watchlist", "create", "  "], "needs a name"),
    ("watchlist add a symbol of six HK digits", ["watchlist", "add", "Main", "123456.HK"],
     "at most 5 digits"),
    ("watchlist add to a list that does not exist", ["watchlist", "add", "Nope", "AAPL"],
     "no watchlist named 'Nope'"),
    ("run with a webhook of another scheme", ["run", "--headless", "--webhook",
                                              "ftp://example.com/x"], "http:// or https://"),
    ("run with a webhook without a host", ["run", "--headless", "--webhook", "http://"],
     "names no host"),
    ("run with a file: webhook", ["run", "--headless", "--webhook", "file:///etc/passwd"],
     "http:// or https://"),
    ("an argument that is not UTF-8", ["watchlist", "create", "caf\udce9"],
     "is not valid UTF-8 text"),
]


@pytest.mark.parametrize(("case", "argv", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_command_line_input_is_one_line_and_exit_2(
        db_path: Path, app_db: sqlite3.Connection, case: str, argv: list[str],
        words: str) -> None:
    if argv[0].startswith("--"):
        args = [*argv[:2], "--db", str(db_path), *argv[2:]]
    else:
        args = ["--db", str(db_path), *argv]
    from tests.hostile.support import run

    with unchanged(db_path):
        result = run(*args)
    assert result.code == 2, result
    assert words in result.err, result.err
    assert result.err.count("\n") == 1 or "Nothing was changed:\n" in result.err, result.err
    assert result.out == ""


def test_bytes_that_are_not_utf8_from_a_real_terminal(db_path: Path,
                                                      app_db: sqlite3.Connection) -> None:
    """As a shell passes them: raw bytes in argv, decoded by Python with surrogateescape."""
    with unchanged(db_path):
        result = subprocess.run(
            [sys.executable.encode(), b"main.py", b"--db", os.fsencode(db_path), b"watchlist",
             b"create", b"caf\xe9"], cwd=ROOT, capture_output=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1 and b"is not valid UTF-8 text" in result.stderr


def test_a_file_name_of_any_bytes_still_works(db_path: Path, app_db: sqlite3.Connection,
                                              tmp_path: Path) -> None:
    """File names may be any bytes on Linux: only text arguments must be UTF-8."""
    name = os.fsdecode(b"list-\xff.csv")
    assert db_run(db_path, "export", "watchlist", "Main", "--format", "csv", "-o",
                  str(tmp_path / name)).code == 0
    result = db_run(db_path, "import", "watchlist", str(tmp_path / name), "--name", "Copy")
    assert result.code == 0, result


def test_an_inconsistent_ledger_is_named_and_mended(db_path: Path,
                                                    app_db: sqlite3.Connection) -> None:
    """A ledger edited outside the app sells shares it never bought: `transactions check`
    names the sale with its id (exit 1) and `transactions delete` removes it."""
    app_db.executescript("""
        INSERT INTO transactions (symbol, trade_date, side, quantity, price, fees, currency,
                                  created_at)
        VALUES ('2513.HK', '2026-03-02', 'buy', 100, 250, 0, 'HKD', 0),
               ('2513.HK', '2026-03-03', 'sell', 300, 260, 0, 'HKD', 0);
    """)
    with unchanged(db_path):
        result = db_run(db_path, "transactions", "check")
        listed = db_run(db_path, "transactions", "list")
        refused = db_run(db_path, "transactions", "delete", "1")  # the buy: would be worse
    assert result.code == 1 and "does not add up: 1 sell" in result.err
    assert "2026-03-03: selling 300 2513.HK but only 100 are held then" in result.out
    assert "⚠ sells more than held" in listed.out.splitlines()[1]
    assert refused.code == 2 and "selling 300" in refused.err
    bad_id = int(result.out.split()[0])
    assert db_run(db_path, "transactions", "delete", str(bad_id)).code == 0
    assert db_run(db_path, "transactions", "check").code == 0
    export = db_run(db_path, "export", "holdings", "--format", "json", "-o",
                    str(db_path.parent / "h.json"))
    assert export.code == 0
