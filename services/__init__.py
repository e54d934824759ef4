"""HarbourWatch's capabilities without Qt; lower packages never import higher ones."""
