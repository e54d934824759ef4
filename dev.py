#!/usr/bin/env python3
"""The two commands of the README: `python3 dev.py app` and `python3 dev.py test`.

Both create `.venv` and install the pinned tree from requirements.lock the first time (and again
whenever the lock file changes), so a fresh machine with only Python 3.11+ needs nothing else.
Standard library only: this file runs before any dependency exists.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".harbourwatch-lock.sha256"
# Shared libraries Qt's offscreen/xcb platforms need that a minimal Debian image lacks.
QT_SYSTEM_PACKAGES = [
    "libegl1", "libgl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3", "libglib2.0-0",
    "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
    "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def log(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


def ensure_venv(env: dict[str, str]) -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is
        sys.exit("HarbourWatch needs Python 3.11 or newer.")
    python = venv_python()
    if not python.exists():
        log(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        log("installing pinned dependencies (first run or requirements.lock changed)")
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "-r", str(LOCK)], check=True)
        STAMP.write_text(wanted)
    ensure_qt_libraries(python, env)
    return python


def ensure_qt_libraries(python: Path, env: dict[str, str]) -> None:
    """Install Qt's system libraries with apt when a QApplication cannot start in `env` (the
    platform the command will use: offscreen for tests, xcb/wayland on a desktop). Debian only,
    as root; elsewhere it says what is missing."""
    probe = [str(python), "-c", "from PySide6.QtWidgets import QApplication; QApplication([])"]
    result = subprocess.run(probe, capture_output=True, text=True, env=env, timeout=60)
    missing_library = "shared object" in result.stderr or "is needed to load" in result.stderr
    if result.returncode == 0 or not missing_library:
        return  # fine, or a problem apt cannot fix (no display: see the README)
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        log("Qt cannot load its system libraries; install: " + " ".join(QT_SYSTEM_PACKAGES))
        return
    log("installing Qt's system libraries with apt-get")
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=apt_env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *QT_SYSTEM_PACKAGES], check=True,
                   env=apt_env)


def ensure_dbus() -> None:
    """The alert tests talk to a real D-Bus daemon; install it with apt when missing."""
    if shutil.which("dbus-daemon") is not None:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        log("dbus-daemon is missing; install the 'dbus' package")
        return
    log("installing dbus with apt-get")
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=apt_env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "dbus"], check=True, env=apt_env)


def run(command: list[str], env: dict[str, str] | None = None) -> int:
    log("$ " + " ".join(command))
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def test_environment() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}


def run_tests(python: Path, pytest_args: list[str], env: dict[str, str]) -> int:
    """Lint, check the import contracts (layers, capabilities, Qt-free services), then run every
    test once; tests/test_qt_free.py imports services, db and cli with Qt made unimportable."""
    ensure_dbus()
    bin_dir = python.parent
    steps = [
        [str(python), "-m", "ruff", "check", "."],
        [str(bin_dir / "lint-imports"), "--no-cache"],
        [str(python), "-m", "pytest", "-q", *pytest_args],
    ]
    for step in steps:
        code = run(step, env)
        if code != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test"}:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: python3 dev.py app [main.py args] | python3 dev.py test [pytest args]",
              file=sys.stderr)
        return 2
    env = dict(os.environ) if argv[0] == "app" else test_environment()
    python = ensure_venv(env)
    if argv[0] == "app":
        return run([str(python), str(ROOT / "main.py"), *argv[1:]], env)
    return run_tests(python, argv[1:], env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
