"""The trader's preferences as the settings file stores them, readable without Qt.

The window reads and writes them through QSettings (ui/common/settings.py declares each with
these keys and defaults); `run --headless` reads the same file here, so both faces poll, notify
and post alerts alike. Flags given on the command line override what is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from services.market.calendar import POLL_INTERVAL_S

log = logging.getLogger(__name__)

MIN_POLL_INTERVAL_S = 15  # Yahoo's HK quotes are 15 min late: faster only invites rate limits
MAX_POLL_INTERVAL_S = 24 * 60 * 60

# Keys as QSettings writes them in its INI file: "section/name".
POLL_INTERVAL = "prefs/poll_interval_s"
WEBHOOK_URL = "prefs/webhook_url"
NOTIFY_SECONDS = "prefs/notify_seconds"  # 0: until dismissed; -1: the server's default
NOTIFY_URGENCY = "prefs/notify_urgency"
SOUND = "prefs/sound"
BASE_CURRENCY = "prefs/base_currency"

URGENCIES = ("low", "normal", "critical")  # the freedesktop urgency hint's 0, 1, 2
DEFAULT_NOTIFY_SECONDS = 0  # price alerts stay until the trader dismisses them
NOTIFY_DURATIONS = {0: "until dismissed", -1: "as the desktop decides", 10: "10 seconds",
                    30: "30 seconds", 60: "1 minute"}


@dataclass(frozen=True)
class Preferences:
    poll_interval_s: int = POLL_INTERVAL_S
    webhook_url: str = ""
    notify_seconds: int = DEFAULT_NOTIFY_SECONDS
    notify_urgency: str = "normal"
    sound: bool = True
    base_currency: str = "HKD"

    @property
    def expire_ms(self) -> int:
        return self.notify_seconds * 1000 if self.notify_seconds > 0 else self.notify_seconds


def interval_problem(seconds: int) -> str | None:
    if seconds < MIN_POLL_INTERVAL_S:
        return (f"the poll interval must be at least {MIN_POLL_INTERVAL_S} seconds (Yahoo's HK "
                "quotes are delayed 15 minutes; polling faster only invites rate limits)")
    if seconds > MAX_POLL_INTERVAL_S:
        return f"the poll interval must be at most {MAX_POLL_INTERVAL_S} seconds (a day)"
    return None


def _unquote(text: str) -> str:
    """QSettings quotes a string holding separators ("a, b") and escapes \\ and \"."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def read_preferences(path: Path) -> Preferences:
    """What the settings file holds; a missing file, key or unreadable value falls back to its
    default (logged), never stopping a headless run."""
    import configparser  # only a headless run reads the file this way

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        log.warning("settings file %s unreadable, using defaults: %s", path, error)
        return Preferences()

    def raw(key: str) -> str | None:
        section, name = key.split("/", 1)
        value = parser.get(section, name, fallback=None)
        return None if value is None else _unquote(value)

    from services.alerts.notify import check_webhook_url  # urllib: only a headless run needs it

    defaults = Preferences()
    interval = _number(raw(POLL_INTERVAL), defaults.poll_interval_s)
    if interval_problem(interval):
        interval = defaults.poll_interval_s
    seconds = _number(raw(NOTIFY_SECONDS), defaults.notify_seconds)
    urgency = raw(NOTIFY_URGENCY) or defaults.notify_urgency
    try:
        webhook = check_webhook_url(raw(WEBHOOK_URL) or "")
    except ValueError as error:
        log.warning("stored webhook not used: %s", error)
        webhook = ""
    return Preferences(interval, webhook, seconds if seconds >= -1 else defaults.notify_seconds,
                       urgency if urgency in URGENCIES else defaults.notify_urgency,
                       (raw(SOUND) or "true").lower() == "true",
                       raw(BASE_CURRENCY) or defaults.base_currency)


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
