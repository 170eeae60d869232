"""Grouped splits: no question and no known model on both sides; every row tested once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from equipoise.judges.mini.train import grouped_splits, load_training_data


def _assert_no_leak(sources, questions, models, splits) -> None:
    tested = np.concatenate([s.test for s in splits])
    assert sorted(tested.tolist()) == list(range(len(questions)))  # every row tested exactly once
    for split in splits:
        train_q = {questions[i] for i in split.train}
        test_q = {questions[i] for i in split.test}
        assert not train_q & test_q
        train_m = {(sources[i], models[i]) for i in split.train if models[i] is not None}
        test_m = {(sources[i], models[i]) for i in split.test if models[i] is not None}
        assert not train_m & test_m
        assert len(split.train) > 0


def test_hand_made_rows_never_leak() -> None:
    sources = ["a"] * 8 + ["b"] * 4
    questions = ["q1", "q1", "q2", "q2", "q3", "q3", "q4", "q4", "r1", "r2", "r1", "r2"]
    models = ["m1", "m2"] * 4 + [None] * 4
    splits = grouped_splits(sources, questions, models, n_question_folds=2, n_model_folds=2, seed=0)
    _assert_no_leak(sources, questions, models, splits)
    # Rows of unknown model are only tested in model-fold-0 cells: 2 question folds x 2 model folds
    # give at most 4 cells, and all 4 hold a test row here.
    assert len(splits) == 4


def test_the_shared_training_data_never_leaks(shared_data: Path) -> None:
    rows = load_training_data(shared_data)
    sources = [r.source for r in rows]
    questions = [r.question for r in rows]
    models = [r.model for r in rows]
    splits = grouped_splits(sources, questions, models, n_question_folds=5, n_model_folds=2, seed=0)
    _assert_no_leak(sources, questions, models, splits)
    # xstest's Llama-2 configurations are one model, so a Llama-2 response never trains a Llama-2 test.
    assert {m for r in rows if r.source == "xstest" for m in [r.model]} == {"gpt4", "llama2"}


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one entry per row"):
        grouped_splits(["a"], ["q1", "q2"], [None])
