"""Feature extraction for the mini judge: hashed word n-grams of the response, of its opening, and of
the prompt, computed for a whole batch at once.

Why this shape:
- Words, with every CJK character its own token, so Chinese or Japanese responses get character
  uni/bigrams and English ones word uni/bigrams from one tokenizer.
- The opening of a response gets its own namespace: a refusal or a role-play persona ("AIM:",
  "Developer Mode") decides most verdicts and sits at the start.
- The prompt's words get their own namespace, and one feature says how much of the prompt the
  response repeats, so the judge can tell "answered the harmful question" from "talked around it".
- Hashing (murmurhash3, fixed seed) needs no vocabulary; bigram indices are combined from unigram
  hashes with numpy, so the only per-token Python work is splitting the text and one dict lookup.
  This, and judging a batch in cache-sized chunks (`_judge.CHUNK`), is what makes 20,000
  responses per second on one core possible.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import chain, pairwise

import mmh3
import numpy as np
import scipy.sparse as sp

from equipoise.judges.refusal import detect_refusal

_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
# CJK / kana / hangul characters one at a time, else runs of word characters. Plain `\w+` is a
# third faster, so it serves every other text with non-ASCII word characters (é, Cyrillic).
_WORD_RE = re.compile(r"\w+")
_CJK_WORD_RE = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
# Most texts have no word character beyond ASCII, and there every other character only separates
# words (`\w` is exactly `str.isalnum() or "_"`): mapping those to spaces and splitting on
# whitespace gives the tokens `\w+` gives, at a third of its cost.
_ASCII_SEPARATORS = str.maketrans(dict.fromkeys((c for c in map(chr, range(128)) if not re.match(r"\w", c)), " "))
_NON_WORD_TO_SPACE = "equipoise.mini.non_word_to_space"


def _non_word_to_space(error: UnicodeError) -> tuple[str, int]:
    # Encoding to ASCII turns each run of non-ASCII separators (curly quotes, dashes, emoji) into a
    # space; a non-ASCII word character re-raises, which sends its text to the regexes.
    if not isinstance(error, UnicodeEncodeError) or _WORD_RE.search(error.object, error.start, error.end):
        raise error
    return " ", error.end


codecs.register_error(_NON_WORD_TO_SPACE, _non_word_to_space)

_NAMESPACES = ("r", "h", "p")
KEYWORD_LABELS = ("refused", "unclear", "complied")  # response, head of response, prompt
_BIGRAM_MIX = np.uint64(0x9E3779B1)  # odd multiplier: (a * M + b) spreads ordered pairs over the space


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """How texts become feature vectors; stored in the artefact so prediction matches training."""

    bits: int = 18
    max_chars: int = 4000
    head_tokens: int = 24
    prompt_features: bool = True
    head_features: bool = True
    keyword_cues: bool = False

    @property
    def n_hashed(self) -> int:
        """Width of each hashed namespace."""
        return 1 << self.bits

    @property
    def overlap_column(self) -> int:
        """The column of the prompt-overlap feature (after the three hashed namespaces)."""
        return len(_NAMESPACES) * self.n_hashed

    @property
    def n_features(self) -> int:
        """Total width: three hashed namespaces, the prompt overlap, and the keyword detector's verdict."""
        return self.overlap_column + 1 + (len(KEYWORD_LABELS) if self.keyword_cues else 0)

    def to_dict(self) -> dict[str, int | bool]:
        """JSON form for the artefact."""
        return asdict(self)


def tokenize(text: str, max_chars: int) -> list[str]:
    """Lower-cased tokens of the first `max_chars` characters."""
    text = text[:max_chars].lower()
    if not text.isascii():
        try:
            text = text.encode("ascii", _NON_WORD_TO_SPACE).decode("ascii")
        except UnicodeEncodeError:
            return (_CJK_WORD_RE if _CJK_RE.search(text) else _WORD_RE).findall(text)
    return text.translate(_ASCII_SEPARATORS).split()


class _HashTable(dict[str, int]):
    """Token -> murmurhash3, filled on first lookup: each distinct token is hashed once, and the
    tokens need no separate pass to find the distinct ones."""

    def __missing__(self, token: str) -> int:
        # mmh3 is scikit-learn's murmurhash3_32 (x86, 32-bit, UTF-8) without importing scikit-learn,
        # which costs seconds at the start of every run.
        value = self[token] = mmh3.hash(token, 0, signed=False)
        return value


