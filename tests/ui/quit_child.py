"""Child process for tests/ui/test_quit.py: the real window polling the tests' fake Yahoo (whose
address is argv[2]) until it is told to quit; prints "ready" once the window is up."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.core.clock import FixedClock
from services.core.paths import default_paths
from services.market.calendar import MarketClock
from services.market.poller import Poller
from services.market.yahoo_source import YahooQuoteSource
from tests.conftest import hkt
from tests.fake_yahoo import FakeYahooSession
from ui.app import application, launch, serve

# Longer than the test waits: a request to a Yahoo that never answers stays stuck.
REQUEST_TIMEOUT_S = 60.0


def main() -> int:
    db_path, proxy = Path(sys.argv[1]), sys.argv[2]
    paths = default_paths()
    clock = FixedClock(hkt(2026, 11, 23, 10, 15))

    def make_poller() -> Poller:
        source = YahooQuoteSource(paths.cache_dir / "yf", FakeYahooSession(proxy),
                                  timeout=REQUEST_TIMEOUT_S)
        return Poller(db_path, source, clock, MarketClock())

    app = application()
    window = launch(db_path, paths, clock, make_poller=make_poller, verify=None)
    print("ready", flush=True)
    return serve(app, window)


if __name__ == "__main__":
    sys.exit(main())
