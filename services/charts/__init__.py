"""The numbers behind each chart: price, drawdown, valuation and comparison series."""
