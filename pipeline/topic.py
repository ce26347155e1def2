"""How much a text is about network marketing: `topic_score(text, title) -> 0..1`.

The vocabulary is data: weighted terms and phrases, matched case-insensitively on whole
words, longest phrase first (so "network marketing" is not also counted as "marketing").
Words inside a phrase may be joined by a space, a hyphen or nothing ("multi-level",
"multilevel"; "down line", "downline"), and a final "s"/"es" is allowed.

    >>> topic_score("Your upline and your downline in the MLM compensation plan.") >= ON_TOPIC
    True
    >>> topic_score("Whisk the eggs with the sugar, then fold in the flour.")
    0.0

The score is `1 - exp(-evidence / SCORE_SCALE)`, where `evidence` is the weighted hits per
100 words, repeats counting less and less. Core terms ("downline", "MLM") count in full;
adjacent terms (internet marketing, "autoresponder", "SEO") and business words
("marketing", "income") count at a discount and only up to a cap, so a blogging-tips or
internet-marketing post lands in between and a recipe or a political post near 0.
"""

from __future__ import annotations

import math
import re
from functools import cache

# Terms that mark the topic by themselves.
CORE_TERMS: dict[str, float] = {
    # the industry and its names
    "network marketing": 3.0, "network marketer": 3.0, "multi level marketing": 3.0, "mlm": 3.0,
    "direct sales": 3.0, "direct selling": 3.0, "direct seller": 3.0, "party plan": 2.5,
    "pyramid scheme": 2.5, "ponzi scheme": 1.0, "relationship marketing": 1.5, "referral marketing": 1.5,
    # the structure
    "down line": 3.0, "up line": 3.0, "crossline": 2.0, "front line": 1.0, "compensation plan": 3.0,
    "comp plan": 3.0, "binary plan": 3.0, "matrix plan": 3.0, "unilevel": 3.0, "stair step": 1.5,
    "breakaway": 1.0, "autoship": 3.0, "overrides": 1.5, "bonus volume": 2.5, "personal volume": 2.5,
    "group volume": 2.5, "business volume": 1.5, "heavy hitter": 2.0,
    # the work
    "distributor": 2.0, "distributorship": 2.5, "recruit": 2.0, "recruiting": 2.0, "recruited": 2.0,
    "recruitment": 1.5, "sponsor": 0.75, "sponsoring": 2.0, "prospecting": 2.0,
    "prospect": 1.0, "warm market": 3.0, "cold market": 2.5, "warm list": 2.5, "duplication": 2.0,
    "duplicate your": 2.0, "team building": 1.5, "attraction marketing": 3.0, "mlm leads": 3.0,
    "mlm lead": 3.0, "opportunity meeting": 2.5, "three way call": 2.5, "home party": 2.0,
    "independent business owner": 2.5, "independent consultant": 1.5, "independent distributor": 3.0,
    # the promise
    "home business": 2.5, "home based business": 3.0, "work from home": 2.0, "work at home": 2.0,
    "business opportunity": 2.5, "business opportunities": 2.5, "residual income": 3.0,
    "leveraged income": 3.0, "passive income": 2.0, "financial freedom": 1.5, "time freedom": 2.0,
    "be your own boss": 2.0, "extra income": 1.5,
    # companies (2008-era MLM)
    "amway": 3.0, "quixtar": 3.0, "herbalife": 3.0, "avon": 2.0, "tupperware": 2.5, "mary kay": 3.0,
    "primerica": 3.0, "nu skin": 3.0, "melaleuca": 3.0, "shaklee": 3.0, "mannatech": 3.0, "usana": 3.0,
    "arbonne": 3.0, "scentsy": 3.0, "pampered chef": 3.0, "young living": 2.0, "doterra": 3.0,
    "forever living": 3.0, "vemma": 3.0, "xango": 3.0, "monavie": 3.0, "zrii": 3.0, "gvo": 3.0,
    "agel": 3.0, "synergy worldwide": 3.0, "isagenix": 3.0, "market america": 3.0, "acn": 2.0,
}

# The neighbourhood: internet marketing, home-business tools and self-development, which the
# article marketers of the topic also write about. Alone they make a text "in between".
ADJACENT_TERMS: dict[str, float] = {
    "internet marketing": 2.0, "online marketing": 1.5, "online business": 2.0, "internet business": 2.0,
    "make money online": 2.5, "affiliate marketing": 2.0, "affiliate": 1.0, "affiliate program": 1.5,
    "article marketing": 2.0, "article directory": 2.0, "article directories": 2.0, "ezine": 1.5,
    "seo": 1.5, "search engine optimization": 1.5, "backlink": 1.5, "link building": 1.5,
    "linkbuilding": 1.5, "guest blogging": 1.0, "blog commenting": 1.0, "traffic": 0.5,
    "lead generation": 2.0, "leads": 1.0, "list building": 2.0, "email list": 1.5, "autoresponder": 2.0,
    "opt in": 1.5, "squeeze page": 2.5, "capture page": 2.5, "landing page": 1.0, "sales funnel": 2.0,
    "funnel": 1.0, "web 2.0": 1.5, "social media marketing": 1.5, "viral marketing": 1.5,
    "video marketing": 1.5, "self employed": 1.0, "self employment": 1.5, "get rich quick": 1.5,
    "webinar": 1.0, "conference call": 1.0, "personal development": 1.5, "self development": 1.5,
    "mindset": 1.0, "blogging": 0.5, "upsell": 1.0, "niche": 1.0, "monetize": 1.0, "adsense": 1.0,
}

