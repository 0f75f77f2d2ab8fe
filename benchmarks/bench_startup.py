"""Start-up time of the command line: ``midcorridor --help``, median of several runs.

Each run is a fresh interpreter, as a user's shell starts it. The modules that the help
screen imports are listed too: the heavy ones (numpy, pandas, pydantic, matplotlib,
folium, networkx, pyproj) should not be among them.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15
HEAVY = ("numpy", "pandas", "pydantic", "matplotlib", "folium", "networkx", "pyproj")
PROBE = (
    "import sys; sys.argv = ['midcorridor', '--help']\n"
    "from midcorridor.cli import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
)


def main() -> None:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        )
        times.append(time.perf_counter() - start)
    print(f"midcorridor --help: median {statistics.median(times):.2f} s over {RUNS} runs")
    print(f"  fastest {min(times):.2f} s, slowest {max(times):.2f} s")
    print(f"  heavy modules imported: {done.stderr.strip()}")


if __name__ == "__main__":
    main()
