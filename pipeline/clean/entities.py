r"""Rejoin entities and characters that a relay's line break fell inside of.

The break counts bytes of the HTML that was sent, so it can split "&rsquo;" or the three bytes
of "’". What reaches the text depends on the parser and the charset: "&rsq! uo;" (lxml),
"’! ;" (html.parser decodes "&rsquo" without its semicolon), "R!\n 17;" ("&#82" decodes to
"R"), "\ufffd! \ufffd" (UTF-8 cut in two), "â€! ™" (UTF-8 cut in two and shown as
Windows-1252), and the same without the "!" for Postfix's break.

>>> fix_split_entities("the view &mda! sh; and")[0]
'the view — and'
>>> fix_split_entities("the leaderR!\n 17;s job")[0]
'the leader’s job'
"""

from __future__ import annotations

import html.entities
import re
import unicodedata

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")

from pipeline.clean.edits import Edit, apply_edits

ENTITY_SPLIT_RE = re.compile(r"&([#\w]*)(!?)([ \t]*\r?\n?[ \t]+)([#\w]*;)")
# An entity whose start the parser already decoded: "&#82!\n 17;" shows as "R!\n 17;"; in a
# word of another script the decoded start is out of place ("&#108\n 6;" in Cyrillic shows as
# "пl\n 6;"), and that is what tells Postfix's break (no "!") from a number in the text.
DECODED_SPLIT_RE = re.compile(r"(.)(!)([ \t]*\r?\n?[ \t]+)(\w*;)")
# Postfix's break and the rest of such an entity, read backwards from its ";" (rare in prose: a
# pattern that begins with the decoded start would be tried at every character).
BREAK_THEN_REST_RE = re.compile(r"[ \t]*\r?\n?[ \t]+(\w+;)")
FFFD_SPLIT_RE = re.compile(r"\ufffd+!?[ \t]*\r?\n?[ \t]+\ufffd+")
ENTITY_TARGETS = frozenset(chr(c) for c in html.entities.codepoint2name)
NAMES_OF = {}
for _code, _name in html.entities.codepoint2name.items():
    NAMES_OF.setdefault(chr(_code), []).append(_name)


def cp1252_chars(low: int, high: int) -> str:
    """The characters that bytes low..high show as under Windows-1252, escaped for a regex class."""
    return re.escape(bytes(range(low, high + 1)).decode("sloppy-windows-1252"))


# Mojibake of one character: a UTF-8 lead byte and as many continuation bytes as it announces,
# as Windows-1252 shows them ("â€™" for "’", "Ã©" for "é", "é–¢" for "関").
_CONT = cp1252_chars(0x80, 0xBF)
MOJIBAKE_RE = re.compile(
    f"[{cp1252_chars(0xC2, 0xDF)}][{_CONT}]"
    f"|[{cp1252_chars(0xE0, 0xEF)}][{_CONT}]{{2}}"
    f"|[{cp1252_chars(0xF0, 0xF4)}][{_CONT}]{{3}}"
)


def decode_mojibake(match: re.Match) -> str:
    """One character's mojibake decoded, or left as it is when its bytes are not UTF-8."""
    try:
        return match.group().encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return match.group()


def read_char(text: str, pos: int) -> tuple[str, int]:
    """The character at `pos` as a reader will see it once mojibake is decoded ("ðŸ™‚" reads "🙂"),
    and where the next one starts."""
    match = MOJIBAKE_RE.match(text, pos)
    if match:
        return decode_mojibake(match)[:1], match.end()
    return text[pos:pos + 1], pos + 1


def read_span(text: str, start: int, end: int) -> str:
    """text[start:end] as a reader will see it once mojibake is decoded ("Ã©" reads "é")."""
    span = text[max(0, start):end]
    return span if span.isascii() else MOJIBAKE_RE.sub(decode_mojibake, span)


# UTF-8 lead bytes (0xC2-0xF4) and continuation bytes (0x80-0xBF) as Windows-1252 shows them.
MOJIBAKE_SPLIT_RE = re.compile(
    f"([{cp1252_chars(0xC2, 0xF4)}][{cp1252_chars(0x80, 0xBF)}]*)(!?)[ \\t]*\\r?\\n?[ \\t]+"
    f"([{cp1252_chars(0x80, 0xBF)}]+)"
)


def _entity_char(body: str) -> str | None:
    """The character an entity body ("rsquo;", "#8217;", "#x2019;") stands for, if it is one."""
    if body.startswith("#"):
        digits = body[1:-1]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
        except ValueError:
            return None
        return chr(code) if 0x20 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None
    return html.entities.html5.get(body) if len(html.entities.html5.get(body, "")) == 1 else None


