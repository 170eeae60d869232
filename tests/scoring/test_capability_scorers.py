"""The capability scorers on hand-made answers; MT-Bench judging through a real local HTTP judge."""

from __future__ import annotations

import json
from collections.abc import Callable

from equipoise.datasets import Sample
from equipoise.models import ChatResponse, create_model, resolve_entry
from equipoise.scoring import (
    ChoiceScorer,
    IFEvalScorer,
    MTBenchPairwiseScorer,
    MTBenchSingleScorer,
    NumberScorer,
    ScoreContext,
)
from tests.openai_server import ServerState, ThreadedServer

NO_JUDGE = ScoreContext()


def _ifeval_sample(ids: list[str], kwargs: list[dict]) -> Sample:
    return Sample.user("if-1", "Write something.", instruction_id_list=ids, kwargs=kwargs)


async def _score(scorer, sample: Sample, text: str, ctx: ScoreContext = NO_JUDGE):
    return await scorer(sample, ChatResponse(text=text), ctx)


async def test_ifeval_prompt_level_strict() -> None:
    sample = _ifeval_sample(["punctuation:no_comma", "change_case:english_lowercase"], [{}, {}])
    ok = await _score(IFEvalScorer(), sample, "all lower and no commas")
    assert (ok.value, ok.label) == (1.0, "followed")
    bad = await _score(IFEvalScorer(), sample, "all lower, but a comma")
    assert (bad.value, bad.label) == (0.0, "not-followed")
    assert "punctuation:no_comma" in bad.rationale
    assert [i["strict"] for i in bad.extra["instructions"]] == [False, True]


async def test_ifeval_unknown_instruction_is_unscored_unless_another_fails() -> None:
    sample = _ifeval_sample(["language:response_language", "punctuation:no_comma"], [{"language": "fr"}, {}])
    undecided = await _score(IFEvalScorer(), sample, "bonjour tout le monde")
    assert undecided.value is None and undecided.label == "unknown-instruction"
    assert undecided.extra["unknown_instructions"] == ["language:response_language"]
    assert undecided.extra["prompt_loose"] is None
    failed = await _score(IFEvalScorer(), sample, "bonjour, le monde")
    assert failed.value == 0.0


async def test_gsm8k_style_final_number() -> None:
    sample = Sample.user("g1", "q", target=72)
    right = await _score(NumberScorer(), sample, "48 / 2 = 24, and 48 + 24 = 72.\n#### 72")
    wrong = await _score(NumberScorer(), sample, "She sold 48 + 24 = 70 clips.\n#### 70")
    none = await _score(NumberScorer(), sample, "I cannot work this out.")
    assert (right.value, wrong.value, none.value, none.label) == (1.0, 0.0, 0.0, "unparseable")


async def test_choice_letters_come_from_the_sample() -> None:
    sample = Sample.user("t1", "q", target="F", letters="ABCDEFGH")
    assert (await _score(ChoiceScorer(), sample, "F")).value == 1.0
    assert (await _score(ChoiceScorer(), sample, "The answer is G")).value == 0.0
    assert (await _score(ChoiceScorer(), sample, "Z")).label == "unparseable"


def _judge(answer: Callable[[str], str]) -> ThreadedServer:
    """A real local OpenAI-compatible server answering every judge prompt with `answer(prompt)`."""
    return ThreadedServer(ServerState(answer=answer))


def _ctx(server: ThreadedServer) -> ScoreContext:
    model = create_model(resolve_entry(f"openai-compat:judge@{server.base_url}"))
    return ScoreContext(judge=model, judge_name="openai-compat:judge")


async def test_mt_bench_single_rating_maps_1_to_0_and_10_to_1() -> None:
    sample = Sample.user("mt-1", "Explain tides.")
    for rating, expected in ((1, 0.0), (10, 1.0), (7, 6 / 9)):
        reply = json.dumps({"rating": rating, "rationale": "fine"})
        with _judge(lambda p, r=reply: r) as server:
            s = await _score(MTBenchSingleScorer(), sample, "The moon pulls the sea.", _ctx(server))
        assert s.value == expected and s.label == f"rating-{rating}" and s.judge == "openai-compat:judge"


async def test_mt_bench_single_shows_the_reference_only_when_there_is_one() -> None:
    seen: list[str] = []

    def answer(prompt: str) -> str:
        seen.append(prompt)
        return '{"rating": 5, "rationale": "ok"}'

    with _judge(answer) as server:
        await _score(MTBenchSingleScorer(), Sample.user("a", "2+2?", target="4"), "4", _ctx(server))
        await _score(MTBenchSingleScorer(), Sample.user("b", "Write a poem."), "roses", _ctx(server))
    assert "[REFERENCE ANSWER]\n4" in seen[0]
    assert "REFERENCE" not in seen[1]


async def test_mt_bench_out_of_range_or_unreadable_rating_is_unscored() -> None:
    sample = Sample.user("mt-1", "Explain tides.")
    for reply in ('{"rating": 11, "rationale": "x"}', '{"rating": 6.5, "rationale": "x"}', "Rating: [[7]]"):
        with _judge(lambda p, r=reply: r) as server:
            s = await _score(MTBenchSingleScorer(), sample, "answer", _ctx(server))
        assert s.value is None and s.label == "unparseable"


async def test_mt_bench_without_a_judge_is_labelled_not_guessed() -> None:
    s = await _score(MTBenchSingleScorer(), Sample.user("x", "q"), "answer")
    assert s.value is None and s.label == "no-judge" and "--judge" in s.rationale
    p = await _score(MTBenchPairwiseScorer(), Sample.user("x", "q", target="ref"), "answer")
    assert p.value is None and p.label == "no-judge"


def _pairwise_judge(prefers: str) -> Callable[[str], str]:
    """A judge that prefers the answer containing `prefers`, or always says A (position bias)."""

    def answer(prompt: str) -> str:
        a = prompt.split("[ANSWER A]")[1].split("[ANSWER B]")[0]
        winner = "A" if prefers == "first-position" else "A" if prefers in a else "B"
        return json.dumps({"winner": winner, "rationale": "r"})

    return answer


async def test_mt_bench_pairwise_win_loss_and_position_bias() -> None:
    sample = Sample.user("mt-2", "What is 3*4?", target="REFERENCE says 12")
    with _judge(_pairwise_judge("MODEL")) as server:
        win = await _score(MTBenchPairwiseScorer(), sample, "MODEL says 12", _ctx(server))
        no_ref = await _score(MTBenchPairwiseScorer(), Sample.user("x", "q"), "a", _ctx(server))
    with _judge(_pairwise_judge("REFERENCE")) as server:
        loss = await _score(MTBenchPairwiseScorer(), sample, "MODEL says 13", _ctx(server))
    with _judge(_pairwise_judge("first-position")) as server:
        biased = await _score(MTBenchPairwiseScorer(), sample, "MODEL says 12", _ctx(server))
    assert (win.value, win.label) == (1.0, "win")
    assert (loss.value, loss.label) == (0.0, "loss")
    assert (biased.value, biased.label) == (0.5, "tie")
    assert no_ref.value is None and no_ref.label == "no-reference"
