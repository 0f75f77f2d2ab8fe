"""``python -m midcorridor``."""

from midcorridor.cli import main

if __name__ == "__main__":  # not when a worker process started by spawn imports it
    main()
