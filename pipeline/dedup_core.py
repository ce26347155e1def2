"""Pure functions for finding syndicated copies: shingles, MinHash signatures, candidates, verification.

The one code path `pipeline.dedup.cluster_articles` and the benchmark share:

1. `features(text)`: the body as word tokens, and its word-bigram shingles (bigrams of two
   stop words left out) as 32-bit hashes with their token positions, plus an exact hash of
   the normalized token sequence. Bigrams rather than 3-5 word shingles: a spinner that
   swaps 15-30% of the words leaves 49-72% of the bigrams, 17-44% of 5-grams.
2. `signatures(...)`: MinHash signatures over the "signed" shingles (not two common
   English words: "network marketing" is in every article here and identifies none),
   bit for bit those of `datasketch.MinHash(num_perm=NUM_PERM, seed=SEED,
   hashfunc=identity)` ("affine32" scheme), computed for many documents at once.
3. `candidate_pairs(...)`: MinHash LSH with one row per band, one band per permutation:
   a pair is a candidate when the two signatures agree on at least `min_votes`
   permutations. (Bands of several rows cannot catch a spun half-copy, Jaccard ~0.15,
   without thousands of permutations.) A value shared by more than `cap` documents (a
   common phrase) links each of them to the lowest row only, so the work stays linear.
4. `verify(a, b)`: the candidate pair's shingles aligned in order. A copy's shingles
   match the other text in long runs along one diagonal; a same-topic article shares
   scattered common phrases, and a quoting article shares one run in the middle. The
   shorter text must be covered by aligned runs (`threshold`), and the longer one either
   covered too or, for an abridged copy, covered from its start.
5. `UnionFind`: clusters are the connected components of verified pairs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE = 2  # words per shingle: spinners swap 15-30% of words, so a bigram survives 49-72% of the time
MIN_SHINGLES = 8  # fewer signed shingles than this: no signature, exact hash only
COMMON_WORDS = 2000  # a bigram of two of the most frequent English words (wordfreq) is not signed
VERSION = f"bigram-rare{COMMON_WORDS}/minhash-{SCHEME}-{NUM_PERM}-{SEED}/v3"  # changes invalidate a stored index

# Verification (token units). A run is a chain of matching shingles, each within GAP tokens of
# the previous one in both texts and on nearly the same diagonal (|change of offset| <= DRIFT).
GAP = 16
DRIFT = 6
MIN_RUN = 3
EDGE = 24          # unmatched tokens tolerated at the edges of a copy (chrome, an intro line)
MIN_VOTES = 4      # MinHash values two signatures must share to be a candidate pair (est. Jaccard 0.03)
CAP = 8            # a bucket with more documents links each to its first member only
MIN_CONTAINMENT = 0.15  # estimated containment a candidate needs before it is aligned
THRESHOLD = 0.7    # share of the shorter text (and of the longer text, or of its opening) covered

STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves s t d ll m re ve don didn doesn isn wasn aren won
""".split())

_MASK32 = np.uint64(0xFFFFFFFF)
_MIX_A = np.uint64(0x9E3779B97F4A7C15)
_MIX_B = np.uint64(0xC2B2AE3D27D4EB4F)


@lru_cache(maxsize=1)
def _datasketch():
    """datasketch's permutation parameters (2, NUM_PERM) and its hash pre-mix (imported on first use:
    datasketch pulls in scipy)."""
    from datasketch import MinHash
    from datasketch.minhash import _fmix

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations, _fmix
_EMPTY = np.uint32(0xFFFFFFFF)
_VOTE_BITS = 8  # votes per block (<= 16) and in all (<= NUM_PERM) fit in the low byte of a packed pair

