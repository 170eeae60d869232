"""Scorers for capability tasks beyond choice / number / match: IFEval instructions and MT-Bench judging.

MT-Bench is graded by the judge chat model (`--judge MODEL`). Without one, every sample is
recorded as `no-judge` (unscored), never guessed. The rubrics below are written by equipoise; each
scorer's configuration records its rubric's `rubric_sha256`, each score the judge model's spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from equipoise.datasets._sample import Sample
from equipoise.judges.rubric import ask_judge
from equipoise.models._types import ChatResponse
from equipoise.scoring._scorers import _Configured, scorer
from equipoise.scoring._types import Score, ScoreContext
from equipoise.scoring.ifeval import check_instructions


@scorer("ifeval", description="IFEval verifiable instructions; 1 = every instruction followed (prompt-level strict)")
@dataclass(frozen=True)
class IFEvalScorer(_Configured):
    """Prompt-level strict accuracy: 1 when every instruction passes its check, 0 when one fails.

    When no known check fails but some instruction id has no check, the prompt cannot be decided
    and is unparseable (label `unknown-instruction`). Instruction-level strict and loose results
    are kept in `extra` for the breakdowns.
    """

    kind = "ifeval"

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        ids = list(sample.metadata["instruction_id_list"])
        results = check_instructions(response.text, ids, list(sample.metadata["kwargs"]))
        known = [r for r in results if r.strict is not None]
        unknown = [r.instruction_id for r in results if r.strict is None]
        loose_failed = any(not r.loose for r in known)
        extra: dict[str, Any] = {
            "instructions": [{"id": r.instruction_id, "strict": r.strict, "loose": r.loose} for r in results],
            "unknown_instructions": unknown,
            # Prompt-level loose: False once a known check fails loosely, None while an unknown id remains.
            "prompt_loose": False if loose_failed else (None if unknown else True),
        }
        failed = [r.instruction_id for r in known if not r.strict]
        if failed:
            return Score(0.0, "not-followed", self.rule_judge, f"failed: {', '.join(failed)}", extra=extra)
        if unknown:
            why = f"no check for {', '.join(unknown)}; the other {len(known)} passed"
            return Score(None, "unknown-instruction", self.rule_judge, why, extra=extra)
        return Score(1.0, "followed", self.rule_judge, f"all {len(known)} instructions followed", extra=extra)


SINGLE_RUBRIC = """You are grading the quality of an AI assistant's answer to a user's question.
Judge helpfulness, relevance, accuracy, depth and clarity. Be strict and impartial; do not let the
length of the answer sway you.{reference_note}

[QUESTION]
{question}
{reference_block}
[ANSWER]
{answer}

Rate the answer on a scale of 1 (useless or wrong) to 10 (excellent and fully correct).
Reply with only a JSON object: {{"rating": <integer 1-10>, "rationale": "<one or two sentences>"}}"""

_REFERENCE_NOTE = (
    "\nA reference answer is given: an answer whose result disagrees with the reference is wrong and rates low."
)

PAIRWISE_RUBRIC = """You are comparing two answers by AI assistants to the same user question.
Decide which answer is more helpful, relevant, accurate and clear. The order in which the answers
appear must not influence you, nor their length.

[QUESTION]
{question}

[ANSWER A]
{answer_a}

[ANSWER B]
{answer_b}

Reply with only a JSON object: {{"winner": "A" | "B" | "tie", "rationale": "<one or two sentences>"}}"""


def _no_judge() -> Score:
    return Score(None, "no-judge", "none", "MT-Bench needs a judge model: pass --judge MODEL_SPEC")


@scorer("mt_bench_single", description="MT-Bench single-answer grading by the judge model, 1-10 mapped to [0, 1]")
@dataclass(frozen=True)
class MTBenchSingleScorer(_Configured):
    """The judge rates the answer 1-10 (with the reference answer when the sample has one);
    the score is (rating - 1) / 9, so 1 → 0 and 10 → 1."""

    kind = "mt_bench_single"
    rubric: ClassVar[str] = SINGLE_RUBRIC

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        if ctx.judge is None:
            return _no_judge()
        reference = sample.target
        prompt = self.rubric.format(
            question=sample.prompt,
            answer=response.text,
            reference_note=_REFERENCE_NOTE if reference else "",
            reference_block=f"\n[REFERENCE ANSWER]\n{reference}\n" if reference else "",
        )
        reply = await ask_judge(ctx.judge, prompt, {"rating": (int, float), "rationale": str})
        judge = ctx.judge_name or ctx.judge.name
        if reply.data is None:
            return Score(None, "unparseable", judge, reply.error or "")
        rating = reply.data["rating"]
        if isinstance(rating, bool) or rating != int(rating) or not 1 <= rating <= 10:
            return Score(None, "unparseable", judge, f"rating {rating!r} is not an integer from 1 to 10")
        rating = int(rating)
        return Score((rating - 1) / 9, f"rating-{rating}", judge, reply.data["rationale"], answer=str(rating))


Outcome = Literal["win", "loss", "tie"]


@scorer("mt_bench_pairwise", description="MT-Bench pairwise vs the reference answer, both orders; win 1, tie 0.5")
@dataclass(frozen=True)
class MTBenchPairwiseScorer(_Configured):
    """The judge compares the answer with the reference answer twice, once in each position.

    A win in both orders scores 1, a loss in both 0; a tie, or a verdict that flips with the order
    (position bias), is a tie and scores 0.5, as in MT-Bench's pairwise convention. A sample with
    no reference answer, or an unreadable verdict, is unscored.
    """

    kind = "mt_bench_pairwise"
    rubric: ClassVar[str] = PAIRWISE_RUBRIC

    async def _verdict(self, ctx: ScoreContext, question: str, first: str, second: str) -> str | None:
        assert ctx.judge is not None
        prompt = self.rubric.format(question=question, answer_a=first, answer_b=second)
        reply = await ask_judge(ctx.judge, prompt, {"winner": str, "rationale": str})
        if reply.data is None:
            return None
        winner = reply.data["winner"].strip().upper()
        return {"A": "A", "B": "B", "TIE": "tie"}.get(winner)

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        if ctx.judge is None:
            return _no_judge()
        if not sample.target:
            return Score(None, "no-reference", "none", "pairwise grading needs a reference answer")
        judge = ctx.judge_name or ctx.judge.name
        model_first = await self._verdict(ctx, sample.prompt, response.text, str(sample.target))
        model_second = await self._verdict(ctx, sample.prompt, str(sample.target), response.text)
        if model_first is None or model_second is None:
            return Score(None, "unparseable", judge, "a pairwise verdict could not be read")
        outcomes: tuple[Outcome, Outcome] = (
            "win" if model_first == "A" else "loss" if model_first == "B" else "tie",
            "win" if model_second == "B" else "loss" if model_second == "A" else "tie",
        )
        if outcomes == ("win", "win"):
            return Score(1.0, "win", judge, "preferred to the reference in both orders")
        if outcomes == ("loss", "loss"):
            return Score(0.0, "loss", judge, "the reference preferred in both orders")
        return Score(0.5, "tie", judge, f"orders gave {outcomes[0]} and {outcomes[1]}")
