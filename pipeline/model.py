"""Plain data passed between the stages: an extracted page, its comments, the stored record.

Every stage is a function from these to these, so a crawl, `reprints extract` and
`reprints reprocess` run the very same code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PLATFORMS = ("directory", "blogger", "wordpress", "generic")


@dataclass
class Comment:
    """One reader comment, in page order. Dates are ISO 8601 strings or None."""

    author: str = ""
    author_url: str | None = None
    posted: str | None = None
    body: str = ""
    # Filled by pipeline.spam; a comment is never dropped, only judged.
    is_spam: bool = False
    spam_score: float = 0.0
    spam_reasons: list[str] = field(default_factory=list)


@dataclass
class Article:
    """One post or article as extracted from its page, then cleaned in place.

    `paragraphs` is the body as block-level texts in page order; extraction fills it
    and the cleaning stage rewrites it. `body` and `body_html` are derived from it.
    """

    url: str
    platform: str = "generic"
    site_name: str | None = None
    title: str = ""
    author: str | None = None
    author_url: str | None = None
    # On a blog that republishes an article, the blog's poster; the article's author comes from its bio.
    posted_by: str | None = None
    published: str | None = None
    categories: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    body_html: str = ""
    comments: list[Comment] = field(default_factory=list)
    feed_url: str | None = None
    # Filled by pipeline.clean and pipeline.topic.
    bio: str | None = None
    syndicated_from: str | None = None
    repairs: dict[str, int] = field(default_factory=dict)
    topic_score: float = 0.0
    language: str | None = None

    @property
    def body(self) -> str:
        """The clean text: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict:
        """A JSON-ready dict, `body` included."""
        data = asdict(self)
        data["body"] = self.body
        return data


class ExtractError(ValueError):
    """A page that holds no article: an error page, a captcha, a 'blog not found' stub."""
