"""Bundled files (reference facts, icons). A package only so that pip installs them as package
data; the app reads them by path (services.core.paths.RESOURCES)."""
