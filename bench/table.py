"""The Markdown tables of the bench/run-*-bench.sh scripts: the figures a run recorded
(bench/lib.sh's record(), one JSON line each) and the rows every table shares. The
scripts' table code runs through lib.sh's render_table, which makes this importable:

    from table import Facts, Table, yes
"""

import json


class Facts:
    """Every figure of a .jsonl file, by name, in the order recorded."""

    def __init__(self, path):
        self.by_name = {}
        with open(path) as f:
            for line in f:
                fact = json.loads(line)
                self.by_name.setdefault(fact["name"], []).append(fact["value"])

    def one(self, name):
        """The first value recorded under `name`, or None."""
        return (self.by_name.get(name) or [None])[0]

    def all(self, name):
        """Every value recorded under `name` (null ones too)."""
        return self.by_name.get(name) or []

    def every(self, name):
        """Every value recorded under `name` that is not null."""
        return [v for v in self.all(name) if v is not None]


class Table:
    """Prints the header of a Markdown table with `columns`, then a line per row()."""

    def __init__(self, *columns):
        self.width = len(columns)
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * self.width)

    def row(self, *cells):
        cells = list(cells) + [""] * (self.width - len(cells))
        print("| " + " | ".join(str(c) for c in cells) + " |")

    def baselines(self, facts):
        """The rows of the disk and loopback baselines (lib.sh's measure_baselines)."""
        self.row("disk: write+fdatasync, 1 MiB blocks", f"{facts.one('disk_mb_s'):.1f} MB/s")
        self.row("loopback TCP, 1 MiB writes, 2 threads", f"{facts.one('loopback_mb_s'):.1f} MB/s")


def yes(b):
    return "yes" if b else "**no**"
