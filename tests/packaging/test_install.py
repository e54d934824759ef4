"""`pip install .` into a fresh virtual environment gives a working `harbourwatch` command.

Offline and quick: the project is built by pip with the build backend and dependencies of the
test's own environment (`--no-build-isolation --no-deps --no-index`), which the fresh
environment sees through a .pth file; the project itself (packages, main.py, resources as
package data, the console script) comes only from the wheel pip builds from a copy of the
source tree, and the command runs outside the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

from services.app.about import VERSION
from tests.processes import ROOT

NOT_PACKAGED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                      "__pycache__", ".pytest_cache", ".ruff_cache",
                                      ".hypothesis", "out")


def fresh_environment(where: Path) -> Path:
    """A virtual environment without the project, seeing this one's packages (and pip)."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    own_site = subprocess.run([str(python), "-c",
                               "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    (Path(own_site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    return python


def test_pip_install_gives_a_working_harbourwatch_command(tmp_path: Path,
                                                          program_env: dict[str, str]) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_PACKAGED)
    python = fresh_environment(tmp_path / "venv")
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-q", str(source)],
        capture_output=True, text=True, timeout=240)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    command = python.parent / ("harbourwatch.exe" if os.name == "nt" else "harbourwatch")
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    def harbourwatch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(command), *args], cwd=outside, env=program_env,
                              capture_output=True, text=True, timeout=120)

    version = harbourwatch("--version")
    assert version.returncode == 0, version.stderr
    lines = version.stdout.splitlines()
    assert lines[0] == f"HarbourWatch {VERSION}"
    for name in ("Qt", "PySide6", "yfinance", "SQLite", "Python"):
        assert any(line.split()[0] == name and len(line.split()) >= 2 for line in lines[1:]), name
    assert "installed package" in version.stdout

    shown = harbourwatch("show")
    assert shown.returncode == 0, shown.stderr
    assert "2513.HK  Zhipu AI" in shown.stdout  # the bundled reference data, as package data
    assert "reference (digest)" in shown.stdout

    where = subprocess.run([str(python), "-c", "import services, resources; "
                            "print(services.__file__); print(resources.__file__)"],
                           cwd=outside, capture_output=True, text=True, check=True)
    assert all(Path(p).is_relative_to(tmp_path / "venv") for p in where.stdout.split())

    menu = harbourwatch("install-desktop")
    assert menu.returncode == 0, menu.stderr
    assert f"It starts: {command}" in menu.stdout  # the installed script, not a checkout
