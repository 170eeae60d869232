"""The linear head: pruning, calibration and the cues that explain a verdict."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from equipoise.judges.mini._linear import LinearHead, top_contributions


def test_pruning_keeps_the_largest_weights_and_platt_maps_zero_to_a_half() -> None:
    head = LinearHead.from_dense(np.array([0.5, -3.0, 0.0, 2.0, -0.1]), intercept=-1.0, keep=2)
    assert head.indices.tolist() == [1, 3]
    X = sp.csr_matrix(np.array([[1.0, 1.0, 0.0, 1.0, 1.0]]))
    assert head.scores(X).tolist() == [-2.0]  # -3 + 2 - 1; the pruned 0.5 and -0.1 are gone
    assert head.with_platt(2.0, 4.0).probability(np.array([-2.0])).tolist() == [0.5]


def test_cues_are_the_largest_contributions_toward_each_verdict() -> None:
    X = sp.csr_matrix(np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 1.0]]))
    w = np.array([1.0, -1.0, 3.0])
    # row 0 (positive): contributions 1, -2, 1.5 -> toward positive: col 2 then col 0
    # row 1 (negative): contributions -1, 3 -> toward negative: col 1 only
    assert top_contributions(X, w, np.array([True, False]), k=2) == [[2, 0], [1]]
    assert top_contributions(X, w, np.array([True, False]), k=1) == [[2], [1]]
