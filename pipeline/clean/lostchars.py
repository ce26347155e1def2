"""Restore characters an ASCII conversion turned into "?" (and U+FFFD left by a broken byte sequence).

"Haven?t" (apostrophe), "enterprise ? and" (dash), "yet?still" (dash), "?Yes,? he said"
(quotes). Each "?" is classified by a multinomial logistic regression over its context,
learned on clean text (`contexts.tables()["lost"]`); a real "?" is one of its labels. The
model runs only on texts that show the conversion somewhere (`converted`), so a clean
text's "?" are never touched. Four rules follow the model: a "?" between a number and a
lone "s" is an apostrophe; a spaced dash takes the style of the spaced dashes that survived
intact; a "?" between letters that recur together is an apostrophe (`recurring_in_word`);
quotation marks nest (`_nest`). Given another copy of the same article that arrived intact,
a "?" whose surroundings that copy also has takes the copy's character (`sibling_chars`).

>>> restore("Haven?t found a business yet?still looking?")[0]
'Haven’t found a business yet—still looking?'
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.clean import contexts, words

LOST = "?"
BROKEN = "\ufffd"
# The labels a "?" can take; "other" stands for the rarer lost characters (bullet, euro, ...), kept as "?".
LABELS = ("?", "’", "‘", "“", "”", "—", "–", "…", "other")
# Change a "?" only when the model gives a real "?" at most this probability: a real "?" changed
# costs more than a lost character left (the issue allows 0.5% of real marks changed). In 5-fold
# cross-validation on the tuning part, 0.1 changed 2 of 156 real "?" and restored 89.7% of the
# lost characters; 0.5 changed 24 and restored 90.2%.
MAX_REAL_PROB = 0.1

CLASS_OF = {
    " ": "_", "\t": "_", "\xa0": "_", "\n": "^", "\r": "^",
    ".": ".", "…": ".", "!": "!", "?": "?", BROKEN: "?",
    ",": ",", ";": ",", ":": ",",
    "(": "(", "[": "(", "{": "(", ")": ")", "]": ")", "}": ")",
    '"': '"', "“": '"', "”": '"', "'": "'", "‘": "'", "’": "'",
    "-": "-", "–": "—", "—": "—",
}
LOST_RE = re.compile("[?\ufffd]")
INTACT_QUOTES = frozenset("“”‘’")
# A question shows in its first words ("So why do it...?"): this many are features.
OPENING_WORDS = 3
BUCKETS = (-3.0, -1.0, 1.0, 3.0)
# Where a "?" cannot be a real question mark: between letters (outside URLs), before a word, alone.
SIGNATURE_RE = re.compile(r"(?<=[^\W\d_])\?+(?=[^\W\d_])|(?:^|(?<=\s))\?+(?=[\w])|(?<=\s)\?(?=\s)", re.M)
URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:php|aspx?|html?|cgi)\?\S*|\S+/\S*\?\S*=\S*")
SENTENCE_END_RE = re.compile(r"[.!?][\"'’”)]*\s+(?=[\"“‘'(]?[A-Z])")
SINGLE_OPENER_RE = re.compile(r"(?:^|(?<=\s))‘")
LETTERS_AFTER_RE = re.compile(r"[^\W\d_]+")
# A "?" between a number and a lone "s" ("the 1990?s", "1972?s Toulouse Street") can only be an
# apostrophe. The model's word features see no word before a digit, and it guessed a dash there.
NUMBER_S_RE = re.compile(r"(?<=\d)[?\ufffd](?=s\b)")
# A spaced dash is the text's house style: on the tuning part no document mixes spaced en and em
# dashes, so the spaced dashes that survived intact decide a spaced "?" the model takes for a dash.
STYLE_DASH = {"en": "–", "em": "—"}
DASHES = frozenset(STYLE_DASH.values())
SPACED_RE = re.compile(r"(?:^|(?<=\s))[?\ufffd](?=\s|$)", re.M)
# Characters of context beside a "?" that must stand in a sibling copy for its character there to
# be taken: long enough to be found once in an article, short enough to fit between the lost marks
# of a dense passage.
SIBLING_CONTEXT = 12
# A longer sibling shows its style only: indexing every neighbourhood of one this long takes
# ~0.3 s and ~90 MB, and no article comes near it (the longest benchmark body has 17,000).
SIBLING_MAX_CHARS = 250_000
# A "?" between letters whose two pieces occur together again elsewhere in the text is inside a
# word: a dash joins other words each time, a name keeps its apostrophe ("Syi?ah" ten times,
# "Mu?awiyah" twice). In the tuning bodies 435 letter-mark-letter groups recur, every one with "’".
IN_WORD_RE = re.compile(r"(?<![^\W\d_])([^\W\d_]+)[?\ufffd]([^\W\d_]+)")
# The marks whose form the quote style decides (a closing ’ is mostly an apostrophe, either style).
OPENING_QUOTES = frozenset("“‘”")


def char_class(ch: str) -> str:
    """The context class of one character."""
    if ch in CLASS_OF:
        return CLASS_OF[ch]
    if ch.isalpha():
        return "A" if ch.isupper() else "a"
    if ch.isdigit():
        return "0"
    return "o"


def _bucket(value: float) -> int:
    """Which of the BUCKETS intervals a log-likelihood ratio falls in."""
    return sum(value > edge for edge in BUCKETS)


def _sentence_opening(text: str, pos: int, start: int) -> list[str]:
    """The first OPENING_WORDS words of the sentence holding `pos`, lowercased."""
    last = start
    for m in SENTENCE_END_RE.finditer(text, max(start, pos - 300), pos):
        last = m.end()
    found = []
    for m in contexts.WORD_RE.finditer(text, last, pos):
        found.append(m.group().lower())
        if len(found) == OPENING_WORDS:
            break
    return found


def doc_style(text: str) -> dict[str, str]:
    """The dash and quote style of the text, from the characters that survived intact."""
    en, em = text.count(" – "), text.count(" — ")
    single = len(SINGLE_OPENER_RE.findall(text))
    double = text.count("“")
    return {
        "dash": "en" if en > em else "em" if em > en else "none",
        "quote": "single" if single > double else "double" if double else "none",
    }


def _with_hint(style: dict[str, str], hint: str | None) -> dict[str, str]:
    """The text's style, its unknown parts ("none") taken from a sibling copy's."""
    if not hint or "none" not in style.values():
        return style
    sibling = doc_style(hint)
    return {part: sibling[part] if value == "none" else value for part, value in style.items()}


def style_sources(own: dict[str, str], used: dict[str, str], restored: set[str]) -> dict[str, int]:
    """Repair kinds saying where the style of the restored marks came from, when the text showed none.

    `own` is the text's style, `used` the style the restoration ran with (a sibling copy's parts
    filled in), `restored` the characters put back. A part counts only when a restored mark
    carries it: spaced dashes the dash style, opening quotation marks the quote style.
    "dash_style_guessed": 1 says the model chose en or em dash with nothing to go on;
    "dash_style_from_copy": 1 says another copy of the article showed it. These tell
    `pipeline.restyle` which stored copies a sibling could still improve.
    """
    carried = {"dash": bool(restored & DASHES), "quote": bool(restored & OPENING_QUOTES)}
    kinds = {}
    for part, value in own.items():
        if value == "none" and carried[part]:
            kinds[f"{part}_style_{'guessed' if used[part] == 'none' else 'from_copy'}"] = 1
    return kinds


def features(text: str, pos: int, start: int, end: int, state: dict, style: dict) -> list[str]:
    """Context features of the "?" at `pos` in the paragraph text[start:end]."""
    def cls(k: int) -> str:
        return char_class(text[k]) if start <= k < end else "^"

    state.setdefault("scanned", start)
    advance(state, text, pos)
    l2, l1, r1, r2 = cls(pos - 2), cls(pos - 1), cls(pos + 1), cls(pos + 2)
    nxt = contexts.word_at(text, pos + 2) if r1 == "_" else ""
    after = contexts.shape(nxt) if nxt else ("end" if r1 == "^" else r2 if r1 == "_" else r1)
    return (
        [f"L1={l1}", f"R1={r1}", f"L1R1={l1}{r1}", f"L2L1R1={l2}{l1}{r1}", f"L1R1R2={l1}{r1}{r2}",
         f"L2L1R1R2={l2}{l1}{r1}{r2}", f"NEXT={after}|{l1}", f"DASH={style['dash']}|{l1}{r1}",
         f"QUOTE={style['quote']}|{l1}{r1}"]
        + _word_features(text, pos, start, end, l1, r1, nxt, after)
        + _quote_features(text, pos, state, l1, r1, after)
        + _sentence_features(text, pos, start, r1)
        + _run_features(text, pos, start, end)
    )


def _word_features(text: str, pos: int, start: int, end: int, l1: str, r1: str, nxt: str, after: str) -> list[str]:
    """The words around the "?": "n?t" (a contraction), "yet?still" (two words), "players? union"."""
    feats = []
    right = LETTERS_AFTER_RE.match(text, pos + 1, min(end, pos + 30))
    lf = contexts.run_before(text, pos, letters_only=True, limit=min(30, pos - start))
    rf = right.group() if right else ""
    if lf and rf:
        if len(rf) <= 3:
            feats += [f"SUF={rf.lower()}", f"SUF={rf.lower()}|{l1}"]
        feats.append("APOS_KNOWN" if words.known(f"{lf}'{rf}") else "APOS_UNKNOWN")
        if words.known(lf) and words.known(rf):
            feats.append("BOTH_KNOWN")
    if lf and r1 in "_^" and lf[-1] in "sS":
        feats += ["PLURAL_END", f"PLURAL_END|NEXT={after}"]
    if lf and l1 in "aA":
        feats.append(f"LW={lf.lower()}")
    if nxt:
        feats.append(f"RMID={_bucket(contexts.mid_not_start(nxt))}|{l1}")
    if lf and l1 in "aA0":
        feats.append(f"LMID={_bucket(contexts.mid_not_end(contexts.word_before(text, pos)))}|{r1}")
    return feats


def _quote_features(text: str, pos: int, state: dict, l1: str, r1: str, after: str) -> list[str]:
    """Which quotation marks are open: a closing mark needs an open one, a possessive a word after it."""
    open_d, open_s = state.get("double") is not None, state.get("single") is not None
    feats = [f"OPEN_D={open_d}", f"OPEN_S={open_s}", f"OPEN_D={open_d}|{l1}{r1}", f"OPEN_S={open_s}|{l1}{r1}",
             f"CLOSE={open_d}{open_s}|{after}|{l1 in 'aA'}"]
    if open_d:
        spoken = len(contexts.WORD_RE.findall(text, state["double"], pos))
        feats.append(f"OPEN_D_WORDS={min(spoken, 6)}|{l1}{r1}")
    if l1 in "aA" and r1 in "_^" and text[pos - 1] in "sS":
        feats.append(f"PLURAL_END|OPEN_D={open_d}")
    return feats


def _sentence_features(text: str, pos: int, start: int, r1: str) -> list[str]:
    """The sentence's first words: questions show there ("Why...", "So how...")."""
    opening = _sentence_opening(text, pos, start)
    first = opening[0] if opening else ""
    return [f"FIRST={first}", f"FIRST={first}|{r1}"] + [f"EARLY={w}" for w in opening]


