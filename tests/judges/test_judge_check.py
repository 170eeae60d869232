"""Judge agreement with human labels: hand-computed confusion matrices and file errors."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pytest

from equipoise.datasets import DatasetError, read_labelled
from equipoise.judges import KeywordJudge
from equipoise.judges.check import check_judge
from equipoise.metrics.agreement import agreement
from equipoise.store import open_store


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_symmetric_confusion_matrix() -> None:
    # tp=3 fn=1 fp=1 tn=3: accuracy 6/8; precision 3/4; recall 3/4; F1 3/4;
    # kappa: p_o = .75, p_e = .5*.5 + .5*.5 = .5 -> (.75 - .5) / (1 - .5) = .5
    a = agreement([1, 1, 1, 0, 0, 0, 0, 1], [1, 1, 0, 0, 0, 1, 0, 1])
    assert (a.tp, a.fn, a.fp, a.tn) == (3, 1, 1, 3)
    assert (a.n, a.accuracy, a.precision, a.recall, a.f1) == (8, 0.75, 0.75, 0.75, 0.75)
    assert a.kappa == pytest.approx(0.5)


def test_asymmetric_confusion_matrix() -> None:
    # tp=3 fn=1 fp=2 tn=4: accuracy .7; precision 3/5; recall 3/4; F1 2*.6*.75/1.35 = 2/3;
    # kappa: p_o = .7, p_e = .4*.5 + .6*.5 = .5 -> .2/.5 = .4
    a = agreement([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 1, 1, 0, 0, 0, 0])
    assert (a.tp, a.fn, a.fp, a.tn) == (3, 1, 2, 4)
    assert a.accuracy == pytest.approx(0.7)
    assert a.precision == pytest.approx(0.6)
    assert a.recall == pytest.approx(0.75)
    assert a.f1 == pytest.approx(2 / 3)
    assert a.kappa == pytest.approx(0.4)


def test_kappa_is_none_when_undefined_and_precision_zero_without_positives() -> None:
    a = agreement([0, 0, 0], [0, 0, 0])
    assert a.kappa is None
    assert (a.accuracy, a.precision, a.recall, a.f1) == (1.0, 0.0, 0.0, 0.0)


def test_task_is_read_from_the_label_field_and_partial_counts_as_refusal(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "r.jsonl",
        [
            {"prompt": "p", "response": "r", "refusal_label": "partial_refusal"},
            {"prompt": "p", "response": "r", "refusal_label": "full_compliance"},
            {"prompt": "p", "response": "r", "refusal_label": "full_refusal"},
        ],
    )
    task, items = read_labelled(path)
    assert task == "refusal"
    assert [i.label for i in items] == [1, 0, 1]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"prompt": "p", "harmful": 1}, "r.jsonl:2: field 'response' is missing"),
        ({"prompt": "p", "response": "r", "harmful": "yes"}, "r.jsonl:2: field 'harmful' should be int"),
        ({"prompt": "p", "response": "r", "harmful": 2}, "r.jsonl:2: field 'harmful' should be 0 or 1"),
        ({"prompt": 3, "response": "r", "harmful": 1}, "r.jsonl:2: field 'prompt' should be str"),
    ],
)
def test_malformed_rows_fail_with_file_line_and_field(tmp_path: Path, row: dict, message: str) -> None:
    path = _write(tmp_path / "r.jsonl", [{"prompt": "p", "response": "r", "harmful": 0}, row])
    with pytest.raises(DatasetError, match=message):
        read_labelled(path)


def test_an_unknown_refusal_label_and_a_missing_label_field_are_named(tmp_path: Path) -> None:
    bad = _write(tmp_path / "r.jsonl", [{"prompt": "p", "response": "r", "refusal_label": "maybe"}])
    with pytest.raises(
        DatasetError, match=re.escape("r.jsonl:1: field 'refusal_label' should be one of full_compliance")
    ):
        read_labelled(bad)
    unlabelled = _write(tmp_path / "u.jsonl", [{"prompt": "p", "response": "r"}])
    with pytest.raises(DatasetError, match=re.escape("u.jsonl:1: needs exactly one label field")):
        read_labelled(unlabelled)
    with pytest.raises(DatasetError, match=re.escape("u.jsonl:1: field 'harmful' is missing")):
        read_labelled(unlabelled, "harm")


async def test_unparseable_verdicts_are_counted_not_scored(tmp_path: Path) -> None:
    steps = "\n".join(f"{i}. Do part {i} of the job carefully and completely." for i in range(1, 12))
    unclear = "I'm sorry, but this is risky. Anyway:\n" + steps + "\n" + "More detail follows. " * 20
    path = _write(
        tmp_path / "h.jsonl",
        [
            {"prompt": "p", "response": "I'm sorry, but I can't help with that.", "harmful": 0},
            {"prompt": "p", "response": "Sure, here is how to do it: first mix them.", "harmful": 1},
            {"prompt": "p", "response": "Here you go, the story you asked for.", "harmful": 0},
            {"prompt": "p", "response": unclear, "harmful": 1},
        ],
    )
    task, items = read_labelled(path)
    check = await check_judge(KeywordJudge(), items, task, str(path))
    # The keyword judge reads compliance as harm: verdicts 0, 1, 1 and one unclear (no verdict).
    assert (check.n, check.unparseable) == (4, 1)
    assert check.agreement is not None
    assert (check.agreement.tp, check.agreement.fp, check.agreement.fn, check.agreement.tn) == (1, 1, 0, 1)
    assert check.to_dict()["judged"] == 3
    assert check.judge == "keyword-v3"


async def test_recorded_checks_know_the_same_data_under_another_path(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.jsonl", [{"prompt": "p", "response": "Sure, here is how to do it.", "harmful": 1}])
    copy = tmp_path / "elsewhere" / "copy.jsonl"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    task, items = read_labelled(path)
    check = await check_judge(KeywordJudge(), items, task, str(path))
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.record_judge_checks([check], hashlib.sha256(path.read_bytes()).hexdigest())
    store.record_judge_checks(
        [dataclasses.replace(check, file=str(copy))], hashlib.sha256(copy.read_bytes()).hexdigest()
    )
    [latest] = store.judge_checks()
    assert latest["file"] == str(copy) and latest["judge"] == "keyword-v3"
    assert latest["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(store.judge_checks(latest=False)) == 2
