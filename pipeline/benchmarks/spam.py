"""Comment spam: F1 on the labelled blog comments (cross-validated by page) and on the
UCI YouTube Spam Collection (trained on two videos, scored on the third, all three ways).

The blog comments are tests/cases/comments.jsonl. The YouTube collection is read where the
shared reference data keeps it (../shared/realpages/spam_corpus/); it is not copied into the
project, so those rows say "not available" without it.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

from pipeline import spam
from pipeline.benchmarks import Row

SHARED = Path(__file__).resolve().parents[3] / "shared"
YOUTUBE_DIR = SHARED / "realpages" / "spam_corpus" / "youtube_spam_collection"

# The three videos of the collection held here, with their titles: the "post" each comment is on.
YOUTUBE_VIDEOS = {
    "Youtube01-Psy.csv": "PSY - GANGNAM STYLE (강남스타일) M/V",
    "Youtube02-KatyPerry.csv": "Katy Perry - Roar",
    "Youtube03-LMFAO.csv": "LMFAO - Party Rock Anthem ft. Lauren Bennett, GoonRock",
}

F1_TARGET = 0.95  # issue 5, both collections
YOUTUBE_REFERENCE = "published: 0.95-0.97 accuracy on the full collection (Alberto et al. 2015)"

# Folds of the page-grouped cross-validation in quick mode (the full run holds out one page at a time).
QUICK_FOLDS = 3

ANCHOR_RE = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.I | re.S)
TAG_RE = re.compile(r"<[^>]+>")


def youtube_text(raw: str) -> str:
    """A YouTube API comment as plain text: links kept as `text <url>`, tags and entities resolved."""
    text = ANCHOR_RE.sub(lambda m: f"{m.group(2)} <{html.unescape(m.group(1))}>", raw)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    return html.unescape(TAG_RE.sub("", text)).replace("\ufeff", "").strip()


def youtube_records(directory: Path = YOUTUBE_DIR) -> dict[str, list[dict]]:
    """Each video's comments as labelled records (the collection has no author links or video dates)."""
    videos = {}
    for name, title in YOUTUBE_VIDEOS.items():
        with open(directory / name, encoding="utf-8", newline="") as handle:
            videos[name] = [{"page": name, "author": row["AUTHOR"], "author_url": None,
                             "posted": row["DATE"] or None, "body": youtube_text(row["CONTENT"]),
                             "post_title": title, "post_published": None,
                             "label": "spam" if row["CLASS"].strip() == "1" else "ham"}
                            for row in csv.DictReader(handle)]
    return videos


def confusion(actual: list[bool], predicted: list[bool]) -> dict[str, float]:
    """Precision, recall, F1 and accuracy of the spam class."""
    tp = sum(a and p for a, p in zip(actual, predicted))
    fp = sum(p and not a for a, p in zip(actual, predicted))
    fn = sum(a and not p for a, p in zip(actual, predicted))
    return {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
            "f1": spam.f1(actual, predicted),
            "accuracy": sum(a == p for a, p in zip(actual, predicted)) / len(actual)}


def grouped_scores(records: list[dict], folds: int | None = None) -> list[float]:
    """Each record's score from a model trained without its page (one page per fold, or `folds` folds)."""
    seen = spam.copies_by_page(records)
    evidence = [spam.record_evidence(rec, n) for rec, n in zip(records, seen)]
    stubs = spam.record_stubs(records)
    labels = [rec["label"] == "spam" for rec in records]
    pages = sorted({rec["page"] for rec in records})
    fold_of = {page: (i % folds if folds else i) for i, page in enumerate(pages)}
    scores = [0.0] * len(records)
    for fold in sorted(set(fold_of.values())):
        train = [i for i, rec in enumerate(records) if fold_of[rec["page"]] != fold]
        test = [i for i, rec in enumerate(records) if fold_of[rec["page"]] == fold]
        model = spam.fit_evidence([evidence[i] for i in train], [labels[i] for i in train],
                                  [records[i]["page"] for i in train], [stubs[i] for i in train])
        fold_scores = spam.predict_evidence(model, [evidence[i] for i in test], [stubs[i] for i in test],
                                            [records[i]["page"] for i in test])
        for i, score in zip(test, fold_scores):
            scores[i] = score
    return scores


