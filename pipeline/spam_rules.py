"""Hand-written signals of comment spam: vocabularies, thresholds and one small function per signal.

Every signal turns one comment (and its post) into a number. `pipeline.spam` weighs them: most
weights are learned from the labelled comments in tests/cases/comments.jsonl, the context
signals in FIXED_WEIGHTS are set here by hand. The vocabularies were written from the spam
actually met on the saved pages (pharmacy and replica link farms on Blogger, keyword-named
"great post" commenters on TypePad and WordPress, YouTube "check out my channel") and from the
example post's "paid surveys" comment.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

from dateutil import parser as dateparser

# --- vocabularies -------------------------------------------------------------------------

# Goods and services that only spam sells in a blog comment: drugs, replicas, essays, gold
# farming, gambling, adult shops. One hit is already strong evidence.
STRONG_SPAM_TERMS = (
    r"viagra", r"cialis", r"levitra", r"kamagra", r"sildenafil", r"tadalafil", r"tramadol", r"ambien",
    r"xanax", r"valium", r"phentermine", r"propecia", r"zoloft", r"imitrex", r"fioricet", r"soma",
    r"online pharmacy", r"pharmacy", r"drugstore", r"no prescription", r"without (a )?prescription",
    r"generic (meds|medications?|pills|drugs)", r"erectile", r"penis", r"enlargement",
    r"replicas?", r"louis vuitton", r"gucci", r"ugg boots?", r"uggs", r"moncler", r"burberry", r"longchamp",
    r"oakley sunglasses", r"oakleys", r"ray ?ban", r"louboutin", r"red bottom", r"air max", r"michael kors",
    r"handbags?", r"sacs?", r"pas cher", r"air jordans?", r"jordan \d+", r"jordan (shoes|retro|thunder|bred)",
    r"sunglasses", r"ghd", r"fitflops?",
    r"dissertation", r"essay writing", r"term papers?", r"write my essay", r"proofreading",
    r"wow gold", r"rs gold", r"tera gold", r"gold farming", r"power ?leveling", r"ffxi gils?", r"wow items",
    r"casino", r"poker", r"roulette", r"slot machines?", r"sports betting",
    r"sex shop", r"escorts?", r"adult toys", r"hookups?",
    r"payday loans?", r"cash advance", r"debt consolidation", r"forex", r"binary options",
    r"seo services", r"seo company", r"backlinks?", r"link exchange", r"add url", r"submit url",
    r"hosting coupon", r"hostgator", r"coupon codes?", r"promo codes?",
)

# Words of selling that readers use too ("I bought the book"), so each hit is weak evidence.
COMMERCIAL_TERMS = (
    r"buy", r"cheap", r"cheapest", r"discount", r"outlets?", r"wholesale", r"free shipping", r"on sale",
    r"for sale",
    r"best prices?", r"low prices?", r"order (now|online)", r"shop now", r"online store", r"deals?",
    r"coupons?", r"price list", r"shipping", r"customers? satisfaction", r"our (products|services|company)",
    r"we (offer|provide|sell)",
)

# Money-making and lead-generation pitches, the staple of MLM-blog spam.
MONEY_TERMS = (
    r"make money", r"earn money", r"money online", r"making money", r"work from home", r"work at home",
    r"paid surveys?", r"surveys? for money", r"survey (sites?|junkie|panels?)", r"get paid",
    r"passive income", r"extra income", r"business opportunity", r"mlm leads", r"downline builder",
    r"sign ?up (link|bonus|here)", r"referral (link|code)", r"swagbucks", r"lifepoints",
    r"pinecone( research)?",
    r"gift cards?", r"free (itunes|xbox|psn|amazon)", r"giveaway", r"bitcoin", r"crypto",
    r"bani", r"investitie",
)

# A commenter asking readers to go somewhere else: the purpose of most YouTube spam.
SELF_PROMO_TERMS = (
    r"check (out )?my", r"check (it|this|them|us|em|'em|me|men) out", r"check out (this|our|mine|me)",
    r"check (this|these) (video|channel|song|playlist)", r"take a look at (this|my|our)", r"look up",
    r"visit my",
    r"would you like to visit", r"go to my", r"look at my", r"watch my", r"see my", r"listen to my",
    r"come (and )?(check|watch|see|listen)", r"my (youtube )?channel", r"our channel",
    r"my (new )?(song|video|videos|music|rap|track|mix|cover|covers|music video|playlist|page|site|website)",
    r"su[bcs]{1,3}cri?be?", r"sub me", r"sub to", r"sub ?4 ?sub", r"subscribers?", r"follow 4 follow",
    r"like 4 like", r"click (here|this|the link)", r"follow me", r"follow back", r"like this comment",
    r"please (like|share|follow|support|help|vote|donate)", r"give (it|us|me) a (like|chance)",
    r"add me",
)

# Praise that fits any post; spam uses it to look like a reader.
GENERIC_PRAISE = (
    r"(great|nice|good|excellent|awesome|wonderful|interesting|fantastic|cool|amazing|superb|brilliant|"
    r"lovely|"
    r"informative|useful|helpful|valuable|impressive) (post|article|blog|site|website|read|info|information|"
    r"share|publish|job|work|stuff|topic|content|resource|list|ideas?|piece|write ?up|writing|story|stories)",
    r"(thanks|thank you|thx|thnx|thankx|thanx|thank's)( so much| a lot)? (for|4) (the )?"
    r"(sharing|share|posting|"
    r"this|info|information|article|post|great)",
    r"keep (it|up) (up|the good work)", r"keep up the (good|great) work", r"well written", r"nicely written",
    r"i (really )?(like|love|enjoy|enjoyed) (this|your|the) "
    r"(post|blog|site|article|website|information|writing|theme)",
    r"very (nice|good|helpful|useful|informative|interesting|supportive|inspiring)", r"informative",
    r"(bookmarked|subscribing to your feed|will (be|come) back|visit again|coming back)",
    r"i (totally |completely |quite )?agree( with (you|this|your (post|point|view)))?",
    r"(totally|completely) agree",
    r"(nice|good|great) one", r"you made some good points", r"(learn|learned|learnt) (some ?thing|a lot)",
    r"(really|truly) (enjoyed|appreciate)", r"two thumbs up", r"right blog for anyone",
)

# Words that turn a name into a shop sign: "cheap ugg boots", "Website Maker Tools".
AUTHOR_KEYWORDS = frozenset("""
cheap buy sale sales outlet outlets shop shops store stores online discount replica pharmacy pills
meds drugs viagra cialis seo marketing services service company tips tools games game jobs job loans loan
insurance property properties plumber plumbers plumbing lawyer lawyers attorney dentist design designs
development developer hosting coupon coupons deals deal reviews review shoes shoe boots boot bags bag
handbags heels belts belt jackets jacket sunglasses jordans ugg uggs gucci vuitton moncler
burberry longchamp nike ghd fitflop carrier treatment restoration coatings employment exploration
school schools dissertation proofreading essay essays themes theme wordpress apps app software consulting
consultancy agency solutions forex trading commodity realty mortgage diet fitness tycoon
furniture wedding dresses sac sacs strategy firms firm relations cheats sex dvd dvds
""".split())

# Hosts where a reader's own blog or profile lives; a link there is rarely bought.
PERSONAL_HOSTS = (
    "blogspot.", "wordpress.com", "typepad.com", "livejournal.com", "tumblr.com", "blogger.com", "blog.de",
    "twitter.com", "facebook.com", "linkedin.com", "github.com", "github.io", "about.me", "medium.com",
    "substack.com", "blogg.se", "splinder.com", "theobloggers.com", "wix.com", "gplus.to", "plus.google.com",
    "weebly.com",
)

# Free hosts that spammers use for throw-away doorway pages.
THROWAWAY_HOSTS = ("tripod.com", "150m.com", "hostoi.com", "webatu.com", "yolasite.com",
                   "000webhost", "freehostia", "bit.ly", "tinyurl.com", "goo.gl")

# Pieces of a host or path that name goods spam sells: a link there is a link drop.
SHOP_URL_PARTS = (
    "cheap", "outlet", "shop", "store", "buy", "sale", "discount", "replica", "pill", "pharm", "meds",
    "medication",
    "drug", "rx", "viagra", "cialis", "casino", "poker", "loan", "insurance", "quote",
    "hosting", "coupon", "deal", "game", "dissertation", "essay", "proofread", "plumb", "lawyer", "solicitor",
    "injury", "forex", "gold", "bags", "shoe", "boots", "ugg", "jordan", "nike", "gucci", "vuitton",
    "moncler",
    "burberry", "longchamp", "oakley", "ghd", "fitflop", "ergobaby", "belts", "sexshop", "porn", "themes",
    "onlineschool", "cheat", "wholesale", "sellingvalley", "furniture",
)

# Pieces that name a service business; honest readers run such sites too, so they weigh less.
BUSINESS_URL_PARTS = (
    "seo", "marketing", "consult", "income", "money", "cash", "survey", "diet", "jobs", "tips", "review",
    "property", "realestate", "real-estate", "trading", "media", "design", "agency", "solutions",
)


# Letters from other scripts that look like Latin ones; spam mixes them in to dodge filters.
CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "һ": "h",
    "і": "i",
    "ј": "j", "ԁ": "d", "ս": "u", "ո": "n", "ց": "g", "ɡ": "g", "ⅼ": "l", "ı": "i",
})

# Stubs Blogger and WordPress leave where a comment was withdrawn; there is nothing left to judge.
REMOVED_STUB_RE = re.compile(
    r"^\s*this (comment|post) has been removed by (the author|a blog administrator)\.?\s*$", re.I)

# Pingbacks and trackbacks: another blog's title and an excerpt between "[...]".
PINGBACK_RE = re.compile(r"^\s*(pingback|trackback)\s*:|^\s*\[(\.\.\.|…)\]|\[(\.\.\.|…)\]\s*$", re.I)

# A URL, a www. address or a bare domain with a common top-level domain.
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9][a-z0-9-]{1,62}(?:\.[a-z0-9-]{2,63})*"
    r"\.(?:com|net|org|info|biz|us|co\.uk|uk|de|ca|in|ru|cn|pl|fr|es|it|nl|au|tk|me|tv|ly)\b"
    r"(?:/[^\s<>\"')\]]*)?",
    re.I)

# "www dot example dot com": links written out to get past link filters.
OBFUSCATED_LINK_RE = re.compile(
    r"\b(3w|www)\s*(dot|\[dot\]|\(dot\))|\b(dot|\[dot\]|\(dot\))\s*(com|net|org|info)\b", re.I)

# Words too common to say anything about a comment's topic.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours yourself yourselves really thanks thank
great good nice post blog article like love one get got know think much many also well even still way make
""".split())

