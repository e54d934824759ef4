"""`run --headless` owns the database's poller lock: a second one is refused with one clear
line, short commands still work, and after a SIGKILL the next runner takes the lock over."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from services.app.poller_lock import lock_path
from tests.processes import ROOT, Program


def polling(line: str) -> bool:
    return line.startswith("HarbourWatch polling")


def main_py(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def runner(db_path: Path, env: dict[str, str]) -> Program:
    return Program([sys.executable, "main.py", "--db", str(db_path), "run", "--headless"], env)


def test_a_second_headless_runner_is_refused_and_a_killed_ones_lock_is_taken_over(
    db_path: Path, program_env: dict[str, str],
) -> None:
    first = runner(db_path, program_env)
    try:
        first.wait_line(polling)
        first.wait_line(lambda line: "2/2 symbols updated" in line)  # polling the fake
        second = main_py(program_env, "--db", str(db_path), "run", "--headless")
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"{db_path} is already being polled by `run --headless` (process "
            f"{first.process.pid}); a second poller would fetch and write everything twice. "
            "Stop that one first, or use --db for another database.")
        assert second.stdout == ""
        shown = main_py(program_env, "--db", str(db_path), "show")
        assert shown.returncode == 0 and "2513.HK" in shown.stdout
        once = main_py(program_env, "--db", str(db_path), "poll", "--once")
        assert once.returncode == 0, once.stderr
        first.kill()  # SIGKILL: no chance to release anything
    finally:
        first.end()
    assert lock_path(db_path).read_text().split() == [str(first.process.pid), "headless"]

    taker = runner(db_path, program_env)
    try:
        taker.wait_line(polling)
        assert lock_path(db_path).read_text().split() == [str(taker.process.pid), "headless"]
        assert taker.stop() == 0
    finally:
        taker.end()
    log = (Path(program_env["HARBOURWATCH_HOME"]) / "data/logs/harbourwatch.log").read_text()
    assert f"took over the poller lock of `run --headless` (process {first.process.pid})" in log
