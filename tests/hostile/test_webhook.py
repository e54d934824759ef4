"""The webhook and desktop notifications against hostile servers and text: only http(s) URLs,
checked when set; a server that hangs, answers with a huge body or redirects elsewhere is
logged, never a dead thread; markup in symbols, notes and rule names reaches a notification
server escaped."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from services.alerts.notify import (
    Dispatcher,
    Notification,
    check_webhook_url,
    post_webhook,
    send_desktop,
)
from services.alerts.records import AlertEvent
from tests.waiting import wait_for

EVENT = AlertEvent(1, 1, "2513.HK", 1795400100, 1795400160, 901.5,
                   "2513.HK price crosses up <b>900</b> & more", "crossed <i>900</i> & up",
                   "yahoo", False, False)


@pytest.mark.parametrize(("url", "words"), [
    ("ftp://example.com/hook", "http:// or https://"),
    ("file:///etc/passwd", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("example.com/hook", "http:// or https://"),
    ("http://", "names no host"),
    ("https://exa mple.com/", "without spaces"),
    ("https://example.com:http/", "port that is not a number"),
    ("https://example.com/" + "x" * 3000, "at most 2000"),
    ("http://example.com/\nX-Injected: 1", "without spaces"),
])
def test_only_http_and_https_urls_are_accepted(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_webhook_url(url)


def test_good_urls_and_none_pass() -> None:
    assert check_webhook_url(" https://hooks.example.com/a?b=1 ") == \
        "https://hooks.example.com/a?b=1"
    assert check_webhook_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert check_webhook_url("") == ""


class Server:
    """A raw TCP server answering every connection with `answer` (bytes), then holding it
    open until stopped: a server that hangs, floods or redirects."""

    def __init__(self, answer: bytes, flood: bool = False):
        self.answer, self.flood = answer, flood
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"

    def _serve(self) -> None:
        open_ = []
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.requests += 1
            open_.append(conn)
            try:
                conn.sendall(self.answer)
                while self.flood and not self.stop.is_set():
                    conn.sendall(b"\0" * 65536)
            except OSError:
                pass
        for conn in open_:
            conn.close()
        self.sock.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


@pytest.fixture
def server_factory() -> Iterator[list[Server]]:
    servers: list[Server] = []
    yield servers
    for server in servers:
        server.close()


@pytest.mark.parametrize(("case", "answer", "flood"), [
    ("a server that never answers", b"", False),
    ("a huge body", b"HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n", True),
    ("a redirect to file:", b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\n"
                            b"Content-Length: 0\r\n\r\n", False),
    ("a redirect to another host", b"HTTP/1.1 307 Temporary Redirect\r\nLocation: "
                                   b"http://10.255.255.1/steal\r\nContent-Length: 0\r\n\r\n",
     False),
    ("an answer that is not HTTP", b"SSH-2.0-OpenSSH_9.6\r\n", False),
])
def test_a_hostile_webhook_server_is_logged_never_a_dead_thread(
        server_factory: list[Server], caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch, case: str, answer: bytes, flood: bool) -> None:
    server = Server(answer, flood)
    server_factory.append(server)
    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))
    monkeypatch.setattr("services.alerts.notify.WEBHOOK_TIMEOUT_S", 0.5)
    dispatcher = Dispatcher(desktop=False, webhook_url=server.url)
    caplog.set_level(logging.WARNING, "services.alerts.notify")
    started = time.monotonic()
    dispatcher.dispatch([EVENT])
    assert time.monotonic() - started < 0.5  # the poll never waits for the hook
    for thread in dispatcher.webhooks:
        thread.join(20)
        assert not thread.is_alive()
    assert died == [], died
    if flood:
        assert caplog.text == ""  # a 200 whose endless body is never read: delivered
    else:
        assert "webhook http://127.0.0.1" in caplog.text
    if b"302" in answer or b"307" in answer:
        assert "not followed" in caplog.text and server.requests == 1


def test_a_bad_stored_url_disables_the_webhook_and_polling_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "services.alerts.notify")
    dispatcher = Dispatcher(desktop=False, webhook_url="gopher://old.example.com/")
    assert dispatcher.webhook_url == "" and "webhook disabled" in caplog.text
    dispatcher.dispatch([EVENT])
    assert dispatcher.webhooks == []
    assert not post_webhook("file:///etc/passwd", {"x": 1})



@pytest.mark.parametrize("markup", [True, False])
def test_notification_text_is_escaped_for_a_server_that_reads_markup(bus: object,
                                                                      markup: bool) -> None:
    bus.capabilities = ["body", "body-markup"] if markup else ["body"]  # type: ignore[attr-defined]
    note = Notification("2513.HK <b>900</b>", "2513.HK crossed <i>900</i> & up", "2513.HK")
    assert send_desktop(note)
    wait_for(lambda: bus.calls)  # type: ignore[attr-defined]
    _, _, _, title, body, *_ = bus.calls[0]  # type: ignore[attr-defined]
    assert title == "2513.HK <b>900</b>"  # the summary is plain text by the specification
    assert body == ("2513.HK crossed &lt;i&gt;900&lt;/i&gt; &amp; up" if markup
                    else "2513.HK crossed <i>900</i> & up")
