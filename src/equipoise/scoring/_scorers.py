"""The first set of scorers, registered by name so tasks, the CLI and the About page can list them.

Each scorer is a small frozen dataclass: its fields are its configuration, recorded with every
result so a score says exactly how it was made.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from equipoise._registry import registrar
from equipoise.datasets._sample import Sample
from equipoise.judges.rubric import ask_judge
from equipoise.models._types import ChatResponse
from equipoise.scoring._types import Score, ScoreContext
from equipoise.scoring.parse import contains_answer, numbers_equal, parse_choice, parse_final_number

scorer = registrar("scorer")


class _Configured:
    """Mixin: `name` and `config()` from the dataclass fields."""

    kind: str = ""

    @property
    def name(self) -> str:
        return self.kind

    def config(self) -> dict[str, Any]:
        """The scorer's configuration, as recorded with results."""
        return {"scorer": self.kind, **asdict(self)}  # type: ignore[call-overload]


@scorer("choice", description="Multiple-choice letter parsed from the response vs the gold letter")
@dataclass(frozen=True)
class ChoiceScorer(_Configured):
    """1 when the parsed option letter equals the target letter; unparseable when no single letter."""

    letters: str = "ABCD"
    kind = "choice"

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        letters = sample.metadata.get("letters", self.letters)
        answer = parse_choice(response.text, letters)
        if answer is None:
            return Score(None, "unparseable", "choice-parser", f"no single option letter among {letters}")
        correct = answer == str(sample.target).strip().upper()
        return Score(1.0 if correct else 0.0, "correct" if correct else "incorrect", "choice-parser", answer=answer)


@scorer("number", description="Final number in the response vs the numeric target")
@dataclass(frozen=True)
class NumberScorer(_Configured):
    """1 when the final number in the response equals the target."""

    kind = "number"

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        found = parse_final_number(response.text)
        if found is None:
            return Score(None, "unparseable", "number-parser", "no number in the response")
        correct = numbers_equal(found, float(sample.target))
        label = "correct" if correct else "incorrect"
        return Score(1.0 if correct else 0.0, label, "number-parser", answer=f"{found:g}")


@scorer("match", description="Any accepted answer appears (normalised) in the response")
@dataclass(frozen=True)
class MatchScorer(_Configured):
    """1 when one of the accepted answers (target: str or list) appears as a phrase."""

    kind = "match"

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        answers = sample.target if isinstance(sample.target, list) else [str(sample.target)]
        correct = contains_answer(response.text, answers)
        return Score(1.0 if correct else 0.0, "correct" if correct else "incorrect", "match")


@scorer("llm_judge", description="Any model as judge with a rubric; strict JSON verdicts")
@dataclass(frozen=True)
class LLMJudgeScorer(_Configured):
    """Asks the configured judge model to grade with `rubric` (placeholders {prompt}, {response}).

    The rubric must ask for JSON with a string `verdict` and `rationale`; `values` maps each verdict
    to a score. The gold label is never shown to the judge unless the rubric names {target}
    explicitly (reference-answer grading).
    """

    rubric: str
    values: tuple[tuple[str, float], ...]
    kind = "llm_judge"

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        if ctx.judge is None:
            return Score(None, "no-judge", "none", "this scorer needs a judge model (--judge MODEL)")
        fields = {"prompt": sample.prompt, "response": response.text}
        if "{target}" in self.rubric:
            fields["target"] = str(sample.target)
        reply = await ask_judge(ctx.judge, self.rubric.format(**fields), {"verdict": str, "rationale": str})
        judge = ctx.judge_name or ctx.judge.name
        table = dict(self.values)
        if reply.data is None:
            return Score(None, "unparseable", judge, reply.error or "")
        verdict = reply.data["verdict"].strip().lower()
        if verdict not in table:
            return Score(None, "unparseable", judge, f"verdict {verdict!r} is not one of {sorted(table)}")
        return Score(table[verdict], verdict, judge, reply.data["rationale"])
