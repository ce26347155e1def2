"""Corrupt clean text the way the reprints were corrupted, recording every corrupted site.

The mechanisms are simulated, not imitated: a clean body becomes the HTML an article
directory sent (paragraphs, some inline markup, non-ASCII characters raw or as entities),
that HTML is encoded, passed through mail relays that break long lines, decoded, parsed by
a real HTML parser and rendered to text.

- sendmail (`putxline`, util.c): a line longer than L bytes goes out as its first L-1
  bytes, "!", a line break and a space; the rest in chunks of L-2 bytes.
- Postfix (`smtp_line_length_limit`): a line break and a space after every L bytes.
- an ASCII conversion with replacement: each Windows-1252 punctuation character and
  no-break space becomes "?" (Latin-1 letters went out as entities, as PHP's htmlentities did).
- mojibake: the UTF-8 bytes shown as Windows-1252.

>>> case = corrupt("A long line. " * 100, Scenario(), seed=1)
>>> [site.kind for site in case.sites]
['stray_bang']
>>> case.text[case.sites[0].cstart:case.sites[0].cend]
'e! .'
"""

from __future__ import annotations

import bisect
import html.entities
import random
import re
from dataclasses import dataclass, field

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")

from pipeline.clean.align import align, project, touched

# Characters an ASCII conversion loses in these texts: Windows-1252's punctuation block and NBSP.
LOST_CHARS = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")) | {"\xa0"}
ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
EOL = b"\n"  # CRLF on the wire, LF once delivered
SENDMAIL_BREAK = b"!" + EOL + b" "
POSTFIX_BREAK = EOL + b" "

# Inline markup wrapped around a few words: what article directories and Blogger emitted.
INLINE_TAGS = (
    ("<b>", "</b>"),
    ("<i>", "</i>"),
    ("<strong>", "</strong>"),
    ('<a href="http://www.a1articles.com/article_{n}_80.html">', "</a>"),
    ('<span style="font-family: Arial, Helvetica, sans-serif; font-size: 10pt;">', "</span>"),
)
PARAGRAPH_TAGS = ("<p>", '<p class="MsoNormal">', '<p style="margin: 0in 0in 10pt;">')
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd div dl dt footer h1 h2 h3 h4 h5 h6 header hr "
    "html li main nav ol p pre section table td th tr ul".split()
)
SKIPPED_TAGS = frozenset({"head", "title", "script", "style"})
HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
PARAGRAPH_SPLIT_RE = re.compile(r"\n+")


@dataclass(frozen=True)
class Scenario:
    """How one text travelled: its encoding, relays, markup and rendering."""

    charset: str = "utf-8"      # "utf-8"; "ascii" (lossy, "?"); "cp1252" (UTF-8 shown as Windows-1252)
    entity_rate: float = 0.0    # share of non-ASCII characters written as entities
    entity_style: str = "named"  # "named", "decimal" or "hex"
    relays: tuple[tuple[str, int], ...] = (("sendmail", 990),)
    layout: str = "lines"       # "lines": a source line per paragraph; "oneline"; "br": <br /><br /> on one line
    markup_rate: float = 0.0    # share of words that open an inline tag
    parser: str = "lxml"        # "lxml" or "html.parser"
    collapse: bool = True       # whitespace collapsed, as a browser or an extractor shows it


@dataclass
class Site:
    """One corrupted place: its kind, what it was, and where it is in the clean and corrupted texts."""

    kind: str     # "stray_bang", "split_word", "lost_char", "mojibake"
    detail: str   # e.g. "in_word", "at_space", "punct", "in_entity", "in_char", "in_markup", or the lost character
    start: int    # span in the clean text
    end: int
    cstart: int = -1  # span in the corrupted text
    cend: int = -1


@dataclass
class Corrupted:
    """A clean text, its corrupted rendering and the sites that differ."""

    clean: str
    text: str
    sites: list[Site] = field(default_factory=list)
    scenario: Scenario = Scenario()
    html: str = ""


@dataclass
class _Piece:
    """A run of HTML source: one character of the text (raw, lost or as an entity) or markup."""

    source: str
    index: int | None  # offset of the character in the clean text; None for markup
    kind: str          # "char", "lost", "entity", "markup"


