"""The chart ranges a trader picks (buttons, menu items, shortcuts), without the numpy that
the series behind them need: the window's menus are built before any chart."""

from __future__ import annotations

RANGES = ("1D", "5D", "1M", "3M", "6M", "YTD", "1Y", "Max")
INTRADAY_RANGES = {"1D": 1, "5D": 5}  # sessions of 1-minute bars
# Enough 1-minute bars to span the last five sessions on any exchange (HKEX: 330 a day).
RECENT_MINUTES = 5 * 500
CALENDAR_RANGES = {"1M": 31, "3M": 92, "6M": 183, "1Y": 366}
