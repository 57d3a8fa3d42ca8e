"""Run every bench/*_bench.py module's run(report) and write bench/report.md."""

import importlib
import platform
import sys
import time
from pathlib import Path

from bench import Report

BENCH_DIR = Path(__file__).resolve().parent


def main():
    report = Report()
    report.text(
        f"Generated {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}."
    )
    for path in sorted(BENCH_DIR.glob("*_bench.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        print(f"running {path.stem} ...", flush=True)
        module.run(report)
    out = BENCH_DIR / "report.md"
    out.write_text(report.markdown(), encoding="utf-8")
    print(report.markdown())
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
