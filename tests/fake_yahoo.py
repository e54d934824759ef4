"""A fake Yahoo Finance on 127.0.0.1 for driving the real yfinance code offline.

It answers the endpoints yfinance uses (fc.yahoo.com cookie, getcrumb, v8/finance/chart,
v10/finance/quoteSummary, ws/fundamentals-timeseries) in Yahoo's JSON shape, as an HTTP proxy:
`FakeYahooSession` (the app's stand-in session, also chosen by $HARBOURWATCH_FAKE_YAHOO)
rewrites https to http, sends every request through the fake, and refuses any host that is
not Yahoo's. Prices come from a scripted market that only shows bars up to the fake's `now`,
and faults can be injected per symbol: 429, 500, slow, malformed JSON, connection reset, an
HTML outage page, unknown symbol. A symbol's fundamentals (tests/fake_fundamentals.py) may lack
modules or be empty, and faults can be aimed at the fundamentals endpoints instead of the chart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from services.core.clock import HONG_KONG, epoch
from services.market.bars import Bar, daily_from_minutes
from services.market.yahoo_source import StandInSession
from tests.fake_fundamentals import FakeFundamentals, quote_summary, timeseries

HK_OFFSET = 28_800


@dataclass
class FakeSymbol:
    symbol: str
    currency: str = "HKD"
    minute_bars: list[Bar] = field(default_factory=list)
    daily_bars: list[Bar] = field(default_factory=list)
    timezone: str = "Asia/Hong_Kong"  # an FX pair trades in London time ("CCY", "CURRENCY")
    exchange: str = "HKG"
    instrument_type: str = "EQUITY"
    fundamentals: FakeFundamentals | None = None  # None: Yahoo has none for it


def fx_pair(symbol: str, days: list[dt.date], rate: float, step: float) -> FakeSymbol:
    """An FX pair as Yahoo serves it (USDHKD=X: HKD a dollar): daily bars stamped at midnight
    London time, quoted in the second currency."""
    london = ZoneInfo("Europe/London")
    bars = []
    for i, day in enumerate(days):
        close = round(rate + step * i, 4)
        bars.append((epoch(dt.datetime.combine(day, dt.time(0), london)), close, close, close,
                     close, 0))
    return FakeSymbol(symbol, symbol[3:6], daily_bars=bars, timezone="Europe/London",
                      exchange="CCY", instrument_type="CURRENCY")


@dataclass
class Fault:
    kind: str  # 429 | 500 | slow | malformed | reset | html | 404 | empty (fundamentals)
    symbol: str | None = None  # None: every chart request
    times: int | None = None  # None: until cleared
    delay: float = 3.0  # for slow
    endpoint: str = "chart"  # chart | quoteSummary | timeseries | fundamentals (both of those)


@dataclass(frozen=True)
class Request:
    host: str
    path: str
    query: dict[str, str]


def hk_session_minutes(day: dt.date, half_day: bool = False) -> list[int]:
    """Epochs of each 1-minute bar of an HKEX session: 09:30-12:00 and 13:00-16:00 HKT."""
    def minutes(start: dt.time, end: dt.time) -> list[int]:
        t0 = dt.datetime.combine(day, start, HONG_KONG)
        count = int((dt.datetime.combine(day, end, HONG_KONG) - t0).total_seconds() // 60)
        return [epoch(t0) + 60 * i for i in range(count)]

    morning = minutes(dt.time(9, 30), dt.time(12, 0))
    return morning if half_day else morning + minutes(dt.time(13, 0), dt.time(16, 0))


def random_walk_minutes(days: list[tuple[dt.date, bool]], start: float, seed: int) -> list[Bar]:
    """Minute bars for the given (day, half_day) sessions: a seeded random walk from `start`."""
    import random

    rng = random.Random(seed)
    price, bars = start, []
    for day, half_day in days:
        for ts in hk_session_minutes(day, half_day):
            open_ = price
            price = max(1.0, round(price * (1 + rng.gauss(0, 0.002)), 2))
            high = round(max(open_, price) * (1 + abs(rng.gauss(0, 0.001))), 2)
            low = round(min(open_, price) * (1 - abs(rng.gauss(0, 0.001))), 2)
            bars.append((ts, open_, high, low, price, rng.randint(1, 50) * 100))
    return bars


class FakeYahoo:
    def __init__(self, now: Callable[[], float]):
        self.now = now
        self.symbols: dict[str, FakeSymbol] = {}
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        # Edits a chart answer before it is sent (symbol, query, the chart result), so a test
        # can serve bars Yahoo should never send: repeated, in the future, negative.
        self.tamper: Callable[[str, dict[str, str], dict[str, Any]], None] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # ends a "slow" answer early when the fake stops
        self._connections: set[socket.socket] = set()  # kept alive by clients between requests
        self.in_flight = 0  # chart requests being answered now
        self.most_in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def proxy_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeYahoo:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and end every connection, so no handler thread outlives the fake."""
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()

    def fail(self, kind: str, symbol: str | None = None, times: int | None = None,
             delay: float = 3.0, endpoint: str = "chart") -> None:
        with self._lock:
            self.faults.append(Fault(kind, symbol, times, delay, endpoint))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def chart_requests(self, symbol: str | None = None) -> list[Request]:
        return [r for r in self.requests if "/v8/finance/chart/" in r.path
                and (symbol is None or r.path.endswith("/" + symbol))]

    def fundamentals_requests(self, symbol: str | None = None) -> list[Request]:
        return [r for r in self.requests if _endpoint(r.path) in ("quoteSummary", "timeseries")
                and (symbol is None or r.path.endswith("/" + symbol))]

    def _take_fault(self, symbol: str, endpoint: str = "chart") -> Fault | None:
        with self._lock:
            for fault in self.faults:
                wanted = ("quoteSummary", "timeseries") if fault.endpoint == "fundamentals" \
                    else (fault.endpoint,)
                if fault.symbol in (None, symbol) and endpoint in wanted:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    # -- responses -------------------------------------------------------------------------
    def chart(self, symbol: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        spec = self.symbols.get(symbol)
        if spec is None:
            return 404, {"chart": {"result": None, "error": {
                "code": "Not Found", "description": "No data found, symbol may be delisted"}}}
        now = int(self.now())
        interval = query.get("interval", "1d")
        daily = interval == "1d"
        minute_bars = [b for b in spec.minute_bars if b[0] <= now]  # traded so far
        if daily:  # days with minute data are built from the minutes traded so far
            built = {b[0]: b for b in daily_from_minutes(minute_bars)}
            visible = sorted({**{b[0]: b for b in spec.daily_bars if b[0] <= now},
                              **built}.values())
        else:
            visible = minute_bars
        if "period1" in query:
            lo, hi = int(query["period1"]), int(query["period2"])
            bars = [b for b in visible if lo <= b[0] < hi]
        else:
            days = {"1d": 1, "5d": 5, "1mo": 22, "5y": 1_300, "max": 100_000}.get(
                query.get("range", "1mo"), 22)
            dates = sorted({self._date(b[0]) for b in visible})[-days:]
            bars = [b for b in visible if self._date(b[0]) in set(dates)]
        last = minute_bars[-1] if minute_bars else (visible[-1] if visible else None)
        last_day = self._date(last[0]) if last else None
        # Yahoo's chartPreviousClose is the close before the requested range (for a 5-day
        # range, the close five sessions back), not the previous session's close
        first_day = self._date(bars[0][0]) if bars else last_day
        days = sorted({**{b[0]: b for b in spec.daily_bars},
                       **{b[0]: b for b in daily_from_minutes(minute_bars)}}.values())
        previous = [b for b in days if first_day and self._date(b[0]) < first_day]
        meta = self._meta(spec, interval, query, last, previous[-1][4] if previous else None,
                          bars, now)
        result: dict[str, Any] = {"meta": meta, "timestamp": [b[0] for b in bars],
                                  "indicators": {"quote": [{
                                      "open": [b[1] for b in bars], "high": [b[2] for b in bars],
                                      "low": [b[3] for b in bars], "close": [b[4] for b in bars],
                                      "volume": [b[5] for b in bars]}]}}
        if daily:
            result["indicators"]["adjclose"] = [{"adjclose": [b[4] for b in bars]}]
        if not bars:
            del result["timestamp"]
            result["indicators"] = {"quote": [{}]}
        if self.tamper is not None:
            self.tamper(symbol, query, result)
        return 200, {"chart": {"result": [result], "error": None}}

    @staticmethod
    def _date(ts: int) -> dt.date:
        return dt.datetime.fromtimestamp(ts, HONG_KONG).date()

    def _meta(self, spec: FakeSymbol, interval: str, query: dict[str, str], last: Bar | None,
              previous_close: float | None, bars: list[Bar], now: int) -> dict[str, Any]:
        day = self._date(now)
        def period(start: dt.time, end: dt.time, on: dt.date) -> dict[str, Any]:
            return {"timezone": "HKT", "gmtoffset": HK_OFFSET,
                    "start": epoch(dt.datetime.combine(on, start, HONG_KONG)),
                    "end": epoch(dt.datetime.combine(on, end, HONG_KONG))}
        meta: dict[str, Any] = {
            "currency": spec.currency, "symbol": spec.symbol, "exchangeName": spec.exchange,
            "fullExchangeName": "HKSE", "instrumentType": spec.instrument_type,
            "firstTradeDate": spec.daily_bars[0][0] if spec.daily_bars else now,
            "regularMarketTime": min(now, last[0] + 59) if last else now,
            "hasPrePostMarketData": False,
            "gmtoffset": HK_OFFSET if spec.timezone == "Asia/Hong_Kong" else 0,
            "timezone": "HKT" if spec.timezone == "Asia/Hong_Kong" else "GMT",
            "exchangeTimezoneName": spec.timezone,
            "regularMarketPrice": last[4] if last else None,
            "chartPreviousClose": previous_close, "previousClose": previous_close,
            "scale": 3, "priceHint": 3,
            "currentTradingPeriod": {
                "pre": period(dt.time(9, 0), dt.time(9, 30), day),
                "regular": period(dt.time(9, 30), dt.time(16, 0), day),
                "post": period(dt.time(16, 0), dt.time(16, 10), day)},
            "dataGranularity": interval, "range": query.get("range", ""),
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "ytd", "max"],
        }
        if interval != "1d":
            days = sorted({self._date(b[0]) for b in bars}) or [day]
            meta["tradingPeriods"] = [[period(dt.time(9, 30), dt.time(16, 10), d)] for d in days]
        return meta

    # -- HTTP ------------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                host = parts.hostname or self.headers.get("Host", "").split(":")[0]
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(Request(host, parts.path, query))
                if host == "fc.yahoo.com":
                    self._send(404, "text/html", b"<html>not found</html>",
                               {"Set-Cookie": "A3=d=AQABBFAKE; Max-Age=31557600; "
                                              "Domain=.yahoo.com; Path=/"})
                elif parts.path.endswith("/v1/test/getcrumb"):
                    self._send(200, "text/plain", b"FakeCrumb123")
                elif "/v8/finance/chart/" in parts.path:
                    self._chart(parts.path.rsplit("/", 1)[1], query)
                elif _endpoint(parts.path):
                    self._fundamentals(_endpoint(parts.path), parts.path.rsplit("/", 1)[1],
                                       query)
                else:
                    self._send(404, "text/html", b"<html>no such page</html>")

            do_POST = do_GET  # noqa: N815 - BaseHTTPRequestHandler's naming

            def _chart(self, symbol: str, query: dict[str, str]) -> None:
                with fake._lock:
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                try:
                    self._answer_chart(symbol, query)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _fundamentals(self, endpoint: str, symbol: str, query: dict[str, str]) -> None:
                fault = fake._take_fault(symbol, endpoint)
                if fault is not None and fault.kind == "empty":  # 200, an empty result list
                    self._send(200, "application/json",
                               json.dumps({endpoint: {"result": [], "error": None}}).encode())
                    return
                if self._faulted(fault, "finance"):
                    return
                spec = fake.symbols.get(symbol)
                facts = spec.fundamentals if spec else None
                if endpoint == "quoteSummary":
                    status, body = quote_summary(symbol, facts, query.get("modules", ""))
                else:
                    status, body = timeseries(symbol, facts, query.get("type", ""),
                                              int(fake.now()))
                self._send(status, "application/json", json.dumps(body).encode())

            def _answer_chart(self, symbol: str, query: dict[str, str]) -> None:
                if not self._faulted(fake._take_fault(symbol), "chart"):
                    status, body = fake.chart(symbol, query)
                    self._send(status, "application/json", json.dumps(body).encode())

            def _faulted(self, fault: Fault | None, document: str) -> bool:
                """Answer with the fault (True), or only delay a slow answer (False)."""
                kind = fault.kind if fault else None
                if kind == "slow" and fault:
                    fake._stopping.wait(fault.delay)
                    return False
                if kind == "429":
                    self._send(429, "text/html", b"Too Many Requests")
                elif kind == "500":
                    self._send(500, "application/json", json.dumps({"finance": {"result": None,
                               "error": {"code": "Internal", "description": "boom"}}}).encode())
                elif kind == "malformed":
                    self._send(200, "application/json",
                               b'{"' + document.encode() + b'": {"result": [{"meta": {')
                elif kind == "html":
                    self._send(503, "text/html",
                               b"<html><body>Will be right back...</body></html>")
                elif kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                elif kind == "404":
                    body = {document: {"result": None, "error": {
                        "code": "Not Found", "description": "No data found"}}}
                    self._send(404, "application/json", json.dumps(body).encode())
                return kind is not None

            def _send(self, status: int, kind: str, body: bytes,
                      headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler


def _endpoint(path: str) -> str:
    """Which fundamentals endpoint a path is ('' for any other)."""
    if "/v10/finance/quoteSummary/" in path:
        return "quoteSummary"
    if "/ws/fundamentals-timeseries/" in path:
        return "timeseries"
    return ""


class FakeYahooSession(StandInSession):
    """The app's real session class, pointed at the fake; any non-Yahoo host is refused."""


def recent_fake_yahoo(sessions: int = 5) -> FakeYahoo:
    """A started fake on the real clock with 2513.HK and 0100.HK over the last `sessions` weekdays
    up to today: for a whole program (main.py, an installed package, the bundle) polling through
    $HARBOURWATCH_FAKE_YAHOO, which uses the system clock."""
    today = dt.datetime.now(HONG_KONG).date()
    days: list[tuple[dt.date, bool]] = []
    day = today
    while len(days) < sessions:
        if day.weekday() < 5:
            days.insert(0, (day, False))
        day -= dt.timedelta(days=1)
    fake = FakeYahoo(lambda: dt.datetime.now(dt.UTC).timestamp())
    for symbol, start, seed in (("2513.HK", 820.0, 1), ("0100.HK", 200.0, 2)):
        fake.symbols[symbol] = FakeSymbol(symbol, "HKD", random_walk_minutes(days, start, seed))
    return fake.start()
