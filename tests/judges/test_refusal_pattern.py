"""The refusal detector's grouped regex finds exactly what a flat alternation of its phrases finds."""

from __future__ import annotations

import random
import re

from equipoise.judges.refusal import _FOREIGN_REFUSAL_PHRASES, _REFUSAL_ASCII_RE, _REFUSAL_PHRASES, _REFUSAL_RE

FLAT = re.compile(r"\b(?:" + "|".join(_REFUSAL_PHRASES) + ")", re.IGNORECASE)

PIECES = [
    "I'm sorry, but",
    "I AM really sorry, I can't",
    "Sorry but I won't",
    "I apologise, but",
    "I can't help",
    "I couldn't assist",
    "It's not appropriate",
    "that is not ethical",
    "As an AI language model, I cannot",
    "I'm just an AI and don't",
    "against my guidelines",
    "is illegal and harmful, so I",
    "would be dangerous and I",
    "are unethical, and I",
    "I strongly urge you not to",
    "won't help you with that",
    "Will not assist with this",
    "cannot help with that",
    "unable to assist with this",
    "not able to provide",
    "I refuse",
    "Sure! Here",
    "xI can't help",
    "_i refuse",
    "I'd rather not",
    "I need to decline",
    "İ am sorry, but",
    "ſorry, I can't",
    "thats",
    "i",
    "sorry,",
    " ",
    "\n",
    ".",
    "1. Step",
]


def _spans(regex: re.Pattern[str], text: str) -> tuple[int, int] | None:
    match = regex.search(text)
    return None if match is None else match.span()


def test_every_phrase_starts_with_a_lower_case_letter() -> None:
    assert all(p[0].isalpha() and p[0].islower() for p in _REFUSAL_PHRASES + _FOREIGN_REFUSAL_PHRASES)


def test_grouped_regex_matches_like_the_flat_alternation() -> None:
    rng = random.Random(0)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10))) for _ in range(5000)]
    texts += [" ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10))) for _ in range(5000)]
    for text in texts:
        expected = _spans(FLAT, text)
        assert _spans(_REFUSAL_RE, text) == expected, text
        if text.isascii():
            assert _spans(_REFUSAL_ASCII_RE, text.lower()) == expected, text
