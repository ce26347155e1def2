"""The clean text the repairs are tuned and measured on: the extraction benchmark's article bodies.

The benchmark folder sits beside the project (`../shared/extraction-benchmark/`). A fixed
quarter of its documents, chosen by their id, is held out: no table is built from it and no
threshold is tuned on it; `reprints bench` reports on it.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "extraction-benchmark"
GROUND_TRUTH = "ground-truth.json"
# One document in HELD_OUT_MODULUS is held out: ids are hex digests, so this is a fixed random quarter.
HELD_OUT_MODULUS = 4


def available(corpus_dir: Path = CORPUS_DIR) -> bool:
    """Whether the benchmark's ground truth is there."""
    return (corpus_dir / GROUND_TRUTH).is_file()


def held_out(doc_id: str) -> bool:
    """Whether a document belongs to the held-out part."""
    return int(doc_id[:8], 16) % HELD_OUT_MODULUS == 0


def bodies(part: str, corpus_dir: Path = CORPUS_DIR) -> dict[str, str]:
    """Article bodies of one part ("tune", "held_out" or "all"), by document id, in id order."""
    truth = json.loads((corpus_dir / GROUND_TRUTH).read_text(encoding="utf-8"))
    keep = {"tune": lambda d: not held_out(d), "held_out": held_out, "all": lambda d: True}[part]
    return {doc: truth[doc]["articleBody"] for doc in sorted(truth) if keep(doc)}
