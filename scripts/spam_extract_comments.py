"""Pull reader comments out of the saved real pages, for labelling the spam classifier.

This is labelling tooling, not the project's extractor (that lives in pipeline/extract/).
It knows just enough of the Blogger (classic `dl#comments-block`, Layouts, threaded),
WordPress (`li.comment`, `dt`/`dd` pairs, `div.comment`), TypePad and Movable Type comment
markup found under ../shared/realpages/ to list every comment with its author, the
author's link, its date, its text (links kept inline as `text <url>`) and the post's
title and date.

    python scripts/spam_extract_comments.py ../shared/realpages > /tmp/candidates.jsonl
    python scripts/spam_extract_comments.py ../shared/realpages --labels labels.tsv \
        > tests/cases/comments.jsonl

Bodies longer than MAX_BODY characters are cut at a word boundary (marked with " …"):
the labelled file keeps short excerpts of other people's text, not whole essays.

`--labels` merges hand labels: a TSV of `key<TAB>label<TAB>note` where key is
`page#index` as printed in the candidates' `key` field, or an earlier labelled JSON Lines file
(matched on page, author, date and text), so that a fixed extractor can be re-run without losing the
labels. Comments without a label are left out of the output: the labelled file only holds
comments someone has read.

    python scripts/spam_extract_comments.py ../shared/realpages --labels tests/cases/comments.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
from dateutil import parser as dateparser

# Longest comment text kept in the labelled file; longer ones are cut at a word boundary.
MAX_BODY = 1000

# Folders of real pages that hold comment threads.
PAGE_DIRS = ("blogger", "wordpress", "other_blogs")

# Blogger comment permalinks carry the comment's time in milliseconds.
SHOW_COMMENT_RE = re.compile(r"showComment=(\d{12,13})")

# A comment's own id on the page (WordPress, TypePad, Blogger).
COMMENT_ID_RE = re.compile(r"^(comment-\d+|comment-[0-9a-f]{20,}|c\d{6,})$")

# Hosts whose links are part of the comment chrome, not the commenter's own link.
CHROME_HOSTS = ("blogger.com/profile", "blogger.com/delete", "typepad.com/t/comments", "gravatar.com")

# German month names met on the pages, for dateutil.
GERMAN_MONTHS = {"Januar": "January", "Februar": "February", "März": "March", "Mai": "May", "Juni": "June",
                 "Juli": "July", "Oktober": "October", "Dezember": "December", "Dez.": "Dec", "Okt.": "Oct"}

# The Wayback Machine prefixes every link with its own address.
WAYBACK_RE = re.compile(r"https?://web\.archive\.org/web/\d+(?:im_)?/")

# Post titles and dates that no selector finds, read off the page by hand.
# Dates are the post's own date line (day precision); None where the page shows none.
POST_OVERRIDES: dict[str, dict] = {
    "blogger/cleaneval_final129_observantlittle.blogspot.com_2005-06_classic.html": {
        "post_published": "2005-06-15T00:00:00"},
    "blogger/dragnet_R101_thenotebookdoodles.com_2012-09_13comments.html": {
        "post_published": "2012-09-09T00:00:00"},
    "blogger/traf_plentylife.blogspot.com_2017-05.html": {
        "post_title": "Strong & Beautiful - Pamela Reif [Rezension]",
        "post_published": "2017-05-03T00:00:00"},
    "other_blogs/cleaneval_dev42_typepad_dailyablution_2004.html": {
        "post_title": "Pelling Pounds Pedant into Submission", "post_published": "2004-11-23T00:00:00"},
    "other_blogs/dragnet_R535_typepad_creating-passionate-users.html": {
        "post_title": "Is your app an ass-kisser?", "post_published": "2007-03-20T00:00:00"},
    "wordpress/cleaneval_final563_math.columbia.edu_woit_2004.html": {
        "post_title": "More Landscape Stream of Consciousness", "post_published": "2004-05-31T00:00:00"},
    "wordpress/dragnet_106_randfishkin.com_motivation.html": {
        "post_title": "\u201cYou Can\u2019t Do It\u201d is Powerful Motivation",
        "post_published": "2010-12-04T00:00:00"},
    "wordpress/dragnet_437_randfishkin.com_just-keep-going.html": {
        "post_title": "Just Keep Going", "post_published": "2011-05-23T00:00:00"},
    "wordpress/dragnet_39_fourhourworkweek.com_2012-07_149comments.html": {
        "post_title": "The 5 Top-Performing American Apparel Ads, and How They Get PR for Free (NSFW)",
        "post_published": "2012-07-18T00:00:00"},
    "wordpress/dragnet_419_fourhourworkweek.com_2012-07_385comments.html": {
        "post_title": "How to Lose 100 Pounds on The Slow-Carb Diet \u2013 Real Pics and Stories",
        "post_published": "2012-07-12T00:00:00"},
    "wordpress/dragnet_R112_skepchick.org_2012-10.html": {
        "post_title": "Skepchick Quickies 10.29", "post_published": "2012-10-29T00:00:00"},
    "wordpress/dragnet_R928_scotthyoung.com_2012-10.html": {
        "post_title": "Why Focus (not Effort) is the Key to Getting Stuff Done",
        "post_published": "2012-10-15T00:00:00"},
    "wordpress/dragnet_T40_thefamilyfinances.com_2012-08.html": {"post_published": "2012-08-09T00:00:00"},
    "wordpress/readability_002_hacks.mozilla.org_2015-03.html": {"post_title": "This API is so Fetching!"},
    "wordpress/traf_archive.org_muffinrezept.net_wp3.8_51comments.html": {"post_title": "Muffin Grundrezept"},
    "wordpress/traf_archive.org_the-pain.net_wp3.5_34comments.html": {
        "post_published": "2008-05-26T00:00:00"},
    "wordpress/dragnet_R55_blogohblog.com.html": {"post_title": "Make Breathtaking Movies from Your Photos"},
}


def text_of(el) -> str:
    """The element's text with `<br>`/`<p>` as line breaks and links as `text <url>`."""
    parts: list[str] = []

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("script", "style", "noscript"):
            if node.tail:
                parts.append(node.tail)
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li", "blockquote"):
            parts.append("\n")
        if node.text and tag not in ("script", "style"):
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag == "a":
            href = WAYBACK_RE.sub("", (node.get("href") or "").strip())
            label = node.text_content().strip()
            if href.startswith("http") and href.rstrip("/") not in label and not any(
                h in href for h in CHROME_HOSTS
            ):
                parts.append(f" <{href}>")
        if tag in ("p", "div", "li", "blockquote"):
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{2,}", "\n", text).strip()


