"""Yahoo Finance through yfinance: the only module that imports yfinance.

One chart request per fetch, on an app-owned curl_cffi session, with auto_adjust=False. yfinance
hides most failures as an empty frame; here exceptions are switched on and every failure is
classified from what Yahoo actually answered (the session records each response's status).
yfinance also keeps process-global state (cached responses, crumb, cookie, a fallback counter)
that can outlive an outage; `reset_yfinance_state` clears it after every failure so a long-running
poller recovers when Yahoo does.

Everything here runs on the poll job's worker thread, never on the GUI thread.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yfinance as yf
from curl_cffi import requests as curl_requests
from yfinance import base as yf_base
from yfinance import cache as yf_cache
from yfinance.const import _BASE_URL_
from yfinance.data import YfData
from yfinance.exceptions import YFRateLimitError

from services.core.clock import daily_bar_ts
from services.market import yahoo_fundamentals
from services.market.feed_types import ErrorKind, FeedError, Fetched, QuoteMeta
from services.market.yahoo_fundamentals import YahooFundamentals

DEFAULT_TIMEOUT_S = 10.0
FUNDAMENTALS_PATHS = ("/v10/finance/quoteSummary/", "/ws/fundamentals-timeseries/")
# Share counts as yfinance's get_shares_full asks for them: the last 18 months.
SHARES_HISTORY_DAYS = 548
# A stand-in for Yahoo (the tests' fake, at http://127.0.0.1:PORT): every Yahoo request goes to it
# as plain HTTP. It lets a built program (installed package, bundle) be smoke-tested offline.
STAND_IN_ENV = "HARBOURWATCH_FAKE_YAHOO"
# yfinance 1.7 calls pandas APIs that pandas 3.1 deprecates; the warning is theirs, not ours.
warnings.filterwarnings("ignore", message=".*inplace keyword.*", module=r"yfinance\.")
# Every failure is classified and reported here; yfinance's own log lines would say it twice.
logging.getLogger("yfinance").setLevel(logging.CRITICAL)
log = logging.getLogger(__name__)
_fallback_cache: Path | None = None  # one per process when the cache folder is unwritable


class YahooSession(curl_requests.Session):
    """The app's session: impersonates Chrome and remembers the status of each thread's last
    chart response (a poll's requests run on several threads; curl_cffi gives each its own
    handle)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("impersonate", "chrome")
        super().__init__(**kwargs)
        self._last = threading.local()

    @property
    def chart_status(self) -> int | None:
        """Of this thread's last data request (chart or fundamentals); None: no answer."""
        return getattr(self._last, "status", None)

    @property
    def chart_host(self) -> str:
        return getattr(self._last, "host", "")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        is_chart = "/v8/finance/chart/" in url
        is_data = is_chart or any(path in url for path in FUNDAMENTALS_PATHS)
        if is_data:
            self._last.status, self._last.host = None, urlsplit(url).hostname or ""
        response = super().request(method, url, *args, **kwargs)
        if is_data:
            self._last.status = response.status_code
        if is_chart:
            fixed = deduplicate_chart(response.content) if response.status_code == 200 else None
            if fixed is not None:
                log.info("%s: repeated timestamps in Yahoo's answer; kept the last of each",
                         urlsplit(url).path.rsplit("/", 1)[-1])
                response.content = fixed
        return response


def deduplicate_chart(content: bytes) -> bytes | None:
    """A chart answer with each timestamp once, the last row of a repeat winning (the newer
    observation); None when nothing repeats or the body is no chart. Yahoo sometimes repeats a
    timestamp, and yfinance then fails on every poll of that symbol ("truth value of a Series
    is ambiguous") for as long as Yahoo keeps sending it."""
    try:
        document = json.loads(content)
        result = document["chart"]["result"][0]
        stamps = result["timestamp"]
        last = {ts: i for i, ts in enumerate(stamps)}
        if len(last) == len(stamps):
            return None
        keep = sorted(last.values())
        for group in result.get("indicators", {}).values():  # quote, adjclose
            for series in group:
                for key, values in series.items():
                    if isinstance(values, list) and len(values) == len(stamps):
                        series[key] = [values[i] for i in keep]
        result["timestamp"] = [stamps[i] for i in keep]
        return json.dumps(document).encode()
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def usable_cache_dir(wanted: Path) -> Path:
    """`wanted`, or a temporary folder when it cannot be written: yfinance's cache only saves
    requests, so an unwritable cache folder must not stop prices."""
    try:
        wanted.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=wanted).close()
        return wanted
    except OSError as error:
        log.warning("cache folder %s cannot be written (%s); using a temporary one", wanted,
                    error)
        global _fallback_cache
        if _fallback_cache is None:
            _fallback_cache = Path(tempfile.mkdtemp(prefix="harbourwatch-cache-"))
        return _fallback_cache


