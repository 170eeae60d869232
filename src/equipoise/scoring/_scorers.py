"""The first set of scorers, registered by name so tasks, the CLI and the About page can list them.

Each scorer is a small frozen dataclass: its fields are its configuration, recorded with every
result so a score says exactly how it was made. Every scorer has a `version`, bumped whenever its
rule changes how a response is scored or labelled: the configuration records it as
`scorer_version`, and a score decided by the scorer's own rule names it as its judge
(`rule:choice-v2`), so scores made under different rules are never mistaken for each other. A
scorer that grades with a rubric records the sha256 of the rubric's text (`rubric_sha256`, first 12
hex digits) beside the judge model's spec.

On an answer task (choice, number, label, match) a response with no answer in it is scored by
`score_unanswered`: an empty response or a refusal is a wrong answer, not a missing one.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from equipoise._registry import registrar
from equipoise.datasets._sample import Sample
from equipoise.judges.refusal import DETECTOR_NAME, detect_refusal
from equipoise.judges.rubric import ask_judge
from equipoise.models._types import ChatResponse
from equipoise.scoring._types import Score, ScoreContext
from equipoise.scoring.parse import contains_answer, numbers_equal, parse_choice, parse_final_number

scorer = registrar("scorer")
UNPARSEABLE = "unparseable"


def rubric_sha256(rubric: str) -> str:
    """A short, stable name of a rubric's text: the first 12 hex digits of its sha256."""
    return hashlib.sha256(rubric.encode()).hexdigest()[:12]


class _Configured:
    """Mixin: `name`, `rule_judge` and `config()` from the kind, the version and the dataclass fields."""

    kind: ClassVar[str] = ""
    version: ClassVar[int] = 1

    @property
    def name(self) -> str:
        return self.kind

    @property
    def rule_judge(self) -> str:
        """The judge recorded on the scores this scorer's own rule decides, with the rule's version."""
        return f"rule:{self.kind}-v{self.version}"

    def config(self) -> dict[str, Any]:
        """The scorer's configuration, as recorded with results."""
        out = {"scorer": self.kind, "scorer_version": self.version, **asdict(self)}  # type: ignore[call-overload]
        rubric = getattr(self, "rubric", None)
        if isinstance(rubric, str):
            out["rubric_sha256"] = rubric_sha256(rubric)
        return out


def score_unanswered(response: str, judge: str, why: str) -> Score:
    """The score of an answer task's response in which no answer parses.

    An empty response and a refusal are wrong answers (0.0, labels `empty` and `refused`): a model
    that declines every question must not score as if it had not been asked. The refusal is told by
    the keyword detector, not the run's response judge: it is rule-based and deterministic, so an
    answer task scores the same whichever judge the run uses, and it costs no model call. Anything
    else (no answer the parser can read: an echo of the question, rambling, two answers) is wrong too,
    labelled `unparseable` and counted as such, as every harness scores an answer it cannot find: a
    model whose output never parses must not have the task left out of its mean.
    """
    if not response.strip():
        return Score(0.0, "empty", judge, "an empty response is a wrong answer")
    verdict = detect_refusal(response)
    if verdict.label == "refused":
        why = f"{why}; the response refuses ({DETECTOR_NAME}: {verdict.cue}), a wrong answer"
        return Score(0.0, "refused", judge, why, extra={"refusal_judge": DETECTOR_NAME})
    return Score(0.0, UNPARSEABLE, judge, f"{why}: a wrong answer")


@scorer("choice", description="Multiple-choice letter parsed from the response vs the gold letter")
@dataclass(frozen=True)
class ChoiceScorer(_Configured):
    """1 when the parsed option letter equals the target letter; no single letter: `score_unanswered`."""

    letters: str = "ABCD"
    kind = "choice"
    version = 2

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        letters = sample.metadata.get("letters", self.letters)
        answer = parse_choice(response.text, letters)
        if answer is None:
            return score_unanswered(response.text, self.rule_judge, f"no single option letter among {letters}")
        correct = answer == str(sample.target).strip().upper()
        return Score(1.0 if correct else 0.0, "correct" if correct else "incorrect", self.rule_judge, answer=answer)


@scorer("number", description="Final number in the response vs the numeric target")
@dataclass(frozen=True)
class NumberScorer(_Configured):
    """1 when the final number in the response equals the target; no number: `score_unanswered`."""

    kind = "number"
    version = 2

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        found = parse_final_number(response.text)
        if found is None:
            return score_unanswered(response.text, self.rule_judge, "no number in the response")
        correct = numbers_equal(found, float(sample.target))
        label = "correct" if correct else "incorrect"
        return Score(1.0 if correct else 0.0, label, self.rule_judge, answer=f"{found:g}")


@scorer("match", description="Any accepted answer appears (normalised) in the response")
@dataclass(frozen=True)
class MatchScorer(_Configured):
    """1 when one of the accepted answers (target: str or list) appears as a phrase, else 0; a
    refusal or an empty response is labelled so (`score_unanswered`), never unparseable."""

    kind = "match"
    version = 2

    async def __call__(self, sample: Sample, response: ChatResponse, ctx: ScoreContext) -> Score:
        answers = sample.target if isinstance(sample.target, list) else [str(sample.target)]
        if contains_answer(response.text, answers):
            return Score(1.0, "correct", self.rule_judge)
        unanswered = score_unanswered(response.text, self.rule_judge, "no accepted answer in the response")
        return unanswered if unanswered.label != UNPARSEABLE else Score(0.0, "incorrect", self.rule_judge)


@scorer("llm_judge", description="Any model as judge with a rubric; strict JSON verdicts")
@dataclass(frozen=True)
class LLMJudgeScorer(_Configured):
    """Asks the configured judge model to grade with `rubric` (placeholders {prompt}, {response}).

    The rubric must ask for JSON with a string `verdict` and `rationale`; `values` maps each verdict
    to a score. The gold label is never shown to the judge unless the rubric names {target}
    explicitly (reference-answer grading). Each score names the judge model's spec; the
    configuration carries the rubric's `rubric_sha256`.
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
