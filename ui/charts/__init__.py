"""pyqtgraph charts: price (with volume and drawdown), valuation, comparison."""