def normalize(text: str) -> str:
    """The clean reference: one paragraph per line of `text`, blank-line separated, spaces collapsed."""
    paragraphs = (HTML_SPACE_RE.sub(" ", p).strip(" ") for p in PARAGRAPH_SPLIT_RE.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _entity(ch: str, style: str) -> str:
    """The HTML entity for one character in the given style."""
    name = html.entities.codepoint2name.get(ord(ch))
    if style == "named" and name:
        return f"&{name};"
    return f"&#x{ord(ch):x};" if style == "hex" else f"&#{ord(ch)};"


def _char_piece(ch: str, index: int, scenario: Scenario, rng: random.Random) -> _Piece:
    """Encode one character of the text the way the scenario's source did."""
    if ch in ESCAPES:
        return _Piece(ESCAPES[ch], index, "entity")
    if ch.isascii():
        return _Piece(ch, index, "char")
    if scenario.charset == "ascii":
        if ch in LOST_CHARS and rng.random() >= scenario.entity_rate:
            return _Piece("?", index, "lost")
        style = scenario.entity_style if ch in LOST_CHARS else ("named" if ord(ch) < 256 else "decimal")
        return _Piece(_entity(ch, style), index, "entity")
    if rng.random() < scenario.entity_rate:
        return _Piece(_entity(ch, scenario.entity_style), index, "entity")
    return _Piece(ch, index, "char")


def _paragraph_pieces(text: str, base: int, scenario: Scenario, rng: random.Random) -> list[_Piece]:
    """Pieces of one paragraph, with inline tags opened at word starts and closed a few words on."""
    pieces: list[_Piece] = []
    close, words_left = None, 0
    for offset, ch in enumerate(text):
        at_word = ch != " " and (offset == 0 or text[offset - 1] == " ")
        if at_word and close and words_left == 0:
            pieces.append(_Piece(close, None, "markup"))
            close = None
        if at_word and not close and rng.random() < scenario.markup_rate:
            opening, close = rng.choice(INLINE_TAGS)
            pieces.append(_Piece(opening.format(n=rng.randrange(10**5, 10**6)), None, "markup"))
            words_left = rng.randint(1, 4)
        if at_word and close:
            words_left -= 1
        pieces.append(_char_piece(ch, base + offset, scenario, rng))
    if close:
        pieces.append(_Piece(close, None, "markup"))
    return pieces


def build_pieces(clean: str, scenario: Scenario, rng: random.Random) -> list[_Piece]:
    """The HTML source of a normalized clean text, as pieces that remember their clean offsets."""
    p_open = rng.choice(PARAGRAPH_TAGS)
    pieces = [_Piece("<html><head><title>Article</title></head><body>\n", None, "markup")]
    if scenario.layout != "lines":
        pieces.append(_Piece("<div>", None, "markup"))
    base = 0
    paragraphs = clean.split("\n\n")
    for number, paragraph in enumerate(paragraphs):
        last = number == len(paragraphs) - 1
        if scenario.layout == "br":
            pieces.extend(_paragraph_pieces(paragraph, base, scenario, rng))
            pieces.append(_Piece("" if last else "<br /><br />", None, "markup"))
        else:
            pieces.append(_Piece(p_open, None, "markup"))
            pieces.extend(_paragraph_pieces(paragraph, base, scenario, rng))
            pieces.append(_Piece("</p>\n" if scenario.layout == "lines" else "</p>", None, "markup"))
        base += len(paragraph) + 2
    pieces.append(_Piece("</div>\n" if scenario.layout != "lines" else "", None, "markup"))
    pieces.append(_Piece("</body></html>\n", None, "markup"))
    return [p for p in pieces if p.source]


def sendmail_cuts(length: int, limit: int = 990) -> list[int]:
    """Offsets after which sendmail's putxline breaks a line of `length` bytes with "!"."""
    cuts, pos, slop = [], 0, 0
    while length - pos + slop > limit:
        pos += limit - slop - 1
        cuts.append(pos)
        slop = 1
    return cuts


def postfix_cuts(length: int, limit: int = 998) -> list[int]:
    """Offsets after which Postfix's smtp_text_out breaks a line of `length` bytes."""
    cuts, pos, room = [], 0, limit
    while length - pos >= room:
        pos += room
        if pos >= length:
            break
        cuts.append(pos)
        room = limit - 1
    return cuts


RELAYS = {"sendmail": (sendmail_cuts, SENDMAIL_BREAK), "postfix": (postfix_cuts, POSTFIX_BREAK)}


def relay(data: bytes, origin: list[int], name: str, limit: int) -> tuple[bytes, list[int], list[int]]:
    """Pass a body through one relay; return it, each byte's source offset (-1 if inserted) and the cuts."""
    cuts_of, insert = RELAYS[name]
    out, out_origin, cuts = bytearray(), [], []
    start = 0
    while start <= len(data):
        end = data.find(EOL, start)
        end = len(data) if end < 0 else end
        prev = start
        for cut in cuts_of(end - start, limit):
            out += data[prev:start + cut]
            out_origin += origin[prev:start + cut]
            out += insert
            out_origin += [-1] * len(insert)
            cuts.append(next(o for o in origin[start + cut:] if o >= 0))
            prev = start + cut
        out += data[prev:end + 1]
        out_origin += origin[prev:end + 1]
        start = end + 1
    return bytes(out), out_origin, cuts


def _html_chunks_lxml(html_text: str) -> list[str | None]:
    """Text runs of the page in order, None at each block boundary (lxml's HTML parser)."""
    import lxml.html

    out: list[str | None] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        block = tag in BLOCK_TAGS
        if block:
            out.append(None)
        if tag is not None and tag not in SKIPPED_TAGS and el.text:
            out.append(el.text)
        if tag is not None and tag not in SKIPPED_TAGS:
            for child in el:
                walk(child)
        if block:
            out.append(None)
        if el.tail:
            out.append(el.tail)

    walk(lxml.html.document_fromstring(html_text))
    return out


def _html_chunks_bs4(html_text: str) -> list[str | None]:
    """Text runs of the page in order, None at each block boundary (Python's html.parser)."""
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString, Tag

    out: list[str | None] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Tag) and child.name in SKIPPED_TAGS:
                continue
            if isinstance(child, Tag):
                block = child.name in BLOCK_TAGS
                if block:
                    out.append(None)
                walk(child)
                if block:
                    out.append(None)
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                out.append(str(child))

    walk(BeautifulSoup(html_text, "html.parser"))
    return out


