"""What a judge check found: a judge's agreement with human labels on one labelled file."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

JudgeTask = Literal["harm", "refusal"]


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


# The figures of a check (JudgeCheck.to_dict), in the order tables show them.
FIGURES = ("n", "judged", "unparseable", "accuracy", "precision", "recall", "f1", "kappa", "tp", "fp", "fn", "tn")
