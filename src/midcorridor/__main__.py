"""``python -m midcorridor``."""

from midcorridor.cli import main

main()
