"""A generator of syndication sets: originals, their republished copies, and hard negatives.

Every generated article carries `label`, the number of the original it copies, so that a
clustering can be scored pairwise and by adjusted Rand index.

- Originals. From real text when `/work/shared` (or $REPRINTS_SHARED) is present: the
  English article bodies of `extraction-benchmark/ground-truth.json` and the two examples,
  cut into articles at paragraph breaks (source="real"); or written by a word-level
  Markov chain trained on that text, with each article's own theme words and rare words
  drawn from wordfreq's English list (source="markov", the only one that reaches a
  million articles). Without /work/shared the chain is trained on a built-in text.
- Copies: 0 to 10 per original, each on a blog (or another directory) with page chrome
  left over by the cleaner, the corruptions of DESIGN.md (through
  `pipeline.clean.simulate.corrupt` when it is importable, else the same mechanisms
  applied directly), truncation to 50-100%, spinning (15-30% of words swapped for
  synonyms), an added intro, a retitle, a "Source:" link, a later date.
- Hard negatives: sibling articles by one author on one theme, sharing the author's
  template (the same opening and closing paragraphs, 20-35% of the text) and resource
  box; and articles that quote the same long passage (20-35% of their length) of a
  third article (DESIGN.md: not the same article).
"""

from __future__ import annotations

import json
import os
import random
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

try:  # a colleague's corruption simulator; the generator falls back to the same mechanisms.
    from pipeline.clean import simulate
except Exception:  # pragma: no cover - depends on the tree
    simulate = None

SHARED = Path(os.environ.get("REPRINTS_SHARED", Path(__file__).resolve().parents[3] / "shared"))

STOP = frozenset("""a about after all also an and any are as at be because been but by can could do does
for from had has have he her his how i if in into is it its just more most my no not now of on one only
or other our out so some such than that the their them then there these they this those to up very was
we were what when which who will with would you your""".split())

# A spinner's thesaurus for common words; other words get pseudo-synonyms from the vocabulary.
THESAURUS = {
    "important": ["crucial", "vital", "essential", "key"], "business": ["company", "venture", "enterprise"],
    "people": ["folks", "individuals", "persons"], "make": ["create", "generate", "produce"],
    "money": ["cash", "income", "funds"], "help": ["assist", "aid", "support"], "good": ["great", "fine", "nice"],
    "big": ["large", "huge", "major"], "small": ["little", "tiny", "minor"], "fast": ["quick", "rapid", "speedy"],
    "start": ["begin", "launch", "commence"], "get": ["obtain", "acquire", "gain"], "use": ["utilize", "employ"],
    "many": ["numerous", "lots of", "plenty of"], "need": ["require", "want"], "show": ["demonstrate", "reveal"],
    "think": ["believe", "feel", "consider"], "find": ["discover", "locate", "uncover"],
    "new": ["fresh", "novel", "recent"], "way": ["method", "approach", "means"], "work": ["labor", "effort", "job"],
    "success": ["achievement", "triumph", "prosperity"], "successful": ["prosperous", "thriving", "effective"],
    "team": ["group", "crew", "squad"], "leader": ["chief", "head", "boss"], "leaders": ["chiefs", "heads"],
    "learn": ["discover", "find out", "study"], "training": ["coaching", "instruction", "education"],
    "opportunity": ["chance", "opening", "possibility"], "customers": ["clients", "buyers", "consumers"],
    "product": ["item", "merchandise", "goods"], "products": ["items", "goods", "merchandise"],
    "company": ["firm", "business", "organization"], "industry": ["sector", "field", "trade"],
    "really": ["truly", "actually", "genuinely"], "very": ["extremely", "really", "quite"],
    "time": ["period", "moment", "while"], "easy": ["simple", "effortless", "straightforward"],
    "hard": ["difficult", "tough", "challenging"], "problem": ["issue", "trouble", "difficulty"],
    "market": ["marketplace", "sector"], "marketing": ["advertising", "promotion", "promoting"],
    "online": ["on the internet", "on the web", "web based"], "home": ["house", "residence"],
    "results": ["outcomes", "effects", "final results"], "money online": ["cash online"],
    "friends": ["buddies", "pals", "acquaintances"], "family": ["relatives", "household"],
    "reason": ["cause", "purpose", "explanation"], "fail": ["flop", "fall short", "be unsuccessful"],
    "quickly": ["rapidly", "fast", "speedily"], "often": ["frequently", "regularly", "usually"],
    "most": ["the majority of", "nearly all", "most of"], "simply": ["just", "merely", "basically"],
    "great": ["excellent", "terrific", "wonderful"], "best": ["finest", "top", "greatest"],
}

