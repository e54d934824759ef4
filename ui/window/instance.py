"""One window per database. The window that holds the database's poller lock listens on a local
socket named for the database; a later launch on the same database hands its request ("show
yourself, select SYMBOL") to it and exits instead of opening a second poller.

A local socket is a Unix domain socket or a Windows named pipe; only the same user can connect.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
# A window that has just taken the lock may still be building itself: it answers once its
# event loop runs, so the asking launch waits this long for it.
ANSWER_TIMEOUT_MS = 20_000
CONNECT_RETRY_MS = 100
MAX_REQUEST_BYTES = 4096


def server_name(db_path: Path) -> str:
    """Named for the user and the database's real path: one window per database and user."""
    key = f"{getpass.getuser()}\0{db_path.resolve()}".encode()
    return "harbourwatch-" + hashlib.sha256(key).hexdigest()[:24]


class InstanceServer(QObject):
    """The running window's end; `show_requested(symbol)` for each later launch ("" when the
    launch named no symbol)."""

    show_requested = Signal(str)

    def __init__(self, db_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self._name = server_name(db_path)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Call while holding the poller lock: a socket file left by a killed window is then
        known to be stale and is removed first."""
        QLocalServer.removeServer(self._name)
        if not self._server.listen(self._name):
            log.warning("cannot listen for other launches on %s: %s", self._name,
                        self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    @Slot()
    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.disconnected.connect(socket.deleteLater)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_REQUEST_BYTES:
                socket.abort()
            return
        line = bytes(socket.readLine().data()).decode("utf-8", "replace")
        try:
            request = json.loads(line)
            symbol = str(request.get("symbol") or "") if request.get("action") == "show" else None
        except (ValueError, AttributeError):
            symbol = None
        if symbol is None:
            log.warning("ignored a malformed request from another launch: %r", line[:200])
            socket.abort()
            return
        socket.write(b"ok\n")
        socket.flush()
        log.info("another launch asked for the window%s", f" and {symbol}" if symbol else "")
        self.show_requested.emit(symbol)


def ask_running_window(db_path: Path, symbol: str = "",
                       timeout_ms: int = ANSWER_TIMEOUT_MS) -> bool:
    """Ask the window running on `db_path` to come to the front (and select `symbol`); whether
    it confirmed."""
    name = server_name(db_path)
    deadline = time.monotonic() + timeout_ms / 1000
    socket = QLocalSocket()
    while True:  # the window may hold the lock but not listen yet
        socket.connectToServer(name)
        if socket.waitForConnected(CONNECT_RETRY_MS * 10):
            break
        if time.monotonic() > deadline:
            return False
        QThread.msleep(CONNECT_RETRY_MS)
    request = json.dumps({"action": "show", "symbol": symbol}) + "\n"
    socket.write(request.encode())
    socket.waitForBytesWritten(CONNECT_RETRY_MS * 10)
    while not socket.canReadLine():
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0 or not socket.waitForReadyRead(left_ms):
            return False
    answered = bytes(socket.readLine().data()).strip() == b"ok"
    socket.disconnectFromServer()
    return answered
