"""Benchmarks (`python -m bench`, `make bench`): figures for the report, not pass/fail tests.

Each module `bench/<name>_bench.py` defines `run(report)` and adds its figures to the `Report`
it is given; `python -m bench` runs them all and writes `bench/report.md`.
"""


class Report:
    """Markdown sections of figures."""

    def __init__(self):
        self.lines = ["# Benchmark report", ""]

    def section(self, title):
        self.lines += [f"## {title}", ""]

    def text(self, paragraph):
        self.lines += [paragraph, ""]

    def table(self, headers, rows):
        self.lines.append("| " + " | ".join(headers) + " |")
        self.lines.append("|" + "---|" * len(headers))
        for row in rows:
            self.lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
        self.lines.append("")

    def markdown(self):
        return "\n".join(self.lines).rstrip() + "\n"
