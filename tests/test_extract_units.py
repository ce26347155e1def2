"""The parsers' building blocks: dates, block texts, names, detection, charsets, sanitizing."""

from __future__ import annotations

import pytest
from lxml.html import fragment_fromstring

from pipeline.extract import decode_html, detect_platform, extract
from pipeline.extract.consensus import agreement, confirmed
from pipeline.extract.dates import combine, from_comment_link, to_iso
from pipeline.extract.dom import blocks, parse, sanitize
from pipeline.extract.page import clean_author

# (printed date, ISO 8601): a date stays a date, a time and an offset only when printed.
DATES = [
    ("Wednesday, March 5, 2008", "2008-03-05"),
    ("4/19/2005 02:47:00 AM", "2005-04-19T02:47:00"),
    ("posted by Joshua Landis @ 4/19/2005 02:47:00 AM", "2005-04-19T02:47:00"),
    ("July 12, 2012 at 3:04 pm", "2012-07-12T15:04:00"),
    ("2012-11-12T00:00:00-05:00", "2012-11-12T00:00:00-05:00"),
    ("2019-06-19", "2019-06-19"),
    ("November 19, 2019 8:00 AM EST", "2019-11-19T08:00:00-05:00"),
    ("12. September 2017 um 10:30", "2017-09-12T10:30:00"),
    ("Mittwoch, 13. März 2019", "2019-03-13"),
    ("13.03.2019 um 10:15 Uhr", "2019-03-13T10:15:00"),
    ("5 de marzo de 2019", "2019-03-05"),
    ("19 juin 2019 à 14 h 05", "2019-06-19T14:05:00"),
]
NOT_DATES = ["8:15 AM", "Posted by Chef John at 12:00 AM", "Sunday, September 9", "Leave a comment", "", None, "1066"]


@pytest.mark.parametrize("text,iso", DATES)
def test_dates_to_iso(text, iso):
    assert to_iso(text) == iso


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text):
    assert to_iso(text) is None


def test_blogger_date_header_and_footer_time_combine():
    assert combine("2008-03-05", "posted by X at 8:15 AM") == "2008-03-05T08:15:00"
    assert combine("2008-03-05", "12:05 AM") == "2008-03-05T00:05:00"
    assert combine("2008-03-05", "no time here") == "2008-03-05"


def test_blogger_comment_permalink_time():
    href = "http://x.blogspot.com/2012/11/p.html?showComment=1352696064771#c2493339632072459644"
    assert from_comment_link(href) == "2012-11-12T04:54:24+00:00"


# (HTML, expected blocks): paragraphs, headings, list items and <br><br> runs are blocks.
BLOCKS = [
    ("<div><p>One.</p><p>Two <b>bold</b>   words.</p></div>", ["One.", "Two bold words."]),
    ("<div>First para.<br><br>Second para.<br /><br />Third.</div>", ["First para.", "Second para.", "Third."]),
    ("<div><h2>Head</h2><ul><li>a item</li><li>b item</li></ul></div>", ["Head", "a item", "b item"]),
    ("<div>Name<br>Street 1<br>Town</div>", ["Name", "Street 1", "Town"]),
    ("<div><p>Text</p><script>var x = 1;</script><style>p {}</style><p>More</p></div>", ["Text", "More"]),
    ("<div><p>Shown</p><p style='display:none'>Hidden</p></div>", ["Shown"]),
    ("<div><p>* * *</p><p>Words</p></div>", ["Words"]),
    ("<div><table><tr><td>a</td><td>1</td></tr><tr><th>b</th><td>2</td></tr></table></div>", ["a | 1", "b | 2"]),
]
HARD_WRAPPED = (
    "<div>This article was pasted from an e-mail newsletter and every line<br>"
    "ends where the mail client wrapped it, at about seventy columns, so<br>"
    "the breaks fall in the middle of sentences and carry no meaning at<br>"
    "all for the reader.<br><br>Next paragraph.</div>"
)


@pytest.mark.parametrize("html,expected", BLOCKS)
def test_blocks(html, expected):
    assert blocks(fragment_fromstring(html)) == expected


