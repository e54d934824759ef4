"""The portfolio: transactions, average-cost positions and their value in a base currency."""
