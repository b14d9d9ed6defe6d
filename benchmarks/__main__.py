"""Run every benchmark: ``python -m benchmarks`` (quick sizes) or ``python -m benchmarks --full``.

Each benchmark is also a script of its own (``python -m benchmarks.bench_funnel --help``) and prints
its figures; speed and memory targets live here, not in the unit tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    full = "--full" in argv
    names = [a for a in argv if not a.startswith("--")]
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if any(n in m for n in names)]
    status = 0
    for module in modules:
        cmd = [sys.executable, "-m", f"benchmarks.{module}"] + ([] if full else ["--quick"])
        print(f"\n=== {' '.join(cmd[1:])}", flush=True)
        status |= subprocess.run(cmd, cwd=HERE.parent).returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
