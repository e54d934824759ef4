"""How long to leave Yahoo alone after a failure: exponential, capped, with jitter.

Jitter keeps many installs (or many symbols) from retrying in lock-step after an outage.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base_s: float
    cap_s: float
    jitter: float = 0.2  # +-20%

    def delay(self, failures: int, rng: random.Random) -> float:
        """Delay after the `failures`-th consecutive failure (1 = the first)."""
        raw = min(self.cap_s, self.base_s * 2 ** max(0, failures - 1))
        return raw * rng.uniform(1 - self.jitter, 1 + self.jitter)


# HTTP 429: about 60 s, doubling to 15 min: long enough for Yahoo's limit to lift.
RATE_LIMIT = Backoff(60, 15 * 60)
# Transport or malformed data for one symbol: retry sooner, still doubling.
FAILURE = Backoff(30, 10 * 60)
# A symbol Yahoo answers 404 for this many times in a row, while others succeed, is unknown.
NOT_FOUND_LIMIT = 3
