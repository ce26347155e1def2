"""One page in, one cleaned and judged article out: the chain every entry point shares.

extract (pipeline.extract) -> clean (pipeline.clean) -> spam (pipeline.spam) -> topic (pipeline.topic)
"""

from __future__ import annotations

from pipeline.clean import clean_article
from pipeline.extract import extract
from pipeline.model import Article
from pipeline.spam import score_comments
from pipeline.topic import topic_score


def process_page(html: str | bytes, url: str, platform: str | None = None,
                 comment_pages: list[tuple[str, str | bytes]] = ()) -> Article:
    """Extract, clean, score. `comment_pages` are further pages of the post's comments.

    Raises pipeline.model.ExtractError when the page holds no article.
    """
    article = extract(html, url, platform)
    for page_url, page_html in comment_pages:
        article.comments.extend(_more_comments(page_html, page_url, article.platform, article.comments))
    clean_article(article)
    article.topic_score = round(topic_score(article.body, article.title), 4)
    score_comments(article.comments, article.body, article.published)
    return article


def _more_comments(page_html, page_url, platform, known) -> list:
    """The comments of a further comment page that are not already known."""
    from pipeline.model import ExtractError

    try:
        extra = extract(page_html, page_url, platform).comments
    except ExtractError:
        return []
    seen = {(c.author, c.body) for c in known}
    return [c for c in extra if (c.author, c.body) not in seen]
