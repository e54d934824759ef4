"""Domain values, clock and trading day, analytics, formatting, tickers, parsing."""
