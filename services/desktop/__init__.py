"""Fitting into the user's desktop: the menu entry and its icons, start at login, and the
command that launches this installation (a source checkout, an installed package or the bundle).

Menu entries and start at login follow freedesktop.org (Linux and BSD desktops); elsewhere
`freedesktop()` is False and the callers say so. No Qt: the CLI writes the menu entry too.
"""