def _run_features(text: str, pos: int, start: int, end: int) -> list[str]:
    """Where the "?" stands in a run of them ("??" after a quoted question)."""
    run_start, run_end = pos, pos
    while run_start > start and text[run_start - 1] in "?\ufffd":
        run_start -= 1
    while run_end + 1 < end and text[run_end + 1] in "?\ufffd":
        run_end += 1
    return [f"RUN={min(run_end - run_start + 1, 3)}|{pos - run_start}"] if run_end > run_start else []


def advance(state: dict, text: str, pos: int) -> None:
    """Bring the open-quote state up to `pos`, reading the quotation marks that survived intact."""
    for k in range(state.get("scanned", pos), pos):
        if text[k] in INTACT_QUOTES:
            update_state(state, text[k], text, k)
    state["scanned"] = pos + 1


def update_state(state: dict, label: str, text: str, pos: int) -> None:
    """Track where the open quotation marks opened as "?" are decided left to right."""
    if label == "“":
        state["double"] = pos
    elif label == "”":
        state["double"] = None
    elif label == "‘":
        state["single"] = pos
    elif label == "’" and not text[pos + 1:pos + 2].isalpha():
        state["single"] = None


_built: list = [None, None]  # the tables the "?" model was last built from, and that model


def _model() -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """The "?" model of the tables in use, as a feature index, a weight matrix and a bias vector.

    Rebuilt when other tables come into use; kept by identity, not by id(): a freed table's id
    can come back for the next one (cross-validation builds one per fold).
    """
    tables = contexts.tables()
    if _built[0] is not tables:
        model = tables["lost"]
        index = {feat: k for k, feat in enumerate(model["weights"])}
        weights = np.array(list(model["weights"].values()), dtype=float).reshape(len(index), len(LABELS))
        _built[:] = [tables, (index, weights, np.array(model["bias"], dtype=float))]
    return _built[1]


