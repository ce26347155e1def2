"""Write the topic words of each labelled page's post, for the spam classifier's off-topic signal.

The labelled comments (tests/cases/comments.jsonl) keep their post's title only. The off-topic
signal compares a comment with its whole post, so this script reads each labelled page under
../shared/realpages/, extracts the post with the project's extractor (pipeline.extract), and
keeps the post's content words (spam_rules.content_words) as one sorted, space-separated line
per page in tests/cases/comment_posts.jsonl. A sorted set of words is all the signal needs; the
post's text itself is not copied, since most of those pages carry no licence to copy them.

    python scripts/spam_post_words.py ../shared/realpages > tests/cases/comment_posts.jsonl
    python scripts/spam_post_words.py ../shared/realpages --check   # is the file current?

Pages the extractor cannot read as one post (a Blogger listing page) get no line; their
comments are judged against the title alone, as before.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from pipeline import spam, spam_rules
from pipeline.extract import ExtractError, extract

# MANIFEST.tsv notes each page's address as "url=...]"; the extractor needs it to know the platform's URL rules.
MANIFEST_URL_RE = re.compile(r"url=(\S+?)\]")
FALLBACK_URL = "http://example.com/post.html"


def page_urls(realpages: Path) -> dict[str, str]:
    """Each saved page's original address, from the MANIFEST."""
    urls = {}
    for line in (realpages / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        match = MANIFEST_URL_RE.search(line)
        if match and match.group(1).startswith("http"):
            urls[line.split("\t", 1)[0]] = match.group(1)
    return urls


def post_words(realpages: Path, pages: list[str]) -> list[dict]:
    """One {"page", "post_words"} per page whose post the extractor reads."""
    urls = page_urls(realpages)
    rows = []
    for page in pages:
        try:
            article = extract((realpages / page).read_bytes(), urls.get(page, FALLBACK_URL))
        except (ExtractError, OSError) as exc:
            print(f"{page}: no post text ({exc})", file=sys.stderr)
            continue
        words = spam_rules.content_words(spam_rules.normalize(article.body or ""))
        if words:
            rows.append({"page": page, "post_words": " ".join(sorted(words))})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("realpages", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with the file in the project instead")
    args = parser.parse_args()
    pages = sorted({rec["page"] for rec in spam.read_cases()})
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in post_words(args.realpages, pages)]
    if args.check:
        current = spam.POSTS_PATH.read_text(encoding="utf-8") if spam.POSTS_PATH.exists() else ""
        if current != "".join(lines):
            print(f"{spam.POSTS_PATH} is out of date: rerun this script", file=sys.stderr)
            return 1
        print(f"{spam.POSTS_PATH} is current ({len(lines)} pages)", file=sys.stderr)
        return 0
    sys.stdout.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
