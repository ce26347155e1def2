"""Edits to a text, applied in one pass: the repairs propose them, `apply_edits` makes them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `new`; `kind` names the repair."""

    start: int
    end: int
    new: str
    kind: str


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits (earlier ones win); return the text and the edits applied.

    >>> apply_edits("tha! t", [Edit(3, 5, "", "stray_bang")])[0]
    'that'
    """
    out, applied, pos = [], [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            continue
        out.append(text[pos:edit.start])
        out.append(edit.new)
        applied.append(edit)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out), applied
