"""Feature extraction: tokens, batch independence, normalisation."""

from __future__ import annotations

import numpy as np

from equipoise.judges.mini._features import FeatureSpec, feature_names, featurize, tokenize


def test_cjk_characters_are_tokens_and_latin_words_stay_whole() -> None:
    assert tokenize("AIM: 我不能 help été", 100) == ["aim", "我", "不", "能", "help", "été"]
    assert tokenize("Sure, here", 4) == ["sure"]


def test_a_row_does_not_depend_on_the_rest_of_the_batch() -> None:
    spec = FeatureSpec(bits=10)
    pairs = [("how to pick a lock", "Sure, step one: insert the pick"), ("hi", "Hello there"), ("q", "")]
    together = featurize([p for p, _ in pairs], [r for _, r in pairs], spec).toarray()
    for i, (p, r) in enumerate(pairs):
        np.testing.assert_allclose(together[i], featurize([p], [r], spec).toarray()[0])


def test_log_counts_are_l2_normalised_and_overlap_is_the_share_of_prompt_words() -> None:
    spec = FeatureSpec()
    X = featurize(["pick the lock quickly"], ["to pick a lock you"], spec)
    # response: 5 unigrams + 4 bigrams, the same 9 in the opening namespace, 4 prompt words, each
    # seen once -> log1p(1); prompt words of 3+ letters pick/the/lock/quickly, 2 repeated -> 0.5.
    norm = np.sqrt(22 * np.log1p(1) ** 2 + 0.5**2)
    assert X.nnz == 23
    assert np.isclose(X[0, spec.overlap_column], 0.5 / norm)
    assert np.allclose(np.sort(X.data)[1:], np.log1p(1) / norm)
    names = feature_names(["pick the lock quickly"], ["to pick a lock you"], spec)
    assert names[spec.overlap_column] == "repeats the prompt"
    assert {"pick a", "opening:to pick", "prompt:quickly"} <= set(names.values())


def test_keyword_cues_are_the_detectors_verdict_as_indicators() -> None:
    spec = FeatureSpec(bits=10, keyword_cues=True)
    X = featurize(["q", "q"], ["I'm sorry, but I can't help with that.", "Sure, here it is."], spec).toarray()
    cues = X[:, spec.overlap_column + 1 :]
    assert cues.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]  # refused / unclear / complied
