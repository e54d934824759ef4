"""Dated events across the watchlist: the events calendar, its iCalendar export, and what each
lock-up expiry releases (overhang)."""
