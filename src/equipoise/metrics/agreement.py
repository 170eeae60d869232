"""Agreement of a judge's verdicts with human labels (scikit-learn's metrics)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

from equipoise.results import Agreement


def agreement(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray) -> Agreement:
    """Accuracy, precision, recall, F1, Cohen's kappa and the confusion counts (positive class = 1)."""
    if len(y_true) == 0:
        raise ValueError("no verdicts to compare")
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel())
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=[1], average="binary", zero_division=0
    )
    with warnings.catch_warnings():
        # Undefined kappa (one label used by both sides) is reported as None below, not warned about.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        kappa = float(cohen_kappa_score(y_true, y_pred, labels=[0, 1]))
    return Agreement(
        n=len(y_true),
        accuracy=float(accuracy_score(y_true, y_pred)),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        kappa=None if math.isnan(kappa) else kappa,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
    )
