"""`install-desktop` and `uninstall-desktop`: HarbourWatch in the desktop's application menu
(freedesktop entry and icons in the user's data directory; no root needed)."""

from __future__ import annotations

import argparse

from cli.context import FAILED, CommandError, Context
from services.desktop import autostart, menu
from services.desktop.entries import exec_line, freedesktop
from services.desktop.launcher import launch_command


def add_parsers(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("install-desktop",
                        help="add HarbourWatch and its icon to the desktop's application menu")
    commands.add_parser("uninstall-desktop",
                        help="remove the menu entry, icons and start-at-login entry")


def _require_freedesktop() -> None:
    if not freedesktop():
        raise CommandError("Menu entries are written for freedesktop desktops (Linux, BSD). "
                           "On Windows and macOS pin the HarbourWatch executable instead.",
                           FAILED)


def run_install(args: argparse.Namespace, ctx: Context) -> int:
    _require_freedesktop()
    command = launch_command()
    try:
        menu.install(command)
    except OSError as error:
        raise CommandError(f"Could not add the menu entry: {error.filename}: {error.strerror}",
                           FAILED) from error
    print(f"Added HarbourWatch to the application menu: {menu.entry_path()}\n"
          f"Icons: {menu.icon_theme_dir()}\nIt starts: {exec_line(command)}", file=ctx.out)
    return 0


def run_uninstall(args: argparse.Namespace, ctx: Context) -> int:
    _require_freedesktop()
    try:
        removed = menu.uninstall()
        if autostart.disable():
            removed.append(autostart.entry_path())
    except OSError as error:
        raise CommandError(f"Could not remove {error.filename}: {error.strerror}",
                           FAILED) from error
    if removed:
        print(f"Removed {len(removed)} file(s):", *removed, sep="\n  ", file=ctx.out)
    else:
        print("Nothing to remove: HarbourWatch was not in the application menu.", file=ctx.out)
    return 0