def script(ch: str) -> str:
    """The script of a letter as Unicode names it ("LATIN", "CYRILLIC", "GREEK", "CJK"), or ""."""
    return unicodedata.name(ch, "").split(" ", 1)[0] if ch.isalpha() else ""


def _decoded_prefix(ch: str, rest: str, before: str = "") -> str | None:
    """The character of an entity split after a prefix that the parser decoded to `ch`.

    A numeric entity's character must be one that has a named entity too, or a letter of the
    script of the letter `before` the prefix, its neighbour in the word (a Cyrillic text's letters
    are all numeric entities).
    """
    if rest == ";" and (ch in ENTITY_TARGETS or not ch.isascii()):
        return ch  # the parser decoded the whole entity but for its ";" ("&#1090!\n ;")
    for name in NAMES_OF.get(ch, ()):
        if (found := html.entities.html5.get(name + rest)) and len(found) == 1:
            return found
    digits = rest[:-1]
    candidates = []
    if digits.isdigit():
        candidates.append(_entity_char(f"#{ord(ch)}{digits};"))
    if all(c in "0123456789abcdefABCDEF" for c in digits) and digits:
        candidates.append(_entity_char(f"#x{ord(ch):x}{digits};"))
    for found in candidates:
        if found in ENTITY_TARGETS or (found and script(found) and script(found) == script(before)):
            return found
    return None


def _out_of_script(ch: str, before: str, found: str | None) -> bool:
    """Whether a decoded prefix `ch` cannot be part of the word it stands in: a control character,
    or a character of another script than the letter before it and the rejoined character."""
    return bool(found) and (ch < " " or script(ch) != script(before) == script(found) != "")


def _kind(bang: str) -> str:
    """The repair kind of a break: sendmail's has a "!", Postfix's none."""
    return "stray_bang" if bang else "split_word"


def split_entity_edits(text: str) -> list[Edit]:
    """Edits that rejoin entities and characters a break fell inside of."""
    edits = []
    for m in ENTITY_SPLIT_RE.finditer(text):
        if ch := _entity_char(m.group(1) + m.group(4)):
            edits.append(Edit(m.start(), m.end(), ch, _kind(m.group(2))))
    for m in DECODED_SPLIT_RE.finditer(text):
        before = text[m.start() - 1:m.start()]
        neighbour = before if before.isalpha() else text[m.end():m.end() + 1]  # ", &#1095;то": "т"
        if ch := _decoded_prefix(m.group(1), m.group(4), neighbour):
            edits.append(Edit(m.start(), m.end(), ch, "stray_bang"))
    edits += _postfix_decoded_edits(text)
    for m in FFFD_SPLIT_RE.finditer(text):
        edits.append(Edit(m.start(), m.end(), "\ufffd", _kind("!" in m.group())))
    for m in MOJIBAKE_SPLIT_RE.finditer(text):
        joined = m.group(1) + m.group(3)
        try:
            joined.encode("sloppy-windows-1252").decode("utf-8")
        except UnicodeError:
            continue
        edits.append(Edit(m.start(), m.end(), joined, _kind(m.group(2))))
    return edits


def _postfix_decoded_edits(text: str) -> list[Edit]:
    """Edits for Postfix's break after an entity start the parser decoded out of place ("пl\n 6;")."""
    edits = []
    semi = text.find(";")
    while semi >= 0:
        low = max(0, semi - 20)
        k = semi
        while k > low and text[k - 1].isalnum():
            k -= 1
        while k > low and text[k - 1] in " \t\r\n":
            k -= 1
        m = BREAK_THEN_REST_RE.match(text, k, semi + 1) if k > 1 and k < semi else None
        if m and m.end() == semi + 1 and (text[k - 1].isalnum() or text[k - 1] < " ") and text[k - 2].isalpha():
            found = _decoded_prefix(text[k - 1], m.group(1), text[k - 2])
            if found and found not in ENTITY_TARGETS and _out_of_script(text[k - 1], text[k - 2], found):
                edits.append(Edit(k - 1, m.end(), found, "split_word"))
        semi = text.find(";", semi + 1)
    return edits


def fix_split_entities(text: str) -> tuple[str, list[Edit]]:
    """Rejoin entities and characters that a relay's break fell inside of."""
    edits = split_entity_edits(text) if (";" in text or "\ufffd" in text or not text.isascii()) else []
    return apply_edits(text, edits) if edits else (text, [])