# --- thresholds ---------------------------------------------------------------------------

# A comment posted this many years after its post is late; old posts collect spam long after
# their readers have moved on (the example's survey comment came 13 years later).
YEARS_LATE = 1.0

# Generic praise counts only in a short comment: a long one says something of its own.
PRAISE_MAX_WORDS = 45

# This many links in one comment is a link farm, not a reader citing a source.
MANY_LINKS = 3

# Off-topic is judged only when both texts are long enough for word overlap to mean anything,
# and a comment sharing fewer than this share of its content words with the post is off topic.
OFF_TOPIC_MIN_COMMENT_WORDS = 12
OFF_TOPIC_MIN_POST_WORDS = 60
OFF_TOPIC_MAX_OVERLAP = 0.08

# Text that is mostly "?" lost its script to a bad charset conversion (Chinese spam on 2012 pages).
UNREADABLE_QUESTION_SHARE = 0.5

# An author name needs only this many '?' to count as lost (names are short): '??seo' is, 'Who?' is not.
UNREADABLE_NAME_MIN_MARKS = 2

# Hand-set weights (logit units) of the context signals the labelled file cannot teach:
# off_topic needs the post's full text, which the file does not keep.
FIXED_WEIGHTS = {"off_topic": 1.2}


def _compile(terms: tuple[str, ...]) -> re.Pattern:
    """One case-insensitive regex matching any of `terms` as whole words."""
    return re.compile(r"(?<![\w])(?:" + "|".join(terms) + r")(?![\w])", re.I)


