"""The Portfolio tab: positions, transactions and the value chart."""
