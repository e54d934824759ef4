"""Alerts: rules, their evaluation after each poll, their store, notification channels."""
