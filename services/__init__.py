"""Domain logic, market data and scheduling. Pure Python: no Qt here (import-linter checks)."""