FALLBACK_TEXT = """Network marketing is a business model that depends on person to person sales by independent
representatives, often working from home. A network marketing business may require you to build a network
of business partners or salespeople to help with lead generation and closing sales.

Many people join a network marketing company because they want extra income, flexible hours and the chance
to be their own boss. The truth is that most distributors never earn back what they spend on products,
training and events. The few who succeed treat it like a real business: they learn marketing, they build a
list of prospects who are interested, and they do not pester their friends and family.

Before you join any opportunity, study the compensation plan. Ask how much of the income comes from retail
sales to real customers and how much from recruiting new distributors. A plan that pays mostly for
recruiting is a warning sign. Talk to people who left the company, not only to the leaders on stage.

Your upline should teach you how to find leads, how to follow up and how to present the product without
pressure. If the only training you get is a list of names and a pep talk, you will struggle. Good leaders
share systems that work online: a blog, an email list, attraction marketing and honest content.

Success takes time. Most people quit in the first ninety days because they expected fast money. Set a
schedule, track your contacts, and measure what works. Focus on helping people solve a problem, and the
sales and the team will follow. That is the difference between a hobby and a business."""

INTROS = [
    "I found this article today and wanted to share it with my readers.",
    "Here is a great article I came across about this topic. Enjoy!",
    "This is one of the best articles I have read on the subject, so I am posting it here.",
    "A friend sent me this article and I think every distributor should read it.",
    "Interesting read for anyone in network marketing. What do you think?",
]
CHROME_TOP = ["{weekday}, {month} {day}, {year}", "Posted by {author} at {hour}:{minute} {ampm}",
              "Labels: {label1}, {label2}", "Free Business Articles Blog", "Home | Articles | {label1}"]
CHROME_BOTTOM = ["Post a Comment", "{n} comments", "Subscribe to: Post Comments (Atom)",
                 "Newer Post Older Post Home", "Share this: Twitter Facebook Email", "Source: {source}",
                 "Article Source: {source}", "Read more...", "Posted in {label1} | Tags: {label1}, {label2}",
                 "\u00a9 {year} Copyright {site}. All Rights Reserved"]
LABELS = ["mlm", "network marketing", "home business", "leadership", "recruiting", "lead generation",
          "attraction marketing", "make money online", "direct sales", "success"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
BLOG_PLATFORMS = ["blogger"] * 45 + ["wordpress"] * 35 + ["generic"] * 10 + ["directory"] * 10


@dataclass
class Rates:
    """How often each transformation hits a copy (and a few hit originals)."""

    max_copies: int = 10
    truncate: float = 0.35
    spin: float = 0.30
    corrupt: float = 0.40
    corrupt_original: float = 0.15
    chrome: float = 0.70
    intro: float = 0.10
    resource_box: float = 0.30
    retitle: float = 0.40
    source_line: float = 0.50
    reflow: float = 0.20
    recopy: float = 0.15     # copied from an earlier copy (chrome, corruption and all), not the original
    siblings: float = 0.25   # share of families that are 2-4 same-author, same-theme originals
    quotes: float = 0.15     # share of families that are 2-3 originals quoting one passage


@dataclass
class GenArticle:
    """One generated article, ready for `pipeline.model.Article`, with its true cluster."""

    url: str
    platform: str
    site_name: str
    title: str
    author: str
    published: str | None
    body: str
    syndicated_from: str | None
    label: int           # the original this copies (its own number for an original)
    role: str            # "original" or "copy"
    kind: str = ""       # family kind of the original: "single", "sibling", "quoting", "source"
    family: int = 0      # originals of one family (siblings, or a quoted source and its quoters)
    transforms: list[str] = field(default_factory=list)

    def to_article(self):
        from pipeline.model import Article

        return Article(url=self.url, platform=self.platform, site_name=self.site_name, title=self.title,
                       author=self.author, published=self.published, paragraphs=self.body.split("\n\n"),
                       syndicated_from=self.syndicated_from)


# ---------------------------------------------------------------------------------------------
# Text sources


@lru_cache(maxsize=1)
def _real_bodies() -> tuple[str, ...]:
    return tuple(_read_real_bodies())


def real_bodies() -> list[str]:
    """English article bodies from /work/shared (empty list when it is absent)."""
    return list(_real_bodies())


def _read_real_bodies() -> list[str]:
    """English article bodies from /work/shared (empty list when it is absent)."""
    bodies = []
    truth = SHARED / "extraction-benchmark" / "ground-truth.json"
    if truth.exists():
        for entry in json.loads(truth.read_text(encoding="utf-8")).values():
            bodies.append(entry["articleBody"])
    examples = SHARED / "examples"
    if examples.is_dir():
        bodies += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(examples.glob("*.txt"))]
    return [b for b in bodies if _is_english(b)]


