"""How fresh the prices are, said where the trader looks: the status bar (the age of the prices,
the last poll) and a banner over the table when the feed is down or the prices are simulated.

The banner is the loud one on purpose: stale prices that look live are the worst failure."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSizePolicy, QVBoxLayout, QWidget

from services.market.feed_status import describe_outcome, feed_summary
from services.watchlists.snapshots import WatchlistRow
from services.watchlists.status import feed_banner, price_status

if TYPE_CHECKING:  # the poller loads with the feed, after the first paint
    from services.market.poller import PollOutcome

BANNER_STYLE = {  # (light, dark): strong contrast on either palette
    "offline": ("background:#fff1c2; color:#5c3c00; border:1px solid #d4a72c;",
                "background:#3b2e00; color:#f2cc60; border:1px solid #9e6a03;"),
    "demo": ("background:#ddf4ff; color:#0a3069; border:1px solid #54aeff;",
             "background:#0c2d6b; color:#cae8ff; border:1px solid #388bfd;"),
}
DEMO_TEXT = ("DEMO — simulated prices on a fast clock, in a separate database. Nothing here is "
             "a real quote.")
FAILURE_SHOWN_MS = 30_000


class FeedStatus(QObject):
    """The status bar's labels, and the banner over the window's content."""

    def __init__(self, window: QMainWindow, demo: bool):
        super().__init__(window)
        self._window = window
        self._demo = demo
        self._kind = "demo"
        self.banner = QLabel(window)
        self.banner.setObjectName("feed_banner")
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(8, 6, 8, 6)
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.banner.hide()
        self.status_label = QLabel(window)
        self.status_label.setObjectName("price_status")
        window.statusBar().addWidget(self.status_label, 1)
        self.feed_label = QLabel("Feed: starting…", window)
        self.feed_label.setObjectName("feed_status")
        self.feed_label.installEventFilter(self)
        window.statusBar().addPermanentWidget(self.feed_label)
        self._poll: PollOutcome | None = None  # described on hover, not on every poll
        if demo:  # for good: a DEMO window never looks live
            self.show_banner("demo", DEMO_TEXT)

    def with_banner(self, content: QWidget) -> QWidget:
        """`content` with the banner above it, for the window's central widget."""
        central = QWidget(self._window)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(content, 1)  # the banner keeps its text's height, the rest is content
        return central

    def show_banner(self, kind: str, text: str) -> None:
        self._kind = kind
        self.banner.setText(text)
        self.restyle()
        self.banner.show()

    def restyle(self) -> None:
        """The banner's colours for the application's palette (light or dark)."""
        dark = QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
        style = BANNER_STYLE[self._kind][dark]
        self.banner.setStyleSheet(f"QLabel#feed_banner {{ {style} }}")

    def show_prices(self, rows: list[WatchlistRow], now: dt.datetime,
                    last_poll: PollOutcome | None) -> None:
        """The age of the prices shown; the offline banner while the feed cannot deliver."""
        self.status_label.setText(price_status(rows, now))
        if self._demo:
            return
        text = feed_banner(last_poll, rows)
        if text:
            self.show_banner("offline", text)
        else:
            self.banner.hide()

    def show_poll(self, poll: PollOutcome) -> None:
        """The last poll in a line, and per symbol on hover."""
        self.feed_label.setText(feed_summary(poll))
        self._poll = poll

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The per-symbol lines are written when the trader hovers (a line a symbol: 200
        symbols cost more than the rest of a poll's refresh), then shown as usual."""
        if watched is self.feed_label and event.type() == QEvent.Type.ToolTip \
                and self._poll is not None:
            self.feed_label.setToolTip("\n".join(describe_outcome(self._poll)))
            self._poll = None
        return False

    def show_failure(self, message: str) -> None:
        self.feed_label.setText("Feed: poll failed")
        self._window.statusBar().showMessage(f"Poll failed: {message}", FAILURE_SHOWN_MS)