# Comment bodies keep each link's target after its text, as the spam model's training data does.
COMMENT_LINKS = [
    ('<div>Nice. <a href="http://www.cheap-ugg.example/">cheap ugg boots</a>!</div>',
     ["Nice. cheap ugg boots <http://www.cheap-ugg.example/>!"]),
    ('<div>See <a href="http://jeff.blogspot.com/">http://jeff.blogspot.com</a></div>', ["See http://jeff.blogspot.com"]),
    ('<div>Go <a href="/search?q=x">here</a> or <a href="mailto:a@b.example">mail</a></div>', ["Go here or mail"]),
    ('<div><p>One <a href="https://a.example/x">a</a></p><p>Two</p></div>', ["One a <https://a.example/x>", "Two"]),
]


@pytest.mark.parametrize("html,expected", COMMENT_LINKS)
def test_comment_text_keeps_link_targets(html, expected):
    assert blocks(fragment_fromstring(html), links=True) == expected
    assert "<" not in " ".join(blocks(fragment_fromstring(html)))  # article bodies stay as they were


def test_hard_wrapped_lines_join_into_one_paragraph():
    result = blocks(fragment_fromstring(HARD_WRAPPED))
    assert len(result) == 2
    assert result[0].startswith("This article was pasted") and result[0].endswith("for the reader.")


@pytest.mark.parametrize("raw,name", [
    ("Posted by Chef John", "Chef John"),
    ("Posted 8:11 AM by Marty Lederman [link]", "Marty Lederman"),
    ("Milan Griffes on September 12, 2018 at 4:47 pm said:", "Milan Griffes"),
    ("Anonymous said...", "Anonymous"),
    ("By: John Smith | 3 comments", "John Smith"),
    ("View all posts by Daniel Lemire", "Daniel Lemire"),
    ("Eingestellt von Weinlachgummi", "Weinlachgummi"),
    ("Jon Onley", "Jon Onley"),
])
def test_author_names_lose_their_byline_words(raw, name):
    assert clean_author(raw) == name


@pytest.mark.parametrize("html,platform", [
    ("<html><head><meta name='generator' content='Blogger'></head><body><p>x</p></body></html>", "blogger"),
    ("<html><head><meta content='blogger' name='generator'/></head><body></body></html>", "blogger"),
    ("<html><head><meta name='generator' content='WordPress 2.8.4'></head><body></body></html>", "wordpress"),
    ("<html><head><link rel='stylesheet' href='/wp-content/themes/x/style.css'>"
     "<link rel='https://api.w.org/' href='http://x.com/wp-json/'></head><body></body></html>", "wordpress"),
    ("<html><body><div class='post'><div class='post-body'>x</div></div><h2 class='date-header'>d</h2>"
     "<dl id='comments-block'></dl></body></html>", "blogger"),
    ("<html><body><div id='article-content'>x</div><div id='article-resource'>About the Author</div>"
     "<div>Article Source: http://EzineArticles.com/?expert=X</div></body></html>", "directory"),
    ("<html><body><article><h1>News</h1><p>Plain page.</p></article></body></html>", "generic"),
])
def test_detect_platform(html, platform):
    assert detect_platform(html) == platform


def test_blog_republishing_a_directory_article_stays_a_blog():
    html = ("<html><head><meta name='generator' content='Blogger'></head><body><div class='post-body'>"
            "Text.<br><br>About the Author: X<br>Article Source: http://EzineArticles.com/?expert=X"
            "</div></body></html>")
    assert detect_platform(html) == "blogger"


def test_host_names_decide_when_markup_does_not():
    html = "<html><body><p>Nothing to see.</p></body></html>"
    assert detect_platform(html, "http://someone.blogspot.com/2008/03/post.html") == "blogger"
    assert detect_platform(html, "https://someone.wordpress.com/2012/12/11/post/") == "wordpress"
    assert detect_platform(html, "http://ezinearticles.com/?x&id=1") == "directory"


TEXT = "Caf\u00e9 \u201cquoted\u201d \u2014 na\u00efve r\u00e9sum\u00e9 \u2019s"
PAGE = "<html><head><meta charset='{}'></head><body><p>" + TEXT + "</p></body></html>"


def test_decode_html_trusts_a_bom():
    assert decode_html(b"\xef\xbb\xbf" + PAGE.format("iso-8859-1").encode("utf-8")) == PAGE.format("iso-8859-1")
    assert decode_html("\ufeff".encode("utf-16-le") + PAGE.format("utf-16").encode("utf-16-le")) == PAGE.format("utf-16")


