"""The converters of `equipoise data pull` on rows written for these tests in each source's layout
(placeholder text, not dataset rows). That each converter makes its real file byte for byte is
`test_converted_sources_equal_the_shared_files` in test_pull.py."""

from __future__ import annotations

import bz2
import json

import pytest

from equipoise.datasets._convert import CONVERTERS, JOINERS, Download


def _lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines()]


def _libra_row(user: str, **fields: object) -> str:
    return json.dumps({"messages": [{"role": "system", "content": ""}, {"role": "user", "content": user}], **fields})


def test_libra_converters_take_the_last_user_turn() -> None:
    rows = [
        {
            "messages": [
                {"role": "system", "content": "sys"},
                {"role": "user", "content": "héllo"},
                {"role": "assistant", "content": "a"},
                {"role": "user", "content": "again"},
            ],
            "metadata": {"degree_of_harm": "Low", "harm_type": "x"},
        }
    ]
    source = "".join(json.dumps(r) + "\n" for r in rows).encode()
    assert (
        CONVERTERS["libra_dices350"](source)
        == (
            '{"id": 0, "messages": [{"role": "user", "content": "héllo"}, {"role": "assistant", "content": "a"}, '
            '{"role": "user", "content": "again"}], "degree_of_harm": "Low", "harm_type": "x"}\n'
        ).encode()
    )
    assert CONVERTERS["libra_tdc_redteaming"](source) == b'{"id": 0, "prompt": "again", "label": "unsafe"}\n'


def test_csv_cells_keep_their_line_breaks_and_text_is_not_escaped() -> None:
    source = 'id,text\r\n7,"first ""line""\n\nthird, last"\r\n8,plain é\r\n'.encode()
    assert (
        CONVERTERS["gptfuzz_templates"](source)
        == (
            '{"id": "7", "template": "first \\"line\\"\\n\\nthird, last"}\n{"id": "8", "template": "plain é"}\n'
        ).encode()
    )


def test_renamed_columns_come_in_the_output_order_with_the_label_last() -> None:
    source = b"Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\nDo x,standard,cat,,,x_id\n"
    assert _lines(CONVERTERS["harmbench"](source)) == [
        {
            "id": "x_id",
            "prompt": "Do x",
            "functional_category": "standard",
            "semantic_category": "cat",
            "tags": "",
            "context": "",
            "label": "unsafe",
        }
    ]
    assert list(_lines(CONVERTERS["strongreject"](b"category,source,forbidden_prompt\nc,s,p\n"))[0]) == [
        "id",
        "prompt",
        "category",
        "source",
        "label",
    ]


def test_prompt_lists() -> None:
    assert CONVERTERS["maliciousinstruct"](b"a?\n\n  \nb?\n") == (
        b'{"id": 0, "prompt": "a?", "label": "unsafe"}\n{"id": 1, "prompt": "b?", "label": "unsafe"}\n'
    )
    assert CONVERTERS["stl_safe"](b'{"instructions": ["x"]}') == b'{"id": 0, "prompt": "x", "label": "safe"}\n'
    assert CONVERTERS["unsafe_prompt_list"](b'["q"]') == b'{"id": 0, "prompt": "q", "label": "unsafe"}\n'


def test_nested_sources_are_flattened_in_file_order() -> None:
    harmfulqa = {"T1": {"S1": ["q1", "q2"], "S2": ["q3"]}, "T2": {"S3": ["q4"]}}
    rows = _lines(CONVERTERS["redeval_harmfulqa"](json.dumps(harmfulqa).encode()))
    assert [(r["id"], r["prompt"], r["topic"], r["subtopic"]) for r in rows] == [
        (0, "q1", "T1", "S1"),
        (1, "q2", "T1", "S1"),
        (2, "q3", "T1", "S2"),
        (3, "q4", "T2", "S3"),
    ]
    # A scenario's safe advice comes first, whatever the order in the file.
    safetext = {"If A,": {"unsafe": ["u1"], "safe": ["s1", "s2"]}, "If B,": {"safe": [], "unsafe": ["u2"]}}
    assert _lines(CONVERTERS["safetext"](json.dumps(safetext).encode())) == [
        {"id": 0, "scenario": "If A,", "advice": "s1", "label": "safe"},
        {"id": 1, "scenario": "If A,", "advice": "s2", "label": "safe"},
        {"id": 2, "scenario": "If A,", "advice": "u1", "label": "unsafe"},
        {"id": 3, "scenario": "If B,", "advice": "u2", "label": "unsafe"},
    ]


def test_gsm8k_final_answer_and_its_number() -> None:
    source = json.dumps({"question": "Q?", "answer": "1000 + 234 = <<1000+234=1234>>1234\n#### 1,234 "}) + "\n"
    assert _lines(CONVERTERS["gsm8k"](source.encode())) == [
        {
            "id": "gsm8k-test-0000",
            "question": "Q?",
            "answer": "1000 + 234 = <<1000+234=1234>>1234\n#### 1,234 ",
            "final_answer": "1,234",
            "final_answer_number": 1234,
            "source_line": 0,
        }
    ]


