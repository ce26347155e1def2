"""WordPress: /feed/ and its paging, the REST API where offered, post pages and their comment pages."""

from __future__ import annotations

import json
from urllib.parse import urljoin

FEED_PAGE = "/feed/?paged={page}"
API_PAGE = "/wp-json/wp/v2/posts?per_page=50&page={page}"
# body classes WordPress themes put on a single post's page
SINGLE_POST_MARKERS = ("single-post", "single ", "postid-")


class WordPressNavigation:
    """Mixin: how to find every post of a WordPress blog."""

    def navigate_wordpress(self, response):
        """From any WordPress page: the post itself if it is one, the feed, the REST API, post links."""
        body_class = " ".join(response.css("body::attr(class)").getall()) + " "
        if any(marker in body_class for marker in SINGLE_POST_MARKERS):
            yield from self.parse_post(response, "wordpress")
        yield self.paging_request(urljoin(response.url, "/feed/"), self.parse_wordpress_feed, 1)
        yield self.paging_request(urljoin(response.url, API_PAGE.format(page=1)), self.parse_wordpress_api, 1)
        for href in response.css(".entry-title a::attr(href), a[rel=bookmark]::attr(href)").getall():
            yield self.post_request(urljoin(response.url, href), "wordpress")

    def parse_wordpress_feed(self, response, page: int):
        """One page of /feed/: its posts, then the next page while pages have entries."""
        if response.status == 404:
            return  # past the last page, or no feed at all
        has_items = bool(response.xpath("//item"))
        response.meta["platform"] = "wordpress"
        yield from self.parse_feed(response)
        if has_items:
            yield self.paging_request(urljoin(response.url, FEED_PAGE.format(page=page + 1)),
                                      self.parse_wordpress_feed, page + 1)

    def parse_wordpress_api(self, response, page: int):
        """One page of /wp-json/wp/v2/posts: its post links, then the next page."""
        if response.status == 404:
            return  # the site offers no REST API
        try:
            posts = json.loads(response.text)
        except (ValueError, AttributeError):
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
        return self.request(url, callback, cb_kwargs={"page": page}, meta={"handle_httpstatus_list": [404]})
