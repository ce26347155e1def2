"""Comment spam: every comment is kept and gets a verdict, a score from 0 to 1 and its reasons.

The score is a logistic model over two kinds of evidence:

* hand-written signals from `pipeline.spam_rules` (links and their domains, spam and commercial
  vocabulary, keyword author names, generic praise carrying a link, posting years after the post,
  the same text on other pages or under other names, off-topic text, text or an author name
  lost to '?'), and
* the words of the comment, its author name and its link hosts.

A page's comments are judged together (judge_page): a first pass judges each alone, and the
passes after it add the share of the page's other comments judged spam ("spammed_page"), since
link drops gather on pages that nobody moderates. A comment with too few neighbours, or one sent
alone through `reprints spam`, keeps its first-pass verdict.

Each signal starts from a hand-set prior weight (PRIOR_WEIGHTS); `train()` (`reprints spam
--train`) moves the weights of both passes as far as the labelled comments in
tests/cases/comments.jsonl give evidence for (a logistic regression with a Gaussian prior, fitted
with numpy/scipy L-BFGS) and writes them to pipeline/spam_model.json, a small JSON file that two
runs write byte for byte the same. The off-topic weight is set by hand only (spam_rules.FIXED_WEIGHTS): learned from the
labelled pages' post words, it scored lower under by-page cross-validation than the hand-set
weight. Scoring reads the weights and adds them up; it needs no numpy.
"""

from __future__ import annotations

import json
from importlib.resources import files
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline import spam_rules as rules

MODEL_PATH = Path(__file__).with_name("spam_model.json")
CASES_PATH = Path(__file__).resolve().parent.parent / "tests" / "cases" / "comments.jsonl"
# Beside the labelled comments: each page's post as its sorted content words (scripts/spam_post_words.py).
POSTS_FILE = "comment_posts.jsonl"
POSTS_PATH = CASES_PATH.with_name(POSTS_FILE)

# Named signals, in the order the model stores them. Each is also the reason reported when it
# pushes a comment towards spam.
FEATURES = (
    "links_in_body", "many_links", "link_to_shop_domain", "link_to_business_site", "keyword_link",
    "throwaway_link_host", "author_link", "personal_site_link", "own_site_link", "keyword_author",
    "author_is_domain", "person_name", "handle_name", "spam_vocabulary", "spam_term_with_link",
    "commercial_vocabulary", "money_making_pitch", "self_promotion", "generic_praise",
    "generic_praise_with_link",
    "posted_years_after", "years_late", "duplicate_text", "obfuscated_link", "homoglyphs", "unreadable_text",
    "unreadable_author",
    "pingback", "very_short", "length", "asks_question", "only_links", "spammed_page",
)

# A signal is named among the reasons when it adds at least this much to the logit.
REASON_MIN_LOGIT = 0.5

# Score at and above which a comment is spam.
SPAM_THRESHOLD = 0.5

# A page's other comments say something about a comment only when there are at least this many:
# below it a comment is judged alone, by the first-pass model.
SPAMMED_PAGE_MIN_OTHERS = 4

# After the first pass, the comments of a page are scored this many times again, each time with
# the share of the others that the previous pass judged spam (the second rescoring settles it).
PAGE_PASSES = 2

# Words (after the feature prefix) kept in the model must occur in at least this many labelled
# comments: rarer ones only memorise a page.
MIN_TOKEN_DF = 2

# A word must occur on at least this many pages (and in MIN_TOKEN_DF comments) to be weighed:
# a word from one page only memorises that page.
MIN_TOKEN_PAGES = 2

