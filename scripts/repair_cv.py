"""Cross-validate the repair on the tuning part: the benchmark's figures without looking at the held-out part.

The tuning documents are split into FOLDS groups; for each, the tables are built (as
`scripts/repair_build_tables.py` builds them) from the other groups, and the benchmark's
corrupted cases of the group are repaired with those tables and scored. A rule or threshold
is judged by these figures, never by the held-out ones `reprints bench --only repair` reports.

Usage: .venv/bin/python scripts/repair_cv.py [--c 3.0] [--misses 20]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import repair_build_tables  # noqa: E402

from pipeline.benchmarks.repair import sibling_hints  # noqa: E402
from pipeline.clean import contexts, corpus  # noqa: E402
from pipeline.clean.align import align, project  # noqa: E402
from pipeline.clean.repair import repair_text  # noqa: E402
from pipeline.clean.score import Tally, score_case  # noqa: E402
from pipeline.clean.simulate import benchmark_cases  # noqa: E402

FOLDS = 5
# As the benchmark: two scenarios per family and body.
VARIANTS = 2


def cross_validate(c: float, folds: int = FOLDS, sibling: bool = False) -> tuple[Tally, Counter]:
    """The summed tally over the folds, and the lost characters missed as (was, became) counts.

    With `sibling`, each text is repaired with an intact copy of its article as hint (as the
    benchmark's "sibling copy" row).
    """
    docs = corpus.bodies("tune")
    ids = list(docs)
    total, missed = Tally(), Counter()
    for fold in range(folds):
        train = {d: docs[d] for i, d in enumerate(ids) if i % folds != fold}
        test = {d: docs[d] for i, d in enumerate(ids) if i % folds == fold}
        contexts.use(repair_build_tables.build(train, quiet=True, c_values=(c,)))
        try:
            cases = benchmark_cases(test, VARIANTS)
            hints = sibling_hints(cases) if sibling else {}
            for case in cases:
                repaired = repair_text(case.text, hints.get(case.text))[0]
                tally = score_case(case, repaired, keep_misses=True)
                total.add(tally)
                ops = align(case.clean, repaired)
                for site, _, _ in tally.misses:
                    if site.kind == "lost_char":
                        start, end = project(ops, site.start, site.end)
                        missed[(site.detail, repaired[start:end])] += 1
        finally:
            contexts.use(None)
    return total, missed


def main() -> None:
    """Print the cross-validated figures (and the commonest lost-character misses)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=None, help="regularization (default: the committed table's)")
    parser.add_argument("--misses", type=int, default=10, help="how many kinds of lost-character miss to list")
    parser.add_argument("--sibling", action="store_true", help="repair with an intact sibling copy as hint")
    args = parser.parse_args()
    if not corpus.available():
        sys.exit(f"no corpus at {corpus.CORPUS_DIR}")
    c = args.c if args.c is not None else contexts.tables()["lost"]["C"]
    t, missed = cross_validate(c, sibling=args.sibling)
    pct = lambda x: f"{100 * x:.2f}%"  # noqa: E731
    print(f"{FOLDS}-fold cross-validation on the tuning part, C={c}")
    print(f"  corrupted sites restored exactly  {pct(t.share())} (n={t.count()})")
    print(f"  in-word '!' restored              {pct(t.share('stray_bang', 'in_word'))}")
    print(f"  lost characters restored          {pct(t.share('lost_char'))} (n={t.count('lost_char')}; "
          f"style aside {pct(t.share_but_style())})")
    print(f"  legitimate '!' and '?' changed    {pct(t.legit_changed_share())} "
          f"({sum(t.legit_changed.values())} of {sum(t.legit.values())})")
    print(f"  character error rate cut          {pct(1 - t.cer(after=True) / t.cer(after=False))}")
    for (was, became), n in missed.most_common(args.misses):
        print(f"    {n:4d}  {was!r} restored as {became!r}")


if __name__ == "__main__":
    main()
