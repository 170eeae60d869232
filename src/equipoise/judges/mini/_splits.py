"""Cross-validation splits grouped by question AND by responding model.

Rows get a question fold (questions shuffled with the seed, dealt round-robin) and a model fold
(each source's models, sorted, dealt round-robin, so each source's models land in different folds).
Each (question fold, model fold) cell is tested by a model trained only on rows from the other
question folds and the other model folds: no question and no model is ever on both sides. Every
row is tested exactly once. Rows whose model is unknown (None) cannot be kept apart by model; they
are tested in the cells of model fold 0 and are trainable everywhere else.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Split:
    """Row indices to train on and to test on."""

    train: np.ndarray
    test: np.ndarray


def grouped_splits(
    sources: Sequence[str],
    questions: Sequence[str],
    models: Sequence[str | None],
    n_question_folds: int = 5,
    n_model_folds: int = 2,
    seed: int = 0,
) -> list[Split]:
    """The splits (see the module docstring); cells with no test rows are left out."""
    if not len(sources) == len(questions) == len(models):
        raise ValueError("sources, questions and models must have one entry per row")
    distinct = sorted(set(questions))
    random.Random(seed).shuffle(distinct)
    q_fold = {q: i % n_question_folds for i, q in enumerate(distinct)}
    m_fold: dict[tuple[str, str], int] = {}
    for source in sorted(set(sources)):
        names = sorted({m for s, m in zip(sources, models, strict=True) if s == source and m is not None})
        m_fold.update({(source, m): i % n_model_folds for i, m in enumerate(names)})
    qf = np.array([q_fold[q] for q in questions])
    mf = np.array([-1 if m is None else m_fold[(s, m)] for s, m in zip(sources, models, strict=True)])
    splits = []
    for q in range(n_question_folds):
        for m in range(n_model_folds):
            in_test = (qf == q) & ((mf == m) | ((mf == -1) & (m == 0)))
            in_train = (qf != q) & (mf != m)
            if in_test.any():
                splits.append(Split(np.flatnonzero(in_train), np.flatnonzero(in_test)))
    return splits