# Prior weights (logit units) of the named signals: what each is worth before the labelled data
# has its say. Strong, specific evidence (drug and replica names, keyword author names, homoglyphs)
# starts high; weak hints start low; signs of a real reader start negative.
PRIOR_WEIGHTS = {
    "links_in_body": 0.8,            # per log(1 + links): one link adds ~0.55
    "many_links": 1.5,               # a link farm
    "link_to_shop_domain": 2.0,      # the link's host or path names goods spam sells
    "link_to_business_site": 0.5,    # ... or a service business (seo, marketing): weaker
    "keyword_link": 0.8,             # the name links to /life-insurance-claims-collecting-... deep pages
    "throwaway_link_host": 1.0,      # tripod, 150m, bit.ly doorway pages
    "author_link": 0.5,              # a non-blog site behind the name: the comment-marketing vehicle
    "personal_site_link": -0.5,      # a blogspot/wordpress/twitter profile behind the name
    "own_site_link": -0.5,           # the name is in the domain: a person's own site
    "keyword_author": 3.0,           # 'cheap ugg boots'
    "author_is_domain": 0.5,
    "person_name": -0.5,             # 'Mary Collette Rogers' rather than 'xmjie'
    "spam_vocabulary": 3.5,          # per log(1 + distinct terms): one drug or replica name adds ~2.4
    "spam_term_with_link": 2.0,      # a drug or replica name and a link: the link drop itself
    "commercial_vocabulary": 0.8,
    "money_making_pitch": 2.5,       # 'paid surveys', 'work from home'
    "self_promotion": 1.5,           # 'check out my channel'
    "generic_praise": 0.5,
    "generic_praise_with_link": 2.5,  # praise that fits any post, with a link to a non-blog site
    "posted_years_after": 1.0,
    "years_late": 1.0,               # up to +1 more for a ten-year gap
    "duplicate_text": 1.5,
    "obfuscated_link": 2.0,          # 'www dot example dot com'
    "homoglyphs": 3.0,               # Cyrillic letters inside English words
    "unreadable_text": 4.0,          # a whole comment lost to '?': foreign-script spam on these pages
    "unreadable_author": 2.0,        # the name lost to '?' ('??seo'): the same spam, its text may survive
    "pingback": -2.5,
    "asks_question": -0.3,           # readers ask about the post
    "only_links": 1.0,
    "spammed_page": 3.0,             # most other comments on the page are spam: nobody moderates it
}
PRIOR_INTERCEPT = -3.0               # most comments are not spam

# Each labelled spam comment counts this many times in training: spam is the rarer class.
SPAM_WEIGHT = 3.0

# How far the data may move a weight from its prior (standard deviations of the Gaussian prior).
# These three were chosen with the benchmarks in pipeline/benchmarks/spam.py (page-grouped
# cross-validation on the blog comments, train-on-two-videos on YouTube): tight priors on the
# named signals keep them from chasing one page, loose ones on words let YouTube's vocabulary in.
PRIOR_SD_FEATURE = 1.0
PRIOR_SD_TOKEN = 2.0
PRIOR_SD_INTERCEPT = 3.0

# Weights are rounded to this many decimals so the artifact is small and stable.
WEIGHT_DECIMALS = 4

# Words whose weight is smaller than this are left out of the artifact: a word's share of the
# logit is its weight over sqrt(number of words), so these move no score by more than ~0.01.
TOKEN_MIN_WEIGHT = 0.05

# Below this score a comment's reasons are not listed: nothing about it is suspicious enough.
REASONS_MIN_SCORE = 0.25

# A duplicate must have at least this many words: "Thanks!" twice is not a copy.
DUPLICATE_MIN_WORDS = 6

# The score of a 'removed by the author' stub: nothing is left to judge, and it is not spam.
STUB_SCORE = 0.01


# One comment's named signals and its words, as the model sees them.
Evidence = tuple[dict[str, float], set[str]]


@dataclass
class Verdict:
    """The judgement on one comment."""

    is_spam: bool
    score: float            # 0..1
    reasons: list[str] = field(default_factory=list)


def stub_verdict() -> Verdict:
    """The verdict on a 'removed by the author' stub: nothing is left to judge."""
    return Verdict(False, STUB_SCORE, ["removed_stub"])


# --- evidence -----------------------------------------------------------------------------

