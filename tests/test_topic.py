"""topic_score: the example texts score high, recipes and politics low, internet marketing in between."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.topic import OFF_TOPIC, ON_TOPIC, term_counts, topic_score

EXAMPLES = Path(__file__).resolve().parent / "files" / "examples"
REALPAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "realpages"

RECIPE = (
    "Preheat the oven to 350 degrees. In a large bowl, whisk together the pumpkin puree, brown sugar, "
    "maple syrup, eggs and pumpkin pie spice, then stir in the milk and cream. Pour the filling into the "
    "crust, cover the edges with foil so they don't burn, and bake for 50 minutes, until the centre is set. "
    "Let it cool completely, ideally overnight, before slicing."
)
POLITICS = (
    "The Senate voted 52 to 48 on Tuesday to confirm the nominee, after a week of hearings in which "
    "Democrats pressed him on executive power and the torture memos. Republicans said the vote showed the "
    "president's agenda was moving forward; the minority leader called it a dark day for the Constitution."
)
FASHION = (
    "London Fashion Week closed with a show of oversized coats, pleated skirts and chunky boots. Street "
    "style photographers caught editors in camel trench coats and bright knitwear, and the season's "
    "colour is clearly burgundy, from lipstick to leather handbags."
)
INTERNET_MARKETING = (
    "Guest blogging is one of the most powerful ways of building quality backlinks to your website. "
    "Write a high quality post for someone else's blog and add your link at the end. Article marketing "
    "still works too: submit to the article directories that gained authority after Penguin. Social "
    "networks bring traffic, and a good landing page turns that traffic into an email list you can "
    "market to with an autoresponder. Link building is key to SEO and to growing an online business."
)


def read_example(name: str) -> tuple[str, str]:
    """(title, body) of an example text; the title is its first non-date line."""
    lines = (EXAMPLES / name).read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if line.strip()]
    if lines[0].startswith("Wednesday"):
        lines = lines[1:]
    return lines[0], "\n".join(lines[1:])


@pytest.mark.parametrize("name", ["mlm-leadership-blogger-post.txt", "major-pitfall-article.txt"])
def test_examples_are_on_topic(name):
    title, body = read_example(name)
    assert topic_score(body, title) >= ON_TOPIC
    assert topic_score(body) >= ON_TOPIC  # without the title too


@pytest.mark.parametrize("text", [RECIPE, POLITICS, FASHION], ids=["recipe", "politics", "fashion"])
def test_off_topic_posts_score_low(text):
    assert topic_score(text) <= OFF_TOPIC


def test_internet_marketing_is_in_between():
    assert OFF_TOPIC < topic_score(INTERNET_MARKETING) < ON_TOPIC


def test_short_on_topic_text():
    text = "Your upline should help you train your downline, not just push the compensation plan."
    assert topic_score(text) >= ON_TOPIC


def test_one_ambiguous_word_is_not_enough():
    assert topic_score("Python 3.6 is out; third-party distributors should have packages soon.") <= OFF_TOPIC
    assert topic_score("Thanks to our sponsor. " * 5) <= OFF_TOPIC


def test_title_counts():
    body = "Most people who start never learn how to build a team or run a business."
    assert topic_score(body, "Network Marketing: Why Your MLM Upline Fails You") > topic_score(body)


def test_score_bounds():
    assert topic_score("") == 0.0
    assert topic_score("MLM " * 2000, "MLM") <= 1.0


def test_spellings_and_phrases():
    counts = term_counts("Multi-level marketing and multilevel marketing; down-lines, downlines and up line.")
    assert counts == {"multi level marketing": 2, "down line": 2, "up line": 1}
    assert term_counts("network marketing") == {"network marketing": 1}  # not also "marketing"
    assert term_counts("Home-based businesses") == {"home based business": 1}


def test_whole_words_only():
    assert term_counts("The summit in Avonlea treated acne and commissioners.") == {}


# --- calibration on real pages, when the shared reference folder is present ----------------

needs_realpages = pytest.mark.skipif(not REALPAGES.is_dir(), reason="shared realpages not available")


def gold_text(path: str) -> str:
    text = (REALPAGES / path).read_text(encoding="utf-8", errors="replace")
    return text.split("!@#$%^&*()")[0]  # the dragnet gold files append the comments after this line


@needs_realpages
@pytest.mark.parametrize(
    "path",
    [
        "blogger/dragnet_R182_imperfecthomemaking.com_2012-10_15comments.gold.txt",  # pumpkin pie
        "blogger/dragnet_T71_balkin.blogspot.com_classic_comment-spam.gold.txt",  # law and politics
        "blogger/cleaneval_dev57_syriacomment_2005-04_classic.gold.txt",  # Syrian politics
        "blogger/dragnet_R568_copyranter.blogspot.com_classic.gold.txt",  # advertising
        "other_blogs/dragnet_R60_typepad_strategic-pr_great-post-spam.gold.txt",  # PR
    ],
)
def test_realpages_off_topic(path):
    assert topic_score(gold_text(path)) <= OFF_TOPIC


@needs_realpages
def test_realpages_blogging_tips_in_between():
    text = gold_text("wordpress/dragnet_R448_bloggingpro.com_2012-11_link-building.gold.txt")
    assert OFF_TOPIC < topic_score(text, "Five Great Strategies For Link-Building") < ON_TOPIC
