"""Repair reprinted text: stray "!" and split words from mail relays, "?" for lost characters, mojibake.

`repair_text` is the entry point: str in, (str, counts per repair kind) out. Its steps run
in a fixed order, each a pure function that also reports what it changed:

1. `entities.fix_split_entities`: a relay's break inside an entity or character ("&rsq! uo;");
2. `markup.fix_markup`: tags and entities that reached the text literally;
3. `breaks.fix_breaks`: relay line breaks between characters ("tha! t", "an! d specia l");
4. `fix_mojibake`: UTF-8 read as Windows-1252, through ftfy (keeping curly quotes);
5. `lostchars.restore`: "?" and U+FFFD standing for a lost character ("Haven?t").

>>> repair_text("Haven?t found a business yet?still looking? Go tha! t way.")[0]
'Haven’t found a business yet—still looking? Go that way.'
"""

from __future__ import annotations

import re
from collections import Counter

import ftfy

from pipeline.clean import breaks, entities, lostchars, markup
from pipeline.clean.entities import MOJIBAKE_RE, decode_mojibake

# ftfy for encoding repair only: every other fixer would rewrite clean text (uncurl_quotes above all).
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
def fix_mojibake(text: str) -> tuple[str, int]:
    """Decode UTF-8 that was read as Windows-1252; return the text and the sequences fixed.

    ftfy does the work; sequences it leaves in lines that mix mojibake with correct
    characters it cannot re-encode (Japanese, say) are then decoded one by one.
    """
    if text.isascii() or not MOJIBAKE_RE.search(text):
        return text, 0
    before = len(MOJIBAKE_RE.findall(text))
    lines = text.splitlines(keepends=True)
    fixed = "".join(MOJIBAKE_RE.sub(decode_mojibake, ftfy.fix_text(line, FTFY_CONFIG))
                    if MOJIBAKE_RE.search(line) else line for line in lines)
    return fixed, max(0, before - len(MOJIBAKE_RE.findall(fixed)))


def repair_text(text: str, hint: str | None = None) -> tuple[str, dict[str, int]]:
    """Repair one text; return it with counts per repair kind (kinds that did not fire are omitted).

    `hint`: another copy of the same article, if one is known (`lostchars.restore`).
    """
    if not isinstance(text, str) or not text:
        return text, {}
    counts: Counter = Counter()
    text, edits = entities.fix_split_entities(text)
    counts.update(edit.kind for edit in edits)
    text, n = markup.fix_markup(text)
    counts["markup"] += n
    text, edits = breaks.fix_breaks(text)
    counts.update(edit.kind for edit in edits)
    text, n = fix_mojibake(text)
    counts["mojibake"] += n
    text, restored = lostchars.restore(text, hint)
    counts.update(restored)
    return text, {kind: n for kind, n in counts.items() if n}


def repair_paragraphs(paragraphs: list[str], hint: str | None = None) -> tuple[list[str], dict[str, int]]:
    """Repair a body given as paragraphs, all at once so that breaks are judged by their spacing.

    `hint`: another copy of the same article, if one is known (`repair_text`).
    """
    text, counts = repair_text("\n\n".join(paragraphs), hint)
    return text.split("\n\n"), counts
