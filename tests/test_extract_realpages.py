"""Parsers on the shared real pages whose licences keep them out of the repository.

These read /work/shared/realpages/ (classic Blogger, hand-made classic templates, TypePad,
2012 WordPress themes) and skip when that folder is absent.
"""

from __future__ import annotations

import pytest

from pipeline.benchmarks import Row
from pipeline.benchmarks import extraction as bench
from pipeline.extract import decode_html, extract

pytestmark = pytest.mark.skipif(not bench.REALPAGES.is_dir(), reason="shared reference pages not present")


def real(rel: str, url: str = ""):
    """Extract one shared real page."""
    return extract(decode_html((bench.REALPAGES / rel).read_bytes()), url)


def test_blogger_classic_syriacomment():
    article = real("blogger/cleaneval_dev57_syriacomment_2005-04_classic.html")
    assert (article.title, article.site_name, article.author) == ("News Round Up", "SyriaComment.com", "Joshua Landis")
    assert article.published == "2005-04-19T02:47:00"
    body = "\n".join(article.paragraphs)
    assert body.startswith("Up Date (April 21): A well informed Washington-based Syria-analyst")
    for chrome in ("Post a Comment", "<< Home", "Links to this post", "posted by", "22 Comments"):
        assert chrome not in body
    assert len(article.comments) == 22
    first = article.comments[0]
    assert (first.author, first.posted) == ("Anonymous", "2005-04-19T19:14:49")
    assert first.body.startswith("Hey joshua\ni have probably checked ur site 60 times")
    assert article.comments[2].author == "Ghassan"


def test_blogger_hand_made_classic_template_with_spam_and_removed_comments():
    article = real("blogger/dragnet_T71_balkin.blogspot.com_classic_comment-spam.html")
    assert article.title.startswith("The Anti-Torture Memos")
    assert article.author == "Marty Lederman"
    assert article.published == "2007-07-08T08:11:00"
    assert len(article.comments) == 41
    assert article.comments[0].author == "Joe"
    assert article.comments[0].posted == "2007-07-08T15:58:00+00:00"  # from ?showComment=<ms>
    removed = [c for c in article.comments if c.body == "This comment has been removed by the author."]
    assert len(removed) == 5


def test_blogger_layouts_with_a_year_less_date_header():
    article = real("blogger/dragnet_R101_thenotebookdoodles.com_2012-09_13comments.html",
                   "http://www.thenotebookdoodles.com/2012/09/prepping-for-new-week.html")
    assert article.published == "2012-09-09"  # "Sunday, September 9" + the URL's year
    assert len(article.comments) == 13
    assert article.comments[0].author == "tRiSh"


def test_typepad_2012_comments_with_posted_by_footers():
    article = real("other_blogs/dragnet_R60_typepad_strategic-pr_great-post-spam.html")
    assert article.title == "Are Brands People, Media or Publishers? Ad Age Misses the Point."
    assert article.published == "2012-09-21T15:08:00"
    assert article.categories == ["Brand", "Social Media"]
    assert len(article.comments) == 29
    assert (article.comments[0].author, article.comments[0].posted) == ("red bottom heels", "2012-09-21T21:38:00")


def test_typepad_flat_2007_template():
    article = real("other_blogs/dragnet_R535_typepad_creating-passionate-users.html")
    assert (article.title, article.author, article.published) == ("Is your app an ass-kisser?", "Kathy", "2007-03-20")
    assert len(article.comments) == 25
    assert article.comments[0].author == "atmos"


def test_wordpress_commenter_named_only_in_a_by_line():
    article = real("wordpress/dragnet_106_randfishkin.com_motivation.html")
    assert article.author == "randfish" and article.published == "2010-12-04"
    assert [c.author for c in article.comments][:2] == ["Dharmesh Shah", "Ruchir"]


def test_listing_and_error_pages_raise():
    from pipeline.model import ExtractError

    for rel in ("blogger/cleaneval_final136_oxblog.blogspot.com_weekly-archive_classic.html",
                "blogger/cleaneval_final151_rajkblogs.blogspot.com_home_classic.html",
                "blogger/podsearch_harmonicalicks.blogspot.com_home.html",
                "wordpress/podsearch_mattbacak.com_home_internet-marketing.html",
                "feeds/blogger/podsearch_2dummiesandapodcast.blogspot.com_feeds-posts-default_BLOG-NOT-FOUND.html"):
        with pytest.raises(ExtractError):
            real(rel)


def test_quick_benchmark_rows():
    rows = bench.run(quick=True)
    assert rows and all(isinstance(row, Row) for row in rows)
    f1 = next(row for row in rows if row.name.startswith("benchmark body F1"))
    assert isinstance(f1.value, float) and 0.5 < f1.value <= 1.0
