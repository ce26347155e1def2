"""The article page: an article row shown as a reader would want it.

Datasette renders `row-reprints-articles.html` for a row of `articles`; this plugin gives
that template the article's author, site, paragraphs, repairs and comments. Everything
shown is either escaped by the template or, for stored HTML, sanitized here with nh3.
"""

from __future__ import annotations

import json

import datasette.handle_exception as datasette_errors
import nh3
from datasette import hookimpl

from pipeline.urls import safe_http_url

# Datasette 0.65 prints a rich traceback with locals for every failed request, inside the event
# loop: a few bad queries stall everyone (1-2 s each). Plain logging is enough.
datasette_errors.rich = None

# Only these tags survive in any HTML we show; no attributes but safe links.
SAFE_TAGS = {"p", "br", "em", "strong", "b", "i", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "a"}
SAFE_ATTRIBUTES = {"a": {"href", "title"}}


def safe_html(html: str | None) -> str:
    """Stored HTML reduced to safe tags, attributes and URL schemes (no script, no handlers, no javascript:)."""
    return nh3.clean(html or "", tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="nofollow noopener")


ARTICLE_SQL = """
select a.*, au.name as author_name, au.bio as author_bio, au.url as author_url,
       s.name as site_name, s.platform as site_platform
from articles a left join authors au on au.id = a.author_id left join sites s on s.id = a.site_id
where a.id = :id
"""
COMMENTS_SQL = """
select author, author_url, posted, body, is_spam, spam_score, spam_reasons
from comments where article_id = :id order by position
"""


async def article_context(datasette, database: str, article_id: str) -> dict:
    """Everything the article page shows, from the database."""
    db = datasette.get_database(database)
    rows = (await db.execute(ARTICLE_SQL, {"id": article_id})).rows
    if not rows:
        return {}
    article = dict(rows[0])
    comments = [dict(row) for row in (await db.execute(COMMENTS_SQL, {"id": article_id})).rows]
    for comment in comments:
        comment["spam_reasons"] = json.loads(comment["spam_reasons"] or "[]")
        comment["author_url"] = safe_http_url(comment["author_url"])
    # Stored links are shown only when a browser would open them as http(s): never javascript: or data:.
    article["url"] = safe_http_url(article["url"])
    article["syndicated_from_url"] = safe_http_url(article["syndicated_from"])
    article["author_url"] = safe_http_url(article["author_url"])
    return {
        "article": article,
        "paragraphs": [p for p in (article["body"] or "").split("\n\n") if p.strip()],
        "body_html": safe_html(article["body_html"]),
        "repairs": json.loads(article["repairs"] or "{}"),
        "comments": [c for c in comments if not c["is_spam"]],
        "spam_comments": [c for c in comments if c["is_spam"]],
    }


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if template != "row-reprints-articles.html" or request is None:
        return {}

    async def inner():
        article_id = request.url_vars.get("pks", "")
        return {"reprints": await article_context(datasette, database, article_id)}

    return inner


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Article titles link to the article page, wherever a table lists them."""
    if table == "articles" and column == "title" and value and "id" in row.keys():
        from markupsafe import Markup, escape

        href = datasette.urls.row(database, table, escape(str(row["id"])))
        return Markup('<a class="article-link" href="{}">{}</a>').format(href, value)
    return None
