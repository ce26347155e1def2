"""`pipeline.reprocess.copy_hints`: which stored copies an intact sibling in their cluster can repair."""

import json

import pytest

from pipeline.model import Article
from pipeline.reprocess import copy_hints
from pipeline.store import article_id, open_db, save_articles

EN_DASHED = "Talk to your warm market – differently – and listen."
NO_MARKS = "Talk to your warm market differently and listen."
DOUBLE_QUOTED = "He said “call me” and hung up."
GUESSED_DASH = {"lost_char": 2, "dash_style_guessed": 1}
RESTYLED = {"lost_char": 2, "dash_style_from_copy": 1}  # before copies were consulted for characters
CONSULTED = {**RESTYLED, "copy_consulted": 1}

# (case, the copy's repairs, the sibling's body, the sibling's repairs, whether the copy gets a hint)
CASES = [
    ("guessed dash, sibling shows en dashes", GUESSED_DASH, EN_DASHED, {}, True),
    ("guessed dash, sibling has no mark at all", GUESSED_DASH, NO_MARKS, {}, False),
    ("guessed dash, sibling restored too", GUESSED_DASH, EN_DASHED, {"lost_char": 2}, False),
    ("guessed dash, sibling shows quotes: it shows characters", GUESSED_DASH, DOUBLE_QUOTED, {}, True),
    ("guessed quotes, sibling shows quotes", {"lost_char": 2, "quote_style_guessed": 1}, DOUBLE_QUOTED, {}, True),
    ("nothing guessed: the sibling shows the characters", {"lost_char": 2}, EN_DASHED, {}, True),
    ("a copy consulted already", CONSULTED, EN_DASHED, {}, False),
    ("restyled before copies were consulted", RESTYLED, EN_DASHED, {}, True),
    ("nothing restored", {"chrome_removed": 1}, EN_DASHED, {}, False),
]


def corpus(tmp_path, copy_repairs, sibling_body, sibling_repairs, clustered=True):
    db = open_db(tmp_path / "reprints.db")
    copy = Article(url="http://blog.example.com/copy.html", title="Warm market", paragraphs=["Talk ? to them."],
                   repairs=copy_repairs)
    sibling = Article(url="http://ezine.example.com/original.html", title="Warm market",
                      paragraphs=[sibling_body], repairs=sibling_repairs)
    save_articles(db, [copy, sibling])
    if clustered:
        db["clusters"].insert({"id": 1, "canonical_article_id": article_id(sibling.url), "size": 2})
        db.execute("update articles set cluster_id = 1")
        db.conn.commit()
    return db, article_id(copy.url)


@pytest.mark.parametrize("copy_repairs, sibling_body, sibling_repairs, hinted",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_copy_hints(tmp_path, copy_repairs, sibling_body, sibling_repairs, hinted):
    db, copy_id = corpus(tmp_path, copy_repairs, sibling_body, sibling_repairs)
    assert copy_hints(db) == ({copy_id: sibling_body} if hinted else {})


def test_a_rebuild_of_everything_hints_the_restyled_copies_again(tmp_path):
    # Without its hint, a full rebuild would put back the guessed style the restyle corrected.
    db, copy_id = corpus(tmp_path, CONSULTED, EN_DASHED, {})
    assert copy_hints(db) == {}
    assert copy_hints(db, again=True) == {copy_id: EN_DASHED}


def test_no_cluster_no_hint(tmp_path):
    db, _ = corpus(tmp_path, GUESSED_DASH, EN_DASHED, {}, clustered=False)
    assert copy_hints(db) == {}


def test_the_stored_repairs_follow_an_unchanged_body(tmp_path):
    # A rebuild that gives the same text a new account of its repairs stores the new account.
    db, copy_id = corpus(tmp_path, GUESSED_DASH, EN_DASHED, {})
    save_articles(db, [Article(url="http://blog.example.com/copy.html", title="Warm market",
                               paragraphs=["Talk ? to them."], repairs={"lost_char": 2, "dash_style_from_copy": 1})])
    assert json.loads(db["articles"].get(copy_id)["repairs"]) == {"lost_char": 2, "dash_style_from_copy": 1}
