"""Render HTML that reached the text literally: tags and entities shown as they were sent.

Python's html.parser gives up on "&#" followed by anything but a digit or "x" (sendmail's
"!" after "&#" makes "&#!\\n 8217;") and hands the rest of the page over as text, tags and
entities included. Clean text holds neither (none in the corpus), so here they are rendered:
block tags become paragraph breaks, inline tags vanish, entities become their characters.

>>> fix_markup("It&#8217;s here.</p><p class=\\"MsoNormal\\">Next <b>one</b>.")[0]
'It’s here.\\n\\nNext one.'
"""

from __future__ import annotations

import html
import re

BLOCK = "p|br|div|li|ul|ol|h[1-6]|blockquote|table|tr|td|th"
INLINE = "a|b|i|u|em|font|span|strong|img|sup|sub|small|big"
TAG_RE = re.compile(rf"</?(?:({BLOCK})|{INLINE})\b[^<>]{{0,300}}>", re.I)
ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
SPACES_RE = re.compile(r"[ \t]*\n\n+[ \t]*|[ \t]{2,}")


def _tag(match: re.Match) -> str:
    """A literal tag as it renders: a paragraph break for block elements, nothing for inline ones."""
    return "\n\n" if match.group(1) else ""


def _entity(match: re.Match) -> str:
    """A literal entity's character, or the entity itself when it names none."""
    char = html.unescape(match.group())
    return char if len(char) == 1 else match.group()


def _tidy(match: re.Match) -> str:
    """Whitespace left where tags were: one paragraph break, or one space."""
    return "\n\n" if "\n\n" in match.group() else " "


def fix_markup(text: str) -> tuple[str, int]:
    """Render literal tags and entities; return the text and how many were rendered."""
    if "<" not in text and "&" not in text:
        return text, 0
    count = 0
    text, n = TAG_RE.subn(_tag, text)
    count += n
    fixed = ENTITY_RE.sub(_entity, text)
    count += len(ENTITY_RE.findall(text)) - len(ENTITY_RE.findall(fixed))
    if n:
        fixed = SPACES_RE.sub(_tidy, fixed).strip("\n")
    return fixed, count
