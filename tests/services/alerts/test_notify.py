"""Desktop notifications over a private D-Bus: a "default" action for servers that only offer
a click on the bubble (dunst), and the duration and urgency the trader chose."""

from __future__ import annotations

import pytest

from services.alerts.notify import DEFAULT_ACTION, UNTIL_DISMISSED, Dispatcher
from services.alerts.records import AlertEvent
from tests.dbus_session import NotificationListener
from tests.waiting import wait_for


def event(symbol: str = "0100.HK") -> AlertEvent:
    return AlertEvent(1, 1, symbol, 1_790_000_000, 1_790_000_010, 901.5,
                      f"{symbol} price crosses up HK$900", f"{symbol} reached HK$901.50 at …",
                      "yahoo", False, False)


def test_default_action_and_until_dismissed_by_default(bus: NotificationListener) -> None:
    dispatcher = Dispatcher(desktop=True)
    assert dispatcher.dispatch([event()])
    wait_for(lambda: len(bus.calls) == 1, 10)
    _, _, _, _, _, actions, hints, expire = bus.calls[0]
    keys = actions[0::2]
    assert keys == [DEFAULT_ACTION, "open:0100.HK"] and actions[3] == "Open 0100.HK"
    assert expire == UNTIL_DISMISSED == 0
    assert hints["urgency"] == ("y", 1)
    assert dispatcher.symbol_of(1) == "0100.HK"  # the listener numbers notifications from 1
    assert dispatcher.symbol_of(99) is None  # another application's notification


@pytest.mark.parametrize(("urgency", "byte"), [("low", 0), ("critical", 2)])
def test_duration_and_urgency_follow_the_setting(bus: NotificationListener, urgency: str,
                                                 byte: int) -> None:
    dispatcher = Dispatcher(desktop=True, expire_ms=10_000, urgency=urgency)
    dispatcher.dispatch([event("2513.HK")])
    wait_for(lambda: len(bus.calls) == 1, 10)
    *_, hints, expire = bus.calls[0]
    assert expire == 10_000 and hints["urgency"] == ("y", byte)
