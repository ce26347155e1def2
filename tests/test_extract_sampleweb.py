"""The page parsers against the bundled sample web and its truth (offline: loopback only).

Every article page the sample web serves is fetched and extracted, and the Article is
compared with what `crawler.sampleweb.load_truth()` says the page shows. Listing pages,
error URLs and the anti-bot page must raise ExtractError.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from pipeline.extract import decode_html, extract
from pipeline.extract.consensus import block_shingles
from pipeline.model import ExtractError

sampleweb = pytest.importorskip("crawler.sampleweb")
TRUTH = sampleweb.load_truth()
PAGES = [pytest.param(page, id=f"{page.site}{page.path}") for page in TRUTH.pages]
# Chrome of the sample web's templates that must never reach a body.
CHROME = ("Post a Comment", "Share and Enjoy", "Submitted On", "Print Article", "Email to a Friend",
          "Please Rate this Article", "Older Post", "Newer Post", "Leave a Reply", "Posted by", "Labels:",
          "Subscribe to", "View all posts by", "This entry was posted")
LISTINGS = {
    "ezine": ["/", "/?cat=Home-Based-Business:Network-Marketing", "/?expert=Karen_Mitchell"],
    "a1articles": ["/", "/category_80.html"],
    "blogger-classic": ["/", "/2008_02_01_archive.html"],
    "blogger-layouts": ["/", "/2010_09_01_archive.html", "/search/label/Leadership"],
    "wordpress": ["/", "/page/2/", "/2011/09/", "/author/mike/"],
}


def fetch(url: str) -> tuple[bytes, str | None]:
    """A page's bytes and declared charset, whatever its status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read(), response.headers.get_content_charset()
    except urllib.error.HTTPError as error:
        return error.read(), error.headers.get_content_charset()


def extract_url(url: str):
    """Fetch and extract one sample-web page."""
    data, charset = fetch(url)
    return extract(decode_html(data, charset), url)


def recall(text: str, truth: str) -> float:
    """The share of the true text's shingles found in the text."""
    want = block_shingles(truth.split("\n"))
    got = block_shingles(text.split("\n"))
    return sum((want & got).values()) / max(1, sum(want.values()))


@pytest.mark.parametrize("page", PAGES)
def test_article_pages_match_the_truth(page, sample_web):
    url = sample_web.url(page.site, page.path)
    article = extract_url(url)
    assert article.platform == page.platform
    assert article.title == page.title
    assert article.author == page.byline
    assert article.published and page.published.startswith(article.published)  # no offset is printed
    body = "\n".join(article.paragraphs)
    assert recall(body, page.text) >= 0.99
    for chrome in CHROME:
        assert chrome not in body
    if page.platform == "directory":
        assert article.bio and article.syndicated_from
        assert "About the Author" not in body and "Source:" not in body
    assert article.body_html and "<script" not in article.body_html


@pytest.mark.parametrize("page", [p for p in PAGES if p.values[0].comment_count])
def test_comments_match_the_truth(page, sample_web):
    article = extract_url(sample_web.url(page.site, page.path))
    shown = [c for c in TRUTH.comments
             if c.site == page.site and c.page == page.path and c.comment_page in (page.path, f"{page.path}comment-page-1/")]
    assert len(article.comments) == len(shown)
    for got, want in zip(article.comments, shown):
        assert got.author == want.author
        assert got.author_url == want.author_url
        if want.kind == "comment":  # pingbacks show no date
            assert got.posted and want.posted.startswith(got.posted[:16])
            assert got.body.replace("\n", " ") == " ".join(want.body.split())


@pytest.mark.parametrize("error", TRUTH.errors, ids=lambda e: f"{e.site}-{e.kind}")
def test_error_urls_raise(error, sample_web):
    with pytest.raises(ExtractError):
        extract_url(sample_web.url(error.site, error.path))


@pytest.mark.parametrize("site,path", [(s, p) for s, paths in LISTINGS.items() for p in paths])
def test_listing_pages_raise(site, path, sample_web):
    with pytest.raises(ExtractError, match="listing"):
        extract_url(sample_web.url(site, path))
