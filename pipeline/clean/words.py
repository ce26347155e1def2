"""Word frequencies (wordfreq's list for the text's language) and the one question asked of them: join or not?

A line break inserted inside a word leaves two pieces, "specia l"; the same two strings
may also be two real words, "a head". Under a unigram model the text with the joined word
is likelier than the text with the pieces by f(xy) / (f(x) f(y)); `join_llr` is the log
of that ratio, with two corrections that follow from the mechanism:

- a line break inside a word keeps the word's case, so a capitalized right piece after
  a left piece that is not all capitals ("Hong Kong") is not a broken word;
- wordfreq counts web text, where lone letters ("r", "u", "d") are common; in edited
  prose the only lone letters are "a" and "I" (in English; "e", "o", "a" in Portuguese),
  so other lone letters count as rare;
- the frequencies are those of the text's language (`language`): with English ones two
  German words ("Daten und") are two unknowns, and one unknown "Datenund" beats them;
- a text uses its own words again: the joined word is likelier when the text has it
  elsewhere ("WeWork", "duvet"), and then its CamelCase is no case break (`Vocabulary`).

>>> join_llr("specia", "l") > 10
True
>>> join_llr("Hong", "Kong") < 0
True
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache, cached_property

# A string the list does not know gets UNKNOWN_MASS * LETTER_FREQ ** len: names and rare words are
# about 1% of running text, and each further letter makes a particular spelling ~20 times rarer.
# So "Canfora has" does not become "Canforahas": the unknown join costs three letters, "has" is common.
UNKNOWN_MASS = 1e-2
LETTER_FREQ = 0.05
# Frequency of a lone letter that is no word of the language (`lone_words`): rarer than all but unusual words.
LONE_LETTER_FREQ = 1e-7
# Below this a joined word counts as unknown: the list's floor is 1e-8, and its tail is noise.
KNOWN_FREQ = 1e-8
# A capitalized right piece after a left piece that is not all capitals: case says "two words",
# decisively (a break keeps the word's case; CamelCase words are too rare to weigh against it).
CASE_PENALTY = 20.0

# The language test: a language's COMMON_WORDS most frequent words make up ~40% of its prose and
# under 15% of another's (function words differ: English against German, Portuguese or Indonesian),
# measured on the first LANGUAGE_SAMPLE characters; shorter texts are given the benefit of the doubt
# (English). A text none of LANGUAGES covers to LANGUAGE_SHARE has no language: English frequencies,
# and no join without a relay's "!" nearby.
COMMON_WORDS = 50
LANGUAGE_SHARE = 0.2
LANGUAGE_SAMPLE = 3000
LANGUAGE_MIN_TOKENS = 20
# The languages with space-separated words whose wordfreq lists the joins may use (the languages
# of the syndicated articles met so far, and their neighbours).
LANGUAGES = ("en", "de", "nl", "fr", "es", "pt", "it", "id", "sv", "da", "nb", "pl")
# A lone letter is a word of a language if it is among that language's LONE_TOP most frequent words
# ("a" and "I" in English; "e", "o", "a" in Portuguese), and rare otherwise.
LONE_TOP = 100
TOKEN_EDGES = ".,;:!?\"'()"

# A text's own words (a cache model): a word the text uses elsewhere is likelier in it than the list
# says ("WeWork" in an article about WeWork, "my6sense" in my6sense's press release). Its
# probability is the list's mixed with its share of the text's words, the text given this weight
# (on the tuning part's benchmark 0.03 to 0.3 restore the same sites; 0.3 and 0.1 leave the fewest
# other edits, 0.03 the most).
CACHE_WEIGHT = 0.1

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
DIGITS_RE = re.compile(r"\d")
# Punctuation stripped from words before they are looked up or counted (apostrophes and hyphens stay).
STRIP_RE = re.compile(r"[\"“”()\[\]{}.,;:!?*]+")
# A word of the text's prose: not part of a URL, address, handle or hashtag, which run words
# together ("@JeongdongTheater", "jeongdongtheater.com").
PROSE_WORD_RE = re.compile(r"(?<![\w.@#/])[^\W_]+(?![\w@/]|\.\w)")


@cache
def _table(lang: str = "en") -> dict[str, float]:
    """wordfreq's frequencies for one language, loaded once (about 0.4 s)."""
    import wordfreq

    return wordfreq.get_frequency_dict(lang, wordlist="best")


@cache
def lone_words(lang: str = "en") -> frozenset[str]:
    """The lone letters that are words of the language (`LONE_TOP`)."""
    import wordfreq

    return frozenset(w for w in wordfreq.top_n_list(lang, LONE_TOP, wordlist="small") if len(w) == 1 and w.isalpha())


def key(word: str) -> str:
    """The list's spelling of a word: lower case, straight apostrophes, digits as 0."""
    word = word.lower()
    if word.isalpha():
        return word
    word = word.translate(APOSTROPHES)
    return DIGITS_RE.sub("0", word) if len(word) > 1 else word


