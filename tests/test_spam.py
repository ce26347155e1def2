"""Comment spam: verdicts on a case table, the score's range, reasons, training reproducibility,
the labelled data file, and the JSON Lines entry point. Offline; no shared data needed."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest

from pipeline import spam
from pipeline.model import Comment
from tests.conftest import reprints_cmd

CASES = spam.CASES_PATH

# The one comment on the example post (../shared/examples/mlm-leadership-blogger-post.txt).
WAHMOM = ("Hi this is a great list of ideas.\nI have been taking paid surveys for money...\n"
          "One of the best paid surveys is pinecone - go here get the pinecone research sign up link "
          "to join.\n"
          "Here are more good survey sites with reviews:\n\nlifepoints surveys review\nswagbucks reviews\n"
          "survey junkie reviews")

POST = ("Success in your MLM career initially depends on your sponsor and the quality of leaders in your "
        "MLM organization. The leaders insist that you speak to everybody with a view to recruit them "
        "into business.")

# (description, comment fields, expected is_spam)
VERDICTS = [
    ("WAHMom 'paid surveys' comment, 13 years after the post",
     dict(body=WAHMOM, author="WAHMom", posted="2021-12-31T18:46:00",
          post_published="2008-03-05T00:00:00"), True),
    ("reader signing with a link to her own blog",
     dict(body="Great points about leadership. My upline never trained anyone either, and I quit after a "
               "year. "
               "I wrote about it here: http://janeslife.blogspot.com/2008/03/my-mlm-year.html\nJane",
          author="Jane Miller", author_url="http://janeslife.blogspot.com", posted="2008-03-06T09:12:00",
          post_published="2008-03-05T00:00:00"), False),
    ("'removed by the author' stub",
     dict(body="This comment has been removed by the author.", author="hill"), False),
    ("keyword author 'cheap ugg boots'",
     dict(body="Nice article, thanks for sharing.", author="cheap ugg boots",
          author_url="http://www.cheapuggbootsoutlet.com/"), True),
    ("keyword author without a link",
     dict(body="I really enjoyed reading this, thanks.", author="cheap ugg boots"), True),
    ("pharmacy link drop",
     dict(body="Buy Cialis online <http://www.8pills.com/buy-cialis.html> | Generic Viagra no prescription "
               "<http://www.8pills.com/buy-viagra.html>", author="US Online Pharmacy"), True),
    ("generic praise carrying a shop link",
     dict(body="Great informative post! Thank you..", author="Lisa",
          author_url="http://www.replica-handbags-outlet.com/"), True),
    ("homoglyph template spam",
     dict(body="I usｅd to be suggested thiѕ web site by way of my cousin. You are wonderful! Thanks!",
          author="rawson", author_url="https://b2stats.com/"), True),
    ("plug for the commenter's own business",
     dict(body="Great post! Check out my site for the best MLM leads and work from home tips: "
               "http://www.mlm-leads-now.com/free-leads", author="Top MLM Leads",
          author_url="http://www.mlm-leads-now.com/"), True),
    ("substantive reply without links",
     dict(body="I disagree with the part about stock dumping. My sponsor never asked me to buy inventory, "
               "and "
               "the company refunds unsold product within a year. Which companies did you have in mind?",
          author="Mark Field", posted="2008-03-07T10:00:00", post_published="2008-03-05T00:00:00"), False),
    ("pingback",
     dict(body="[...] Why your upline will always fail you | Magnetic Leadership [...]",
          author="MLM Leadership Roundup | Some Blog", author_url="http://someblog.example/roundup/"), False),
    ("name lost to '?' behind a shop link",
     dict(body="great????", author="????", author_url="http://huhulove.com.cn/"), True),
    ("a reader asking 'Who?' keeps a readable name",
     dict(body="Who is the speaker in the second video?", author="Who?"), False),
]


@pytest.mark.parametrize("description, fields, expected", VERDICTS, ids=[v[0] for v in VERDICTS])
def test_verdicts(description, fields, expected):
    verdict = spam.score_comment(**fields, post_text=POST)
    assert verdict.is_spam is expected, (description, verdict)
    assert 0.0 <= verdict.score <= 1.0
    if expected:
        assert verdict.reasons, description


def test_reasons_name_the_evidence():
    assert "keyword_author" in spam.score_comment("Nice article.", "cheap ugg boots").reasons
    wahmom = spam.score_comment(WAHMOM, "WAHMom", None, "2021-12-31T18:46:00", "", "2008-03-05T00:00:00")
    assert {"money_making_pitch", "posted_years_after"} <= set(wahmom.reasons)
    assert spam.score_comment("This comment has been removed by the author.").reasons == ["removed_stub"]


def test_scores_stay_in_range_on_odd_input():
    for body in ("", "?" * 50, "http://a.com " * 40, "x" * 5000, "ÄÖÜ 日本語 😀"):
        verdict = spam.score_comment(body, author="", author_url="not a url", posted="garbage",
                                     post_published="2008-03-05")
        assert 0.0 <= verdict.score <= 1.0


def test_score_comments_fills_in_place_and_counts_copies():
    copied = "I like that this is easy to use for anyone who reads it."
    comments = [Comment(author="bcklord", author_url="http://www.antalya-kamera.com", body=copied),
                Comment(author="New Premium WordPress Themes", author_url="http://premiumwpthemes2012.com",
                        body=copied),
                Comment(author="Jane", body="Thanks, this helped me decide to leave my downline."),
                Comment(author="hill", body="This comment has been removed by the author.")]
    spam.score_comments(comments, post_text=POST, post_published="2012-06-28T00:00:00")
    assert [c.is_spam for c in comments] == [True, True, False, False]
    assert "duplicate_text" in comments[0].spam_reasons
    assert all(0.0 <= c.spam_score <= 1.0 for c in comments)


def test_copies_need_another_name_and_a_real_sentence():
    bodies = ["Thanks!", "Thanks!", "Thank you for providing this wonderful resource, truly great work.",
              "Thank you for providing this wonderful resource, truly great work.", "Quote: a b c d e f g +1"]
    authors = ["a", "b", "c", "c", "d"]
    assert spam.count_copies(bodies, authors) == [0, 0, 0, 0, 0]
    assert spam.count_copies(bodies[2:4], ["c", "e"]) == [1, 1]


# (description, bodies, authors, expected copies): who counts as a copy of whom.
COPIES = [
    ("a 'removed by the author' stub is nobody's copy",
     ["This comment has been removed by the author."] * 2, ["hill", "Seeker01"], [0, 0]),
    ("the same name with a trailing period is not another name",
     ["Hello take it easy have a nice live !!!"] * 2, ["Marcello Bergamin.", "marcello bergamin"], [0, 0]),
    ("the same sentence under a shop name is a copy",
     ["I like that this is easy to use for anyone."] * 2, ["bcklord", "New Premium WordPress Themes"], [1, 1]),
]


@pytest.mark.parametrize("description, bodies, authors, expected", COPIES, ids=[c[0] for c in COPIES])
def test_copies_table(description, bodies, authors, expected):
    assert spam.count_copies(bodies, authors) == expected, description


def test_unreadable_author_is_a_reason():
    verdict = spam.score_comment("great????", "????", "http://huhulove.com.cn/")
    assert "unreadable_author" in verdict.reasons


def test_classify_jsonl_line_adds_fields():
    line = {"body": WAHMOM, "author": "WAHMom", "posted": "2021-12-31T18:46:00",
            "post_text": POST, "post_published": "2008-03-05T00:00:00", "extra": 1}
    out = spam.classify_jsonl_line(line)
    assert out["is_spam"] is True and 0.0 <= out["spam_score"] <= 1.0
    assert isinstance(out["spam_reasons"], list) and out["extra"] == 1
    json.dumps(out)
    minimal = spam.classify_jsonl_line({"body": "Nice to meet you all."})
    assert minimal["is_spam"] is False and "spam_score" in minimal


def test_training_is_reproducible_and_matches_the_shipped_model(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    summary = spam.train(CASES, first)
    spam.train(CASES, second)
    spam.load_model.cache_clear()
    assert first.read_bytes() == second.read_bytes()
    assert summary["comments"] >= 300 and summary["bytes"] < 200_000
    shipped = json.loads(spam.MODEL_PATH.read_text(encoding="utf-8"))
    trained = json.loads(first.read_text(encoding="utf-8"))
    assert shipped["trained_on"] == trained["trained_on"]
    for name, weight in trained["features"].items():
        assert shipped["features"][name] == pytest.approx(weight, abs=1e-3), name


def test_missing_model_falls_back_to_prior_weights(tmp_path):
    model = spam.load_model(str(tmp_path / "missing.json"))
    assert model["tokens"] == {} and model["features"]["keyword_author"] > 0


def test_labelled_comments_file():
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 300
    labels = Counter(row["label"] for row in rows)
    assert set(labels) == {"spam", "ham"} and labels["spam"] >= 50
    for row in rows:
        fields = {"page", "author", "author_url", "posted", "body", "post_title", "post_published", "label"}
        assert fields <= set(row)
        assert row["page"].split("/")[0] in {"blogger", "wordpress", "other_blogs"}
        assert len(row["body"]) <= 1100
    stubs = [r for r in rows if r["body"].strip() == "This comment has been removed by the author."]
    assert stubs and all(r["label"] == "ham" for r in stubs)


# (description, scores, pages, expected shares): what a comment's page says about it.
PAGE_SHARES = [
    ("a page with too few other comments says nothing",
     [0.9, 0.9, 0.9, 0.1], ["p"] * 4, [None, None, None, None]),
    ("the comment's own verdict is left out of its share",
     [0.9, 0.9, 0.9, 0.9, 0.1], ["p"] * 5, [0.75, 0.75, 0.75, 0.75, 1.0]),
    ("pages are counted apart",
     [0.9] * 5 + [0.1] * 5, ["spammed"] * 5 + ["clean"] * 5, [1.0] * 5 + [0.0] * 5),
    ("a score at the threshold counts as spam",
     [spam.SPAM_THRESHOLD, 0.0, 0.0, 0.0, 0.0], ["p"] * 5, [0.0, 0.25, 0.25, 0.25, 0.25]),
]


@pytest.mark.parametrize("description, scores, pages, expected", PAGE_SHARES, ids=[c[0] for c in PAGE_SHARES])
def test_page_shares_table(description, scores, pages, expected):
    assert spam.page_shares(scores, pages) == expected, description


PHARMACY_DROPS = [Comment(author=f"buy viagra {i}", author_url=f"http://pills{i}.example",
                          body=f"Cheap generic viagra online no prescription http://pills{i}.example/viagra")
                  for i in range(5)]
# A short remark behind a camera shop's link, from the blogohblog page: borderline when judged alone.
CAMERA_SHOP = dict(author="bcklord", author_url="http://www.antalya-kamera.com",
                   body="I like that this is easy to use for anyone.")


def test_a_page_full_of_link_drops_tips_a_borderline_comment():
    comment = Comment(**CAMERA_SHOP)
    spam.score_comments(PHARMACY_DROPS + [comment])
    alone = spam.score_comment(**CAMERA_SHOP)
    assert comment.is_spam and "spammed_page" in comment.spam_reasons
    assert comment.spam_score > alone.score
    assert all(c.is_spam for c in PHARMACY_DROPS)


def test_a_comment_among_few_others_is_judged_alone():
    comment = Comment(**CAMERA_SHOP)
    spam.score_comments(PHARMACY_DROPS[:2] + [comment])
    assert comment.spam_score == spam.score_comment(**CAMERA_SHOP).score
    assert "spammed_page" not in comment.spam_reasons


def test_shipped_model_has_both_passes():
    model = spam.load_model()
    assert "spammed_page" in model["features"] and "spammed_page" not in model["first_pass"]["features"]
    assert set(model["first_pass"]) == {"intercept", "features", "tokens"}


def _spam_cli(lines: list[dict]) -> list[dict]:
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    result = subprocess.run(reprints_cmd("spam"), input=stdin, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_spam_command_judges_lines_of_one_page_together():
    drops = [{"page": "p1", "author": c.author, "author_url": c.author_url, "body": c.body} for c in PHARMACY_DROPS]
    together = _spam_cli(drops + [{**CAMERA_SHOP, "page": "p1"}, CAMERA_SHOP])
    assert len(together) == 7
    assert together[5]["is_spam"] is True and "spammed_page" in together[5]["spam_reasons"]
    assert together[6]["spam_score"] == spam.score_comment(**CAMERA_SHOP).score
    assert "page" not in together[6]


def test_spam_command_names_the_bad_line():
    result = subprocess.run(reprints_cmd("spam"), input='{"body": "fine"}\nnot json\n', capture_output=True,
                            text=True)
    assert result.returncode != 0 and "stdin line 2: not JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_labelled_comments_are_judged_against_their_post_words(tmp_path):
    post = ("Success in network marketing depends on your sponsor and the leaders above them. Many uplines "
            "insist that recruits approach friends, relatives, neighbours and colleagues, then measure "
            "loyalty by monthly volume. Compensation plans reward recruiting over retail customers, so "
            "distributors chase signups instead of selling products. Training events, motivational "
            "conferences, conference calls and expensive starter kits drain savings. Better leadership "
            "means honest expectations, patient mentoring, realistic income disclosures, transparent "
            "commissions, genuine product demand, customer service, inventory refunds and respect "
            "for prospects who decline the opportunity politely.")
    words = " ".join(sorted(spam.rules.content_words(post)))
    (tmp_path / "comments.jsonl").write_text(json.dumps(
        {"page": "p", "author": "Jo", "label": "ham", "post_title": "Why your upline fails you",
         "body": "The weather in Lisbon was lovely this spring, with sunny beaches, quiet museums, "
                 "excellent seafood restaurants and friendly locals everywhere we travelled."}) + "\n")
    (tmp_path / spam.POSTS_FILE).write_text(json.dumps({"page": "p", "post_words": words}) + "\n")
    [record] = spam.read_cases(tmp_path / "comments.jsonl")
    assert record["post_words"] == words
    assert spam.record_evidence(record, 0)[0]["off_topic"] == 1.0
    del record["post_words"]
    assert spam.record_evidence(record, 0)[0]["off_topic"] == 0.0  # a title alone is too short to judge


def test_every_kept_post_belongs_to_a_labelled_page():
    pages = {rec["page"] for rec in spam.read_cases()}
    kept = spam.read_post_words(spam.POSTS_PATH)
    assert len(kept) >= 40 and set(kept) <= pages
    assert all(words.split() == sorted(set(words.split())) for words in kept.values())
