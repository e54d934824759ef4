"""Wiring across capabilities: the database, a poll cycle end to end, logging, workspace."""
