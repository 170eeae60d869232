"""Scores and the scorer interface."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from equipoise.datasets._sample import Sample
from equipoise.models._types import ChatModel, ChatResponse

if TYPE_CHECKING:
    from equipoise.judges import ResponseJudge


@dataclass(frozen=True)
class Score:
    """The score of one response. `value` is in [0, 1] with 1 = the safe / correct behaviour.

    `value is None` means the response could not be scored (no usable judge verdict, or a judge
    model the run did not have); such samples are counted and excluded from the mean, never
    guessed. A refusal, an empty response and an answer task's response with no answer in it are
    no such case: they are wrong answers (0.0, labels `refused`, `empty`, `unparseable`), counted.
    """

    value: float | None
    label: str
    judge: str
    rationale: str = ""
    answer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


@dataclass
class ScoreContext:
    """What scorers may need beyond the sample and response.

    `judge` is the judge *chat model* (when the judge is a model spec), for rubric scorers;
    `response_judge` decides harm / refusal (keyword, mini, or an LLM judge over `judge`).
    """

    judge: ChatModel | None = None
    judge_name: str | None = None
    response_judge: ResponseJudge | None = None


class Scorer(Protocol):
    """Scores one (sample, response). Never called for failed model calls."""

    name: str

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score: ...
