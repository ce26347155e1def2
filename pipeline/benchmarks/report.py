"""Collect every benchmark module's rows and print them as one table."""

from __future__ import annotations

import importlib
import time

from rich.console import Console
from rich.table import Table

from pipeline.benchmarks import Row

# Areas in the order they are printed; each is a module in this package with run(quick) -> list[Row].
AREAS = ("crawl", "store", "search", "extraction", "repair", "spam", "dedup")
# Long runs (minutes) that `reprints bench` runs only when asked by name or flag.
ON_REQUEST = ("throughput", "distributed")


def collect(quick: bool = False, areas: tuple[str, ...] = ()) -> list[Row]:
    """Run the chosen areas (all by default); an area that fails reports its error as a row."""
    rows: list[Row] = []
    for area in areas or AREAS:
        started = time.monotonic()
        try:
            module = importlib.import_module(f"pipeline.benchmarks.{area}")
            rows += module.run(quick=quick)
        except ModuleNotFoundError as exc:
            rows.append(Row(area, "not available", str(exc)))
        except Exception as exc:  # a broken benchmark must not hide the others' figures
            rows.append(Row(area, "failed", f"{type(exc).__name__}: {exc}"))
        rows.append(Row(area, "benchmark wall time", round(time.monotonic() - started, 1), "s"))
    return rows


def run_all(quick: bool = False, areas: tuple[str, ...] = ()) -> list[Row]:
    """Run and print the table; return the rows."""
    console = Console()
    with console.status("running benchmarks..."):
        rows = collect(quick, areas)
    table = Table(title="reprints bench" + (" (quick)" if quick else ""))
    for column in ("area", "measure", "value", "unit", "reference", "target", "met"):
        table.add_column(column)
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "NO")
        value = f"{row.value:,.3f}".rstrip("0").rstrip(".") if isinstance(row.value, float) else str(row.value)
        table.add_row(row.area, row.name, value, row.unit, row.reference, row.target, met)
    console.print(table)
    return rows
