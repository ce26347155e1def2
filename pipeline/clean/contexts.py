"""Contexts learned on clean text (`data/contexts.json`, built by `scripts/repair_build_tables.py`).

Two kinds of table, both learned from the tuning part of the clean corpus only:

- word position tables: how much likelier a word is in the middle of a sentence than at its
  end (left of a "!") or at its start (right of a "!"), as log-likelihood ratios, per word
  and per word shape for words the table does not hold;
- the "?" model: weights of a multinomial logistic regression over context features
  (see `lostchars.features`), one weight per feature and label.
"""

from __future__ import annotations

import json
from importlib.resources import files
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "contexts.json"
# A word: letters or digits, with apostrophes and hyphens inside ("don't", "step-by-step").
WORD = r"[^\W_](?:[\w'’-]*[^\W_])?"
WORD_RE = re.compile(WORD)


_override: dict | None = None


@cache
def _load() -> dict:
    """The committed tables, loaded once."""
    # Through importlib.resources: Scrapyd runs the project from a zipped egg.
    return json.loads(files("pipeline.clean").joinpath("data", DATA.name).read_text(encoding="utf-8"))


def tables() -> dict:
    """The tables in use: the committed ones unless `use` gave others."""
    return _override if _override is not None else _load()


def use(replacement: dict | None) -> None:
    """Use other tables (for building and cross-validating them); None goes back to the committed ones."""
    global _override
    _override = replacement


def shape(word: str) -> str:
    """A word's shape: "lower", "title", "upper", "digit" or "other"."""
    if word.isdigit():
        return "digit"
    if word.islower():
        return "lower"
    if word.isupper():
        return "upper" if len(word) > 1 else "title"
    if word[:1].isupper():
        return "title"
    return "other"


def _llr(table: str, word: str) -> float:
    """Log-likelihood ratio of a word in one table, falling back to its shape."""
    data = tables()[table]
    if word in data["words"]:
        return data["words"][word]
    return data["shapes"].get(shape(word), 0.0)


def mid_not_end(word: str) -> float:
    """How much likelier `word` is followed by a space mid-sentence than by the sentence's end."""
    return _llr("left", word)


def mid_not_start(word: str) -> float:
    """How much likelier `word` (as written) follows a space mid-sentence than starts a sentence."""
    return _llr("right", word)


def run_before(text: str, pos: int, inner: str = "", letters_only: bool = False, limit: int = 40) -> str:
    """The run ending at `pos` of letters and digits (or letters only), with `inner` characters inside.

    A backward scan: a regex anchored with "$" would try every start in the window.
    """
    low, i = max(0, pos - limit), pos
    test = str.isalpha if letters_only else str.isalnum
    while i > low and (test(text[i - 1]) or text[i - 1] in inner):
        i -= 1
    while i < pos and not test(text[i]):
        i += 1
    return text[i:pos] if i < pos and test(text[pos - 1]) else ""


def word_before(text: str, pos: int) -> str:
    """The word ending at `pos`, or ""."""
    return run_before(text, pos, "'’-")


def word_at(text: str, pos: int) -> str:
    """The word starting at `pos`, or ""."""
    m = WORD_RE.match(text, pos, pos + 40)
    return m.group() if m else ""
