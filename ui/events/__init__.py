"""The events calendar view and the lock-up overhang panel."""
