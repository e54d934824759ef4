"""Bad input to `main.py alerts …`: a clear message, exit code 2, nothing changed."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import context, dispatch
from cli.parser import parse_args

ROOT = Path(__file__).resolve().parents[2]
LONG = "x" * 600


def alerts(db_path: Path, *argv: str) -> tuple[int, str, str]:
    args = parse_args(["--db", str(db_path), "alerts", *argv])
    out, err = io.StringIO(), io.StringIO()
    return dispatch(args, context(args, out, err)), out.getvalue(), err.getvalue()


def rule_count(db_path: Path) -> int:
    code, out, _ = alerts(db_path, "list")
    assert code == 0
    return sum(1 for line in out.splitlines() if not line.startswith("  event"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["NOPE!", "above", "5"], "is not a ticker"),
        (["9999.HK", "above", "5"], "Unknown symbol '9999.HK'"),
        (["2513.HK", "above", "abc"], "The level must be a finite number"),
        (["2513.HK", "above", "nan"], "finite number"),
        (["2513.HK", "above", "-5"], "above zero"),
        (["2513.HK", "cross", "0"], "above zero"),
        (["2513.HK", "move", "250"], "between 0 and 100"),
        (["2513.HK", "drawdown", "100"], "between 0 and 100%"),
        (["2513.HK", "lockup", "2.5"], "whole number"),
        (["2513.HK", "stale", "0"], "from 1 to 1440"),
        (["2513.HK", "cross", "900", "--hysteresis", ""], "re-arm band must be a finite number"),
        (["2513.HK", "cross", "900", "--hysteresis", "80"], "re-arm band must be from 0"),
        (["2513.HK", "target", "1700", "--within", "-1"], "'Within X%' must be from 0 to 50"),
        (["2513.HK", "cross", "900", "--direction", "sideways"], "The direction must be one"),
        (["2513.HK", "cross", "900", "--policy", "twice"], "The policy must be one of"),
        (["2513.HK", "cross", "900", "--cooldown", "1.5"], "whole minutes"),
        (["2513.HK", "cross", "900", "--expires", "2020-01-01"], "expiry is in the past"),
        (["2513.HK", "cross", "900", "--expires", "31/12/2026"], "a date like 2026-12-31"),
        (["2513.HK", "cross", "900", "--note", LONG], "keep it to 500"),
        (["2513.HK", "cross", "900", "--note", "bell\x07"], "control characters"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(db_path: Path, argv: list[str],
                                                     message: str) -> None:
    before = rule_count(db_path)
    code, _, err = alerts(db_path, "add", *argv)
    assert code == 2
    assert "Nothing was changed" in err and message in err, err
    assert rule_count(db_path) == before


def test_good_input_including_non_ascii_notes(db_path: Path) -> None:
    code, out, _ = alerts(db_path, "add", "HKEX:02513", "cross", "1,700",
                          "--note", "智谱 MS 目标价")
    assert code == 0 and "added rule 1" in out
    code, out, _ = alerts(db_path, "list")
    assert "2513.HK price crosses up 1,700" in out and "智谱 MS 目标价" in out
    assert alerts(db_path, "remove", "1")[0] == 0
    code, _, err = alerts(db_path, "remove", "1")
    assert code == 2 and "no alert rule 1" in err
    code, out, _ = alerts(db_path, "preset", "lockups", "0100.HK", "--days", "45")
    assert code == 0


def test_cli_as_a_user_runs_it(db_path: Path) -> None:
    result = subprocess.run([sys.executable, "main.py", "--db", str(db_path), "alerts", "add",
                             "0100", "below", "150"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    listed = subprocess.run([sys.executable, "main.py", "--db", str(db_path), "alerts", "list"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "0100.HK price below 150" in listed


def test_demo_rules_are_stamped_on_the_demo_clock(tmp_path: Path) -> None:
    """A rule added with `--demo alerts add` lives in simulated time: it starts where the
    demo's session stands, not at the real clock's (possibly night-time) now."""
    import datetime as dt
    import sqlite3

    from services.core.clock import FastClock
    from services.market.calendar import MarketClock

    db = tmp_path / "demo.sqlite3"
    args = parse_args(["--demo", "--db", str(db), "alerts", "add", "2513.HK", "cross", "900"])
    ctx = context(args, io.StringIO(), io.StringIO())
    assert isinstance(ctx.clock, FastClock)
    assert dispatch(args, ctx) == 0
    created, start = sqlite3.connect(db).execute(
        "SELECT created_at, start_ts FROM alert_rules").fetchone()
    market = MarketClock()
    session = market.session(market.local_day(ctx.clock.now()))
    assert session is not None
    stamped = dt.datetime.fromtimestamp(created, dt.UTC)
    assert session.open <= stamped <= session.close + dt.timedelta(hours=1)
    assert start <= created
