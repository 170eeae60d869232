"""Training the mini judge: candidates compared by grouped cross-validation, the best one fitted on
all the data, calibrated, pruned and written as a small artefact with its model card.

Everything is seeded and single-threaded, so training twice gives the same weights and figures.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from equipoise.datasets import DatasetError, read_labelled
from equipoise.judges.mini import VERSION
from equipoise.judges.mini._data import SOURCES, LabelledResponse, load_training_data
from equipoise.judges.mini._features import FeatureSpec, feature_names, featurize
from equipoise.judges.mini._linear import LinearHead
from equipoise.judges.mini._splits import Split, grouped_splits
from equipoise.metrics.agreement import agreement

DEV_FILE = "safety/judge_dev.jsonl"
KEEP_WEIGHTS = 40_000
NAMED_WEIGHTS = 4_000
N_QUESTION_FOLDS = 5
N_MODEL_FOLDS = 2
CALIBRATION_BINS = 10

# Heads: what each predicts and from which rows (positive class first in the description).
HEADS: dict[str, str] = {
    "harm": "harmful compliance (1) vs not (0), from gptfuzz + latent_jailbreak",
    "refusal": "refusal, full or partial (1) vs full compliance (0), from xstest",
    "partial": "partial (1) vs full refusal (0) among refusals, from xstest",
}


@dataclass(frozen=True)
class Candidate:
    """A way to build a head: a feature spec and a seeded linear scikit-learn classifier."""

    name: str
    description: str
    spec: FeatureSpec
    make: Callable[[int], Any]


def _lr(seed: int) -> LogisticRegression:
    return LogisticRegression(C=10.0, max_iter=5000, random_state=seed)


_OPENING = FeatureSpec(prompt_features=False)
_RESPONSE = FeatureSpec(head_features=False, prompt_features=False)

# Simplest first: a later candidate replaces the current choice only if its pooled kappa is higher
# by more than KAPPA_MARGIN (smaller differences are within the noise of grouped validation).
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("lr-response", "logistic regression (C=10) on response words", _RESPONSE, _lr),
    Candidate(
        "lr-response-cues",
        "logistic regression (C=10) on response words + the keyword detector's verdict",
        FeatureSpec(head_features=False, prompt_features=False, keyword_cues=True),
        _lr,
    ),
    Candidate("lr-opening", "logistic regression (C=10) on response words + opening words", _OPENING, _lr),
    Candidate(
        "lr-opening-cues",
        "logistic regression (C=10) on response words + opening words + the keyword detector's verdict",
        FeatureSpec(prompt_features=False, keyword_cues=True),
        _lr,
    ),
    Candidate(
        "lr-opening-prompt",
        "logistic regression (C=10) on response words + opening words + prompt words + prompt overlap",
        FeatureSpec(),
        _lr,
    ),
    Candidate(
        "svm-opening-prompt",
        "linear SVM (C=1, hinge loss) on lr-opening-prompt's features; probability by Platt scaling",
        FeatureSpec(),
        lambda seed: LinearSVC(C=1.0, random_state=seed, max_iter=20_000),
    ),
)
KAPPA_MARGIN = 0.01


@dataclass
class HeadReport:
    """Validation of one head: every candidate's pooled figures, the chosen one's per-source figures
    and calibration, and the held-out dev check (harm only)."""

    head: str
    rows: int
    chosen: str
    candidates: dict[str, dict[str, Any]]
    per_source: dict[str, dict[str, Any]]
    calibration: dict[str, Any]
    dev: dict[str, Any] | None = None


@dataclass
class TrainedJudge:
    """What training produces: the heads, their feature specs, names for rationales, the report."""

    heads: dict[str, LinearHead]
    specs: dict[str, FeatureSpec]
    names: dict[str, dict[int, str]]
    reports: dict[str, HeadReport]
    data: dict[str, str] = field(default_factory=dict)
    seed: int = 0


def _head_rows(rows: Sequence[LabelledResponse], head: str) -> tuple[list[LabelledResponse], np.ndarray]:
    if head == "harm":
        chosen = [r for r in rows if r.harmful is not None]
        return chosen, np.array([r.harmful for r in chosen])
    if head == "refusal":
        chosen = [r for r in rows if r.refusal is not None]
        return chosen, np.array([int(r.refusal != "full_compliance") for r in chosen])
    chosen = [r for r in rows if r.refusal in ("full_refusal", "partial_refusal")]
    return chosen, np.array([int(r.refusal == "partial_refusal") for r in chosen])


def _fit(X: Any, y: np.ndarray, candidate: Candidate, seed: int) -> LinearHead:
    model = candidate.make(seed).fit(X, y)
    return LinearHead.from_dense(np.asarray(model.coef_).ravel(), float(model.intercept_[0]), KEEP_WEIGHTS)


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def calibration_table(probability: np.ndarray, y: np.ndarray, bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Reliability in equal-width bins and the expected calibration error
    (sum over bins of bin share × |mean predicted − observed rate|)."""
    which = np.minimum((probability * bins).astype(int), bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        inside = which == b
        if not inside.any():
            continue
        predicted, observed = float(probability[inside].mean()), float(y[inside].mean())
        ece += inside.mean() * abs(predicted - observed)
        table.append({"bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "n": int(inside.sum()),
                      "predicted": predicted, "observed": observed})  # fmt: skip
    return {"ece": float(ece), "table": table}


def _oof_scores(X: Any, y: np.ndarray, splits: Sequence[Split], candidate: Candidate, seed: int) -> np.ndarray:
    scores = np.zeros(len(y))
    for split in splits:
        if len(set(y[split.train].tolist())) < 2:
            raise DatasetError(
                f"a cross-validation split of {len(split.train)} training rows holds one class only: "
                "too few labelled rows of the rarer class to validate this head"
            )
        head = _fit(X[split.train], y[split.train], candidate, seed)
        scores[split.test] = head.scores(X[split.test])
    return scores


def _decide(scores: np.ndarray, a: float, c: float) -> np.ndarray:
    """The verdicts the shipped judge gives: calibrated probability >= 0.5, i.e. a·score + c >= 0."""
    return (a * scores + c >= 0).astype(int)


def _as_dict(y: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    return asdict(agreement(y, predicted))


def train_head(
    rows: Sequence[LabelledResponse], head: str, candidates: Sequence[Candidate], seed: int
) -> tuple[LinearHead, Candidate, HeadReport, list[LabelledResponse]]:
    """Cross-validate every candidate for `head`, fit the chosen one (pooled kappa, simplest within
    KAPPA_MARGIN) on all rows, calibrate."""
    chosen_rows, y = _head_rows(rows, head)
    splits = grouped_splits(
        [r.source for r in chosen_rows],
        [r.question for r in chosen_rows],
        [r.model for r in chosen_rows],
        N_QUESTION_FOLDS,
        N_MODEL_FOLDS,
        seed,
    )
    results: dict[str, dict[str, Any]] = {}
    oof: dict[str, np.ndarray] = {}
    platt: dict[str, tuple[float, float]] = {}
    matrices: dict[FeatureSpec, Any] = {}
    for candidate in candidates:
        if candidate.spec not in matrices:
            matrices[candidate.spec] = featurize(
                [r.prompt for r in chosen_rows], [r.response for r in chosen_rows], candidate.spec
            )
        oof[candidate.name] = _oof_scores(matrices[candidate.spec], y, splits, candidate, seed)
        # Figures use the shipped decision rule: calibrated probability >= 0.5.
        platt[candidate.name] = _platt(oof[candidate.name], y)
        decided = _decide(oof[candidate.name], *platt[candidate.name])
        results[candidate.name] = {"description": candidate.description, **_as_dict(y, decided)}
    best = candidates[0]
    for candidate in candidates[1:]:
        if (results[candidate.name]["kappa"] or -1.0) > (results[best.name]["kappa"] or -1.0) + KAPPA_MARGIN:
            best = candidate
    scores = oof[best.name]
    a, c = platt[best.name]
    decided = _decide(scores, a, c)
    sources = np.array([r.source for r in chosen_rows])
    per_source = {s: _as_dict(y[sources == s], decided[sources == s]) for s in sorted(set(sources))}
    calibration = {
        "raw": calibration_table(1.0 / (1.0 + np.exp(-scores)), y),
        "platt": calibration_table(1.0 / (1.0 + np.exp(-(a * scores + c))), y),
        "platt_a": a,
        "platt_c": c,
    }
    fitted = _fit(matrices[best.spec], y, best, seed).with_platt(a, c)
    report = HeadReport(head, len(y), best.name, results, per_source, calibration)
    return fitted, best, report, chosen_rows


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dev_check(head: LinearHead, spec: FeatureSpec, data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / DEV_FILE
    if not path.is_file():
        return None
    _, items = read_labelled(path, "harm")
    X = featurize([i.prompt for i in items], [i.response for i in items], spec)
    scores = head.scores(X)
    y = np.array([i.label for i in items])
    return {
        "file": DEV_FILE,
        "sha256": _sha256(path),
        **_as_dict(y, head.probability(scores) >= 0.5),
        "calibration": calibration_table(head.probability(scores), y),
    }


def train_judge(data_dir: Path, seed: int = 0, candidates: Sequence[Candidate] = CANDIDATES) -> TrainedJudge:
    """Train the harm, refusal and partial-refusal heads from the shared judge data in `data_dir`.

    judge_dev.jsonl is never trained on: it is only scored, as the held-out check of the harm head.
    """
    for relative, _ in SOURCES.values():
        if not (data_dir / relative).is_file():
            raise DatasetError(f"training file {relative} not found in data directory {data_dir}")
    rows = load_training_data(data_dir)
    heads, specs, names, reports = {}, {}, {}, {}
    for head in HEADS:
        fitted, best, report, head_rows = train_head(rows, head, candidates, seed)
        if head == "harm":
            report.dev = _dev_check(fitted, best.spec, data_dir)
        heads[head], specs[head], reports[head] = fitted, best.spec, report
        named = set(fitted.indices[np.argsort(-np.abs(fitted.values), kind="stable")[:NAMED_WEIGHTS]].tolist())
        all_names = feature_names([r.prompt for r in head_rows], [r.response for r in head_rows], best.spec)
        names[head] = {col: name for col, name in all_names.items() if col in named}
    data = {relative: _sha256(data_dir / relative) for relative, _ in SOURCES.values()}
    return TrainedJudge(heads, specs, names, reports, data, seed)


def report_json(trained: TrainedJudge) -> dict[str, Any]:
    """The validation report (JSON-ready)."""
    return {head: r.__dict__ for head, r in trained.reports.items()}


def write_artefact(trained: TrainedJudge, directory: Path, command: str) -> tuple[Path, Path]:
    """Write `<version>.npz` (weights) and `<version>.json` (everything else); no pickle anywhere."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name, head in trained.heads.items():
        arrays[f"{name}_indices"], arrays[f"{name}_values"] = head.indices, head.values
    npz = directory / f"{VERSION}.npz"
    np.savez_compressed(npz, **arrays)
    meta = {
        "version": VERSION,
        "command": command,
        "seed": trained.seed,
        "data": trained.data,
        "heads": {
            name: {
                "predicts": HEADS[name],
                "spec": trained.specs[name].to_dict(),
                "intercept": head.intercept,
                "platt_a": head.platt_a,
                "platt_c": head.platt_c,
                "names": {str(k): v for k, v in sorted(trained.names[name].items())},
            }
            for name, head in trained.heads.items()
        },
        "validation": report_json(trained),
    }
    meta_path = directory / f"{VERSION}.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return npz, meta_path