def comment_features(body: str, author: str = "", author_url: str | None = None, posted: str | None = None,
                     post_text: str = "", post_published: str | None = None,
                     seen_elsewhere: int = 0) -> dict[str, float]:
    """The named signals of one comment, each a number (mostly 0 or 1)."""
    text = rules.normalize(body)
    word_list = rules.words(text)
    links = rules.urls(body)
    all_links = links + ([author_url] if author_url else [])
    author_host, _ = rules.host_and_path(author_url)
    personal = bool(author_host) and rules.is_personal_host(author_host)
    keyword_author = rules.keyword_author(author)
    praise = bool(rules.PRAISE_RE.search(text)) and len(word_list) <= rules.PRAISE_MAX_WORDS
    commercial_link = any(rules.shop_url(u, author) for u in all_links)
    business_site = not commercial_link and any(rules.business_url(u, author) for u in all_links)
    throwaway = any(rules.is_throwaway_host(rules.host_and_path(u)[0]) for u in all_links)
    years = rules.years_after(posted, post_published)
    business_links = [u for u in all_links if not rules.is_personal_host(rules.host_and_path(u)[0])]
    spam_terms = rules.term_hits(rules.STRONG_SPAM_RE, text)
    text_without_links = rules.URL_RE.sub(" ", body or "")
    return {
        "links_in_body": math.log1p(len(links)),
        "many_links": float(len(links) >= rules.MANY_LINKS),
        "link_to_shop_domain": float(commercial_link),
        "link_to_business_site": float(business_site),
        "keyword_link": float(rules.keyword_path(author_url)),
        "throwaway_link_host": float(throwaway),
        "author_link": float(bool(author_host) and not personal),
        "personal_site_link": float(personal),
        "own_site_link": float(rules.author_in_url(author, author_url) and not keyword_author),
        "keyword_author": float(keyword_author),
        "author_is_domain": float(rules.author_is_domain(author)),
        "person_name": float(rules.person_name(author)),
        "handle_name": float(rules.handle_name(author)),
        "spam_vocabulary": math.log1p(spam_terms),
        "spam_term_with_link": float(bool(spam_terms) and bool(business_links)),
        "commercial_vocabulary": math.log1p(rules.term_hits(rules.COMMERCIAL_RE, text)),
        "money_making_pitch": math.log1p(rules.term_hits(rules.MONEY_RE, text)),
        "self_promotion": math.log1p(rules.term_hits(rules.SELF_PROMO_RE, text)),
        "generic_praise": float(praise),
        "generic_praise_with_link": float(praise and bool(business_links)),
        "posted_years_after": float(years >= rules.YEARS_LATE),
        "years_late": min(years, 10.0) / 10.0,
        "duplicate_text": float(seen_elsewhere > 0),
        "obfuscated_link": float(bool(rules.OBFUSCATED_LINK_RE.search(text))),
        "homoglyphs": float(rules.mixed_script(body or "")),
        "unreadable_text": float(rules.unreadable(body or "")),
        "unreadable_author": float(rules.unreadable_name(author)),
        "pingback": float(rules.is_pingback(body)),
        "very_short": float(len(word_list) <= 5),
        "length": math.log1p(len(word_list)) / 5.0,
        "asks_question": float("?" in text and not rules.unreadable(body or "")),
        "only_links": float(bool(links) and not rules.words(rules.normalize(text_without_links))),
        "off_topic": float(rules.off_topic(text, rules.normalize(post_text))),
        "spammed_page": 0.0,  # filled in when the page's comments are judged together (judge_page)
    }


def host_tokens(url: str | None) -> list[str]:
    """The words of a link's host, without www and the top-level domain."""
    host, _ = rules.host_and_path(url)
    parts = [p for p in re.split(r"[.\-]", host) if p]
    return parts[:-1] if len(parts) > 1 else parts


def comment_tokens(body: str, author: str = "", author_url: str | None = None) -> set[str]:
    """The words the statistical part weighs: body words and pairs, author words, link hosts."""
    text = rules.normalize(rules.URL_RE.sub(" ", body or ""))
    word_list = rules.words(text)
    tokens = {"w:" + w for w in word_list}
    tokens |= {"b:" + a + "_" + b for a, b in zip(word_list, word_list[1:])}
    tokens |= {"a:" + w for w in rules.author_tokens(author)}
    for link in rules.urls(body) + ([author_url] if author_url else []):
        tokens |= {"h:" + part for part in host_tokens(link)}
    return tokens


def duplicate_key(body: str) -> str:
    """A comment's words as one string, for spotting copies."""
    return " ".join(rules.words(rules.normalize(body)))


def copy_key(body: str) -> str:
    """A comment's words as one string when it can be a copy: long enough and not a removal stub ('')."""
    key = duplicate_key(body)
    return key if len(key.split()) >= DUPLICATE_MIN_WORDS and not rules.is_removed_stub(body) else ""


