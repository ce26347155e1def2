"""Syndicated-copy clustering: small corpora in an in-memory database, and the pure functions."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sqlite_utils
from datasketch import MinHash

from pipeline import dedup_core
from pipeline.dedup import canonical_of, cluster_articles, features, signature, verify
from pipeline.model import Article
from pipeline.store import article_id, ensure_schema, save_article

VOCAB = """network marketing business downline upline sponsor recruit prospect lead product customer income
opportunity plan commission distributor growth market people team leader training success system company
money home online blog email list follow call meeting event product retail wholesale volume bonus rank
mentor coach skill habit goal dream family friend contact presentation video website traffic content
autoresponder funnel attraction value trust relationship referral testimonial result month year week day
hour time effort focus discipline strategy method approach secret mistake failure reason problem solution
question answer story example experience knowledge learning growth mindset attitude belief motivation""".split()
GLUE = "the a of to and in for with your you is are that it on as be can will this not but or".split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(VOCAB) if rng.random() < 0.6 else rng.choice(GLUE) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def article_text(seed: int, paragraphs: int = 6) -> list[str]:
    """A distinct article on the same topic: same vocabulary, its own sentences."""
    rng = random.Random(seed)
    return [" ".join(sentence(rng, rng.randint(9, 16)) for _ in range(rng.randint(3, 5))) for _ in range(paragraphs)]


def truncated(paragraphs: list[str], share: float) -> list[str]:
    words = " ".join(paragraphs).split()
    return [" ".join(words[: int(len(words) * share)]) + " ... Read more"]


def corrupted(paragraphs: list[str]) -> list[str]:
    """Sendmail "!" inside words every ~990 characters, "?" for apostrophes, a split word."""
    out = []
    for p in paragraphs:
        p = p.replace("'", "?")
        p = "! ".join(p[i:i + 989] for i in range(0, len(p), 989))
        out.append(p.replace("business", "busine ss", 1))
    return out


def spun(paragraphs: list[str], rate: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCAB) if w.lower().strip(".") in VOCAB and rng.random() < rate else w
                     for w in p.split()) for p in paragraphs]


def art(url: str, paragraphs: list[str], platform: str = "blogger", published: str = "2009-01-01",
        source: str | None = None, title: str = "An article") -> Article:
    return Article(url=url, platform=platform, title=title, published=published, paragraphs=paragraphs,
                   syndicated_from=source, site_name=url.split("/")[2])


ORIGINAL = article_text(1)
DIRECTORY_URL = "http://www.a1articles.com/article_485576_80.html"


def corpus_syndicated() -> list[Article]:
    """A directory original, a blog copy truncated to 60%, and a corrupted blog copy with a Source: line."""
    return [
        art("http://blog-one.blogspot.com/2008/03/mlm.html", truncated(ORIGINAL, 0.6), published="2008-03-05",
            title="Why your upline fails"),
        art(DIRECTORY_URL, ORIGINAL, platform="directory", published="2008-04-01", title="MLM Leadership"),
        art("http://blog-two.com/2009/01/copy.html",
            ["Wednesday, March 5, 2008"] + corrupted(ORIGINAL) + ["Source: " + DIRECTORY_URL, "Post a Comment"],
            platform="wordpress", published="2008-02-01", source=DIRECTORY_URL, title="Leadership (reprint)"),
    ]


def corpus_same_topic() -> list[Article]:
    """Two different articles on one topic, sharing a stock closing paragraph."""
    stock = ("If you want to build a network marketing business that lasts, learn marketing first: find "
             "prospects who are looking for what you offer, follow up with value, and let your upline teach "
             "you the skills. My free report shows the exact system I use to recruit three people a week.")
    return [art("http://a.example/1.html", article_text(2) + [stock]),
            art("http://b.example/2.html", article_text(3) + [stock])]


def corpus_shared_quote() -> list[Article]:
    """Two different articles that quote the same long passage (DESIGN.md: not the same article)."""
    passage = " ".join(ORIGINAL[1:3])
    a, b = article_text(4), article_text(5)
    return [art("http://c.example/1.html", a[:3] + ["As one leader wrote: " + passage] + a[3:]),
            art("http://d.example/2.html", b[:2] + ["I agree with this: " + passage] + b[2:])]


def corpus_spun() -> list[Article]:
    """An original and a copy with 25% of its topic words swapped."""
    return [art("http://e.example/orig.html", ORIGINAL, platform="directory"),
            art("http://f.example/spun.html", spun(ORIGINAL, 0.4, 9))]


CASES = [
    # (name, corpus, expected groups of urls clustered together)
    ("directory original + truncated + corrupted Source copy", corpus_syndicated,
     [{a.url for a in corpus_syndicated()}]),
    ("same topic, different articles", corpus_same_topic, []),
    ("two articles quoting one passage", corpus_shared_quote, []),
    ("spun copy", corpus_spun, [{a.url for a in corpus_spun()}]),
]


def new_db(articles: list[Article]) -> sqlite_utils.Database:
    db = sqlite_utils.Database(memory=True)
    ensure_schema(db)
    for a in articles:
        save_article(db, a)
    return db


def groups(db: sqlite_utils.Database) -> list[set[str]]:
    out = []
    for (cid,) in db.execute("SELECT id FROM clusters ORDER BY id"):
        out.append({r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ?", [cid])})
    return out


@pytest.mark.parametrize("name,make,expected", CASES, ids=[c[0] for c in CASES])
def test_cases(name, make, expected):
    db = new_db(make())
    counts = cluster_articles(db)
    assert groups(db) == expected
    assert counts["clusters"] == len(expected)
    assert counts["copies"] == sum(len(g) - 1 for g in expected)


def test_canonical_is_the_directory_original():
    db = new_db(corpus_syndicated())
    cluster_articles(db)
    row = db.execute("SELECT canonical_article_id, size FROM clusters").fetchone()
    assert row == (article_id(DIRECTORY_URL), 3)


def test_incremental_hashes_only_the_new_article_and_rerun_changes_nothing():
    articles = corpus_syndicated()
    db = new_db(articles[:2] + corpus_same_topic())
    first = cluster_articles(db)
    assert first["hashed"] == 4 and first["clusters"] == 1
    save_article(db, articles[2])
    second = cluster_articles(db)
    assert second["hashed"] == 1
    assert second["articles"] == 5 and second["clusters"] == 1 and second["copies"] == 2
    before = db.execute("SELECT id, cluster_id FROM articles ORDER BY id").fetchall()
    clusters_before = db.execute("SELECT * FROM clusters").fetchall()
    third = cluster_articles(db)
    assert third["hashed"] == 0 and third["changed"] == 0 and third["verified"] == 0
    assert db.execute("SELECT id, cluster_id FROM articles ORDER BY id").fetchall() == before
    assert db.execute("SELECT * FROM clusters").fetchall() == clusters_before


def test_a_run_that_stops_after_hashing_is_resumed(monkeypatch):
    from pipeline import dedup

    articles = corpus_syndicated()
    db = new_db(articles[:2])
    cluster_articles(db)
    save_article(db, articles[2])

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(dedup, "_write_clusters", crash)
        with pytest.raises(KeyboardInterrupt):
            cluster_articles(db)
    resumed = cluster_articles(db)
    assert resumed["hashed"] == 0  # hashed by the stopped run, still pending
    assert groups(db) == [{a.url for a in articles}]


def test_changed_article_leaves_its_cluster_and_ids_stay():
    articles = corpus_syndicated()
    db = new_db(articles)
    cluster_articles(db)
    cid = db.execute("SELECT id FROM clusters").fetchone()[0]
    rewritten = art(articles[0].url, article_text(77), published="2008-03-05")
    save_article(db, rewritten)
    counts = cluster_articles(db)
    assert counts["hashed"] == 1
    assert groups(db) == [{articles[1].url, articles[2].url}]
    assert db.execute("SELECT id, size FROM clusters").fetchall() == [(cid, 2)]


def test_deleted_article_shrinks_its_cluster():
    articles = corpus_syndicated()
    db = new_db(articles)
    cluster_articles(db)
    db.execute("DELETE FROM comments")
    db.execute("DELETE FROM articles WHERE url = ?", [articles[0].url])
    db.conn.commit()
    cluster_articles(db)
    assert groups(db) == [{articles[1].url, articles[2].url}]
    assert db.execute("SELECT size FROM clusters").fetchone()[0] == 2


def test_bulk_update_keeps_the_fts_trigger(monkeypatch):
    from pipeline import dedup

    monkeypatch.setattr(dedup, "BULK_UPDATE", 1)
    db = new_db(corpus_syndicated())
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'articles_au'"
    before = db.execute(trigger).fetchone()
    cluster_articles(db)
    assert db.execute(trigger).fetchone() == before
    db.execute("UPDATE articles SET title = 'Zanzibar leadership' WHERE url = ?", [DIRECTORY_URL])
    hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'zanzibar'").fetchall()
    assert len(hits) == 1


def test_index_in_its_own_file_and_full_rebuild(tmp_path):
    db = new_db(corpus_syndicated() + corpus_same_topic())
    path = tmp_path / "reprints.lsh"
    first = cluster_articles(db, index_path=path)
    assert path.exists() and first["hashed"] == 5
    assert cluster_articles(db, index_path=path)["hashed"] == 0
    rebuilt = cluster_articles(db, index_path=path, incremental=False)
    assert rebuilt["hashed"] == 5 and rebuilt["changed"] == 0 and len(groups(db)) == 1


def test_canonical_of_rules():
    d = {"id": "d", "url": "http://dir.example/a", "platform": "directory", "published": "2009-05-01"}
    b1 = {"id": "b1", "url": "http://b1.example/a", "platform": "blogger", "published": "2008-01-01",
          "syndicated_from": "http://dir.example/a"}
    b2 = {"id": "b2", "url": "http://b2.example/a", "platform": "wordpress", "published": "2008-06-01",
          "syndicated_from": "http://b1.example/a"}
    b3 = {"id": "b3", "url": "http://b3.example/a", "platform": "blogger", "published": None}
    assert canonical_of([b1, d, b2]) == "d"          # the directory original
    assert canonical_of([b1, b2, b3]) == "b1"        # the copy a Source: line points to
    assert canonical_of([b3, dict(b2, syndicated_from=None), dict(b1, syndicated_from=None)]) == "b1"  # earliest
    # A blog post that the Source lines name, published before the directory copy, is the original.
    d_later = dict(d, published="2010-01-01")
    b4 = {"id": "b4", "url": "http://b4.example/a", "platform": "blogger", "published": "2011-01-01",
          "syndicated_from": "http://b1.example/a"}
    assert canonical_of([d_later, dict(b1, syndicated_from=None), b2, b4]) == "b1"


def test_signature_is_datasketchs():
    f = features(" ".join(ORIGINAL))
    m = MinHash(num_perm=dedup_core.NUM_PERM, seed=dedup_core.SEED, hashfunc=int)
    m.update_batch([int(x) for x in f.shingles])
    assert np.array_equal(m.hashvalues, signature(f.shingles))


def test_tokens_agree_on_lost_characters():
    assert dedup_core.tokens("Haven't you? Haven?t you! Haven\u2019t \u00fcber-caf\u00e9") == \
        ["haven", "t", "you", "haven", "t", "you", "haven", "t", "\u00fcber", "caf\u00e9"]


def test_verify_is_containment_not_jaccard():
    full = features(" ".join(ORIGINAL))
    half = features(" ".join(truncated(ORIGINAL, 0.5)))
    assert verify(full, half).same and verify(half, full).same
    a, b = (features(" ".join(x.paragraphs)) for x in corpus_shared_quote())
    verdict = verify(a, b)
    assert not verdict.same and verdict.coverage_short < 0.6
