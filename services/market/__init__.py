"""Prices: quote sources, HKEX calendar, poller, schedule, backoff, feed status, DEMO."""