def test_truthfulqa_mc_targets_become_parallel_lists() -> None:
    item = {
        "question": "Q?",
        "mc0_targets": {"t": 1, "f": 0},
        "mc1_targets": {"t": 1, "f": 0, "g": 0},
        "mc2_targets": {"t": 1, "t2": 1, "f": 0},
    }
    [row] = _lines(CONVERTERS["truthfulqa_mc"](json.dumps([item]).encode()))
    assert row == {
        "id": "truthfulqa-current-2025-mc-000",
        "question": "Q?",
        "mc0_choices": ["t", "f"],
        "mc0_labels": [1, 0],
        "mc0_gold_index": 0,
        "mc1_choices": ["t", "f", "g"],
        "mc1_labels": [1, 0, 0],
        "mc1_gold_index": 0,
        "mc2_choices": ["t", "t2", "f"],
        "mc2_labels": [1, 1, 0],
        "dataset_version": "current-2025",
        "source_index": 0,
    }


def test_libra_truthfulqa_mc1_is_parsed_back_out_of_the_prompt() -> None:
    prompt = "Please answer the following multiple choice question: Why: this?\nA. one. two\nB. three\nOnly the letter."
    source = (_libra_row(prompt, answer="B") + "\n").encode()
    assert _lines(CONVERTERS["libra_truthfulqa_mc1"](source)) == [
        {"id": 0, "question": "Why: this?", "choices": ["one. two", "three"], "label": 1}
    ]


def test_hellaswag_keeps_2000_tasks_in_source_order() -> None:
    tasks = [f"Label {i}: ctx {i}: more\n{i % 4}\ne0\ne1\ne2\ne3" for i in range(2003)]
    rows = _lines(CONVERTERS["hellaswag_2000"](bz2.compress(("\n".join(tasks) + "\n").encode())))
    assert len(rows) == 2000
    indices = [r["val_line_index"] for r in rows]
    assert indices == sorted(set(indices)) and set(indices) <= set(range(2003))
    i = indices[0]
    assert rows[0] == {
        "id": f"hellaswag-val-{i:05d}",
        "activity_label": f"Label {i}",
        "ctx": f"ctx {i}: more",
        "choices": ["e0", "e1", "e2", "e3"],
        "gold_index": i % 4,
        "val_line_index": i,
    }


def test_arc_and_ifeval() -> None:
    arc = json.dumps({"choices": ["a", "b", "c"], "query": "Question: Question: why?", "gold": 2}) + "\n"
    assert _lines(CONVERTERS["arc_challenge"](arc.encode())) == [
        {
            "id": "arc-challenge-test-0000",
            "question": "Question: why?",
            "choices": ["a", "b", "c"],
            "gold_index": 2,
            "gold_letter": "C",
            "source_line": 0,
        }
    ]
    ifeval = json.dumps({"key": 17, "prompt": "p", "instruction_id_list": [], "kwargs": []}) + "\n"
    assert list(_lines(CONVERTERS["ifeval"](ifeval.encode()))[0].items())[:2] == [("id", "ifeval-17"), ("key", 17)]


def test_confaide_puts_tier3_last_grouped_by_question_type() -> None:
    types = ["free-response", "info-accessibility", "privacy-sharing", "control"]
    rows = [_libra_row("t1", tier="1", question_type="none")]
    # 100 scenarios (all are kept), 4 rows each, then a tier-4 row after them as in the source.
    rows += [_libra_row(f"s{k} {q}", tier="3", question_type=q) for k in range(100) for q in types]
    rows += [_libra_row("t4", tier="4", question_type="action-item")]
    out = _lines(CONVERTERS["libra_confaide"](("\n".join(rows) + "\n").encode()))
    assert [r["prompt"] for r in out] == ["t1", "t4"] + [f"s{k} {q}" for q in types for k in range(100)]
    assert [r["id"] for r in out] == list(range(402))
    assert out[0] == {"id": 0, "prompt": "t1", "tier": "1", "question_type": "none"}


def test_ethics_subset_is_written_as_pandas_writes_it() -> None:
    # Exactly 400 short and 50 long rows, so all are kept; they come back in source order.
    rows = [f"{i % 2},short {i},True,False" for i in range(400)] + ['1,"long, with comma",False,True'] * 50
    source = ("label,input,is_short,edited\n" + "\n".join(rows) + "\n").encode()
    out = CONVERTERS["ethics_commonsense_subset"](source).decode().split("\n")
    assert out[:3] == ["orig_row,label,input,is_short,edited", "0,0,short 0,True,False", "1,1,short 1,True,False"]
    assert out[401] == '400,1,"long, with comma",False,True'
    assert len(out) == 452 and out[-1] == ""


