"""CLI commands, one module per area; each command parses options and calls a plain library function."""
