"""WordPress: /feed/ and its paging, the REST API where offered, post pages and their comment pages."""

from __future__ import annotations

import json
from urllib.parse import urljoin

from crawler.spiders.base import is_html

FEED_PAGE = "/feed/?paged={page}"
API_PAGE = "/wp-json/wp/v2/posts?per_page=50&page={page}"
# body classes WordPress themes put on a single post's page
SINGLE_POST_MARKERS = ("single-post", "single ", "postid-")


class WordPressNavigation:
    """Mixin: how to find every post of a WordPress blog."""

    def navigate_wordpress(self, response):
        """From any WordPress page: the feed and its pages, the REST API, then a walk of the blog."""
        yield self.paging_request(urljoin(response.url, "/feed/"), self.parse_wordpress_feed, 1)
        yield self.paging_request(urljoin(response.url, API_PAGE.format(page=1)), self.parse_wordpress_api, 1)
        yield from self.parse_wordpress_page(response)

    def parse_wordpress_page(self, response):
        """A single post (by its body class) goes to extraction; every page is walked for more."""
        if is_html(response) and is_single_post(response):
            yield from self.parse_post(response, "wordpress")
        yield from self.walk(response, "wordpress", self.parse_wordpress_page, lambda url: False)

    def parse_wordpress_feed(self, response, page: int):
        """One page of /feed/: its posts, then the next page while pages have entries."""
        if response.status == 404:
            return  # past the last page, or no feed at all
        response.meta["platform"] = "wordpress"
        followed = list(self.parse_feed(response))
        yield from followed
        # Page on only while the feed parsed and listed posts: a refused feed is not paged 12 times.
        if any(getattr(request, "callback", None) == self.parse_post for request in followed):
            yield self.paging_request(urljoin(response.url, FEED_PAGE.format(page=page + 1)),
                                      self.parse_wordpress_feed, page + 1)

    def parse_wordpress_api(self, response, page: int):
        """One page of /wp-json/wp/v2/posts: its post links, then the next page."""
        if response.status in (400, 404):
            return  # past the last page (WordPress answers 400), or no REST API at all
        try:
            posts = json.loads(response.text)
        except (ValueError, AttributeError, RecursionError):  # RecursionError: JSON nested 100,000 deep
            self.count_error(response.url, "bad_json")
            return
        if not isinstance(posts, list):
            return
        for post in posts:
            if isinstance(post, dict) and isinstance(post.get("link"), str):
                yield self.post_request(urljoin(response.url, post["link"]), "wordpress")
        try:
            total = int(response.headers.get(b"X-WP-TotalPages", b"1"))
        except ValueError:
            total = 1
        if page < total:
            yield self.paging_request(urljoin(response.url, API_PAGE.format(page=page + 1)),
                                      self.parse_wordpress_api, page + 1)

    def paging_request(self, url: str, callback, page: int):
        """A request for page `page` of a list; a 404 there ends the list and is no error."""
        return self.request(url, callback, cb_kwargs={"page": page}, meta={"handle_httpstatus_list": [400, 404]})


def is_single_post(response) -> bool:
    """True when the theme marks the page as one post (WordPress body classes)."""
    body_class = " ".join(response.css("body::attr(class)").getall()) + " "
    return any(marker in body_class for marker in SINGLE_POST_MARKERS)