def count_copies(bodies: list[str], authors: list[str]) -> list[int]:
    """For each comment, how many others under another name carry its text.

    A comment counts as a copy when its text equals another's, or when it is contained in an
    earlier comment (a scraped sentence reposted); a reply that quotes an earlier comment in full
    is longer than the quote and does not count. Names are compared by their words ('Marcello
    Bergamin.' is 'marcello bergamin'), and 'removed by the author' stubs are nobody's copies.
    """
    keys = [copy_key(b) for b in bodies]
    names = [" ".join(rules.author_tokens(a)) for a in authors]
    counts = [0] * len(keys)
    for i, key in enumerate(keys):
        if not key:
            continue
        for j, other in enumerate(keys):
            if i == j or names[i] == names[j] or not other:
                continue
            if key == other or (j < i and key in other):
                counts[i] += 1
    return counts


# --- the model ----------------------------------------------------------------------------

@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL_PATH)) -> dict:
    """The trained weights (the prior weights alone when the file is missing)."""
    try:
        if path == str(MODEL_PATH):
            # Through importlib.resources: Scrapyd runs the project from a zipped egg.
            return json.loads(files("pipeline").joinpath(MODEL_PATH.name).read_text(encoding="utf-8"))
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {"intercept": PRIOR_INTERCEPT, "features": dict(PRIOR_WEIGHTS), "tokens": {}}


def logit_parts(features: dict[str, float], tokens: set[str], model: dict) -> tuple[float, dict[str, float]]:
    """The total logit and each named signal's share of it (the words' share under 'spam_words')."""
    weights = model["features"]
    shares = {name: weights.get(name, 0.0) * value for name, value in features.items() if value}
    for name, weight in rules.FIXED_WEIGHTS.items():
        if features.get(name):
            shares[name] = weight * features[name]
    token_weights = model["tokens"]
    shares["spam_words"] = token_scale(tokens) * sum(token_weights.get(t, 0.0) for t in tokens)
    return model["intercept"] + sum(shares.values()), shares


def token_scale(tokens: set[str]) -> float:
    """Each word's value: 1/sqrt(number of words), so a long comment's words do not outvote its signals."""
    return 1.0 / math.sqrt(len(tokens)) if tokens else 0.0


def sigmoid(x: float) -> float:
    """The logistic function, safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def first_pass(model: dict) -> dict:
    """The weights that judge a comment alone, without its page (the model itself if it has none)."""
    return model.get("first_pass", model)


def evidence_score(model: dict, evidence: Evidence, stub: bool) -> float:
    """One comment's score under `model` (a removal stub scores STUB_SCORE)."""
    return STUB_SCORE if stub else sigmoid(logit_parts(*evidence, model)[0])


def page_shares(scores: list[float], groups: list[str]) -> list[float | None]:
    """For each comment, the share of the other comments on its page scored as spam.

    None where the page has fewer than SPAMMED_PAGE_MIN_OTHERS other comments: too few to say
    whether anyone moderates it.
    """
    by_page: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        by_page.setdefault(group, []).append(i)
    shares: list[float | None] = [None] * len(scores)
    for idx in by_page.values():
        others = len(idx) - 1
        if others < SPAMMED_PAGE_MIN_OTHERS:
            continue
        spam_count = sum(scores[i] >= SPAM_THRESHOLD for i in idx)
        for i in idx:
            shares[i] = (spam_count - (scores[i] >= SPAM_THRESHOLD)) / others
    return shares


def with_share(evidence: Evidence, share: float) -> Evidence:
    """Evidence with the spammed_page signal set to `share`."""
    features, tokens = evidence
    return {**features, "spammed_page": share}, tokens


def judge_page(model: dict, evidence: list[Evidence], stubs: list[bool],
               groups: list[str] | None = None) -> list[tuple[Evidence, dict]]:
    """Each comment's final evidence and the weights that judge it, its page's comments taken together.

    The first pass judges every comment alone. Each later pass adds the share of the other comments
    on the page that the pass before judged spam: an unmoderated page full of link drops makes a
    borderline comment on it more likely one too. `groups` names each comment's page (default: one page).
    """
    groups = groups if groups is not None else [""] * len(evidence)
    alone = first_pass(model)
    judged = [(ev, alone) for ev in evidence]
    for _ in range(PAGE_PASSES):
        scores = [evidence_score(weights, ev, stub) for (ev, weights), stub in zip(judged, stubs)]
        judged = [(ev, alone) if share is None else (with_share(ev, share), model)
                  for ev, share in zip(evidence, page_shares(scores, groups))]
    return judged


