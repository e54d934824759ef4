"""Shared window parts: settings, models, form pieces, the job bridge and the worker pool."""