@dataclass
class Features:
    """What verification and hashing need of one body."""

    n_tokens: int
    pos: np.ndarray      # int32: token index where each kept shingle starts, ascending
    shingles: np.ndarray  # uint32: the kept shingles' hashes, in text order
    body_hash: str       # exact hash of the normalized token sequence ("" for an empty body)
    rare: np.ndarray     # bool per shingle: not two common words (what the signature is taken over)

    @property
    def signed(self) -> np.ndarray:
        """The shingles the MinHash signature is taken over ("network marketing" is in every
        article of this corpus: a bigram of two common words identifies nothing)."""
        return self.shingles[self.rare]


def _separator_table() -> np.ndarray:
    """For each BMP code point: is it a separator (not a letter or digit, as regex \\w sees it)?"""
    table = np.ones(0x10000, dtype=bool)
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        table[cp] = not chr(cp).isalnum()
    return table


_SEPARATOR = _separator_table()
_ASCII_SEPARATOR = _SEPARATOR[:256].copy()
_ASCII_SEPARATOR[128:] = False  # bytes of multi-byte characters are classified by code point
_HASH_BASE = 0x100000001B3  # odd, so invertible mod 2**64
_powers = np.ones(1, dtype=np.uint64)
_inverse_powers = np.ones(1, dtype=np.uint64)


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """B**k and B**-k mod 2**64 for k < n (grown on demand)."""
    global _powers, _inverse_powers
    if len(_powers) < n:
        size = max(n, 2 * len(_powers), 1 << 16)
        one = np.ones(1, dtype=np.uint64)
        inv = pow(_HASH_BASE, -1, 1 << 64)
        with np.errstate(over="ignore"):
            _powers = np.concatenate((one, np.multiply.accumulate(np.full(size - 1, _HASH_BASE, np.uint64))))
            _inverse_powers = np.concatenate((one, np.multiply.accumulate(np.full(size - 1, inv, np.uint64))))
    return _powers[:n], _inverse_powers[:n]