def verdict_of(evidence: Evidence, model: dict) -> Verdict:
    """The verdict, score and reasons of one comment's evidence under `model`."""
    total, shares = logit_parts(*evidence, model)
    score = round(sigmoid(total), 4)
    reasons = [name for name, share in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
               if share >= REASON_MIN_LOGIT] if score >= REASONS_MIN_SCORE else []
    return Verdict(score >= SPAM_THRESHOLD, score, reasons)


def comment_evidence(body: str, author: str = "", author_url: str | None = None, posted: str | None = None,
                     post_text: str = "", post_published: str | None = None, seen_elsewhere: int = 0) -> Evidence:
    """Named signals and words of one comment."""
    features = comment_features(body, author or "", author_url, posted, post_text or "", post_published,
                                seen_elsewhere)
    return features, comment_tokens(body, author or "", author_url)


def score_comment(body: str, author: str = "", author_url: str | None = None, posted: str | None = None,
                  post_text: str = "", post_published: str | None = None, seen_elsewhere: int = 0) -> Verdict:
    """Judge one comment alone. Dates are ISO 8601; `seen_elsewhere` counts other pages with the same text."""
    if rules.is_removed_stub(body):
        return stub_verdict()
    evidence = comment_evidence(body, author, author_url, posted, post_text, post_published, seen_elsewhere)
    return verdict_of(evidence, first_pass(load_model()))


def score_comments(comments: list, post_text: str = "", post_published: str | None = None) -> None:
    """Fill is_spam, spam_score and spam_reasons of one page's pipeline.model.Comment objects in place."""
    copies = count_copies([c.body or "" for c in comments], [c.author or "" for c in comments])
    evidence = [comment_evidence(c.body or "", c.author or "", c.author_url, c.posted, post_text, post_published,
                                 seen) for c, seen in zip(comments, copies)]
    stubs = [rules.is_removed_stub(c.body or "") for c in comments]
    for comment, verdict in zip(comments, page_verdicts(evidence, stubs)):
        comment.is_spam, comment.spam_score = verdict.is_spam, verdict.score
        comment.spam_reasons = verdict.reasons


def page_verdicts(evidence: list[Evidence], stubs: list[bool], groups: list[str] | None = None) -> list[Verdict]:
    """The verdicts on comments under the shipped model, each page's (`groups`) judged together."""
    return [stub_verdict() if stub else verdict_of(ev, weights)
            for (ev, weights), stub in zip(judge_page(load_model(), evidence, stubs, groups), stubs)]


def classify_jsonl_line(obj: dict) -> dict:
    """One `reprints spam` input object, judged alone, with is_spam, spam_score and spam_reasons added."""
    return classify_jsonl_lines([obj])[0]


def classify_jsonl_lines(objs: list[dict]) -> list[dict]:
    """`reprints spam` input objects with their verdicts added; lines that name the same `page` are
    judged together, as a crawl judges a page's comments, and lines without one are judged alone."""
    evidence = [comment_evidence(obj.get("body") or "", obj.get("author") or "", obj.get("author_url"),
                                 obj.get("posted"), obj.get("post_text") or "", obj.get("post_published"),
                                 int(obj.get("seen_elsewhere") or 0)) for obj in objs]
    stubs = record_stubs(objs)
    groups = [f"page:{obj['page']}" if obj.get("page") is not None else f"line:{i}" for i, obj in enumerate(objs)]
    return [{**obj, "is_spam": verdict.is_spam, "spam_score": verdict.score, "spam_reasons": verdict.reasons}
            for obj, verdict in zip(objs, page_verdicts(evidence, stubs, groups))]


# --- training -----------------------------------------------------------------------------

def read_cases(path: str | Path = CASES_PATH) -> list[dict]:
    """The labelled comments, one dict per JSON line, each with its post's words where they are kept."""
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    words = read_post_words(Path(path).with_name(POSTS_FILE))
    for rec in records:
        if rec.get("page") in words:
            rec["post_words"] = words[rec["page"]]
    return records


