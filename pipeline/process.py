"""One page in, one cleaned and judged article out: the chain every entry point shares.

extract (pipeline.extract) -> clean (pipeline.clean) -> spam (pipeline.spam) -> topic (pipeline.topic)
"""

from __future__ import annotations

import time

from pipeline.clean import clean_article
from pipeline.extract import extract
from pipeline.model import Article
from pipeline.spam import score_comments
from pipeline.topic import topic_score


def process_page(html: str | bytes, url: str, platform: str | None = None,
                 comment_pages: list[tuple[str, str | bytes]] = (), timings: dict | None = None,
                 hint: str | None = None) -> Article:
    """Extract, clean, score. `comment_pages` are further pages of the post's comments.

    `hint` is the body of an intact copy of the same article (`clean_article`).
    When `timings` is given, the CPU seconds of each stage are added to it.
    Raises pipeline.model.ExtractError when the page holds no article.
    """
    clock = _StageClock(timings)
    with clock("extract"):
        article = extract(html, url, platform)
        for page_url, page_html in comment_pages:
            article.comments.extend(_more_comments(page_html, page_url, article.platform, article.comments))
    with clock("clean"):
        clean_article(article, hint)
    with clock("topic"):
        article.topic_score = round(topic_score(article.body, article.title), 4)
    with clock("spam"):
        score_comments(article.comments, article.body, article.published)
    return article


class _StageClock:
    """Adds each stage's CPU time to a dict (or does nothing without one)."""

    def __init__(self, timings: dict | None):
        self.timings = timings
        self.stage = ""
        self.started = 0.0

    def __call__(self, stage: str):
        self.stage = stage
        return self

    def __enter__(self):
        self.started = time.process_time()

    def __exit__(self, *exc):
        if self.timings is not None:
            self.timings[self.stage] = self.timings.get(self.stage, 0.0) + time.process_time() - self.started
        return False


def _more_comments(page_html, page_url, platform, known) -> list:
    """The comments of a further comment page that are not already known."""
    from pipeline.model import ExtractError

    try:
        extra = extract(page_html, page_url, platform).comments
    except ExtractError:
        return []
    seen = {(c.author, c.body) for c in known}
    return [c for c in extra if (c.author, c.body) not in seen]