def iso(value: str | None) -> str | None:
    """A loose date string as ISO 8601 (seconds), or None."""
    if not value:
        return None
    value = WAYBACK_RE.sub("", value.strip())
    m = SHOW_COMMENT_RE.search(value)
    if m:
        ts = int(m.group(1)) / 1000
        return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if not re.search(r"\b(19|20)\d\d\b", value):
        return None  # a bare "12:42 PM" or "Sunday, September 9": dateutil would invent the year
    for de, en in GERMAN_MONTHS.items():
        value = value.replace(de, en)
    value = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value)
    value = re.sub(r"\b(at|um|Uhr|am)\b(?=\s*\d)", " ", value)
    value = value.replace("|", " ").replace(",", " ")
    try:
        return dateparser.parse(value, fuzzy=True).strftime("%Y-%m-%dT%H:%M:%S")
    except (ValueError, OverflowError):
        return None


def first(el, selectors: list[str]):
    """The first element matching any of the CSS selectors, in selector order."""
    for sel in selectors:
        found = el.cssselect(sel)
        if found:
            return found[0]
    return None


def external_href(el) -> str | None:
    """The first link under `el` that is not comment chrome."""
    if el is None:
        return None
    links = [el] if el.tag == "a" else el.iter("a")
    for a in links:
        href = a.get("href") or ""
        if href.startswith("http://www.typepad.com/t/"):  # TypePad's redirector: the target is the title
            href = a.get("title") or href
        href = WAYBACK_RE.sub("", href)
        if href.startswith("http") and not any(h in href for h in CHROME_HOSTS):
            return href
    return None


def drop_nested(el, selectors: list[str]):
    """A copy of `el` without nested replies, reply links, avatars and admin controls."""
    clone = lxml.html.fromstring(lxml.html.tostring(el))
    for sel in selectors + [".comment-reply-link", ".reply", ".item-control", ".avatar-image-container",
                            ".comment-actions", ".comment-replybox-thread", ".comment-replies",
                            "script", "noscript", ".comment-meta", ".commentmetadata", ".cm-meta",
                            ".comment-author", ".comment_author", ".comment-footer", "cite", ".says",
                            ".comment-awaiting-moderation", ".edit-link"]:
        for node in clone.cssselect(sel):
            if node is not clone and node.getparent() is not None:
                node.drop_tree()
    return clone


