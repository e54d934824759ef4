"""SQLite storage: connection, migrations and repositories. No network, scheduling or Qt here."""
