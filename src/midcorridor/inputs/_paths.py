"""Where the network and scenario files are found when the user names none."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the network folder.
NETWORK_ENV = "MIDCORRIDOR_NETWORK"
#: The source checkout this package runs from (``src/midcorridor/inputs/`` -> the checkout).
CHECKOUT = Path(__file__).resolve().parents[3]


def default_folder(name: str, *, marker: str, env: str | None = None) -> Path | None:
    """The folder ``name`` used when none is given, or None if there is none.

    ``$env`` if set; else ``./name`` in the current directory if it holds ``marker``; else
    ``name/`` of the source checkout this package runs from, if it holds ``marker``. An
    installed package (outside a checkout) has no such folder.
    """
    if env and os.environ.get(env):
        return Path(os.environ[env])
    for base in (Path.cwd(), CHECKOUT):
        if (base / name / marker).exists():
            return base / name
    return None