def blogger_classic(doc) -> list[dict]:
    """Blogger `dl#comments-block`: dt (author, sometimes the date) / dd.comment-body pairs."""
    out = []
    for dl in doc.cssselect("dl#comments-block"):
        current = None
        for child in dl:
            cls = child.get("class") or ""
            if child.tag == "dt":
                current = {"author": "", "author_url": None, "posted": blogger_id_time(child.get("id")),
                           "body": ""}
                out.append(current)
                who = child.cssselect(".anon-comment-author") or [
                    a for a in child.iter("a")
                    if a.text and a.text.strip() and "permalink" not in (a.get("title") or "")
                ]
                if who:
                    current["author"] = who[-1].text_content().strip()
                    current["author_url"] = external_href(who[-1])
                else:
                    raw = drop_nested(child, ["script"]).text_content()
                    m = re.search(r"([^,\n]+?)\s+said\.\.\.", raw)
                    current["author"] = m.group(1).strip() if m else ""
                for a in child.iter("a"):
                    if "permalink" in (a.get("title") or "") or "Comment Link" in (a.get("title") or ""):
                        href = a.get("href") or ""
                        found = iso(href) if SHOW_COMMENT_RE.search(href) else iso(a.text_content())
                        current["posted"] = found or current["posted"]
            elif current is not None and "comment-body" in cls:
                current["body"] = text_of(drop_nested(child, []))
            elif current is not None and "comment-footer" in cls:
                for a in child.iter("a"):
                    if SHOW_COMMENT_RE.search(a.get("href") or ""):
                        current["posted"] = iso(a.get("href"))
                    elif "permalink" in (a.get("title") or ""):
                        current["posted"] = iso(a.text_content()) or current["posted"]
    return [c for c in out if c["body"] or c["author"]]