STRONG_SPAM_RE = _compile(STRONG_SPAM_TERMS)
COMMERCIAL_RE = _compile(COMMERCIAL_TERMS)
MONEY_RE = _compile(MONEY_TERMS)
SELF_PROMO_RE = _compile(SELF_PROMO_TERMS)
PRAISE_RE = _compile(GENERIC_PRAISE)
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+", re.U)


# --- text helpers -------------------------------------------------------------------------

def normalize(text: str) -> str:
    """Lower-cased NFKC text with look-alike letters from other scripts mapped to Latin."""
    return unicodedata.normalize("NFKC", text or "").translate(CONFUSABLES).lower()


def words(text: str) -> list[str]:
    """The words of already normalized text."""
    return WORD_RE.findall(text)


def urls(text: str) -> list[str]:
    """Every link written in the text, without trailing punctuation."""
    return [u.rstrip(".,;:!?") for u in URL_RE.findall(text or "")]


def host_and_path(url: str | None) -> tuple[str, str]:
    """The lower-cased host (without www.) and path of a URL, scheme optional."""
    if not url:
        return "", ""
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "", ""
    host = (parts.hostname or "").lower()
    return (host[4:] if host.startswith("www.") else host), parts.path.lower()


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 (or looser) date string as a naive datetime, or None."""
    if not value:
        return None
    try:
        return dateparser.parse(value, ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None


def content_words(text: str) -> set[str]:
    """The words of normalized text that carry topic: no stopwords, no short words."""
    return {w for w in words(text) if len(w) > 3 and w not in STOPWORDS and not w.isdigit()}


# --- signals ------------------------------------------------------------------------------

def is_removed_stub(body: str) -> bool:
    """A 'This comment has been removed by the author.' stub."""
    return bool(REMOVED_STUB_RE.match(body or ""))


def is_pingback(body: str) -> bool:
    """A pingback or trackback rather than a comment."""
    return bool(PINGBACK_RE.search(body or ""))


def term_hits(pattern: re.Pattern, text: str) -> int:
    """How many distinct vocabulary terms of `pattern` occur in normalized text."""
    return len({m.group(0) for m in pattern.finditer(text)})


def is_personal_host(host: str) -> bool:
    """A blog host or social profile, where readers' own pages live."""
    return any(part in host for part in PERSONAL_HOSTS)