def probabilities(feats: list[str]) -> list[float]:
    """The model's probability of each label given the features."""
    index, weights, bias = _model()
    rows = [index[f] for f in feats if f in index]
    scores = bias + weights[rows].sum(axis=0)
    exps = np.exp(scores - scores.max())
    return (exps / exps.sum()).tolist()


def converted(text: str) -> bool:
    """Whether the text shows an ASCII conversion: a "?" no question mark takes, or a U+FFFD."""
    if BROKEN in text:
        return True
    return any(not _in_url(text, m.start()) for m in SIGNATURE_RE.finditer(text))


def recurring_in_word(text: str) -> set[int]:
    """Positions of the "?" between letters whose two pieces occur together more than once,
    unless both pieces are words and their apostrophe form is not."""
    where: dict[tuple[str, str], list[int]] = {}
    for m in IN_WORD_RE.finditer(text):
        left, right = m.group(1), m.group(2)
        if words.known(left) and words.known(right) and not words.known(f"{left}'{right}"):
            continue  # two words a dash can join, repeated with the sentence ("fashion?think")
        where.setdefault((left.lower(), right.lower()), []).append(m.end(1))
    return {pos for spots in where.values() if len(spots) > 1 for pos in spots}


def _choose(probs: list[float], broken: bool) -> str | None:
    """The character to put in place of one "?" (or U+FFFD), or None to keep it."""
    ranked = sorted(range(len(LABELS)), key=lambda k: -probs[k])
    for k in ranked:
        label = LABELS[k]
        if label == "?" and broken:
            continue
        if label in ("?", "other"):
            return None
        return label if broken or probs[0] <= MAX_REAL_PROB else None
    return None


