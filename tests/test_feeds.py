import pytest

from pipeline.feeds import FeedError, parse_links

ATOM = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'>
  <title>Home Business Notes</title>
  <link rel='next' type='application/atom+xml' href='http://b.example/feeds/posts/default?start-index=26&amp;max-results=25'/>
  <entry><title>First</title><published>2008-03-05T08:15:00-08:00</published>
    <link rel='replies' href='http://b.example/2008/03/first.html#comments'/>
    <link rel='alternate' type='text/html' href='http://b.example/2008/03/first.html'/></entry>
  <entry><title>Second</title><updated>2008-03-06T09:00:00Z</updated>
    <link rel='alternate' href='/2008/03/second.html'/></entry>
</feed>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>WP</title>
<item><title>One</title><link>http://w.example/one/</link><pubDate>Tue, 04 Mar 2008 10:00:00 +0000</pubDate></item>
<item><title>Two</title><link>http://w.example/two/</link></item></channel></rss>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://d.example/a.html</loc><lastmod>2008-01-02</lastmod></url>
<url><loc>http://d.example/b.html</loc></url></urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://d.example/sitemap-1.xml</loc></sitemap></sitemapindex>"""


def test_atom_entries_use_alternate_links_and_next_page():
    links = parse_links(ATOM, "http://b.example/feeds/posts/default")
    assert links.kind == "atom"
    assert [e.url for e in links.entries] == ["http://b.example/2008/03/first.html",
                                              "http://b.example/2008/03/second.html"]
    assert links.entries[0].updated == "2008-03-05T08:15:00-08:00"
    assert links.next_url == "http://b.example/feeds/posts/default?start-index=26&max-results=25"


def test_rss_items():
    links = parse_links(RSS)
    assert links.kind == "rss"
    assert [(e.url, e.title) for e in links.entries] == [("http://w.example/one/", "One"),
                                                         ("http://w.example/two/", "Two")]
    assert links.entries[0].updated == "Tue, 04 Mar 2008 10:00:00 +0000"


def test_sitemap_and_index():
    assert [(e.url, e.updated) for e in parse_links(SITEMAP).entries] == [
        ("http://d.example/a.html", "2008-01-02"), ("http://d.example/b.html", None)]
    index = parse_links(INDEX)
    assert index.kind == "sitemapindex"
    assert index.entries[0].url == "http://d.example/sitemap-1.xml"


@pytest.mark.parametrize("data, reason", [
    (b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<rss><channel><item><title>&lol2;</title></item></channel></rss>""", "entities"),
    (b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>""", "entities"),
    (b"<rss><channel><item>", "not well-formed"),
    (b"<html><body>Blog not found</body></html>", "not a feed"),
    (b"", "not well-formed"),
])
def test_bad_documents_raise_feed_error_with_reason(data, reason):
    with pytest.raises(FeedError, match=reason):
        parse_links(data)
