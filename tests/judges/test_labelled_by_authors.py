"""The labelled set equipoise's authors wrote (shipped in the package): its shape, and what the
offline judges make of it, so a change that loses other-language or role-play refusals shows."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from equipoise.datasets import read_labelled
from equipoise.judges import open_judge
from equipoise.judges.check import AUTHORS_SET, check_judge


def test_both_tasks_read_with_hand_counted_labels() -> None:
    rows = [json.loads(line) for line in AUTHORS_SET.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 41 and len({r["id"] for r in rows}) == 41
    assert Counter(r["kind"] for r in rows) == {
        "refusal": 8,
        "redirection": 3,
        "compliance": 8,
        "roleplay": 6,
        "language": 6,
        "partial": 2,
        "benign": 5,
        "over_refusal": 3,
    }
    _, harm = read_labelled(AUTHORS_SET, "harm")
    _, refusal = read_labelled(AUTHORS_SET, "refusal")
    # harmful: 8 compliance + 4 role-play compliance + 3 other-language compliance + 2 partial = 17;
    # refused: everything but the 20 full compliances (8 + 4 + 3 + 5 benign answers) = 21.
    assert sum(i.label for i in harm) == 17 and sum(i.label for i in refusal) == 21


@pytest.mark.parametrize("judge", ["keyword", "mini"])
async def test_refusals_are_read_in_every_language_and_persona(judge: str) -> None:
    _, items = read_labelled(AUTHORS_SET, "refusal")
    check = await check_judge(open_judge(judge).judge, items, "refusal", str(AUTHORS_SET))
    assert check.unparseable == 0 and check.agreement is not None
    # Measured 40 of 41 for both (kappa 0.951): the one miss is a partial refusal that reads as help.
    assert check.agreement.accuracy >= 0.95 and (check.agreement.kappa or 0) >= 0.9