def restore(text: str, hint: str | None = None) -> tuple[str, dict[str, int]]:
    """Put back the characters lost as "?" or U+FFFD; return the text and what was done.

    The counts: "lost_char" (characters restored) and, where none of the text's own dashes or
    quotation marks survived to show its style, where the restored marks' style came from
    (`style_sources`). `hint` is another copy of the same article (a syndicated sibling that
    arrived intact): each "?" whose surroundings it also has takes its character there
    (`sibling_chars`, counted as "lost_char_from_copy"), and where the text shows no style, the
    sibling's shows it.
    """
    if (LOST not in text and BROKEN not in text) or not converted(text):
        return text, {}
    chars = list(text)
    put_back: list[str] = []
    from_copy = 0
    own = doc_style(text)
    style = _with_hint(own, hint)
    in_word = recurring_in_word(text)
    copied = sibling_chars(text, hint) if hint and len(hint) <= SIBLING_MAX_CHARS else {}
    for start, end in _paragraphs(text):
        state: dict = {}
        for m in LOST_RE.finditer(text, start, end):
            pos = m.start()
            if _in_url(text, pos):
                continue
            if pos in copied:
                label = copied[pos]
                from_copy += label is not None
            elif NUMBER_S_RE.match(text, pos):
                label = "’"
            else:
                label = _choose(probabilities(features(text, pos, start, end, state, style)), text[pos] == BROKEN)
                if label in DASHES and style["dash"] in STYLE_DASH and SPACED_RE.match(text, pos):
                    label = STYLE_DASH[style["dash"]]
                elif label and pos in in_word:
                    label = "’"
                label = _nest(label, state)
            update_state(state, label or "?", text, pos)
            if label:
                chars[pos] = label
                put_back.append(label if label not in DASHES or SPACED_RE.match(text, pos) else "-")
    if not put_back:
        return text, {}
    kinds = {"lost_char": len(put_back), **style_sources(own, style, set(put_back))}
    if from_copy:
        kinds["lost_char_from_copy"] = from_copy
    return "".join(chars), kinds