def frequency(word: str, whole: bool = True, lang: str = "en") -> float:
    """How often the word occurs in the language's prose (0 when unknown); `whole` if it stands alone."""
    k = key(word)
    if whole and len(k) == 1 and k.isalpha() and k not in lone_words(lang):
        return LONE_LETTER_FREQ
    return _table(lang).get(k, 0.0)


def known(word: str) -> bool:
    """Whether the word list holds the word."""
    return frequency(word) >= KNOWN_FREQ


def _all_caps(word: str) -> bool:
    """Whether a word is written in capitals (two letters or more)."""
    return len(word) > 1 and word.isupper()


def _case_break(left: str, right: str) -> bool:
    """Whether the pieces' case says they are two words: "Hong Kong", "the U", not "NETW ORK"."""
    return right[:1].isupper() and not _all_caps(left) and not _all_caps(right)


def probability(word: str, whole: bool = True, seen: int = 0, total: int = 0, lang: str = "en") -> float:
    """The word's frequency, or for a word the list does not know, the chance of its spelling;
    mixed with its share of a text's `total` words when the text uses it `seen` times elsewhere."""
    p = frequency(word, whole, lang) or UNKNOWN_MASS * LETTER_FREQ ** len(word)
    return (1 - CACHE_WEIGHT) * p + CACHE_WEIGHT * seen / total if total else p


class Vocabulary:
    """A text's words: how often it uses each (lower case, straight apostrophes, outer punctuation
    stripped; counted when first asked for), how many it has, and whether it writes one as given."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def counts(self) -> Counter:
        """Uses of each word; a URL, handle or hashtag is one word ("@jeongdongtheater")."""
        lowered = self.text.lower()
        if "’" in lowered or "‘" in lowered:  # str.replace: translate() costs twice the whole count
            lowered = lowered.replace("’", "'").replace("‘", "'")
        return Counter(STRIP_RE.sub("", lowered).split())

    @cached_property
    def language(self) -> str | None:
        """The text's language (`language`), or None."""
        return language(self.text)

    @property
    def lang(self) -> str:
        """The language whose word list the joins use: the text's, or English."""
        return self.language or "en"

    @cached_property
    def total(self) -> int:
        """How many words the text has."""
        return sum(self.counts.values())

    def writes(self, word: str) -> bool:
        """Whether the text's prose has the word, as written (a substring search first: it is rare)."""
        return word in self.text and any(
            m.group() == word for m in PROSE_WORD_RE.finditer(self.text) if m.group()[:1] == word[:1])


def _seen(vocab: Vocabulary | None, word: str) -> tuple[int, int]:
    """(uses, total) of a word in a text's vocabulary."""
    if not vocab:
        return 0, 0
    return vocab.counts[word.lower().translate(APOSTROPHES)], vocab.total


def join_llr(left: str, right: str, left_whole: bool = True, right_whole: bool = True,
             vocab: Vocabulary | None = None) -> float:
    """Log-likelihood ratio of "leftright" (one word) against "left right" (two words).

    A piece is not `whole` when it is part of a hyphenated token ("e" in "e-tron"): the
    lone-letter rule does not apply to it. With the text's `vocabulary`, its other uses of
    the joined word count too, and a CamelCase word it writes elsewhere is no case break.
    The pieces' uses do not count: a text's lone letters and word starts are mostly other
    broken words and initials, and counting them undid joins ("For d" in a text about Ford).
    """
    lang = vocab.lang if vocab else "en"
    llr = (math.log(probability(left + right, True, *_seen(vocab, left + right), lang=lang))
           - math.log(probability(left, left_whole, lang=lang)) - math.log(probability(right, right_whole, lang=lang)))
    if _case_break(left, right) and not (vocab and vocab.writes(left + right)):
        llr -= CASE_PENALTY
    return llr


@cache
def _common(lang: str = "en") -> frozenset[str]:
    """A language's most frequent words: together about 40% of its running text."""
    import wordfreq

    return frozenset(wordfreq.top_n_list(lang, COMMON_WORDS, wordlist="small"))


def language(text: str) -> str | None:
    """The language of `LANGUAGES` whose common words cover most of the text's first words, if they
    cover LANGUAGE_SHARE of them; English for a text too short to tell; None for any other text."""
    tokens = [t.strip(TOKEN_EDGES) for t in text[:LANGUAGE_SAMPLE].lower().split()]
    if len(tokens) < LANGUAGE_MIN_TOKENS:
        return "en"
    shares = {lang: sum(map(_common(lang).__contains__, tokens)) / len(tokens) for lang in LANGUAGES}
    best = max(LANGUAGES, key=lambda lang: shares[lang])  # English first: it wins ties
    return best if shares[best] >= LANGUAGE_SHARE else None
