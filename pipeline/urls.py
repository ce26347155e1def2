"""URL and author-name normalisation: the stable keys the database joins on.

`normalize_url` gives every URL one canonical spelling, so that the "Source:" line of a
reprint, the URL a crawl fetched and the URL a feed names compare equal.
`author_key` does the same for author names ("the same author on several sites is one row").

    >>> normalize_url("HTTP://WWW.A1Articles.com:80/article_485576_80.html.")
    'http://www.a1articles.com/article_485576_80.html'
    >>> author_key("  Roger  SMITH ")
    'roger smith'
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

# Query parameters that only say where a click came from: dropped from keys.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "vero_id",
        "oly_anon_id", "oly_enc_id", "wt.mc_id", "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_")

DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}

# Prose around a URL: "see http://x.com/a.html." or "(http://x.com/a)". Closing brackets
# are only trimmed when unbalanced, so "http://x.com/wiki/A_(b)" keeps its ")".
TRAILING_PROSE = ".,;:!?'\"”’»>*"
LEADING_PROSE = "<«\"'“‘([{*"
BRACKETS = {")": "(", "]": "[", "}": "{"}

# A bare host such as "www.a1articles.com/x" or "EzineArticles.com" (no scheme).
BARE_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?::\d+)?(?:[/?#]|$)", re.I
)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def trim_prose(url: str) -> str:
    """Strip the punctuation prose puts around a URL ('<http://x.com/a.html>.' -> 'http://x.com/a.html')."""
    url = url.strip().lstrip(LEADING_PROSE)
    while url:
        last = url[-1]
        if last in TRAILING_PROSE:
            url = url[:-1]
        elif last in BRACKETS and url.count(last) > url.count(BRACKETS[last]):
            url = url[:-1]
        else:
            break
    return url


def is_tracking_param(name: str) -> bool:
    """True for utm_source, fbclid and the like."""
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """Canonical form for keys and comparison: lower-case scheme and host, default port dropped, fragment dropped, tracking params (utm_*, etc.) dropped, trailing punctuation from prose removed ('...html.' -> '...html')."""
    url = trim_prose(url)
    if not url:
        return ""
    if url.startswith("//"):
        url = "http:" + url
    elif not SCHEME.match(url) and BARE_HOST.match(url):
        url = "http://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the netloc as it is
        return urlunsplit((scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))
    netloc = host
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{host}"
    if port is not None and str(port) != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path or ("/" if netloc else "")
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not is_tracking_param(unquote(pair.split("=")[0]))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def author_key(name: str) -> str:
    """A stable key for 'the same author on several sites is one row': case-folded, accents and punctuation stripped, whitespace collapsed ('Roger  Smith' == 'roger smith')."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\W_]+", " ", text.casefold())
    text = " ".join(text.split())
    # A byline prefix left on the name by a template ("By Roger Smith").
    return re.sub(r"^by ", "", text)


# Browsers drop tabs and newlines inside a URL and ignore leading control characters and spaces,
# so "java\tscript:" is "javascript:". Compare what the browser would see.
BROWSER_IGNORED = re.compile(r"[\x00-\x20\x7f]")


def safe_http_url(url: str | None) -> str | None:
    """The URL when a browser would open it as http or https, else None (javascript:, data:, file:, ...)."""
    if not url:
        return None
    seen_by_browser = BROWSER_IGNORED.sub("", url)
    scheme = seen_by_browser.split(":", 1)[0].lower() if ":" in seen_by_browser else ""
    return seen_by_browser if scheme in ("http", "https") else None