def render(html_text: str, parser: str = "lxml", collapse: bool = True) -> str:
    """The page's text: block elements become paragraphs separated by a blank line."""
    chunks = _html_chunks_lxml(html_text) if parser == "lxml" else _html_chunks_bs4(html_text)
    paragraphs, current = [], []
    for chunk in chunks + [None]:
        if chunk is not None:
            current.append(chunk)
            continue
        text = "".join(current)
        text = HTML_SPACE_RE.sub(" ", text).strip(" ") if collapse else text.strip(" \t\n\r\f")
        if text:
            paragraphs.append(text)
        current = []
    return "\n\n".join(paragraphs)


def _decode(data: bytes, charset: str) -> str:
    """Decode the delivered body as the reader's software did."""
    if charset == "cp1252":
        return data.decode("sloppy-windows-1252")
    return data.decode("utf-8", errors="replace")


def _cut_site(kind: str, byte: int, pieces: list[_Piece], starts: list[int], clean: str) -> Site:
    """The site of a line break inserted before source byte `byte`."""
    i = bisect.bisect_right(starts, byte) - 1
    inside = starts[i] != byte
    if inside and pieces[i].index is not None:
        detail = "in_char" if pieces[i].kind == "char" else "in_entity"
        return Site(kind, detail, pieces[i].index, pieces[i].index + 1)
    before = next((p.index for p in reversed(pieces[:i + inside]) if p.index is not None), 0)
    after = next((p.index for p in pieces[i + inside:] if p.index is not None), len(clean) - 1)
    if inside or pieces[i - 1].kind == "markup" or pieces[i].kind == "markup":
        # Only the text between the neighbouring characters, so a break next door is not counted here.
        if before + 1 < after:
            return Site(kind, "in_markup", before + 1, after)
        detail = "in_markup"
    elif clean[before].isalnum() and clean[after].isalnum():
        detail = "in_word"
    elif clean[before] == " " or clean[after] == " ":
        detail = "at_space"
    else:
        detail = "punct"
    return Site(kind, detail, before, after + 1)


