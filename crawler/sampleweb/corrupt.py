"""The damage republished copies carry, as pure, deterministic text functions.

Each function takes the text and its parameters from `sites.yml` and returns the damaged
text with a count of what it changed, so the ground truth can say which repairs a copy needs.
Nothing here is random: the same data always renders the same pages.
"""

from __future__ import annotations

import re

# Characters a Latin-1 form or mail gateway could not carry: the Windows-1252 extras in
# 0x80-0x9F (curly quotes, dashes, ellipsis, bullet, trade mark) and the no-break space.
# Latin-1 letters and signs (é, ©) survive, as "clichéd" and "© 2008" do in the example post.
LOST_CHARS = frozenset(
    [bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]
    + ["\u00a0"]
)

# A gateway never cut inside a URL in our copies: the "Source:" line must stay parseable.
URL_RE = re.compile(r"(?:https?://|www\.)\S+")


def apply_edits(text: str, edits: list[list[str]]) -> tuple[str, int]:
    """Replace the first occurrence of each `old` with `new`; every `old` must be present.

    >>> apply_edits("a special dinner", [["special", "specia l"]])
    ('a specia l dinner', 1)
    """
    for old, new in edits:
        if old not in text:
            raise ValueError(f"edit {old!r} not found in the text")
        text = text.replace(old, new, 1)
    return text, len(edits)


def spin(text: str, synonyms: dict[str, str]) -> tuple[str, int]:
    """Swap whole words for synonyms, keeping an initial capital, as article spinners did.

    >>> spin("Business is business.", {"business": "venture"})
    ('Venture is venture.', 2)
    """
    if not synonyms:
        return text, 0
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(synonyms, key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    count = 0

    def swap(match: re.Match) -> str:
        nonlocal count
        word = match.group(0)
        new = synonyms[word.lower()]
        count += 1
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return pattern.sub(swap, text), count


def lose_chars(text: str) -> tuple[str, int]:
    """Turn every character a Latin-1 channel cannot carry into "?".

    >>> lose_chars("Haven’t found one yet—still looking?")
    ('Haven?t found one yet?still looking?', 2)
    """
    count = sum(1 for ch in text if ch in LOST_CHARS)
    return "".join("?" if ch in LOST_CHARS else ch for ch in text), count


def _cut_point(text: str, pos: int) -> int | None:
    """The first position at or after `pos` inside a word (or after "(" before one), outside URLs."""
    urls = [m.span() for m in URL_RE.finditer(text)]
    while pos < len(text):
        inside = next((end for start, end in urls if start < pos <= end), None)
        if inside is not None:
            pos = inside + 1
        elif text[pos].isalnum() and (text[pos - 1].isalnum() or text[pos - 1] == "("):
            return pos
        else:
            pos += 1
    return None


def gateway_bangs(text: str, every: int, first: int) -> tuple[str, int]:
    """Insert "! " every `every` characters from `first`, as mail relays that cut long lines did.

    The cut lands mid-word ("tha! t", "distribut! or") or after an opening bracket ("(! MLM)").

    >>> gateway_bangs("leaders insist that you speak to everybody", every=100, first=18)
    ('leaders insist tha! t you speak to everybody', 1)
    """
    cuts = []
    pos = first
    while (cut := _cut_point(text, pos)) is not None:
        cuts.append(cut)
        pos = cut + every
    for cut in reversed(cuts):
        text = text[:cut] + "! " + text[cut:]
    return text, len(cuts)


def mojibake(text: str) -> tuple[str, int]:
    """Read the text's UTF-8 bytes back as Windows-1252, as a misconfigured blog did.

    Bytes Windows-1252 leaves undefined stay as the Latin-1 control character, the way
    browsers and ftfy's "sloppy" codecs show them.

    >>> mojibake("don’t")
    ('donâ€™t', 1)
    """
    count = sum(1 for ch in text if ord(ch) > 127)
    raw = text.encode("utf-8")
    out = []
    for byte in raw:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out), count
