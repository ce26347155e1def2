"""Separate what is not the article from its paragraphs: chrome, the syndication line, the resource box.

The extractor already cut the page down to the post's own container; this module deals
with what leaks through into `Article.paragraphs`:

* `strip_chrome`: page chrome (Blogger's "Post a Comment", WordPress's "Share this:",
  a directory's "Free Business Articles Blog", copyright lines), by per-platform phrase tables;
* `split_syndication`: the "Source: URL" / "Originally published at ..." line, which
  becomes `articles.syndicated_from`;
* `split_bio`: the author's resource box, which becomes `authors.bio`.

Run them in that order (as `pipeline.clean.clean_article` does); each also copes with the
others' leftovers, and with text that still carries the mail-gateway "!" corruption
("Free Busine! ss Articles Blog"): phrases are compared on their letters and digits only.

A paragraph may hold several lines ("© 2008 ...\\nSource: ...\\nFree Business Articles Blog");
every rule works on lines, and only whole lines, or a chrome fragment at a line's end
(or start), are removed. A body line that merely mentions "home" or "comment" stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.urls import author_key, normalize_url

# --------------------------------------------------------------------------------------
# Chrome tables. Per platform:
#   lines:     exact chrome lines, compared on letters and digits only, case-folded
#              ("Email This BlogThis!" == "Email ThisBlogThis!", "Free Busine! ss ..." matches);
#   patterns:  regexes a whole line must match (case-insensitive, full match);
#   fragments: phrases distinctive enough to be cut from the end (or, if long, the start)
#              of a body line they were glued to, after a sentence end.
# --------------------------------------------------------------------------------------

COPYRIGHT = (
    # "© 2008 Copyright Magnetic Leadership Marketing. All Rights Reserved", "Copyright (c) 2008-10 J. Doe".
    # A year must follow the mark at once, so "Copyright law changed in 1998 ..." is prose.
    r"(?:©|\(c\)|&copy;|copyright\b)(?:[^\n]{0,200}?\ball\s+rights\s+reserved\b\.?"
    r"|\s*(?:©|\(c\)|&copy;|copyright\b)?\s*(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?\b[^\n]{0,80}?)"
)

# A clock time in a byline: "8:15 AM", "02:47:00 AM", "21:11", "10h52".
CLOCK = r"(?:\b\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]\.?m\b\.?)?|\b\d{1,2}h\d{2}\b)"

CHROME_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    # Chrome seen on every kind of site: share widgets, copyright lines, "related" headers.
    "generic": {
        "lines": (
            "Share this:", "Share this", "Share this article", "Share this post", "Share This Post:",
            "Share on Facebook", "Share on Twitter", "Share on LinkedIn", "Share on Google+",
            "Share to Facebook", "Share to Twitter", "Share to Pinterest", "Share It", "Share",
            "Tweet", "Pin It", "Pin it!", "Bookmark and Share", "Bookmark to:", "AddThis",
            "Email this", "Email This Post", "Print this post", "Print this page", "Print this article",
            "Printer Friendly", "Printer Friendly Version", "Like this:", "Like Loading...",
            "Related", "Related posts", "Related Posts:", "Related articles", "Related Articles:",
            "You might also like:", "You may also like:", "Permalink", "Reactions:",
            "Subscribe to our newsletter", "Subscribe via RSS", "Back to top",
            "Free Business Articles Blog",
        ),
        "patterns": (
            COPYRIGHT,
            r".{0,160}\ball\s+rights\s+reserved\b\.?.{0,40}",
            r"\d[\d,.]*k?\s+shares?",  # "197 Shares"
            r"click to (?:share on [\w+ ]{2,20}|email this to a friend|print)(?: \(opens in new window\))?",
        ),
        "fragments": ("Free Business Articles Blog",),
    },
    # Blogger: classic templates (2004-8) and Layouts (2008-12), several languages.
    "blogger": {
        "lines": (
            "Post a Comment", "Subscribe to: Post Comments (Atom)", "Subscribe to Post Comments [Atom]",
            "Subscribe to: Posts (Atom)", "Subscribe to Posts [Atom]", "Post Comments (Atom)",
            "Newer Post Older Post Home", "Newer Post Home", "Older Post Home", "Newer Post", "Older Post",
            "Home", "<< Home", "Links to this post", "Create a Link", "Email This BlogThis!",
            "Email This", "BlogThis!", "Powered by Blogger", "Comments:", "Post Comments",
            "This comment has been removed by the author.", "This post has been removed by the author.",
        ),
        "patterns": (
            # "Posted by Roger Smith at 8:15 AM 2 comments", "posted by Rajk @ 10:48 PM",
            # "posted by OLS | Wednesday, June 15, 2005 | 9:37 AM", localized templates.
            rf"(?:posted|penned|written|published|eingestellt|publié|publicado|pubblicato|geplaatst)\s+"
            rf"(?:by|von|par|por|da|door)\s+.{{1,80}}?(?:\s+(?:at|@|on|um|à|a\s+las|alle|om)\s+|\s*[|,-]\s*)"
            rf".{{0,60}}?{CLOCK}.{{0,80}}",
            r"(?:\d+|no|one)\s+comments?:?(?:\s+links? to this post)?",
            r"labels?:\s*[^.!?]{1,200}",
            # The share bar in any language: "Email ThisBlogThis!Share to TwitterShare to Facebook".
            r".{0,60}blog\s*this!.{0,200}",
            r"email\s*this\s*blog\s*this!?(?:\s*share\s*(?:to|on)\s*[\w+]+)*",
            r"(?:«|<<)\s*home",
            r"(?:newer|older)\s+posts?(?:\s+(?:newer|older)\s+posts?)?(?:\s+home)?",
        ),
        "fragments": (
            "Post a Comment", "Subscribe to: Post Comments (Atom)", "Subscribe to Post Comments [Atom]",
            "Newer Post Older Post Home", "Links to this post", "Email This BlogThis!",
            "Share to Twitter", "Share to Facebook", "Share to Pinterest",
        ),
    },
    # WordPress themes and Jetpack.
    "wordpress": {
        "lines": (
            "Leave a Reply", "Leave a Reply Cancel reply", "Leave a Comment", "Leave a comment",
            "Comments are closed.", "Comments are closed", "You must be logged in to post a comment.",
            "Previous Post", "Next Post", "Previous Article", "Next Article", "Previous Entry", "Next Entry",
            "Filed under:", "Tags:", "Categories:", "Responses", "Trackbacks", "Pingbacks",
        ),
        "patterns": (
            r"(?:filed\s+under|tagged(?:\s+with)?|tags|categories|category|topics)\s*:\s*[^.!?]{1,200}",
            r"posted\s+in\s+[^.!?]{1,80}\|[^.!?]{0,200}",
            r"(?:\d+|no|one)\s+(?:comments?|responses?|replies|thoughts)"
            r"(?:\s+(?:to|on)\s+[“\"'‘].{1,200}|\s+feed for comments.{0,40})?",
            r"(?:«\s*)?(?:previous|next)\s+(?:post|article|entry)(?:\s*»)?(?::.{0,160})?",
            r"you must be logged in to (?:post|leave) a comment\..{0,80}",
            # Kubrick-style post metadata: "This entry was posted on Monday, May 31st, 2004 at 8:40 pm
            # and is filed under Uncategorized. You can follow any responses to this entry ..."
            r"this\s+entry\s+was\s+posted\s+(?:on|in)\s+.{1,120}?(?:filed\s+under|tagged)\b.{0,400}",
            r"(?:this\s+(?:was|entry\s+was)\s+written\s+by\s+.{1,60}?\.\s+)?posted\s+on\s+.{1,80}?\d{4}"
            r".{0,200}?bookmark\s+the\s+permalink\b.{0,200}",
        ),
        "fragments": ("Leave a Reply", "Comments are closed"),
    },
    # Article directories (EzineArticles, ArticlesBase, a1articles, SooperArticles ...).
    "directory": {
        "lines": (
            "Rate this Article", "Rate this article:", "Report this article", "Report Abuse",
            "Print article", "Print Article", "Email to a friend", "Email to a Friend", "Add to favorites",
            "Add to Favorites", "Publish this article", "Republish this article", "Related Articles",
            "Article Comments", "Add Comment", "Post a comment on this article", "Submit Articles",
            "Free Articles", "Free Online Articles Directory", "Ezine Articles",
        ),
        "patterns": (
            r"(?:article\s+)?(?:tags|keywords)\s*:\s*[^.!?]{1,300}",
            r"(?:article\s+|total\s+)?(?:views|word\s+count|comments)\s*:?\s*\(?\d[\d,]*\)?",
            r"submitted\s+(?:on|by)\s*:\s*.{1,60}|submitted\s+on\s+.{1,30}\d{4}",
            r"(?:article\s+)?(?:published|added)\s*(?:on|:)\s*.{1,40}\d{4}",
            r"find more .{1,60} articles",
            r"ezine\s*articles\s+submission\b.{0,200}",
            r"comments?\s*\(\d+\)",
        ),
        "fragments": ("Free Business Articles Blog",),
    },
}

# Which tables apply to which platform. Blogs republish directory articles with their
# footers, so the directory table applies to them too; an unknown site gets every table.
PLATFORM_TABLES: dict[str, tuple[str, ...]] = {
    "blogger": ("generic", "directory", "blogger"),
    "wordpress": ("generic", "directory", "wordpress"),
    "directory": ("generic", "directory"),
    "generic": ("generic", "directory", "blogger", "wordpress"),
}

# Lines that are share buttons only when they come in a run, or next to a share header:
# a list item "Facebook" in a post about social networks stays.
SHARE_WORDS = frozenset(
    {
        "facebook", "twitter", "digg", "reddit", "email", "e-mail", "print", "linkedin", "pinterest",
        "stumbleupon", "delicious", "google+", "google", "tumblr", "buffer", "pin", "share", "tweet",
        "whatsapp", "more", "like", "save", "flipboard", "pocket", "telegram", "sms", "mix", "yummly",
        "instagram", "youtube", "rss", "feed", "vk", "xing",
    }
)
SHARE_RUN_MIN = 3  # "Facebook / Digg / Reddit": three share words in a row are a widget

# Headers of a "related posts" list: the header and the short title lines after it go.
RELATED_HEADER = re.compile(
    r"^\W*(?:related\s+(?:posts?|articles?|stories|entries)|you\s+(?:might|may)\s+also\s+like|"
    r"posts?\s+related\s+to\b.{0,120}|more\s+(?:posts|articles)\s+(?:like\s+this|from\s+.{1,40})|"
    r"(?:\w+\s+)?recommends\s+you\s+check\s+out\s+these.{0,40}|recent\s+posts|popular\s+posts)\W*$",
    re.I,
)
RELATED_TITLE_MAX_WORDS = 14  # a post title, not a paragraph of prose

SENTENCE_END = r"(?:^|(?<=[.!?:;)\]\"”’'»|])\s{1,3})"
LONG_FRAGMENT_KEY = 14  # letters in a phrase unmistakable enough to cut wherever it is glued on


NOT_KEY_RE = re.compile(r"[\W_]+")


def key(text: str) -> str:
    """Letters and digits only, case-folded: how chrome phrases are compared."""
    return NOT_KEY_RE.sub("", text.casefold())


def loose(phrase: str) -> str:
    """A regex for `phrase` that allows any punctuation or space between its characters."""
    return r"[\W_]*".join(re.escape(ch) for ch in key(phrase))


@dataclass(frozen=True)
class ChromeRules:
    """The compiled tables for one platform."""

    line_keys: frozenset[str]
    patterns: re.Pattern
    # (key the line must end with, or "" when any may; the pattern): a phrase matched loosely
    # at the end of a line leaves its letters at the end of the line's key, so a line without
    # them is passed over without running the pattern.
    trailing: tuple[tuple[str, re.Pattern], ...]
    # (key the line must start with, or ""; the pattern), likewise at the start.
    leading: tuple[tuple[str, re.Pattern], ...]


def _alternation(patterns: list[str]) -> re.Pattern:
    """One case-insensitive full-match regex for all `patterns` (never an empty alternation)."""
    body = "|".join(f"(?:{p})" for p in patterns) or r"(?!x)x"
    return re.compile(rf"\s*(?:{body})\s*", re.I | re.S)


@cache
def rules_for(platform: str) -> ChromeRules:
    """Compile the chrome tables that apply to `platform` (unknown platforms get all)."""
    names = PLATFORM_TABLES.get(platform, PLATFORM_TABLES["generic"])
    tables = [CHROME_TABLES[name] for name in names]
    line_keys = frozenset(key(p) for t in tables for p in t["lines"]) - {""}
    patterns = _alternation([p for t in tables for p in t["patterns"]])
    phrases = sorted({p for t in tables for p in t["fragments"]}, key=lambda p: -len(key(p)))
    # (letters, regex) of each phrase; the copyright notice and "<< Home" are regexes of their own.
    long_phrases = [(key(p), loose(p)) for p in phrases if len(key(p)) >= LONG_FRAGMENT_KEY]
    long_phrases.append(("", COPYRIGHT))
    short_phrases = [(key(p), loose(p)) for p in phrases if len(key(p)) < LONG_FRAGMENT_KEY]
    # Long phrases are cut after any space ("...article_80.html Free Business Articles Blog"),
    # short ones only after a sentence ("... growth. Post a Comment", not "please post a comment").
    short_phrases.append(("home", r"(?:«|<<)\s*Home"))
    trailing = tuple(
        [(k, re.compile(rf"(?:^|(?<=\s))(?:{f})[\W_]*$", re.I)) for k, f in long_phrases]
        + [(k, re.compile(rf"{SENTENCE_END}(?:{f})[\W_]*$", re.I)) for k, f in short_phrases]
    )
    # From a line's start only long phrases and copyright notices, and only before a new sentence.
    leading = tuple(
        (k, re.compile(rf"^\W*(?:{f})(?=\s+(?-i:[A-Z0-9©(\"“]))", re.I)) for k, f in long_phrases
    )
    return ChromeRules(line_keys, patterns, trailing, leading)


def is_chrome_line(line: str, platform: str = "generic") -> bool:
    """True if the whole line is chrome by `platform`'s tables."""
    return _is_chrome(line, key(line), rules_for(platform))