def sibling_chars(text: str, sibling: str) -> dict[int, str | None]:
    """For each "?" (or U+FFFD) whose neighbourhood another copy of the article also has, the
    character that copy has in its place (None where it has a real "?").

    Free reprints are republished verbatim, so an intact copy shows the lost characters
    themselves, not only their style. The neighbourhood is the SIBLING_CONTEXT characters before
    the mark (after it where those hold a mark not yet found), white space runs counted as one
    space; it must stand in the copy with one character only beside it. Marks are found left to
    right, each found one clearing the way for the next ("?it?s?"), then right to left for the
    marks a later one held up. Only what an ASCII conversion loses is taken: a character outside
    ASCII (not U+FFFD, the copy's own damage), or a real "?".
    """
    flat, where = _squeezed(text)
    copy, _ = _squeezed(sibling)
    after, before = _neighbours(copy, SIBLING_CONTEXT)
    work = list(flat)
    unknown = {i for i, ch in enumerate(flat) if ch in LOST + BROKEN}
    found: dict[int, str | None] = {}
    # Left to right, a mark found clears the way for the next; right to left, for the one before.
    for backwards in (False, True):
        for pos in sorted(unknown, reverse=backwards):
            left = _flat_window(work, unknown, pos - SIBLING_CONTEXT, pos)
            right = _flat_window(work, unknown, pos + 1, pos + 1 + SIBLING_CONTEXT)
            ch = after.get(left) if left else None
            if ch in (None, AMBIGUOUS) and right:
                ch = before.get(right)
            if ch in (None, AMBIGUOUS, BROKEN) or not (ch == LOST or ord(ch) > 127 and not ch.isspace()):
                continue
            unknown.discard(pos)
            work[pos] = ch
            found[where[pos]] = None if ch == LOST else ch
    return found


def _flat_window(work: list[str], unknown: set[int], start: int, end: int) -> str:
    """work[start:end] as a string, or "" where it runs off the text or holds a mark not yet found."""
    if start < 0 or end > len(work) or any(i in unknown for i in range(start, end)):
        return ""
    return "".join(work[start:end])


# Stands for a neighbourhood that the copy has beside more than one character.
AMBIGUOUS = ""


def _neighbours(copy: str, size: int) -> tuple[dict[str, str], dict[str, str]]:
    """Each `size`-character run of `copy` -> the character after it, and -> the character before
    it (AMBIGUOUS where the run stands beside different characters)."""
    after: dict[str, str] = {}
    before: dict[str, str] = {}
    for i in range(len(copy) - size + 1):
        gram = copy[i:i + size]
        if i + size < len(copy):
            nxt = copy[i + size]
            after[gram] = nxt if after.get(gram, nxt) == nxt else AMBIGUOUS
        if i > 0:
            prev = copy[i - 1]
            before[gram] = prev if before.get(gram, prev) == prev else AMBIGUOUS
    return after, before


# Put before and after both copies, so that a mark near either end has its full neighbourhood.
EDGE = "\x00"
EDGE_LEN = SIBLING_CONTEXT


def _squeezed(text: str) -> tuple[str, list[int]]:
    """The text between EDGE runs, with every run of white space as one space, and each of its
    characters' index in `text` (out of its range for the EDGE characters)."""
    shift = EDGE_LEN - (len(text) - len(text.lstrip()))
    chars, where = [], []
    for m in re.finditer(r"\s+|\S+", EDGE * EDGE_LEN + text.strip() + EDGE * EDGE_LEN):
        piece = m.group()
        if piece[0].isspace():
            chars.append(" ")
            where.append(m.start() - shift)
        else:
            chars.append(piece)
            where.extend(range(m.start() - shift, m.end() - shift))
    return "".join(chars), where


def _nest(label: str | None, state: dict) -> str | None:
    """Quotation marks nest: inside an open double quotation an opening mark is single, and a
    closing mark closes the single quotation opened last.

    In the tuning bodies a "“" opens inside an open double quotation twice (an unclosed one), a
    "‘" six times; a "”" never closes a double quotation while a single one opened inside it is open.
    """
    double, single = state.get("double"), state.get("single")
    if label == "“" and double is not None:
        return "‘"
    if label == "”" and single is not None and (double is None or single > double):
        return "’"
    return label


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of the text."""
    spans, start = [], 0
    for m in re.finditer(r"\n", text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _in_url(text: str, pos: int) -> bool:
    """Whether the "?" at `pos` sits inside a URL (a query string)."""
    start = text.rfind(" ", 0, pos) + 1
    token = text[start:text.find(" ", pos) if text.find(" ", pos) >= 0 else len(text)]
    return bool(URL_RE.search(token))