class StandInSession(YahooSession):
    """The app's session sent to a stand-in for Yahoo; any host that is not Yahoo's is refused,
    so nothing leaves the machine by accident."""

    def __init__(self, proxy_url: str, **kwargs: Any):
        super().__init__(**kwargs)
        self._proxy_url = proxy_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        host = urlsplit(url).hostname or ""
        if not (host == "yahoo.com" or host.endswith(".yahoo.com")):
            raise RuntimeError(f"refused a request to {host!r}: only Yahoo's hosts go to the "
                               "stand-in")
        kwargs["proxy"] = self._proxy_url
        return super().request(method, "http://" + url.split("://", 1)[1], *args, **kwargs)


def default_session() -> YahooSession:
    """Yahoo itself, unless $HARBOURWATCH_FAKE_YAHOO names a stand-in."""
    stand_in = os.environ.get(STAND_IN_ENV, "")
    if not stand_in:
        return YahooSession()
    logging.getLogger(__name__).warning("Yahoo requests go to the stand-in %s (%s), not Yahoo",
                                        stand_in, STAND_IN_ENV)
    return StandInSession(stand_in)


def yfinance_version() -> str:
    return str(yf.__version__)


def use_cache_dir(folder: Path) -> None:
    """Point yfinance's SQLite caches (time zones, cookies) at `folder`, and open them here.

    yfinance opens them lazily and not thread-safely, and moving them leaves its cache objects
    bound to the old files: a poll's first requests, on several threads at once, then fail
    with "no such table" or "database is locked". So the location is set only when it changes,
    the cache objects are made anew, and they are opened on this thread before any request.
    """
    if yf_cache._TzDBManager.get_location() == str(folder) and \
            yf_cache._TzCacheManager._tz_cache is not None:
        return
    yf.set_tz_cache_location(str(folder))
    yf_cache._TzCacheManager._tz_cache = None
    yf_cache._CookieCacheManager._Cookie_cache = None
    yf_cache._ISINCacheManager._isin_cache = None
    yf_cache.get_tz_cache().lookup("")
    yf_cache.get_cookie_cache().lookup("")


def forget_responses() -> None:
    """Drop yfinance's in-memory cache of whole responses (up to 64). For the app's requests it
    holds only each new symbol's time-zone probe, never asked again in this process (the time
    zone is then in yfinance's cache file), so after a fetch it is memory kept for nothing."""
    YfData().cache_get.cache_clear()


def reset_yfinance_state() -> None:
    """Forget what yfinance cached process-wide: response cache (error responses included),
    crumb and cookie, and its two-per-process `.info` fallback counter."""
    data = YfData()
    data.cache_get.cache_clear()
    with data._cookie_lock:
        data._crumb = None
        data._cookie = None
    yf_base._tz_info_fetch_ctr = 0


