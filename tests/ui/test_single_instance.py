"""One window per database, with real processes: a second launch brings the running window to
the front and selects the symbol it names; pollers are refused beside it, short commands are
not; a window killed with SIGKILL leaves a lock and a socket the next window takes over."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from services.app.poller_lock import AlreadyPollingError, Holder, lock_path
from tests.processes import ROOT, Program
from ui import app as app_module
from ui.window.instance import server_name

CHILD = str(ROOT / "tests/ui/instance_child.py")


def is_state(visible: int, minimised: int, symbol: str | None = None):
    def wanted(line: str) -> bool:
        if not line.startswith("window "):
            return False
        fields = dict(part.split("=") for part in line.split()[1:])
        return (fields["visible"] == str(visible) and fields["minimised"] == str(minimised)
                and (symbol is None or fields["symbol"] == symbol))
    return wanted


def main_py(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_second_launch_brings_the_window_to_the_front_and_selects_its_symbol(
    db_path: Path, program_env: dict[str, str],
) -> None:
    first = Program([sys.executable, CHILD, "--db", str(db_path), "gui", "--minimised"],
                    program_env)
    try:
        first.wait_line(is_state(visible=1, minimised=1))  # no tray offscreen: minimised
        second = main_py(program_env, "--db", str(db_path), "gui", "0100")
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stdout and "brought its window to the front" in \
            second.stdout
        first.wait_line(is_state(visible=1, minimised=0, symbol="0100.HK"), timeout=30)

        headless = main_py(program_env, "--db", str(db_path), "run", "--headless")
        assert headless.returncode == 1
        assert "already being polled by the HarbourWatch window" in headless.stderr
        assert len(headless.stderr.strip().splitlines()) == 1

        for short in (["show"], ["alerts", "list"],
                      ["export", "watchlist", "Main", "--format", "csv", "-o",
                       str(db_path.parent / "main.csv")]):
            done = main_py(program_env, "--db", str(db_path), *short)
            assert done.returncode == 0, (short, done.stderr)
        assert first.process.poll() is None  # the window kept running through all of it
        socket_file = Path(tempfile.gettempdir()) / server_name(db_path)
        assert socket_file.exists()
        assert first.stop() == 0
    finally:
        first.end()
    assert not socket_file.exists()  # removed on the way out


def test_a_window_killed_with_sigkill_leaves_a_lock_the_next_window_takes_over(
    db_path: Path, program_env: dict[str, str],
) -> None:
    killed = Program([sys.executable, CHILD, "--db", str(db_path)], program_env)
    try:
        killed.wait_line(is_state(visible=1, minimised=0))
        killed.kill()
    finally:
        killed.end()
    assert lock_path(db_path).read_text().split() == [str(killed.process.pid), "window"]

    after = Program([sys.executable, CHILD, "--db", str(db_path), "gui", "--minimised"],
                    program_env)
    try:
        after.wait_line(is_state(visible=1, minimised=1))
        assert lock_path(db_path).read_text().split() == [str(after.process.pid), "window"]
        again = main_py(program_env, "--db", str(db_path), "gui", "2513.HK")
        assert again.returncode == 0, again.stderr  # the killed window's socket was replaced
        after.wait_line(is_state(visible=1, minimised=0, symbol="2513.HK"), timeout=30)
        assert after.stop() == 0
    finally:
        after.end()
    assert lock_path(db_path).read_text() == ""  # released on the way out


def test_the_window_does_not_open_beside_a_headless_runner(
    qtbot, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    boxes: list[str] = []
    monkeypatch.setattr(app_module.QMessageBox, "warning",
                        lambda _parent, _title, text: boxes.append(text))
    busy = AlreadyPollingError(db_path, Holder(4321, "headless"))
    assert app_module.hand_over(busy, "", minimised=False) == 1
    assert boxes == [f"{db_path} is already being polled by `run --headless` (process 4321). "
                     "Stop it (Ctrl-C in its terminal) to open the window on this database. "
                     "Use --db to open another database."]
    assert capsys.readouterr().err.strip() == boxes[0]
    assert app_module.hand_over(busy, "", minimised=True) == 1  # at login: logged, no box
    assert len(boxes) == 1
