"""`reprints bench`: every benchmark reports here as rows of one printed table.

Each module in this package exposes `run(quick: bool = False) -> list[Row]`; `quick`
asks for a smaller sample so the table can be checked in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    """One measured figure, with the reference or target it is read against."""

    area: str          # e.g. "repair", "spam", "extraction", "crawl", "store"
    name: str          # what was measured, e.g. "in-word '!' restored"
    value: float | str
    unit: str = ""     # "%", "pages/s", "MB/s", "F1", ...
    reference: str = ""  # the figure from ANCHORS.md or the literature, as text
    target: str = ""     # the bar, as text, e.g. ">= 0.965"
    met: bool | None = None  # None when there is no bar
