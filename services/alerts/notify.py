"""Telling the trader: desktop notification (freedesktop D-Bus), webhook, terminal.

Fires from one poll become one notification. Everything here runs on the poll worker thread
after the events were committed; the webhook goes out on its own thread so a slow endpoint
never holds up polling.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

from services.alerts.records import AlertEvent

log = logging.getLogger(__name__)
APP_NAME = "HarbourWatch"
WEBHOOK_TIMEOUT_S = 5.0
WEBHOOK_ATTEMPTS = 3
MAX_URL = 2_000
# How long a notification stays (ms; 0 until dismissed, -1 the server's choice) and how urgent
# it is (the freedesktop `urgency` hint): the trader picks both in Settings.
UNTIL_DISMISSED = 0
SERVER_DEFAULT = -1
URGENCY = {"low": 0, "normal": 1, "critical": 2}
DEFAULT_ACTION = "default"  # what servers such as dunst invoke on a click on the bubble
REMEMBERED = 64  # notification ids kept to answer a click with their symbol


@dataclass(frozen=True)
class Notification:
    title: str
    body: str
    symbol: str  # the symbol the "Open" action shows


def coalesce(events: Sequence[AlertEvent], demo: bool = False) -> Notification | None:
    """One notification for all fires of one poll."""
    if not events:
        return None
    tag = "DEMO · " if demo else ""
    symbols = sorted({e.symbol for e in events})
    if len(events) == 1:
        title = f"{tag}{events[0].rule_text}"  # the rule text starts with the symbol
    else:
        title = f"{tag}{len(events)} alerts: {', '.join(symbols)}"
    if len(events) == 1:  # the title names the symbol and the rule: the body adds the rest
        body = _what_happened(events[0])
    else:
        body = "\n".join(e.message for e in events[:6])
    if len(events) > 6:
        body += f"\n… and {len(events) - 6} more in the alert log"
    return Notification(title, body, events[0].symbol)


def _what_happened(event: AlertEvent) -> str:
    """'Reached HK$901.50 at 2026-11-23 10:15 HKT': the event's message without the symbol and
    the rule the title already says."""
    rule = event.rule_text.removeprefix(f"{event.symbol} ")
    text = event.message.removeprefix(f"{event.symbol} ").replace(f" — {rule}", "", 1)
    return text[:1].upper() + text[1:]


def send_desktop(note: Notification, timeout: float = 3.0, expire_ms: int = UNTIL_DISMISSED,
                 urgency: str = "normal") -> int | None:
    """org.freedesktop.Notifications.Notify on the session bus, with actions that open the
    symbol: "default" (a click on the bubble, the only one some servers offer) and "Open
    SYMBOL". Returns the notification's id; None when there is no bus or no notification
    service (the caller falls back).

    The body is escaped when the server reads markup: a symbol, note or rule name holding `<`,
    `>` or `&` must show as written, not break the notification or style it."""
    try:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        address = DBusAddress("/org/freedesktop/Notifications",
                              bus_name="org.freedesktop.Notifications",
                              interface="org.freedesktop.Notifications")
        with open_dbus_connection(bus="SESSION") as conn:
            body = note.body
            if _reads_markup(conn, new_method_call(address, "GetCapabilities"), timeout):
                body = html.escape(body, quote=False)
            actions = [DEFAULT_ACTION, f"Open {note.symbol}",
                       f"open:{note.symbol}", f"Open {note.symbol}"]
            hints = {"urgency": ("y", URGENCY.get(urgency, 1))}
            message = new_method_call(address, "Notify", "susssasa{sv}i", (
                APP_NAME, 0, "", note.title, body, actions, hints, expire_ms))
            reply = conn.send_and_get_reply(message, timeout=timeout)
        if reply.header.message_type != MessageType.method_return:
            return None
        return int(reply.body[0])
    except Exception as error:  # no bus, no service, timeout: all mean "fall back"
        log.info("desktop notification unavailable: %s", error)
        return None


def _reads_markup(conn: Any, question: Any, timeout: float) -> bool:
    """Whether the server interprets body markup (its capabilities say `body-markup`); a
    server that does not answer is taken to read it, as nearly all do."""
    from jeepney import MessageType

    try:
        reply = conn.send_and_get_reply(question, timeout=timeout)
    except Exception as error:  # an old or odd server: escape to be safe
        log.info("notification server capabilities unknown: %s", error)
        return True
    if reply.header.message_type != MessageType.method_return:
        return True
    return "body-markup" in reply.body[0]


def check_webhook_url(url: str) -> str:
    """The URL to POST alerts to ("" for none), or ValueError saying why it cannot be one:
    only http and https, with a host, on one line."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_URL or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ValueError("A webhook URL is one line without spaces (at most "
                         f"{MAX_URL} characters).")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"A webhook URL must start with http:// or https:// (got "
                         f"{parts.scheme or 'no scheme'}:).")
    try:
        host, _ = parts.hostname, parts.port  # a port that is not a number raises
    except ValueError:
        raise ValueError(f"{url!r} has a port that is not a number.") from None
    if not host:
        raise ValueError(f"{url!r} names no host, e.g. https://example.com/hook.")
    return url


