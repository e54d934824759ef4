"""The command line: argument parsing and every command, with exit codes and one-line errors."""
