"""Score a repair against simulated corruption: sites restored, legitimate marks kept, collateral edits.

For each corrupted text the scorer aligns three texts: the clean reference R, the
corrupted text C and the repaired text P.

- a site is restored exactly when no edit between R and P falls on its span in R;
- a legitimate "!" or "?" (one in R) is changed when an edit between R and P replaces or deletes it;
- an other edit is an edit between C and P that falls on no site's span in C;
- the character error rate is the edit count of an alignment (each differing run costs
  the longer of its sides) over the length of R, before (C) and after (P) the repair.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.clean.align import align, edit_distance, project, touched
from pipeline.clean.simulate import Corrupted, Site

LEGIT_MARKS = "!?"
# Characters whose choice is a text's house style, not its content: a lost one restored as its
# sibling is counted apart (`Tally.style_only`), to show what the style choice costs.
STYLE_SIBLINGS = {"–": "—", "—": "–", "‘": "“", "“": "‘"}
# Closing quotation marks follow the opening ones' style; a "’" before a letter is an apostrophe
# inside a word, which has no sibling (`style_sibling`).
CLOSING_SIBLINGS = {"’": "”", "”": "’"}


@dataclass
class Tally:
    """Counts summed over many corrupted texts."""

    restored: Counter = field(default_factory=Counter)  # by (kind, detail)
    sites: Counter = field(default_factory=Counter)     # by (kind, detail)
    legit: Counter = field(default_factory=Counter)     # by mark
    legit_changed: Counter = field(default_factory=Counter)
    style_only: Counter = field(default_factory=Counter)  # sites restored but for the house style
    other_edits: int = 0
    chars: int = 0            # length of the clean references
    errors_before: int = 0    # edits from R to C
    errors_after: int = 0     # edits from R to P
    misses: list = field(default_factory=list)  # (site, clean context, repaired context), for inspection

    def add(self, other: "Tally") -> None:
        """Add another tally's counts to this one."""
        for name in ("restored", "sites", "legit", "legit_changed", "style_only"):
            getattr(self, name).update(getattr(other, name))
        self.other_edits += other.other_edits
        self.chars += other.chars
        self.errors_before += other.errors_before
        self.errors_after += other.errors_after
        self.misses.extend(other.misses)

    def share(self, kind: str | None = None, detail: str | None = None) -> float:
        """Share of sites restored exactly, over all sites or one kind (and detail)."""
        keys = [k for k in self.sites if (kind is None or k[0] == kind) and (detail is None or k[1] == detail)]
        total = sum(self.sites[k] for k in keys)
        return sum(self.restored[k] for k in keys) / total if total else float("nan")

    def share_but_style(self, kind: str | None = "lost_char") -> float:
        """Share of one kind's sites (of all with None) restored, counting a house-style sibling as restored."""
        total = self.count(kind)
        mine = lambda k: kind is None or k[0] == kind  # noqa: E731
        won = sum(n for k, n in self.restored.items() if mine(k))
        won += sum(n for k, n in self.style_only.items() if mine(k))
        return won / total if total else float("nan")

    def count(self, kind: str | None = None, detail: str | None = None) -> int:
        """Number of sites of one kind (and detail), or of all."""
        return sum(n for k, n in self.sites.items()
                   if (kind is None or k[0] == kind) and (detail is None or k[1] == detail))

    def legit_changed_share(self) -> float:
        """Share of legitimate "!" and "?" that the repair changed."""
        total = sum(self.legit.values())
        return sum(self.legit_changed.values()) / total if total else 0.0

    def other_per_10k(self) -> float:
        """Edits outside any site per 10,000 characters."""
        return 10_000 * self.other_edits / self.chars if self.chars else 0.0

    def cer(self, after: bool) -> float:
        """Character error rate against the clean text, before or after the repair."""
        return (self.errors_after if after else self.errors_before) / self.chars if self.chars else 0.0


def _site_key(site: Site) -> tuple[str, str]:
    """The tally key of a site: lost characters and mojibake are kept apart by character."""
    return site.kind, site.detail


def style_sibling(clean: str, site: Site) -> str | None:
    """The character that would restore a lost one but for the house style: – for —, “ for ‘,
    ” for a closing ’ (and the other way round), or None."""
    if site.detail in STYLE_SIBLINGS:
        return STYLE_SIBLINGS[site.detail]
    if site.detail in CLOSING_SIBLINGS and not clean[site.end:site.end + 1].isalpha():
        return CLOSING_SIBLINGS[site.detail]
    return None


def score_case(case: Corrupted, repaired: str, keep_misses: bool = False) -> Tally:
    """Tally one repaired text against its clean reference and recorded sites."""
    tally = Tally(chars=len(case.clean))
    ops_rp = align(case.clean, repaired)
    ops_cp = align(case.text, repaired)
    tally.errors_before = edit_distance(align(case.clean, case.text))
    tally.errors_after = edit_distance(ops_rp)
    for site in case.sites:
        key = _site_key(site)
        tally.sites[key] += 1
        if not touched(ops_rp, site.start, site.end):
            tally.restored[key] += 1
            continue
        sibling = style_sibling(case.clean, site) if site.kind == "lost_char" else None
        if sibling:
            start, end = project(ops_rp, site.start, site.end)
            if repaired[start:end] == sibling:
                tally.style_only[key] += 1
        if keep_misses:
            tally.misses.append((site, case.clean[max(0, site.start - 30):site.end + 30],
                                 case.text[max(0, site.cstart - 30):site.cend + 30]))
    for k, ch in enumerate(case.clean):
        if ch in LEGIT_MARKS:
            tally.legit[ch] += 1
            if any(tag in ("replace", "delete") and i1 <= k < i2 for tag, i1, i2, _, _ in ops_rp):
                tally.legit_changed[ch] += 1
    spans = sorted((s.cstart, s.cend) for s in case.sites)
    for tag, i1, i2, j1, j2 in ops_cp:
        if tag != "equal" and not _covered(spans, i1, i2):
            tally.other_edits += 1
    return tally


def _covered(spans: list[tuple[int, int]], i1: int, i2: int) -> bool:
    """Whether the edit [i1, i2) of the corrupted text falls on a site span (edges count for insertions)."""
    for start, end in spans:
        if (i1 == i2 and start <= i1 <= end) or (i1 < end and start < i2):
            return True
    return False


def evaluate(cases: list[Corrupted], fix: Callable[[str], str]) -> tuple[Tally, float]:
    """Run `fix` on every corrupted text; return the summed tally and the CPU seconds `fix` took.

    CPU time, not wall time: on a shared machine the wall clock also counts other processes.
    """
    total, seconds = Tally(), 0.0
    for case in cases:
        start = time.process_time()
        repaired = fix(case.text)
        seconds += time.process_time() - start
        total.add(score_case(case, repaired))
    return total, seconds
