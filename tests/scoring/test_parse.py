"""Answer parsing: final numbers, choice letters, normalised matching."""

from __future__ import annotations

import pytest

from equipoise.scoring import contains_answer, normalise_answer, parse_choice, parse_final_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("391", 391.0),
        ("17 x 23 = 391", 391.0),
        ("First 10, then 20, so the answer is 30.", 30.0),
        ("#### 1,234", 1234.0),
        ("It costs $42.50 in total", 42.5),
        ("The temperature fell to -5 degrees", -5.0),
        ("no digits here", None),
    ],
)
def test_final_number(text: str, expected: float | None) -> None:
    assert parse_final_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # '####' first: code after the answer assigns other numbers, and '=' marks no answer.
        ("Half of 10 is 5.\n#### 5\n```python\nx = 10\nprint(x)\n```", 5.0),
        ("#### 5\n\nQuestion: Tom has 3 apples ...\n#### 3", 5.0),  # a further few-shot answer
        ("The answer is 7.\n#### 8", 8.0),  # '####' outranks 'the answer is'
        ("\\boxed{9}\n#### 8", 8.0),  # and \boxed{}
        ("#### 1. Add the costs: 3 + 4 = 7", 7.0),  # a markdown heading, not an answer
        # \boxed{} next, its last occurrence, commas read as thousands.
        ("So the total is \\boxed{1,234}.", 1234.0),
        ("First \\boxed{12}, no, correcting: \\boxed{14}. Then x = 99", 14.0),
        ("The answer is 3, so \\boxed{4}", 4.0),  # \boxed{} outranks 'the answer is'
        ("\\boxed{\\text{42 apples}} and 100 more", 42.0),
        # 'The answer is' / 'answer:' next, its last occurrence.
        ("The answer is 12. Check: 12 = 3 * 4 = 6 + 6", 12.0),
        ("The answer is 5. Wait, the answer is 6. Since 2 * 3 = 6 and 10 - 4 = 6", 6.0),
        ("Final answer: **$18**, since 9 * 2 = 18 and 20 - 2", 18.0),
        # Otherwise the last number, '=' or not.
        ("48 / 2 = 24, so in all 48 + 24 = 72 clips", 72.0),
        ("x = 10, then we add 2 to get 12", 12.0),
    ],
)
def test_final_answer_forms_take_precedence_in_order(text: str, expected: float) -> None:
    assert parse_final_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B", "B"),
        ("(C) because it is right", "C"),
        ("Answer: d", "D"),
        ("The answer is A.", "A"),
        ("I think the best option is (B).", "B"),
        ("A or B, hard to say", None),
        ("The answer is A. No wait, the answer is C.", None),
        ("None of them", None),
        ("E", None),
    ],
)
def test_choice(text: str, expected: str | None) -> None:
    assert parse_choice(text, "ABCD") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # With ten options "I" is a letter, and the pronoun must not be read as it.
        ("I'm sorry, but I can't help with that request.", None),
        ("I think it is I.", "I"),
        ("The answer is I", "I"),
        ("I. Because the others are wrong", "I"),
        # "answer a question" names no option.
        ("As an AI, I cannot answer a question about this.", None),
        ("the answer is a", "A"),
    ],
)
def test_choice_pronoun_and_article_are_not_options(text: str, expected: str | None) -> None:
    assert parse_choice(text, "ABCDEFGHIJ") == expected


def test_normalised_matching() -> None:
    assert normalise_answer("The  Pacific Ocean!") == "pacific ocean"
    assert contains_answer("It is the Pacific.", ["Pacific", "Pacific Ocean"])
    assert not contains_answer("Atlantic", ["Pacific"])
    assert not contains_answer("Parisian food", ["Paris"])
