"""Wall time of ``make demo`` on fresh clones, two commits side by side.

Each commit is cloned into a new folder and ``make demo`` runs there from nothing (its
virtual environment included), the commits alternating round by round so that a busy
moment of the machine falls on both. Each step of the demo (install, each command) is
timed from make's own trace. ``--cold`` turns the installers' caches off (pip's and
uv's), as on a machine that never installed anything; by default they are as the machine
left them.

Usage: ``python benchmarks/bench_demo.py [--before REV] [--after REV] [--rounds N] [--cold]``
(defaults: the commit before the fast-demo work of issue 24, and HEAD). Figures:
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The last commit before issue 24 changed the demo (it installed the test tools too).
BEFORE = "7db075d"


def _demo_seconds(rev: str, folder: Path, *, cold: bool) -> float:
    clone = folder / rev
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
    env = dict(os.environ)
    if cold:
        env.update(PIP_NO_CACHE_DIR="1", UV_NO_CACHE="1")
    start = time.perf_counter()
    subprocess.run(["make", "demo"], cwd=clone, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()
    times: dict[str, list[float]] = {args.before: [], args.after: []}
    for round_ in range(args.rounds):
        order = [args.before, args.after] if round_ % 2 == 0 else [args.after, args.before]
        for rev in order:
            with tempfile.TemporaryDirectory() as folder:
                times[rev].append(_demo_seconds(rev, Path(folder), cold=args.cold))
            print(f"round {round_ + 1}: {rev} {times[rev][-1]:.1f} s", flush=True)
    before, after = (statistics.median(times[r]) for r in (args.before, args.after))
    caches = "off" if args.cold else "as left"
    print(f"\nmake demo on a fresh clone, installers' caches {caches}, median of {args.rounds}")
    print("| commit | seconds |\n|---|---:|")
    print(f"| {args.before} | {before:.1f} |\n| {args.after} | {after:.1f} |")
    print(f"after / before: {after / before:.2f}")


if __name__ == "__main__":
    main()
