"""Tree helpers shared by the page parsers: parse, select, block texts, sanitized HTML.

Every parser works on one lxml tree per page. Selector tables are tuples of CSS (or
XPath, when the string starts with "/", "./" or "(") compiled once at import time with
`compile_selectors`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urljoin

import nh3
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement, HTMLParser, document_fromstring, tostring



class Selectors(tuple):
    """Compiled selectors in order of preference, plus their union (one pass, document order)."""

    union: etree.XPath | None

    def __new__(cls, items: tuple = (), union: etree.XPath | None = None) -> "Selectors":
        table = super().__new__(cls, items)
        table.union = union
        return table


# Inline whitespace, NBSP and the other Unicode spaces included: one space inside a block.
WHITESPACE = re.compile(r"\s+")
# A block must hold at least one word character, or it is a separator ("* * *", "|").
WORDY = re.compile(r"\w")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# C0 control characters other than tab, newline and carriage return: invisible, and lxml refuses
# to set them as an element's text, so dropping an element next to one (drop_tree) would raise.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Elements that hold no article text at all.
SKIP_TAGS = frozenset(
    "script style noscript iframe button select option input textarea svg template "
    "object embed canvas map head link meta title label".split()
)
# Elements that start a new block of text. Table cells do not: a row is one block,
# its cells separated by " | ".
BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr thead tbody "
    "tfoot caption section article header footer aside nav figure figcaption address hr "
    "center fieldset main details summary".split()
)
CELL_TAGS = frozenset({"td", "th"})
CELL_SEPARATOR = " | "
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Hard-wrapped text (an e-mail pasted into a blog with "convert line breaks" on) comes as
# lines of similar length separated by single <br>: such runs are one paragraph.
HARD_WRAP_MIN_LINES = 3  # two lines are as likely an address or a byline
HARD_WRAP_MIN_CHARS = 40  # mail clients wrap at 65-78 columns, some at 60
HARD_WRAP_MAX_CHARS = 100  # longer "lines" are paragraphs the author broke on purpose
SENTENCE_END = re.compile(r"""[.!?:;)"'\u201d\u2019]$""")

# What nh3 keeps in body_html: text structure, links and images, nothing executable.
SAFE_TAGS = frozenset(
    "p br h1 h2 h3 h4 h5 h6 ul ol li blockquote pre code em strong b i u s sub sup a img "
    "table thead tbody tfoot tr td th caption dl dt dd hr figure figcaption q cite abbr".split()
)
SAFE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}
SAFE_URL_SCHEMES = {"http", "https", "mailto"}


def compile_selectors(*selectors: str) -> Selectors:
    """Compile CSS or XPath selector strings, in order of preference."""
    paths = []
    for selector in selectors:
        if selector.startswith(("/", "./", "(")):
            paths.append(selector)
        else:
            paths.append(CSSSelector(selector).path)
    union = etree.XPath(" | ".join(paths)) if paths else None
    return Selectors(tuple(etree.XPath(path) for path in paths), union)


def parse(html: str) -> HtmlElement:
    """Parse a page into an lxml tree (comments and processing instructions dropped)."""
    html = CONTROL_CHARS.sub("", XML_DECLARATION.sub("", html, count=1))
    parser = HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
    return document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)


def select_all(node: HtmlElement, selectors: Selectors) -> list[HtmlElement]:
    """Every element matched by any selector, in document order, without duplicates."""
    if not selectors:
        return []
    union = getattr(selectors, "union", None)
    if union is not None:
        return [el for el in union(node) if isinstance(el, HtmlElement)]
    found = [el for selector in selectors for el in selector(node) if isinstance(el, HtmlElement)]
    return list(dict.fromkeys(found))


def select_first(node: HtmlElement, selectors: Selectors) -> HtmlElement | None:
    """The first element of the first selector that matches anything."""
    for selector in selectors:
        for element in selector(node):
            if isinstance(element, HtmlElement):
                return element
    return None


def outermost(elements: Iterable[HtmlElement]) -> list[HtmlElement]:
    """Drop every element that sits inside another one of the list."""
    chosen = list(elements)
    members = set(chosen)
    return [el for el in chosen if not any(a in members for a in el.iterancestors())]


def normalize(text: str | None) -> str:
    """Collapse whitespace to single spaces and strip (stray cell separators included)."""
    return WHITESPACE.sub(" ", text or "").strip().strip("|").strip()


def text_of(element: HtmlElement | None) -> str:
    """The element's visible text, whitespace normalised, scripts and styles left out."""
    if element is None:
        return ""
    return " ".join(part for part in blocks(element, split_lines=False))


_STRING_LENGTH = etree.XPath("string-length(normalize-space(.))")


def text_length(element: HtmlElement) -> int:
    """A quick measure of an element's text (scripts included): for size thresholds only."""
    return int(_STRING_LENGTH(element))


def has_class(element: HtmlElement, name: str) -> bool:
    """True when the element's class attribute holds the class token `name`."""
    classes = element.get("class") if isinstance(element.tag, str) else None
    return bool(classes) and name in classes.split()


