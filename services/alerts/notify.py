"""Telling the trader: desktop notification (freedesktop D-Bus), webhook, terminal.

Fires from one poll become one notification. Everything here runs on the poll worker thread
after the events were committed; the webhook goes out on its own thread so a slow endpoint
never holds up polling.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from services.alerts.records import AlertEvent

log = logging.getLogger(__name__)
APP_NAME = "HarbourWatch"
WEBHOOK_TIMEOUT_S = 5.0
WEBHOOK_ATTEMPTS = 3


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
    body = "\n".join(e.message for e in events[:6])
    if len(events) > 6:
        body += f"\n… and {len(events) - 6} more in the alert log"
    return Notification(title, body, events[0].symbol)


def send_desktop(note: Notification, timeout: float = 3.0) -> bool:
    """org.freedesktop.Notifications.Notify on the session bus, with an action that opens the
    symbol. False when there is no bus or no notification service (the caller falls back)."""
    try:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        address = DBusAddress("/org/freedesktop/Notifications",
                              bus_name="org.freedesktop.Notifications",
                              interface="org.freedesktop.Notifications")
        message = new_method_call(address, "Notify", "susssasa{sv}i", (
            APP_NAME, 0, "", note.title, note.body,
            [f"open:{note.symbol}", f"Open {note.symbol}"], {}, 15_000))
        with open_dbus_connection(bus="SESSION") as conn:
            reply = conn.send_and_get_reply(message, timeout=timeout)
        return reply.header.message_type == MessageType.method_return
    except Exception as error:  # no bus, no service, timeout: all mean "fall back"
        log.info("desktop notification unavailable: %s", error)
        return False


def webhook_body(events: Sequence[AlertEvent], demo: bool) -> dict:
    """The documented JSON body (README: Alerts → Webhook)."""
    def iso(ts: int) -> str:
        return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()

    return {"app": APP_NAME, "demo": demo, "events": [
        {"id": e.id, "symbol": e.symbol, "rule": e.rule_text, "message": e.message,
         "value": e.value, "observed_at": iso(e.observed_ts), "fired_at": iso(e.fired_at),
         "source": e.source, "while_closed": e.while_closed} for e in events]}


def post_webhook(url: str, body: dict, attempts: int = WEBHOOK_ATTEMPTS,
                 timeout: float = WEBHOOK_TIMEOUT_S) -> bool:
    """POST JSON with a short timeout and a few retries; failures are logged, never raised."""
    data = json.dumps(body).encode()
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": APP_NAME})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
                log.warning("webhook %s answered %s", url, response.status)
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.warning("webhook %s failed (attempt %d/%d): %s", url, attempt, attempts, error)
        time.sleep(min(2 ** (attempt - 1), 4) * 0.25)
    return False


class Dispatcher:
    """Sends each poll's committed events to the enabled channels."""

    def __init__(self, desktop: bool = True, webhook_url: str = "", console: TextIO | None = None,
                 sound: bool = False, demo: bool = False):
        self.desktop = desktop
        self.webhook_url = webhook_url
        self.console = console
        self.sound = sound
        self.demo = demo
        self.webhooks: list[threading.Thread] = []

    def dispatch(self, events: Sequence[AlertEvent]) -> bool:
        """Returns whether a desktop notification was shown (else the window uses its tray)."""
        note = coalesce(events, self.demo)
        if note is None:
            return False
        shown = self.desktop and send_desktop(note)
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