def blogger_id_time(cid: str | None) -> str | None:
    """Classic Blogger comment ids (c111880335704360936) start with the Unix time in seconds."""
    m = re.fullmatch(r"c(1\d{9})\d{8}", cid or "")
    if not m:
        return None
    return datetime.fromtimestamp(int(m.group(1)), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def blogger_balkin(doc) -> list[dict]:
    """A custom classic Blogger template: div.blogComment with a 'posted by' byline."""
    out = []
    for div in doc.cssselect("div.blogComment"):
        byline = first(div, [".byline"])
        author, url, posted = "", None, None
        if byline is not None:
            links = [a for a in byline.iter("a") if a.get("title") != "permanent link"]
            if links:
                author = links[-1].text_content().strip()
                url = external_href(links[-1])
            else:
                m = re.search(r"posted by\s+(.+?)\s*:", byline.text_content())
                author = m.group(1).strip() if m else ""
            for a in byline.iter("a"):
                if SHOW_COMMENT_RE.search(a.get("href") or ""):
                    posted = iso(a.get("href"))
        body = text_of(drop_nested(div, [".byline"]))
        out.append({"author": author, "author_url": url, "posted": posted, "body": body})
    return out


def blogger_threaded(doc) -> list[dict]:
    """Blogger threaded comments: .comment-block with cite.user and .comment-content."""
    out = []
    for block in doc.cssselect("div.comment-block"):
        cite = first(block, ["cite.user", ".user"])
        content = first(block, [".comment-content"])
        if content is None:
            continue
        posted = None
        for a in block.cssselect(".datetime a"):
            posted = iso(a.get("href")) or iso(a.text_content())
        out.append({
            "author": cite.text_content().strip() if cite is not None else "",
            "author_url": external_href(cite),
            "posted": posted,
            "body": text_of(content),
        })
    return out


def typepad_new(doc) -> list[dict]:
    """TypePad 2012: div.comment > .comment-content and p.comment-footer 'Posted by: X | date'."""
    out = []
    for div in doc.cssselect("div.comment"):
        content = first(div, [".comment-content"])
        footer = first(div, [".comment-footer"])
        if content is None or footer is None:
            continue
        links = list(footer.iter("a"))
        raw = footer.text_content()
        m = re.search(r"Posted by:\s*(.+?)\s*\|", raw, re.S)
        author = m.group(1).strip() if m else ""
        url = links[0].get("href") if links and links[0].text_content().strip() == author else None
        date = links[-1].text_content() if links else raw.split("|")[-1]
        body = text_of(content)
        if body or author:  # the hidden preview box has neither
            out.append({"author": author, "author_url": url, "posted": iso(date), "body": body})
    return out


def movable_type(doc) -> list[dict]:
    """Old TypePad / Movable Type: <a id="cNNN"></a>, paragraphs, then p.posted 'Posted by: X at date'."""
    out = []
    for anchor in doc.xpath('//a[@id and starts-with(@id, "c") and string-length(@id) > 6]'):
        if not re.fullmatch(r"c\d+", anchor.get("id")):
            continue
        paras = []
        node = anchor.getnext()
        while node is not None and not (node.tag == "p" and "posted" in (node.get("class") or "")):
            if node.tag == "a" and re.fullmatch(r"c\d+", node.get("id") or ""):
                break
            paras.append(node)
            node = node.getnext()
        if node is None or node.tag != "p":
            continue
        raw = node.text_content()
        m = re.search(r"Posted by:\s*(.+?)\s*(?:\||\bat\b)\s*(.+)$", raw.strip(), re.S)
        author = m.group(1).strip() if m else ""
        date = m.group(2) if m else None
        links = list(node.iter("a"))
        url = external_href(links[0]) if links else None
        body = "\n".join(text_of(p) for p in paras).strip()
        out.append({"author": author, "author_url": url, "posted": iso(date), "body": body})
    return out


def own_part(el):
    """A copy of a comment element without the replies nested inside it."""
    clone = lxml.html.fromstring(lxml.html.tostring(el))
    for node in list(clone.iter()):
        if node is clone or node.getparent() is None or not isinstance(node.tag, str):
            continue
        is_reply = re.fullmatch(r"comment-\d+", node.get("id") or "")
        if is_reply or "children" in (node.get("class") or "").split():
            node.drop_tree()
    return clone


def wordpress(doc) -> list[dict]:
    """WordPress and look-alikes: an element with id comment-N (li, div, article, dt)."""
    out = []
    nested = ["ul.children", "ol.children", "dl.children", ".children", "div.comment", "li.comment",
              "ul.comment-list", "[id^=comment-]"]
    for el in doc.xpath("//*[@id]"):
        cid = el.get("id")
        if not re.fullmatch(r"comment-\d+", cid):
            continue
        if el.tag in ("a", "span", "p", "textarea"):
            continue
        scope = own_part(el)
        body_el = None
        if el.tag == "dt":  # dt meta / dd body pairs (shoemoney, incourage)
            dd = el.getnext()
            body_el = first(dd, [".format_text", "div"]) if dd is not None else None
        author_el = first(scope, [".comment-url", "cite.fn", ".comment-author .fn", ".fn", ".comment_author",
                                  ".comment-author", "cite", "a.url", ".cm-meta a.url"])
        author = ""
        url = None
        if author_el is not None:
            inner = author_el.cssselect("a.url") or author_el.cssselect("strong, b") or [
                a for a in author_el.cssselect("a")
                if "#comment" not in (a.get("href") or "") and "reply" not in (a.get("class") or "")]
            author = (inner[0] if inner else author_el).text_content().strip()
            url = external_href(inner[0]) if inner and inner[0].tag == "a" else None
            author = re.sub(r"\s*(says|sagt|Says|meint|schreibt):?\s*$", "", author).strip()
            author = re.sub(r"\s+on\s+\w+ \d.*$", "", author, flags=re.S).strip()
        if not author:
            meta = first(scope, [".cm-meta", ".comment-meta", ".commentmetadata"])
            raw = meta.text_content() if meta is not None else ""
            m = re.search(r"by\s+(.+?)\s+on\s", raw) or re.match(r"\s*(.+?)\s+\u2014", raw)
            author = m.group(1).strip() if m else ""
        if body_el is None:
            body_el = first(scope, [".comment-content", "blockquote.entry-content", ".comment-text",
                                    ".comment_entry", ".commenttext", ".comment-body", "div.format_text",
                                    ".text"])
        if body_el is None:
            body_el = scope
        date_el = first(scope, ["time[datetime]", ".comment-meta-time", ".comment_time", ".commentmetadata a",
                                ".comment-meta a", ".comment-metadata a", ".comment-date", ".date"])
        posted = None
        if date_el is not None:
            posted = iso(date_el.get("datetime")) if date_el.get("datetime") else iso(date_el.text_content())
        if posted is None:
            meta = first(scope, [".comment-meta", ".commentmetadata", ".comment-author"])
            raw = meta.text_content() if meta is not None else scope.text_content()[:300]
            m = re.search(r"(\w+ \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
                          r"(?:,? (?:at )?\d{1,2}:\d{2}\s*[apAP]?\.?[mM]?\.?)?)", raw)
            if m:
                posted = iso(m.group(1))
            else:
                m = re.search(r"(\d{1,2}\.\s*\w+\.? \d{4}(?: um \d{1,2}:\d{2})?)", raw)
                posted = iso(m.group(1)) if m else None
        inner = nested if body_el is scope else ["ul.children", "ol.children", ".children"]
        body = text_of(drop_nested(body_el, inner))
        if body_el is scope and author:
            body = re.sub(r"^\s*" + re.escape(author) + r"\s*(on|Says:|says:)?", "", body).strip()
        body = re.sub(r"^(Says|says|sagt):\s*", "", body)
        if body or author:
            out.append({"author": author, "author_url": url, "posted": posted, "body": body})
    return out


STRATEGIES = (blogger_classic, blogger_balkin, blogger_threaded, typepad_new, movable_type, wordpress)


def post_meta(doc) -> dict:
    """The post's title and publication date, from the usual Blogger/WordPress markup."""
    title_el = first(doc, ["h3.post-title", "h1.entry-title", "h2.entry-title", ".entry-title",
                           "h1.post-title", "h2.post-title", ".post-title", "h3.entry-header", "h1", "title"])
    title = re.sub(r"\s+", " ", title_el.text_content()).strip() if title_el is not None else None
    published = None
    for sel, attr in (("abbr.published", "title"), ("time.published", "datetime"),
                      ("time.entry-date", "datetime"), ("meta[property='article:published_time']", "content"),
                      ("meta[itemprop='datePublished']", "content"),
                      ("time[datetime]", "datetime"), ("h2.date-header", None), (".date-header", None),
                      (".entry-date", None), (".post-date", None), (".date", None)):
        el = first(doc, [sel])
        if el is not None:
            published = iso(el.get(attr) if attr else el.text_content())
            if published:
                break
    return {"post_title": title, "post_published": published}


def extract_page(path: Path) -> list[dict]:
    """All comments of one page by the first strategy that finds any."""
    raw = path.read_bytes()
    doc = lxml.html.fromstring(raw)
    for strategy in STRATEGIES:
        comments = strategy(doc)
        if comments:
            break
    else:
        return []
    meta = post_meta(doc)
    return [dict(c, **meta, strategy=strategy.__name__) for c in comments]


def excerpt(text: str, limit: int = MAX_BODY) -> str:
    """`text` cut to at most `limit` characters at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(None, 1)[0] + " \u2026"


def read_labels(path: Path) -> dict:
    """Hand labels by `page#index` (TSV) or by (page, author, posted, body) (an earlier labelled file)."""
    labels: dict = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if path.suffix == ".jsonl":
            row = json.loads(line)
            labels[(row["page"], row["author"], row["posted"], row["body"])] = (row["label"], row.get("note"))
        else:
            key, label, *note = line.split("\t")
            labels[key] = (label, note[0] if note and note[0] else None)
    return labels


def main() -> None:
    """Print candidate comments (or, with --labels, the labelled ones) as JSON Lines."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path, help="the realpages folder")
    ap.add_argument("--labels", type=Path, help="TSV of key, label, note")
    args = ap.parse_args()
    labels = read_labels(args.labels) if args.labels else {}
    for folder in PAGE_DIRS:
        for path in sorted((args.root / folder).glob("*.html")):
            if path.name.endswith(".expected.html"):
                continue
            page = f"{folder}/{path.name}"
            for i, c in enumerate(extract_page(path)):
                key = f"{page}#{i}"
                row = {"page": page, "author": c["author"], "author_url": c["author_url"],
                       "posted": c["posted"], "body": c["body"], "post_title": c["post_title"],
                       "post_published": c["post_published"]}
                row.update(POST_OVERRIDES.get(page, {}))
                if args.labels:
                    row["body"] = excerpt(row["body"])
                    found = labels.get(key) or labels.get((page, row["author"], row["posted"], row["body"]))
                    if not found:
                        continue
                    row["label"], note = found
                    if note:
                        row["note"] = note
                else:
                    row = {"key": key, "strategy": c["strategy"], **row}
                print(json.dumps(row, ensure_ascii=False, sort_keys=False))


if __name__ == "__main__":
    main()
