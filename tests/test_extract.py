"""Page parsers on saved pages: a case table of what each page must and must not yield.

The saved pages (tests/files/extract/) are MIT or Apache-2.0 test fixtures of other
projects (see SOURCES.md) plus pages written for these tests (handmade/). Each case in
cases.json names exact fields, substrings the body must hold and must not hold, the
comment count and the first comment; pages without an article name the ExtractError.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.extract import decode_html, detect_platform, extract
from pipeline.model import Article, ExtractError

FILES = Path(__file__).parent / "files" / "extract"
CASES = json.loads((FILES / "cases.json").read_text(encoding="utf-8"))["cases"]
EXACT_FIELDS = ("title", "author", "author_url", "published", "site_name", "feed_url", "categories", "bio",
                "syndicated_from", "paragraphs")


def load_page(name: str) -> str:
    """A saved page as text (gzip-compressed pages are decompressed)."""
    data = (FILES / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return decode_html(data)


@pytest.fixture(scope="module")
def extracted() -> dict:
    """Each case's page extracted once: an Article or the ExtractError it raised."""
    results = {}
    for case in CASES:
        try:
            results[case["file"]] = extract(load_page(case["file"]), case["url"])
        except ExtractError as error:
            results[case["file"]] = error
    return results


def article_of(case: dict, extracted: dict) -> Article:
    """The case's Article, failing the test if extraction raised."""
    result = extracted[case["file"]]
    assert isinstance(result, Article), f"{case['label']}: {result}"
    return result


ARTICLE_CASES = [pytest.param(c, id=c["file"]) for c in CASES if "error" not in c]
ERROR_CASES = [pytest.param(c, id=c["file"]) for c in CASES if "error" in c]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["file"]) for c in CASES])
def test_detected_platform(case):
    assert detect_platform(load_page(case["file"]), case["url"]) == case["platform"]


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_exact_fields(case, extracted):
    article = article_of(case, extracted)
    assert article.platform == case["platform"]
    for name in EXACT_FIELDS:
        if name in case:
            assert getattr(article, name) == case[name], name


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_body_holds_the_article_and_no_chrome(case, extracted):
    article = article_of(case, extracted)
    body = "\n".join(article.paragraphs)
    for text in case.get("body_contains", []):
        assert text in body
    for text in case.get("body_excludes", []):
        assert text not in body
    if "paragraph_count" in case:
        assert len(article.paragraphs) == case["paragraph_count"]
    for category in case.get("categories_include", []):
        assert category in article.categories


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_comments(case, extracted):
    article = article_of(case, extracted)
    assert len(article.comments) == case["comments"]
    if "comment_authors" in case:
        assert [c.author for c in article.comments] == case["comment_authors"]
    if "comment_bodies" in case:
        assert [c.body for c in article.comments] == case["comment_bodies"]
    for name, value in case.get("first_comment", {}).items():
        assert getattr(article.comments[0], name) == value, name


@pytest.mark.parametrize("case", ARTICLE_CASES)
def test_body_html_is_sanitized(case, extracted):
    html = article_of(case, extracted).body_html.lower()
    assert html
    for unsafe in ("<script", "<style", "onclick=", "onload=", "javascript:", "<iframe", "<form"):
        assert unsafe not in html


@pytest.mark.parametrize("case", ERROR_CASES)
def test_pages_without_an_article_raise(case, extracted):
    result = extracted[case["file"]]
    assert isinstance(result, ExtractError), f"{case['label']}: got an article"
    assert case["error"] in str(result).lower()


def test_bytes_are_decoded():
    data = (FILES / "handmade" / "wordpress_single.html").read_bytes()
    assert extract(data, "http://mlmnotebook.com/2011/08/retail-customers/").title == "Retail Customers Are the Backbone"


def test_platform_can_be_forced():
    html = load_page("handmade/generic_article.html")
    article = extract(html, "http://example.com/a", platform="generic")
    assert article.platform == "generic"
    with pytest.raises(ValueError):
        extract(html, "http://example.com/a", platform="joomla")


@pytest.mark.parametrize("html", ["", "   \n", "<html><body></body></html>", "<html><head><title>x</title></head></html>"])
def test_empty_pages_raise(html):
    with pytest.raises(ExtractError):
        extract(html, "http://example.com/")


def test_article_is_json_ready():
    article = extract(load_page("handmade/blogger_classic_post.html"), "http://homebizreprints.blogspot.com/x.html")
    data = article.to_dict()
    assert data["body"].startswith("Every new distributor")
    assert json.loads(json.dumps(data))["comments"][2]["body"] == "This comment has been removed by the author."


@pytest.mark.parametrize("document", [
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0'><channel><title>Blog</title>"
    "<item><title>Post</title><description>Text of the post.</description></item></channel></rss>",
    "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Blog</title></feed>",
    "Just some words, no markup at all.",
])
def test_documents_that_are_not_html_pages_raise(document):
    with pytest.raises(ExtractError, match="not an HTML page"):
        extract(document, "http://example.com/feed")


@pytest.mark.parametrize("page,reason", [
    ("<html><head><title>410 Gone</title></head><body><h1>Gone</h1><p>The requested resource is no longer "
     "available on this server.</p></body></html>", "error page"),
    ("<html><head><title>WordPress &rsaquo; Error</title></head><body id='error-page'>"
     "<h1>Error establishing a database connection</h1></body></html>", "error page"),
    ("<html><head><title>302 Moved</title></head><body><h1>Moved</h1><p>The document has moved "
     "<a href='/x'>here</a>.</p></body></html>", "error page"),
    ("<html><head><title>Attention Required! | Cloudflare</title></head><body><h1>Please enable cookies.</h1>"
     "<div class='cf-browser-verification'>Checking your browser</div></body></html>", "blocked"),
])
def test_server_error_and_challenge_pages_raise(page, reason):
    with pytest.raises(ExtractError, match=reason):
        extract(page, "http://example.com/2011/05/post/")