class YahooQuoteSource:
    """Fetches bars and the latest price for one symbol per call."""

    name = "yahoo"

    def __init__(self, cache_dir: Path, session: YahooSession | None = None,
                 timeout: float = DEFAULT_TIMEOUT_S):
        use_cache_dir(usable_cache_dir(cache_dir))  # before the first request
        yf.config.debug.hide_exceptions = False
        reset_yfinance_state()
        self._session = session or default_session()
        self._timeout = timeout

    def fetch(self, symbol: str, interval: str, period: str, currency: str | None) -> Fetched:
        """One chart request. `currency`: what the instrument trades in (None if not yet known).

        Raises FeedError with the kind of failure; never returns an empty result silently.
        """
        try:
            ticker = yf.Ticker(symbol, session=self._session)
            frame = ticker.history(period=period, interval=interval, auto_adjust=False,
                                   prepost=False, actions=False, timeout=self._timeout)
            meta = ticker.get_history_metadata()
        except Exception as error:  # classified below; nothing is swallowed
            reset_yfinance_state()
            raise self._classify(symbol, error) from error
        forget_responses()
        result = _to_fetched(symbol, interval, frame, meta)
        if currency and result.meta.currency != currency:
            raise FeedError(ErrorKind.CURRENCY, symbol,
                            f"Yahoo quotes {result.meta.currency}, instrument is in {currency}")
        return result

    def fetch_fundamentals(self, symbol: str, timezone: str) -> YahooFundamentals:
        """Three requests through yfinance's client (its cookie, crumb and retries): quoteSummary
        with every module a valuation needs, the share-count history, and annual and quarterly
        revenue. Yahoo lacking a module or a series is an answer, not a failure; FeedError
        for anything else, classified as for prices."""
        try:
            data = yf.Ticker(symbol, session=self._session)._data
            summary = self._get_json(data, f"{_BASE_URL_}/v10/finance/quoteSummary/{symbol}", {
                "modules": ",".join(yahoo_fundamentals.MODULES), "corsDomain":
                "finance.yahoo.com", "formatted": "false", "symbol": symbol}, missing_ok=True)
            now = int(time.time())
            series = f"{_BASE_URL_}/ws/fundamentals-timeseries/v1/finance/timeseries/{symbol}"
            shares = self._get_json(data, series, {
                "symbol": symbol, "period1": now - SHARES_HISTORY_DAYS * 86_400,
                "period2": now + 86_400})
            revenue = self._get_json(data, series, {
                "symbol": symbol, "type": ",".join(yahoo_fundamentals.REVENUE_TYPES),
                "period1": 1_483_142_400, "period2": now + 86_400})  # from 2016-12-31
            return yahoo_fundamentals.read(symbol, summary, shares or {}, revenue or {},
                                           timezone)
        except FeedError:
            reset_yfinance_state()
            raise
        except Exception as error:  # classified below; nothing is swallowed
            reset_yfinance_state()
            raise self._classify(symbol, error) from error

    def _get_json(self, data: YfData, url: str, params: dict[str, Any],
                  missing_ok: bool = False) -> dict[str, Any] | None:
        """One request; None for Yahoo's 404 when `missing_ok` (no fundamentals for it)."""
        response = data.get(url, params=params, timeout=self._timeout)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise yahoo_fundamentals.UnreadableAnswerError(f"HTTP {response.status_code}")
        document = response.json()
        if not isinstance(document, dict):
            raise yahoo_fundamentals.UnreadableAnswerError("the answer is not a JSON object")
        return document

    def _classify(self, symbol: str, error: Exception) -> FeedError:
        """Name the failure from the chart response's status first, the exception second."""
        status = self._session.chart_status
        text = f"{type(error).__name__}: {error}".split(". See ")[0]  # curl's trailing link
        if isinstance(error, YFRateLimitError) or status == 429:
            return FeedError(ErrorKind.RATE_LIMIT, symbol, "HTTP 429 Too Many Requests")
        if status == 404:
            return FeedError(ErrorKind.NOT_FOUND, symbol, "Yahoo has no such symbol (HTTP 404)")
        if status is not None and status >= 500:
            return FeedError(ErrorKind.TRANSPORT, symbol,
                             f"HTTP {status} from {self._session.chart_host}")
        if isinstance(error, OSError) or status is None:
            return FeedError(ErrorKind.TRANSPORT, symbol, text)
        return FeedError(ErrorKind.MALFORMED, symbol, text)


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _epoch(value: Any) -> int:
    """regularMarketTime arrives as an int or, once yfinance formats it, as a Timestamp."""
    return int(value.timestamp()) if hasattr(value, "timestamp") else int(value)


def _to_fetched(symbol: str, interval: str, frame: Any, meta: dict[str, Any]) -> Fetched:
    try:
        tz = str(meta["exchangeTimezoneName"])
        quote = QuoteMeta(
            symbol=symbol,
            currency=str(meta["currency"]),
            price=float(meta["regularMarketPrice"]),
            ts=_epoch(meta["regularMarketTime"]),
            previous_close=_finite(meta.get("chartPreviousClose", meta.get("previousClose"))),
            timezone=tz,
            exchange=str(meta.get("exchangeName", "")),
        )
        columns = frame[["Open", "High", "Low", "Close", "Volume"]].to_numpy(dtype=float).tolist()
        if interval == "1d":  # yfinance puts daily bars at local midnight; Yahoo at the open
            stamps = [daily_bar_ts(t.date(), tz) for t in frame.index]
        else:
            stamps = [int(t.timestamp()) for t in frame.index]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise FeedError(ErrorKind.MALFORMED, symbol,
                        f"unexpected chart response: {error}") from error
    if not math.isfinite(quote.price) or quote.price <= 0:
        raise FeedError(ErrorKind.MALFORMED, symbol, f"non-positive price {quote.price}")
    bars = tuple(
        (ts, o, h, low, c, int(v) if math.isfinite(v) else 0)
        for ts, (o, h, low, c, v) in zip(stamps, columns, strict=True)
        if math.isfinite(c) and c > 0
    )
    return Fetched(symbol, interval, bars, quote)