def _token_spans(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end byte offsets of the tokens in lower-cased UTF-8 `data`: maximal runs of
    letters and digits (any script), as the regex [^\\W_]+ finds them."""
    sep = _ASCII_SEPARATOR[data]
    high = np.flatnonzero(data >= 0xC0)  # lead bytes of multi-byte characters
    if len(high):
        lead = data[high].astype(np.int64)
        width = np.where(lead >= 0xF0, 4, np.where(lead >= 0xE0, 3, 2))
        b1 = data[np.minimum(high + 1, len(data) - 1)].astype(np.int64) & 0x3F
        b2 = data[np.minimum(high + 2, len(data) - 1)].astype(np.int64) & 0x3F
        cp = np.where(width == 2, ((lead & 0x1F) << 6) | b1, ((lead & 0x0F) << 12) | (b1 << 6) | b2)
        is_sep = np.where(width == 4, True, _SEPARATOR[np.minimum(cp, 0xFFFF)])
        for k in range(4):
            on = is_sep & (k < width)
            sep[np.minimum(high[on] + k, len(data) - 1)] = True
    word = ~sep
    edges = np.flatnonzero(np.diff(np.concatenate(([False], word, [False])).astype(np.int8)))
    return edges[0::2], edges[1::2]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens: punctuation, "?" and "!" debris and apostrophes split words
    ("don't", "don?t" and "don’t" all give "don", "t")."""
    data = (text or "").lower().encode("utf-8")
    starts, ends = _token_spans(np.frombuffer(data, dtype=np.uint8))
    return [data[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]


def _token_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each token's bytes, independent of where it stands (rolling polynomial)."""
    powers, inverse = _power_tables(len(data) + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(data) + 1, dtype=np.uint64)
        np.cumsum((data.astype(np.uint64) + np.uint64(1)) * powers[: len(data)], out=prefix[1:])
        h = (prefix[ends] - prefix[starts]) * inverse[starts]
        h ^= (ends - starts).astype(np.uint64) << np.uint64(56)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
    return h


def _word_hashes(words) -> np.ndarray:
    data = " ".join(sorted(words)).lower().encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _token_spans(arr)
    return np.unique(_token_hashes(arr, starts, ends))


def _common_words(n: int) -> list[str]:
    """The n most frequent English words (wordfreq), the stop words included."""
    try:
        import wordfreq

        return list(STOP_WORDS) + wordfreq.top_n_list("en", n)
    except Exception:  # pragma: no cover - wordfreq is a dependency; the stop words still work
        return list(STOP_WORDS)


@lru_cache(maxsize=1)
def _word_tables() -> tuple[np.ndarray, np.ndarray]:
    """Sorted token hashes of the stop words and of the common words."""
    return _word_hashes(STOP_WORDS), _word_hashes(_common_words(COMMON_WORDS))


def _member(sorted_values: np.ndarray, h: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(sorted_values, h)
    idx[idx == len(sorted_values)] = 0
    return sorted_values[idx] == h


def features_batch(texts: list[str], block: int = 128) -> list[Features]:
    """`features` of many texts at once (one pass of array operations per block of texts)."""
    if len(texts) > block:
        return [f for i in range(0, len(texts), block) for f in features_batch(texts[i:i + block], block)]
    lowered = [(t or "").lower() for t in texts]
    data = np.frombuffer(" ".join(lowered).encode("utf-8"), dtype=np.uint8)
    starts, ends = _token_spans(data)
    # Which text each token belongs to: texts are joined with one space.
    lengths = np.array([len(t.encode("utf-8")) if not t.isascii() else len(t) for t in lowered], dtype=np.int64)
    text_starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    owner = np.searchsorted(text_starts, starts, side="right") - 1
    first_token = np.searchsorted(owner, np.arange(len(texts) + 1))
    h = _token_hashes(data, starts, ends)
    stop_hashes, common_hashes = _word_tables()
    stop = _member(stop_hashes, h)
    common = _member(common_hashes, h)
    with np.errstate(over="ignore"):
        mixed = ((h[:-1] * _MIX_A) ^ h[1:]) * _MIX_B
        shingles = (((mixed >> np.uint64(29)) ^ mixed) & _MASK32).astype(np.uint32)
    keep = ~(stop[:-1] & stop[1:]) & (owner[:-1] == owner[1:])
    rare = ~(common[:-1] & common[1:])
    out = []
    for i in range(len(texts)):
        lo, hi = int(first_token[i]), int(first_token[i + 1])
        n = hi - lo
        if n == 0:
            out.append(Features(0, np.zeros(0, np.int32), np.zeros(0, np.uint32), "", np.zeros(0, bool)))
            continue
        body_hash = hashlib.sha1(h[lo:hi].tobytes()).hexdigest()[:16]
        sel = np.flatnonzero(keep[lo:max(lo, hi - 1)])
        out.append(Features(n, sel.astype(np.int32), shingles[lo + sel], body_hash, rare[lo + sel]))
    return out


def features(text: str) -> Features:
    """Tokens, kept bigram shingles (hash + position) and the exact body hash of `text`."""
    return features_batch([text])[0]


def signature(shingle_set: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32[NUM_PERM]) of one set of shingle hashes; all 0xFFFFFFFF when empty."""
    return signatures([shingle_set])[0]


def signatures(shingle_sets: list[np.ndarray], chunk: int = 8192) -> np.ndarray:
    """MinHash signatures of many shingle sets at once, as a (len, NUM_PERM) uint32 array.

    Equal to `datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int).update_batch(set)`:
    each value is pre-mixed with the 32-bit MurmurHash3 finalizer, then permuted with
    a * h + b mod 2^32 and the minimum kept. Blocks of about `chunk` shingles keep the
    (NUM_PERM, chunk) work array in cache.
    """
    (a, b), fmix = _datasketch()
    a, b = a[:, None], b[:, None]
    out = np.full((len(shingle_sets), NUM_PERM), _EMPTY, dtype=np.uint32)
    sizes = np.array([len(s) for s in shingle_sets], dtype=np.int64)
    nonempty = np.flatnonzero(sizes)
    start = 0
    while start < len(nonempty):
        total, end = 0, start
        while end < len(nonempty) and (total == 0 or total + sizes[nonempty[end]] <= chunk):
            total += sizes[nonempty[end]]
            end += 1
        docs = nonempty[start:end]
        values = fmix(np.concatenate([shingle_sets[d] for d in docs]).astype(np.uint32), 32)
        permuted = a * values[None, :] + b  # uint32 wraparound is the mod 2^32
        offsets = np.concatenate(([0], np.cumsum(sizes[docs])[:-1]))
        out[docs] = np.minimum.reduceat(permuted, offsets, axis=1).T
        start = end
    return out


def to_datasketch(sig: np.ndarray):
    """A stored signature as a `datasketch.LeanMinHash`, for datasketch's own LSH classes."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=sig.astype(np.uint32), scheme=SCHEME)


# ---------------------------------------------------------------------------------------------
# Candidates


def _pairs_in_groups(members: np.ndarray, starts: np.ndarray, sizes: np.ndarray, cap: int):
    """All pairs inside groups of size <= cap; star pairs (first member, each other) above it.

    `members[start:start + size]` is one group, ascending (a stable sort of row order).
    """
    left, right = [], []
    small = sizes <= cap
    for g in np.unique(sizes[small]):
        grp = starts[small & (sizes == g)]
        block = members[grp[:, None] + np.arange(g)[None, :]]  # (n_groups, g)
        iu, ju = np.triu_indices(g, 1)
        left.append(block[:, iu].ravel())
        right.append(block[:, ju].ravel())
    big = ~small
    if big.any():
        bstarts, bsizes = starts[big], sizes[big]
        first = np.repeat(members[bstarts], bsizes - 1)
        others = np.repeat(bstarts, bsizes - 1) + 1 + _ranges(bsizes - 1)
        left.append(first)
        right.append(members[others])
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64)


def _ranges(counts: np.ndarray) -> np.ndarray:
    """concatenate(arange(c) for c in counts), vectorized."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    out = np.ones(total, np.int64)
    out[0] = 0
    out[ends[:-1]] = 1 - counts[:-1]
    return np.cumsum(out)


def _segment_pairs(sigs: np.ndarray, rows: np.ndarray, queried: np.ndarray, perms: range, cap: int,
                   block: int, min_votes: int) -> np.ndarray:
    """Pair keys (lo * n + hi) with at least `min_votes` votes among the permutations `perms`."""
    n = len(sigs)
    parts, pending = [], []
    for count, j in enumerate(perms, 1):
        col = sigs[rows, j]
        order = np.argsort(col, kind="stable")
        values = col[order]
        if len(values) >= 2:
            bounds = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1, [len(values)]))
            starts, sizes = bounds[:-1], np.diff(bounds)
            hit = np.add.reduceat(queried[order].astype(np.int32), starts) > 0
            keep = (sizes > 1) & hit
            if keep.any():
                a, b = _pairs_in_groups(order, starts[keep], sizes[keep], cap)
                lo, hi = np.minimum(a, b), np.maximum(a, b)
                sel = queried[lo] | queried[hi]
                pending.append(rows[lo[sel]].astype(np.int64) * n + rows[hi[sel]])
        if pending and (count % block == 0 or count == len(perms)):
            keys, votes = np.unique(np.concatenate(pending), return_counts=True)
            pending = []
            parts.append((keys << _VOTE_BITS) | votes)  # the pair and its votes in one integer
    if not parts:
        return np.zeros(0, np.int64)
    packed = np.concatenate(parts)
    del parts
    packed.sort()  # in place: no index array, no second copy
    keys = packed >> _VOTE_BITS
    packed &= (1 << _VOTE_BITS) - 1
    starts = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1))
    votes = np.add.reduceat(packed, starts)
    del packed
    return keys[starts][votes >= min_votes]


def candidate_pairs(sigs: np.ndarray, query: np.ndarray | None = None, *, min_votes: int = MIN_VOTES,
                    cap: int = CAP, block: int = 16, segments: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of rows of `sigs` that agree on at least `min_votes` of the NUM_PERM MinHash values.

    Each permutation is one hash table (a band of one row). Within a bucket of at most
    `cap` documents every pair gets a vote; a bigger bucket (a common phrase, or a much
    copied article) links each member to its lowest row only. The permutations are cut
    into `segments` runs (3 for min_votes 4): a pair with min_votes votes in all has two
    in one run, so only pairs with two votes in a run are kept, which keeps memory near
    the number of real candidates, not of chance collisions. The votes returned are the
    two signatures' agreements. `query`: a boolean mask; only pairs with at least one
    queried row are counted (the new and changed articles of an incremental run). Rows
    with an empty signature never pair. Returns (a, b, votes), a < b, ordered by (a, b).
    """
    n, k = sigs.shape
    rows = np.flatnonzero(sigs[:, 0] != _EMPTY)
    queried = np.ones(len(rows), dtype=bool) if query is None else np.asarray(query, dtype=bool)[rows]
    segments = max(1, min(segments, k))
    per_run = (min_votes - 1) // segments + 1  # all runs below it: fewer than min_votes votes in all
    bounds = np.linspace(0, k, segments + 1).astype(int)
    found = [_segment_pairs(sigs, rows, queried, range(lo, hi), cap, block, per_run)
             for lo, hi in zip(bounds[:-1], bounds[1:])]
    keys = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
    a, b = keys // n, keys % n
    votes = agreement(sigs, a, b)
    keep = votes >= min_votes
    return a[keep], b[keep], votes[keep]


def agreement(sigs: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """Number of equal MinHash values of each pair (NUM_PERM x the estimated Jaccard similarity)."""
    out = np.zeros(len(a), dtype=np.int64)
    for i in range(0, len(a), chunk):
        out[i:i + chunk] = (sigs[a[i:i + chunk]] == sigs[b[i:i + chunk]]).sum(axis=1)
    return out


def estimated_containment(votes: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """|A & B| / min(|A|, |B|) from the MinHash Jaccard estimate votes / NUM_PERM and the set sizes."""
    j = votes / NUM_PERM
    size_a, size_b = np.maximum(size_a, 1), np.maximum(size_b, 1)
    return j * (size_a + size_b) / ((1 + j) * np.minimum(size_a, size_b))


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass
class Verdict:
    """The outcome of aligning two texts."""

    same: bool
    coverage_short: float   # share of the shorter text in aligned runs (edges forgiven up to EDGE)
    coverage_long: float    # share of the longer text in aligned runs
    coverage_head: float    # share of the longer text's opening (as long as the shorter text) covered
    runs: int


def _lookup(f: Features) -> tuple[np.ndarray, np.ndarray]:
    """The shingles that occur once in `f`, sorted, with their positions (cached on `f`)."""
    cached = f.__dict__.get("_lookup")
    if cached is None:
        order = np.argsort(f.shingles, kind="stable")
        sv = f.shingles[order]
        unique = np.ones(len(sv), dtype=bool)
        if len(sv) > 1:
            dup = sv[1:] == sv[:-1]
            unique[1:] &= ~dup
            unique[:-1] &= ~dup
        cached = f.__dict__["_lookup"] = (sv[unique], f.pos[order][unique].astype(np.int64))
    return cached


def _aligned_runs(s: Features, l: Features) -> list[tuple[int, int, int, int]]:
    """Aligned runs of shingles of `s` found in `l`: [(s_start, s_end, l_start, l_end)], in `s` order.

    Only shingles that occur once in each text are matched, so every match has one place.
    """
    if len(s.shingles) < MIN_RUN or len(l.shingles) < MIN_RUN:
        return []
    sv, sp = _lookup(s)
    lv, lp = _lookup(l)
    if len(sv) == 0 or len(lv) == 0:
        return []
    idx = np.searchsorted(lv, sv)
    idx[idx == len(lv)] = 0
    hit = lv[idx] == sv
    if np.count_nonzero(hit) < MIN_RUN:
        return []
    i = sp[hit]
    j = lp[idx[hit]]
    order = np.argsort(i, kind="stable")
    i, j = i[order], j[order]
    di, dj = i[1:] - i[:-1], j[1:] - j[:-1]
    link = (di <= GAP) & (np.abs(dj - di) <= DRIFT) & (dj > 0)
    start = np.empty(len(i), dtype=bool)
    start[0] = True
    np.logical_not(link, out=start[1:])
    first = np.flatnonzero(start)
    last = np.empty_like(first)
    last[:-1] = first[1:] - 1
    last[-1] = len(i) - 1
    good = last - first + 1 >= MIN_RUN
    if not good.any():
        return []
    first, last = first[good], last[good]
    return list(zip(i[first].tolist(), (i[last] + SHINGLE).tolist(), j[first].tolist(), (j[last] + SHINGLE).tolist()))


def _share(spans: list[tuple[int, int]], n: int) -> float:
    """Share of [0, n) covered by the union of [start, end) spans (clipped to n).

    Up to EDGE uncovered tokens at the two edges are forgiven: chrome, an intro line, a
    "Read more" link.
    """
    covered, reach, lo, hi = 0, 0, n, 0
    for start, end in sorted(spans):
        start, end = min(start, n), min(end, n)
        if end <= start:
            continue
        lo, hi = min(lo, start), max(hi, end)
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    if covered == 0:
        return 0.0
    edges = lo + (n - hi)
    return covered / max(1, n - min(edges, EDGE))


def verify(a: Features, b: Features, threshold: float = THRESHOLD) -> Verdict:
    """Are `a` and `b` copies of one article? Symmetric; see the module docstring.

    The shorter text must be covered by aligned runs, and the longer one too, or at least
    its opening as long as the shorter text (an abridged copy keeps the beginning; an
    article that quotes a passage has its own text before it).
    """
    if a.body_hash and a.body_hash == b.body_hash:
        return Verdict(True, 1.0, 1.0, 1.0, 1)
    s, l = (a, b) if a.n_tokens <= b.n_tokens else (b, a)
    if s.n_tokens == 0:
        return Verdict(False, 0.0, 0.0, 0.0, 0)
    runs = _aligned_runs(s, l)
    share_s = _share([(r[0], r[1]) for r in runs], s.n_tokens)
    if share_s < threshold:
        return Verdict(False, round(share_s, 4), 0.0, 0.0, len(runs))
    spans_l = [(r[2], r[3]) for r in runs]
    share_l = _share(spans_l, l.n_tokens)
    share_head = share_l if share_l >= threshold else _share(spans_l, s.n_tokens)
    same = share_l >= threshold or share_head >= threshold
    return Verdict(same, round(share_s, 4), round(share_l, 4), round(share_head, 4), len(runs))


# ---------------------------------------------------------------------------------------------
# Components


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    @classmethod
    def from_groups(cls, n: int, groups: np.ndarray) -> "UnionFind":
        """Sets given by a label per element; -1 leaves an element alone."""
        uf = cls(n)
        members = np.flatnonzero(groups != -1)
        if len(members):
            order = members[np.argsort(groups[members], kind="stable")]
            grp = groups[order]
            first = np.concatenate(([True], grp[1:] != grp[:-1]))
            heads = order[np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))]
            parent = np.arange(n, dtype=np.int64)
            parent[order] = heads
            uf.parent = parent.tolist()
            size = np.ones(n, dtype=np.int64)
            size[order] = 0
            np.add.at(size, heads, 1)
            uf.size = size.tolist()
        return uf

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> bool:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return False
        if self.size[rx] < self.size[ry]:
            rx, ry = ry, rx
        self.parent[ry] = rx
        self.size[rx] += self.size[ry]
        return True

    def labels(self) -> np.ndarray:
        """The root of every element."""
        parent = np.array(self.parent, dtype=np.int64)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand
