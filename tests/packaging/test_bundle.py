"""Smoke test of the standalone bundle (PyInstaller, one folder), run by `python3 dev.py bundle`
on the archive it built ($HARBOURWATCH_BUNDLE): unpacked elsewhere, the executable reports its
versions, opens and paints its window (offscreen), shows the watchlist from the bundled
reference data, polls the tests' fake Yahoo once, writes a valid menu entry, and exits 0 each
time. Skipped in the ordinary test run: building the bundle takes minutes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.app.about import VERSION
from tests.processes import Program
from tests.services.desktop.test_entries import read_entry, split_exec, validate
from tests.waiting import wait_for
from ui.app import PAINTED_MESSAGE

ARCHIVE = os.environ.get("HARBOURWATCH_BUNDLE", "")
pytestmark = pytest.mark.skipif(not ARCHIVE, reason="builds with `python3 dev.py bundle`")


@pytest.fixture(scope="module")
def executable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("unpacked")
    shutil.unpack_archive(ARCHIVE, where)
    name = "harbourwatch.exe" if os.name == "nt" else "harbourwatch"
    return where / "harbourwatch" / name


def run(executable: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in env.items() if not k.startswith("PYTHON")}  # no Python leaks in
    return subprocess.run([str(executable), *args], cwd=executable.parent.parent, env=clean,
                          capture_output=True, text=True, timeout=180)


def test_the_bundle_runs_without_python(executable: Path, program_env: dict[str, str],
                                        db_path: Path) -> None:
    version = run(executable, program_env, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith(f"HarbourWatch {VERSION}\n")
    assert f"bundle ({executable})" in version.stdout

    log = Path(program_env["HARBOURWATCH_HOME"]) / "data" / "logs" / "harbourwatch.log"
    window = Program([str(executable), "--db", str(db_path)],
                     {k: v for k, v in program_env.items() if not k.startswith("PYTHON")},
                     cwd=executable.parent)
    try:
        wait_for(lambda: log.exists() and PAINTED_MESSAGE in log.read_text(), 120,
                 lambda: f"the window did not paint; stderr so far: {window.stderr()}")
        assert window.stop() == 0, window.stderr()
    finally:
        window.end()

    shown = run(executable, program_env, "--db", str(db_path), "show")
    assert shown.returncode == 0, shown.stderr
    assert "2513.HK  Zhipu AI" in shown.stdout

    polled = run(executable, program_env, "--db", str(db_path), "poll", "--once")
    assert polled.returncode == 0, polled.stdout + polled.stderr
    assert "2/2 symbols updated" in polled.stdout

    menu = run(executable, program_env, "install-desktop")
    assert menu.returncode == 0, menu.stderr
    entry = Path(program_env["XDG_DATA_HOME"]) / "applications" / "harbourwatch.desktop"
    validate(entry)
    assert split_exec(read_entry(entry)["Exec"]) == [str(executable)]
    assert sys.executable not in entry.read_text()