def _token_hashes(docs: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Hash every token (each distinct token once); return (hashes, document lengths)."""
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    tokens = chain.from_iterable(docs)
    hashes = np.fromiter(map(_HashTable().__getitem__, tokens), dtype=np.uint64, count=int(lengths.sum()))
    return hashes, lengths


def _ngram_columns(
    hashes: np.ndarray, lengths: np.ndarray, n_hashed: int, offset: int, bigrams: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every unigram and (optionally) in-document bigram."""
    rows = np.repeat(np.arange(len(lengths)), lengths)
    cols = (hashes % np.uint64(n_hashed)).astype(np.int64) + offset
    if not bigrams or len(hashes) < 2:
        return rows, cols
    # A bigram at position i pairs token i with i+1; drop pairs that cross a document boundary.
    same_doc = rows[:-1] == rows[1:]
    mixed = (hashes[:-1] * _BIGRAM_MIX + hashes[1:] + np.uint64(1)) % np.uint64(n_hashed)
    bi_cols = mixed[same_doc].astype(np.int64) + offset
    return np.concatenate([rows, rows[:-1][same_doc]]), np.concatenate([cols, bi_cols])


def _overlap(prompt_docs: Sequence[list[str]], response_docs: Sequence[list[str]]) -> np.ndarray:
    """Share of the prompt's distinct words (3+ letters) that the response repeats."""
    out = np.zeros(len(prompt_docs))
    for i, (p, r) in enumerate(zip(prompt_docs, response_docs, strict=True)):
        words = {t for t in p if len(t) > 2}
        if words:
            out[i] = len(words.intersection(r)) / len(words)
    return out


def featurize(prompts: Sequence[str], responses: Sequence[str], spec: FeatureSpec) -> sp.csr_matrix:
    """The feature matrix of (prompt, response) pairs: log-scaled counts, each row L2-normalised."""
    if len(prompts) != len(responses):
        raise ValueError(f"{len(prompts)} prompts but {len(responses)} responses")
    n = len(responses)
    resp_docs = [tokenize(r, spec.max_chars) for r in responses]
    parts_rows: list[np.ndarray] = []
    parts_cols: list[np.ndarray] = []
    hashes, lengths = _token_hashes(resp_docs)
    r_rows, r_cols = _ngram_columns(hashes, lengths, spec.n_hashed, 0, bigrams=True)
    parts_rows.append(r_rows)
    parts_cols.append(r_cols)
    if spec.head_features:
        # The opening's tokens are each response's first `head_tokens`: select them from the hashes.
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        in_head = (np.arange(len(hashes)) - starts) < spec.head_tokens
        h_hashes, h_lengths = hashes[in_head], np.minimum(lengths, spec.head_tokens)
        h_rows, h_cols = _ngram_columns(h_hashes, h_lengths, spec.n_hashed, spec.n_hashed, bigrams=True)
        parts_rows.append(h_rows)
        parts_cols.append(h_cols)
    overlap = np.zeros(n)
    if spec.prompt_features:
        # Many responses often answer one prompt (models, attacks, samples): tokenize each prompt once.
        distinct = {p: tokenize(p, spec.max_chars) for p in set(prompts)}
        prompt_docs = [distinct[p] for p in prompts]
        p_hashes, p_lengths = _token_hashes(prompt_docs)
        p_rows, p_cols = _ngram_columns(p_hashes, p_lengths, spec.n_hashed, 2 * spec.n_hashed, bigrams=False)
        parts_rows.append(p_rows)
        parts_cols.append(p_cols)
        overlap = _overlap(prompt_docs, resp_docs)
    rows = np.concatenate([*parts_rows, np.arange(n)])
    cols = np.concatenate([*parts_cols, np.full(n, spec.overlap_column)])
    width = spec.overlap_column + 1
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, width), dtype=np.float64)
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    # Every row holds the overlap column, and it is the last column: after sum_duplicates (sorted
    # indices) it is each row's last stored entry. Written after the log so it stays a share in [0, 1].
    counts.data[counts.indptr[1:] - 1] = overlap
    # Every row has at least the overlap entry, so reduceat over the row starts is well defined.
    norms = np.sqrt(np.add.reduceat(counts.data**2, counts.indptr[:-1])) if n else np.zeros(0)
    norms[norms == 0] = 1.0
    counts.data /= np.repeat(norms, np.diff(counts.indptr))
    X = counts
    if spec.keyword_cues:
        # The keyword detector's verdict (refused / unclear / complied) as three indicator columns:
        # a cue that does not depend on one model's style, unlike the n-grams.
        verdicts = [KEYWORD_LABELS.index(detect_refusal(r).label) for r in responses]
        cues = sp.csr_matrix((np.ones(n), (np.arange(n), verdicts)), shape=(n, len(KEYWORD_LABELS)))
        X = sp.hstack([X, cues], format="csr")
    return X


def feature_names(prompts: Iterable[str], responses: Iterable[str], spec: FeatureSpec) -> dict[int, str]:
    """A readable name for each hashed column seen in the texts (the most frequent n-gram there),
    used only to explain verdicts; slow, run once at training time."""
    seen: dict[int, dict[str, int]] = {}

    def add(tokens: list[str], offset: int, prefix: str, bigrams: bool) -> None:
        grams = list(tokens)
        if bigrams:
            grams += [f"{a} {b}" for a, b in pairwise(tokens)]
        hashes, _ = _token_hashes([tokens])
        cols = _ngram_columns(hashes, np.array([len(tokens)]), spec.n_hashed, offset, bigrams)[1]
        for col, gram in zip(cols.tolist(), grams, strict=True):
            bucket = seen.setdefault(col, {})
            name = f"{prefix}{gram}"
            bucket[name] = bucket.get(name, 0) + 1

    for prompt, response in zip(prompts, responses, strict=True):
        tokens = tokenize(response, spec.max_chars)
        add(tokens, 0, "", True)
        if spec.head_features:
            add(tokens[: spec.head_tokens], spec.n_hashed, "opening:", True)
        if spec.prompt_features:
            add(tokenize(prompt, spec.max_chars), 2 * spec.n_hashed, "prompt:", False)
    names = {col: max(bucket.items(), key=lambda kv: (kv[1], kv[0]))[0] for col, bucket in seen.items()}
    names[spec.overlap_column] = "repeats the prompt"
    if spec.keyword_cues:
        names.update({spec.overlap_column + 1 + i: f"keyword detector: {k}" for i, k in enumerate(KEYWORD_LABELS)})
    return names