def _is_chrome(line: str, line_key: str, rules: ChromeRules) -> bool:
    """is_chrome_line with the line's key already made (a line's key is its stripped form's)."""
    stripped = line.strip()
    if not stripped:
        return False
    return line_key in rules.line_keys or rules.patterns.fullmatch(stripped) is not None


def cut_fragments(line: str, rules: ChromeRules, line_key: str | None = None) -> tuple[str, list[str]]:
    """Cut chrome glued to the end or start of a body line; return (rest, cut pieces in page order)."""
    head: list[str] = []
    tail: list[str] = []
    letters = key(line) if line_key is None else line_key
    changed = True
    while changed and line:
        changed = False
        for needed, pattern in rules.trailing:
            if not letters.endswith(needed):
                continue
            match = pattern.search(line)
            if match and line[: match.start()].strip():
                tail.insert(0, line[match.start() :].strip())
                line = line[: match.start()].rstrip()
                letters = key(line)
                changed = True
                break
        for needed, pattern in rules.leading:
            if not letters.startswith(needed):
                continue
            match = pattern.match(line)
            if match and line[match.end() :].strip():
                head.append(match.group(0).strip())
                line = line[match.end() :].lstrip()
                letters = key(line)
                changed = True
                break
    return line, head + tail


def is_share_word(line: str) -> bool:
    """True for a line that is a lone share-button label ("Facebook", "Digg", "Email")."""
    return line.strip().casefold().strip(" :.|") in SHARE_WORDS