def _is_english(text: str) -> bool:
    words = text.lower().split()
    return len(words) >= 40 and sum(w in STOP for w in words) / len(words) > 0.25


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Alphabetic English words by frequency (wordfreq), for theme words and pseudo-synonyms."""
    try:
        import wordfreq

        words = wordfreq.top_n_list("en", 60000)
    except Exception:  # pragma: no cover
        words = sorted(set(re.findall(r"[a-z]+", FALLBACK_TEXT.lower())))
    return tuple(w for w in words if w.isalpha() and len(w) > 2 and w not in STOP)


TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[.,;:!?]")


class MarkovText:
    """Order-1 word chain over real text, with each article's theme words and rare words mixed in."""

    def __init__(self, texts: list[str]) -> None:
        succ: dict[str, list[str]] = {}
        starts: list[str] = []
        for text in texts:
            toks = TOKEN_RE.findall(text.replace("\u2019", "'"))
            prev = "."
            for tok in toks:
                succ.setdefault(prev, []).append(tok)
                if prev in ".!?" and tok[0].isalpha():
                    starts.append(tok)
                prev = tok
        self.succ = {k: tuple(v) for k, v in succ.items()}
        self.starts = tuple(starts) or ("The",)
        self.vocab = vocabulary()

    def theme(self, rng: random.Random, size: int = 30) -> list[str]:
        """An article's own words: drawn from the vocabulary's middle ranks."""
        hi = len(self.vocab)
        return [self.vocab[int(300 + (hi - 301) * rng.random() ** 1.5)] for _ in range(size)]

    def paragraphs(self, rng: random.Random, theme: list[str], words: int) -> list[str]:
        """About `words` words in paragraphs of 2-5 sentences."""
        succ, starts, vocab = self.succ, self.starts, self.vocab
        rand = rng.random
        paragraphs, sentences, current, count = [], [], [], 0
        tok = starts[int(rand() * len(starts))]
        target_sentences = 2 + int(rand() * 4)
        while True:
            out = tok
            if tok[0].isalpha() and tok.lower() not in STOP:
                r = rand()
                if r < 0.14:
                    out = theme[int(rand() * len(theme))]
                elif r < 0.19:
                    out = vocab[int(len(vocab) * rand() ** 2)]
            if not current:
                out = out[:1].upper() + out[1:]
            current.append(out)
            if tok not in ".,;:!?":
                count += 1
            if tok in ".!?" or len(current) > 40:
                if tok not in ".!?":
                    current.append(".")
                sentences.append(_join(current))
                current = []
                if len(sentences) >= target_sentences:
                    paragraphs.append(" ".join(sentences))
                    sentences = []
                    target_sentences = 2 + int(rand() * 4)
                    if count >= words:
                        break
                nxt = starts[int(rand() * len(starts))]
            else:
                options = succ.get(tok)
                nxt = options[int(rand() * len(options))] if options else "."
            tok = nxt
        if sentences:
            paragraphs.append(" ".join(sentences))
        return [_typography(p, rng) for p in paragraphs]


def _words(text: str, n: int) -> str:
    """The first n words of a text, ended as a sentence."""
    words = text.split()
    return text if len(words) <= n else " ".join(words[:n]).rstrip(",;:") + "."


def _join(toks: list[str]) -> str:
    text = " ".join(toks)
    return re.sub(r" ([.,;:!?])", r"\1", text)


