"""A private D-Bus session bus for tests, and a stand-in notification service on it."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any

from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection


def start_bus() -> tuple[subprocess.Popen, str]:
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, text=True)
    assert daemon.stdout is not None
    return daemon, daemon.stdout.readline().strip()


@dataclass
class NotificationListener:
    """Owns org.freedesktop.Notifications and records every Notify call it answers."""

    address: str
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=lambda: ["actions", "body", "body-markup"])
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> NotificationListener:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "the listener did not get the name"
        return self

    def _serve(self, ready: threading.Event) -> None:
        with open_dbus_connection(bus=self.address) as conn:
            reply = conn.send_and_get_reply(
                message_bus.RequestName("org.freedesktop.Notifications"))
            assert reply.body[0] == 1  # primary owner
            ready.set()
            while not self._stop.is_set():
                try:
                    message = conn.receive(timeout=0.2)
                except TimeoutError:
                    continue
                header = message.header
                member = header.fields.get(HeaderFields.member)
                if header.message_type != MessageType.method_call:
                    continue
                if member == "Notify":
                    self.calls.append(message.body)
                    conn.send(new_method_return(message, "u", (len(self.calls),)))
                elif member == "GetCapabilities":
                    conn.send(new_method_return(message, "as", (self.capabilities,)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