def is_throwaway_host(host: str) -> bool:
    """A free host or link shortener favoured for doorway pages."""
    return any(part in host for part in THROWAWAY_HOSTS)


def url_text(url: str | None, author: str = "") -> str:
    """A link's host and path as one string, without the author's own name and blog hosts.

    The author's name is taken out first: Chris Oakley's cgoakley.demon.co.uk sells no sunglasses.
    """
    host, path = host_and_path(url)
    if not host or is_personal_host(host):
        return ""
    text = host.replace("-", "") + path
    for token in author_tokens(author):
        if len(token) >= 4:
            text = text.replace(token, " ")
    return text


def shop_url(url: str | None, author: str = "") -> bool:
    """A link whose host or path names goods that spam sells (pills, replicas, loans...)."""
    text = url_text(url, author)
    return any(part in text for part in SHOP_URL_PARTS)


def business_url(url: str | None, author: str = "") -> bool:
    """A link whose host or path names a service business (seo, marketing, consulting...)."""
    text = url_text(url, author)
    return any(part in text for part in BUSINESS_URL_PARTS)


def keyword_path(url: str | None) -> bool:
    """A deep link whose path is a hyphenated keyword phrase (/life-insurance-claims-collecting...)."""
    _, path = host_and_path(url)
    return any(segment.count("-") >= 2 for segment in path.split("/"))


def author_tokens(author: str) -> list[str]:
    """The words of an author name, leaving out a parenthesised role such as '(4HB app)'."""
    return words(normalize(re.sub(r"\([^)]*\)", " ", author or "")))


# Single words that are a keyword author on their own ("pharmacy", "viagra").
STRONG_AUTHOR_WORDS = frozenset("pharmacy viagra cialis seo replica outlet casino loans".split())

