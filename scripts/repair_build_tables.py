"""Build pipeline/clean/data/contexts.json from the tuning part of the clean corpus.

Used to regenerate the context tables behind `pipeline.clean.contexts`:

- "left" / "right": per word (and per word shape), the log-likelihood ratio of the word
  standing mid-sentence rather than at a sentence's end (left of a mark) or start (right of one);
- "lost": a multinomial logistic regression that tells what a "?" stood for, trained on the
  tuning bodies with every Windows-1252 punctuation character turned into "?".

Only documents outside the held-out quarter (`pipeline.clean.corpus.held_out`) are read.

Usage: .venv/bin/python scripts/repair_build_tables.py [--check]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.clean import contexts, corpus, lostchars  # noqa: E402
from pipeline.clean.simulate import LOST_CHARS, normalize  # noqa: E402

WORD = contexts.WORD
MID_RE = re.compile(rf"({WORD}) (?=({WORD}))")
END_RE = re.compile(rf"({WORD})[.!?]+[\"'’”)]*(?: [\"“‘'(]?(?=({WORD}))|$)")
FIRST_RE = re.compile(rf"^[\"“‘'(]?({WORD})", re.M)
# Shrink a word's own ratio toward its shape's by this many pseudo-occurrences.
SHRINK = 2.0
# Keep words seen at least this often in either context; rarer ones use their shape's ratio.
MIN_COUNT = 4
# Regularization of the "?" model (inverse strength), chosen by cross-validation over documents.
C_VALUES = (0.3, 1.0, 3.0)
# Share of lost characters left intact in the second training copy: texts mix "?" and entities.
INTACT_SHARE = 0.3
# Features seen fewer times than this in training are left out (1: none is; at 3, cross-validation
# on the tuning part changed more than twice as many real "?").
MIN_FEATURE_COUNT = 1
# Weights smaller than this are dropped from the table: they never change a decision.
MIN_WEIGHT = 0.05


def ratio_table(mid: Counter, other: Counter) -> dict:
    """Per-word and per-shape log-likelihood ratios of `mid` against `other`, shrunk toward the shape."""
    n_mid, n_other = sum(mid.values()), sum(other.values())
    base = math.log(n_other / n_mid)
    # Shapes stand in for the words the table leaves out, so they are counted on those rare words.
    rare = {w for w in set(mid) | set(other) if mid[w] + other[w] < MIN_COUNT}
    shape_mid, shape_other = Counter(), Counter()
    for word in rare:
        shape_mid[contexts.shape(word)] += mid[word]
        shape_other[contexts.shape(word)] += other[word]
    shapes = {}
    for s in set(shape_mid) | set(shape_other):
        share = (shape_mid[s] + 1) / (shape_mid[s] + shape_other[s] + 2)
        shapes[s] = share
    table = {}
    for word in set(mid) | set(other):
        n1, n2 = mid[word], other[word]
        if n1 + n2 < MIN_COUNT:
            continue
        share = (n1 + SHRINK * shapes[contexts.shape(word)]) / (n1 + n2 + SHRINK)
        table[word] = round(math.log(share / (1 - share)) + base, 1)
    return {
        "words": dict(sorted(table.items())),
        "shapes": {s: round(math.log(p / (1 - p)) + base, 2) for s, p in sorted(shapes.items())},
    }


def word_tables(texts: list[str]) -> dict:
    """The "left" and "right" tables from clean texts."""
    left_mid, left_end, right_mid, right_start = Counter(), Counter(), Counter(), Counter()
    for text in texts:
        for m in MID_RE.finditer(text):
            left_mid[m.group(1)] += 1
            right_mid[m.group(2)] += 1
        for m in END_RE.finditer(text):
            left_end[m.group(1)] += 1
            if m.group(2):
                right_start[m.group(2)] += 1
        for m in FIRST_RE.finditer(text):
            right_start[m.group(1)] += 1
    return {"left": ratio_table(left_mid, left_end), "right": ratio_table(right_mid, right_start)}


def label_of(ch: str) -> str:
    """The model label of a character an ASCII conversion would turn into "?"."""
    return ch if ch in lostchars.LABELS else "other"


def convert(text: str, rng: random.Random, intact: float) -> tuple[str, dict[int, str]]:
    """Turn lost characters into "?" (keeping a share intact); return the text and the label of each "?"."""
    out, labels = [], {}
    for i, ch in enumerate(text):
        if ch == "?":
            labels[i] = "?"
        elif ch in LOST_CHARS and rng.random() >= intact:
            labels[i] = label_of(ch)
            ch = "?"
        out.append(ch)
    return "".join(out), labels


def lost_examples(texts: list[str], groups: list[str]) -> tuple[list[list[str]], list[str], list[str]]:
    """Features, labels and document ids of every "?" in converted copies of the texts."""
    rng = random.Random(0)
    feats, labels, docs = [], [], []
    for text, doc in zip(texts, groups):
        for intact in (0.0, INTACT_SHARE):
            converted, gold = convert(text, rng, intact)
            style = lostchars.doc_style(converted)
            for start, end in lostchars._paragraphs(converted):
                state: dict = {}
                for pos in sorted(p for p in gold if start <= p < end):
                    feats.append(lostchars.features(converted, pos, start, end, state, style))
                    labels.append(gold[pos])
                    docs.append(doc)
                    lostchars.update_state(state, gold[pos], converted, pos)
    return feats, labels, docs


def train_lost(feats: list[list[str]], labels: list[str], docs: list[str], quiet: bool = False,
               c_values: tuple[float, ...] = C_VALUES) -> dict:
    """Fit the "?" model, choosing C by grouped cross-validation; return its weights as a table."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_score

    seen = Counter(f for fs in feats for f in set(fs))
    vec = DictVectorizer()
    x = vec.fit_transform([{f: 1 for f in fs if seen[f] >= MIN_FEATURE_COUNT} for fs in feats])
    best_c, best = c_values[0], -1.0
    for c in c_values if len(c_values) > 1 else ():
        model = LogisticRegression(C=c, max_iter=3000)
        score = cross_val_score(model, x, labels, groups=docs, cv=GroupKFold(5)).mean()
        if not quiet:
            print(f"  C={c}: cross-validated accuracy {score:.4f}", file=sys.stderr)
        if score > best:
            best_c, best = c, score
    model = LogisticRegression(C=best_c, max_iter=3000).fit(x, labels)
    order = [list(model.classes_).index(lab) if lab in model.classes_ else None for lab in lostchars.LABELS]
    weights = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        row = [round(float(model.coef_[k, j]), 2) if k is not None else 0.0 for k in order]
        if max(abs(w) for w in row) >= MIN_WEIGHT:
            weights[name] = row
    bias = [round(float(model.intercept_[k]), 2) if k is not None else -20.0 for k in order]
    return {"labels": list(lostchars.LABELS), "C": best_c, "bias": bias, "weights": dict(sorted(weights.items()))}


