"""The reference data editor: targets, lock-ups, share counts and revenue."""
