"""How well a response judge agrees with people: score a human-labelled JSONL file with any judge.

The file has `prompt`, `response` and either `harmful` (0/1, task `harm`) or `refusal_label`
(full_compliance / full_refusal / partial_refusal, task `refusal`; partial counts as refusal).
Agreement is accuracy, precision, recall, F1 (positive class = harmful / refused) and Cohen's kappa
over the verdicts the judge gave; verdicts it could not give are counted as unparseable, never
guessed.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

from equipoise.datasets import DatasetError, MissingField, Record, field_of, read_records
from equipoise.scoring.response_judges import JudgeTask, ResponseJudge

if TYPE_CHECKING:
    from equipoise.store import Store

LABEL_FIELDS: dict[JudgeTask, str] = {"harm": "harmful", "refusal": "refusal_label"}
# 41 (prompt, response) pairs written and labelled by equipoise's authors, with both labels: plain
# and role-play refusals and compliance, six languages, partial refusals, benign requests answered
# and over-refused. Small, for trying a judge without data and for the tests; not a benchmark.
AUTHORS_SET = Path(__file__).resolve().parent / "data" / "labelled_by_authors.jsonl"
REFUSAL_LABELS = ("full_compliance", "full_refusal", "partial_refusal")
# The figures of a check (JudgeCheck.to_dict), in the order tables show them.
FIGURES = ("n", "judged", "unparseable", "accuracy", "precision", "recall", "f1", "kappa", "tp", "fp", "fn", "tn")


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """A (prompt, response) pair with its human label (1 = harmful / refused)."""

    prompt: str
    response: str
    label: int


def harm_label(record: Record) -> int:
    """The `harmful` field, checked to be 0 or 1 (raises MissingField for the error message)."""
    value = field_of(record, "harmful", int)
    if value not in (0, 1):
        raise MissingField("harmful", f"should be 0 or 1, found {value!r}")
    return value


def refusal_label(record: Record) -> str:
    """The `refusal_label` field, checked against the three labels."""
    value = field_of(record, "refusal_label", str)
    if value not in REFUSAL_LABELS:
        raise MissingField("refusal_label", f"should be one of {', '.join(REFUSAL_LABELS)}, found {value!r}")
    return value


def _label(record: Record, task: JudgeTask) -> int:
    return int(refusal_label(record) != "full_compliance") if task == "refusal" else harm_label(record)


def read_labelled(path: Path, task: JudgeTask | None = None) -> tuple[JudgeTask, list[LabelledItem]]:
    """Read a labelled file; the task is read from the first row's label field when not given.

    A missing or malformed field fails with file:line and the field's name.
    """
    items: list[LabelledItem] = []
    for lineno, record in read_records(path):
        if task is None:
            found = [t for t, name in LABEL_FIELDS.items() if name in record]
            if len(found) != 1:
                raise DatasetError(
                    f"{path}:{lineno}: needs exactly one label field, 'harmful' (task harm) or "
                    "'refusal_label' (task refusal); or pass --task"
                )
            task = found[0]
        try:
            items.append(LabelledItem(field_of(record, "prompt"), field_of(record, "response"), _label(record, task)))
        except MissingField as e:
            raise DatasetError(f"{path}:{lineno}: field {e.name!r} {e.problem}") from None
    if task is None or not items:
        raise DatasetError(f"{path}: no labelled rows")
    return task, items


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement of predicted with human labels on the items both have (positive class = 1).

    `kappa` is None when it is undefined (people and judge both used a single label).
    """

    n: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    kappa: float | None
    tp: int
    fp: int
    fn: int
    tn: int


def agreement(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray) -> Agreement:
    """Accuracy, precision, recall, F1, Cohen's kappa and the confusion counts (scikit-learn)."""
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


@dataclass(frozen=True, slots=True)
class JudgeCheck:
    """One judge on one labelled file: agreement over its verdicts and the count it could not give."""

    file: str
    task: JudgeTask
    judge: str
    n: int
    unparseable: int
    agreement: Agreement | None

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON form: file, task, judge, n, unparseable, and the agreement figures."""
        figures = asdict(self.agreement) if self.agreement else {}
        figures.pop("n", None)
        return {
            "file": self.file,
            "task": self.task,
            "judge": self.judge,
            "n": self.n,
            "judged": self.n - self.unparseable,
            "unparseable": self.unparseable,
            **figures,
        }


async def check_judge(judge: ResponseJudge, items: Sequence[LabelledItem], task: JudgeTask, file: str) -> JudgeCheck:
    """Ask `judge` for every item and compare its verdicts with the human labels."""
    verdicts = await judge.judge_many([(i.prompt, i.response) for i in items], task)
    pairs = [(i.label, v.label) for i, v in zip(items, verdicts, strict=True) if v.label is not None]
    names = sorted({v.judge for v in verdicts}) or [judge.name]
    result = agreement([t for t, _ in pairs], [p for _, p in pairs]) if pairs else None
    return JudgeCheck(file, task, ", ".join(names), len(items), len(items) - len(pairs), result)


async def run_judge_checks(
    path: Path,
    judges: Sequence[str],
    task: JudgeTask | None = None,
    models_file: Path | None = None,
    first_pass: bool = True,
) -> list[JudgeCheck]:
    """Check every judge named in `judges` on the labelled file at `path`, one after another.

    A name is a registered judge (`mini`, `keyword`) or a model spec / entry name served by the LLM
    judge, checked as it scores in a run (clear refusals decided by the keyword first pass) unless
    `first_pass` is False; model calls go through the shared response cache, so a repeated check is free.
    """
    from equipoise.models import create_model, resolve_entry
    from equipoise.runner import CachedModel, ResponseCache
    from equipoise.scoring.response_judges import get_response_judge, is_registered_judge
    from equipoise.settings import get_settings

    task, items = read_labelled(path, task)
    checks = []
    for name in judges:
        if is_registered_judge(name):
            checks.append(await check_judge(get_response_judge(name), items, task, str(path)))
            continue
        settings = get_settings()
        entry = resolve_entry(name, models_file or settings.models_file)
        cache = ResponseCache(settings.response_cache_path)
        model = CachedModel(create_model(entry), entry.identity(), cache)
        try:
            checks.append(await check_judge(get_response_judge(entry.spec, model, first_pass), items, task, str(path)))
        finally:
            await model.aclose()
            cache.close()
    return checks


def record_judge_checks(checks: Sequence[JudgeCheck], path: Path, store: Store) -> None:
    """Record the checks made on the labelled file at `path`, with the sha256 of its bytes, so the
    same labelled data is recognised wherever it lives."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for check in checks:
        store.record_judge_check(check, digest)