def blog_rows(quick: bool) -> list[Row]:
    """F1, precision and recall on the labelled blog comments, no page both trained on and scored."""
    records = spam.read_cases()
    scores = grouped_scores(records, QUICK_FOLDS if quick else None)
    figures = confusion([r["label"] == "spam" for r in records], [s >= spam.SPAM_THRESHOLD for s in scores])
    how = f"{QUICK_FOLDS}-fold by page" if quick else "leave one page out"
    n_spam = sum(r["label"] == "spam" for r in records)
    size = f"{len(records)} comments, {n_spam} spam, {len({r['page'] for r in records})} pages"
    return [
        Row("spam", f"blog comments F1 ({how}; {size})", round(figures["f1"], 3), "F1", "", f">= {F1_TARGET}",
            figures["f1"] >= F1_TARGET),
        Row("spam", f"blog comments precision ({how})", round(figures["precision"], 3), ""),
        Row("spam", f"blog comments recall ({how})", round(figures["recall"], 3), ""),
    ]


def youtube_rows(quick: bool) -> list[Row]:
    """F1 and accuracy on each YouTube video, trained on the other two."""
    if not YOUTUBE_DIR.is_dir():
        return [Row("spam", "YouTube collection F1 (train on two videos, score the third)", "not available",
                    "", YOUTUBE_REFERENCE, f">= {F1_TARGET}", None)]
    videos = youtube_records()
    rows = []
    for held_out, test in videos.items():
        train = [rec for name, recs in videos.items() if name != held_out for rec in recs]
        model = spam.fit(train, spam.copies_by_page(train))
        scores = spam.predict(model, test, spam.copies_by_page(test))
        figures = confusion([r["label"] == "spam" for r in test], [s >= spam.SPAM_THRESHOLD for s in scores])
        video = held_out.split("-", 1)[1].removesuffix(".csv")
        rows.append(Row("spam", f"YouTube F1, scored on {video} ({len(test)}), trained on the other two",
                        round(figures["f1"], 3), "F1", YOUTUBE_REFERENCE, f">= {F1_TARGET}",
                        figures["f1"] >= F1_TARGET))
        rows.append(Row("spam", f"YouTube accuracy, scored on {video}", round(figures["accuracy"], 3), "",
                        "0.95-0.97"))
    return rows


def example_row() -> Row:
    """The example post's reader comment: the WAHMom 'paid surveys' comment must be spam."""
    verdict = spam.score_comment(WAHMOM_BODY, "WAHMom", None, "2021-12-31T18:46:00", "",
                                 "2008-03-05T00:00:00")
    return Row("spam", "example post: WAHMom 'paid surveys' comment", "spam" if verdict.is_spam else "ham",
               "", f"score {verdict.score}", "spam", verdict.is_spam)


# The one comment on ../shared/examples/mlm-leadership-blogger-post.txt.
WAHMOM_BODY = (
    "Hi this is a great list of ideas.\nI have been taking paid surveys for money...\n"
    "One of the best paid surveys is pinecone - go here get the pinecone research sign up link to join.\n"
    "Here are more good survey sites with reviews:\n\nlifepoints surveys review\nswagbucks reviews\n"
    "survey junkie reviews"
)


def run(quick: bool = False) -> list[Row]:
    """The spam rows of `reprints bench`."""
    rows = blog_rows(quick) + [example_row()]
    if quick:
        return rows + [Row("spam", "YouTube collection F1", "skipped in quick mode", "", YOUTUBE_REFERENCE,
                           f">= {F1_TARGET}", None)]
    return rows + youtube_rows(quick)