def test_decode_html_uses_a_declared_charset_the_bytes_agree_with():
    assert decode_html(PAGE.format("utf-8").encode("utf-8"), "utf-8") == PAGE.format("utf-8")
    assert decode_html(PAGE.format("windows-1252").encode("cp1252"), "windows-1252") == PAGE.format("windows-1252")


def test_decode_html_declared_latin1_but_sent_utf8():
    page = PAGE.format("iso-8859-1")
    assert decode_html(page.encode("utf-8"), "iso-8859-1") == page
    assert decode_html(page.encode("utf-8")) == page  # the page's own <meta> says latin-1 too


def test_decode_html_declared_utf8_but_sent_windows_1252():
    page = PAGE.format("utf-8")
    assert decode_html(page.encode("cp1252"), "utf-8") == page


def test_decode_html_without_any_declaration():
    page = "<html><body><p>" + TEXT + "</p></body></html>"
    assert decode_html(page.encode("cp1252")) == page
    assert decode_html(page.encode("utf-8")) == page


def test_decode_html_non_western_page_with_wrong_declaration():
    page = "<html><body><p>" + "Сетевой маркетинг: как построить команду без давления. " * 5 + "</p></body></html>"
    assert decode_html(page.encode("cp1251"), "utf-8") == page


def test_sanitize_keeps_text_and_links_drops_scripts_and_handlers():
    element = fragment_fromstring(
        "<div><p onclick='steal()'>Hi <a href='javascript:alert(1)'>x</a> <a href='/rel'>rel</a></p>"
        "<script>evil()</script><img src='a.png' onerror='evil()'><iframe src='http://ads'></iframe></div>"
    )
    html = sanitize(element, "http://blog.example.com/post.html")
    assert "onclick" not in html and "javascript:" not in html and "evil" not in html and "iframe" not in html
    assert 'href="http://blog.example.com/rel"' in html
    assert 'src="http://blog.example.com/a.png"' in html
    assert "Hi" in html


def test_consensus_keeps_blocks_the_reference_confirms():
    ours = ["The first real paragraph of the post is here.", "Share this:", "Twitter",
            "The second real paragraph follows it closely."]
    reference = ["The first real paragraph of the post is here.", "The second real paragraph follows it closely."]
    assert agreement(ours, reference) == 1.0
    assert confirmed(ours, reference) == [ours[0], ours[3]]
    assert agreement(["A sidebar about something else entirely and more."], reference) == 0.0


def test_parse_survives_xml_declaration_and_odd_bytes():
    doc = parse("<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>x</p></body></html>")
    assert doc.findtext(".//p") == "x"


def test_a_control_character_beside_pruned_markup_does_not_stop_extraction():
    # Found by the fuzz test: pruning the <div> moved its "\x1f" tail into text lxml refuses to set.
    page = (b'<html><head><title>network</title><meta name="generator" content="WordPress 3.3.1" /></head>'
            b'<body class="post-body">marketing<div>\x1f<div>network</div>network</div></body></html>')
    article = extract(page, "http://127.0.0.21:8121/2026/11/a-post/")
    assert article.paragraphs == ["marketing"]
    assert "\x1f" not in parse("<p>a\x1fb\x00c\td</p>").findtext(".//p")


def test_comment_stub_is_kept_as_a_comment():
    html = ("<html><head><meta name='generator' content='Blogger'></head><body><div class='post'>"
            "<h3 class='post-title'>T</h3><div class='post-body'>A post that has a body of some length.</div></div>"
            "<dl id='comments-block'><dt class='comment-author' id='c1'><a href='http://www.blogger.com/profile/1'>"
            "Ann</a> said...</dt><dd class='comment-body'><span class='deleted-comment'>This comment has been removed "
            "by the author.</span></dd><dd class='comment-footer'><a href='?showComment=1204740000000#c1' "
            "title='comment permalink'>March 5, 2008 1:00 PM</a></dd></dl></body></html>")
    comments = extract(html, "http://x.blogspot.com/2008/03/t.html").comments
    assert [(c.author, c.body, c.posted) for c in comments] == [
        ("Ann", "This comment has been removed by the author.", "2008-03-05T13:00:00")
    ]
