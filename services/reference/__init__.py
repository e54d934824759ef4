"""Facts about each company: the bundled reference data, the fact store and the trader's edits."""