def build(docs: dict[str, str] | None = None, quiet: bool = False, c_values: tuple[float, ...] = C_VALUES) -> dict:
    """All tables, from the given bodies (by default the tuning part of the corpus)."""
    docs = corpus.bodies("tune") if docs is None else docs
    texts = [normalize(t) for t in docs.values()]
    tables = word_tables(texts)
    contexts.use({**tables, "lost": {}})  # the "?" features read the word tables
    try:
        feats, labels, groups = lost_examples(texts, list(docs))
    finally:
        contexts.use(None)
    if not quiet:
        print(f"{len(texts)} tuning documents, {len(labels)} '?' examples: {Counter(labels)}", file=sys.stderr)
    tables["lost"] = train_lost(feats, labels, groups, quiet, c_values)
    tables["source"] = f"{corpus.CORPUS_DIR.name}: {len(texts)} tuning documents (held-out quarter excluded)"
    return tables


def dump(tables: dict) -> str:
    """Compact JSON with one table entry per line, so that a rebuild diffs readably."""
    def block(obj: dict) -> str:
        return "{\n" + ",\n".join(f"{json.dumps(k, ensure_ascii=False)}:{json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
                                   for k, v in sorted(obj.items())) + "\n}"

    parts = []
    for name in sorted(tables):
        value = tables[name]
        if isinstance(value, dict):
            inner = ",\n".join(f"{json.dumps(k)}:{block(v) if isinstance(v, dict) and len(v) > 20 else json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
                                for k, v in sorted(value.items()))
            parts.append(f"{json.dumps(name)}:{{\n{inner}\n}}")
        else:
            parts.append(f"{json.dumps(name)}:{json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> None:
    """Write (or with --check, compare) pipeline/clean/data/contexts.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed table differs")
    args = parser.parse_args()
    if not corpus.available():
        sys.exit(f"no corpus at {corpus.CORPUS_DIR}")
    text = dump(build())
    if args.check:
        sys.exit(0 if contexts.DATA.read_text(encoding="utf-8") == text else "contexts.json is out of date")
    contexts.DATA.parent.mkdir(exist_ok=True)
    contexts.DATA.write_text(text, encoding="utf-8")
    print(f"wrote {contexts.DATA} ({len(text) // 1024} KB)", file=sys.stderr)


if __name__ == "__main__":
    main()
