"""Run every bench/*_bench.py module's run(report) and write bench/report.md."""

import importlib
import platform
import sys
import time
import traceback
from pathlib import Path

from bench import Report

BENCH_DIR = Path(__file__).resolve().parent


def main():
    report = Report()
    failed = []
    report.text(
        f"Generated {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()}."
    )
    for path in sorted(BENCH_DIR.glob("*_bench.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        print(f"running {path.stem} ...", flush=True)
        try:
            module.run(report)
        except Exception as error:  # one broken part must not lose the others' figures
            traceback.print_exc()
            failed.append(path.stem)
            report.section(f"{path.stem}: failed")
            report.text(f"`{type(error).__name__}: {error}` (the other parts ran).")
    out = BENCH_DIR / "report.md"
    out.write_text(report.markdown(), encoding="utf-8")
    print(report.markdown())
    print(f"written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