# Pieces of a one-word handle that give away a shop ('TheCanadianMeds', 'sexshoptienda').
AUTHOR_HANDLE_PARTS = ("meds", "pharm", "pills", "shop", "outlet", "cheap", "viagra", "cialis", "casino")


# Form placeholders left in the name field: a bot filled the form, not a reader.
PLACEHOLDER_NAMES = frozenset({"enter your name", "your name", "name", "enter name", "nickname"})


def keyword_author(author: str) -> bool:
    """An author name made of trade words ('cheap ugg boots', 'Colchester Plumbers', 'buy viagra')."""
    tokens = author_tokens(author)
    if " ".join(tokens) in PLACEHOLDER_NAMES:
        return True
    if STRONG_SPAM_RE.search(" ".join(tokens)):
        return True
    hits = sum(t in AUTHOR_KEYWORDS for t in tokens)
    if hits >= 2 or (hits == 1 and len(tokens) >= 2):
        return True
    return len(tokens) == 1 and (tokens[0] in STRONG_AUTHOR_WORDS
                                 or any(part in tokens[0] for part in AUTHOR_HANDLE_PARTS))


def person_name(author: str) -> bool:
    """An author name shaped like a person's: one to three capitalised words, no trade words."""
    parts = re.sub(r"\([^)]*\)", " ", author or "").split()
    if not 1 <= len(parts) <= 3:
        return False
    shaped = all(re.fullmatch(r"[A-Z][a-z\u00e0-\u00ff'’-]+\.?|[A-Z]\.?", p) for p in parts)
    return shaped and not any(t in AUTHOR_KEYWORDS for t in author_tokens(author))


def handle_name(author: str) -> bool:
    """An author name shaped like a handle: one lower-case or digit-bearing token, or name@site."""
    name = (author or "").strip()
    return bool(name) and (" " not in name and (name.islower() or any(ch.isdigit() for ch in name))
                           or "@" in name)


def author_is_domain(author: str) -> bool:
    """An author name that is a web address ('Pinksmack.com')."""
    return bool(re.search(r"\.(com|net|org|info|biz)\b", author or "", re.I))


def author_in_url(author: str, url: str | None) -> bool:
    """Part of the author's name appears in their link's host: their own site, or their shop."""
    host, _ = host_and_path(url)
    host = host.replace("-", "")
    return any(len(t) >= 4 and t in host for t in author_tokens(author))


def years_after(posted: str | None, post_published: str | None) -> float:
    """Years between a post and a comment on it (0 when either date is unknown or the order odd)."""
    a, b = parse_date(post_published), parse_date(posted)
    if not a or not b:
        return 0.0
    return max(0.0, (b - a).days / 365.25)


def off_topic(body_norm: str, post_norm: str) -> bool:
    """A comment long enough to judge that shares almost none of the post's content words."""
    mine, theirs = content_words(body_norm), content_words(post_norm)
    if len(mine) < OFF_TOPIC_MIN_COMMENT_WORDS or len(theirs) < OFF_TOPIC_MIN_POST_WORDS:
        return False
    return len(mine & theirs) / len(mine) < OFF_TOPIC_MAX_OVERLAP


def mixed_script(text: str) -> bool:
    """A word mixing Latin letters with look-alikes from another script (homoglyph spam)."""
    for word in re.findall(r"\w{3,}", text or ""):
        scripts = {unicodedata.name(ch, "?").split()[0] for ch in word if ch.isalpha()}
        if "LATIN" in scripts and scripts & {"CYRILLIC", "ARMENIAN", "FULLWIDTH", "GREEK"}:
            return True
    return False


def unreadable(text: str, min_marks: int = 5) -> bool:
    """Text mostly lost to '?' by a charset conversion."""
    marks = text.count("?")
    letters = sum(ch.isalpha() for ch in text)
    return marks >= min_marks and marks >= UNREADABLE_QUESTION_SHARE * (marks + letters)


def unreadable_name(author: str) -> bool:
    """An author name mostly lost to '?' ('????', '??seo'): a name in another script on a page that
    could not hold it, the mark of the Chinese link drops on the 2012 pages; readers' names survive."""
    return unreadable(author or "", UNREADABLE_NAME_MIN_MARKS)