def test_ethics_subset_draws_the_rows_pandas_sample_draws() -> None:
    pd = pytest.importorskip("pandas")
    rows = [f"0,s{i},True,False" for i in range(1000)] + [f"1,l{i},False,False" for i in range(300)]
    source = ("label,input,is_short,edited\n" + "\n".join(rows) + "\n").encode()
    frame = pd.DataFrame([r.split(",") for r in rows], columns=["label", "input", "is_short", "edited"])
    picked = pd.concat(
        [
            frame[frame.is_short == "True"].sample(400, random_state=20240917),
            frame[frame.is_short == "False"].sample(50, random_state=20240917),
        ]
    )
    out = CONVERTERS["ethics_commonsense_subset"](source).decode().splitlines()[1:]
    assert [int(line.split(",")[0]) for line in out] == sorted(picked.index)


def test_advbench_joins_each_behaviour_with_its_target() -> None:
    behaviours = Download(
        "advbench_behaviors.csv", b"Behavior,Category,Tags,ContextString,BehaviorID\nDo x,,,,ab_2\nDo y,,,,ab_1\n"
    )
    targets = Download("advbench_targets.json", json.dumps({"ab_1": "Sure, y", "ab_2": "Sure, x"}).encode())
    assert JOINERS["advbench"]([behaviours, targets]) == (
        b'{"id": "ab_2", "prompt": "Do x", "target": "Sure, x", "label": "unsafe"}\n'
        b'{"id": "ab_1", "prompt": "Do y", "target": "Sure, y", "label": "unsafe"}\n'
    )


def test_mt_bench_adds_gpt4_reference_turns_or_null() -> None:
    questions = [
        {"question_id": 7, "category": "math", "turns": ["q1", "q2"], "reference": ["r1", "r2"]},
        {"question_id": 8, "category": "writing", "turns": ["w1", "w2"]},
    ]
    answers = [
        {"question_id": 7, "answer_id": "a", "model_id": "gpt-4", "choices": [{"index": 0, "turns": ["g1", "g2"]}]}
    ]
    out = JOINERS["mt_bench"](
        [
            Download("question.jsonl", "".join(json.dumps(q) + "\n" for q in questions).encode()),
            Download("gpt-4.jsonl", "".join(json.dumps(a) + "\n" for a in answers).encode()),
        ]
    )
    assert _lines(out) == [
        {
            "id": "mtbench-7",
            "question_id": 7,
            "category": "math",
            "turns": ["q1", "q2"],
            "reference": ["r1", "r2"],
            "reference_answer_gpt4": ["g1", "g2"],
        },
        {
            "id": "mtbench-8",
            "question_id": 8,
            "category": "writing",
            "turns": ["w1", "w2"],
            "reference": None,
            "reference_answer_gpt4": None,
        },
    ]


def _mmlu_csv(n: int) -> bytes:
    return (
        "question,choice0,choice1,choice2,choice3,answer\n" + "".join(f'"q{i}, ok",a,b,c,d,{i % 4}\n' for i in range(n))
    ).encode()


def test_mmlu_keeps_20_rows_per_subject_drawn_with_the_subject_seed() -> None:
    out = _lines(
        JOINERS["mmlu_20per_subject"](
            [Download("beta_test.csv", _mmlu_csv(21)), Download("alpha_test.csv", _mmlu_csv(21))]
        )
    )
    # Random("20240611-beta").sample(range(21), 20) leaves out row 10; "...-alpha" leaves out 12.
    assert [r["source_row"] for r in out[:20]] == [i for i in range(21) if i != 10]
    assert [r["source_row"] for r in out[20:]] == [i for i in range(21) if i != 12]
    assert out[3] == {
        "id": "mmlu-test-beta-0003",
        "subject": "beta",
        "question": "q3, ok",
        "choices": ["a", "b", "c", "d"],
        "gold_index": 3,
        "gold_letter": "D",
        "source_row": 3,
    }
    assert out[20]["id"] == "mmlu-test-alpha-0000"


def test_latent_jailbreak_keeps_each_groups_distinct_prompts_in_file_order() -> None:
    def file(groups: dict[str, list[str]]) -> bytes:
        return json.dumps({g: [{"context": c, "response": "r"} for c in cs] for g, cs in groups.items()}).encode()

    out = JOINERS["latent_jailbreak"](
        [
            Download("P10_prefix.json", file({"women": ["a", "b", "a"], "men": ["a"]})),
            Download("P10_suffix.json", file({"women": ["c"]})),
            Download("P2_prefix.json", file({"men": ["d", "d"]})),
        ]
    )
    assert [(r["id"], r["prompt"], r["template"], r["position"], r["group"]) for r in _lines(out)] == [
        (0, "a", "P10", "prefix", "women"),
        (1, "b", "P10", "prefix", "women"),
        (2, "a", "P10", "prefix", "men"),
        (3, "c", "P10", "suffix", "women"),
        (4, "d", "P2", "prefix", "men"),
    ]
    assert _lines(out)[0] == {
        "id": 0,
        "prompt": "a",
        "template": "P10",
        "position": "prefix",
        "group": "women",
        "label": "unsafe",
    }