def _typography(paragraph: str, rng: random.Random) -> str:
    """Word-processor punctuation (curly apostrophes, dashes) that an ASCII relay turns into "?"."""
    if rng.random() < 0.5:
        paragraph = paragraph.replace("'", "\u2019")
    if rng.random() < 0.2:
        paragraph = paragraph.replace(", ", " \u2013 ", 1)
    return paragraph


def real_articles(bodies: list[str], rng: random.Random, low: int = 150, high: int = 700) -> list[list[list[str]]]:
    """Real bodies cut into articles at paragraph breaks, grouped by source text (same-topic siblings)."""
    groups = []
    for body in bodies:
        paras = [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
        pieces, current, count = [], [], 0
        target = rng.randint(low * 2, high)
        for p in paras:
            current.append(p)
            count += len(p.split())
            if count >= target:
                pieces.append(current)
                current, count, target = [], 0, rng.randint(low * 2, high)
        if current and count >= low:
            pieces.append(current)
        elif current and pieces:
            pieces[-1].extend(current)
        if pieces:
            groups.append(pieces)
    return groups


# ---------------------------------------------------------------------------------------------
# Transformations


@lru_cache(maxsize=500_000)
def _pseudo_synonyms(word: str) -> tuple[str, ...]:
    vocab = vocabulary()
    h = zlib.crc32(word.encode())
    out = []
    for i in range(3):
        h = (h * 1103515245 + 12345 + i) & 0x7FFFFFFF
        syn = vocab[h % len(vocab)]
        if (h >> 8) % 7 == 0:  # some spinners swap one word for two
            syn = syn + " " + vocab[(h >> 3) % len(vocab)]
        out.append(syn)
    return tuple(out)


WORD_RE = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")


def spin(text: str, rate: float, rng: random.Random) -> str:
    """Swap about `rate` of all words for synonyms, spintax style (a random choice per place)."""
    words = WORD_RE.findall(text)
    content = sum(1 for w in words if w.lower() not in STOP) or 1
    p = min(1.0, rate * len(words) / content)

    def swap(m: re.Match) -> str:
        word = m.group(0)
        low = word.lower()
        if low in STOP or rng.random() >= p:
            return word
        options = THESAURUS.get(low) or _pseudo_synonyms(low)
        syn = options[int(rng.random() * len(options))]
        return syn[:1].upper() + syn[1:] if word[:1].isupper() else syn

    return WORD_RE.sub(swap, text)


def truncate(paragraphs: list[str], share: float, rng: random.Random) -> list[str]:
    """The first `share` of the words: at a paragraph break or mid-paragraph at a word."""
    total = sum(len(p.split()) for p in paragraphs)
    keep = max(1, int(total * share))
    out, count = [], 0
    for p in paragraphs:
        words = p.split()
        if count + len(words) <= keep:
            out.append(p)
            count += len(words)
            continue
        if rng.random() < 0.5 and out and count >= total * 0.5:
            break
        out.append(" ".join(words[: keep - count]) + rng.choice([" ...", "...", " [...]", ""]))
        break
    return out


_LOST = "[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0]"


def fast_corrupt(text: str, rng: random.Random) -> str:
    """DESIGN.md's corruptions applied to the text directly, without the HTML round trip of
    `simulate.corrupt` (50x faster, for the large corpora): sendmail's "!" cuts and Postfix's
    split words where the simulator's `sendmail_cuts` / `postfix_cuts` put them, "?" for
    the characters an ASCII conversion loses, mojibake."""
    mode = rng.choice(["sendmail+ascii", "sendmail+utf-8", "postfix+ascii", "sendmail+mojibake"])
    if mode.endswith("ascii"):
        lost = "[" + "".join(sorted(simulate.LOST_CHARS)) + "]" if simulate is not None else _LOST
        text = re.sub(lost, "?", text)
    elif mode.endswith("mojibake"):
        text = text.encode("utf-8").decode("cp1252", errors="replace")
    sendmail = mode.startswith("sendmail")
    limit, mark = (990, "! ") if sendmail else (998, " ")
    out = []
    for line in text.split("\n\n"):
        offset = rng.randrange(0, 60)  # markup before the text on the source line
        if simulate is not None:
            cuts = (simulate.sendmail_cuts if sendmail else simulate.postfix_cuts)(len(line) + offset, limit)
            cuts = [c - offset for c in cuts if c > offset]
        else:
            cuts = list(range(limit - 1 - offset, len(line), limit - 2))
        pieces, prev = [], 0
        for cut in cuts:
            pieces.append(line[prev:cut])
            prev = cut
        pieces.append(line[prev:])
        out.append(mark.join(pieces))
    return "\n\n".join(out)


def corrupt(text: str, rng: random.Random, use_simulator: bool) -> str:
    """Corrupt through the colleague's simulator when asked and available, else `fast_corrupt`."""
    if use_simulator and simulate is not None:
        family = rng.choice(sorted(simulate.FAMILIES))
        scenario = simulate.random_scenario(rng, **simulate.FAMILIES[family])
        return simulate.corrupt(text, scenario, seed=rng.randrange(1 << 30)).text
    return fast_corrupt(text, rng)


def _chrome(template: str, rng: random.Random, ctx: dict) -> str:
    return template.format(
        weekday=rng.choice(WEEKDAYS), month=rng.choice(MONTHS), day=rng.randint(1, 28),
        year=ctx["year"], author=ctx["author"], hour=rng.randint(1, 12), minute=f"{rng.randint(0, 59):02d}",
        ampm=rng.choice(["AM", "PM"]), label1=rng.choice(LABELS), label2=rng.choice(LABELS),
        n=rng.randint(0, 12), source=ctx["source"], site=ctx["site"])


# ---------------------------------------------------------------------------------------------
# The generator


class Generator:
    """Yields families of originals and copies until `n_articles` have been produced."""

    def __init__(self, n_articles: int, seed: int = 0, source: str = "markov", rates: Rates | None = None,
                 use_simulator: bool | None = None, first_label: int = 0) -> None:
        self.n = n_articles
        self.rng = random.Random(seed)
        self.rates = rates or Rates()
        self.use_simulator = (simulate is not None) if use_simulator is None else use_simulator
        bodies = real_bodies()
        self.source = source
        if source == "real":
            if not bodies:
                raise FileNotFoundError(f"no real article bodies under {SHARED}")
            self.real_groups = real_articles(bodies, self.rng)
            self.rng.shuffle(self.real_groups)
        self.markov = _markov()
        self.produced = 0
        self.originals = first_label  # labels (and so URLs) of shards generated apart stay distinct

    # -- originals --------------------------------------------------------------------------
    def _date(self) -> str:
        return f"{self.rng.randint(2004, 2012)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def _author(self) -> dict:
        rng = self.rng
        vocab = self.markov.vocab
        first, last = rng.choice(vocab).title(), rng.choice(vocab).title()
        name = f"{first} {last}"
        site = f"{rng.choice(vocab)}{rng.choice(vocab)}.com"
        bio = (f"{name} is the founder of {rng.choice(vocab).title()} {rng.choice(LABELS).title()}. "
               f"{first} helps {rng.choice(['entrepreneurs', 'distributors', 'home business owners'])} "
               f"{rng.choice(['build', 'grow', 'market'])} their {rng.choice(LABELS)} business online "
               f"using {rng.choice(vocab)} {rng.choice(vocab)} and {rng.choice(LABELS)}. "
               f"To learn more visit http://www.{site}/ or download the free report at "
               f"http://www.{site}/{rng.choice(vocab)}.")
        stock = " ".join(self.markov.paragraphs(rng, self.markov.theme(rng), rng.randint(40, 80)))
        intro = " ".join(self.markov.paragraphs(rng, self.markov.theme(rng), rng.randint(30, 70)))
        return {"name": name, "bio": bio, "stock": stock, "intro": intro, "site": site}

    def _text(self, theme: list[str]) -> list[str]:
        words = int(self.rng.lognormvariate(6.0, 0.45))  # median ~400 words
        return self.markov.paragraphs(self.rng, theme, max(80, min(words, 2000)))

    def _original(self, paragraphs: list[str], author: dict, kind: str) -> GenArticle:
        rng = self.rng
        label = self.originals
        self.originals += 1
        platform = "directory" if rng.random() < 0.8 else rng.choice(["blogger", "wordpress"])
        if platform == "directory":
            site = rng.choice(["a1articles.com", "ezinearticles.com", "articlesbase.com", "goarticles.com",
                               "isnare.com", "articledashboard.com"])
            url = f"http://www.{site}/article_{label}_80.html"
        else:
            site = f"{rng.choice(self.markov.vocab)}{label}.blogspot.com"
            url = f"http://{site}/2008/03/post-{label}.html"
        title_words = [w for w in " ".join(paragraphs[:1]).split()[:40] if w.isalpha()]
        title = " ".join(rng.sample(title_words, min(6, len(title_words)))).title() or f"Article {label}"
        return GenArticle(url=url, platform=platform, site_name=site, title=title, author=author["name"],
                          published=self._date(), body="\n\n".join(paragraphs), syndicated_from=None,
                          label=label, role="original", kind=kind)

    def _family(self) -> list[tuple[GenArticle, dict, list[str]]]:
        """One family of originals: (article, author, clean paragraphs)."""
        rng, rates = self.rng, self.rates
        r = rng.random()
        if self.source == "real":
            return self._real_family(r)
        if r < rates.siblings:
            author = self._author()
            base = self.markov.theme(rng)
            out = []
            for _ in range(rng.randint(2, 4)):
                theme = base[:20] + self.markov.theme(rng, 10)
                # One author's template: the same opening and closing paragraphs around new text,
                # each at most 15% as long as the new text.
                text = self._text(theme)
                room = max(15, int(0.15 * sum(len(p.split()) for p in text)))
                paras = [_words(author["intro"], room)] + text + [_words(author["stock"], room)]
                out.append((self._original(paras, author, "sibling"), author, paras))
            return out
        if r < rates.siblings + rates.quotes:
            return self._quote_family(lambda: self._text(self.markov.theme(rng)))
        author = self._author()
        paras = self._text(self.markov.theme(rng))
        return [(self._original(paras, author, "single"), author, paras)]

    def _quote_family(self, make_text) -> list[tuple[GenArticle, dict, list[str]]]:
        """A source article and 2-3 articles that quote one long passage of it."""
        rng = self.rng
        src_paras = make_text()
        words = " ".join(src_paras).split()
        out = []
        if rng.random() < 0.5:
            author = self._author()
            out.append((self._original(src_paras, author, "source"), author, src_paras))
        for _ in range(rng.randint(2, 3)):
            author = self._author()
            own = make_text()
            own_words = sum(len(p.split()) for p in own)
            qlen = max(30, int(own_words * rng.uniform(0.2, 0.35)))
            qstart = rng.randrange(0, max(1, len(words) - qlen))
            quote = " ".join(words[qstart:qstart + qlen])
            # The quote comes after at least a third of the article's own text.
            cut, seen = len(own), 0
            for i, p in enumerate(own):
                seen += len(p.split())
                if seen >= own_words * rng.uniform(0.33, 0.6):
                    cut = i + 1
                    break
            lead = rng.choice(["As one expert puts it:", "I recently read this and it says it well:",
                               f"{rng.choice(self.markov.vocab).title()} wrote:", "Consider this passage:"])
            paras = own[:cut] + [lead, f"\u201c{quote}\u201d"] + own[cut:]
            out.append((self._original(paras, author, "quoting"), author, paras))
        return out

    def _real_family(self, r: float) -> list[tuple[GenArticle, dict, list[str]]]:
        if not self.real_groups:
            return []
        rng, rates = self.rng, self.rates
        if r < rates.quotes and len(self.real_groups) >= 3:
            pool = [self.real_groups.pop() for _ in range(3)]
            texts = iter([p for group in pool for p in group])
            return self._quote_family(lambda: next(texts, None) or self._text(self.markov.theme(rng)))
        group = self.real_groups.pop()
        author = self._author()
        kind = "sibling" if len(group) > 1 else "single"
        return [(self._original(paras, author, kind), author, paras) for paras in group]

    # -- copies -----------------------------------------------------------------------------
    def copy(self, original: GenArticle, author: dict, paragraphs: list[str], number: int,
             siblings: list[GenArticle]) -> GenArticle:
        """One republished copy of `original`."""
        rng, rates = self.rng, self.rates
        paras = list(paragraphs)
        done = []
        if siblings and rng.random() < rates.recopy:
            paras = rng.choice(siblings).body.split("\n\n")  # a scraper copying a scraper
            done.append("recopied")
        if rng.random() < rates.truncate:
            paras = truncate(paras, rng.uniform(0.5, 1.0), rng)
            done.append("truncated")
        if rng.random() < rates.spin:
            paras = [spin(p, rng.uniform(0.15, 0.30), rng) for p in paras]
            done.append("spun")
        if rng.random() < rates.intro:
            paras.insert(0, rng.choice(INTROS))
            done.append("intro")
        if "truncated" not in done and rng.random() < rates.resource_box:
            paras.append(author["bio"])
            done.append("resource_box")
        platform = rng.choice(BLOG_PLATFORMS)
        site = (f"{rng.choice(self.markov.vocab)}{rng.choice(self.markov.vocab)}"
                + (".blogspot.com" if platform == "blogger" else ".com"))
        url = f"http://{site}/{2005 + number % 8}/{number % 12 + 1:02d}/{original.label}-{number}.html"
        source = original.url
        if siblings and rng.random() < 0.1:
            source = rng.choice(siblings).url  # a "Source:" line naming another copy
        syndicated = source if rng.random() < rates.source_line else None
        if rng.random() < rates.chrome:
            ctx = {"year": (original.published or "2008")[:4], "author": author["name"], "site": site,
                   "source": source}
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.4:
                    paras.insert(0, _chrome(rng.choice(CHROME_TOP), rng, ctx))
                else:
                    paras.append(_chrome(rng.choice(CHROME_BOTTOM), rng, ctx))
            done.append("chrome")
        if rng.random() < rates.reflow and len(paras) > 2:
            i = rng.randrange(len(paras) - 1)
            paras[i:i + 2] = [paras[i] + " " + paras[i + 1]]
            done.append("reflow")
        body = "\n\n".join(p for p in paras if p.strip())
        if rng.random() < rates.corrupt:
            body = corrupt(body, rng, self.use_simulator)
            done.append("corrupted")
        title = original.title
        if rng.random() < rates.retitle:
            title = spin(title, 0.5, rng) if rng.random() < 0.5 else " ".join(
                rng.sample(LABELS, 2)).title() + ": " + title.split(" ")[0]
            done.append("retitled")
        published = self._later(original.published)
        return GenArticle(url=url, platform=platform, site_name=site, title=title, author=author["name"],
                          published=published, body=body, syndicated_from=syndicated, label=original.label,
                          role="copy", kind=original.kind, family=original.family, transforms=done)

    def _later(self, date: str | None) -> str | None:
        rng = self.rng
        r = rng.random()
        if r < 0.05 or not date:
            return None
        year, month, day = (int(x) for x in date.split("-"))
        days = -rng.randint(1, 200) if r < 0.08 else rng.randint(0, 900)  # a few blogs post-date wrongly
        ordinal = _ordinal(year, month, day) + days
        return _from_ordinal(ordinal)

    def __iter__(self) -> Iterator[GenArticle]:
        rng, rates = self.rng, self.rates
        families = 0
        while self.produced < self.n:
            family = self._family()
            if not family:
                return
            families += 1
            for original, author, paragraphs in family:
                original.family = families
                if rng.random() < rates.corrupt_original:
                    original.body = corrupt(original.body, rng, self.use_simulator)
                    original.transforms.append("corrupted")
                yield original
                self.produced += 1
                copies: list[GenArticle] = []
                for number in range(rng.randint(0, rates.max_copies)):
                    if self.produced >= self.n:
                        break
                    c = self.copy(original, author, paragraphs, self.produced, copies)
                    copies.append(c)
                    yield c
                    self.produced += 1
                if self.produced >= self.n:
                    return


def _ordinal(year: int, month: int, day: int) -> int:
    import datetime

    return datetime.date(year, month, day).toordinal()


def _from_ordinal(ordinal: int) -> str:
    import datetime

    return datetime.date.fromordinal(ordinal).isoformat()


def generate(n_articles: int, seed: int = 0, source: str = "markov", rates: Rates | None = None,
             use_simulator: bool | None = None, first_label: int = 0) -> Iterator[GenArticle]:
    """Up to `n_articles` generated articles, originals each followed by their copies."""
    return iter(Generator(n_articles, seed, source, rates, use_simulator, first_label))


@lru_cache(maxsize=1)
def _markov() -> MarkovText:
    return MarkovText(real_bodies() or [FALLBACK_TEXT])
