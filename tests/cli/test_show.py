from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from cli.context import Context
from cli.main import dispatch
from cli.parser import parse_args
from services.core.clock import FixedClock
from services.core.paths import default_paths

ROOT = Path(__file__).resolve().parents[2]


def show(db_path: Path, clock: FixedClock, out: io.StringIO, err: io.StringIO | None = None,
         *argv: str) -> int:
    args = parse_args(["--db", str(db_path), "show", *argv])
    ctx = Context(db_path, default_paths(), out=out, err=err or io.StringIO(), clock=clock)
    return dispatch(args, ctx)


def test_show_prints_both_stocks_with_reference_figures(db_path: Path, clock: FixedClock) -> None:
    out = io.StringIO()
    assert show(db_path, clock, out) == 0
    text = out.getvalue()
    assert "2513.HK" in text and "Zhipu AI" in text and "HK$819.00" in text
    assert "0100.HK" in text and "MiniMax" in text and "HK$199.30" in text
    assert "−85.0%" in text and "reference (digest)" in text
    assert "Not real-time" in text


def test_show_unknown_watchlist_fails_clearly(db_path: Path, clock: FixedClock) -> None:
    err = io.StringIO()
    assert show(db_path, clock, io.StringIO(), err, "--watchlist", "Nope") == 2
    assert "No watchlist named 'Nope'" in err.getvalue()


def test_cli_help_and_show_run_as_a_user_would(db_path: Path) -> None:
    help_text = subprocess.run([sys.executable, "main.py", "--help"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
    assert "--db" in help_text and "show" in help_text and "--poll-interval" in help_text
    too_fast = subprocess.run([sys.executable, "main.py", "--poll-interval", "1", "show"],
                              cwd=ROOT, capture_output=True, text=True)
    assert too_fast.returncode == 2 and "at least 15 seconds" in too_fast.stderr
    shown = subprocess.run([sys.executable, "main.py", "--db", str(db_path), "show"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert "2513.HK" in shown and "0100.HK" in shown
    assert db_path.exists()