def _sites(pieces: list[_Piece], cuts: list[tuple[str, int]], clean: str, scenario: Scenario) -> list[Site]:
    """Every site the corruption touched, in clean-text order."""
    starts, pos = [], 0
    for piece in pieces:
        starts.append(pos)
        pos += len(piece.source.encode("utf-8"))
    sites = [_cut_site(kind, byte, pieces, starts, clean) for kind, byte in cuts]
    for piece in pieces:
        if piece.kind == "lost":
            sites.append(Site("lost_char", clean[piece.index], piece.index, piece.index + 1))
        elif piece.kind == "char" and scenario.charset == "cp1252" and not clean[piece.index].isascii():
            sites.append(Site("mojibake", clean[piece.index], piece.index, piece.index + 1))
    return sorted(sites, key=lambda s: (s.start, s.end))


def transport(pieces: list[_Piece], scenario: Scenario) -> tuple[bytes, list[tuple[str, int]]]:
    """Encode the source and pass it through the scenario's relays; return the body and its cuts."""
    data = "".join(p.source for p in pieces).encode("utf-8")
    origin = list(range(len(data)))
    cuts: list[tuple[str, int]] = []
    for name, limit in scenario.relays:
        data, origin, new = relay(data, origin, name, limit)
        kind = "stray_bang" if name == "sendmail" else "split_word"
        cuts.extend((kind, byte) for byte in new)
    return data, cuts


def corrupt(text: str, scenario: Scenario = Scenario(), seed: int = 0) -> Corrupted:
    """Corrupt a clean text under `scenario`; sites that left no visible trace are dropped."""
    rng = random.Random(seed)
    clean = normalize(text)
    if not clean:
        return Corrupted(clean, clean, [], scenario)
    pieces = build_pieces(clean, scenario, rng)
    data, cuts = transport(pieces, scenario)
    page = _decode(data, scenario.charset)
    rendered = render(page, scenario.parser, scenario.collapse)
    ops = align(clean, rendered)
    sites = []
    for site in _sites(pieces, cuts, clean, scenario):
        if touched(ops, site.start, site.end):
            site.cstart, site.cend = project(ops, site.start, site.end)
            sites.append(site)
    return Corrupted(clean, rendered, sites, scenario, page)


def random_scenario(rng: random.Random, **fixed) -> Scenario:
    """A scenario with layout, markup, entities and rendering drawn at random; `fixed` overrides."""
    drawn = dict(
        entity_rate=rng.choice((0.0, 0.0, 0.1, 0.5)),
        entity_style=rng.choice(("named", "named", "decimal", "hex")),
        layout=rng.choice(("lines", "oneline", "br")),
        markup_rate=rng.choice((0.0, 0.02, 0.05)),
        parser=rng.choice(("lxml", "html.parser")),
        collapse=rng.random() < 0.75,
    )
    drawn.update(fixed)
    return Scenario(**drawn)


# The families the benchmark corrupts every clean text with: one of each per text.
FAMILIES: dict[str, dict] = {
    "sendmail+ascii": dict(charset="ascii", relays=(("sendmail", 990),)),
    "postfix>sendmail+utf-8": dict(charset="utf-8", relays=(("postfix", 998), ("sendmail", 990))),
    "postfix+ascii": dict(charset="ascii", relays=(("postfix", 998),)),
    "sendmail+mojibake": dict(charset="cp1252", relays=(("sendmail", 990),)),
    "sendmail+utf-8": dict(charset="utf-8", relays=(("sendmail", 990),)),
}


def benchmark_cases(bodies: dict[str, str], variants: int = 1) -> list[Corrupted]:
    """Corrupt every body once per family and variant, each with its own seeded scenario."""
    cases = []
    for doc_id, body in bodies.items():
        for family, fixed in FAMILIES.items():
            for k in range(variants):
                rng = random.Random(f"{doc_id}:{family}:{k}")
                cases.append(corrupt(body, random_scenario(rng, **fixed), seed=rng.randrange(2**31)))
    return cases