def is_share_bar(line: str) -> bool:
    """True for one line made of share-button labels only ("Twitter Facebook Pinterest Instagram")."""
    count = 0
    for word in line.casefold().split():  # a word at a time: prose fails at its first word
        word = word.strip(" :.|•·")
        if not word:
            continue
        if word not in SHARE_WORDS:
            return False
        count += 1
    return count >= SHARE_RUN_MIN


def _drop_share_runs(lines: list[str], dropped: list[bool]) -> None:
    """Mark runs of share labels that are long enough, or that touch a dropped chrome line."""
    i = 0
    while i < len(lines):
        if dropped[i] or not is_share_word(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and not dropped[j] and is_share_word(lines[j]):
            j += 1
        touches_chrome = (i > 0 and dropped[i - 1]) or (j < len(lines) and dropped[j])
        if j - i >= SHARE_RUN_MIN or touches_chrome:
            for k in range(i, j):
                dropped[k] = True
        i = j


def _drop_related_lists(lines: list[str], dropped: list[bool]) -> None:
    """Mark a "Related posts" header and the short title lines that follow it."""
    for i, line in enumerate(lines):
        if not RELATED_HEADER.match(line):
            continue
        dropped[i] = True
        for j in range(i + 1, len(lines)):
            text = lines[j].strip()
            if len(text.split()) > RELATED_TITLE_MAX_WORDS or re.search(r"[.!?]\s+\S.*[.!?]$", text):
                break
            dropped[j] = True


def strip_chrome(paragraphs: list[str], platform: str = "generic") -> tuple[list[str], list[str]]:
    """Drop paragraphs (or trailing/leading fragments) that are page chrome by the per-platform phrase tables; return (kept, removed)."""
    rules = rules_for(platform)
    # Flatten to lines, remembering each line's paragraph and the fragments cut from it.
    owners: list[int] = []
    lines: list[str] = []
    cuts: list[list[str]] = []
    dropped: list[bool] = []
    for index, paragraph in enumerate(paragraphs):
        for line in paragraph.split("\n"):
            line_key = key(line)
            chrome = _is_chrome(line, line_key, rules)
            rest, cut = (line, []) if chrome else cut_fragments(line, rules, line_key)
            owners.append(index)
            lines.append(rest)
            cuts.append(cut)
            # A line with nothing cut from it was judged above; what is left of a cut line is judged anew.
            dropped.append((chrome if not cut else is_chrome_line(rest, platform)) or is_share_bar(rest))
    _drop_share_runs(lines, dropped)
    _drop_related_lists(lines, dropped)

    kept_lines: list[list[str]] = [[] for _ in paragraphs]
    removed: list[str] = []
    for owner, line, cut, drop in zip(owners, lines, cuts, dropped):
        removed.extend(cut)
        if drop:
            removed.append(line.strip())
        else:
            kept_lines[owner].append(line)
    kept = ["\n".join(group).strip("\n") for group in kept_lines]
    return [p for p in kept if p.strip()], removed


# --------------------------------------------------------------------------------------
# Syndication lines: "Source: URL", "Article Source: URL", "Originally published at ...",
# "Reprinted from ...". The URL becomes articles.syndicated_from.
# --------------------------------------------------------------------------------------

URLISH = (
    r"(?:https?://|www\.)[^\s<>\"'“”]+"
    r"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,6}\b(?:/[^\s<>\"'“”]*)?"
)
SYNDICATION_START = re.compile(
    r"^\W*(?:"
    r"(?:article\s+)?source\s*:"
    r"|(?:this\s+(?:article|post|piece|story|entry)\s+(?:was\s+|is\s+)?)?"
    r"(?:originally|first)\s+(?:published|posted|appeared|ran)\b"
    r"|reprinted\b|republished\s+(?:from|with)\b|syndicated\s+from\b"
    r")",
    re.I,
)
# "... All Rights Reserved Source: http://..." on one line; capitalised, unlike prose's "my source: ...".
SYNDICATION_TAIL = re.compile(
    rf"(?:^|(?<=\s))(?-i:(?:Article\s+|ARTICLE\s+)?(?:Source|SOURCE))\s*:\s*(?P<url>{URLISH})[\W_]*$", re.I
)
URL_RE = re.compile(URLISH, re.I)
ARTICLE_SOURCE = re.compile(r"\W*article\s+source\s*:", re.I)  # specific enough anywhere in the body

SYNDICATION_URL_WITHIN = 120  # chars from the line start in which the URL must appear
SYNDICATION_REST_WORDS = 8  # text after the URL up to this long goes with the line
SYNDICATION_HEAD = 2  # a syndication line may open the body ("Reprinted from ...") ...
SYNDICATION_TAIL_PARAGRAPHS = 4  # ... or close it; elsewhere "Source:" is a citation


def find_syndication(line: str) -> tuple[str, str] | None:
    """If `line` is (or ends with) a syndication line, return (rest of the line, normalized URL)."""
    match = SYNDICATION_START.match(line)
    if match:
        url = URL_RE.search(line, match.end(), match.end() + SYNDICATION_URL_WITHIN)
        if url:
            rest = line[url.end() :].strip(" \t.,;:!?)]}>\"'”’-–—|")
            if len(rest.split()) <= SYNDICATION_REST_WORDS:
                rest = ""
            return rest, normalize_url(url.group(0))
    match = SYNDICATION_TAIL.search(line)
    if match and line[: match.start()].strip():
        return line[: match.start()].rstrip(), normalize_url(match.group("url"))
    return None


def split_syndication(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Remove 'Source: URL' / 'Article Source: URL' / 'Originally published at ...' / 'Reprinted from ...' lines; return (kept, normalized URL or None)."""
    source: str | None = None
    kept: list[str] = []
    count = len(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        at_edge = index < SYNDICATION_HEAD or index >= count - SYNDICATION_TAIL_PARAGRAPHS
        lines = []
        for line in paragraph.split("\n"):
            found = find_syndication(line) if at_edge or ARTICLE_SOURCE.match(line) else None
            if found is None:
                lines.append(line)
                continue
            rest, url = found
            source = source or url
            if rest:
                lines.append(rest)
        text = "\n".join(lines).strip("\n")
        if text.strip():
            kept.append(text)
    return kept, source


# --------------------------------------------------------------------------------------
# The resource box: "About the Author: ...", or the closing paragraph(s) that describe the
# author in the third person with contact links and calls to action.
# --------------------------------------------------------------------------------------

BIO_HEADER = re.compile(
    r"^\W*(?:about\s+the\s+(?:author|writer)s?|resource\s+box|author\s+bio(?:graphy)?"
    r"|author'?s?\s+(?:resource\s+box|bio(?:graphy)?|info(?:rmation)?))"
    # ends its line, or is followed by ":", "-" or "...": "About the author of this plan, ..." is prose
    r"(?:\s*(?:\.\.\.|…|[:\-–—])\s*|[ \t.]*(?:\n|$))",
    re.I,
)
# "... show healthy growth. About the Author: Roger Smith is ..." glued into one line.
BIO_HEADER_INLINE = re.compile(
    r"(?<=[.!?])\s+(?:about\s+the\s+author|author'?s?\s+resource\s+box|author\s+bio)\s*:\s*", re.I
)

NAME = (
    r"(?:(?:Dr|Mr|Mrs|Ms|Prof|Rev)\.?\s+)?(?:[A-Z]\.\s?){0,2}[A-Z][A-Za-z'’-]+"
    r"(?:\s+(?:[A-Z]\.|[A-Z][A-Za-z'’-]+|de|del|van|von|da|la|le|di)){0,3}"
)
BIO_ROLES = (
    r"founder|co-?founder|owner|co-?owner|ceo|president|author|co-?author|writer|editor|publisher|coach|"
    r"consultant|expert|trainer|speaker|entrepreneur|marketer|networker|leader|distributor|member|director|"
    r"manager|creator|mentor|partner|specialist|professional|contributor|blogger|associate|representative|"
    r"veteran|millionaire|mom|mother|father|dad|wife|husband|graduate|teacher|instructor|developer|designer|"
    r"pioneer|independent|affiliate|agent|advisor|adviser|strategist|practitioner|head|principal|publicist"
)
# "<Name> is the founder of ...": strong enough alone.
BIO_ROLE_OPENER = re.compile(
    rf"^\W*(?P<name>{NAME}),?\s+(?i:(?:is|was)\s+(?:(?:currently|also|now|presently)\s+)?"
    rf"(?:(?:the|a|an|one\s+of\s+the)\s+)?(?:[\w'’-]+\s+){{0,4}}?(?:{BIO_ROLES})s?)\b"
)
# "<Name> has been ...", "<Name> helps ...": a bio only with contact details nearby.
BIO_VERB_OPENER = re.compile(
    rf"^\W*(?P<name>{NAME}),?\s+(?:has\s+been|has\s+helped|helps|teaches|specializes|specialises|writes|"
    rf"runs|owns|founded|co-founded|coaches|trains|shows|works|lives|is|was|has)\b"
)
NOT_NAMES = frozenset(
    """the this that these those it its he she they we you i there here what who why how when where if
    in on at a an so but and or now then today finally also most many some each every all your our my his
    her their one no yes network marketing mlm multi direct business success leadership everyone anyone
    nobody somebody people life money time internet online home work while as after before because
    since once first second third last next another any such only just even still both either""".split()
)
CONTACT = re.compile(
    rf"(?:{URLISH})|[\w.+-]+@[\w-]+\.[\w.]+|\(?\b\d{{3}}\)?[\s.-]?\d{{3}}[\s.-]\d{{4}}\b|\bskype\b",
    re.I,
)
CALL_TO_ACTION = re.compile(
    r"\b(?:visit|go\s+to|go\s+here|click\s+here|click|sign\s+up|subscribe|download|call|contact|e-?mail|"
    r"check\s+out|learn\s+more|find\s+out\s+more|for\s+more\s+(?:information|info|details|tips)|"
    r"get\s+your|grab\s+your|claim\s+your|website|web\s+site|blog\s+at)\b",
    re.I,
)
CONTINUATION = re.compile(
    r"^\W*(?:he|she|they|his|her|their|you\s+can|to\s+(?:learn|find|get|contact))\b", re.I
)

BIO_WINDOW = 3  # the resource box is among the last three body paragraphs
MAX_BIO_WORDS = 300  # resource boxes run 40-250 words; a longer "bio" is the article
MAX_CALL_TO_ACTION_WORDS = 120  # "For more ..., visit http://..." is a few lines, not a section


def _footer_line(line: str) -> bool:
    """A copyright, chrome or syndication line that may sit after the bio."""
    return is_chrome_line(line) or find_syndication(line) is not None


def _split_footer(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Separate the trailing footer lines (copyright, "Source:", chrome) from the paragraphs."""
    body = list(paragraphs)
    footer: list[str] = []
    while body:
        lines = body[-1].split("\n")
        while lines and (not lines[-1].strip() or _footer_line(lines[-1])):
            footer.insert(0, lines.pop())
        if lines:
            body[-1] = "\n".join(lines)
            break
        body.pop()
    return body, [line for line in footer if line.strip()]


def _is_author(name: str, author: str | None) -> bool:
    """True if `name` is the author's full, first or last name."""
    if not author or not author_key(name):
        return False
    full = author_key(author)
    return author_key(name) in {full, *full.split()}


def _is_name(name: str) -> bool:
    """True if `name` reads as a person's name, not a sentence opening ("This", "Network Marketing")."""
    words = name.split()
    return bool(words) and words[0].casefold().strip(".") not in NOT_NAMES and not name.isupper()


def _starts_with_author(paragraph: str, author: str | None) -> bool:
    """True if the paragraph opens with the author's full name."""
    if not author or not author_key(author):
        return False
    head = author_key(" ".join(paragraph.split()[: len(author.split()) + 2]))
    return head == author_key(author) or head.startswith(author_key(author) + " ")


def bio_opener(paragraph: str, author: str | None = None) -> str | None:
    """'strong' for "<Name> is the founder of ...", 'weak' for "<Name> has been ...", else None.

    A one-word name ("Jason is the founder") is strong only when it is the author's.
    """
    if _starts_with_author(paragraph, author):
        return "strong"
    match = BIO_ROLE_OPENER.match(paragraph)
    if match and (_is_name(match.group("name")) or _is_author(match.group("name"), author)):
        name = match.group("name")
        return "strong" if len(name.split()) > 1 or _is_author(name, author) else "weak"
    match = BIO_VERB_OPENER.match(paragraph)
    if match and _is_name(match.group("name")) and len(match.group("name").split()) > 1:
        return "weak"
    return None


def bio_name(bio: str) -> str | None:
    """The person a resource box is about ("Roger Smith is the founder of ..." -> "Roger Smith"), or None.

    Only a full name (two words or more) counts: "Jason is ..." does not say who wrote the article.
    """
    text = BIO_HEADER.sub("", bio, count=1).lstrip()
    for opener in (BIO_ROLE_OPENER, BIO_VERB_OPENER):
        match = opener.match(text)
        if match and _is_name(match.group("name")) and len(match.group("name").split()) > 1:
            return match.group("name").strip()
    return None


def has_contact(paragraph: str) -> bool:
    """True if the paragraph gives a URL, e-mail, phone or Skype name."""
    return CONTACT.search(paragraph) is not None


def _is_call_to_action(paragraph: str) -> bool:
    """A short paragraph with contact details and a "visit / click here / sign up"."""
    return (
        len(paragraph.split()) <= MAX_CALL_TO_ACTION_WORDS
        and has_contact(paragraph)
        and CALL_TO_ACTION.search(paragraph) is not None
    )


def _header_start(paragraphs: list[str]) -> tuple[int, str] | None:
    """The last "About the Author" header: (paragraph index, text after the header)."""
    for index in range(len(paragraphs) - 1, 0, -1):
        paragraph = paragraphs[index]
        match = BIO_HEADER.match(paragraph)
        if match:
            return index, paragraph[match.end() :].strip()
        inline = BIO_HEADER_INLINE.search(paragraph)
        if inline and index == len(paragraphs) - 1:
            return index, paragraph[inline.end() :].strip()
    return None


def _closing_start(paragraphs: list[str], author: str | None) -> int | None:
    """Index of the first paragraph of a header-less resource box at the end, or None."""
    first = max(1, len(paragraphs) - BIO_WINDOW)
    for start in range(first, len(paragraphs)):
        block = paragraphs[start:]
        opener = bio_opener(block[0], author)
        rest_ok = all(
            _is_call_to_action(p) or CONTINUATION.match(p) or bio_opener(p, author) for p in block[1:]
        )
        if not rest_ok:
            continue
        contact = any(has_contact(p) for p in block)
        if opener == "strong" or (opener == "weak" and contact):
            return start
        if opener is None and start == len(paragraphs) - 1 and _is_call_to_action(block[0]):
            return start
    return None


def _bio_by_header(body: list[str]) -> tuple[list[str], list[str]] | None:
    """(kept, bio paragraphs) split at the last "About the Author" header, or None."""
    header = _header_start(body)
    if header is None:
        return None
    index, first = header
    before = ""
    if not BIO_HEADER.match(body[index]):  # the header was glued to the end of a body paragraph
        before = BIO_HEADER_INLINE.split(body[index], maxsplit=1)[0].strip()
    return body[:index] + ([before] if before else []), ([first] if first else []) + body[index + 1 :]


def _bio_by_closing(body: list[str], author: str | None) -> tuple[list[str], list[str]] | None:
    """(kept, bio paragraphs) split before a header-less resource box at the end, or None."""
    start = _closing_start(body, author)
    return None if start is None else (body[:start], body[start:])


def split_bio(paragraphs: list[str], author: str | None = None) -> tuple[list[str], str | None]:
    """Remove the resource box: an 'About the Author' block, or the closing paragraph(s) that describe the author in the third person ('X is the founder of ...') with contact links / calls to action; return (kept, bio or None)."""
    body, footer = _split_footer(paragraphs)
    if len(body) < 2:
        return list(paragraphs), None
    for found in (_bio_by_header(body), _bio_by_closing(body, author)):
        if found is None:
            continue
        kept, parts = found
        bio = "\n\n".join(p.strip() for p in parts if p.strip())
        if kept and bio and len(bio.split()) <= MAX_BIO_WORDS:
            # The footer ("© ...", "Source: ...") stays for strip_chrome / split_syndication.
            return kept + (["\n".join(footer)] if footer else []), bio
    return list(paragraphs), None
