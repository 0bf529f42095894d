"""``python -m reallabor`` runs the CLI."""

from .cli import main

main()