# Business words: common in the topic, but also in any business news or blog post.
CONTEXT_TERMS: dict[str, float] = {
    "marketing": 1.0, "business": 1.0, "businesses": 1.0, "entrepreneur": 1.0, "entrepreneurs": 1.0,
    "income": 1.0, "commission": 1.0, "commissions": 1.0, "opportunity": 1.0, "opportunities": 1.0,
    "leaders": 0.5, "leadership": 0.5, "team": 0.5, "sales": 1.0, "sell": 0.5, "selling": 0.5,
    "marketer": 1.0, "marketers": 1.0, "products": 0.5, "customers": 0.5, "company": 0.5,
    "companies": 0.5, "organization": 0.5, "training": 0.5, "success": 0.5, "successful": 0.5,
    "money": 0.5, "profit": 0.5, "wealth": 1.0, "mentor": 1.0, "coaching": 0.5, "bonus": 0.5,
    "industry": 0.5, "networking": 1.0, "motivation": 0.5, "goals": 0.5,
}

ADJACENT_FACTOR = 0.6  # an adjacent hit counts a little over half a core hit ...
CONTEXT_FACTOR = 0.3  # ... a business word less ...
SIDE_CAP = 1.8  # ... and together they add at most this evidence (score 0.45: "in between")
SCORE_SCALE = 3.0  # evidence per 100 words at which the score reaches 1 - 1/e (0.63)
MIN_WORDS = 250  # shorter texts are scored as if this long: one "MLM" in a line proves little
TITLE_FACTOR = 2  # a term in the title counts as this many in the body
DIVERSE_CORE_TERMS = 3  # core evidence counts in full from this many distinct core terms

# Named thresholds for callers (Datasette facets, the export filter, tests).
ON_TOPIC = 0.6  # a clearly on-topic article scores at least this
OFF_TOPIC = 0.2  # a recipe, political or fashion post scores at most this


TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")  # words; "web 2.0" keeps its version number


def _spellings(term: str) -> set[tuple[str, ...]]:
    """Every way of writing `term` with its words apart or run together ("down line", "downline")."""
    words = term.split()
    spellings = {(words[0],)}
    for word in words[1:]:
        spellings = {s + (word,) for s in spellings} | {s[:-1] + (s[-1] + word,) for s in spellings}
    return spellings


@cache
def _lexicon() -> tuple[dict[tuple[str, ...], str], int, frozenset[str]]:
    """Token tuple -> vocabulary term, for every spelling of every term; the longest tuple; and
    every word a spelling starts with (a text word that starts none, even with a plural ending
    taken off, cannot start a term, so term_counts moves past it without a lookup)."""
    lexicon = {}
    for term in {*CORE_TERMS, *ADJACENT_TERMS, *CONTEXT_TERMS}:
        for spelling in _spellings(" ".join(TOKEN.findall(term.lower()))):
            lexicon[spelling] = term
    return lexicon, max(len(k) for k in lexicon), frozenset(k[0] for k in lexicon)


def _stems(word: str) -> tuple[str, ...]:
    """The word as written, and without a plural "s" or "es" where it has one."""
    if not word.endswith("s"):
        return (word,)
    return (word, word[:-1], word[:-2]) if word.endswith("es") else (word, word[:-1])


def _lookup(lexicon: dict[tuple[str, ...], str], words: list[str]) -> str | None:
    """The term spelt by `words`, also with a plural "s"/"es" on the last word."""
    for stem in _stems(words[-1]):
        if stem:
            term = lexicon.get((*words[:-1], stem))
            if term:
                return term
    return None


def term_counts(text: str) -> dict[str, int]:
    """How often each vocabulary term occurs in `text`, longest phrase first (no word counts twice)."""
    lexicon, longest, starts = _lexicon()
    words = TOKEN.findall(text.lower())
    counts: dict[str, int] = {}
    i = 0
    while i < len(words):
        if starts.isdisjoint(_stems(words[i])):
            i += 1
            continue
        for n in range(min(longest, len(words) - i), 0, -1):
            term = _lookup(lexicon, words[i : i + n])
            if term:
                counts[term] = counts.get(term, 0) + 1
                i += n
                break
        else:
            i += 1
    return counts


def evidence(counts: dict[str, int], words: int) -> float:
    """Weighted hits per 100 words: repeats count less and less, and one lone core term counts less."""
    per_100 = 100.0 / max(words, MIN_WORDS)
    core, adjacent, context = (
        sum(table[t] * (1 + math.log(n)) for t, n in counts.items() if t in table)
        for table in (CORE_TERMS, ADJACENT_TERMS, CONTEXT_TERMS)
    )
    distinct = sum(1 for t in counts if t in CORE_TERMS)
    core *= min(1.0, (distinct + 1) / DIVERSE_CORE_TERMS)
    side = (adjacent * ADJACENT_FACTOR + context * CONTEXT_FACTOR) * per_100
    return core * per_100 + min(side, SIDE_CAP)


def topic_score(text: str, title: str = "") -> float:
    """0..1: how much a text is about network marketing (MLM, direct sales, downline, upline, home business, distributor, recruiting, compensation plan, ...). A clearly on-topic article scores >= 0.6, an off-topic blog post (recipes, politics, fashion) <= 0.2."""
    counts = term_counts(text)
    for term, count in term_counts(title).items():
        counts[term] = counts.get(term, 0) + TITLE_FACTOR * count
    found = evidence(counts, len(text.split()) + len(title.split()))
    return round(1.0 - math.exp(-found / SCORE_SCALE), 4)
