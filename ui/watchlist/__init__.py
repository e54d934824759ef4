"""The watchlist table, its actions and the detail pane of the selected symbol."""
