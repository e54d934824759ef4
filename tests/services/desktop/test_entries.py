"""Desktop entries as the freedesktop spec reads them: the Exec line survives spaces, quotes,
dollars, backslashes and percent signs; the menu entry and the autostart entry pass
desktop-file-validate (where installed); install-desktop and uninstall-desktop add and remove
exactly their files."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.desktop import autostart, entries, menu
from tests.processes import ROOT

VALIDATOR = shutil.which("desktop-file-validate")
ICON_SIZES = ("16x16", "22x22", "24x24", "32x32", "48x48", "64x64", "128x128", "256x256",
              "512x512")


def validate(path: Path) -> None:
    """desktop-file-validate's verdict where it is installed (dev.py test installs it)."""
    if VALIDATOR is None:
        return
    result = subprocess.run([VALIDATOR, str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def split_exec(value: str) -> list[str]:
    """The spec's reading of an Exec value: string escapes first, then quoting, then %%."""
    text = value.replace("\\\\", "\0")  # string level: \\ is one backslash
    text = text.replace("\0", "\\")
    args, current, quoted, i, started = [], "", False, 0, False
    while i < len(text):
        c = text[i]
        if quoted and c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            current, i = current + text[i + 1], i + 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if current or started:
                args.append(current)
            current, started = "", False
        else:
            current += c
        i += 1
    if current or started:
        args.append(current)
    return [a.replace("%%", "%") for a in args]


AWKWARD = ["/opt/Harbour Watch/harbourwatch", "--db", '/home/t/My "50%" $HOME\\back`tick`.db',
           "gui", "--minimised"]


def test_the_exec_line_reads_back_as_the_same_arguments(tmp_path: Path) -> None:
    path = tmp_path / "harbourwatch.desktop"
    entries.write_entry(path, entries.entry_text(AWKWARD, "harbourwatch", "a comment"))
    validate(path)
    fields = read_entry(path)
    assert split_exec(fields["Exec"]) == AWKWARD
    assert fields["TryExec"] == "/opt/Harbour Watch/harbourwatch"
    assert entries.exec_line(["/usr/bin/harbourwatch", "gui"]) == "/usr/bin/harbourwatch gui"
    with pytest.raises(ValueError):
        entries.exec_argument("two\nlines")


def test_a_relative_xdg_directory_is_ignored_as_the_spec_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    assert entries.config_home() == Path.home() / ".config"


def test_start_at_login_writes_and_removes_the_autostart_entry(tmp_path: Path) -> None:
    path = autostart.entry_path()
    assert path.parent.parent == Path(entries.config_home())
    assert not autostart.enabled()
    command = autostart.login_command(["/opt/hw/harbourwatch"], ["--db", "/data/hw.sqlite3"])
    assert autostart.enable(command) == path
    assert autostart.enabled()
    validate(path)
    fields = read_entry(path)
    assert split_exec(fields["Exec"]) == ["/opt/hw/harbourwatch", "--db", "/data/hw.sqlite3",
                                          "gui", "--minimised"]
    assert Path(fields["Icon"]).is_file()  # by path: the menu's icons may not be installed
    assert fields["X-GNOME-Autostart-enabled"] == "true"
    assert autostart.disable() is True
    assert not path.exists() and not autostart.enabled()
    assert autostart.disable() is False


def test_install_desktop_and_uninstall_desktop(tmp_path: Path) -> None:
    def main_py(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, text=True,
                              capture_output=True, timeout=60)

    installed = main_py("install-desktop")
    assert installed.returncode == 0, installed.stderr
    entry = menu.entry_path()
    assert str(entry) in installed.stdout
    assert entry.parent == entries.data_home() / "applications"
    validate(entry)
    fields = read_entry(entry)
    assert split_exec(fields["Exec"]) == [str(Path(sys.executable).absolute()),
                                          str(ROOT / "main.py")]
    assert fields["Icon"] == "harbourwatch" and fields["Name"] == "HarbourWatch"
    assert fields["Categories"] == "Office;Finance;"
    theme = entries.data_home() / "icons" / "hicolor"
    for size in ICON_SIZES:
        png = theme / size / "apps" / "harbourwatch.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert (theme / "scalable" / "apps" / "harbourwatch.svg").is_file()
    autostart.enable(autostart.login_command(["/opt/hw/harbourwatch"]))

    removed = main_py("uninstall-desktop")
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists() and not autostart.enabled()
    assert not list(theme.rglob("harbourwatch.*"))
    assert f"Removed {len(ICON_SIZES) + 3} file(s)" in removed.stdout
    nothing = main_py("uninstall-desktop")
    assert "Nothing to remove" in nothing.stdout
