#!/usr/bin/env python3
"""The README's commands: `python3 dev.py app`, `python3 dev.py test`, `python3 dev.py bundle`.

Each creates `.venv` and installs the pinned tree from requirements.lock the first time (and again
whenever the lock file changes), so a fresh machine with only Python 3.11+ needs nothing else.
`bundle` builds the standalone PyInstaller bundle with build tools kept out of `.venv`, archives
it and smoke-tests the archive. Standard library only: this file runs before any dependency
exists.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".harbourwatch-lock.sha256"
BUILD = ROOT / "build"  # PyInstaller's work and the bundle's build environment
BUNDLE_VENV = BUILD / "bundle-venv"
DIST = ROOT / "dist"  # the archives
BUNDLE_SMOKE_TEST = "tests/packaging/test_bundle.py"
# Shared libraries Qt's offscreen/xcb platforms need that a minimal Debian image lacks.
QT_SYSTEM_PACKAGES = [
    "libegl1", "libgl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3", "libglib2.0-0",
    "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
    "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
]


def venv_python(root: Path = VENV) -> Path:
    return root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


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
    apt_install(QT_SYSTEM_PACKAGES)


def ensure_tool(binary: str, package: str) -> None:
    """Tests use a few Debian tools (dbus-daemon; desktop-file-validate where installed):
    install them with apt when missing, as root."""
    if shutil.which(binary) is not None:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        log(f"{binary} is missing; install the '{package}' package")
        return
    apt_install([package])


def apt_install(packages: list[str]) -> None:
    log("installing with apt-get: " + " ".join(packages))
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=apt_env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=apt_env)


def run(command: list[str], env: dict[str, str] | None = None) -> int:
    log("$ " + " ".join(command))
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def test_environment() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}


def run_tests(python: Path, pytest_args: list[str], env: dict[str, str]) -> int:
    """Lint, check the import contracts (layers, capabilities, Qt-free services), then run every
    test once; tests/test_qt_free.py imports services, db and cli with Qt made unimportable."""
    ensure_tool("dbus-daemon", "dbus")
    ensure_tool("desktop-file-validate", "desktop-file-utils")
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


def bundle_tools() -> list[str]:
    """PyInstaller and its dependencies, pinned in pyproject.toml's `bundle` extra."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["optional-dependencies"]["bundle"]


def ensure_bundle_venv(python: Path) -> Path:
    """PyInstaller in a virtual environment of its own that sees `.venv` through a .pth file: the
    test environment stays lean and the bundle holds exactly requirements.lock's tree."""
    bundle_python = venv_python(BUNDLE_VENV)
    site = [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    if not bundle_python.exists():
        log(f"creating the bundle's build environment in {BUNDLE_VENV}")
        subprocess.run([str(python), "-m", "venv", str(BUNDLE_VENV)], check=True)
        own_site = subprocess.run([str(bundle_python), *site[1:]], check=True, text=True,
                                  capture_output=True).stdout.strip()
        app_site = subprocess.run(site, check=True, text=True, capture_output=True).stdout
        (Path(own_site) / "harbourwatch-app.pth").write_text(app_site)
    tools, stamp = bundle_tools(), BUNDLE_VENV / ".harbourwatch-tools"
    if not stamp.exists() or stamp.read_text() != "\n".join(tools):
        subprocess.run([str(bundle_python), "-m", "pip", "install", "--disable-pip-version-check",
                        "-q", *tools], check=True)
        stamp.write_text("\n".join(tools))
    return bundle_python


def build_bundle(python: Path) -> Path:
    """One folder (executable, Python, Qt and its plugins, resources/) archived as .tar.gz
    (.zip on Windows); returns the archive."""
    if sys.platform.startswith("linux") and shutil.which("apt-get") and os.geteuid() == 0:
        missing = [p for p in QT_SYSTEM_PACKAGES if subprocess.run(
            ["dpkg", "-s", p], capture_output=True).returncode != 0]
        if missing:  # the xcb plugin's libraries go into the bundle: desktops may lack them
            apt_install(missing)
    bundle_python = ensure_bundle_venv(python)
    started = time.monotonic()
    command = [str(bundle_python), "-m", "PyInstaller", "--noconfirm", "--onedir",
               "--name", "harbourwatch", "--distpath", str(BUILD / "dist"),
               "--workpath", str(BUILD / "pyinstaller"), "--specpath", str(BUILD),
               "--add-data", f"{ROOT / 'resources'}{os.pathsep}resources", "--paths", str(ROOT),
               "--exclude-module", "pyqtgraph.opengl", "--log-level", "WARN",
               str(ROOT / "main.py")]
    if run(command) != 0:
        raise SystemExit("PyInstaller failed")
    built = time.monotonic()
    about = (ROOT / "services/app/about.py").read_text()
    version = re.search(r'^VERSION = "(.+)"$', about, re.MULTILINE).group(1)
    name = f"harbourwatch-{version}-{sys.platform}-{platform.machine().lower()}"
    DIST.mkdir(exist_ok=True)
    if os.name == "nt":
        archive = Path(shutil.make_archive(str(DIST / name), "zip", root_dir=BUILD / "dist",
                                           base_dir="harbourwatch"))
    else:  # gzip level 6: several times faster than make_archive's 9, 0.5 % bigger
        archive = DIST / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(BUILD / "dist" / "harbourwatch", arcname="harbourwatch")
    log(f"built in {built - started:.0f} s, archived in {time.monotonic() - built:.0f} s: "
        f"{archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    return archive


def bundle(python: Path, env: dict[str, str]) -> int:
    """Build the bundle, then run its smoke test (tests/packaging/test_bundle.py) on the
    archive: unpacked elsewhere, it starts, paints its window, shows and polls the tests'
    fake Yahoo."""
    archive = build_bundle(python)
    started = time.monotonic()
    code = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", BUNDLE_SMOKE_TEST],
               {**env, "HARBOURWATCH_BUNDLE": str(archive)})
    log(f"smoke test of the bundle: {time.monotonic() - started:.0f} s")
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test", "bundle"}:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: python3 dev.py app [main.py args] | python3 dev.py test [pytest args] | "
              "python3 dev.py bundle", file=sys.stderr)
        return 2
    env = dict(os.environ) if argv[0] == "app" else test_environment()
    python = ensure_venv(env)
    if argv[0] == "app":
        return run([str(python), str(ROOT / "main.py"), *argv[1:]], env)
    if argv[0] == "bundle":
        return bundle(python, env)
    return run_tests(python, argv[1:], env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
