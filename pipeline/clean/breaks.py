"""Undo the line breaks that mail relays put into long lines.

sendmail's `putxline` breaks a line longer than L bytes after L-1 bytes with "!", a line
break and a space, then every L-2 bytes; Postfix breaks every L bytes with a line break and
a space. Rendered as text a break shows as "!\\n " (raw) or "! " (whitespace collapsed):
"tha! t", "(! MLM)", "an! d specia l". (Breaks inside entities and characters: `entities`.)

Each "!" gets the log-odds that sendmail put it there: from its form (`BANG_FORMS`); for the
forms real exclamations take too, also from the words either side (`contexts`), from how
many such "!" the sure breaks of the text explain (`_text_prior`), and from its distance to
the other breaks (about 990 bytes apart). Postfix's spaces are joined where the joined word
is far likelier than the pieces (`words.join_llr`, which also counts the text's other uses of
the joined word), with a low bar a few characters after a sendmail "!" (Postfix then sendmail).

>>> fix_breaks("The leaders insist tha! t you speak to everybody.")[0]
'The leaders insist that you speak to everybody.'
>>> fix_breaks("photo opportunities an! d specia l dinners")[0]
'photo opportunities and special dinners'
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from itertools import accumulate

from pipeline.clean import contexts, entities, words
from pipeline.clean.edits import Edit, apply_edits


# --- the forms a "!" takes, and how strongly each says "sendmail" (natural-log odds) ------------
BANG_FORMS = {
    "raw_break": 10.0,     # "!\n x": the relay's own line break survived: nothing else makes it
    "start": 6.0,          # "!" opening a paragraph: real marks close a sentence
    "space_before": 6.0,   # "word ! next": real marks hug the word before them
    "punct_before": 5.0,   # "word.! Next": a mark after a full stop or comma
    "hyphen_before": 5.0,  # "0-! 62": a mark after a hyphen, inside a compound
    "alone": 6.0,          # a paragraph that is only "!": the break fell between two paragraphs
    "punct_after": 5.0,    # "word! . Next": a mark before a full stop or comma
    "opener_before": 5.0,  # "“! Next", "(! MLM)": a mark right after an opening quote or bracket
    "apostrophe_after": 5.0,  # "China! ’s", "2! ?3": a break before a possessive or a lost dash
    "digits": 6.0,         # "20! 08": a mark inside a number
    "in_word": 7.0,        # "tha! t": the joined word beats the two pieces
    # The forms real exclamations take too: their odds come from the text (`_text_prior`), the
    # words either side (`contexts`) and the position; these only adjust between forms.
    "word_after": 0.0,     # "word! Next", "the! company"
    "quote_after": 0.0,    # "said! “We"
    "after_close": 0.0,    # "(see there)! Now", "“Stop”! Now"
    "after_mark": 0.0,     # "Wow!! Now", "What?! No": real runs of marks exist
    "other": 0.0,
    # "word!" closing a paragraph: a break lands right before "</p>" about once in 990 paragraph
    # ends, while a few percent of paragraphs end with a real "!".
    "end": -3.0,
}
# At or above this, a "!" is removed whatever its position, and serves as an anchor for the others.
SURE_LLR = 5.0
# An observed split is as likely to be a break inside a word as one next to a space (the relay cuts
# any byte with the same chance), so the word frequencies alone decide.
IN_WORD_PRIOR = 0.0
# Rendered distance between successive breaks on one line: at most 988 bytes + "!" and the space;
# markup, entities and multi-byte characters shorten it (simulation: 5th-95th percentile 600-990).
GAP_MIN, GAP_MAX = 560, 1000
# A "!" at a break's distance from the breaks found on both sides (or on one) is this much likelier
# a break than a real mark there: ln(p_in / (width / 988)) for the window's width and the ~95% of
# breaks inside it; markup makes the distance vary too much for a narrower window.
POSITION_FIT_BOTH_LLR = 1.5
POSITION_FIT_ONE_LLR = 0.75
# Breaks found, but none at this "!"'s distance from them.
POSITION_MISS_LLR = -1.0
# With no sure break in the text, an ambiguous "!" is kept unless its form alone says otherwise.
NO_EVIDENCE_LLR = -3.0
# Per sure break, this many breaks take a form real marks take too (6.6% in simulation): a text with
# many more such "!" than its sure breaks explain is a text of real exclamations.
AMBIGUOUS_PER_SURE = 0.066
TEXT_PRIOR_RANGE = (-4.0, 1.0)

# Postfix behind sendmail: sendmail's "!" falls 9 bytes before Postfix's break (998 - 989), so
# once the "!" is gone Postfix's space stands 2-10 characters on (fewer when entities, tags or
# multi-byte characters fill those 9 bytes).
POSTFIX_AFTER_BANG = (2, 10)
# A space before a comma or after an apostrophe, in the window after a "!": as sure as a good join.
PUNCT_SPLIT_LLR = 5.0
# Join two pieces with no "!" nearby only when the joined word is this much likelier (e^9.5 ~ 13,000x).
JOIN_LLR_BARE = 9.5
# Near a sendmail "!" (Postfix then sendmail) a weaker preference for the joined word suffices.
JOIN_LLR_NEAR_BANG = 2.5

# Raw characters read either side of a break for its word pieces: a word's 40 characters as
# mojibake (up to three per letter in the scripts these texts hold, four for emoji).
FRAGMENT_SPAN = 120
SPACES = " \t"
WS_RE = re.compile(r"[ \t\r\n]*")
BANG_RE = re.compile(r"!(?=[ \t\r\n]|$)")
RIGHT_FRAGMENT_RE = re.compile(r"[\w'’]*[^\W_]|[^\W_]")
PUNCT_BEFORE = frozenset(".,;:")
OPENERS = frozenset("([{\"'“‘")
APOSTROPHES = frozenset("'’?")
# What follows an apostrophe inside a word: a possessive or a contraction.
SUFFIXES = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})
SUFFIX_RE = re.compile(r"[^\W\d_]+")
# Forms where the break fell inside a word, or next to a space that is still there: the
# whitespace after the "!" goes with it.
JOINING_FORMS = frozenset({"in_word", "digits", "punct_after", "start", "space_before", "opener_before",
                           "apostrophe_after", "hyphen_before", "alone"})
PUNCT_AFTER = frozenset(".,;:)]}-")
MARKS = frozenset("!?")
CLOSERS = frozenset(")]}\"'’”»")
# Postfix's break inside a paragraph of raw (uncollapsed) text: a line break and one space.
RAW_BREAK_RE = re.compile(r"\r?\n (?=[^\n])")
# Spaces a break leaves where clean text never has one: before a comma or full stop ("movement ,
# and"), after an apostrophe before its suffix ("don’ t", "Audi’ s").
BARE_SPACE_RE = re.compile(r" (?=[,.](?:[\s\"'’”)]|$)|(?:s|t|m|re|ve|ll|d)\b)")
APOSTROPHE_BEFORE = frozenset("’'?")
# Spaces clean text has too, so only taken in the window after a "!": "ad- free", "word ; next"
# (clean: "local- and cloud-based", "VIP : 60,000").
NEAR_SPACE_RE = re.compile(r"(?<=[^\W\d_]-) (?=[^\W\d_])|(?<=\w) (?=[;:]\s)")
# A tag the break opened up ("<\n br />", "< /p>"): the parser showed it as text.
TAG_DEBRIS_RE = re.compile(
    r"<\s+/?(?:a|b|i|u|p|br|em|font|span|strong|div|li|ul|ol|h[1-6]|blockquote|img)\b[^<>]{0,300}>"
)
# Punctuation stripped from the outer edges of a pair of words before looking their join up; for
# the lookup keys it is deleted from the whole text at once (apostrophes and hyphens stay).
EDGE_PUNCT = "\"'“”‘’()[]{}.,;:!?*"
LOOKUP_STRIP_RE = words.STRIP_RE

# --- sendmail's "!" ------------------------------------------------------------------------------
@dataclass
class Bang:
    """One "!" followed by whitespace (or ending the text), with what it looks like."""

    pos: int        # offset of the "!"
    ws_end: int     # end of the whitespace after it
    form: str
    llr: float
    raw: bool       # whitespace is the relay's own "\n "
    join: bool      # removing it should also remove the whitespace


def _fragments(text: str, pos: int, ws_end: int) -> tuple[str, str]:
    """The word pieces either side of a break: letters, digits and apostrophes.

    Read as they will be once mojibake is decoded: "Andr! Ã© Neu" is "Andr" and "é".
    """
    left_text = entities.read_span(text, pos - FRAGMENT_SPAN, pos)
    right = RIGHT_FRAGMENT_RE.match(entities.read_span(text, ws_end, ws_end + FRAGMENT_SPAN))
    return contexts.run_before(left_text, len(left_text), "'’_"), (right.group() if right else "")


def _word_form(text: str, pos: int, ws_end: int, vocab: words.Vocabulary | None = None) -> str:
    """The form of a "!" between two word characters: in a word or between words."""
    a, b = text[pos - 1], text[ws_end]
    if a.isdigit() and b.isdigit():
        return "digits"
    left, right = _fragments(text, pos, ws_end)
    if left and right and words.join_llr(left, right, vocab=vocab) + IN_WORD_PRIOR > 0:
        return "in_word"
    return "word_after"


def _lost_apostrophe(text: str, mark: int, ws_end: int) -> bool:
    """Whether the "?" at `mark` stands between the pieces of a known contraction ("isn?" + "t")."""
    left, right = _fragments(text, mark, ws_end)
    return bool(left and right) and words.known(f"{left}'{right}")


def _bang_form(text: str, pos: int, ws_end: int, vocab: words.Vocabulary | None = None) -> tuple[str, bool]:
    """Classify one "!" by its surroundings; also say whether its whitespace is a raw break."""
    ws = text[pos + 1:ws_end]
    at_end = ws_end >= len(text) or ws.count("\n") > 1
    raw = not at_end and (ws.startswith("\n ") or ws.startswith("\r\n "))
    a = text[pos - 1] if pos else "\n"
    before_a = text[pos - 2] if pos > 1 else "\n"
    # Judged as they will read: "KLOOK! ðŸ™‚" is a word and an emoji, not a word broken in two.
    b, b_end = ("", ws_end) if at_end else entities.read_char(text, ws_end)
    after_b = entities.read_char(text, b_end)[0]
    if raw:
        return "raw_break", True
    if a == "\n":
        return ("alone" if at_end else "start"), False
    if a in SPACES:
        return "space_before", False
    if a in PUNCT_BEFORE:
        return "punct_before", False
    if a == "-":
        return "hyphen_before", False
    if a in OPENERS and before_a in " \t\n(":
        return "opener_before", False
    if at_end:
        return "end", False
    if b in PUNCT_AFTER:
        return "punct_after", False
    if b in APOSTROPHES and after_b.isalnum() and a.isalnum():
        suffix = SUFFIX_RE.match(text, b_end)
        if (suffix and suffix.group().lower() in SUFFIXES) or (a.isdigit() and after_b.isdigit()):
            return "apostrophe_after", False  # "China! ’s", "2! ?3" (a lost en dash in a range)
        return "quote_after", False  # "says! ?it": an opening quote lost after a break at the space
    if a in MARKS:
        # " ?!" : a "?" with a space before it is a lost dash, not a question mark; "isn?! t": a
        # lost apostrophe inside a known contraction.
        if before_a in SPACES or (a == "?" and b.isalpha() and _lost_apostrophe(text, pos - 1, ws_end)):
            return "punct_before" if before_a in SPACES else "in_word", False
        return "after_mark", False
    if a in CLOSERS:
        return "after_close", False
    if a.isalnum() and b.isalnum():
        return _word_form(text, pos, ws_end, vocab), False
    if a.isalnum() and b in OPENERS:
        return "quote_after", False
    return "other", False


def _word_llr(text: str, form: str, pos: int, ws_end: int) -> float:
    """What the words either side add: a break's neighbours are mid-sentence, a real mark's are not."""
    llr = 0.0
    if form in ("word_after", "quote_after", "end"):
        llr += contexts.mid_not_end(contexts.word_before(text, pos))
    if form in ("word_after", "after_close"):
        llr += contexts.mid_not_start(contexts.word_at(text, ws_end))
    if form == "quote_after":  # the quoted word: "said “we" goes on, "said! “We" starts anew
        llr += contexts.mid_not_start(contexts.word_at(text, ws_end + 1))
    return llr


def find_bangs(text: str, vocab: words.Vocabulary | None = None) -> list[Bang]:
    """Every "!" that sendmail could have put there, classified."""
    bangs = []
    for m in BANG_RE.finditer(text):
        pos = m.start()
        ws_end = WS_RE.match(text, pos + 1).end()
        form, raw = _bang_form(text, pos, ws_end, vocab)
        llr = BANG_FORMS[form] + _word_llr(text, form, pos, ws_end)
        bangs.append(Bang(pos, ws_end, form, llr, raw, form in JOINING_FORMS))
    return bangs


def _position_llr(pos: int, anchors: list[int]) -> float:
    """Evidence from where the "!" stands relative to the breaks already found."""
    if not anchors:
        return NO_EVIDENCE_LLR
    i = bisect.bisect_left(anchors, pos)
    before = i > 0 and GAP_MIN <= pos - anchors[i - 1] <= GAP_MAX
    after = i < len(anchors) and GAP_MIN <= anchors[i] - pos <= GAP_MAX
    if before and after:
        return POSITION_FIT_BOTH_LLR
    return POSITION_FIT_ONE_LLR if before or after else POSITION_MISS_LLR


def _text_prior(sure: int, ambiguous: int) -> float:
    """Log-odds that an ambiguous "!" is a break, from how many the sure breaks lead one to expect."""
    if not sure or not ambiguous:
        return 0.0
    share = min(sure * AMBIGUOUS_PER_SURE / ambiguous, 0.99)
    return min(max(math.log(share / (1 - share)), TEXT_PRIOR_RANGE[0]), TEXT_PRIOR_RANGE[1])


def judge_bangs(bangs: list[Bang]) -> list[Bang]:
    """The bangs judged to be sendmail's: sure by form, or likely by form, words, text and position.

    Ambiguous ones are taken strongest first, each one taken becoming an anchor for the rest.
    """
    stray = [b for b in bangs if b.llr >= SURE_LLR]
    anchors = sorted(b.pos for b in stray)
    pending = sorted((b for b in bangs if b.llr < SURE_LLR), key=lambda b: -b.llr)
    prior = _text_prior(len(stray), len(pending))
    changed = True
    while changed:
        changed = False
        for bang in list(pending):
            if bang.llr + prior + _position_llr(bang.pos, anchors) > 0:
                stray.append(bang)
                bisect.insort(anchors, bang.pos)
                pending.remove(bang)
                changed = True
    return sorted(stray, key=lambda b: b.pos)


def bang_edit(text: str, bang: Bang) -> Edit:
    """The edit removing one stray "!" and, where the break split a word, its whitespace."""
    if bang.raw:
        ws_len = 3 if text.startswith("\r\n", bang.pos + 1) else 2
        return Edit(bang.pos, bang.pos + 1 + ws_len, "", "stray_bang")
    if bang.form == "alone":
        return Edit(bang.pos, bang.ws_end if bang.ws_end < len(text) else bang.pos + 1, "", "stray_bang")
    end = bang.ws_end if bang.join and text.count("\n", bang.pos, bang.ws_end) < 2 else bang.pos + 1
    return Edit(bang.pos, end, "", "stray_bang")


# --- Postfix's space -----------------------------------------------------------------------------
def split_edits(text: str, bang_positions: list[int], vocab: words.Vocabulary | None = None) -> list[Edit]:
    """Edits joining what Postfix split: raw breaks, tag debris, and spaces where the join wins.

    After each sendmail "!" (`bang_positions`, in this text) Postfix's space is expected a few
    characters on: there the likeliest join in the window is taken if it clears a low bar.
    Elsewhere a join must clear the bare bar.
    """
    edits = [Edit(m.start(), m.end(), "", "split_word") for m in RAW_BREAK_RE.finditer(text)
             if m.start() and text[m.start() - 1] != "\n"]
    edits += [Edit(m.start(), m.end(), "", "split_word") for m in TAG_DEBRIS_RE.finditer(text)]
    window = {p + d: p for p in bang_positions for d in range(POSTFIX_AFTER_BANG[0], POSTFIX_AFTER_BANG[1] + 1)}
    best: dict[int, tuple[float, Edit]] = {}  # per "!": the likeliest join in its window

    def offer(anchor: int, llr: float, edit: Edit) -> None:
        if llr > JOIN_LLR_NEAR_BANG and llr > best.get(anchor, (-math.inf, None))[0]:
            best[anchor] = (llr, edit)

    for m in BARE_SPACE_RE.finditer(text):
        pos = m.start()
        if pos < 2 or text[pos - 1].isspace():
            continue
        if text[pos + 1] not in ",." and not (text[pos - 1] in APOSTROPHE_BEFORE and text[pos - 2].isalpha()):
            continue
        if pos in window:
            offer(window[pos], PUNCT_SPLIT_LLR, Edit(pos, pos + 1, "", "split_word"))
        else:
            edits.append(Edit(pos, pos + 1, "", "split_word"))
    for anchor in bang_positions:
        low, high = anchor + POSTFIX_AFTER_BANG[0], anchor + POSTFIX_AFTER_BANG[1] + 1
        for m in NEAR_SPACE_RE.finditer(text, max(0, low - 1), high + 1):
            if low <= m.start() < high:
                offer(anchor, PUNCT_SPLIT_LLR, Edit(m.start(), m.end(), "", "split_word"))
    known_language = (vocab.language if vocab else words.language(text)) is not None
    bare: list[tuple[float, Edit]] = []
    for space, left, right, whole in _joinable_pairs(text, window, vocab):
        llr = words.join_llr(left, right, *whole, vocab=vocab)
        edit = Edit(space, space + 1, "", "split_word")
        if space in window:
            offer(window[space], llr, edit)
        elif known_language and not (len(right) == 1 and right.isupper()) and llr > JOIN_LLR_BARE:
            bare.append((llr, edit))  # no bare joins in a text of no known language, nor of a lone capital ("MACH E")
    joins = _one_join_per_piece(text, [e for _, e in best.values()] + [e for _, e in sorted(bare, key=lambda x: -x[0])])
    return edits + joins


def _one_join_per_piece(text: str, ranked: list[Edit]) -> list[Edit]:
    """Keep joins in rank order unless they share a piece with a kept one ("i t here": "it", not "ithere")."""
    kept, used = [], set()
    for edit in ranked:
        before = text.rfind(" ", 0, edit.start)
        after = text.find(" ", edit.end)
        if edit.start in used or before in used or after in used:
            continue
        used.add(edit.start)
        kept.append(edit)
    return kept


def _fragment_left(token: str) -> str:
    """The last word piece of a token: after its last hyphen, without leading punctuation."""
    return (token.rsplit("-", 1)[-1] if "-" in token else token).lstrip(EDGE_PUNCT)


def _fragment_right(token: str) -> str:
    """The first word piece of a token: before its first hyphen, without trailing punctuation."""
    return (token.split("-", 1)[0] if "-" in token else token).rstrip(EDGE_PUNCT)


def _joinable_pairs(text: str, near_bang: dict[int, int],
                    vocab: words.Vocabulary | None = None) -> list[tuple[int, str, str, tuple[bool, bool]]]:
    """(offset of the space, left piece, right piece) for each pair of words that joins into a known word.

    Splitting on spaces and looking the joins up in bulk keeps this to about 0.2 s per MB.
    Two common words can never pass the bare bar, so they are dropped unless a "!" is near.
    """
    table = words._table(vocab.lang if vocab else "en")
    spaced = text.replace("\n", " ")
    tokens = spaced.split(" ")
    lowered = spaced.lower()
    if "’" in lowered or "‘" in lowered:
        lowered = lowered.replace("’", "'").replace("‘", "'")
    keys = LOOKUP_STRIP_RE.sub("", lowered).split(" ")
    lefts = rights = keys
    if "-" in lowered:
        lefts = [k.rsplit("-", 1)[-1] if "-" in k else k for k in keys]
        rights = [k.split("-", 1)[0] if "-" in k else k for k in keys]
    used = vocab.counts if vocab else {}
    hits = [i for i, joined in enumerate(map(str.__add__, lefts, rights[1:])) if joined in table or joined in used]
    if not hits:
        return []
    ends = list(accumulate(len(t) + 1 for t in tokens))
    bare = math.exp(-JOIN_LLR_BARE)
    pairs = []
    for i in hits:
        space, lk, rk = ends[i] - 1, lefts[i], rights[i + 1]
        if (space not in near_bang and len(lk) > 1 and len(rk) > 1 and lk + rk not in used
                and table.get(lk, 0.0) * table.get(rk, 0.0) > table.get(lk + rk, 0.0) * bare):
            continue
        left, right = _fragment_left(tokens[i]), _fragment_right(tokens[i + 1])
        if left[-1:].isalpha() and right[:1].isalpha() and len(left) == len(lk):
            whole = ("-" not in tokens[i], "-" not in tokens[i + 1])
            pairs.append((space, left, right, whole))
    return pairs


def fix_breaks(text: str) -> tuple[str, list[Edit]]:
    """Remove relay line breaks between characters: stray "!", Postfix spaces."""
    if " " not in text and "\n" not in text:
        return text, []
    vocab = words.Vocabulary(text)
    bangs = judge_bangs(find_bangs(text, vocab))
    raw = {b.pos for b in bangs if b.raw}
    text, applied = apply_edits(text, [bang_edit(text, b) for b in bangs])
    # Where each removed "!" stood in the new text (raw breaks leave Postfix's own "\n " to find).
    removed, anchors = 0, []
    for edit in applied:
        if edit.start not in raw:
            anchors.append(edit.start - removed)
        removed += edit.end - edit.start - len(edit.new)
    text, splits = apply_edits(text, split_edits(text, anchors, vocab))
    return text, applied + splits
