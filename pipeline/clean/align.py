"""Character alignment of two near-identical texts, fast enough for whole article bodies.

`difflib` on characters is quadratic on long texts, so the alignment goes in three steps:
paragraphs ("\\n\\n"-separated) are paired first, then tokens inside each pair, then
characters inside each differing token run. The result is a list of difflib-style opcodes
over characters: ``(tag, i1, i2, j1, j2)`` with ``tag`` in equal/replace/delete/insert.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

Opcode = tuple[str, int, int, int, int]

# Words and marks carry their trailing whitespace: a lone " " token would match anywhere.
TOKEN_RE = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
PARAGRAPH_RE = re.compile(r"\n\n")


def _spans(text: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Split `text` on `pattern`, returning (start, end) of each piece, separators included at the end."""
    spans, start = [], 0
    for match in pattern.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _char_opcodes(a: str, b: str, ai: int, bj: int) -> list[Opcode]:
    """Character opcodes for a short differing run, offset by (ai, bj)."""
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [(tag, i1 + ai, i2 + ai, j1 + bj, j2 + bj) for tag, i1, i2, j1, j2 in ops]


def _token_opcodes(a: str, b: str, ai: int, bj: int) -> list[Opcode]:
    """Align tokens of `a` and `b`, then characters inside each differing token run."""
    ta = [m.span() for m in TOKEN_RE.finditer(a)]
    tb = [m.span() for m in TOKEN_RE.finditer(b)]
    sa = [a[s:e] for s, e in ta]
    sb = [b[s:e] for s, e in tb]
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes():
        a1 = ta[i1][0] if i1 < len(ta) else len(a)
        a2 = ta[i2 - 1][1] if i2 > i1 else a1
        b1 = tb[j1][0] if j1 < len(tb) else len(b)
        b2 = tb[j2 - 1][1] if j2 > j1 else b1
        if tag == "equal":
            out.append(("equal", a1 + ai, a2 + ai, b1 + bj, b2 + bj))
        else:
            out.extend(_char_opcodes(a[a1:a2], b[b1:b2], a1 + ai, b1 + bj))
    return out


def _merge(ops: list[Opcode]) -> list[Opcode]:
    """Drop empty opcodes and merge neighbours with the same tag."""
    merged: list[Opcode] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if merged and merged[-1][0] == op[0] and merged[-1][2] == op[1] and merged[-1][4] == op[3]:
            last = merged.pop()
            op = (op[0], last[1], op[2], last[3], op[4])
        merged.append(op)
    return merged


def align(a: str, b: str) -> list[Opcode]:
    """Character opcodes turning `a` into `b` (difflib conventions)."""
    pa, pb = _spans(a, PARAGRAPH_RE), _spans(b, PARAGRAPH_RE)
    ka = [a[s:e] for s, e in pa]
    kb = [b[s:e] for s, e in pb]
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        a1, a2 = (pa[i1][0], pa[i2 - 1][1]) if i2 > i1 else (pa[i1][0] if i1 < len(pa) else len(a),) * 2
        b1, b2 = (pb[j1][0], pb[j2 - 1][1]) if j2 > j1 else (pb[j1][0] if j1 < len(pb) else len(b),) * 2
        if tag == "equal":
            out.append(("equal", a1, a2, b1, b2))
        elif tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                (s, e), (t, u) = pa[i1 + k], pb[j1 + k]
                out.extend(_token_opcodes(a[s:e], b[t:u], s, t))
        else:
            out.extend(_token_opcodes(a[a1:a2], b[b1:b2], a1, b1))
    return _merge(out)


def edit_distance(ops: list[Opcode]) -> int:
    """Edits implied by an alignment: each differing run costs the longer of its two sides."""
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def project(ops: list[Opcode], start: int, end: int) -> tuple[int, int]:
    """Map the span [start, end) of the first text onto the second text."""
    return _point(ops, start, left=True), _point(ops, end, left=False)


def _point(ops: list[Opcode], pos: int, left: bool) -> int:
    """Map a boundary of the first text onto the second: its leftmost image if `left`, else its rightmost."""
    hits = []
    for tag, i1, i2, j1, j2 in ops:
        if not i1 <= pos <= i2:
            continue
        if tag == "equal":
            hits.append(j1 + pos - i1)
        elif pos == i1 == i2:
            hits.extend((j1, j2))
        elif pos == i1 or pos == i2:
            hits.append(j1 if pos == i1 else j2)
        else:
            hits.append(j1 if left else j2)
    if not hits:
        return 0
    return min(hits) if left else max(hits)


def touched(ops: list[Opcode], start: int, end: int) -> bool:
    """Whether any edit in `ops` falls on [start, end) of the first text, insertions at its edges included."""
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if i1 == i2:
            if start <= i1 <= end:
                return True
        elif i1 < end and start < i2:
            return True
    return False
