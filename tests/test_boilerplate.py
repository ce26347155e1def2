"""Chrome, syndication lines and the resource box: case tables, then the example post end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.clean.boilerplate import is_chrome_line, split_bio, split_syndication, strip_chrome
from pipeline.urls import author_key, normalize_url

CASES = Path(__file__).resolve().parent / "cases"
EXAMPLES = Path(__file__).resolve().parent / "files" / "examples"
A1_URL = "http://www.a1articles.com/article_485576_80.html"


def load_cases(name: str) -> list[dict]:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def case_ids(cases: list[dict]) -> list[str]:
    return [case["id"] for case in cases]


CHROME_CASES = load_cases("boilerplate_chrome.json")
SYNDICATION_CASES = load_cases("boilerplate_syndication.json")
BIO_CASES = load_cases("boilerplate_bio.json")


@pytest.mark.parametrize("case", CHROME_CASES, ids=case_ids(CHROME_CASES))
def test_strip_chrome(case):
    kept, removed = strip_chrome(case["in"], case["platform"])
    assert kept == case["out"]
    assert removed == case["removed"]


@pytest.mark.parametrize("case", SYNDICATION_CASES, ids=case_ids(SYNDICATION_CASES))
def test_split_syndication(case):
    kept, source = split_syndication(case["in"])
    assert kept == case["out"]
    assert source == case["source"]


@pytest.mark.parametrize("case", BIO_CASES, ids=case_ids(BIO_CASES))
def test_split_bio(case):
    kept, bio = split_bio(case["in"], case["author"])
    assert kept == case["out"]
    assert bio == case["bio"]


def test_unknown_platform_gets_every_table():
    assert is_chrome_line("Subscribe to: Post Comments (Atom)", "movabletype")
    assert not is_chrome_line("Subscribe to the newsletter of your upline.", "movabletype")


def test_empty_input():
    assert strip_chrome([]) == ([], [])
    assert split_syndication([]) == ([], None)
    assert split_bio([]) == ([], None)


# --- the example post, end to end ---------------------------------------------------------


def example_paragraphs(repaired: bool) -> list[str]:
    """The example post's body as the extractor hands it over: no date/title header, no comments."""
    text = (EXAMPLES / "mlm-leadership-blogger-post.txt").read_text(encoding="utf-8")
    if repaired:  # what pipeline.clean.repair makes of the two corruptions in the footer and bio
        text = text.replace("Busine! ss", "Business").replace("(! MLM)", "(MLM)")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    comments = next(i for i, p in enumerate(paragraphs) if re.match(r"\d+ Comments:", p))
    return paragraphs[2:comments]


def split_all(paragraphs: list[str], platform: str = "blogger"):
    kept, removed = strip_chrome(paragraphs, platform)
    kept, source = split_syndication(kept)
    kept, bio = split_bio(kept)
    return kept, removed, source, bio


@pytest.mark.parametrize("repaired", [False, True], ids=["as-published", "repaired"])
def test_example_post(repaired):
    body, removed, source, bio = split_all(example_paragraphs(repaired))
    text = "\n\n".join(body)
    assert body[0].startswith("Success in your MLM career")
    assert body[-1].startswith("The network marketing/MLM") and body[-1].endswith("show healthy growth.")
    assert source == A1_URL
    assert bio.startswith("Roger Smith is the founder of Magnetic Leadership Marketing")
    assert bio.endswith("Skype Me: (972)535-8801")
    for leak in ("All Rights Reserved", "Free Busine", "Source:", "Roger Smith", "Skype", "Post a Comment"):
        assert leak not in text
    assert any("All Rights Reserved" in r for r in removed)
    assert "Leadership Failure #1 - Playing the Numbers Game" in body  # headings are body


def test_example_post_whole_page_tail():
    """With the comment section's chrome still attached, the result is the same body."""
    text = (EXAMPLES / "mlm-leadership-blogger-post.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()][2:]
    tail = ["Post a Comment", "Subscribe to Post Comments [Atom]", "<< Home"]
    body_only = example_paragraphs(repaired=False)
    assert paragraphs[-3:] == tail
    kept, _, source, bio = split_all(body_only + tail)
    assert kept == split_all(body_only)[0]
    assert source == A1_URL and bio.startswith("Roger Smith is the founder")


def test_example_footer_joined_on_one_line():
    """An extractor that flattens the footer block into one line gives the same result."""
    paragraphs = example_paragraphs(repaired=False)
    paragraphs[-1] = " ".join(paragraphs[-1].split("\n"))
    body, _, source, bio = split_all(paragraphs)
    assert source == A1_URL
    assert bio.startswith("Roger Smith is the founder")
    assert body[-1].endswith("show healthy growth.")


def test_bio_before_syndication_order_also_works():
    """split_bio leaves a trailing footer ("©...", "Source:") alone for the next step."""
    kept, _ = strip_chrome(example_paragraphs(repaired=True), "blogger")
    kept, bio = split_bio(kept)
    assert bio.startswith("Roger Smith is the founder")
    kept, source = split_syndication(kept)
    assert source == A1_URL
    assert kept[-1].endswith("show healthy growth.")


def test_bare_article_has_no_bio_or_source():
    text = (EXAMPLES / "major-pitfall-article.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()][1:]
    body, removed, source, bio = split_all(paragraphs, "directory")
    assert body == paragraphs
    assert (removed, source, bio) == ([], None, None)


# --- URL and author keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://www.a1articles.com/article_485576_80.html", A1_URL),
        ("HTTP://WWW.A1Articles.COM:80/article_485576_80.html.", A1_URL),
        ("www.a1articles.com/article_485576_80.html", A1_URL),
        ("<http://www.a1articles.com/article_485576_80.html>,", A1_URL),
        ("http://EzineArticles.com/?expert=Jane_Doe", "http://ezinearticles.com/?expert=Jane_Doe"),
        ("EzineArticles.com", "http://ezinearticles.com/"),
        ("https://example.com:443/a?utm_source=x&id=3&fbclid=z#top", "https://example.com/a?id=3"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("(http://en.wikipedia.org/wiki/Amway_(company))", "http://en.wikipedia.org/wiki/Amway_(company)"),
        ("http://example.com/?q", "http://example.com/?q"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_normalize_url_is_idempotent():
    for url in ("HTTP://WWW.A1Articles.COM:80/article_485576_80.html.", "EzineArticles.com"):
        assert normalize_url(normalize_url(url)) == normalize_url(url)


def test_author_key():
    assert author_key("Roger  Smith") == author_key("roger smith") == "roger smith"
    assert author_key("  ROGER SMITH ") == "roger smith"
    assert author_key("José Núñez-García") == "jose nunez garcia"
    assert author_key("By Roger Smith") == "roger smith"
    assert author_key("Roger Smith") != author_key("Roger Smithers")
