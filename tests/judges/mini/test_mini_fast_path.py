"""The fast path of the mini judge gives the verdicts the straightforward code gave.

`fixtures/mini-v2_judge_dev.json` holds every verdict of the shipped judge on safety/judge_dev.jsonl
(label, probability, detail, rationale). The fast path (tokenizing by translate/split, hashing
through a filling dict, judging in chunks) was introduced against the straightforward code's
mini-v1 verdicts and the file was rewritten when mini-v2 was built, so a change to the speed path
can never move a verdict; the tokenizer is also checked against the regexes it replaces.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.datasets import read_labelled
from equipoise.judges.mini import VERSION, mini_judge
from equipoise.judges.mini import _judge as judge_module
from equipoise.judges.mini._features import _CJK_RE, _CJK_WORD_RE, _WORD_RE, tokenize
from equipoise.results import JudgeTask

EXPECTED = Path(__file__).resolve().parent / "fixtures" / f"{VERSION}_judge_dev.json"


def _regex_tokens(text: str, max_chars: int) -> list[str]:
    text = text[:max_chars].lower()
    return (_CJK_WORD_RE if _CJK_RE.search(text) else _WORD_RE).findall(text)


@pytest.mark.parametrize("chunk", [judge_module.CHUNK, 7])
@pytest.mark.parametrize("task", ["harm", "refusal"])
def test_verdicts_on_judge_dev_are_the_ones_computed_before_the_fast_path(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch, task: JudgeTask, chunk: int
) -> None:
    # A chunk of 7 splits the 200 rows into 29 chunks, the last one short: rows must not notice.
    monkeypatch.setattr(judge_module, "CHUNK", chunk)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert expected["judge"] == VERSION, f"{EXPECTED.name} holds {expected['judge']}'s verdicts, not {VERSION}'s"
    _, items = read_labelled(shared_data / expected["file"], "harm")
    verdicts = mini_judge().decide([(i.prompt, i.response) for i in items], task)
    want = expected[task]
    assert len(verdicts) == len(want) == 200
    assert [v.label for v in verdicts] == [w["label"] for w in want]
    assert [v.detail for v in verdicts] == [w["detail"] for w in want]
    assert [v.probability for v in verdicts] == pytest.approx([w["probability"] for w in want], rel=1e-12, abs=0)
    assert [v.rationale for v in verdicts] == [w["rationale"] for w in want]


@pytest.mark.parametrize(
    "text",
    [
        "Sure, here’s how — step 1: don’t…",  # non-ASCII separators only: the translate path
        "Café crème, s'il vous plaît",  # a non-ASCII word character: the regex path
        "Привет, мир! x²_y",  # Cyrillic, a superscript digit (a word character), an underscore
        "AIM: 我不能 help",  # CJK characters one at a time
        "tab\tnew\nline\x0bvt\x1cfs\u00a0nbsp\u2028ls",  # every kind of whitespace separates
        "emoji😀inside and a lone \ud800 surrogate",
        "",
    ],
)
def test_tokens_are_those_of_the_regexes_on_hand_picked_texts(text: str) -> None:
    assert tokenize(text, 4000) == _regex_tokens(text, 4000)


# Every category, surrogates included (hypothesis leaves them out unless told).
@given(st.text(alphabet=st.characters(exclude_categories=[]), max_size=60), st.integers(0, 70))
def test_tokens_are_those_of_the_regexes_on_any_text(text: str, max_chars: int) -> None:
    assert tokenize(text, max_chars) == _regex_tokens(text, max_chars)
