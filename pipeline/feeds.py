"""Feeds (RSS, Atom) and sitemaps (urlset, sitemapindex) to plain lists of links.

The XML parser is set up for hostile input: no entity expansion, no external
entities, no network, no huge trees. A document that does not parse raises
FeedError naming the reason; the caller names the URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# A feed or sitemap larger than this is not a feed we want (sitemaps cap at 50 MB uncompressed).
MAX_XML_BYTES = 50 * 1024 * 1024


class FeedError(ValueError):
    """A feed or sitemap that cannot be read."""


@dataclass
class Entry:
    """One feed item or sitemap location."""

    url: str
    title: str = ""
    updated: str | None = None


@dataclass
class LinkList:
    """What a feed or sitemap page points at."""

    kind: str  # "rss", "atom", "urlset", "sitemapindex"
    entries: list[Entry] = field(default_factory=list)
    next_url: str | None = None  # the next page of a paged feed


def _parser() -> etree.XMLParser:
    """A parser that refuses entity tricks and never touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False,
        recover=False,
    )


def _parse_xml(data: bytes) -> etree._Element:
    """Parse bytes into a root element, or raise FeedError with the reason."""
    if len(data) > MAX_XML_BYTES:
        raise FeedError(f"document is larger than {MAX_XML_BYTES} bytes")
    if b"<!ENTITY" in data[:4096].upper():
        raise FeedError("document declares entities (refused: entity expansion)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML ({exc.msg})") from None
    if root is None:
        raise FeedError("empty document")
    return root


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_links(data: bytes, base_url: str = "") -> LinkList:
    """Read an RSS, Atom, sitemap or sitemap-index document into a LinkList."""
    root = _parse_xml(data)
    kind = _local(root.tag)
    if kind == "feed":
        return _parse_atom(root, base_url)
    if kind in ("rss", "RDF"):
        return _parse_rss(root, base_url)
    if kind in ("urlset", "sitemapindex"):
        return _parse_sitemap(root, kind, base_url)
    raise FeedError(f"not a feed or sitemap (root element <{kind}>)")


def _parse_atom(root: etree._Element, base_url: str) -> LinkList:
    result = LinkList("atom")
    for link in root.findall(f"{ATOM}link"):
        if link.get("rel") == "next" and link.get("href"):
            result.next_url = urljoin(base_url, link.get("href"))
    for entry in root.findall(f"{ATOM}entry"):
        href = None
        for link in entry.findall(f"{ATOM}link"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                href = link.get("href")
                break
        if href:
            updated = _text(entry.find(f"{ATOM}updated")) or _text(entry.find(f"{ATOM}published"))
            result.entries.append(Entry(urljoin(base_url, href), _text(entry.find(f"{ATOM}title")), updated or None))
    return result


def _parse_rss(root: etree._Element, base_url: str) -> LinkList:
    result = LinkList("rss")
    for item in root.iter():
        if _local(item.tag) != "item":
            continue
        link = next((c for c in item if _local(c.tag) == "link"), None)
        href = _text(link) or (link.get("href") if link is not None else "")
        if href:
            date = next((_text(c) for c in item if _local(c.tag) in ("pubDate", "date", "updated")), "")
            title = next((_text(c) for c in item if _local(c.tag) == "title"), "")
            result.entries.append(Entry(urljoin(base_url, href), title, date or None))
    for link in root.iter(f"{ATOM}link"):
        if link.get("rel") == "next" and link.get("href"):
            result.next_url = urljoin(base_url, link.get("href"))
    return result


def _parse_sitemap(root: etree._Element, kind: str, base_url: str) -> LinkList:
    result = LinkList(kind)
    child = "sitemap" if kind == "sitemapindex" else "url"
    for node in root:
        if _local(node.tag) != child:
            continue
        loc = next((_text(c) for c in node if _local(c.tag) == "loc"), "")
        lastmod = next((_text(c) for c in node if _local(c.tag) == "lastmod"), "")
        if loc:
            result.entries.append(Entry(urljoin(base_url, loc), "", lastmod or None))
    return result