def read_post_words(path: Path) -> dict[str, str]:
    """Each labelled page's post content words, keyed by page ({} when the file is missing)."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {row["page"]: row["post_words"] for row in rows}


def copies_by_page(records: list[dict]) -> list[int]:
    """For each labelled comment: copies under other names on its page plus the same text on other pages."""
    counts = [0] * len(records)
    by_page: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        by_page.setdefault(rec.get("page", ""), []).append(i)
    keys = [copy_key(rec.get("body") or "") for rec in records]
    pages_with_key: dict[str, set[str]] = {}
    for key, rec in zip(keys, records):
        if key:
            pages_with_key.setdefault(key, set()).add(rec.get("page", ""))
    for page, idx in by_page.items():
        local = count_copies([records[i].get("body") or "" for i in idx],
                             [records[i].get("author") or "" for i in idx])
        for i, n in zip(idx, local):
            counts[i] = n + len(pages_with_key.get(keys[i], {page}) - {page})
    return counts


def record_evidence(rec: dict, seen: int) -> Evidence:
    """Named signals and words of one labelled comment, judged against its post's title and words."""
    post_text = rec.get("post_text") or " ".join(filter(None, (rec.get("post_title"), rec.get("post_words"))))
    return comment_evidence(rec.get("body") or "", rec.get("author") or "", rec.get("author_url"),
                            rec.get("posted"), post_text, rec.get("post_published"), seen)


def record_stubs(records: list[dict]) -> list[bool]:
    """Which comment records (labelled ones, or `reprints spam` lines) are 'removed by the author' stubs."""
    return [rules.is_removed_stub(rec.get("body") or "") for rec in records]


def design_matrix(evidence: list[Evidence], vocab: list[str]):
    """The sparse matrix of named signals followed by word indicators, one row per comment."""
    from scipy.sparse import csr_matrix

    columns = {name: i for i, name in enumerate(FEATURES)}
    columns.update({t: len(FEATURES) + i for i, t in enumerate(vocab)})
    rows, cols, vals = [], [], []
    for r, (features, tokens) in enumerate(evidence):
        for name in FEATURES:
            if features[name]:
                rows.append(r), cols.append(columns[name]), vals.append(features[name])
        scale = token_scale(tokens)
        for t in sorted(tokens):
            if t in columns:
                rows.append(r), cols.append(columns[t]), vals.append(scale)
    return csr_matrix((vals, (rows, cols)), shape=(len(evidence), len(columns)))


def token_vocabulary(evidence: list[Evidence], groups: list[str]) -> list[str]:
    """Words seen in enough comments and on enough pages to say something beyond one page."""
    df, pages = Counter(), {}
    for (_, tokens), group in zip(evidence, groups):
        for t in tokens:
            df[t] += 1
            pages.setdefault(t, set()).add(group)
    need_pages = min(MIN_TOKEN_PAGES, len(set(groups)))
    return sorted(t for t, n in df.items() if n >= MIN_TOKEN_DF and len(pages[t]) >= need_pages)


def fit(records: list[dict], seen: list[int] | None = None) -> dict:
    """Learn the weights from labelled records (dicts with body, author, ..., label, page)."""
    seen = seen if seen is not None else [0] * len(records)
    evidence = [record_evidence(rec, n) for rec, n in zip(records, seen)]
    labels = [rec["label"] == "spam" for rec in records]
    return fit_evidence(evidence, labels, [rec.get("page", "") for rec in records], record_stubs(records))


def fit_evidence(evidence: list[Evidence], labels: list[bool], groups: list[str], stubs: list[bool]) -> dict:
    """Learn both passes' weights from each comment's evidence, its label and its page.

    The first pass judges comments alone. Its scores on the training comments give each one the
    share of its page's other comments judged spam, and the second fit learns what that share is
    worth, as judge_page will use it.
    """
    alone = fit_weights(evidence, labels, groups)
    del alone["features"]["spammed_page"]  # always 0 when a comment is judged alone
    scores = [evidence_score(alone, ev, stub) for ev, stub in zip(evidence, stubs)]
    shares = page_shares(scores, groups)
    model = fit_weights([with_share(ev, share or 0.0) for ev, share in zip(evidence, shares)], labels, groups)
    return {**model, "first_pass": alone}


