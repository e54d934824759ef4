"""The File menu: imports with a preview and column mapping, and exports."""