def is_hidden(element: HtmlElement) -> bool:
    """True for elements styled or marked invisible."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and HIDDEN_STYLE.search(style))


def blocks(
    root: HtmlElement,
    skip: Callable[[HtmlElement], bool] | None = None,
    split_lines: bool = True,
    wordy: bool = True,
    links: bool = False,
) -> list[str]:
    """Block-level texts under root in page order: paragraphs, headings, list items.

    With `wordy`, blocks without a word character (separators like "* * *") are dropped.
    With `links`, a link's target follows its text as "text <url>" (see `link_target`).
    """
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        joined = "".join(buffer)
        buffer.clear()
        if split_lines:
            out.extend(split_br_lines(joined, wordy))
        else:
            text = normalize(joined)
            if text:
                out.append(text)

    walker = etree.iterwalk(root, events=("start", "end"))
    skipped: set[HtmlElement] = set()
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if element is not root and (
                tag in SKIP_TAGS or is_hidden(element) or (skip is not None and skip(element))
            ):
                skipped.add(element)
                walker.skip_subtree()
                continue
            if tag == "br":
                buffer.append("\n")
            elif tag in BLOCK_TAGS:
                flush()
            elif tag in CELL_TAGS and "".join(buffer).strip():
                buffer.append(CELL_SEPARATOR)
            buffer.append(_space(element.text))
        else:
            if element in skipped:
                skipped.discard(element)
            elif tag in BLOCK_TAGS:
                flush()
            elif tag == "a" and links and (target := link_target(element)):
                buffer.append(f" <{target}>")
            if element is not root:
                buffer.append(_space(element.tail))
    flush()
    return out


def link_target(anchor: HtmlElement) -> str | None:
    """An http(s) link's target when its text does not already show it, else None.

    Comment spam hides its target behind keyword text ("cheap ugg boots"); keeping the URL
    in the comment's text keeps that evidence for the spam model, which is trained on it.
    """
    href = (anchor.get("href") or "").strip()
    if not href.lower().startswith(("http://", "https://")):
        return None
    shown = anchor.text_content()
    return None if href.rstrip("/") in shown else href


def _space(text: str | None) -> str:
    """Inline text with its whitespace runs turned into one space (newlines included)."""
    return WHITESPACE.sub(" ", text) if text else ""


def split_br_lines(text: str, wordy: bool = True) -> list[str]:
    """Split a block on its <br> marks: a blank line ends a paragraph; lone breaks end a line."""
    paragraphs: list[str] = []
    for group in re.split(r"\n\s*\n", text):
        lines = [normalize(line) for line in group.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        if looks_hard_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return [p for p in paragraphs if not wordy or WORDY.search(p)]


def looks_hard_wrapped(lines: Sequence[str]) -> bool:
    """True when lines read as one paragraph wrapped at a fixed width."""
    if len(lines) < HARD_WRAP_MIN_LINES:
        return False
    body = lines[:-1]
    if not all(HARD_WRAP_MIN_CHARS <= len(line) <= HARD_WRAP_MAX_CHARS for line in body):
        return False
    ended = sum(1 for line in body if SENTENCE_END.search(line))
    return ended * 2 < len(body)


def drop(elements: Iterable[HtmlElement]) -> None:
    """Remove elements from their tree, keeping the text that follows each one."""
    for element in list(elements):
        if element.getparent() is not None:
            element.drop_tree()


def sanitize(element: HtmlElement | None, base_url: str = "") -> str:
    """The element's inner HTML made safe with nh3: no scripts, handlers or javascript: links."""
    if element is None:
        return ""
    if base_url:
        for attribute in ("href", "src"):
            for node in element.iter():
                value = node.get(attribute) if isinstance(node.tag, str) else None
                if value and not value.startswith(("#", "data:")):
                    try:
                        node.set(attribute, urljoin(base_url, value.strip()))
                    except ValueError:
                        node.attrib.pop(attribute, None)
    inner = (element.text or "") + "".join(
        tostring(child, encoding="unicode", with_tail=True) for child in element
    )
    cleaned = nh3.clean(
        inner,
        tags=set(SAFE_TAGS),
        attributes={tag: set(attrs) for tag, attrs in SAFE_ATTRIBUTES.items()},
        url_schemes=set(SAFE_URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )
    return re.sub(r"\n\s*\n+", "\n", cleaned).strip()


def attr_first(node: HtmlElement, selectors: Selectors, attribute: str) -> str:
    """The attribute of the first matching element that carries it, else ''."""
    for selector in selectors:
        for element in selector(node):
            if isinstance(element, HtmlElement) and element.get(attribute):
                return element.get(attribute).strip()
    return ""


def meta_content(doc: HtmlElement, *names: str) -> str:
    """The content of the first <meta name=.. | property=.. | itemprop=..> among names."""
    for name in names:
        for element in doc.iterfind(".//meta"):
            key = element.get("name") or element.get("property") or element.get("itemprop")
            if key and key.lower() == name and element.get("content"):
                return normalize(element.get("content"))
    return ""