def fit_weights(evidence: list[Evidence], labels: list[bool], groups: list[str]) -> dict:
    """Learn one pass's weights from each comment's signals and words, its label and its page.

    A logistic regression whose prior keeps each named signal near its hand-set weight
    (PRIOR_WEIGHTS) and each word near zero: the data moves a weight only as far as it has
    evidence to, so a signal that one page alone shows keeps its prior when that page is held out.
    """
    import numpy as np
    from scipy.optimize import minimize

    vocab = token_vocabulary(evidence, groups)
    matrix = design_matrix(evidence, vocab)
    y = np.array(labels, dtype=float)
    weights = np.where(y > 0, SPAM_WEIGHT, 1.0)
    prior = np.array([PRIOR_WEIGHTS.get(name, 0.0) for name in FEATURES] + [0.0] * len(vocab)
                     + [PRIOR_INTERCEPT])
    precision = np.array([1 / PRIOR_SD_FEATURE ** 2] * len(FEATURES) + [1 / PRIOR_SD_TOKEN ** 2] * len(vocab)
                         + [1 / PRIOR_SD_INTERCEPT ** 2])

    def loss(theta):
        z = matrix @ theta[:-1] + theta[-1]
        p = 1.0 / (1.0 + np.exp(-z))
        diff = theta - prior
        value = float(np.sum(weights * (np.logaddexp(0.0, z) - y * z))
                      + 0.5 * np.sum(precision * diff * diff))
        residual = weights * (p - y)
        return value, np.append(matrix.T @ residual, np.sum(residual)) + precision * diff

    theta = minimize(loss, prior.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 1000}).x
    rnd = lambda x: round(float(x), WEIGHT_DECIMALS) + 0.0  # noqa: E731  (+0.0 turns -0.0 into 0.0)
    return {
        "intercept": rnd(theta[-1]),
        "features": {name: rnd(theta[i]) for i, name in enumerate(FEATURES)},
        "tokens": {t: rnd(theta[len(FEATURES) + i]) for i, t in enumerate(vocab)
                   if abs(theta[len(FEATURES) + i]) >= TOKEN_MIN_WEIGHT},
    }


def predict(model: dict, records: list[dict], seen: list[int] | None = None) -> list[float]:
    """Spam scores of labelled records under `model`, each page's comments judged together."""
    seen = seen if seen is not None else [0] * len(records)
    return predict_evidence(model, [record_evidence(rec, n) for rec, n in zip(records, seen)],
                            record_stubs(records), [rec.get("page", "") for rec in records])


def predict_evidence(model: dict, evidence: list[Evidence], stubs: list[bool],
                     groups: list[str] | None = None) -> list[float]:
    """Spam scores from precomputed evidence, the comments of each page (`groups`) judged together."""
    return [evidence_score(weights, ev, stub)
            for (ev, weights), stub in zip(judge_page(model, evidence, stubs, groups), stubs)]


def train(cases_path: str | Path = CASES_PATH, model_path: str | Path = MODEL_PATH) -> dict:
    """Train on the labelled comments and write the model; returns summary figures."""
    records = read_cases(cases_path)
    seen = copies_by_page(records)
    model = fit(records, seen)
    spam = sum(rec["label"] == "spam" for rec in records)
    model["trained_on"] = {"comments": len(records), "spam": spam, "ham": len(records) - spam,
                           "pages": len({rec.get("page") for rec in records})}
    Path(model_path).write_text(json.dumps(model, sort_keys=True, indent=0, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    load_model.cache_clear()
    scores = predict(model, records, seen)
    predicted = [s >= SPAM_THRESHOLD for s in scores]
    actual = [rec["label"] == "spam" for rec in records]
    return {**model["trained_on"], "tokens": len(model["tokens"]), "bytes": Path(model_path).stat().st_size,
            "training_f1": round(f1(actual, predicted), 4)}


def f1(actual: list[bool], predicted: list[bool]) -> float:
    """F1 of the spam class."""
    tp = sum(a and p for a, p in zip(actual, predicted))
    fp = sum(p and not a for a, p in zip(actual, predicted))
    fn = sum(a and not p for a, p in zip(actual, predicted))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
