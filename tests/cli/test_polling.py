"""Headless use: one poll and a long-running runner that survives Yahoo's bad days."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cli.context import Context
from cli.polling import poll_once, run_headless
from services.core.clock import FastClock
from services.core.paths import AppPaths
from services.market.poller import Poller
from tests.conftest import hkt
from tests.fake_yahoo import FakeYahoo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock() -> FastClock:
    """Time runs 600x faster here, so the scheduler's minute-by-minute polls come quickly."""
    return FastClock(hkt(2026, 11, 23, 10, 15), 600.0)


def test_poll_once_exit_codes(db_path: Path, isolated_home: AppPaths, poller: Poller,
                              fake_yahoo: FakeYahoo) -> None:
    out = io.StringIO()
    assert poll_once(Context(db_path, isolated_home, out=out), lambda: poller) == 0
    assert "2/2 symbols updated" in out.getvalue() and "2513.HK" in out.getvalue()
    assert "USDHKD=X" in out.getvalue() and "daily rates" in out.getvalue()
    fake_yahoo.fail("reset")
    out = io.StringIO()
    assert poll_once(Context(db_path, isolated_home, out=out), lambda: poller) == 1
    assert "Cannot reach Yahoo Finance" in out.getvalue()


def output_grew(out: io.StringIO, text: str, before: int, runner: threading.Thread) -> None:
    deadline = time.monotonic() + 20
    while out.getvalue().count(text) <= before:
        assert runner.is_alive(), "the runner died"
        assert time.monotonic() < deadline, f"no new {text!r} in:\n{out.getvalue()}"
        time.sleep(0.02)


def test_headless_runner_keeps_running_through_faults(
    db_path: Path, isolated_home: AppPaths, poller: Poller, fake_yahoo: FakeYahoo,
    clock: FastClock,
) -> None:
    out = io.StringIO()
    stop = threading.Event()
    ctx = Context(db_path, isolated_home, out=out)
    runner = threading.Thread(target=run_headless, args=(ctx, stop, clock, lambda: poller))
    runner.start()
    try:
        output_grew(out, "2/2 symbols updated", 0, runner)
        for fault in ("500", "malformed", "reset", "html", "429"):
            failures = out.getvalue().count("FAILED")
            fake_yahoo.fail(fault)
            output_grew(out, "FAILED", failures, runner)
            fake_yahoo.clear_faults()
            output_grew(out, "2/2 symbols updated", out.getvalue().count("2/2 symbols updated"),
                        runner)
    finally:
        stop.set()
        runner.join(timeout=20)
    assert not runner.is_alive()
    assert out.getvalue().endswith("stopped.\n")


def test_sigterm_stops_the_headless_demo_runner_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "HARBOURWATCH_HOME": str(tmp_path / "home")}
    child = subprocess.Popen([sys.executable, "main.py", "--demo", "run", "--headless"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None
    lines = [child.stdout.readline() for _ in range(2)]
    assert "DEMO" in lines[0] and "DEMO" in lines[1]
    child.send_signal(signal.SIGTERM)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 0, stderr
    assert stdout.rstrip().endswith("stopped.")


def test_headless_takes_the_stored_settings_and_flags_override(
        isolated_home: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import polling
    from cli.main import context
    from cli.parser import parse_args

    isolated_home.settings_file.parent.mkdir(parents=True, exist_ok=True)
    isolated_home.settings_file.write_text(
        "[prefs]\nwebhook_url=https://stored.example.com/hook\npoll_interval_s=90\n"
        "notify_seconds=10\nnotify_urgency=critical\n", encoding="utf-8")
    seen: list[dict] = []
    monkeypatch.setattr(polling, "run_headless", lambda ctx, **kw: seen.append(kw) or 0)
    for argv in (["run", "--headless"],
                 ["run", "--headless", "--webhook", "https://flag.example.com/", "--interval",
                  "30"],
                 ["run", "--headless", "--webhook", ""]):
        args = parse_args(argv)
        args.paths = isolated_home
        assert polling.run_runner(args, context(args)) == 0
    stored, flagged, none = seen
    assert (stored["webhook_url"], stored["interval_s"]) == ("https://stored.example.com/hook", 90)
    assert stored["notify"].expire_ms == 10_000 and stored["notify"].notify_urgency == "critical"
    assert (flagged["webhook_url"], flagged["interval_s"]) == ("https://flag.example.com/", 30)
    assert none["webhook_url"] == ""


def test_a_too_short_interval_flag_is_refused() -> None:
    from cli.parser import parse_args

    with pytest.raises(SystemExit) as stopped:
        parse_args(["run", "--headless", "--interval", "5"])
    assert stopped.value.code == 2