def webhook_body(events: Sequence[AlertEvent], demo: bool) -> dict:
    """The documented JSON body (README: Alerts → Webhook)."""
    def iso(ts: int) -> str:
        return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()

    return {"app": APP_NAME, "demo": demo, "events": [
        {"id": e.id, "symbol": e.symbol, "rule": e.rule_text, "message": e.message,
         "value": e.value, "observed_at": iso(e.observed_ts), "fired_at": iso(e.fired_at),
         "source": e.source, "while_closed": e.while_closed} for e in events]}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that answers with a redirect is logged, not followed: a redirect could lead
    to another scheme (file:, ftp:) or host than the one the trader set."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> None:
        where = headers.get("Location", "?")
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {where} not followed",
                                     headers, fp)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_webhook(url: str, body: dict, attempts: int = WEBHOOK_ATTEMPTS,
                 timeout: float = WEBHOOK_TIMEOUT_S) -> bool:
    """POST JSON with a short timeout and a few retries; failures are logged, never raised
    (the answer's body is never read, however big)."""
    try:
        url = check_webhook_url(url)
    except ValueError as error:
        log.warning("webhook not sent: %s", error)
        return False
    data = json.dumps(body).encode()
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": APP_NAME})
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
                log.warning("webhook %s answered %s", url, response.status)
        except urllib.error.HTTPError as error:
            log.warning("webhook %s answered %s %s (attempt %d/%d)", url, error.code,
                        error.reason, attempt, attempts)
            if 300 <= error.code < 400:
                return False  # the same redirect again next time: set the final URL instead
        except Exception as error:  # any network or protocol failure: logged, never raised
            log.warning("webhook %s failed (attempt %d/%d): %s", url, attempt, attempts, error)
        time.sleep(min(2 ** (attempt - 1), 4) * 0.25)
    return False


def send_test(url: str, demo: bool = False, timeout: float = WEBHOOK_TIMEOUT_S) -> str:
    """One POST of a test body (no events, `"test": true`) to `url`; what happened, in words.
    ValueError for a URL that is not one; the window runs this off its GUI thread."""
    url = check_webhook_url(url)
    if not url:
        raise ValueError("Type a webhook URL first.")
    body = {"app": APP_NAME, "demo": demo, "test": True, "events": []}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "User-Agent": APP_NAME})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return f"Sent: {url} answered {response.status}."
    except urllib.error.HTTPError as error:
        return f"Not accepted: {url} answered {error.code} {error.reason}."
    except Exception as error:  # the trader reads why; nothing else depends on it
        reason = getattr(error, "reason", error)
        return f"Could not reach {url}: {reason}."


class Dispatcher:
    """Sends each poll's committed events to the enabled channels."""

    def __init__(self, desktop: bool = True, webhook_url: str = "", console: TextIO | None = None,
                 sound: bool = False, demo: bool = False, expire_ms: int = UNTIL_DISMISSED,
                 urgency: str = "normal"):
        self.desktop = desktop
        self.expire_ms = expire_ms
        self.urgency = urgency
        self._shown: dict[int, str] = {}  # notification id -> its symbol, newest last
        self.webhook_url = ""
        self.set_webhook(webhook_url)
        self.console = console
        self.sound = sound
        self.demo = demo
        self.webhooks: list[threading.Thread] = []

    def set_webhook(self, url: str) -> None:
        """A stored URL that is no http(s) URL (a settings file edited by hand) is logged and
        left unused rather than failing every poll."""
        try:
            self.webhook_url = check_webhook_url(url)
        except ValueError as error:
            log.warning("webhook disabled: %s", error)
            self.webhook_url = ""

    def symbol_of(self, notification_id: int) -> str | None:
        """The symbol a shown notification is about (a click on it opens that symbol)."""
        return self._shown.get(notification_id)

    def dispatch(self, events: Sequence[AlertEvent]) -> bool:
        """Returns whether a desktop notification was shown (else the window uses its tray)."""
        note = coalesce(events, self.demo)
        if note is None:
            return False
        shown_id = send_desktop(note, expire_ms=self.expire_ms, urgency=self.urgency) \
            if self.desktop else None
        if shown_id is not None:
            self._shown[shown_id] = note.symbol
            for old in list(self._shown)[:-REMEMBERED]:
                del self._shown[old]
        shown = shown_id is not None
        if self.webhook_url:
            thread = threading.Thread(target=post_webhook,
                                      args=(self.webhook_url, webhook_body(events, self.demo)),
                                      daemon=True, name="webhook")
            thread.start()
            self.webhooks = [t for t in self.webhooks if t.is_alive()] + [thread]
        if self.console is not None:
            bell = "\a" if self.sound else ""
            print(f"{bell}ALERT {note.title}\n  " + note.body.replace("\n", "\n  "),
                  file=self.console, flush=True)
        return shown

