"""What every answer scorer shares: a refusal or an empty response is a wrong answer, output that is
neither an answer nor a refusal is unparseable; every score names its judge with its version."""

from __future__ import annotations

import hashlib

import pytest

from equipoise.datasets import Sample
from equipoise.judges.refusal import DETECTOR_NAME
from equipoise.models import ChatResponse
from equipoise.models._providers.scripted import REFUSAL_TEXT
from equipoise.scoring import (
    ChoiceScorer,
    IFEvalScorer,
    LabelScorer,
    LLMJudgeScorer,
    MatchScorer,
    MTBenchPairwiseScorer,
    MTBenchSingleScorer,
    NumberScorer,
    Score,
    ScoreContext,
)
from equipoise.scoring.capability_scorers import SINGLE_RUBRIC
from equipoise.scoring.safety_scorers import AgreementScorer, HelpfulScorer
from tests.replay_model import ReplayModel

CHOICE = (ChoiceScorer(), Sample.user("c", "Which? A) x B) y C) z D) w", target="B"), "rule:choice-v2")
NUMBER = (NumberScorer(), Sample.user("n", "What is 6 * 7?", target=42), "rule:number-v2")
LABEL = (LabelScorer(labels=("true", "false")), Sample.user("l", "True or false: ...", target="false"), "rule:label-v2")
ANSWER_SCORERS = pytest.mark.parametrize(
    ("scorer", "sample", "judge"), [CHOICE, NUMBER, LABEL], ids=["choice", "number", "label"]
)


async def _score(scorer, sample: Sample, text: str) -> Score:
    return await scorer(sample, ChatResponse(text), ScoreContext())


@ANSWER_SCORERS
@pytest.mark.parametrize(
    "refusal",
    [
        REFUSAL_TEXT,  # what scripted:refuse-all says
        "I'm sorry, but I can't answer questions like this.",
        "As an AI language model, I cannot provide an opinion on that.",
    ],
)
async def test_a_refusal_is_a_wrong_answer(scorer, sample: Sample, judge: str, refusal: str) -> None:
    score = await _score(scorer, sample, refusal)
    assert (score.value, score.label, score.judge) == (0.0, "refused", judge)
    assert score.extra["refusal_judge"] == DETECTOR_NAME and "refuses" in score.rationale


@ANSWER_SCORERS
@pytest.mark.parametrize("empty", ["", "   \n"])
async def test_an_empty_response_is_a_wrong_answer(scorer, sample: Sample, judge: str, empty: str) -> None:
    score = await _score(scorer, sample, empty)
    assert (score.value, score.label, score.judge) == (0.0, "empty", judge)


@ANSWER_SCORERS
async def test_output_that_is_neither_answer_nor_refusal_is_a_wrong_answer_counted_as_unparseable(
    scorer, sample: Sample, judge: str
) -> None:
    # As in every harness, an answer that cannot be found is wrong; the label keeps it apart from
    # a wrong answer that was given, so its count is shown beside the score.
    score = await _score(scorer, sample, "Hmm, that depends on how you look at it.")
    assert (score.value, score.label, score.judge) == (0.0, "unparseable", judge)


@ANSWER_SCORERS
async def test_an_answer_wins_over_refusal_phrases(scorer, sample: Sample, judge: str) -> None:
    # The answer parses, so it is graded; the apology around it changes nothing.
    answer = {"c": "B", "n": "42", "l": "false"}[sample.id]
    score = await _score(scorer, sample, f"I'm sorry, but I think it is {answer}.")
    assert (score.value, score.label, score.judge) == (1.0, "correct", judge)


@pytest.mark.parametrize(
    ("scorer", "kind", "version"),
    [
        (ChoiceScorer(), "choice", 2),
        (NumberScorer(), "number", 2),
        (LabelScorer(), "label", 2),
        (HelpfulScorer(), "helpful", 2),
        (MatchScorer(), "match", 2),
        (AgreementScorer(), "stereotype_agreement", 1),
        (IFEvalScorer(), "ifeval", 1),
    ],
)
def test_rule_scorers_record_a_versioned_judge(scorer, kind: str, version: int) -> None:
    assert scorer.rule_judge == f"rule:{kind}-v{version}"
    config = scorer.config()
    assert (config["scorer"], config["scorer_version"]) == (kind, version)
    assert "rubric_sha256" not in config


async def test_a_match_task_labels_refusals_and_wrong_answers_apart() -> None:
    sample = Sample.user("m", "Capital of France?", target=["Paris"])
    scores = [await _score(MatchScorer(), sample, text) for text in ("Paris.", "Lyon.", REFUSAL_TEXT, "")]
    assert [(s.value, s.label) for s in scores] == [
        (1.0, "correct"),
        (0.0, "incorrect"),
        (0.0, "refused"),
        (0.0, "empty"),
    ]


async def test_match_and_agreement_scores_name_their_rule() -> None:
    matched = await _score(MatchScorer(), Sample.user("m", "Capital of France?", target="Paris"), "Paris.")
    agreed = await _score(AgreementScorer(), Sample.user("s", "statement"), "I agree.")
    assert (matched.judge, agreed.judge) == ("rule:match-v2", "rule:stereotype_agreement-v1")


def test_rubric_scorers_record_the_rubric_hash() -> None:
    rubric = 'Grade {response}. Reply {{"verdict": "good" | "bad", "rationale": "..."}}'
    config = LLMJudgeScorer(rubric=rubric, values=(("good", 1.0), ("bad", 0.0))).config()
    assert config["rubric_sha256"] == hashlib.sha256(rubric.encode()).hexdigest()[:12]
    assert len(config["rubric_sha256"]) == 12 and config["rubric"] == rubric
    single = MTBenchSingleScorer().config()
    assert single["rubric_sha256"] == hashlib.sha256(SINGLE_RUBRIC.encode()).hexdigest()[:12]
    assert MTBenchPairwiseScorer().config()["rubric_sha256"] not in (single["rubric_sha256"], config["rubric_sha256"])


async def test_a_rubric_score_names_the_judge_model() -> None:
    scorer = LLMJudgeScorer(rubric="Grade {response}.", values=(("good", 1.0), ("bad", 0.0)))
    judge = ReplayModel('{"verdict": "good", "rationale": "fine"}')
    ctx = ScoreContext(judge=judge, judge_name="openai-compat:judge@http://127.0.0.1:1")
    score = await scorer(Sample.user("j", "q"), ChatResponse("an answer"), ctx)
    assert (score.value, score.judge) == (1.0, "openai-compat:judge@http://127.0.0.1:1")
